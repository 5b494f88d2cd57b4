#!/usr/bin/env bash
# make-samples.sh OUT_DIR [INSTANCE]
#
# Produces real PostgreSQL connection logs (stderr with the Amazon RDS prefix, csvlog,
# jsonlog from PostgreSQL 15 on, gzipped stderr) from a throwaway local cluster, driven by
# real psql/libpq clients in the TLS scenarios that matter for an RDS CA rotation. Each
# client scenario reaches the server from its own loopback address (127.0.0.N) through
# relay.py.
#
# Output (INSTANCE, default pg-sample-1; file names after the UTC hour the server started):
#   OUT_DIR/stderr/INSTANCE/postgresql.log.YYYY-MM-DD-HH
#   OUT_DIR/csvlog/INSTANCE/postgresql.log.YYYY-MM-DD-HH.csv
#   OUT_DIR/jsonlog/INSTANCE/postgresql.log.YYYY-MM-DD-HH.json   (PostgreSQL 15+)
#   OUT_DIR/stderr-gz/INSTANCE/postgresql.log.YYYY-MM-DD-HH.gz
#   OUT_DIR/SCENARIOS.md
#
# The server: $SSLCENSUS_PG_BINDIR (initdb, pg_ctl and postgres of any major 13-18, e.g. one
# tests/pg-majors.sh installed, with $SSLCENSUS_PG_LIBDIR as their LD_LIBRARY_PATH), else
# pg_config --bindir, else PATH. The clients: psql/libpq from pg_config --bindir, else PATH.
# Needs openssl, python3 (standard library only), gzip. Works as root (the server runs as the
# OS user $SSLCENSUS_PG_OS_USER, default "postgres", created if missing) or as a normal user.
# Loopback only.
set -euo pipefail

# shellcheck source=../common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../common.sh"

