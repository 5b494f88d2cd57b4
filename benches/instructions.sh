#!/usr/bin/env bash
# Instructions per connection line, by callgrind: a count that does not move
# with the neighbours of a shared virtual machine, where wall times of the
# same build differ by 30 % an hour apart (BENCHMARKS.md). For comparing two
# builds of the per-line path; not a time, and blind to cache misses.
#
#   benches/instructions.sh                # the release build of this tree
#   BIN=/tmp/other-sslcensus benches/instructions.sh
#
# One thread, 16 MB genlog logs (seed 42) of 8 % and 68 % connection lines.
# Needs valgrind (Debian package).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/sslcensus-target}
if [[ -z ${BIN:-} ]]; then
  cargo build --release --locked -q -p sslcensus --bin sslcensus
  BIN=$CARGO_TARGET_DIR/release/sslcensus
fi
cargo build --release --locked -q -p genlog
genlog=$CARGO_TARGET_DIR/release/genlog
work=${BENCH_DIR:-/var/tmp/sslcensus-bench}/instructions
echo "| log (16 MB) | connection lines | instructions | per connection line |"
echo "|---|---|---|---|"
for share in 8 68; do
  dir=$work/share-$share/db
  log=$dir/postgresql.log.2026-11-01-00
  mkdir -p "$dir"
  [[ -s $log ]] || "$genlog" --format postgres --seed 42 --share "$share" --size 16M -o "$log" >/dev/null 2>&1
  lines=$(grep -c -E 'connection (received|authorized|authenticated)|disconnection|could not accept SSL' "$log")
  out=$(mktemp)
  RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$BIN" analyze -q "$dir" -o "$work/report.csv" >/dev/null 2>"$out" || true
  total=$(grep -o 'Collected : [0-9]*' "$out" | awk '{print $3}')
  rm -f "$out"
  python3 -c "print(f'| {$share} % | {$lines:,} | {$total:,} | {$total / $lines:,.0f} |')"
done
