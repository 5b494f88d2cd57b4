#!/usr/bin/env bash
# capture.sh postgres|mariadb OUT_DIR
#
# `sslcensus capture` against a private server (../postgresql/server.sh, ../mariadb/server.sh
# with performance_schema on), every second for CAPTURE_SECONDS (default 8), over TLS verified
# against the sample CA (verify-full, host localhost), as a capture role whose password comes
# from the environment (PGPASSWORD, MYSQL_PWD) — while clients of known behaviour come and go,
# each from its own loopback address through ../postgresql/relay.py:
#   .71 / .81  TLS, one session open across every capture
#   .72 / .82  plaintext, the same user, open across every capture
#   .73 / .83  TLS, two short sessions (2.5 s each, so each is seen by at least one capture)
#
# Output: OUT_DIR/capture/INSTANCE/sessions.YYYY-MM-DD.csv (what capture writes) and
# OUT_DIR/capture.err (its stderr); INSTANCE is pg-capture-1 or mariadb-capture-1.
# CAPTURE_RESTART=1: capture is stopped (SIGTERM) after the first short session and started
# again on the same folder while the long sessions stay open.
# CAPTURE_CREDENTIALS (mariadb): env (MYSQL_PWD, the default), defaults-file (a temporary
# option file given with --defaults-file) or home (a temporary HOME with .my.cnf).
# SSLCENSUS_BIN: the sslcensus binary (required). Loopback only; leaves no process behind.
set -euo pipefail

# shellcheck source=../common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../common.sh"

ENGINE=${1:-}
shift || true
OUT_DIR=$(out_dir "$@")
[[ -x ${SSLCENSUS_BIN:-} ]] || die "SSLCENSUS_BIN must name the sslcensus binary"
SECRET=capture-secret-9
SECONDS_TOTAL=${CAPTURE_SECONDS:-8}

