#!/usr/bin/env bash
# canary.sh OUT_DIR [INSTANCE]
#
# The README's canary walkthrough on a real server: a private TLS-enabled PostgreSQL whose
# server certificate is signed by CA-1, clients of known behaviour connecting round after
# round, each from its own loopback address (relay.py), then at time T the server
# certificate is switched to one signed by CA-2 (new files, pg_reload_conf()) while the
# clients keep connecting.
#
#   127.0.0.31 canary_verify_full  verify-full, root CA-1 only        -> refused after T
#   127.0.0.32 canary_verify_ca    verify-ca, root CA-1 only          -> refused after T
#   127.0.0.33 canary_prefer_ca1   prefer, root CA-1 only (verifies)  -> plaintext after T
#   127.0.0.34 canary_require      require, no root (no verification) -> TLS throughout
#   127.0.0.35 canary_disable      disable                            -> plaintext throughout
#   127.0.0.36 canary_bundle       verify-full, roots CA-1 and CA-2   -> TLS throughout
#
# Output (INSTANCE, default pg-canary):
#   OUT_DIR/stderr/INSTANCE/postgresql.log   the server's stderr log (RDS-like prefix)
#   OUT_DIR/csvlog/INSTANCE/postgresql.log.csv
#   OUT_DIR/at.txt                           T, RFC 3339 (whole second: the stderr prefix's %t)
#
# Server and clients as make-samples.sh finds them (server.sh); root or a normal user.
set -euo pipefail

# shellcheck source=../common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../common.sh"

