#!/usr/bin/env bash
# Run every cargo-fuzz target of tests/fuzz for SECONDS each, one after the
# other (one job each), starting from the committed corpora; print the
# executions, coverage and crashes per target; exit 1 when any target
# crashed.
#
# Usage: benches/fuzz.sh SECONDS [TARGET...]   (default: every target)
# Needs cargo-fuzz (`cargo install cargo-fuzz`). Only a stable toolchain is
# needed: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its nightly flags.
# FUZZ_SANITIZER=none runs without AddressSanitizer (default: address).
# New inputs go to benches/out/fuzz/corpus/<target>/ (the committed corpora
# are only read), crash inputs to benches/out/fuzz/artifacts/<target>/,
# the fuzzer's log to benches/out/fuzz/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: benches/fuzz.sh SECONDS [TARGET...]}
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(inspect vox sniff push reply numbers template table)
fi
sanitizer=${FUZZ_SANITIZER:-address}
out=benches/out/fuzz
mkdir -p "$out"
export RUSTC_BOOTSTRAP=1

cargo fuzz build --fuzz-dir tests/fuzz -s "$sanitizer" >&2

failed=0
printf '%-10s %12s %8s %8s %8s\n' target executions cov ft crashes
for t in "${targets[@]}"; do
  max_len=4096
  [ "$t" = inspect ] && max_len=8192
  mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
  log="$out/$t.log"
  before=$(find "$out/artifacts/$t" -type f | wc -l)
  status=0
  cargo fuzz run --fuzz-dir tests/fuzz -s "$sanitizer" "$t" \
    "$out/corpus/$t" "tests/fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -max_len="$max_len" -print_final_stats=1 \
    -artifact_prefix="$out/artifacts/$t/" >"$log" 2>&1 || status=$?
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  crashes=0
  if [ "$status" -ne 0 ]; then
    crashes=$(( $(find "$out/artifacts/$t" -type f | wc -l) - before ))
    [ "$crashes" -gt 0 ] || crashes=1
    failed=1
    echo "$t: the fuzzer exited $status; see $log and $out/artifacts/$t/" >&2
  fi
  printf '%-10s %12s %8s %8s %8s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$crashes"
done
exit "$failed"