case $ENGINE in
  postgres)
    INSTANCE=pg-capture-1 TLS=71 PLAIN=72 SHORT=73
    # shellcheck source=../postgresql/server.sh
    source "$SAMPLES_DIR/postgresql/server.sh"
    "$PSQL" -X -q -w -d "host=$SOCK port=$PORT user=postgres dbname=postgres" \
      -c "SET log_statement = 'none'" \
      -c "CREATE ROLE capture LOGIN PASSWORD '$SECRET' IN ROLE pg_read_all_stats" >/dev/null \
      || die "cannot create the capture role"
    hold() {
      local mode=require
      [[ $3 == plain ]] && mode=disable
      "$PSQL" -X -q -w -At -c "SELECT pg_sleep($2)" \
        -d "host=127.0.0.1 port=${RPORT[$1]} user=app-user dbname=appdb sslmode=$mode application_name=app_$1" \
        >/dev/null 2>>"$TMP/hold.err" &
    }
    opened() {
      [[ $("$PSQL" -X -q -w -d "host=$SOCK port=$PORT user=postgres dbname=postgres" -At \
        -c "SELECT count(*) FROM pg_stat_activity WHERE client_addr = '127.0.0.$1'") -ge 1 ]]
    }
    CAPTURE=(env "PGPASSWORD=$SECRET" "$SSLCENSUS_BIN" capture --engine postgres
      --host localhost --port "$PORT" --user capture --database postgres
      --ssl-mode verify-full --ssl-ca "$CERTS/ca.crt")
    ;;
  mariadb)
    INSTANCE=mariadb-capture-1 TLS=81 PLAIN=82 SHORT=83
    MARIADB_EXTRA_ARGS=(--performance-schema=ON)
    # shellcheck source=../mariadb/server.sh
    source "$SAMPLES_DIR/mariadb/server.sh"
    "${M[@]}" -S "$SOCK" -u root --skip-ssl -e "SET sql_log_off = 1;
      CREATE USER 'capture'@'%' IDENTIFIED BY '$SECRET';
      GRANT PROCESS ON *.* TO 'capture'@'%';
      GRANT SELECT ON performance_schema.* TO 'capture'@'%';" || die "cannot create the capture user"
    hold() {
      local tls=--ssl
      [[ $3 == plain ]] && tls=--skip-ssl
      "${M[@]}" -h 127.0.0.1 -P "${RPORT[$1]}" --protocol=tcp -u app-user --password=sample-pass-1 \
        -D shop-db "$tls" -e "SELECT SLEEP($2)" >/dev/null 2>>"$TMP/hold.err" &
    }
    opened() {
      [[ $("${M[@]}" -S "$SOCK" -u root --skip-ssl -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE HOST LIKE '127.0.0.$1:%' AND COMMAND = 'Query'") -ge 1 ]]
    }
    # CAPTURE_CREDENTIALS: env (MYSQL_PWD), defaults-file (--defaults-file FILE) or home
    # (~/.my.cnf): the user and password from where the mysql client would take them.
    case ${CAPTURE_CREDENTIALS:-env} in
      env) CREDENTIALS=(env "MYSQL_PWD=$SECRET") ; WHO=(--user capture) ;;
      defaults-file)
        printf '[client]\nuser = capture\npassword = "%s"\n[mysqld]\nuser = nobody\n' "$SECRET" > "$TMP/capture.cnf"
        chmod 600 "$TMP/capture.cnf"
        CREDENTIALS=(env -u MYSQL_PWD) ; WHO=(--defaults-file "$TMP/capture.cnf") ;;
      home)
        mkdir -p "$TMP/home"
        printf '[mysql]\nuser=capture\npassword=%s\n' "$SECRET" > "$TMP/home/.my.cnf"
        chmod 600 "$TMP/home/.my.cnf"
        CREDENTIALS=(env -u MYSQL_PWD "HOME=$TMP/home") ; WHO=() ;;
      *) die "CAPTURE_CREDENTIALS is env, defaults-file or home" ;;
    esac
    CAPTURE=("${CREDENTIALS[@]}" "$SSLCENSUS_BIN" capture --engine mariadb
      --host localhost --port "$PORT" "${WHO[@]}"
      --ssl-mode verify-full --ssl-ca "$DB/ca.crt")
    ;;
  *) echo "usage: $0 postgres|mariadb OUT_DIR" >&2; exit 2 ;;
esac
start_relays "$PORT" "$TMP/relay.ports" "$TLS" "$PLAIN" "$SHORT"

long=()
open_long "$TLS" "$PLAIN" 120

# start_capture ARGS...: sslcensus capture in the background (capture_pid), its stderr
# appended to OUT_DIR/capture.err.
start_capture() {
  "${CAPTURE[@]}" --out "$OUT_DIR/capture" --instance "$INSTANCE" --interval 1s "$@" \
    2>>"$OUT_DIR/capture.err" &
  capture_pid=$!
}
short_session() {
  sleep 1.5
  hold "$SHORT" 2.5 tls
  pid=$!
  until_open "$SHORT"
  wait "$pid"
}
finished() { wait "$capture_pid" || { cat "$OUT_DIR/capture.err" >&2; die "sslcensus capture failed"; }; }
: > "$OUT_DIR/capture.err"
if [[ ${CAPTURE_RESTART:-0} == 1 ]]; then
  # Stopped (SIGTERM) after the first short session and started again on the same folder,
  # while the long sessions stay open: analyze must still count each once.
  say "capturing every second, stopped and started again on the same folder"
  start_capture
  short_session
  kill -TERM "$capture_pid"
  finished
  start_capture --duration "$((SECONDS_TOTAL / 2))s"
  short_session
  finished
else
  say "capturing every second for ${SECONDS_TOTAL}s"
  start_capture --duration "${SECONDS_TOTAL}s"
  short_session
  short_session
  finished
fi
for pid in "${long[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
say "wrote $OUT_DIR/capture/$INSTANCE: $(cat "$OUT_DIR"/capture/"$INSTANCE"/*.csv | wc -l) lines"
