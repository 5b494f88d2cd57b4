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

# shellcheck source=server.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/server.sh"


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
