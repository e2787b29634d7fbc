#!/usr/bin/env bash
# Benchmark: `voxprep check` (full format rules + signal analysis of every
# sample) against `soxi` (headers only) over the same folder of generated
# prompts, in one run. Prints both times and the ratio voxprep / soxi
# (target: <= 1.0).
#
# Usage: benches/check.sh [COUNT] [RUNS]    (defaults: 500 prompts, best of 5 runs)
# Needs sox/soxi. Builds voxprep in release mode; VOXPREP_BIN=path times
# another build instead (an older binary, for A/B runs).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-500}
runs=${2:-5}
command -v sox >/dev/null && command -v soxi >/dev/null || {
  echo "benches/check.sh needs sox and soxi (apt-get install sox)" >&2; exit 2; }

cargo build --release --quiet
bin=${VOXPREP_BIN:-target/release/voxprep}

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "generating $count prompts in $dir ..." >&2
# 2 to 6 s prompts: a tone sweep with a little silence at each end, half at
# 8000 Hz and half at 11025 Hz, like a folder of IVR prompts.
for i in $(seq 1 "$count"); do
  rate=$(( i % 2 ? 8000 : 11025 ))
  len=$(( 2 + i % 5 ))
  printf -v name '%s/prompt-%04d.wav' "$dir" "$i"
  sox -D -r "$rate" -c 1 -n -b 16 -e signed-integer "$name" \
    synth "$len" sine $(( 300 + i % 700 ))-$(( 800 + i % 900 )) vol 0.5 pad 0.2 0.3
done
bytes=$(du -sb "$dir" | cut -f1)

# Best of $runs wall-clock times, in milliseconds, of a command (warm cache).
best_ms() {
  local best= t0 t1 ms
  "$@" >/dev/null 2>&1 || true   # warm-up (and page cache)
  for _ in $(seq 1 "$runs"); do
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  echo "$best"
}

files=("$dir"/*.wav)
vox_ms=$(best_ms "$bin" check --format json "$dir")
vox1_ms=$(best_ms "$bin" check --format json -j 1 "$dir")
soxi_ms=$(best_ms soxi "${files[@]}")
soxi_each() { for f in "$@"; do soxi "$f"; done; }
soxi_each_ms=$(best_ms soxi_each "${files[@]}")

# Sanity: voxprep saw every file and they all conform.
"$bin" check --format json "$dir" | grep -q "\"files\": $count," || {
  echo "voxprep did not report $count files" >&2; exit 1; }

echo "prompts: $count files, $(( bytes / 1024 )) KiB, $(nproc) cores; best of $runs runs"
echo "voxprep check --format json (all cores):  ${vox_ms} ms"
echo "voxprep check --format json -j 1:         ${vox1_ms} ms"
echo "soxi (headers only, one process):         ${soxi_ms} ms"
echo "soxi (headers only, a process per file):  ${soxi_each_ms} ms"
awk -v a="$vox_ms" -v b="$vox1_ms" -v s="$soxi_ms" -v e="$soxi_each_ms" 'BEGIN {
  if (s == 0) s = 1;
  printf "ratio voxprep/soxi (one process):  %.2f (all cores), %.2f (-j 1); target <= 1.00\n", a / s, b / s;
  printf "ratio voxprep/soxi (per file):     %.3f (all cores), %.3f (-j 1)\n", a / e, b / e }'
