#!/bin/sh
# Issue 22's calibration of the filing package's speech-rate check
# (src/filing/rate.rs, docs/speech-rate.md): Debian's English Asterisk core
# sounds (the WAV recordings and the text of every prompt) downloaded, not
# installed; every recording checked by voxprep for its duration and edge
# silence; each paired with its own text and, for the mismatch figures, with
# another prompt's text (shuffled with a fixed seed); the product's code
# (the speech_rate example) judges every pair.
#
#   sh benches/speech-rate.sh [WORKDIR]     (default benches/out/speech-rate)
#   SWEEP=1 sh benches/speech-rate.sh       (also the flagged shares of other
#                                            word ranges and slacks)
#   ESPEAK=1 sh benches/speech-rate.sh      (also five Chinese prompts said
#                                            by espeak-ng at five rates)
#
# Needs: apt-get (download only), dpkg-deb, python3, cargo. Honours
# CARGO_TARGET_DIR. Prints the pairs, the shares flagged and the percentiles
# of the real prompts' rates.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-"$repo/target"}
work=${1:-"$repo/benches/out/speech-rate"}
(cd "$repo" && cargo build --quiet --release --bin voxprep --example speech_rate)
vp="$target/release/voxprep"
driver="$target/release/examples/speech_rate"
mkdir -p "$work"
cd "$work"
for pkg in asterisk-core-sounds-en asterisk-core-sounds-en-wav; do
    ls ${pkg}_*.deb >/dev/null 2>&1 || apt-get download "$pkg"
done
[ -d en ] || dpkg-deb -x asterisk-core-sounds-en_*_all.deb en
[ -d wav ] || dpkg-deb -x asterisk-core-sounds-en-wav_*_all.deb wav
echo "== $(ls asterisk-core-sounds-en_*.deb asterisk-core-sounds-en-wav_*.deb | tr '\n' ' ')"

"$vp" check --format json wav > check.json || true
zcat en/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz > texts.txt

# Pair texts with recordings: real.tsv and shuffled.tsv (text, duration,
# leading, trailing silence), names.tsv (prompt, shuffled-from prompt).
python3 - <<'PY'
import json, random, re
texts = {}
for line in open("texts.txt", encoding="utf-8"):
    line = line.rstrip("\n")
    if not line or line.startswith(";") or ": " not in line:
        continue
    name, text = line.split(": ", 1)
    # "[ascending tones]", "(simple tone sound plays)", "<beep ascending>",
    # "at [@]": notes about the recording, not read.
    text = re.sub(r"\[[^]]*\]|\([^)]*\)|<[^>]*>", " ", text).strip()
    texts[name] = text
root = "wav/usr/share/asterisk/sounds/en_US_f_Allison/"
pairs = []
unpaired = 0
for f in json.load(open("check.json"))["files"]:
    name = f["path"][len(root):].rsplit(".", 1)[0]
    s = f.get("signal")
    if name not in texts or not s or f.get("duration_s") is None:
        unpaired += 1
        continue
    if not texts[name]:
        continue  # tones and silence: nothing to read
    pairs.append((name, texts[name], f["duration_s"], s["leading_silence_s"], s["trailing_silence_s"]))
pairs.sort()
def row(text, p):
    return "%s\t%s\t%s\t%s\n" % (text.replace("\t", " "), p[2], p[3], p[4])
with open("real.tsv", "w") as out:
    for p in pairs:
        out.write(row(p[1], p))
# Every recording with another prompt's text: a fixed-seed shuffle, moved on
# where it would give a recording its own text (or an identical one).
rng = random.Random(22)
order = list(range(len(pairs)))
rng.shuffle(order)
for i in range(len(order)):
    j = 1
    while pairs[order[i]][1] == pairs[i][1]:
        order[i], order[(i + j) % len(order)] = order[(i + j) % len(order)], order[i]
        j += 1
with open("shuffled.tsv", "w") as out, open("names.tsv", "w") as names:
    for i, p in enumerate(pairs):
        q = pairs[order[i]]
        out.write(row(q[1], p))
        names.write("%s\t%s\n" % (p[0], q[0]))
with open("real-names.txt", "w") as out:
    for p in pairs:
        out.write(p[0] + "\n")
print("recordings without a text (or not decoded): %d" % unpaired)
PY

"$driver" < real.tsv > real.out
"$driver" < shuffled.tsv > shuffled.out

python3 - <<'PY'
rows = lambda f: [l.rstrip("\n").split("\t") for l in open(f, encoding="utf-8")]
real, shuf = rows("real.out"), rows("shuffled.out")
names = [l.strip() for l in open("real-names.txt")]
pairs = [l.rstrip("\n").split("\t") for l in open("names.tsv")]
n = len(real)
units = lambda r: int(r[0]) + int(r[1])
flagged = lambda r: r[5] not in ("Plausible", "-")
judged = [r for r in real if r[5] != "-"]
fr = [names[i] for i, r in enumerate(real) if flagged(r)]
print("prompts paired: %d (judged %d)" % (n, len(judged)))
print("real prompts flagged: %d of %d = %.1f%%" % (len(fr), len(judged), 100 * len(fr) / len(judged)))
for i, r in enumerate(real):
    if flagged(r):
        print("   %s: %s words, %s s voiced: %s" % (names[i], r[1], r[2], r[6]))
