# Sourced (not run) by samples/postgresql/make-samples.sh and samples/dumps/postgresql.sh, after
# samples/common.sh, under `set -euo pipefail`: a private TLS-enabled PostgreSQL cluster of any
# major 13-18 on 127.0.0.1 and a socket, logging connections in every format that major writes,
# with the sample roles (app-user, svc.reporting) and databases (appdb, "Sales DW",
# secure_only) set up, and a cleanup trap that stops it and removes its temp dir. Leaves PSQL,
# PORT, SOCK, CERTS, PGDATA, TMP, MAJOR, SERVER_VERSION, as_pg, SERVER_ENV and PG_CTL for the
# caller; the caller starts its relays (start_relays) and sets RELAY_PID.
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
