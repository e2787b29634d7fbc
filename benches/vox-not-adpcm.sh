#!/usr/bin/env bash
# The not-ADPCM screen of `check` on real VOX and on bytes that are not ADPCM.
#
# Real VOX: 8 kHz sources encoded by sox (dithered and -D), libsndfile
# (sndfile-convert) and voxprep's greedy, universal:1 and universal:8
# encoders. Sources: the espeak-ng fixture at -30..+20 dB of gain (the loud
# ones clipped), Debian's Asterisk prompts (asterisk-core-sounds-en-gsm
# decoded by sox, -g722 decoded by ffmpeg: sox has no G.722), music-like
# synth (plucked chords), tones, full-scale squares, DTMF, noise, silence.
# Not ADPCM: the same sources written as raw mu-law, A-law, u8, s8 and s16,
# named .vox, plus random bytes of 64 B to 64 KiB.
#
# Prints the false fails (`not-adpcm` on real VOX; any other VOX code is
# counted too), the detection rate on non-ADPCM bytes and how often the
# likely format named is the right one.
#
# Usage: benches/vox-not-adpcm.sh [ASTERISK_STRIDE]   (default 1: every
#   prompt of each corpus; 4 takes every fourth)
# Needs: sox, sndfile-convert, ffmpeg, python3; the corpora unpacked under
#   /work/corpus/{gsm,g722} (dpkg-deb -x asterisk-core-sounds-en-*.deb DIR),
#   or CORPUS=DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
export SOX_OPTS=-V1
stride=${1:-1}
corpus=${CORPUS:-/work/corpus}
for t in sox sndfile-convert ffmpeg python3; do
    command -v $t >/dev/null || { echo "SKIPPING: $t is not installed"; exit 0; }
done
cargo build --release --quiet --example vox_tool
target=${CARGO_TARGET_DIR:-target}
tool=$target/release/examples/vox_tool

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src real=$tmp/real not=$tmp/not
mkdir -p "$src" "$real" "$not"

# --- sources: 8 kHz mono 16-bit WAVs, named CATEGORY__NAME.wav
s8k=(-r 8000 -c 1 -b 16)
speech=fixtures/vox/speech-espeak-8000Hz.wav
for g in -30 -20 -10 0 6 10 20; do
    sox -D "$speech" "${s8k[@]}" "$src/speech__espeak-gain$g.wav" gain "$g"
done
# Prompt names repeat across folders (digits/at, letters/at): the name is
# the path under the corpus, slashes turned into dashes.
decode_prompt() { # CODEC FILE
    local name
    name=$(echo "${2#*/sounds/}" | tr / -)
    name=asterisk-$1__${name%.*}.wav
    case $1 in
    gsm) sox -D "$2" -r 8000 -c 1 -b 16 "$src/$name" ;;
    g722) ffmpeg -nostdin -v error -y -f g722 -i "$2" -ar 8000 -ac 1 -c:a pcm_s16le "$src/$name" ;;
    esac
}
export -f decode_prompt
export src
for codec in gsm g722; do
    find "$corpus/$codec" -name "*.$codec" | sort | awk -v s="$stride" 'NR % s == 0' |
        xargs -P "$(nproc)" -I{} bash -c "decode_prompt $codec {}"
done
for n in 1 2 3; do
    sox -D -n "${s8k[@]}" "$src/music__pluck$n.wav" synth 3 pluck C$((n + 2)) pluck E$((n + 2)) \
        pluck G$((n + 2)) gain -$((n * 4))
done
sox -D -n "${s8k[@]}" "$src/music__chord-sweep.wav" synth 4 sine 200-2000 sine 300-3000 gain -6
for f in 100 440 1000 3000 3900; do
    for l in -1 -6 -30; do
        sox -D -n "${s8k[@]}" "$src/tone__sine-${f}Hz${l}dB.wav" synth 2 sine $f gain $l
    done
done
for f in 50 300 1000; do
    sox -D -n "${s8k[@]}" "$src/tone__square-${f}Hz-0dB.wav" synth 2 square $f
done
sox -D -n "${s8k[@]}" "$src/tone__dtmf-1.wav" synth 1 sine 697 sine 1209 channels 1 gain -3
for c in white pink brown; do
    for l in -1 -20; do
        sox -D -n "${s8k[@]}" "$src/noise__$c$l.wav" synth 2 ${c}noise gain $l
    done
done
sox -D -n "${s8k[@]}" "$src/silence__2s.wav" trim 0 2
echo "sources: $(ls "$src" | wc -l) WAVs (asterisk stride $stride)"

