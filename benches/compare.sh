#!/usr/bin/env bash
# End-to-end figures for BENCHMARKS.md: sslcensus on a generated ≥ 1 GB RDS
# PostgreSQL log next to `grep -F -c 'connection authorized'` on the same file,
# with peak RSS. Usage: benches/compare.sh [SIZE] (default 1G).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
size=${1:-1G}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/sslcensus-target}
cargo build --release --locked --bin sslcensus -p sslcensus
cargo build --release --locked -p genlog
work=${BENCH_DIR:-/var/tmp/sslcensus-bench}
log=$work/bench-db/postgresql.log.2026-11-01-00
mkdir -p "$(dirname "$log")"
if [[ ! -s $log ]]; then
  "$CARGO_TARGET_DIR/release/genlog" --seed 42 --size "$size" -o "$log"
fi
bin=$CARGO_TARGET_DIR/release/sslcensus
echo "file: $(du -h "$log" | cut -f1) ($(stat -c %s "$log") bytes), $(nproc) cores"
cat "$log" >/dev/null # warm the page cache for both
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine --warmup 1 --runs 5 \
    "grep -F -c 'connection authorized' $log" \
    "$bin analyze -q $log -o $work/report.csv"
else
  for cmd in "grep -F -c 'connection authorized' $log" "$bin analyze -q $log -o $work/report.csv"; do
    echo "== $cmd"
    for _ in 1 2 3; do /usr/bin/time -f '%e s' bash -c "$cmd >/dev/null"; done
  done
fi
echo "== peak RSS"
/usr/bin/time -f 'grep: %M KB max RSS, %e s' grep -F -c 'connection authorized' "$log" >/dev/null
/usr/bin/time -f 'sslcensus: %M KB max RSS, %e s' "$bin" analyze -q "$log" -o "$work/report.csv"
