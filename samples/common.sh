# Shared by samples/*/make-samples.sh (sourced, not run): messages, the throwaway
# certificates, and the relays that give each client scenario its own loopback address.
# The caller sets `set -euo pipefail`, PYTHON, and a cleanup trap that kills RELAY_PID.

say() { printf 'make-samples: %s\n' "$*" >&2; }
die() { printf 'make-samples: ERROR: %s\n' "$*" >&2; exit 1; }

SAMPLES_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
RELAY=$SAMPLES_DIR/postgresql/relay.py

# make_certs DIR: a sample root CA (ca.crt/.key), an unrelated wrong CA (wrong-ca.crt/.key),
# and a server certificate for DNS:localhost only (server.crt/.key) signed by the root, so
# that verify-full against 127.0.0.1 is a hostname mismatch.
make_certs() {
  local dir=$1
  say "making a throwaway CA, a server certificate (SAN DNS:localhost) and a wrong CA"
  mkca() { # name CN
    openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 3650 -config /dev/null \
      -keyout "$dir/$1.key" -out "$dir/$1.crt" -subj "/CN=$2" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      >/dev/null 2>&1 || die "openssl: cannot make CA $1"
  }
  mkca ca "sslcensus sample root CA"
  mkca wrong-ca "sslcensus unrelated wrong CA"
  openssl req -new -nodes -newkey rsa:2048 -sha256 -config /dev/null -subj "/CN=localhost" \
    -keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1 \
    || die "openssl: cannot make server key/CSR"
  printf '%s\n' 'subjectAltName=DNS:localhost' 'basicConstraints=critical,CA:FALSE' \
    'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' > "$dir/server.ext"
  openssl x509 -req -sha256 -days 3650 -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -set_serial "0x$(openssl rand -hex 8)" -extfile "$dir/server.ext" -out "$dir/server.crt" >/dev/null 2>&1 \
    || die "openssl: cannot sign the server certificate"
  openssl verify -CAfile "$dir/ca.crt" "$dir/server.crt" >/dev/null || die "server certificate does not verify"
  chmod 644 "$dir"/*.crt
}

# start_relays UPSTREAM_PORT READY_FILE OCTET...: one relay process listening on a 127.0.0.1
# port per octet N, connecting upstream from 127.0.0.N. Sets RELAY_PID and RPORT[N]=port.
start_relays() {
  local upstream=$1 ready=$2
  shift 2
  "$PYTHON" "$RELAY" --upstream "127.0.0.1:$upstream" --ready-file "$ready" --max-seconds 120 "$@" &
  RELAY_PID=$!
  for _ in $(seq 100); do
    [[ -f $ready ]] && break
    kill -0 "$RELAY_PID" 2>/dev/null || die "relay.py exited early (can this machine bind 127.0.0.N source addresses?)"
    sleep 0.1
  done
  [[ -f $ready ]] || die "relay.py did not come up"
  declare -gA RPORT
  while read -r n p; do RPORT[$n]=$p; done < "$ready"
}

# capture_query ENGINE: the capture query `sslcensus sql ENGINE` recommends (its first statement,
# comment lines dropped), from $SSLCENSUS_BIN, else from `cargo run`.
capture_query() {
  local out
  if [[ -n ${SSLCENSUS_BIN:-} ]]; then
    out=$("$SSLCENSUS_BIN" sql "$1") || die "$SSLCENSUS_BIN sql $1 failed"
  else
    out=$(cd "$SAMPLES_DIR/.." && cargo run -q --bin sslcensus -- sql "$1") || die "cargo run -- sql $1 failed"
  fi
  awk '/^--/ || !NF { next } { print } /;[[:space:]]*$/ { exit }' <<<"$out"
}

# stamp FILE...: a capture-time line (`date -u` in RFC 3339) appended to each FILE.
stamp() {
  local now f
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  for f in "$@"; do printf '%s\n' "$now" >> "$f"; done
}

# out_dir ARGS...: the one OUT_DIR argument of a dump script, made and made absolute.
out_dir() {
  [[ $# -eq 1 && -n $1 ]] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
  mkdir -p -- "$1"
  (cd -- "$1" && pwd)
}

# open_long TLS PLAIN SECONDS: a TLS and a plaintext session of the same user, open SECONDS
# in the background, their pids appended to the caller's `long` array; returns once both are
# open (the caller defines `hold` and `opened`, as for four_captures).
open_long() {
  hold "$1" "$3" tls
  long+=($!)
  hold "$2" "$3" plain
  long+=($!)
  until_open "$1"
  until_open "$2"
}

# four_captures TLS PLAIN SHORT: the scenario both dump scripts capture. The caller defines
# `hold OCTET SECONDS tls|plain` (a session from 127.0.0.OCTET open SECONDS in the background),
# `opened OCTET` (true once such a session is open) and `capture`. TLS and PLAIN stay open across
# all four captures; SHORT opens twice, each time seen by one capture (2 and 4).
four_captures() {
  local tls=$1 plain=$2 short=$3 pid long=()
  say "capture 1: a TLS session (127.0.0.$tls) and a plaintext one of the same user (127.0.0.$plain)"
  open_long "$tls" "$plain" 60
  capture
  for round in 2 4; do
    say "capture $round: a short TLS session (127.0.0.$short) too"
    hold "$short" 3 tls
    pid=$!
    until_open "$short"
    capture
    wait "$pid"
    if [[ $round -eq 2 ]]; then
      say "capture 3: the short one gone"
      capture
    fi
  done
  for pid in "${long[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}

until_open() {
  for _ in $(seq 100); do
    opened "$1" && return 0
    sleep 0.1
  done
  cat "$TMP/hold.err" >&2 2>/dev/null || true
  die "no session from 127.0.0.$1 opened"
}
