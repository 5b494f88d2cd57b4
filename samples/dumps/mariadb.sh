#!/usr/bin/env bash
# mariadb.sh OUT_DIR
#
# Real mariadb captures of performance_schema.threads with status_by_thread and the connect
# attributes (the query `sslcensus sql mariadb` prints), in every form the mariadb client
# prints, from a private MariaDB server (../mariadb/server.sh, performance_schema on) while
# clients of known behaviour connect and disconnect, each from its own loopback address through
# ../postgresql/relay.py (all are the `mariadb` CLI, which sends program_name=mysql):
#   127.0.0.61 app-user --ssl       one session open across all four captures
#   127.0.0.62 app-user --skip-ssl  the same user, open across all four captures
#   127.0.0.63 app-user --ssl       two short sessions, each seen by one capture
#
# Output (instance mariadb-dumps-1; four captures each):
#   OUT_DIR/tsv/mariadb-dumps-1/sessions.tsv              mariadb -B
#   OUT_DIR/mysql-table/mariadb-dumps-1/sessions.txt      mariadb -t, a `date -u` line before each capture
#   OUT_DIR/mysql-vertical/mariadb-dumps-1/sessions.txt   mariadb -E (\G)
#   OUT_DIR/logs/mariadb-dumps-1/mysql-general.log        the server's general log of the same run
#
# SSLCENSUS_BIN: the sslcensus binary whose capture query is used (default: cargo run).
# Needs what ../mariadb/make-samples.sh needs. Loopback only; leaves no process behind.
set -euo pipefail

# shellcheck source=../common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../common.sh"

OUT_DIR=$(out_dir "$@")
INSTANCE=mariadb-dumps-1
QUERY=$(capture_query mariadb)
[[ $QUERY == *performance_schema.threads* ]] || die "no capture query from sslcensus sql mariadb"

MARIADB_EXTRA_ARGS=(--performance-schema=ON)
# shellcheck source=../mariadb/server.sh
source "$SAMPLES_DIR/mariadb/server.sh"
start_relays "$PORT" "$TMP/relay.ports" 61 62 63

# hold OCTET SECONDS tls|plain: a session of app-user open SECONDS, in the background.
hold() {
  local tls=--ssl
  [[ $3 == plain ]] && tls=--skip-ssl
  "${M[@]}" -h 127.0.0.1 -P "${RPORT[$1]}" --protocol=tcp -u app-user --password=sample-pass-1 \
    -D shop-db "$tls" -e "SELECT SLEEP($2)" >/dev/null 2>>"$TMP/hold.err" &
}
ROOT=(mariadb --no-defaults --connect-timeout=10 -S "$SOCK" -u root --skip-ssl)
opened() {
  [[ $("${ROOT[@]}" -N -B -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE HOST LIKE '127.0.0.$1:%' AND COMMAND = 'Query'") -ge 1 ]]
}

F_TSV=$TMP/tsv F_TABLE=$TMP/table F_VERTICAL=$TMP/vertical
capture() {
  "${ROOT[@]}" -B -e "$QUERY" >> "$F_TSV"
  stamp "$F_TABLE"
  "${ROOT[@]}" -t -e "$QUERY" >> "$F_TABLE"
  "${ROOT[@]}" -E -e "$QUERY" >> "$F_VERTICAL"
}
four_captures 61 62 63

kill "$RELAY_PID" 2>/dev/null || true
wait "$RELAY_PID" 2>/dev/null || true
RELAY_PID=""
stop_server 30 || die "mariadbd did not stop within 30 s (killed)"

for f in "$F_TSV" "$F_TABLE" "$F_VERTICAL"; do
  [[ $(grep -c '127\.0\.0\.61' "$f") -ge 4 && $(grep -c '127\.0\.0\.62' "$f") -ge 4 ]] \
    || die "$f: the long sessions are not in every capture"
  grep -q 'SSL/TLS' "$f" && grep -q 'TCP/IP' "$f" && grep -q libmariadb "$f" \
    || die "$f: no connection type or connect attributes (is performance_schema on?)"
done
grep -q sample-pass "$F_TSV" "$F_TABLE" "$F_VERTICAL" "$LOGS/mysql-general.log" && die "a password reached a capture or the log"

write() { mkdir -p "$OUT_DIR/$1/$INSTANCE"; rm -f "$OUT_DIR/$1/$INSTANCE"/*; cat "$2" > "$OUT_DIR/$1/$INSTANCE/$3"; }
write tsv "$F_TSV" sessions.tsv
write mysql-table "$F_TABLE" sessions.txt
write mysql-vertical "$F_VERTICAL" sessions.txt
write logs "$LOGS/mysql-general.log" mysql-general.log
say "wrote $OUT_DIR/{tsv,mysql-table,mysql-vertical,logs}/$INSTANCE with $("$MARIADBD" --version | awk '{print $3}'), $(mariadb --version)"