[[ ($# -eq 1 || $# -eq 2) && -n $1 ]] || { echo "usage: $0 OUT_DIR [INSTANCE]" >&2; exit 2; }
mkdir -p -- "$1"
OUT_DIR=$(cd -- "$1" && pwd)
INSTANCE=${2:-pg-canary}
ROUNDS=${CANARY_ROUNDS:-3}

# shellcheck source=server.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/server.sh"

# ---------------------------------------------------------------- CA-2 and its server certificate
# server.sh made CA-1 (ca.crt) and the server certificate it signed; the new CA signs a
# certificate for the same name (DNS:localhost) and key usage.
openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 3650 -config /dev/null \
  -keyout "$CERTS/ca2.key" -out "$CERTS/ca2.crt" -subj "/CN=sslcensus canary new CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  >/dev/null 2>&1 || die "openssl: cannot make CA-2"
openssl req -new -nodes -newkey rsa:2048 -sha256 -config /dev/null -subj "/CN=localhost" \
  -keyout "$CERTS/server2.key" -out "$CERTS/server2.csr" >/dev/null 2>&1 \
  || die "openssl: cannot make the new server key"
openssl x509 -req -sha256 -days 3650 -in "$CERTS/server2.csr" -CA "$CERTS/ca2.crt" -CAkey "$CERTS/ca2.key" \
  -set_serial "0x$(openssl rand -hex 8)" -extfile "$CERTS/server.ext" -out "$CERTS/server2.crt" >/dev/null 2>&1 \
  || die "openssl: cannot sign the new server certificate"
cat "$CERTS/ca.crt" "$CERTS/ca2.crt" > "$CERTS/bundle.crt"
chmod 644 "$CERTS"/*.crt

# ---------------------------------------------------------------- relays and clients
OCTETS=(31 32 33 34 35 36)
start_relays "$PORT" "$TMP/relay.ports" "${OCTETS[@]}"

via() { local n=$1; shift; printf 'host=127.0.0.1 port=%s %s' "${RPORT[$n]}" "$*"; }
# Through the relay, with the name the certificate holds (verify-full checks it).
named() { local n=$1; shift; printf 'host=localhost hostaddr=127.0.0.1 port=%s %s' "${RPORT[$n]}" "$*"; }
Q_SSL="SELECT CASE WHEN ssl THEN 'tls' ELSE 'plain' END FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
APP='user=app-user dbname=appdb'
CA1="sslrootcert=$CERTS/ca.crt"
BUNDLE="sslrootcert=$CERTS/bundle.crt"
NOROOT="sslrootcert=$CERTS/does-not-exist.crt"

# connects WHAT EXPECT CONNINFO: a session the server must see as EXPECT (tls | plain)
connects() {
  local out
  out=$("$PSQL" -X -q -w -At -d "$3" -c "$Q_SSL" 2>"$TMP/psql.err") \
    || { cat "$TMP/psql.err" >&2; die "$1: psql failed ($3)"; }
  [[ $out == "$2" ]] || die "$1: server saw '$out', expected '$2'"
}
# refused WHAT CONNINFO: the client turns the server certificate down
refused() {
  if "$PSQL" -X -q -w -At -d "$2" -c "SELECT 1" >/dev/null 2>"$TMP/psql.err"; then
    die "$1: connection unexpectedly succeeded ($2)"
  fi
  grep -q 'certificate verify failed' "$TMP/psql.err" \
    || { cat "$TMP/psql.err" >&2; die "$1: expected a certificate verification failure"; }
}

round() { # before | after
  local prefer=tls
  [[ $1 == after ]] && prefer=plain
  if [[ $1 == before ]]; then
    connects canary_verify_full tls "$(named 31 "$APP sslmode=verify-full $CA1 application_name=canary_verify_full")"
    connects canary_verify_ca tls "$(via 32 "$APP sslmode=verify-ca $CA1 application_name=canary_verify_ca")"
  else
    refused canary_verify_full "$(named 31 "$APP sslmode=verify-full $CA1 application_name=canary_verify_full")"
    refused canary_verify_ca "$(via 32 "$APP sslmode=verify-ca $CA1 application_name=canary_verify_ca")"
  fi
  connects canary_prefer_ca1 "$prefer" "$(via 33 "$APP sslmode=prefer $CA1 application_name=canary_prefer_ca1")"
  connects canary_require tls "$(via 34 "$APP sslmode=require $NOROOT application_name=canary_require")"
  connects canary_disable plain "$(via 35 "$APP sslmode=disable application_name=canary_disable")"
  connects canary_bundle tls "$(named 36 "$APP sslmode=verify-full $BUNDLE application_name=canary_bundle")"
}

for r in $(seq "$ROUNDS"); do say "round $r, CA-1"; round before; done

# T: the next whole second (the stderr log's times are whole seconds), once it has begun.
T=$(($(date +%s) + 1))
while (($(date +%s) < T)); do sleep 0.05; done
say "switching the server certificate to CA-2's at $(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)"
install -m 644 "$CERTS/server2.crt" "$PGDATA/server.crt"
install -m 600 "$CERTS/server2.key" "$PGDATA/server.key"
[[ $(id -u) -eq 0 ]] && chown "$PG_OS_USER" "$PGDATA/server.crt" "$PGDATA/server.key"
"$PSQL" -X -q -w -At -d "host=$SOCK port=$PORT user=postgres dbname=postgres application_name=canary_switch" \
  -c "SELECT pg_reload_conf()" >/dev/null || die "pg_reload_conf() failed"
# The postmaster loads the new certificate when it handles the reload signal.
sleep 1

for r in $(seq "$ROUNDS"); do say "round $r, CA-2"; round after; done

# ---------------------------------------------------------------- stop + collect
kill "$RELAY_PID" 2>/dev/null || true
wait "$RELAY_PID" 2>/dev/null || true
RELAY_PID=""
as_pg "${SERVER_ENV[@]}" "$PG_CTL" -D "$PGDATA" -m fast -w -t 30 stop >/dev/null || die "pg_ctl stop failed"
mkdir -p "$OUT_DIR/stderr/$INSTANCE" "$OUT_DIR/csvlog/$INSTANCE"
shopt -s nullglob
stderr_logs=("$PGDATA"/log/postgresql.log.????-??-??-??)
csv_logs=("$PGDATA"/log/postgresql.log.????-??-??-??.csv)
shopt -u nullglob
((${#stderr_logs[@]} >= 1 && ${#csv_logs[@]} >= 1)) || die "no server log in $PGDATA/log"
# An hour boundary during the run gives two files of each: one log each, in order.
for f in "${stderr_logs[@]}"; do as_pg cat "$f"; done > "$OUT_DIR/stderr/$INSTANCE/postgresql.log"
for f in "${csv_logs[@]}"; do as_pg cat "$f"; done > "$OUT_DIR/csvlog/$INSTANCE/postgresql.log.csv"
date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ > "$OUT_DIR/at.txt"
say "done: $OUT_DIR (T = $(cat "$OUT_DIR/at.txt"))"
