#!/usr/bin/env bash
# Benchmark `voxprep convert` against sox and ffmpeg, in one run, on this machine.
#
#   benches/convert.sh            # build release, make inputs under $BENCH_DIR, print tables
#   BENCH_DIR=/tmp/x RUNS=5 benches/convert.sh
#
# 1. A 10-minute 44.1 kHz stereo 128 kbit/s MP3 -> 8 kHz 16-bit mono WAV with
#    voxprep (release), `sox in.mp3 -r 8000 -c 1 -b 16 out.wav` and
#    `ffmpeg -i in.mp3 -ar 8000 -ac 1 -c:a pcm_s16le out.wav`: best-of-RUNS wall
#    time and peak RSS (/usr/bin/time -v), and the ratios voxprep / tool.
# 2. Peak memory of voxprep on 1, 10 and 60 minutes of the same MP3 (flat = streaming).
# 3. A folder of 100 ten-second MP3s: `voxprep convert DIR -o OUT` (all cores)
#    vs a sequential `for f in DIR/*; do sox ...; done` loop.
# Inputs are made with ffmpeg (pink noise + tones, so the encoder has real work).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-/tmp/voxprep-bench}"
RUNS="${RUNS:-3}"
mkdir -p "$BENCH_DIR"
cd "$BENCH_DIR"

for tool in sox ffmpeg /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "benches/convert.sh: $tool is required" >&2; exit 2; }
done

echo "== building voxprep (release)"
(cd "$ROOT" && cargo build --release --quiet)
VOXPREP="$ROOT/target/release/voxprep"

make_mp3() { # seconds, output
    ffmpeg -v error -y \
        -f lavfi -i "anoisesrc=color=pink:amplitude=0.2:sample_rate=44100:duration=$1" \
        -f lavfi -i "sine=f=440:sample_rate=44100:duration=$1" \
        -f lavfi -i "sine=f=1250:sample_rate=44100:duration=$1" \
        -filter_complex "[0][1]amerge=inputs=2[a];[a][2]amix=inputs=2:normalize=0,volume=0.5[o]" \
        -map "[o]" -ac 2 -c:a libmp3lame -b:a 128k "$2"
}

[ -f in-10min.mp3 ] || { echo "== making a 10-minute 44.1 kHz stereo MP3"; make_mp3 600 in-10min.mp3; }
[ -f in-1min.mp3 ] || make_mp3 60 in-1min.mp3
if [ ! -f in-60min.mp3 ]; then
    printf "file 'in-10min.mp3'\n%.0s" 1 2 3 4 5 6 > concat.txt
    ffmpeg -v error -y -f concat -safe 0 -i concat.txt -c copy in-60min.mp3
fi

# measure NAME CMD...: best wall seconds and peak RSS (KiB) over $RUNS runs
measure() {
    local name="$1"; shift
    local best_t="" best_m=""
    for _ in $(seq "$RUNS"); do
        rm -f out-*.wav
        /usr/bin/time -v -o time.txt "$@" >/dev/null 2>run.err || { cat run.err >&2; echo "$name failed" >&2; exit 1; }
        local t m
        t=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' time.txt)
        m=$(awk -F': ' '/Maximum resident set size/ {print $2}' time.txt)
        if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; fi
        if [ -z "$best_m" ] || [ "$m" -lt "$best_m" ]; then best_m=$m; fi
    done
    echo "$name $best_t $best_m"
}

echo "== 10-minute MP3 -> 8 kHz WAV (best of $RUNS)"
V=$(measure voxprep "$VOXPREP" convert in-10min.mp3 -o out-voxprep.wav --force)
S=$(measure sox sox in-10min.mp3 -r 8000 -c 1 -b 16 out-sox.wav)
F=$(measure ffmpeg ffmpeg -v error -y -i in-10min.mp3 -ar 8000 -ac 1 -c:a pcm_s16le out-ffmpeg.wav)
printf "%-10s %10s %12s\n" tool "wall s" "peak MiB"
for row in "$V" "$S" "$F"; do
    set -- $row
    printf "%-10s %10.2f %12.1f\n" "$1" "$2" "$(awk "BEGIN{print $3/1024}")"