[[ ($# -eq 1 || $# -eq 2) && -n $1 ]] || { echo "usage: $0 OUT_DIR [INSTANCE]" >&2; exit 2; }
mkdir -p -- "$1"
OUT_DIR=$(cd -- "$1" && pwd)
INSTANCE=${2:-pg-sample-1}
T0=$SECONDS

# ---------------------------------------------------------------- environment
# Nothing from the caller's libpq environment may change what the clients do.
while read -r v; do
  case $v in PG*) unset "$v" ;; esac
done < <(compgen -e)

SYSTEM_BINDIR=""
if command -v pg_config >/dev/null 2>&1; then
  SYSTEM_BINDIR=$(pg_config --bindir 2>/dev/null || true)
fi
SERVER_BINDIR=${SSLCENSUS_PG_BINDIR:-}
pgbin() {
  local dir
  for dir in "$SERVER_BINDIR" "$SYSTEM_BINDIR"; do
    [[ -n $dir && -x $dir/$1 ]] && { printf '%s\n' "$dir/$1"; return; }
  done
  command -v "$1" 2>/dev/null || die "$1 not found (in \$SSLCENSUS_PG_BINDIR, pg_config --bindir or PATH)"
}
INITDB=$(pgbin initdb)
PG_CTL=$(pgbin pg_ctl)
POSTGRES=$(pgbin postgres)
PSQL=$(pgbin psql)
# Server commands get the libraries of their build (pg_ctl passes them on to postgres).
SERVER_ENV=(env)
[[ -n ${SSLCENSUS_PG_LIBDIR:-} ]] && SERVER_ENV+=("LD_LIBRARY_PATH=$SSLCENSUS_PG_LIBDIR")
SERVER_VERSION=$("${SERVER_ENV[@]}" "$POSTGRES" --version) || die "$POSTGRES does not run"
MAJOR=${SERVER_VERSION#*(PostgreSQL) }
MAJOR=${MAJOR%%.*}
[[ $MAJOR =~ ^[0-9]+$ && $MAJOR -ge 13 ]] || die "PostgreSQL 13 or later needed: $SERVER_VERSION"
PYTHON=${PYTHON:-python3}
for tool in "$PYTHON" openssl gzip; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found on PATH"
done
[[ -f $RELAY ]] || die "relay.py missing at $RELAY"

if [[ $(id -u) -eq 0 ]]; then
  PG_OS_USER=${SSLCENSUS_PG_OS_USER:-postgres}
  if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
    say "creating system user $PG_OS_USER (initdb/postgres refuse to run as root)"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_OS_USER" \
      || die "cannot create OS user $PG_OS_USER"
  fi
  command -v runuser >/dev/null 2>&1 || die "runuser not found (util-linux)"
  as_pg() { runuser -u "$PG_OS_USER" -- "$@"; }
else
  PG_OS_USER=$(id -un)
  as_pg() { "$@"; }
fi

# ---------------------------------------------------------------- temp dir + cleanup
TMP=$(mktemp -d /tmp/pgsamples.XXXXXX)
chmod 755 "$TMP"
PGBASE=$TMP/pg            # owned by the server's OS user
PGDATA=$PGBASE/data
SOCK=$PGBASE/sock
CERTS=$TMP/certs          # client-side files
RELAY_PID=""

cleanup() {
  local rc=$?
  set +e
  if [[ -n $RELAY_PID ]]; then
    kill "$RELAY_PID" 2>/dev/null
    wait "$RELAY_PID" 2>/dev/null
  fi
  if [[ -f $PGDATA/postmaster.pid ]]; then
    as_pg "${SERVER_ENV[@]}" "$PG_CTL" -D "$PGDATA" -m immediate -w -t 20 stop >/dev/null 2>&1
    if [[ -f $PGDATA/postmaster.pid ]]; then
      local pid
      pid=$(head -n1 "$PGDATA/postmaster.pid" 2>/dev/null)
      [[ $pid =~ ^[0-9]+$ ]] && kill -9 "$pid" 2>/dev/null
    fi
  fi
  rm -rf -- "$TMP"
  if [[ $rc -ne 0 ]]; then say "FAILED (exit $rc)"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$TMP"   # a directory every user involved can enter
mkdir -p "$PGBASE" "$CERTS" "$TMP/home"
[[ $(id -u) -eq 0 ]] && chown "$PG_OS_USER" "$PGBASE"
as_pg mkdir -m 700 "$SOCK"
[[ ${#SOCK} -lt 90 ]] || die "socket dir path too long: $SOCK"

# Client environment: a private HOME (no ~/.postgresql/root.crt, ~/.pgpass or ~/.psqlrc
# of the caller's), a passfile with the sample passwords, no GSSAPI attempts.
export HOME=$TMP/home
export PGPASSFILE=$TMP/home/pgpass
export PGSYSCONFDIR=$TMP/home
export PGGSSENCMODE=disable
export PGCONNECT_TIMEOUT=10
printf '%s\n' '*:*:*:app-user:sample-pass-1' '*:*:*:svc.reporting:sample-pass-2' > "$PGPASSFILE"
chmod 600 "$PGPASSFILE"

# ---------------------------------------------------------------- 1. certificates
make_certs "$CERTS"

# ---------------------------------------------------------------- 2. cluster
PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
say "initdb + start PostgreSQL ($SERVER_VERSION) on 127.0.0.1:$PORT as OS user $PG_OS_USER"
as_pg "${SERVER_ENV[@]}" "$INITDB" -D "$PGDATA" -U postgres -E UTF8 --locale=C --no-sync \
  --auth-local=trust --auth-host=scram-sha-256 >"$TMP/initdb.log" 2>&1 \
  || { cat "$TMP/initdb.log" >&2; die "initdb failed"; }
install -m 644 "$CERTS/server.crt" "$PGDATA/server.crt"
install -m 600 "$CERTS/server.key" "$PGDATA/server.key"
[[ $(id -u) -eq 0 ]] && chown "$PG_OS_USER" "$PGDATA/server.crt" "$PGDATA/server.key"

# jsonlog is PostgreSQL 15's; from 18 on, log_connections is a list of aspects (`on` still
# means the first three), and setup_durations adds a `connection ready` line.
LOG_DESTINATION='stderr,csvlog'
LOG_CONNECTIONS=on
((MAJOR >= 15)) && LOG_DESTINATION='stderr,csvlog,jsonlog'
((MAJOR >= 18)) && LOG_CONNECTIONS="'receipt,authentication,authorization,setup_durations'"
as_pg tee -a "$PGDATA/postgresql.conf" >/dev/null <<EOF

# ---- sslcensus samples ----
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK'
max_connections = 40
shared_buffers = 16MB
fsync = off
synchronous_commit = off
full_page_writes = off
lc_messages = 'C'
timezone = 'UTC'
log_timezone = 'UTC'
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
password_encryption = 'scram-sha-256'
logging_collector = on
log_destination = '$LOG_DESTINATION'
log_directory = 'log'
log_filename = 'postgresql.log.%Y-%m-%d-%H'
log_file_mode = 0640
log_rotation_age = 0
log_rotation_size = 0
log_line_prefix = '%t:%r:%u@%d:[%p]:'
log_connections = $LOG_CONNECTIONS
log_disconnections = on
log_statement = 'all'
EOF

# secure_only is reachable only through hostssl: a plaintext client gets
# "no pg_hba.conf entry ... no encryption" ("SSL off" before 14). The superuser has no password (socket only).
as_pg tee "$PGDATA/pg_hba.conf" >/dev/null <<'EOF'
# TYPE  DATABASE                       USER      ADDRESS       METHOD
local   all                            postgres                trust
local   all                            all                     scram-sha-256
hostssl secure_only                    all       127.0.0.0/8   scram-sha-256
host    appdb,"Sales DW",postgres      all       127.0.0.0/8   scram-sha-256
EOF

as_pg "${SERVER_ENV[@]}" "$PG_CTL" -D "$PGDATA" -l "$PGBASE/startup.log" -w -t 30 start >/dev/null 2>&1 || {
  cat "$PGBASE/startup.log" "$PGDATA"/log/* >&2 2>/dev/null || true
  die "the server did not start"
}

# Setup as superuser over the socket, with statement logging off for this session only
# (keeps the sample passwords out of the log).
PGOPTIONS='-c log_statement=none' "$PSQL" -X -q -w -v ON_ERROR_STOP=1 \
  -d "host=$SOCK port=$PORT user=postgres dbname=postgres application_name=sample_setup" \
  >/dev/null <<'EOF' || die "setup SQL failed"
CREATE ROLE "app-user" LOGIN PASSWORD 'sample-pass-1';
CREATE ROLE "svc.reporting" LOGIN PASSWORD 'sample-pass-2';
CREATE DATABASE appdb OWNER "app-user";
CREATE DATABASE "Sales DW" OWNER "svc.reporting";
CREATE DATABASE secure_only OWNER "app-user";
\connect appdb
CREATE TABLE public.orders (id int PRIMARY KEY, customer text NOT NULL, total numeric(10,2), placed_at timestamptz DEFAULT now());
INSERT INTO public.orders SELECT g, 'customer ' || g, g * 1.5 FROM generate_series(1, 50) g;
GRANT SELECT, INSERT, UPDATE ON public.orders TO PUBLIC;
EOF

# ---------------------------------------------------------------- 3. relays
OCTETS=(11 12 13 14 15 16 17 18 19 20 21 22 23 24 25)
start_relays "$PORT" "$TMP/relay.ports" "${OCTETS[@]}"

# ---------------------------------------------------------------- 4. clients
# via N KEY=VALUE...  -> conninfo through the relay for 127.0.0.N
via() { local n=$1; shift; printf 'host=127.0.0.1 port=%s %s' "${RPORT[$n]}" "$*"; }
sock() { printf 'host=%s port=%s %s' "$SOCK" "$PORT" "$*"; }

Q_SSL="SELECT CASE WHEN ssl THEN 'tls:' || version ELSE 'plain' END FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
Q_ORDERS=$'SELECT customer,\n\tsum(total) AS spent,\n\tcount(*) AS n\nFROM public.orders\n\tWHERE placed_at > now() - interval \'1 day\'\nGROUP BY customer\nORDER BY spent DESC\nLIMIT 5'
Q_CATALOG=$'SELECT n.nspname,\n\tcount(*)\nFROM pg_class c\n\tJOIN pg_namespace n ON n.oid = c.relnamespace\nGROUP BY 1'
Q_DECOY=$'SELECT \'decoy\' AS note,\n\t\'connection received: host=10.9.9.9 port=5432\' AS not_a_log_line'

# session WHAT EXPECT CONNINFO SQL...  (EXPECT = plain | tls:TLSv1.3 | tls:TLSv1.2)
session() {
  local what=$1 expect=$2 ci=$3; shift 3
  local args=(-c "$Q_SSL") q out
  for q in "$@"; do args+=(-c "$q"); done
  local rc=0 stop=1
  [[ -n ${ALLOW_ERROR:-} ]] && stop=0
  out=$("$PSQL" -X -q -w -At -v ON_ERROR_STOP=$stop -d "$ci" "${args[@]}" 2>"$TMP/psql.err") || rc=$?
  if [[ $rc -ne 0 ]]; then
    if [[ -z ${ALLOW_ERROR:-} || $rc -ne 1 ]] || ! grep -q -- "$ALLOW_ERROR" "$TMP/psql.err"; then
      cat "$TMP/psql.err" >&2; die "$what: psql failed with exit $rc ($ci)"
    fi
  fi
  [[ ${out%%$'\n'*} == "$expect" ]] || die "$what: server saw '${out%%$'\n'*}', expected '$expect' ($ci)"
}
# attempt_fails WHAT PATTERN CONNINFO  (the connection must fail with PATTERN on the client side)
attempt_fails() {
  local what=$1 pattern=$2 ci=$3
  if "$PSQL" -X -q -w -At -d "$ci" -c "SELECT 1" >/dev/null 2>"$TMP/psql.err"; then
    die "$what: connection unexpectedly succeeded ($ci)"
  fi
  grep -qE -- "$pattern" "$TMP/psql.err" \
    || { cat "$TMP/psql.err" >&2; die "$what: expected client error matching /$pattern/"; }
}

APP='user=app-user dbname=appdb'
RPT="user=svc.reporting dbname='Sales DW'"
CA="sslrootcert=$CERTS/ca.crt"
WRONG="sslrootcert=$CERTS/wrong-ca.crt"
NOROOT="sslrootcert=$CERTS/does-not-exist.crt"   # explicit: no root cert file

run_round() { # $1 = round number (1..3); some scenarios have fewer sessions
  local r=$1
  say "round $r"
  session app_disable plain "$(via 11 "$APP sslmode=disable application_name=app_disable")" \
    "SELECT count(*) FROM public.orders" "$Q_ORDERS"
  [[ $r -eq 1 ]] && session app_disable plain "$(via 11 "$APP sslmode=disable application_name=app_disable")" "$Q_DECOY"
  session app_prefer tls:TLSv1.3 "$(via 12 "$APP sslmode=prefer $NOROOT application_name=app_prefer")" \
    "SELECT now()" "$Q_ORDERS"
  if [[ $r -eq 2 ]]; then
    session app_require tls:TLSv1.3 "$(via 13 "user=app-user dbname=secure_only sslmode=require $NOROOT application_name=app_require")" \
      "SELECT current_database()" "$Q_CATALOG"
  else
    ALLOW_ERROR='division by zero' session app_require tls:TLSv1.3 "$(via 13 "$APP sslmode=require $NOROOT application_name=app_require")" \
      "UPDATE public.orders SET total = total WHERE id = $r" "SELECT 1/0"$'\n\t-- deliberate error'
  fi
  [[ $r -le 2 ]] && session app_verify_ca tls:TLSv1.3 "$(via 14 "$RPT sslmode=verify-ca $CA application_name=app_verify_ca")" \
    "$Q_CATALOG"
  [[ $r -le 2 ]] && session app_verify_full tls:TLSv1.3 "$(via 15 "$RPT host=localhost hostaddr=127.0.0.1 port=${RPORT[15]} sslmode=verify-full $CA application_name=app_verify_full")" \
    "SELECT version()" "$Q_CATALOG"
  [[ $r -le 2 ]] && session app_tls12 tls:TLSv1.2 "$(via 16 "$APP sslmode=require $NOROOT ssl_max_protocol_version=TLSv1.2 application_name=app_tls12")" \
    "SELECT count(*) FROM public.orders"
  attempt_fails "wrong CA" 'certificate verify failed' \
    "$(via 17 "$APP host=localhost hostaddr=127.0.0.1 port=${RPORT[17]} sslmode=verify-full $WRONG application_name=app_wrong_ca")"
  [[ $r -le 2 ]] && session app_stale_root plain "$(via 18 "$APP sslmode=prefer $WRONG application_name=app_stale_root")" \
    "SELECT count(*) FROM public.orders" "$Q_ORDERS"
  [[ $r -le 2 ]] && attempt_fails "hostname mismatch" 'does not match host name' \
    "$(via 19 "$APP sslmode=verify-full $CA application_name=app_hostname_mismatch")"
  [[ $r -le 2 ]] && session "PostgreSQL JDBC Driver" tls:TLSv1.3 "$(via 20 "$RPT sslmode=require $NOROOT application_name='PostgreSQL JDBC Driver'")" \
    "SET extra_float_digits = 3" "SELECT current_user, current_database()"
  session "puma worker" tls:TLSv1.3 "$(via 21 "$APP sslmode=require $NOROOT application_name='puma: cluster worker 2: 44125 [myapp]'")" \
    "BEGIN" "INSERT INTO public.orders (id, customer, total) VALUES (100 + $r, 'web $r', 9.99)" "COMMIT"
  [[ $r -le 2 ]] && session "psql default name" tls:TLSv1.3 "$(via 22 "$APP")" "SELECT current_user"
  [[ $r -le 2 ]] && session "no application_name" tls:TLSv1.3 "$(via 23 "$APP sslmode=require $NOROOT application_name=")" \
    "SELECT 1" "$Q_CATALOG"
  [[ $r -le 2 ]] && attempt_fails "hba reject" 'no pg_hba.conf entry.*(no encryption|SSL off)' \
    "$(via 24 "user=app-user dbname=secure_only sslmode=disable application_name=app_hba_reject")"
  [[ $r -le 2 ]] && attempt_fails "wrong password" 'password authentication failed' \
    "$(via 25 "$APP sslmode=require $NOROOT password=not-the-password application_name=app_bad_password")"
  [[ $r -le 2 ]] && session app_socket plain "$(sock "$APP sslmode=prefer application_name=app_socket")" \
    "SELECT count(*) FROM public.orders" "$Q_ORDERS"
  return 0
}

say "scenario 127.0.0.11 app_disable: sslmode=disable -> plaintext"
say "scenario 127.0.0.12 app_prefer: sslmode=prefer, no root cert -> TLS"
say "scenario 127.0.0.13 app_require: sslmode=require, no root cert -> TLS (also via hostssl)"
say "scenario 127.0.0.14 app_verify_ca: sslmode=verify-ca, right CA -> TLS"
say "scenario 127.0.0.15 app_verify_full: sslmode=verify-full, right CA, host=localhost -> TLS"
say "scenario 127.0.0.16 app_tls12: sslmode=require, ssl_max_protocol_version=TLSv1.2 -> TLSv1.2"
say "scenario 127.0.0.17 (app_wrong_ca): sslmode=verify-full, wrong CA -> unknown ca, refused"
say "scenario 127.0.0.18 app_stale_root: sslmode=prefer, sslrootcert=wrong CA -> unknown ca, then plaintext"
say "scenario 127.0.0.19 (app_hostname_mismatch): verify-full, right CA, host=127.0.0.1 -> client closes after handshake"
say "scenario 127.0.0.20 'PostgreSQL JDBC Driver': sslmode=require -> TLS"
say "scenario 127.0.0.21 'puma: cluster worker 2: 44125 [myapp]': sslmode=require -> TLS"
say "scenario 127.0.0.22 psql without application_name (falls back to 'psql'), default sslmode -> TLS"
say "scenario 127.0.0.23 application_name= (empty: none sent), sslmode=require -> TLS"
say "scenario 127.0.0.24 (app_hba_reject): sslmode=disable to hostssl-only db -> rejected"
say "scenario 127.0.0.25 (app_bad_password): sslmode=require, wrong password -> auth failure"
say "scenario [local] app_socket: unix socket, sslmode=prefer -> plaintext"
for r in 1 2 3; do run_round "$r"; done

# ---------------------------------------------------------------- 5. stop + collect
kill "$RELAY_PID" 2>/dev/null || true
wait "$RELAY_PID" 2>/dev/null || true
RELAY_PID=""
as_pg "${SERVER_ENV[@]}" "$PG_CTL" -D "$PGDATA" -m fast -w -t 30 stop >/dev/null || die "pg_ctl stop failed"

shopt -s nullglob
stderr_logs=("$PGDATA"/log/postgresql.log.????-??-??-??)
csv_logs=("$PGDATA"/log/postgresql.log.????-??-??-??.csv)
json_logs=("$PGDATA"/log/postgresql.log.????-??-??-??.json)
shopt -u nullglob
JSON=$((MAJOR >= 15))
[[ ${#stderr_logs[@]} -eq 1 && ${#csv_logs[@]} -eq 1 && ${#json_logs[@]} -eq JSON ]] \
  || die "expected one stderr, csv and $JSON json log file, found: $(ls "$PGDATA/log" | tr '\n' ' ')"
BASE=$(basename -- "${stderr_logs[0]}")   # postgresql.log.YYYY-MM-DD-HH (UTC)

as_pg cat "${stderr_logs[0]}" > "$TMP/stderr.log"
as_pg cat "${csv_logs[0]}" > "$TMP/csv.log"
: > "$TMP/json.log"
((JSON)) && as_pg cat "${json_logs[0]}" > "$TMP/json.log"

say "checking the logs"
"$PYTHON" - "$MAJOR" "$TMP/stderr.log" "$TMP/csv.log" "$TMP/json.log" > "$TMP/proof.txt" <<'PY' || die "log check failed (see above)"
import csv, json, re, sys
from datetime import datetime

major = int(sys.argv[1])
stderr_path, csv_path, json_path = sys.argv[2:5]
PREFIX = re.compile(r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC:(\[local\]|[^()]*\((\d+)\)|):(.*?)@(.*?):\[(\d+)\]:([A-Z0-9]+):  (.*)$')
errors = []
def fail(msg): errors.append(msg)

sessions, by_pid, records, continuation = [], {}, [], 0
for raw in open(stderr_path, encoding="utf-8"):
    line = raw.rstrip("\n")
    if line.startswith("\t"):
        continuation += 1
        if "connection received" in line and records:
            records[-1]["decoy"] = True
        continue
    m = PREFIX.match(line)
    if not m:
        fail(f"unparsed stderr line: {line!r}")
        continue
    ts, r, port, user, db, pid, sev, msg = m.groups()
    host = "" if r == "" else ("[local]" if r == "[local]" else r[: r.rindex("(")])
    rec = dict(ts=datetime.strptime(ts, "%Y-%m-%d %H:%M:%S"), host=host, pid=pid, sev=sev, msg=msg, line=line)
    records.append(rec)
    if msg.startswith("connection received: "):
        s = dict(host=host, pid=pid, recs=[])
        sessions.append(s)
        by_pid[pid] = s
    if pid in by_pid:
        by_pid[pid]["recs"].append(rec)

def of(host):
    return [s for s in sessions if s["host"] == host]
def first(s, prefix):
    return next((r for r in s["recs"] if r["msg"].startswith(prefix)), None)

proof = []
def ok_sessions(host, app, proto, minimum, label):
    ss = of(host)
    if len(ss) < minimum:
        fail(f"{label}: {len(ss)} sessions from {host}, expected >= {minimum}")
        return
    for s in ss:
        a = first(s, "connection authorized: ")
        if not a:
            fail(f"{label}: pid {s['pid']} from {host} has no 'connection authorized'")
            continue
        # PostgreSQL 13 adds ", compression=off" to the SSL clause.
        m = re.match(r"connection authorized: user=(.*?) database=(.*?)( application_name=(.*?))?( SSL enabled \(protocol=([^,]+), cipher=([^,]+), bits=(\d+)(, compression=(on|off))?\))?$", a["msg"])
        got_app = m.group(4) if m and m.group(3) else None
        got_proto = m.group(6) if m else None
        if got_app != app or got_proto != proto:
            fail(f"{label}: got app={got_app!r} proto={got_proto!r}, want {app!r} {proto!r}: {a['line']}")
        if not first(s, "disconnection: "):
            fail(f"{label}: pid {s['pid']} has no disconnection line")
    proof.append(f"{label} | {host} | {first(ss[0], 'connection authorized: ')['line'] if first(ss[0], 'connection authorized: ') else '?'}")

ok_sessions("127.0.0.11", "app_disable", None, 4, "app_disable")
ok_sessions("127.0.0.12", "app_prefer", "TLSv1.3", 3, "app_prefer")
ok_sessions("127.0.0.13", "app_require", "TLSv1.3", 3, "app_require")
ok_sessions("127.0.0.14", "app_verify_ca", "TLSv1.3", 2, "app_verify_ca")
ok_sessions("127.0.0.15", "app_verify_full", "TLSv1.3", 2, "app_verify_full")
ok_sessions("127.0.0.16", "app_tls12", "TLSv1.2", 2, "app_tls12")
ok_sessions("127.0.0.20", "PostgreSQL JDBC Driver", "TLSv1.3", 2, "PostgreSQL JDBC Driver")
ok_sessions("127.0.0.21", "puma: cluster worker 2: 44125 [myapp]", "TLSv1.3", 3, "puma: cluster worker 2: 44125 [myapp]")
ok_sessions("127.0.0.22", "psql", "TLSv1.3", 2, "psql (default name)")
ok_sessions("127.0.0.23", None, "TLSv1.3", 2, "no application_name")

# [local]: app_socket sessions are plaintext; the setup session is also there.
loc = [s for s in of("[local]") if first(s, "connection authorized: ") and "application_name=app_socket" in first(s, "connection authorized: ")["msg"]]
if len(loc) < 2 or any("SSL enabled" in first(s, "connection authorized: ")["msg"] for s in loc):
    fail("app_socket: expected >= 2 plaintext [local] sessions")
else:
    proof.append(f"app_socket | [local] | {first(loc[0], 'connection authorized: ')['line']}")

UNKNOWN_CA = "could not accept SSL connection: tlsv1 alert unknown ca"
# wrong CA: every session is received + unknown ca, nothing authorized
ss = of("127.0.0.17")
if len(ss) < 3 or not all(first(s, UNKNOWN_CA) and not first(s, "connection authorized") for s in ss):
    fail("wrong CA: expected >= 3 sessions from 127.0.0.17, each 'unknown ca' and never authorized")
else:
    proof.append(f"wrong CA | 127.0.0.17 | {first(ss[0], UNKNOWN_CA)['line']}")

# stale root: unknown ca, then within a second a plaintext authorized session from the same host
ss = of("127.0.0.18")
pairs = 0
for a, b in zip(ss, ss[1:]):
    fa, ab = first(a, UNKNOWN_CA), first(b, "connection authorized: ")
    if fa and ab and "application_name=app_stale_root" in ab["msg"] and "SSL enabled" not in ab["msg"]:
        if (ab["ts"] - fa["ts"]).total_seconds() <= 1:
            pairs += 1
            if pairs == 1:
                proof.append(f"app_stale_root | 127.0.0.18 | {fa['line']}")
                proof.append(f"app_stale_root | 127.0.0.18 | {ab['line']}")
if pairs < 2:
    fail(f"app_stale_root: expected 2 (unknown ca -> plaintext within 1 s) pairs from 127.0.0.18, found {pairs}")
if any(first(s, "connection authorized: ") and "SSL enabled" in first(s, "connection authorized: ")["msg"] for s in ss):
    fail("app_stale_root: a TLS session from 127.0.0.18")

# hostname mismatch: connection received and nothing else for that pid
ss = of("127.0.0.19")
if len(ss) < 2 or any(len(s["recs"]) != 1 for s in ss):
    fail("hostname mismatch: expected >= 2 lone 'connection received' from 127.0.0.19: "
         + repr([[r["msg"] for r in s["recs"]] for s in ss]))
else:
    proof.append(f"hostname mismatch | 127.0.0.19 | {ss[0]['recs'][0]['line']}")

# hba reject
ss = of("127.0.0.24")
plaintext = "SSL off" if major == 13 else "no encryption"
hba = [first(s, f'no pg_hba.conf entry for host "127.0.0.24", user "app-user", database "secure_only", {plaintext}') for s in ss]
if len(ss) < 2 or not all(hba) or any(h["sev"] != "FATAL" for h in hba if h):
    fail(f"hba reject: expected >= 2 FATAL no pg_hba.conf entry ... {plaintext} from 127.0.0.24")
else:
    proof.append(f"hba reject | 127.0.0.24 | {hba[0]['line']}")

# wrong password
ss = of("127.0.0.25")
pw = [first(s, 'password authentication failed for user "app-user"') for s in ss]
if len(ss) < 2 or not all(pw) or any(first(s, "connection authorized") for s in ss):
    fail("wrong password: expected >= 2 FATAL password authentication failed from 127.0.0.25")
else:
    proof.append(f"wrong password | 127.0.0.25 | {pw[0]['line']}")

if continuation < 5:
    fail(f"only {continuation} tab-indented continuation lines")
if not any(r.get("decoy") for r in records):
    fail("decoy statement line not found")

# Logins say who they authenticated as from 14 on (`identity="…"`); 17 says it of trust
# logins too (`user="…"`, the setup session's), and 18 times the setup of each session
# (`connection ready`).
def count(prefix):
    return sum(1 for r in records if r["msg"].startswith(prefix))
def first_line(prefix, otherwise):
    return next((r["line"] for r in records if r["msg"].startswith(prefix)), otherwise)
for prefix, since in (('connection authenticated: identity="', 14),
                      ('connection authenticated: user="', 17),
                      ("connection ready: setup total=", 18)):
    n = count(prefix)
    if (n > 0) != (major >= since):
        fail(f"PostgreSQL {major}: {n} lines starting {prefix!r}")
    label = prefix.rstrip('="')
    proof.append(f"{label} | - | {first_line(prefix, f'none (before PostgreSQL {since})')}")

# csvlog / jsonlog carry the same events; csvlog has 24 columns in 13, 26 from 14 on.
columns = 24 if major == 13 else 26
with open(csv_path, newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
if any(len(r) != columns for r in rows):
    fail(f"csvlog: a row without {columns} columns: {sorted(set(len(r) for r in rows))}")
objs = [json.loads(l) for l in open(json_path, encoding="utf-8") if l.strip()]
for needle in ("connection authorized: ", "connection received: ", UNKNOWN_CA, "no pg_hba.conf entry", "password authentication failed", "connection authenticated: ", "connection ready: "):
    n_stderr = count(needle)
    n_csv = sum(1 for r in rows if len(r) == columns and r[13].startswith(needle))
    n_json = sum(1 for o in objs if o.get("message", "").startswith(needle)) if major >= 15 else n_stderr
    if not (n_stderr == n_csv == n_json):
        fail(f"count of {needle!r}: stderr {n_stderr}, csv {n_csv}, json {n_json}")
    if n_stderr == 0 and not needle.startswith(("connection authenticated", "connection ready")):
        fail(f"no {needle!r} line")

if errors:
    for e in errors:
        print("make-samples: CHECK FAILED: " + e, file=sys.stderr)
    sys.exit(1)
print(f"# {len(sessions)} connections, {len(records)} log records, {continuation} continuation lines, {len(rows)} csv rows, {len(objs)} json objects")
print("\n".join(proof))
PY

# ---------------------------------------------------------------- write OUT_DIR
FORMATS=(stderr csvlog stderr-gz)
((JSON)) && FORMATS+=(jsonlog)
for fmt in "${FORMATS[@]}"; do
  mkdir -p "$OUT_DIR/$fmt/$INSTANCE"
  rm -f -- "$OUT_DIR/$fmt/$INSTANCE"/postgresql.log.*
done
cat "$TMP/stderr.log" > "$OUT_DIR/stderr/$INSTANCE/$BASE"
cat "$TMP/csv.log" > "$OUT_DIR/csvlog/$INSTANCE/$BASE.csv"
((JSON)) && cat "$TMP/json.log" > "$OUT_DIR/jsonlog/$INSTANCE/$BASE.json"
gzip -n -9 -c "$TMP/stderr.log" > "$OUT_DIR/stderr-gz/$INSTANCE/$BASE.gz"

PSQL_VERSION=$("$PSQL" --version)
FILES="\`stderr/$INSTANCE/$BASE\`, \`csvlog/$INSTANCE/$BASE.csv\`,"
((JSON)) && FILES+=" \`jsonlog/$INSTANCE/$BASE.json\`,"
if ((MAJOR >= 17)); then
  AUTHENTICATED="Every password login also logs \`connection authenticated: identity=\"…\" method=scram-sha-256 (…/pg_hba.conf:N)\`,
and trust logins (the setup session's) \`connection authenticated: user=\"postgres\" method=trust (…/pg_hba.conf:2)\`"
  ((MAJOR >= 18)) && AUTHENTICATED+="; every session ends its setup with \`connection ready: setup total=… ms, fork=… ms,
authentication=… ms\`"
  AUTHENTICATED+=":"
elif ((MAJOR >= 14)); then
  AUTHENTICATED="Every password login also logs \`connection authenticated: identity=\"…\" method=scram-sha-256 (…/pg_hba.conf:N)\`:"
else
  AUTHENTICATED="(PostgreSQL 13 logs no \`connection authenticated\` line, and adds \`, compression=off\` to the SSL clause.)
The pg_hba.conf rules:"
fi
{
  cat <<EOF
# PostgreSQL sample logs — scenarios

Generated by \`samples/postgresql/make-samples.sh\` on $(date -u '+%Y-%m-%d %H:%M:%S UTC') with
$SERVER_VERSION, $PSQL_VERSION, $(openssl version | cut -d' ' -f1-2).

Instance \`$INSTANCE\`, log hour \`${BASE#postgresql.log.}\` (UTC). Files:
$FILES
\`stderr-gz/$INSTANCE/$BASE.gz\`. \`log_line_prefix='%t:%r:%u@%d:[%p]:'\` (RDS default),
\`log_connections = $LOG_CONNECTIONS\`, \`log_disconnections\`, \`log_statement=all\`, TLS server certificate for
\`DNS:localhost\` signed by a throwaway CA. Each TCP scenario reached the server from its own
address through a relay. Users \`app-user\` and \`svc.reporting\`; databases \`appdb\`,
\`Sales DW\` and \`secure_only\` (reachable only through \`hostssl\`).

| scenario (application_name) | client address | client settings (libpq / psql) | what the server logs | expected verdict |
|---|---|---|---|---|
| \`app_disable\` | 127.0.0.11 | \`sslmode=disable\` | authorized, no SSL clause (4 sessions) | not_affected (plaintext) |
| \`app_prefer\` | 127.0.0.12 | \`sslmode=prefer\`, no root cert | \`SSL enabled (protocol=TLSv1.3, …)\` (3) | review |
| \`app_require\` | 127.0.0.13 | \`sslmode=require\`, no root cert; one session to \`secure_only\` via \`hostssl\` | \`SSL enabled (protocol=TLSv1.3, …)\` (3), two \`ERROR: division by zero\` + \`STATEMENT:\` | review |
| \`app_verify_ca\` | 127.0.0.14 | \`sslmode=verify-ca\`, \`sslrootcert\`=right CA, host=127.0.0.1 | TLSv1.3 (2) | review (server cannot tell it verifies) |
| \`app_verify_full\` | 127.0.0.15 | \`sslmode=verify-full\`, right CA, \`host=localhost\` | TLSv1.3 (2) | review |
| \`app_tls12\` | 127.0.0.16 | \`sslmode=require\`, \`ssl_max_protocol_version=TLSv1.2\` | \`SSL enabled (protocol=TLSv1.2, …)\` (2) | review |
| (\`app_wrong_ca\`, never logged) | 127.0.0.17 | \`sslmode=verify-full\`, \`sslrootcert\`=wrong CA, \`host=localhost\` | \`could not accept SSL connection: tlsv1 alert unknown ca\`, no session (3 attempts) | affected (unknown application) |
| \`app_stale_root\` | 127.0.0.18 | \`sslmode=prefer\`, \`sslrootcert\`=wrong CA | \`unknown ca\`, then within a second a plaintext authorized session from the same address (2 pairs) | affected |
| (\`app_hostname_mismatch\`, never logged) | 127.0.0.19 | \`sslmode=verify-full\`, right CA, \`host=127.0.0.1\` (cert is for localhost) | only \`connection received\` for that pid (2) | hint / review (unknown application) |
| \`PostgreSQL JDBC Driver\` | 127.0.0.20 | \`sslmode=require\` (libpq, JDBC's default name) | TLSv1.3 (2) | review |
| \`puma: cluster worker 2: 44125 [myapp]\` | 127.0.0.21 | \`sslmode=require\` | TLSv1.3 (3) | review |
| \`psql\` | 127.0.0.22 | psql with no application_name and no sslmode (psql's fallback name, libpq default \`prefer\`) | \`application_name=psql\`, TLSv1.3 (2) | review |
| (none) | 127.0.0.23 | \`application_name=\` (empty: libpq sends none), \`sslmode=require\` | authorized with no \`application_name=\`, TLSv1.3 (2) | review (unknown application) |
| (\`app_hba_reject\`, never logged) | 127.0.0.24 | \`sslmode=disable\` to \`secure_only\` | \`FATAL: no pg_hba.conf entry for host "127.0.0.24", user "app-user", database "secure_only", no encryption\` (\`SSL off\` in 13) (2) | not_affected (plaintext attempt, rejected) |
| (\`app_bad_password\`, never logged) | 127.0.0.25 | \`sslmode=require\`, wrong password | \`FATAL: password authentication failed for user "app-user"\` (2) | no verdict of its own (failed logins; no TLS evidence in the log) |
| \`app_socket\` | [local] | unix socket, \`sslmode=prefer\` (no TLS on sockets) | \`[local]\`, authorized, no SSL clause (2) | not_affected (plaintext) |
| \`sample_setup\` | [local] | superuser \`postgres\`, trust, setup session (statements not logged) | \`[local]\`, plaintext (2: databases \`postgres\` and \`appdb\`) | not_affected (plaintext) |

Noise: every session logs its statements (\`log_statement=all\`), several of them multi-line with
tab-indented continuation lines; one continuation line is a decoy that contains the text
\`connection received: host=10.9.9.9 port=5432\` inside a string literal (it is not a log record).
Rounds are sequential, so sessions of different scenarios alternate through the file.
$AUTHENTICATED
line 4 is the \`hostssl secure_only\` rule, line 5 the \`host\` rule (the path is the run's temp dir).

Log lines that prove each scenario (first occurrence; checked by the script):

\`\`\`
EOF
  cat "$TMP/proof.txt"
  echo '```'
} > "$OUT_DIR/SCENARIOS.md"

say "wrote $OUT_DIR/{$(IFS=,; echo "${FORMATS[*]}")}/$INSTANCE/$BASE* and SCENARIOS.md in $((SECONDS - T0)) s"