fs = sum(flagged(r) for r in shuf)
print("shuffled pairs flagged: %d of %d = %.1f%%" % (fs, len(shuf), 100 * fs / len(shuf)))
# Restricted to pairs whose texts differ in length by a factor of 2 or more.
idx = {nm: i for i, nm in enumerate(names)}
for factor in (2, 3):
    sel = [i for i, (a, b) in enumerate(pairs)
           if max(units(real[idx[a]]), units(real[idx[b]])) >= factor * min(units(real[idx[a]]), units(real[idx[b]]))]
    k = sum(flagged(shuf[i]) for i in sel)
    print("  of those whose texts differ in length by a factor >= %d: %d of %d = %.1f%%"
          % (factor, k, len(sel), 100 * k / max(1, len(sel))))
rates = sorted(float(r[3]) for r in judged if r[4] == "WordsPerSecond")
def pct(p):
    k = (len(rates) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(rates) - 1)
    return rates[lo] + (rates[hi] - rates[lo]) * (k - lo)
print("real rates, words/s (%d prompts):" % len(rates))
print("   " + "  ".join("p%g %.2f" % (p, pct(p)) for p in (0, 0.5, 1, 2, 5, 10, 25, 50, 75, 90, 95, 98, 99, 99.5, 100)))
for lo, hi in ((1, 1), (2, 3), (4, 9), (10, 10**9)):
    sub = sorted(float(r[3]) for r in judged if r[4] == "WordsPerSecond" and lo <= int(r[1]) <= hi)
    if sub:
        print("   %s words: %d prompts, min %.2f median %.2f max %.2f"
              % (("%d-%d" % (lo, hi)) if hi < 10**9 else "%d+" % lo, len(sub), sub[0], sub[len(sub) // 2], sub[-1]))
PY

if [ "${SWEEP:-}" = 1 ]; then
    echo "== sweep: real flagged % / shuffled flagged %, by words/s range (rows) and slack (columns)"
    python3 - "$driver" <<'PY'
import subprocess, sys
def share(args, f):
    out = subprocess.run([sys.argv[1]] + args, stdin=open(f), capture_output=True, text=True, check=True).stdout
    rows = [l.split("\t") for l in out.splitlines() if l.split("\t")[5] != "-"]
    return 100 * sum(r[5] != "Plausible" for r in rows) / len(rows)
slacks = (0, 0.4, 0.6, 0.8)
print("   min-max     " + "".join("slack %-12s" % s for s in slacks))
for lo in (0.8, 0.9, 1.0, 1.2, 1.4, 1.6):
    for hi in (4.0, 4.5, 5.0):
        cells = []
        for s in slacks:
            a = ["--words", str(lo), str(hi), "--slack", str(s)]
            cells.append("%4.1f / %4.1f     " % (share(a, "real.tsv"), share(a, "shuffled.tsv")))
        print("   %.1f-%.1f     %s" % (lo, hi, "".join(cells)))
PY
fi

if [ "${ESPEAK:-}" = 1 ]; then
    # espeak-ng's Mandarin is no human reader (it is slow at its default
    # rate, and reads 382716 as a number); it shows the count and the
    # verdicts follow the pace, not where the range should be.
    echo "== espeak-ng -v cmn: prompt, -s, characters, voiced s, characters/s, pace"
    rm -rf espeak espeak8k
    mkdir espeak
    i=0
    while read -r t; do
        i=$((i + 1))
        for s in 80 130 175 250 350 450; do
            espeak-ng -v cmn -s "$s" -w "espeak/t$i-s$s.wav" "$t"
            printf '%s\n' "$t" > "espeak/t$i.txt"
        done
    done <<'TEXTS'
您好，欢迎致电客户服务中心。
查询账户余额请按1，办理业务请按2，人工服务请按0。
您的验证码是382716，五分钟内有效，请勿泄露给他人。
感谢您的来电，再见。
对不起，您拨打的电话正在通话中，请稍后再拨。
TEXTS
    "$vp" convert --format json espeak -o espeak8k/ > /dev/null
    "$vp" check --format json espeak8k > espeak-check.json || true
    python3 - <<'PY' > espeak.tsv
import json
for f in json.load(open("espeak-check.json"))["files"]:
    base = f["path"].rsplit("/", 1)[-1][:-4]
    t = open("espeak/" + base.split("-")[0] + ".txt", encoding="utf-8").read().strip()
    s = f["signal"]
    print("%s\t%s\t%s\t%s\t%s" % (base, t, f["duration_s"], s["leading_silence_s"], s["trailing_silence_s"]))
PY
    cut -f2- espeak.tsv | "$driver" | paste espeak.tsv - \
        | awk -F'\t' '{split($1, a, "-s"); print a[1], a[2], $6, $8, $9, $11}' | sort -k1,1 -k2n
fi
