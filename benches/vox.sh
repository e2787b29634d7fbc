#!/usr/bin/env bash
# VOX codec benchmark: in-process encode/decode throughput for each encoder,
# and whole-process time against `sox -D` encoding the same 15-minute 8 kHz
# WAV, in one run. Prints a table and the ratios behind the targets:
#   greedy <= 1/5 of sox's time; the default encoder no slower than sox.
#
# Usage: benches/vox.sh [runs]      (default 5 runs per command; best is kept)
# Needs: sox, /usr/bin/time, a Rust toolchain. Builds the `vox_tool` example.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}

command -v sox >/dev/null || { echo "SKIPPING: sox is not installed"; exit 0; }
[ -x /usr/bin/time ] || { echo "SKIPPING: /usr/bin/time is not installed"; exit 0; }

cargo build --release --quiet --example vox_tool
tool=target/release/examples/vox_tool

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# 15 minutes of speech: the espeak-ng fixture repeated (3.51 s x 256 = 899.5 s).
sox -D fixtures/vox/speech-espeak-8000Hz.wav "$tmp/in.wav" repeat 255
echo "input: $(soxi -d "$tmp/in.wav") of 8 kHz mono 16-bit speech ($(soxi -s "$tmp/in.wav") samples)"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# best_of CMD...: prints "<best wall s> <best cpu s>" over $runs runs.
best_of() {
    local best_wall=999 best_cpu=999 out wall cpu
    for _ in $(seq "$runs"); do
        /usr/bin/time -o "$tmp/time" -f "%e %U %S" "$@" >/dev/null 2>&1
        out=$(tail -1 "$tmp/time")
        wall=$(echo "$out" | awk '{print $1}')
        cpu=$(echo "$out" | awk '{printf "%.3f", $2 + $3}')
        best_wall=$(awk -v a="$wall" -v b="$best_wall" 'BEGIN{print (a<b)?a:b}')
        best_cpu=$(awk -v a="$cpu" -v b="$best_cpu" 'BEGIN{print (a<b)?a:b}')
    done
    echo "$best_wall $best_cpu"
}

echo "== whole process: encode the 15-minute WAV to VOX (best of $runs) =="
read -r sox_wall sox_cpu < <(best_of sox -D "$tmp/in.wav" -t vox -r 8000 "$tmp/sox.vox")
printf "%-22s %8s %8s %10s %10s\n" command wall_s cpu_s wall/sox cpu/sox
printf "%-22s %8s %8s %10s %10s\n" "sox -D" "$sox_wall" "$sox_cpu" 1.00 1.00
default=$("$tool" default-kind)
for kind in greedy universal:1 universal:2 universal:4 universal:8 search:4 search:16; do
    read -r w c < <(best_of "$tool" encode "$tmp/in.wav" "$tmp/out.vox" "$kind")
    label=$kind
    [ "$kind" = "$default" ] && label="$kind (default)"
    printf "%-22s %8s %8s %10.2f %10.2f\n" "$label" "$w" "$c" \
        "$(awk -v a="$w" -v b="$sox_wall" 'BEGIN{print a/b}')" \
        "$(awk -v a="$c" -v b="$sox_cpu" 'BEGIN{print a/b}')"
done
"$tool" encode "$tmp/in.wav" "$tmp/greedy.vox" greedy
if cmp -s "$tmp/greedy.vox" "$tmp/sox.vox"; then
    echo "greedy output is byte-identical to sox -D: yes"
else
    echo "greedy output is byte-identical to sox -D: NO"
fi
echo
echo "== in process: throughput (encode per encoder; decode per flavour) =="
"$tool" speed "$tmp/in.wav" greedy universal:1 universal:2 universal:4 universal:8 universal:16 search:4 search:16 search:64
echo
echo "== quality on the speech fixture (SNR dB per decoder family) =="
"$tool" snr fixtures/vox/speech-espeak-8000Hz.wav greedy search:4 search:16 search:64 universal:1 universal:2 universal:4 universal:8 universal:16 universal:64
