#!/usr/bin/env bash
# End-to-end figures for BENCHMARKS.md: sslcensus on generated ≥ 1 GB logs
# (RDS PostgreSQL stderr, MariaDB general log) next to `grep -F -c` for the
# login line on the same file, and peak RSS.
# Usage: benches/compare.sh [SIZE] (default 1G). Needs hyperfine (Debian package).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
size=${1:-1G}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/sslcensus-target}
cargo build --release --locked -p sslcensus --bin sslcensus
cargo build --release --locked -p genlog
work=${BENCH_DIR:-/var/tmp/sslcensus-bench}
bin=$CARGO_TARGET_DIR/release/sslcensus
echo "$(nproc) cores; $(uname -sr)"

bench() { # FORMAT FILE NEEDLE [GENLOG ARGS… [-- SSLCENSUS ARGS…]]
  local format=$1 log=$2 needle=$3
  shift 3
  local gen=() run=()
  while (($#)) && [[ $1 != -- ]]; do gen+=("$1"); shift; done
  (($#)) && shift
  run=("$@")
  mkdir -p "$(dirname "$log")"
  [[ -s $log ]] || "$CARGO_TARGET_DIR/release/genlog" --format "$format" --seed 42 --size "$size" "${gen[@]}" -o "$log"
  echo "== $format ${gen[*]} ${run[*]}: $log ($(stat -Lc %s "$log") bytes)"
  cat "$log" >/dev/null # the page cache holds it for every run
  # --output=pipe: GNU grep stops at the first match when stdout is /dev/null.
  hyperfine --output=pipe --warmup 1 --runs 10 \
    "grep -F -c '$needle' $log" \
    "$bin analyze -q ${run[*]} $log -o $work/report-$format.csv"
  /usr/bin/time -f 'grep: %M KB max RSS' grep -F -c "$needle" "$log" >/dev/null
  /usr/bin/time -f 'sslcensus: %M KB max RSS' "$bin" analyze -q "${run[@]}" "$log" -o "$work/report-$format.csv" >/dev/null
}

bench postgres "$work/bench-db/postgresql.log.2026-11-01-00" 'connection authorized'
bench mariadb-general "$work/maria-db/mysql-general.log" ' Connect	'
# Mostly connection lines (log_connections/log_disconnections and little else; issue #12).
bench postgres "$work/dense-db/postgresql.log.2026-11-01-00" 'connection authorized' --share 68
# Processes named with pids, pod suffixes and counters (issue #15): families on, then one row
# per raw name.
bench postgres "$work/family-db/postgresql.log.2026-11-01-00" 'connection authorized' \
  --clients 3 --share 70 --volatile-names
bench postgres "$work/family-db/postgresql.log.2026-11-01-00" 'connection authorized' \
  --clients 3 --share 70 --volatile-names -- --app-families off
# More logins per megabyte (about 1.3 per kB): the issue's 226,000-name case, one row per name.
bench postgres "$work/family90-db/postgresql.log.2026-11-01-00" 'connection authorized' \
  --clients 3 --share 90 --volatile-names -- --app-families off
# An envelope (issue #11): the first PostgreSQL log as Kubernetes' json-file driver writes it
# (every line a JSON object; only records holding a needle are opened).
docker_log=$work/docker-db/postgresql.log.2026-11-01-00
if [[ ! -s $docker_log ]]; then
  mkdir -p "$(dirname "$docker_log")"
  python3 benches/wrap-docker.py <"$work/bench-db/postgresql.log.2026-11-01-00" >"$docker_log"
fi
bench postgres "$docker_log" 'connection authorized'