done
set -- $V; vt=$2; vm=$3
set -- $S; st=$2; sm=$3
set -- $F; ft=$2; fm=$3
awk -v vt="$vt" -v st="$st" -v ft="$ft" -v vm="$vm" -v sm="$sm" -v fm="$fm" 'BEGIN{
    printf "time   voxprep/sox = %.2f   voxprep/ffmpeg = %.2f   (target: < 1 and <= 1)\n", vt/st, vt/ft;
    printf "memory voxprep/sox = %.2f   voxprep/ffmpeg = %.2f\n", vm/sm, vm/fm }'
"$VOXPREP" convert in-10min.mp3 -o out-voxprep.wav --force >/dev/null
echo "output frames: voxprep $(soxi -s out-voxprep.wav 2>/dev/null || echo ?), expected $(( (26460000 * 8000 + 44099) / 44100 )) (gapless 26 460 000 input frames)"

echo "== 10-minute MP3 -> 8 kHz VOX (best of $RUNS): default encoder, greedy, sox"
for row in "$(measure voxprep-default "$VOXPREP" convert in-10min.mp3 -o out-v.vox --force)" \
           "$(measure voxprep-greedy "$VOXPREP" convert in-10min.mp3 -o out-v.vox --force --vox-encoder greedy)" \
           "$(measure sox-vox sox in-10min.mp3 -r 8000 -c 1 -t vox out-s.vox)"; do
    set -- $row
    printf "%-16s %8.2f s %8.1f MiB\n" "$1" "$2" "$(awk "BEGIN{print $3/1024}")"
done
rm -f out-v.vox out-s.vox

echo "== voxprep peak memory vs input length (flat = streaming)"
for len in 1min 10min 60min; do
    r=$(RUNS=1 measure "$len" "$VOXPREP" convert "in-$len.mp3" -o out-len.wav --force)
    set -- $r
    printf "%-6s %8.2f s %8.1f MiB\n" "$1" "$2" "$(awk "BEGIN{print $3/1024}")"
done
r=$(RUNS=1 measure "60min+normalize" "$VOXPREP" convert in-60min.mp3 -o out-len.wav --force --normalize --trim-silence)
set -- $r
printf "%-6s %8.2f s %8.1f MiB  (two passes)\n" "60min --normalize --trim-silence" "$2" "$(awk "BEGIN{print $3/1024}")"

echo "== folder of 100 ten-second MP3s: voxprep (parallel, $(nproc) cores) vs sequential sox loop"
if [ ! -d folder-in ]; then
    mkdir -p folder-in
    make_mp3 10 folder-in/f000.mp3
    for i in $(seq 1 99); do cp folder-in/f000.mp3 "folder-in/f$(printf %03d "$i").mp3"; done
fi
sox_loop() {
    mkdir -p folder-sox
    for f in folder-in/*.mp3; do
        b=$(basename "$f" .mp3)
        sox "$f" -r 8000 -c 1 -b 16 "folder-sox/$b.wav"
    done
}
export -f sox_loop
rm -rf folder-vp folder-sox
r1=$(RUNS=1 measure voxprep-folder "$VOXPREP" convert folder-in -o folder-vp --force)
r2=$(RUNS=1 measure sox-loop bash -c sox_loop)
set -- $r1; a=$2; am=$3
set -- $r2; b=$2
printf "voxprep %.2f s (%.1f MiB peak), sox loop %.2f s: voxprep/sox = %.2f\n" "$a" "$(awk "BEGIN{print $am/1024}")" "$b" "$(awk "BEGIN{print $a/$b}")"
echo "converted: $(find folder-vp -name '*.wav' | wc -l) files"
