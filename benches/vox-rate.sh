#!/bin/sh
# The `vox-rate-suspect` detector measured on a labelled corpus: the same
# prompts written as true 8000 Hz VOX and as true 6000 Hz VOX (resampled to
# 6 kHz by sox, then encoded), checked by `voxprep check` in folders that mix
# them, and the flags counted against the labels.
#
#   sh benches/vox-rate.sh [WORKDIR]       (default benches/out/vox-rate)
#
# Sources:
# - Debian's asterisk-core-sounds-en-gsm and -g722 (568 prompts each, one
#   voice, en_US_f_Allison), unpacked (not installed) under CORPUS (default
#   /work/corpus: CORPUS/gsm/usr/share/..., CORPUS/g722/usr/share/...;
#   benches/asterisk-sounds.sh unpacks them the same way). GSM is decoded by
#   sox, G.722 by ffmpeg.
# - espeak-ng, when installed: 8 voices x 30 sentences, each voice a batch.
#
# Every source file is encoded twice: `sox SRC -r 8000 X.vox` (true 8 kHz)
# and `sox SRC -r 6000 X.vox` (sox resamples to 6 kHz first: a true 6 kHz
# VOX, which voxprep plays at 8 kHz). Folders per source set:
#   all-8k, all-6k, mix10 (every 10th prompt at 6 kHz, the rest at 8 kHz),
#   one6k (all at 8 kHz but the first prompt, at 6 kHz);
# and one folder of every espeak-ng voice at 8 kHz (mix/voices).
# Each folder is one `voxprep check --format json --no-fix` run (one
# batch). Then benches/vox_rate.py prints hit and false-alarm rates, the
# batch-size study and the absolute-pitch study from the JSON.
#
# Needs: sox, ffmpeg, python3, espeak-ng (optional), a release build
# (cargo build --release; VOXPREP=path overrides the binary).
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
vp=${VOXPREP:-"$repo/target/release/voxprep"}
corpus=${CORPUS:-/work/corpus}
work=${1:-"$repo/benches/out/vox-rate"}
mkdir -p "$work"
cd "$work"

# 1. Sources as WAV (16-bit mono, at the source's own rate).
if [ ! -d src ]; then
    mkdir -p src/ast-gsm src/ast-g722
    # Names repeat across the sound folders (digits/at, letters/at...): a
    # file is named by its path below the voice's folder, / made _.
    for kind in gsm g722; do
        (cd "$corpus/$kind" && find . -name "*.$kind" | sort) | while read -r f; do
            name=$(echo "$f" | sed "s|^\./usr/share/asterisk/sounds/[^/]*/||; s|/|_|g; s|\.$kind\$||")
            if [ $kind = gsm ]; then
                sox "$corpus/$kind/$f" "src/ast-$kind/$name.wav"
            else
                ffmpeg -nostdin -v error -i "$corpus/$kind/$f" -ac 1 -c:a pcm_s16le \
                    "src/ast-$kind/$name.wav"
            fi
        done
    done
    if command -v espeak-ng >/dev/null; then
        sentences="$repo/benches/vox-rate-sentences.txt"
        for v in en-us en-gb en-gb-scotland en-029 en-us+f2 en-us+f4 en-gb+f3 en-us+m3; do
            d="src/espeak-$v"
            mkdir -p "$d"
            i=0
            while read -r line; do
                i=$((i + 1))
                espeak-ng -v "$v" -w "$d/$(printf '%02d' $i).wav" "$line"
            done < "$sentences"
        done
    fi
fi

# 2. Each source as true 8 kHz and true 6 kHz VOX.
for s in src/*; do
    set=$(basename "$s")
    [ -d "vox/$set/8k" ] && continue
    mkdir -p "vox/$set/8k" "vox/$set/6k"
    for f in "$s"/*.wav; do
        n=$(basename "$f" .wav)
        sox "$f" -r 8000 "vox/$set/8k/$n.vox"
        sox "$f" -r 6000 "vox/$set/6k/$n.vox"
    done
done

# 3. The folders, as links to those files, and one check run each.
mkdir -p json
for d in vox/*; do
    set=$(basename "$d")
    for mix in all-8k all-6k mix10 one6k; do
        f="mix/$set/$mix"
        rm -rf "$f"
        mkdir -p "$f"
        i=0
        for v in "$d"/8k/*.vox; do
            n=$(basename "$v")
            case $mix in
                all-8k) rate=8k ;;
                all-6k) rate=6k ;;
                mix10) if [ $((i % 10)) -eq 0 ]; then rate=6k; else rate=8k; fi ;;
                one6k) if [ $i -eq 0 ]; then rate=6k; else rate=8k; fi ;;
            esac
            ln -s "$work/$d/$rate/$n" "$f/$rate-$n"
            i=$((i + 1))
        done
        "$vp" check --format json --no-fix "$f" > "json/$set-$mix.json" || true
    done
done

# 4. Several voices in one folder (every espeak-ng voice at 8 kHz): what
# the detector makes of a folder that is not one voice.
if ls -d vox/espeak-* >/dev/null 2>&1; then
    rm -rf mix/voices
    mkdir -p mix/voices json-voices
    for d in vox/espeak-*; do
        v=$(basename "$d")
        for f in "$d"/8k/*.vox; do
            ln -s "$work/$f" "mix/voices/8k-$v-$(basename "$f")"
        done
    done
    "$vp" check --format json --no-fix mix/voices > json-voices/voices.json || true
fi

# 5. The figures.
python3 "$repo/benches/vox_rate.py" json json-voices/voices.json
