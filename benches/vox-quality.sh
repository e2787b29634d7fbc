#!/bin/sh
# Issue 19's quality table: every VOX encoder's stream decoded by every
# decoder family (exact = sox/libsndfile, shift-add, Asterisk, ffmpeg), SNR
# against the input, on
#   1. the speech fixture (fixtures/vox/speech-espeak-8000Hz.wav);
#   2. twenty real prompts: Debian's asterisk-core-sounds-en-wav 1.6.1
#      (downloaded, not installed), the sorted list of its WAVs without the
#      silence/ folder, every 28th from the 14th (the list is printed);
#   3. tones, music and noise: the tone, square and clipped-speech fixtures
#      and clips sox makes (pink and white noise, a chirp, plucked chords,
#      a 1 kHz tone).
# Then the default encoder is held to the bar: on every family at least
# greedy's own-family (exact) SNR + 1.0 dB on the speech fixture and on the
# mean of the twenty prompts, never more than 0.1 dB below greedy's own
# figure on any one prompt, and tones, music and noise no worse than greedy
# on its own family. Exit 1 when it misses.
#
#   sh benches/vox-quality.sh [WORKDIR]     (default benches/out/vox-quality)
#
# Needs: apt-get (download only), dpkg-deb, sox, cargo. Honours
# CARGO_TARGET_DIR. About a minute on two cores.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-"$repo/target"}
work=${1:-"$repo/benches/out/vox-quality"}
(cd "$repo" && cargo build --quiet --release --example vox_tool)
tool="$target/release/examples/vox_tool"
default=$("$tool" default-kind)
encoders="greedy search:4 search:16 universal:1 universal:2 universal:4 universal:8 universal:16"
case " $encoders " in *" $default "*) ;; *) encoders="$encoders $default" ;; esac

mkdir -p "$work"
cd "$work"
pkg=asterisk-core-sounds-en-wav
ls ${pkg}_*.deb >/dev/null 2>&1 || apt-get download "$pkg"
[ -d wav ] || dpkg-deb -x ${pkg}_*_all.deb wav
find wav -name '*.wav' | grep -v /silence/ | LC_ALL=C sort | awk 'NR % 28 == 14' > set20.txt
[ "$(wc -l < set20.txt)" -eq 20 ] || { echo "expected 20 prompts"; exit 1; }

mkdir -p clips
[ -f clips/pink.wav ] || {
    sox -R -n -r 8000 -b 16 -c 1 clips/pink.wav synth 8 pinknoise vol 0.3
    sox -R -n -r 8000 -b 16 -c 1 clips/white-quiet.wav synth 6 whitenoise vol 0.05
    sox -R -n -r 8000 -b 16 -c 1 clips/white-loud.wav synth 6 whitenoise vol 0.9
    sox -R -n -r 8000 -b 16 -c 1 clips/chirp.wav synth 6 sine 100-3800 vol 0.5
    sox -R -n -r 8000 -b 16 -c 1 clips/pluck.wav synth 1.5 pluck C4 pluck E4 pluck G4 pluck C5 repeat 3 vol 0.8 2>/dev/null
    sox -R -n -r 8000 -b 16 -c 1 clips/tone-1kHz.wav synth 3 sine 1000 vol 0.7
}
fx="$repo/fixtures/vox"

# bar NAME FILE... : the quality table; the default's row against the bar.
# $2 of the summary row is the worst family's mean minus greedy's own mean,
# $3 the worst single file's margin.
status=0
table() {
    title=$1; need_mean=$2; need_file=$3; shift 3
    echo "== $title"
    # shellcheck disable=SC2086
    "$tool" quality $encoders -- "$@" > out.tsv
    sed -n '/^files:/,$p' out.tsv
    row=$(grep "^| $default |" out.tsv | head -1)
    mean=$(echo "$row" | awk -F'|' '{ gsub(/ /, "", $(NF-2)); print $(NF-2) }')
    file=$(echo "$row" | awk -F'|' '{ gsub(/ /, "", $(NF-1)); print $(NF-1) }')
    ok=$(awk -v m="$mean" -v f="$file" -v nm="$need_mean" -v nf="$need_file" \
        'BEGIN { print (m + 0 >= nm && f + 0 >= nf) ? "yes" : "NO" }')
    echo "default ($default): worst family $mean dB (bar $need_mean), worst file $file dB (bar $need_file): meets the bar: $ok"
    echo
    [ "$ok" = yes ] || status=1
}

echo "real prompts ($pkg, every 28th without silence/):"
sed 's|.*/sounds/||' set20.txt | tr '\n' ' '
echo; echo
table "speech fixture" 1.0 -0.1 "$fx/speech-espeak-8000Hz.wav"
# shellcheck disable=SC2046
table "twenty real prompts" 1.0 -0.1 $(cat set20.txt)
for clip in "$fx/tone-440Hz-m6dBFS-8000Hz.wav" "$fx/square-300Hz-0dBFS-8000Hz.wav" \
    "$fx/speech-espeak-clipped-8000Hz.wav" clips/*.wav; do
    table "$(basename "$clip")" -99 0 "$clip"
done
exit $status
