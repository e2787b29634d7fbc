#!/bin/sh
# Issue 16's field test: Debian's Asterisk prompt libraries in GSM and G.722,
# downloaded (not installed) and unpacked; every file checked (its duration
# must equal the number of samples the reference decoder gives: sox for GSM,
# ffmpeg for G.722) and
# converted to WAV and to VOX, and every output checked.
#
#   sh benches/asterisk-sounds.sh [WORKDIR]     (default benches/out/asterisk)
#
# Needs: apt-get (download only), dpkg-deb, sox, ffmpeg, python3, and a
# release build (cargo build --release). Prints the counts; exit 1 on any
# disagreement.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
vp="$repo/target/release/voxprep"
work=${1:-"$repo/benches/out/asterisk"}
mkdir -p "$work"
cd "$work"
status=0
for kind in gsm g722; do
    pkg=asterisk-core-sounds-en-$kind
    if [ ! -d "$kind" ]; then
        ls ${pkg}_*.deb >/dev/null 2>&1 || apt-get download "$pkg"
        dpkg-deb -x ${pkg}_*.deb "$kind"
    fi
    files=$(find "$kind" -name "*.$kind" | sort)
    n=$(echo "$files" | wc -l)
    echo "== $pkg: $n .$kind files"

    # 1. check: every file, its sample count against the reference decoder's.
    "$vp" check --format json "$kind" > "check-$kind.json" || true
    echo "$files" | while read -r f; do
        if [ "$kind" = gsm ]; then
            printf '%s\t%s\n' "$f" \
                "$(sox "$f" -t s16 - | wc -c | awk '{print $1 / 2}')"
        else
            printf '%s\t%s\n' "$f" \
                "$(ffmpeg -nostdin -v error -i "$f" -f s16le - | wc -c | awk '{print $1 / 2}')"
        fi
    done > "reference-$kind.tsv"

    # 2. convert the whole tree to WAV and to VOX, then check the outputs.
    rm -rf "wav-$kind" "vox-$kind"
    "$vp" convert --format json "$kind" -o "wav-$kind/" > "convert-wav-$kind.json" || true
    "$vp" convert --format json --to vox "$kind" -o "vox-$kind/" > "convert-vox-$kind.json" || true
    "$vp" check --format json "wav-$kind" > "check-wav-$kind.json" || true
    "$vp" check --format json "vox-$kind" > "check-vox-$kind.json" || true

    python3 - "$kind" <<'EOF' || status=1
import json, sys
kind = sys.argv[1]
ref = {}
for line in open(f"reference-{kind}.tsv"):
    path, samples = line.rstrip("\n").split("\t")
    ref[path] = int(float(samples))
rate = 8000 if kind == "gsm" else 16000
checked = {f["path"]: f for f in json.load(open(f"check-{kind}.json"))["files"]}
same = [p for p in ref if checked.get(p, {}).get("samples") == ref[p]]
fixes = [p for p in ref if (checked.get(p, {}).get("fix") or {}).get("convert")]
print(f"check: {len(checked)} files, {len(same)} with the reference's sample count, "
      f"{len(fixes)} advised to convert; verdicts "
      f"{sorted({f['verdict'] for f in checked.values()})}, codes "
      f"{sorted({p['code'] for f in checked.values() for p in f['problems']})}")
bad = len(same) != len(ref) or len(fixes) != len(ref)
for p in sorted(set(ref) - set(same))[:5]:
    print("  duration differs:", p, checked.get(p, {}).get("samples"), "vs", ref[p])
for fmt in ("wav", "vox"):
    conv = json.load(open(f"convert-{fmt}-{kind}.json"))
    out = {f["path"]: f for f in json.load(open(f"check-{fmt}-{kind}.json"))["files"]}
    passing = [f for f in out.values() if f["verdict"] != "fail"]
    warn = [f for f in out.values() if f["verdict"] == "warn"]
    # Output length: the input's at 8000 Hz (VOX: rounded up to a byte).
    want = {}
    for p, n in ref.items():
        stem = p[len(kind) + 1 : -len(kind) - 1]
        m = -(-n * 8000 // rate)
        want[f"{fmt}-{kind}/{stem}.{fmt}"] = m if fmt == "wav" else -(-m // 2) * 2
    lengths = [p for p, m in want.items() if out.get(p, {}).get("samples") == m]
    codes = {}
    for f in warn:
        for pr in f["problems"]:
            codes[pr["code"]] = codes.get(pr["code"], 0) + 1
    print(f"convert to {fmt}: {len(out)} outputs, {len(passing)} pass check "
          f"({len(warn)} with warnings {codes}), {len(lengths)} with the input's length")
    bad |= len(passing) != len(ref) or len(lengths) != len(ref)
    for p in sorted(set(want) - set(lengths))[:5]:
        print("  length differs:", p, out.get(p, {}).get("samples"), "vs", want[p])
sys.exit(1 if bad else 0)
EOF
done
exit $status
