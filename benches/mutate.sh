#!/usr/bin/env bash
# Mutation run: mutate the fixtures N times and run `voxprep check --format
# json` (on folders of 100, and every tenth file alone) and `voxprep
# convert` (to WAV and to VOX, the same way) on the mutants, each run under
# `prlimit --as=536870912` (512 MiB) and `timeout` (300 s a folder, 60 s a
# file). Prints the files, runs, peak memory and the counts of panics,
# hangs, aborts and invalid JSON; all must be 0: exits 1 otherwise. Failing
# inputs are kept under benches/out/mutate/failures/. benches/mutate.py
# says how the fixtures are mutated.
#
# Usage: benches/mutate.sh N [SEED]
# Builds voxprep in release mode; VOXPREP_BIN=path runs that binary instead.
# Checks and conversions run on one thread (RAYON_NUM_THREADS=1).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:?usage: benches/mutate.sh N [SEED]}
if [ -n "${VOXPREP_BIN:-}" ]; then
  bin=$VOXPREP_BIN
else
  cargo build --release --quiet
  bin=${CARGO_TARGET_DIR:-target}/release/voxprep
fi
mkdir -p benches/out/mutate
exec python3 benches/mutate.py "$n" "$bin" benches/out/mutate ${2:+"$2"}