# --- real VOX, six encoders
"$tool" default-kind >/dev/null
encode() { # WAV
    local w=$1 b
    b=$(basename "$w" .wav)
    sox "$w" -t vox -r 8000 "$real/sox__$b.vox"
    sox -D "$w" -t vox -r 8000 "$real/sox-D__$b.vox"
    sndfile-convert "$w" "$real/sndfile__$b.vox"
    for k in greedy universal:1 universal:8; do
        "$tool" encode "$w" "$real/${k/:/}__$b.vox" "$k"
    done
}
# --- the same sources as raw PCM named .vox
rawify() { # WAV
    local w=$1 b
    b=$(basename "$w" .wav)
    sox -D "$w" -t ul "$not/MuLaw__$b.vox"
    sox -D "$w" -t al "$not/ALaw__$b.vox"
    sox -D "$w" -b 8 -e unsigned -t raw "$not/U8__$b.vox"
    sox -D "$w" -b 8 -e signed -t raw "$not/S8__$b.vox"
    sox -D "$w" -t s16 "$not/S16Le__$b.vox"
}
export -f encode rawify
export real not tool
ls "$src"/*.wav | xargs -P "$(nproc)" -I{} bash -c 'encode {}; rawify {}'
python3 - "$not" <<'EOF'
import os, random, sys
random.seed(17)
for i in range(200):
    n = random.choice([64, 256, 1024, 4096, 16384, 48000, 65536])
    open(os.path.join(sys.argv[1], f"Random__{i}-{n}B.vox"), "wb").write(random.randbytes(n))
EOF
echo "real VOX: $(ls "$real" | wc -l) files; not ADPCM: $(ls "$not" | wc -l) files"

(ls "$real"/*.vox; ls "$not"/*.vox) | "$tool" screen >"$tmp/screen.tsv"
[ -z "${KEEP_TSV:-}" ] || cp "$tmp/screen.tsv" "$KEEP_TSV"
python3 - "$tmp/screen.tsv" <<'EOF'
import collections, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
real = collections.defaultdict(lambda: [0, 0, 0, 0.0, 0])  # files, not-adpcm, other codes, max share, max errors
other_codes = collections.Counter()
missed = []
fails = []
notad = collections.defaultdict(lambda: [0, 0, 0, 0])  # files, caught, format right, random called random
wrong = collections.Counter()
gains = collections.defaultdict(list)
for path, steps, errors, rails, longest, codes, guess, gain in rows:
    kind = "real" if "/real/" in path else "not"
    name = path.rsplit("/", 1)[1]
    head, rest = name.split("__", 1)
    category = rest.split("__")[0] if "__" in rest else ""
    steps, errors = int(steps), int(errors)
    share = errors / steps if steps else 0.0
    codes = [] if codes == "-" else codes.split(",")
    if kind == "real":
        # head: encoder; the source category is the WAV's prefix
        r = real[head]
        r[0] += 1
        r[1] += "not-adpcm" in codes
        r[2] += bool([c for c in codes if c != "not-adpcm"])
        other_codes.update(c for c in codes if c != "not-adpcm")
        r[3] = max(r[3], share)
        r[4] = max(r[4], errors)
        if "not-adpcm" in codes:
            fails.append(name)
    else:
        n = notad[head]
        n[0] += 1
        caught = "not-adpcm" in codes
        n[1] += caught
        if not caught:
            missed.append(f"{name} ({errors} state errors of {steps}, codes {codes or '-'})")
        if caught:
            if head == "Random":
                n[2] += guess == "none"
            else:
                n[2] += guess == head
                if guess != head:
                    wrong[(head, guess, rest.split("__")[0])] += 1
        if gain != "-":
            gains[head if head == "Random" else ("right" if guess == head else "wrong-or-none")].append(float(gain))

print()
print("real VOX (not-adpcm is a false fail):")
print("| encoder | files | not-adpcm | other VOX codes | largest state-error share | most state errors |")
print("|---|---|---|---|---|---|")
tot = [0, 0, 0]
for enc in sorted(real):
    f, na, other, share, errs = real[enc]
    tot[0] += f; tot[1] += na; tot[2] += other
    print(f"| {enc} | {f} | {na} | {other} | {share * 100:.4f}% | {errs} |")
print(f"| all | {tot[0]} | {tot[1]} | {tot[2]} | | |")
for n in fails[:20]:
    print("  false fail:", n)
print("other VOX codes on real VOX (warnings):", dict(other_codes))
print()
print("not ADPCM (raw PCM of the same sources named .vox, and random bytes):")
print("| bytes | files | caught (not-adpcm) | likely format right |")
print("|---|---|---|---|")
t = [0, 0, 0]
for head in ["MuLaw", "ALaw", "U8", "S8", "S16Le", "Random"]:
    f, c, right, _ = notad[head]
    t[0] += f; t[1] += c; t[2] += right
    print(f"| {head} | {f} | {c} ({100 * c / max(f, 1):.1f}%) | {right} ({100 * right / max(c, 1):.1f}% of caught) |")
print(f"| all | {t[0]} | {t[1]} ({100 * t[1] / max(t[0], 1):.1f}%) | {t[2]} ({100 * t[2] / max(t[1], 1):.1f}%) |")
for m in missed[:30]:
    print("  not caught:", m)
print()
print("wrong guesses (true, guessed, source category): count")
for k, v in wrong.most_common(25):
    print(f"  {k}: {v}")
for k, v in sorted(gains.items()):
    v.sort()
    print(f"best-reading gain, {k}: n={len(v)} min {v[0]:.2f} p5 {v[len(v)//20]:.2f} median {v[len(v)//2]:.2f} p95 {v[len(v)*19//20]:.2f} max {v[-1]:.2f} dB")
EOF
