#!/usr/bin/env bash
# Side by side with what a DBA would use instead, on the same generated logs
# (issue #12): `cat`, `grep -F -c` of the login phrase (into a pipe: GNU grep
# stops at the first match when its output is /dev/null), pgBadger (Debian
# package; `-j 2`, stderr with the RDS prefix) and sslcensus — MB/s, the
# ratio to grep and to pgBadger, peak RSS — and the bare scan limit
# (`bare-scan`: mmap + memchr over every line, one thread). Then sslcensus alone at 1 and 2
# threads and at several sizes. Prints Markdown tables for BENCHMARKS.md.
#
#   benches/peers.sh                 # 1G logs; pgBadger on a 100 MB slice, scaled
#   SIZE=4G SIZES="100M 1G 4G" benches/peers.sh
#   PGBADGER_FULL=1 benches/peers.sh # pgBadger on the whole file (slow)
#
# Needs hyperfine and pgbadger (apt-get install hyperfine pgbadger).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
size=${SIZE:-1G}
sizes=${SIZES:-100M $size}
slice_mb=${PGBADGER_SLICE_MB:-100}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/sslcensus-target}
cargo build --release --locked -p sslcensus --bin sslcensus
cargo build --release --locked -p genlog --bins
work=${BENCH_DIR:-/var/tmp/sslcensus-bench}/peers
mkdir -p "$work"
bin=$CARGO_TARGET_DIR/release/sslcensus
genlog=$CARGO_TARGET_DIR/release/genlog
bare=$CARGO_TARGET_DIR/release/bare-scan
prefix='%t:%r:%u@%d:[%p]:'
echo "$(nproc) cores; $(uname -sr); pgBadger $(pgbadger --version 2>&1 | grep -o '[0-9.]*' | head -1)"

# mean seconds of a command, by hyperfine (warm page cache)
seconds() {
  local json
  json=$(mktemp)
  hyperfine --output=pipe --warmup 1 --runs "${RUNS:-5}" --export-json "$json" "$1" >/dev/null
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$json"
  rm -f "$json"
}
# peak RSS in MB of one run
rss() { /usr/bin/time -f '%M' bash -c "$1" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1/1024}'; }
log_of() { # NAME FORMAT SIZE GENLOG-ARGS…
  local name=$1 format=$2 size=$3
  shift 3
  local file=$work/$name-$size/$([[ $format == postgres ]] && echo postgresql.log.2026-11-01-00 || echo mysql-general.log)
  mkdir -p "$(dirname "$file")"
  [[ -s $file ]] || "$genlog" --format "$format" --seed 42 --size "$size" "$@" -o "$file"
  echo "$file"
}

echo
echo "| log | size | cat | mmap + memchr | grep -F -c | pgBadger -j 2 | sslcensus | sslcensus vs grep | sslcensus vs pgBadger | RSS grep / pgBadger / sslcensus |"
echo "|---|---|---|---|---|---|---|---|---|---|"
row() { # LABEL NAME FORMAT NEEDLE GENLOG-ARGS…
  local label=$1 name=$2 format=$3 needle=$4
  shift 4
  local log
  log=$(log_of "$name" "$format" "$size" "$@")
  local bytes mb
  bytes=$(stat -Lc %s "$log")
  mb=$(python3 -c "print($bytes/1048576)")
  cat "$log" >/dev/null
  local t_cat t_bare t_grep t_ssl t_badger badger_note=""
  t_cat=$(seconds "cat $log >/dev/null")
  t_bare=$(seconds "$bare $log")
  t_grep=$(seconds "grep -F -c '$needle' $log")
  t_ssl=$(seconds "$bin analyze -q $log -o $work/report.csv")
  local r_grep r_ssl r_badger="—"
  r_grep=$(rss "grep -F -c '$needle' $log | cat")
  r_ssl=$(rss "$bin analyze -q $log -o $work/report.csv")
  if [[ $format == postgres ]]; then
    local target=$log
    if [[ -z ${PGBADGER_FULL:-} ]]; then
      target=$work/$name-slice.log
      head -c "$((slice_mb << 20))" "$log" | sed '$d' >"$target"
    fi
    local out
    out=$(mktemp -d)
    local cmd="pgbadger -q -j 2 -f stderr --prefix '$prefix' -o $out/report.html $target"
    t_badger=$(RUNS=1 seconds "rm -rf $out/*; $cmd")
    r_badger=$(rss "$cmd")
    rm -rf "$out"
    if [[ $target != "$log" ]]; then
      local slice_bytes
      slice_bytes=$(stat -Lc %s "$target")
      t_badger=$(python3 -c "print($t_badger * $bytes / $slice_bytes)")
      badger_note=" (${slice_mb} MB slice, scaled)"
      rm -f "$target"
    fi
  else
    t_badger=""
  fi
  python3 - "$label" "$mb" "$t_cat" "$t_bare" "$t_grep" "$t_badger" "$t_ssl" "$r_grep" "$r_badger" "$r_ssl" "$badger_note" <<'EOF'
import sys
label, mb, t_cat, t_bare, t_grep, t_badger, t_ssl, r_grep, r_badger, r_ssl, note = sys.argv[1:]
mb, t_cat, t_bare, t_grep, t_ssl = float(mb), float(t_cat), float(t_bare), float(t_grep), float(t_ssl)
cell = lambda t: f"{t:.2f} s ({mb / t:,.0f} MB/s)"
badger = f"{cell(float(t_badger))}{note}" if t_badger else "— (PostgreSQL only)"
vs_badger = f"{float(t_badger) / t_ssl:,.0f}× faster" if t_badger else "—"
print(f"| {label} | {mb:,.0f} MB | {cell(t_cat)} | {cell(t_bare)} | {cell(t_grep)} | {badger} | {cell(t_ssl)} | {t_ssl / t_grep:.2f}× grep's time | {vs_badger} | {r_grep} / {r_badger} / {r_ssl} MB |")
EOF
}
row "PostgreSQL, 3 % connection lines" sparse postgres 'connection authorized'
row "PostgreSQL, 8 % connection lines" mix8 postgres 'connection authorized' --share 8
row "PostgreSQL, 68 % connection lines" dense postgres 'connection authorized' --share 68
row "MariaDB general log" maria mariadb-general ' Connect	'

echo
echo "sslcensus by threads and size (dense PostgreSQL log, 68 % connection lines):"
echo
echo "| size | 1 thread | 2 threads | peak RSS (2 threads) |"
echo "|---|---|---|---|"
for s in $sizes; do
  log=$(log_of dense postgres "$s" --share 68)
  cat "$log" >/dev/null
  mb=$(python3 -c "print($(stat -Lc %s "$log")/1048576)")
  t1=$(RAYON_NUM_THREADS=1 seconds "$bin analyze -q $log -o $work/report.csv")
  t2=$(seconds "$bin analyze -q $log -o $work/report.csv")
  r2=$(rss "$bin analyze -q $log -o $work/report.csv")
  python3 -c "
mb, t1, t2 = $mb, $t1, $t2
print(f'| {mb:,.0f} MB | {t1:.2f} s ({mb/t1:,.0f} MB/s) | {t2:.2f} s ({mb/t2:,.0f} MB/s) | $r2 MB |')"
done
