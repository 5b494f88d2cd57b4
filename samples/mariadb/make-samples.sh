#!/usr/bin/env bash
# make-samples.sh OUT_DIR
#
# Produces real MariaDB connection logs (general query log, error log, server_audit log,
# gzipped general log) from a throwaway local MariaDB server, driven by the real `mariadb`
# command-line client (libmariadb, OpenSSL 3) in the TLS situations that matter for an
# Amazon RDS CA rotation. Each TCP client scenario reaches the server from its own loopback
# address (127.0.0.N) through ../postgresql/relay.py.
#
# Output (instance name mariadb-sample-1, RDS-like file names):
#   OUT_DIR/general/mariadb-sample-1/mysql-general.log
#   OUT_DIR/error/mariadb-sample-1/mysql-error.log
#   OUT_DIR/audit/mariadb-sample-1/server_audit.log
#   OUT_DIR/general-gz/mariadb-sample-1/mysql-general.log.gz
#   OUT_DIR/SCENARIOS.md
#
# Needs (installs nothing): mariadbd, mariadb-install-db, the server_audit plugin (Debian
# packages mariadb-server / mariadb-server-core), the mariadb client (mariadb-client-core),
# openssl, python3 (standard library only), gzip. Works as root (the server runs as the OS
# user $SSLCENSUS_MARIADB_OS_USER, default "mysql", which the Debian package creates) or as a
# normal user (the server runs as that user). Loopback only; leaves no process behind.
set -euo pipefail

# shellcheck source=../common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../common.sh"

