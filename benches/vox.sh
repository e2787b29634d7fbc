#!/usr/bin/env bash
# VOX codec benchmark: in-process encode/decode throughput for each encoder,
# and whole-process time against `sox -D` encoding the same 15-minute 8 kHz
# WAV, in one run. Prints a table and the ratios behind the targets:
#   greedy <= 1/5 of sox's time; the default encoder no slower than sox;
#   `voxprep convert --vox-encoder greedy` <= 1/4 of sox's time; and, in a
#   second table, `voxprep convert in.wav -o out.wav` <= 1/5 of `sox in.wav
#   out.wav`. The `convert` rows come in two kinds: with the defaults and
#   with `--keep-dc`. The input conforms and has no DC offset to speak of
#   (0.11% of full scale), so both copy its samples as integers (the fast
#   path); the defaults first read it once more to measure that offset.
#
# Usage: benches/vox.sh [runs]   (default 21 alternating rounds for sox, greedy
#                                 and universal:1; the searches of two paths and
#                                 more, the default among them, get 3)
# Needs: sox, python3, a Rust toolchain. Builds the `vox_tool` example and
# voxprep (`convert:KIND` rows time the product's whole `voxprep convert`).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}

command -v sox >/dev/null || { echo "SKIPPING: sox is not installed"; exit 0; }
command -v python3 >/dev/null || { echo "SKIPPING: python3 is not installed"; exit 0; }

cargo build --release --quiet --example vox_tool --bin voxprep
target=${CARGO_TARGET_DIR:-target}
tool=$target/release/examples/vox_tool
voxprep=$target/release/voxprep

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# 15 minutes of speech: the espeak-ng fixture repeated (3.51 s x 256 = 899.5 s).
sox -D fixtures/vox/speech-espeak-8000Hz.wav "$tmp/in.wav" repeat 255
echo "input: $(soxi -d "$tmp/in.wav") of 8 kHz mono 16-bit speech ($(soxi -s "$tmp/in.wav") samples)"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo

timing="python3 benches/timing.py"
default=$("$tool" default-kind)

# table RUNS KIND...: sox -D and each encoder, alternating, RUNS rounds.
# A KIND written convert:KIND is the product's whole command instead,
# `voxprep convert` (decode, check of the output, atomic rename included);
# keep-dc:KIND is that command with `--keep-dc` (the integer fast path).
table() {
    local runs=$1; shift
    local args=(sox -- sox -D "$tmp/in.wav" -t vox -r 8000 "$tmp/sox.vox")
    for kind in "$@"; do
        case $kind in
        convert:*)
            args+=(-- "$kind" -- "$voxprep" convert --force --vox-encoder "${kind#convert:}"
                "$tmp/in.wav" -o "$tmp/out-$kind.vox") ;;
        keep-dc:*)
            args+=(-- "$kind" -- "$voxprep" convert --force --keep-dc
                --vox-encoder "${kind#keep-dc:}" "$tmp/in.wav" -o "$tmp/out-$kind.vox") ;;
        *)
            args+=(-- "$kind" -- "$tool" encode "$tmp/in.wav" "$tmp/out-$kind.vox" "$kind") ;;
        esac
    done
    $timing "$runs" "${args[@]}" | awk -v def="$default" '
        NR == 1 { sw = $2; sm = $3; sc = $4 }
        { name = ($1 == "sox") ? "sox -D" : $1; if ($1 == def) name = name " (default)";
          printf "%-22s %9.4f %9.4f %9.4f %9.3f %9.3f\n", name, $2, $3, $4, $2 / sw, $4 / sc }'
}

echo "== whole process: encode the 15-minute WAV to VOX =="
echo "(alternating runs; median and best wall seconds, median CPU seconds; ratios of medians to sox)"
printf "%-22s %9s %9s %9s %9s %9s\n" command wall_med wall_min cpu_med wall/sox cpu/sox
table "$runs" greedy universal:1 convert:greedy keep-dc:greedy
# The searches of two paths and more take seconds each: 3 rounds, sox again.
table 3 universal:2 universal:4 universal:8 search:4 search:16 "convert:$default" "keep-dc:$default"
"$tool" encode "$tmp/in.wav" "$tmp/greedy.vox" greedy
for out in greedy.vox out-convert:greedy.vox out-keep-dc:greedy.vox; do
    if cmp -s "$tmp/$out" "$tmp/sox.vox"; then same=yes; else same=NO; fi
    echo "$out is byte-identical to sox -D: $same"
done
echo
echo "== whole process: the 15-minute WAV to WAV (a conforming file) =="
printf "%-22s %9s %9s %9s %9s %9s\n" command wall_med wall_min cpu_med wall/sox cpu/sox
$timing "$runs" sox -- sox "$tmp/in.wav" "$tmp/sox.wav" \
    -- convert -- "$voxprep" convert --force "$tmp/in.wav" -o "$tmp/convert.wav" \
    -- keep-dc -- "$voxprep" convert --force --keep-dc "$tmp/in.wav" -o "$tmp/keep-dc.wav" |
    awk 'NR == 1 { sw = $2; sc = $4 }
         { name = ($1 == "sox") ? "sox in.wav out.wav" : "convert" ($1 == "keep-dc" ? " --keep-dc" : "");
           printf "%-22s %9.4f %9.4f %9.4f %9.3f %9.3f\n", name, $2, $3, $4, $2 / sw, $4 / sc }'
for out in convert keep-dc; do
    if cmp -s <(tail -c +45 "$tmp/in.wav") <(tail -c +45 "$tmp/$out.wav"); then same=yes; else same=NO; fi
    echo "$out.wav holds the input's samples: $same"
done
echo
echo "== in process: throughput (encode per encoder; decode per flavour) =="
"$tool" speed "$tmp/in.wav" greedy universal:1 universal:2 universal:4 universal:8 universal:16 search:4 search:16 search:64
echo
echo "== in process, one core: the engine on 131,072 samples (one split segment, one search) =="
sox "$tmp/in.wav" "$tmp/segment.wav" trim 0 131072s
"$tool" speed "$tmp/segment.wav" universal:1 universal:2 universal:4 universal:8 | grep encode
echo
echo "== quality on the speech fixture (SNR dB per decoder family) =="
"$tool" snr fixtures/vox/speech-espeak-8000Hz.wav greedy search:4 search:16 search:64 universal:1 universal:2 universal:4 universal:8 universal:16 universal:64
