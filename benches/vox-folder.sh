#!/bin/sh
# A folder of real prompts to VOX, as a partner converts one: Debian's
# asterisk-core-sounds-en-wav 1.6.1 (568 WAVs, 8 kHz 16-bit mono, 21 min in
# all), whole-process time of
#   - a shell loop running `sox -D in.wav -t vox -r 8000 out.vox` once per
#     file (what a script does; the files' folders made as it goes);
#   - `voxprep convert --to vox DIR -o OUT/` with the default encoder, and
#     with `--vox-encoder greedy` (files converted in parallel, each output
#     checked);
# and the same for WAV to WAV (`sox in.wav out.wav` per file, against
# `voxprep convert DIR -o OUT/`). Alternating rounds, medians, ratios to
# the sox loop.
#
#   sh benches/vox-folder.sh [ROUNDS] [WORKDIR]
#       (default 5 rounds; WORKDIR benches/out/vox-quality, shared with
#       benches/vox-quality.sh, which downloads the same package)
#
# Needs: apt-get (download only), dpkg-deb, sox, python3, cargo. Honours
# CARGO_TARGET_DIR.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-"$repo/target"}
rounds=${1:-5}
work=${2:-"$repo/benches/out/vox-quality"}
command -v sox >/dev/null || { echo "SKIPPING: sox is not installed"; exit 0; }
(cd "$repo" && cargo build --quiet --release --bin voxprep)
voxprep="$target/release/voxprep"
mkdir -p "$work"
cd "$work"
pkg=asterisk-core-sounds-en-wav
ls ${pkg}_*.deb >/dev/null 2>&1 || apt-get download "$pkg"
[ -d wav ] || dpkg-deb -x ${pkg}_*_all.deb wav
src="$work/wav/usr/share/asterisk/sounds/en_US_f_Allison"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/loop.sh" <<'EOF'
#!/bin/sh
# loop.sh SRC OUT EXT [SOX OUTPUT OPTIONS...]: sox once per WAV of SRC
# into OUT; $SOX_GLOBAL (say -D) goes before the input.
src=$1; out=$2; ext=$3; shift 3
rm -rf "$out"; mkdir -p "$out"
cd "$src" && find . -name '*.wav' | while read -r f; do
    mkdir -p "$out/$(dirname "$f")"
    # shellcheck disable=SC2086
    sox $SOX_GLOBAL "$f" "$@" "$out/${f%.wav}.$ext"
done
EOF
echo "input: $(find "$src" -name '*.wav' | wc -l) WAVs, $(du -sh "$src" | cut -f1)"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
ratios() {
    awk 'NR == 1 { sw = $2; sc = $4 }
         { printf "%-26s %9.3f %9.3f %9.3f %9.3f %9.3f\n", $1, $2, $3, $4, $2 / sw, $4 / sc }'
}
echo
echo "== the folder to VOX =="
printf "%-26s %9s %9s %9s %9s %9s\n" command wall_med wall_min cpu_med wall/sox cpu/sox
python3 "$repo/benches/timing.py" "$rounds" \
    sox-loop -- env SOX_GLOBAL=-D sh "$tmp/loop.sh" "$src" "$tmp/sox-vox" vox -t vox -r 8000 \
    -- voxprep-default -- "$voxprep" convert --force --to vox "$src" -o "$tmp/vox-default/" \
    -- voxprep-greedy -- "$voxprep" convert --force --to vox --vox-encoder greedy "$src" -o "$tmp/vox-greedy/" |
    ratios
echo
echo "== the folder to WAV (already conforming) =="
printf "%-26s %9s %9s %9s %9s %9s\n" command wall_med wall_min cpu_med wall/sox cpu/sox
python3 "$repo/benches/timing.py" "$rounds" \
    sox-loop -- sh "$tmp/loop.sh" "$src" "$tmp/sox-wav" wav \
    -- voxprep -- "$voxprep" convert --force "$src" -o "$tmp/wav/" |
    ratios
same=0; differ=0
for f in $(cd "$tmp/sox-vox" && find . -name '*.vox'); do
    if cmp -s "$tmp/sox-vox/$f" "$tmp/vox-greedy/$f"; then same=$((same + 1)); else differ=$((differ + 1)); fi
done
echo
echo "greedy outputs byte-identical to sox -D's: $same (differ: $differ)"