[[ $# -eq 1 && -n $1 ]] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
mkdir -p -- "$1"
OUT_DIR=$(cd -- "$1" && pwd)
INSTANCE=mariadb-sample-1
T0=$SECONDS

# shellcheck source=server.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/server.sh"


# ---------------------------------------------------------------- 3. relays
OCTETS=(31 32 33 34 35 36 37 38 39 40 41 42 43)
start_relays "$PORT" "$TMP/relay.ports" "${OCTETS[@]}"

# ---------------------------------------------------------------- 4. clients
# via N -> connection options through the relay for 127.0.0.N (IP literal, TCP)
via() { printf '%s\n' -h 127.0.0.1 -P "${RPORT[$1]}" --protocol=tcp; }
# via_localhost N -> same relay port, but named "localhost" (the certificate's only SAN)
via_localhost() { printf '%s\n' -h localhost -P "${RPORT[$1]}" --protocol=tcp; }
APP=(-u app-user --password=sample-pass-1)
RPT=(-u svc.reporting --password=sample-pass-2)
SEC=(-u secure-only --password=sample-pass-3)

Q_SSL="SHOW SESSION STATUS LIKE 'Ssl_version'"
Q_ORDERS=$'SELECT customer,\n       SUM(total) AS spent,\n       COUNT(*) AS n\n  FROM orders\n WHERE placed_at > NOW() - INTERVAL 1 DAY\n GROUP BY customer\n ORDER BY spent DESC\n LIMIT 5'
Q_DAILY=$'SELECT day, orders, revenue\n  FROM daily\n ORDER BY day'
Q_CATALOG=$'SELECT table_schema,\n       COUNT(*) AS tables\n  FROM information_schema.tables\n GROUP BY table_schema'
# A continuation line that contains record-like text (a naive grep would take it for a Connect).
Q_DECOY=$'SELECT \'decoy\' AS note,\n  \'Connect\tdecoy@10.9.9.9 on shop-db using SSL/TLS\' AS not_a_log_line'

# session WHAT EXPECT CONNECTION-OPTIONS... -- SQL...   (EXPECT = plain | TLSv1.3 | TLSv1.2)
# The first statement (Q_SSL) asks the server whether this session uses TLS.
session() {
  local what=$1 expect=$2 opts=() sql=() out got
  shift 2
  while [[ $1 != -- ]]; do opts+=("$1"); shift; done
  shift
  sql=("$Q_SSL" "$@")
  out=$(printf '%s;\n' "${sql[@]}" | "${M[@]}" "${opts[@]}" 2>"$TMP/client.err") \
    || { cat "$TMP/client.err" >&2; die "$what: mariadb failed (${opts[*]})"; }
  # A here-string, not a pipe: awk stops at the first match, and under pipefail a writer
  # still writing then dies of SIGPIPE (exit 141) and takes the script with it.
  got=$(awk -F'\t' '$1 == "Ssl_version" {print ($2 == "" ? "plain" : $2); exit}' <<<"$out")
  [[ $got == "$expect" ]] || die "$what: server saw '$got', expected '$expect' (${opts[*]})"
}
# attempt_fails WHAT PATTERN CONNECTION-OPTIONS...  (must fail with PATTERN on the client side)
attempt_fails() {
  local what=$1 pattern=$2
  shift 2
  if "${M[@]}" "$@" -e 'SELECT 1' >/dev/null 2>"$TMP/client.err"; then
    die "$what: connection unexpectedly succeeded ($*)"
  fi
  grep -qE -- "$pattern" "$TMP/client.err" \
    || { cat "$TMP/client.err" >&2; die "$what: expected client error matching /$pattern/ ($*)"; }
}
# A TCP health-check style probe: connect, read the greeting, close without a word.
probe() {
  "$PYTHON" - "${RPORT[$1]}" <<'PY' || die "probe failed"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.recv(256)
s.close()
PY
}

mapfile -t V31 < <(via 31); mapfile -t V32 < <(via 32); mapfile -t V33 < <(via 33)
mapfile -t L34 < <(via_localhost 34); mapfile -t L35 < <(via_localhost 35); mapfile -t V36 < <(via 36)
mapfile -t V37 < <(via 37); mapfile -t V39 < <(via 39); mapfile -t V40 < <(via 40)
mapfile -t V41 < <(via 41); mapfile -t V42 < <(via 42); mapfile -t V43 < <(via 43)
SOCKET=(-S "$SOCK" --protocol=socket)
KILLED_QUERY_SECONDS=8 # app_killed's query: longer than any round takes

run_round() { # $1 = round number (1..3); some scenarios have fewer sessions
  local r=$1 kpid kstart
  say "round $r"
  # app_killed: a TLS session killed (SIGKILL) while its query runs; the server notices when
  # the query ends. Started first, so other sessions interleave with it in the general log.
  # The query outlasts the round even on a loaded machine; only what is left of it is waited out.
  if [[ $r -le 2 ]]; then
    kstart=$(date +%s.%N)
    "${M[@]}" "${V42[@]}" "${APP[@]}" -D shop-db -e "SELECT SLEEP($KILLED_QUERY_SECONDS) AS long_report" >/dev/null 2>&1 &
    kpid=$!
    KILLED_PIDS+=("$kpid")
    sleep 0.5
  fi
  session app_plain plain "${V31[@]}" "${APP[@]}" -D shop-db --skip-ssl -- \
    "SELECT COUNT(*) FROM orders" "$Q_ORDERS"
  [[ $r -eq 1 ]] && session app_plain plain "${V31[@]}" "${APP[@]}" -D shop-db --skip-ssl -- "$Q_DECOY"
  session app_tls_noverify TLSv1.3 "${V32[@]}" "${APP[@]}" -D shop-db --ssl -- \
    "UPDATE orders SET total = total WHERE id = $r" "$Q_ORDERS"
  [[ $r -le 2 ]] && session app_default TLSv1.3 "${V33[@]}" "${RPT[@]}" -D reports.v2 -- "$Q_DAILY"
  session app_verify TLSv1.3 "${L34[@]}" "${RPT[@]}" -D reports.v2 \
    --ssl-verify-server-cert --ssl-ca="$CERTS/ca.crt" -- "SELECT NOW()" "$Q_DAILY"
  attempt_fails app_wrong_ca 'TLS/SSL error: .*certificate' \
    "${L35[@]}" "${APP[@]}" -D shop-db --ssl-verify-server-cert --ssl-ca="$CERTS/wrong-ca.crt"
  [[ $r -le 2 ]] && attempt_fails app_hostname_mismatch 'TLS/SSL error: Validation of SSL server certificate failed' \
    "${V36[@]}" "${APP[@]}" -D shop-db --ssl-verify-server-cert --ssl-ca="$CERTS/ca.crt"
  [[ $r -le 2 ]] && attempt_fails app_tls_old 'TLS/SSL error: .*protocol version' \
    "${V37[@]}" "${APP[@]}" -D shop-db --ssl --tls-version=TLSv1.1
  [[ $r -le 2 ]] && probe 38
  [[ $r -le 2 ]] && attempt_fails app_bad_password "ERROR 1045 .*Access denied for user 'app-user'" \
    "${V39[@]}" -u app-user --password=not-the-password -D shop-db
  [[ $r -le 2 ]] && attempt_fails app_require_ssl_plain "ERROR 1045 .*Access denied for user 'secure-only'" \
    "${V40[@]}" "${SEC[@]}" --skip-ssl
  [[ $r -le 2 ]] && session app_no_db TLSv1.3 "${V41[@]}" "${RPT[@]}" -- \
    "SELECT CURRENT_USER(), DATABASE()" "$Q_CATALOG"
  [[ $r -le 2 ]] && attempt_fails app_unknown_db "ERROR 1044 .*to database 'no-such.db'" \
    "${V43[@]}" "${APP[@]}" -D no-such.db
  [[ $r -le 2 ]] && session app_socket plain "${SOCKET[@]}" "${RPT[@]}" -D reports.v2 --skip-ssl -- \
    "SELECT COUNT(*) FROM daily" "$Q_DAILY"
  [[ $r -le 2 ]] && session app_socket_tls TLSv1.3 "${SOCKET[@]}" "${APP[@]}" -D shop-db -- \
    "SELECT COUNT(*) FROM orders"
  if [[ $r -le 2 ]]; then
    kill -KILL "$kpid" 2>/dev/null || die "app_killed: the client had already finished"
    wait "$kpid" 2>/dev/null || true
    # Let the query end so the server notices the dead client before the next round.
    sleep "$(awk -v s="$kstart" -v n="$(date +%s.%N)" -v q="$KILLED_QUERY_SECONDS" \
      'BEGIN { w = s + q + 0.3 - n; printf "%.2f", (w > 0 ? w : 0) }')"
  fi
  return 0
}

say "scenario 127.0.0.31 app_plain: --skip-ssl -> plaintext TCP"
say "scenario 127.0.0.32 app_tls_noverify: --ssl (no --ssl-verify-server-cert) -> TLS, not verified"
say "scenario 127.0.0.33 app_default: no TLS options (10.11 client default: TLS on, no verification)"
say "scenario 127.0.0.34 app_verify: --ssl-verify-server-cert --ssl-ca=right CA, host=localhost -> TLS, verified"
say "scenario 127.0.0.35 (app_wrong_ca): --ssl-verify-server-cert --ssl-ca=wrong CA -> client rejects the chain"
say "scenario 127.0.0.36 (app_hostname_mismatch): --ssl-verify-server-cert, right CA, host=127.0.0.1 -> client closes after handshake"
say "scenario 127.0.0.37 (app_tls_old): --tls-version=TLSv1.1 -> server refuses the TLS version"
say "scenario 127.0.0.38 (tcp_probe): TCP connect, read greeting, close"
say "scenario 127.0.0.39 (app_bad_password): default TLS, wrong password"
say "scenario 127.0.0.40 (app_require_ssl_plain): REQUIRE SSL account, --skip-ssl -> access denied"
say "scenario 127.0.0.41 app_no_db: svc.reporting, no database, default TLS"
say "scenario 127.0.0.42 app_killed: TLS session killed during a query (no Quit)"
say "scenario 127.0.0.43 (app_unknown_db): database without privileges -> Init DB access denied"
say "scenario localhost app_socket: unix socket, --skip-ssl; app_socket_tls: unix socket, default TLS"
for r in 1 2 3; do run_round "$r"; done

# ---------------------------------------------------------------- 5. stop + collect
kill "$RELAY_PID" 2>/dev/null || true
wait "$RELAY_PID" 2>/dev/null || true
RELAY_PID=""
KILLED_PIDS=()
stop_server 30 || die "mariadbd did not stop within 30 s (killed)"

# The server's OS user owns the logs (mode 660); root can read them anyway.
cat "$LOGS/mysql-general.log" > "$TMP/general.log"
cat "$LOGS/mysql-error.log" > "$TMP/error.log"
cat "$LOGS/server_audit.log" > "$TMP/audit.log"
if grep -l 'sample-pass' "$TMP/general.log" "$TMP/error.log" "$TMP/audit.log"; then
  die "a password reached the logs"
fi

say "checking the logs"
"$PYTHON" - "$TMP/general.log" "$TMP/error.log" "$TMP/audit.log" > "$TMP/proof.txt" <<'PY' || die "log check failed (see above)"
import re, sys

gen_path, err_path, aud_path = sys.argv[1:4]
errors = []
def fail(msg): errors.append(msg)

# ---- general log: "YYMMDD H:MM:SS\t" or "\t\t", thread id right-aligned in 6, " Command\targ"
REC = re.compile(r'^(?:(\d{6} [ \d]\d:\d\d:\d\d)\t|\t\t)( *\d+) ([A-Za-z][A-Za-z ]*?)\t(.*)$')
CONNECT = re.compile(r'^(.*)@(\S*) on (.*) using (TCP/IP|SSL/TLS|Socket)$')
header, recs, cont = [], [], 0
for raw in open(gen_path, encoding="utf-8"):
    line = raw.rstrip("\n")
    m = REC.match(line)
    if m:
        ts, tid, cmd, arg = m.groups()
        if len(tid) != 6:
            fail(f"thread id not padded to 6: {line!r}")
        recs.append(dict(ts=ts, tid=int(tid), cmd=cmd, arg=arg, line=line, cont=[]))
    elif not recs:
        header.append(line)
    else:
        recs[-1]["cont"].append(line)
        cont += 1
if len(header) != 3 or ", Version: " not in header[0] or header[2] != "Time\t\t    Id Command\tArgument":
    fail(f"unexpected general-log header: {header!r}")

sessions = {}   # tid -> session
for r in recs:
    if r["cmd"] == "Connect" and r["tid"] not in sessions:
        m = CONNECT.match(r["arg"])
        if not m:
            fail(f"unparsed Connect: {r['line']!r}")
            continue
        sessions[r["tid"]] = dict(tid=r["tid"], user=m[1], host=m[2], db=m[3], tr=m[4], recs=[], first=r["line"])
    if r["tid"] in sessions:
        sessions[r["tid"]]["recs"].append(r)

def of(host, user=None):
    return [s for s in sessions.values() if s["host"] == host and (user is None or s["user"] == user)]
def cmds(s):
    return [r["cmd"] for r in s["recs"]]
def denied(s):
    return next((r for r in s["recs"][1:] if r["arg"].startswith("Access denied for user ")), None)

# ---- error log
ERR = re.compile(r'^(\d{4}-\d\d-\d\d [ \d]\d:\d\d:\d\d) (\d+) \[(Note|Warning|ERROR)\] (.*)$')
AUDIT_IN_ERR = re.compile(r'^\d{6} [ \d]\d:\d\d:\d\d server_audit: ')
err = []
for raw in open(err_path, encoding="utf-8"):
    line = raw.rstrip("\n")
    m = ERR.match(line)
    if m:
        err.append(dict(ts=m[1], tid=int(m[2]), sev=m[3], msg=m[4], line=line))
    elif not (AUDIT_IN_ERR.match(line) or line.startswith("Version: ")):
        fail(f"unparsed error-log line: {line!r}")
def err_for(host):
    return [e for e in err if f"host: '{host}'" in e["msg"] or f"'@'{host}'" in e["msg"]]
def err_tid(tid):
    return [e for e in err if e["tid"] == tid]

# ---- audit log: timestamp,serverhost,username,host,connectionid,queryid,operation,database,object,retcode
aud = []
for raw in open(aud_path, encoding="utf-8"):
    line = raw.rstrip("\n")
    f = line.split(",")
    if len(f) != 10 or not re.match(r'^\d{8} \d\d:\d\d:\d\d$', f[0]):
        fail(f"unparsed audit line: {line!r}")
        continue
    aud.append(dict(ts=f[0], user=f[2], host=f[3], cid=int(f[4]), op=f[6], db=f[7], rc=f[9], line=line))
def aud_for(host, op=None):
    return [a for a in aud if a["host"] == host and (op is None or a["op"] == op)]

proof = []
def show(label, host, lines):
    for l in lines:
        proof.append(f"{label} | {host} | {l}")

def ok_sessions(host, label, tr, minimum, user=None, db=None, quit=True):
    ss = of(host, user)
    if len(ss) < minimum:
        fail(f"{label}: {len(ss)} sessions from {host}, expected >= {minimum}")
        return []
    for s in ss:
        if s["tr"] != tr or (db is not None and s["db"] != db) or denied(s):
            fail(f"{label}: unexpected session: {s['first']!r}")
        if quit and "Quit" not in cmds(s):
            fail(f"{label}: thread {s['tid']} has no Quit")
        if not quit and "Quit" in cmds(s):
            fail(f"{label}: thread {s['tid']} unexpectedly has a Quit")
        a = [x for x in aud if x["cid"] == s["tid"]]
        if [x["op"] for x in a] != ["CONNECT", "DISCONNECT"]:
            fail(f"{label}: audit records for thread {s['tid']}: {[x['line'] for x in a]}")
    s = ss[0]
    lines = [s["recs"][0]["line"]]
    lines += [r["line"] for r in s["recs"] if r["cmd"] == "Quit"][:1]
    lines += [e["line"] for e in err_tid(s["tid"])]
    lines += [x["line"] for x in aud if x["cid"] == s["tid"]]
    show(label, host, lines)
    return ss

ss = ok_sessions("127.0.0.31", "app_plain", "TCP/IP", 4, "app-user", "shop-db")
q = next((r for s in ss for r in s["recs"] if r["cont"]), None)
if q is None:
    fail("app_plain: no multi-line Query record")
else:
    show("app_plain (a multi-line Query)", "127.0.0.31", [q["line"]] + q["cont"])
ok_sessions("127.0.0.32", "app_tls_noverify", "SSL/TLS", 3, "app-user", "shop-db")
ok_sessions("127.0.0.33", "app_default", "SSL/TLS", 2, "svc.reporting", "reports.v2")
ok_sessions("127.0.0.34", "app_verify", "SSL/TLS", 3, "svc.reporting", "reports.v2")
ok_sessions("127.0.0.41", "app_no_db", "SSL/TLS", 2, "svc.reporting", "")
ok_sessions("localhost", "app_socket", "Socket", 2, "svc.reporting", "reports.v2")
ok_sessions("localhost", "app_socket_tls", "SSL/TLS", 2, "app-user", "shop-db")

# app_killed: Connect, Query, no Quit; error log "Aborted connection ... (Got an error ...)"
ss = ok_sessions("127.0.0.42", "app_killed", "SSL/TLS", 2, "app-user", "shop-db", quit=False)
for s in ss:
    ab = [e for e in err_tid(s["tid"]) if e["msg"].startswith(f"Aborted connection {s['tid']} to db: 'shop-db' user: 'app-user' host: '127.0.0.42' (Got an error ")]
    if not ab:
        fail(f"app_killed: no 'Aborted connection' error-log line for thread {s['tid']}")

# Handshake failures and probes: nothing in the general log; error log + audit only.
def no_session(host, label, minimum, rc):
    if of(host):
        fail(f"{label}: unexpected general-log sessions from {host}")
    ab = [e for e in err_for(host) if re.match(r"Aborted connection (\d+) to db: 'unconnected' user: 'unauthenticated' host: '" + re.escape(host) + r"' \(This connection closed normally without authentication\)$", e["msg"])]
    fc = aud_for(host, "FAILED_CONNECT")
    if len(ab) < minimum or len(fc) < minimum:
        fail(f"{label}: {len(ab)} 'Aborted connection' and {len(fc)} FAILED_CONNECT from {host}, expected >= {minimum}")
        return
    rcs = sorted({a["rc"] for a in fc})
    if rcs != [rc] or any(a["user"] for a in fc):
        fail(f"{label}: FAILED_CONNECT codes {rcs} (want {rc}) / users {[a['user'] for a in fc]}")
    tid = fc[0]["cid"]
    show(label, host, [e["line"] for e in err_tid(tid)] + [a["line"] for a in aud if a["cid"] == tid])
    # Extra error-log lines some attempts have (timing-dependent): show one of each kind.
    kinds = {}
    for e in err_for(host) + [e for a in fc for e in err_tid(a["cid"])]:
        k = re.sub(r"\d+", "N", e["msg"])
        kinds.setdefault(k, e["line"])
    extra = [l for l in kinds.values() if l not in [e["line"] for e in err_tid(tid)]]
    show(label + " (other attempts)", host, extra)

no_session("127.0.0.35", "app_wrong_ca", 3, "1043")
no_session("127.0.0.36", "app_hostname_mismatch", 2, "1158")
no_session("127.0.0.37", "app_tls_old", 2, "1043")
no_session("127.0.0.38", "tcp_probe", 2, "1158")

# Failed logins: Connect + "Connect\tAccess denied ..." in the general log.
def denied_sessions(host, label, user, tr, rc, arg_start):
    ss = of(host, user)
    if len(ss) < 2 or not all(denied(s) or any(r["cmd"] == "Init DB" and r["arg"].startswith("Access denied") for r in s["recs"]) for s in ss):
        fail(f"{label}: expected >= 2 denied sessions of {user} from {host}")
        return
    for s in ss:
        if s["tr"] != tr or "Quit" in cmds(s):
            fail(f"{label}: unexpected {s['first']!r} / {cmds(s)}")
    fc = aud_for(host, "FAILED_CONNECT")
    if len(fc) < 2 or {a["rc"] for a in fc} != {rc} or {a["user"] for a in fc} != {user}:
        fail(f"{label}: audit FAILED_CONNECT {[a['line'] for a in fc]}")
    s = ss[0]
    if not any(e["msg"].startswith(arg_start) for e in err_tid(s["tid"])):
        fail(f"{label}: no error-log line starting {arg_start!r} for thread {s['tid']}")
    show(label, host, [r["line"] for r in s["recs"]] + [e["line"] for e in err_tid(s["tid"])]
         + [a["line"] for a in aud if a["cid"] == s["tid"]])

denied_sessions("127.0.0.39", "app_bad_password", "app-user", "SSL/TLS", "1045",
                "Access denied for user 'app-user'@'127.0.0.39' (using password: YES)")
denied_sessions("127.0.0.40", "app_require_ssl_plain", "secure-only", "TCP/IP", "1045",
                "Access denied for user 'secure-only'@'127.0.0.40' (using password: YES)")
denied_sessions("127.0.0.43", "app_unknown_db", "app-user", "SSL/TLS", "1044",
                "Access denied for user 'app-user'@'%' to database 'no-such.db'")

# The setup session (root over the socket, TLS) and the readiness probe (root, Socket).
root = of("localhost", "root")
if sorted(s["tr"] for s in root) != ["SSL/TLS", "Socket"]:
    fail(f"root sessions: {[s['first'] for s in root]}")
else:
    show("sample_setup", "localhost", [r["line"] for s in root for r in s["recs"]])

# Time is printed only when it changes; every other record starts with two tabs.
stamped = sum(1 for r in recs if r["ts"])
if not (0 < stamped < len(recs)):
    fail(f"{stamped} of {len(recs)} records carry a time")
if cont < 10:
    fail(f"only {cont} continuation lines")
if not any("Connect\tdecoy@10.9.9.9" in c for r in recs for c in r["cont"]):
    fail("decoy continuation line not found")

if errors:
    for e in errors:
        print("make-samples: CHECK FAILED: " + e, file=sys.stderr)
    sys.exit(1)
print(f"# general log: {len(sessions)} sessions, {len(recs)} records ({stamped} with a time), {cont} continuation lines; "
      f"error log: {len(err)} lines; audit log: {len(aud)} records")
print("\n".join(proof))
PY

# ---------------------------------------------------------------- write OUT_DIR
for d in general error audit general-gz; do mkdir -p "$OUT_DIR/$d/$INSTANCE"; done
cat "$TMP/general.log" > "$OUT_DIR/general/$INSTANCE/mysql-general.log"
cat "$TMP/error.log" > "$OUT_DIR/error/$INSTANCE/mysql-error.log"
cat "$TMP/audit.log" > "$OUT_DIR/audit/$INSTANCE/server_audit.log"
gzip -n -9 -c "$TMP/general.log" > "$OUT_DIR/general-gz/$INSTANCE/mysql-general.log.gz"

SERVER_VERSION=$("$MARIADBD" --version)
CLIENT_VERSION=$(mariadb --version)
{
  cat <<EOF
# MariaDB sample logs — scenarios

Generated by \`samples/mariadb/make-samples.sh\` on $(date -u '+%Y-%m-%d %H:%M:%S UTC') with
\`$SERVER_VERSION\`, \`$CLIENT_VERSION\`, $(openssl version | cut -d' ' -f1-2).

Instance \`$INSTANCE\`. Files: \`general/$INSTANCE/mysql-general.log\` (general query log,
\`log_output=FILE\`), \`error/$INSTANCE/mysql-error.log\` (\`log_warnings=4\`),
\`audit/$INSTANCE/server_audit.log\` (server_audit plugin, \`server_audit_events=CONNECT\`,
file output), \`general-gz/$INSTANCE/mysql-general.log.gz\` (the general log, gzipped).
Server time zone UTC, \`skip_name_resolve\`, TLS server certificate for \`DNS:localhost\`
signed by a throwaway CA. Each TCP scenario reached the server from its own address through a
relay. Users \`app-user\`, \`svc.reporting\` and \`secure-only\` (\`REQUIRE SSL\`); databases
\`shop-db\` and \`reports.v2\`. All clients are the \`mariadb\` CLI (libmariadb) unless noted.

| scenario | client address | client settings | what the server logs | expected verdict |
|---|---|---|---|---|
| \`app_plain\` | 127.0.0.31 | \`--skip-ssl\` | general: \`app-user@127.0.0.31 on shop-db using TCP/IP\` (4 sessions) | not_affected (plaintext) |
| \`app_tls_noverify\` | 127.0.0.32 | \`--ssl\`, no \`--ssl-verify-server-cert\` | \`… using SSL/TLS\` (3) | review |
| \`app_default\` | 127.0.0.33 | no TLS option (10.11 client: TLS on, no verification) | \`svc.reporting@127.0.0.33 on reports.v2 using SSL/TLS\` (2) | review |
| \`app_verify\` | 127.0.0.34 | \`--ssl-verify-server-cert --ssl-ca=\`right CA, \`-h localhost\` | \`… using SSL/TLS\` (3), identical to the two above | review (the server cannot tell it verifies) |
| (\`app_wrong_ca\`, never in the general log) | 127.0.0.35 | \`--ssl-verify-server-cert --ssl-ca=\`wrong CA, \`-h localhost\` (client: \`TLS/SSL error: self-signed certificate in certificate chain\`) | no general-log line; error log \`Aborted connection N to db: 'unconnected' user: 'unauthenticated' host: '127.0.0.35' (This connection closed normally without authentication)\`, (directly, without the relay, some attempts first log \`Could not write packet: … errno: 104  vio_errno: 1160 …\` + \`[ERROR] mariadbd: Got an error writing communication packets\`); audit \`FAILED_CONNECT\` with empty user and code **1043** (3 attempts) | hint / review, unknown application: a TLS handshake failed; the cause (untrusted CA vs. TLS version) is not logged |
| (\`app_hostname_mismatch\`, never in the general log) | 127.0.0.36 | \`--ssl-verify-server-cert\`, right CA, \`-h 127.0.0.1\` (cert is for localhost) | error log \`Could not read packet … vio_errno: 1158 …\` + the same \`Aborted connection … 'unauthenticated'\`; audit \`FAILED_CONNECT\` code **1158** (2) | nothing usable: identical to \`tcp_probe\` |
| (\`app_tls_old\`, never in the general log) | 127.0.0.37 | \`--tls-version=TLSv1.1\` (server refuses it) | same as \`app_wrong_ca\`: \`Aborted connection … 'unauthenticated'\`, audit code **1043** (2) | not a CA problem, but indistinguishable from \`app_wrong_ca\` |
| (\`tcp_probe\`) | 127.0.0.38 | python socket: connect, read the greeting, close | like \`app_hostname_mismatch\`: audit code **1158** (2) | none (health check / port scan) |
| (\`app_bad_password\`) | 127.0.0.39 | default TLS, wrong password | general: \`Connect … using SSL/TLS\` then \`Connect\tAccess denied for user 'app-user'@'127.0.0.39' (using password: YES)\`; error log \`[Warning] Access denied …\`; audit \`FAILED_CONNECT\` code 1045 (2) | no verdict of its own (failed login; it did use TLS) |
| (\`app_require_ssl_plain\`) | 127.0.0.40 | \`REQUIRE SSL\` account \`secure-only\`, \`--skip-ssl\` | \`secure-only@127.0.0.40 on  using TCP/IP\` then \`Access denied …\` — exactly like a wrong password; audit 1045 (2) | not_affected (plaintext attempt, rejected) |
| \`app_no_db\` | 127.0.0.41 | \`svc.reporting\`, no database, default TLS | \`svc.reporting@127.0.0.41 on  using SSL/TLS\` (two spaces) (2) | review |
| \`app_killed\` | 127.0.0.42 | default TLS, client SIGKILLed during \`SELECT SLEEP($KILLED_QUERY_SECONDS)\` | \`Connect … using SSL/TLS\`, \`Query\`, **no \`Quit\`**; error log \`Aborted connection N to db: 'shop-db' user: 'app-user' host: '127.0.0.42' (Got an error …)\`; audit CONNECT + DISCONNECT (2) | review |
| (\`app_unknown_db\`) | 127.0.0.43 | \`-D no-such.db\` (no privileges there) | \`Connect app-user@127.0.0.43 on no-such.db using SSL/TLS\` then \`Init DB\tAccess denied for user 'app-user'@'%' to database 'no-such.db'\`; audit \`FAILED_CONNECT\` code 1044 (2) | no verdict of its own (failed login; it did use TLS) |
| \`app_socket\` | localhost (socket) | unix socket, \`--skip-ssl\` | \`svc.reporting@localhost on reports.v2 using Socket\` (2) | not_affected (plaintext) |
| \`app_socket_tls\` | localhost (socket) | unix socket, default TLS | \`app-user@localhost on shop-db using SSL/TLS\` (2): TLS over the socket replaces \`Socket\` | review |
| \`sample_setup\` | localhost (socket) | \`root\`: readiness probe \`--skip-ssl\` (\`using Socket\`), then the setup session with default TLS and \`SET sql_log_off=1\` (its statements are not logged) | 2 sessions | not_affected / review (admin) |

Not covered: a client that sets its own program name. The \`mariadb\` CLI always sends the
connect attribute \`program_name=mysql\` and has no option to change it, and none of these three
logs records connect attributes anyway (only \`performance_schema.session_connect_attrs\` does).

Noise: every session logs its statements; several are multi-line (continuation lines are written
raw, with no time, tab or id). One continuation line is a decoy containing the text
\`Connect<TAB>decoy@10.9.9.9 on shop-db using SSL/TLS\` inside a string literal. \`app_killed\` runs
in the background, so other sessions interleave with it. The error log also holds the server's
start/stop notes and the audit plugin's own lines (\`YYMMDD HH:MM:SS server_audit: …\`, a different
time format). Thread ids 1–2 are internal; the audit log's second field is the build machine's host name.

Log lines that prove each scenario (first session or attempt; checked by the script). Format:
\`scenario | client address | line\` (general-log lines keep their tabs):

\`\`\`
EOF
  cat "$TMP/proof.txt"
  echo '```'
} > "$OUT_DIR/SCENARIOS.md"

say "wrote $OUT_DIR/{general,error,audit,general-gz}/$INSTANCE/* and SCENARIOS.md in $((SECONDS - T0)) s"
