#!/usr/bin/env bash
# postgresql.sh OUT_DIR
#
# Real psql captures of pg_stat_ssl joined with pg_stat_activity (the query `sslcensus sql
# postgres` prints), in every form psql prints, from a private PostgreSQL server
# (../postgresql/server.sh) while clients of known behaviour connect and disconnect, each from
# its own loopback address through ../postgresql/relay.py:
#   127.0.0.51 app_long…  sslmode=require, one session open across all four captures (its
#                         application_name is long, so that psql's wrapped form wraps it)
#   127.0.0.52 app_plain  sslmode=disable, the same user, open across all four captures
#   127.0.0.53 app_short  sslmode=require, two short sessions, each seen by one capture
#
# Output (instance pg-dumps-1; four captures each):
#   OUT_DIR/psql-aligned/pg-dumps-1/sessions.txt     psql (default), a `date -u` line before each capture
#   OUT_DIR/psql-unaligned/pg-dumps-1/sessions.txt   psql -A
#   OUT_DIR/csv/pg-dumps-1/sessions.csv              psql --csv
#   OUT_DIR/psql-expanded/pg-dumps-1/sessions.txt    psql -x
#   OUT_DIR/psql-wrapped/pg-dumps-1/sessions.txt     psql -P format=wrapped -P columns=180 (cells
#                                                    cut over lines, `.` markers)
#   OUT_DIR/psql-wrapped-old-ascii/pg-dumps-1/sessions.txt  the same with -P linestyle=old-ascii
#   OUT_DIR/psql-unicode/pg-dumps-1/sessions.txt     psql -P linestyle=unicode -P border=2 (a
#                                                    .psqlrc's `\pset linestyle unicode`: box lines)
#   OUT_DIR/psql-unicode-expanded/pg-dumps-1/sessions.txt  psql -x -P linestyle=unicode
#   OUT_DIR/psql-unicode-wrapped/pg-dumps-1/sessions.txt   psql -P format=wrapped -P columns=180
#                                                    -P linestyle=unicode (`…` and `↵` markers)
#   OUT_DIR/json/pg-dumps-1/sessions.json            psql -At, SELECT json_agg(t) FROM (query) t
#   OUT_DIR/logs/pg-dumps-1/postgresql.log.*          the server's stderr log of the same run
#
# SSLCENSUS_BIN: the sslcensus binary whose capture query is used (default: cargo run).
# Needs what ../postgresql/make-samples.sh needs. Loopback only; leaves no process behind.
set -euo pipefail

# shellcheck source=../common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../common.sh"

OUT_DIR=$(out_dir "$@")
INSTANCE=pg-dumps-1
APP_LONG=app_long_running_orders_service_with_a_long_application_name
QUERY=$(capture_query postgres)
[[ $QUERY == *pg_stat_ssl* ]] || die "no capture query from sslcensus sql postgres"

# shellcheck source=../postgresql/server.sh
source "$SAMPLES_DIR/postgresql/server.sh"
start_relays "$PORT" "$TMP/relay.ports" 51 52 53

# hold OCTET SECONDS tls|plain: a session of app-user open SECONDS, in the background.
hold() {
  local mode=require app=app_short
  [[ $3 == plain ]] && mode=disable
  [[ $1 == 51 ]] && app=$APP_LONG
  [[ $1 == 52 ]] && app=app_plain
  "$PSQL" -X -q -w -At -c "SELECT pg_sleep($2)" \
    -d "host=127.0.0.1 port=${RPORT[$1]} user=app-user dbname=appdb sslmode=$mode application_name=$app" \
    >/dev/null 2>>"$TMP/hold.err" &
}
SU=(-X -q -w -d "host=$SOCK port=$PORT user=postgres dbname=postgres application_name=capture")
opened() {
  [[ $("$PSQL" "${SU[@]}" -At -c "SELECT count(*) FROM pg_stat_activity WHERE client_addr = '127.0.0.$1'") -ge 1 ]]
}

F_ALIGNED=$TMP/aligned F_UNALIGNED=$TMP/unaligned F_CSV=$TMP/csv F_EXPANDED=$TMP/expanded F_JSON=$TMP/json
F_WRAPPED=$TMP/wrapped F_OLD_ASCII=$TMP/old-ascii
F_UNICODE=$TMP/unicode F_UNICODE_X=$TMP/unicode-expanded F_UNICODE_WRAPPED=$TMP/unicode-wrapped
capture() {
  stamp "$F_ALIGNED"
  "$PSQL" "${SU[@]}" -c "$QUERY" >> "$F_ALIGNED"
  "$PSQL" "${SU[@]}" -A -c "$QUERY" >> "$F_UNALIGNED"
  "$PSQL" "${SU[@]}" --csv -c "$QUERY" >> "$F_CSV"
  "$PSQL" "${SU[@]}" -x -c "$QUERY" >> "$F_EXPANDED"
  "$PSQL" "${SU[@]}" -At -c "SELECT json_agg(t) FROM (${QUERY%;}) t" >> "$F_JSON"
  "$PSQL" "${SU[@]}" -P format=wrapped -P columns=180 -c "$QUERY" >> "$F_WRAPPED"
  "$PSQL" "${SU[@]}" -P format=wrapped -P columns=180 -P linestyle=old-ascii -c "$QUERY" >> "$F_OLD_ASCII"
  "$PSQL" "${SU[@]}" -P linestyle=unicode -P border=2 -c "$QUERY" >> "$F_UNICODE"
  "$PSQL" "${SU[@]}" -x -P linestyle=unicode -c "$QUERY" >> "$F_UNICODE_X"
  "$PSQL" "${SU[@]}" -P format=wrapped -P columns=180 -P linestyle=unicode -c "$QUERY" >> "$F_UNICODE_WRAPPED"
}
four_captures 51 52 53

kill "$RELAY_PID" 2>/dev/null || true
wait "$RELAY_PID" 2>/dev/null || true
RELAY_PID=""
as_pg "${SERVER_ENV[@]}" "$PG_CTL" -D "$PGDATA" -m fast -w -t 30 stop >/dev/null || die "pg_ctl stop failed"

for f in "$F_ALIGNED" "$F_UNALIGNED" "$F_CSV" "$F_EXPANDED" "$F_JSON" "$F_UNICODE" "$F_UNICODE_X"; do
  [[ $(grep -c app_long "$f") -ge 4 && $(grep -c app_plain "$f") -ge 4 ]] \
    || die "$f: app_long and app_plain are not in every capture"
done
grep -q sample-pass "$F_ALIGNED" "$F_CSV" && die "a password reached a capture"
for f in "$F_WRAPPED" "$F_OLD_ASCII" "$F_UNICODE_WRAPPED"; do
  grep -q "$APP_LONG" "$f" && die "$f: psql did not wrap the long application_name"
done

write() { mkdir -p "$OUT_DIR/$1/$INSTANCE"; rm -f "$OUT_DIR/$1/$INSTANCE"/*; cat "$2" > "$OUT_DIR/$1/$INSTANCE/$3"; }
write psql-aligned "$F_ALIGNED" sessions.txt
write psql-unaligned "$F_UNALIGNED" sessions.txt
write csv "$F_CSV" sessions.csv
write psql-expanded "$F_EXPANDED" sessions.txt
write json "$F_JSON" sessions.json
write psql-wrapped "$F_WRAPPED" sessions.txt
write psql-wrapped-old-ascii "$F_OLD_ASCII" sessions.txt
write psql-unicode "$F_UNICODE" sessions.txt
write psql-unicode-expanded "$F_UNICODE_X" sessions.txt
write psql-unicode-wrapped "$F_UNICODE_WRAPPED" sessions.txt
mkdir -p "$OUT_DIR/logs/$INSTANCE"
rm -f "$OUT_DIR/logs/$INSTANCE"/*
for log in "$PGDATA"/log/postgresql.log.????-??-??-??; do
  as_pg cat "$log" > "$OUT_DIR/logs/$INSTANCE/$(basename -- "$log")"
done
say "wrote $OUT_DIR/{psql-aligned,psql-unaligned,csv,psql-expanded,json,psql-wrapped,psql-wrapped-old-ascii,psql-unicode,psql-unicode-expanded,psql-unicode-wrapped,logs}/$INSTANCE with $SERVER_VERSION, $("$PSQL" --version)"
