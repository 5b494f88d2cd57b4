# Sourced (not run) by samples/mariadb/make-samples.sh and samples/dumps/mariadb.sh, after
# samples/common.sh, under `set -euo pipefail`: a private TLS-enabled mariadbd on 127.0.0.1 and a
# socket with its general, error and audit logs on, the sample users (app-user, svc.reporting,
# secure-only) and databases (shop-db, reports.v2) set up, and a cleanup trap that stops it and
# removes its temp dir. MARIADB_EXTRA_ARGS (an array, optional) adds server options. Leaves M
# (the client command), SOCK, PORT, CERTS, LOGS, TMP, MARIADBD, stop_server and KILLED_PIDS for
# the caller; the caller starts its relays (start_relays) and sets RELAY_PID.
# ---------------------------------------------------------------- environment
# Nothing from the caller's client environment may change what the clients do.
while read -r v; do
  case $v in MYSQL*|MARIADB*) unset "$v" ;; esac
done < <(compgen -e)
export TZ=UTC LC_ALL=C
# mariadbd lives in /usr/sbin, which is not on a normal user's PATH.
for d in /usr/local/sbin /usr/sbin /sbin; do
  case ":$PATH:" in *":$d:"*) ;; *) PATH=$PATH:$d ;; esac
done

need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found on PATH${2:+ ($2)}"; }
need mariadbd "Debian package mariadb-server-core"
need mariadb-install-db "Debian package mariadb-server-core"
need mariadb "Debian package mariadb-client-core"
PYTHON=${PYTHON:-python3}
need "$PYTHON"; need openssl; need gzip
MARIADBD=$(command -v mariadbd)
[[ -f $RELAY ]] || die "relay.py missing at $RELAY"
PLUGIN_DIR=$("$MARIADBD" --no-defaults --verbose --help 2>/dev/null | awk '$1 == "plugin-dir" {print $2}')
[[ -n $PLUGIN_DIR && -f $PLUGIN_DIR/server_audit.so ]] \
  || die "server_audit.so not found in the plugin dir '${PLUGIN_DIR:-?}' (Debian package mariadb-server)"

if [[ $(id -u) -eq 0 ]]; then
  DB_OS_USER=${SSLCENSUS_MARIADB_OS_USER:-mysql}
  id -u "$DB_OS_USER" >/dev/null 2>&1 || die "OS user $DB_OS_USER missing (the Debian mariadb-server package creates 'mysql')"
  USER_OPT=(--user="$DB_OS_USER")
else
  DB_OS_USER=$(id -un)
  USER_OPT=()
fi

# ---------------------------------------------------------------- temp dir + cleanup
TMP=$(mktemp -d /tmp/mariadbsamples.XXXXXX)
chmod 755 "$TMP"
DB=$TMP/db              # owned by the server's OS user: data, socket, logs
DATADIR=$DB/data
# Private temp dir: bootstraps run side by side (the tests do) otherwise share /tmp for their
# internal temporary tables, and one run's cleanup removes another's ("Unknown table
# 'mysql.tmp_user_sys'", seen failing 4 of 24 runs four at a time).
DBTMP=$DB/tmp
SOCK=$DB/mysqld.sock
LOGS=$DB/logs
CERTS=$TMP/certs        # client-side files (world-readable; keys are throwaway)
RELAY_PID=""
SERVER_PID=""
KILLED_PIDS=()

stop_server() { # $1 = seconds to wait for a clean exit before SIGKILL
  local pid=$SERVER_PID i
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < $1 * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    SERVER_PID=""
    return 1
  fi
  wait "$pid" 2>/dev/null || true
  SERVER_PID=""
}

cleanup() {
  local rc=$? p
  set +e
  for p in "${KILLED_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  if [[ -n $RELAY_PID ]]; then
    kill "$RELAY_PID" 2>/dev/null
    wait "$RELAY_PID" 2>/dev/null
  fi
  stop_server 20
  rm -rf -- "$TMP"
  if [[ $rc -ne 0 ]]; then say "FAILED (exit $rc)"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$TMP"   # a directory every user involved can enter
mkdir -p "$DB" "$DATADIR" "$DBTMP" "$LOGS" "$CERTS" "$TMP/home"
[[ $(id -u) -eq 0 ]] && chown -R "$DB_OS_USER" "$DB"
[[ ${#SOCK} -lt 100 ]] || die "socket path too long: $SOCK"
export HOME=$TMP/home   # no ~/.my.cnf of the caller's (the clients also use --no-defaults)

# ---------------------------------------------------------------- 1. certificates
make_certs "$CERTS"
install -m 644 "$CERTS/ca.crt" "$DB/ca.crt"
install -m 644 "$CERTS/server.crt" "$DB/server.crt"
install -m 600 "$CERTS/server.key" "$DB/server.key"
[[ $(id -u) -eq 0 ]] && chown "$DB_OS_USER" "$DB/ca.crt" "$DB/server.crt" "$DB/server.key"

# ---------------------------------------------------------------- 2. server
say "mariadb-install-db ($("$MARIADBD" --version | awk '{print $3}')) into $DATADIR"
mariadb-install-db --no-defaults "${USER_OPT[@]}" --datadir="$DATADIR" \
  --auth-root-authentication-method=normal --skip-test-db --cross-bootstrap --tmpdir="$DBTMP" \
  >"$TMP/install-db.log" 2>&1 || { cat "$TMP/install-db.log" >&2; die "mariadb-install-db failed"; }

PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
say "starting mariadbd on 127.0.0.1:$PORT (socket $SOCK) as OS user $DB_OS_USER"
"$MARIADBD" --no-defaults "${USER_OPT[@]}" \
  --datadir="$DATADIR" --tmpdir="$DBTMP" --pid-file="$DB/mysqld.pid" --socket="$SOCK" \
  --bind-address=127.0.0.1 --port="$PORT" --skip-name-resolve \
  --max-connections=40 --table-open-cache=200 --open-files-limit=1024 \
  --innodb-buffer-pool-size=16M --skip-innodb-doublewrite --innodb-flush-log-at-trx-commit=0 \
  --default-time-zone=+00:00 --lc-messages=en_US \
  --ssl-ca="$DB/ca.crt" --ssl-cert="$DB/server.crt" --ssl-key="$DB/server.key" \
  --log-error="$LOGS/mysql-error.log" --log-warnings=4 \
  --log-output=FILE --general-log=1 --general-log-file="$LOGS/mysql-general.log" \
  --plugin-load-add=server_audit --server-audit-logging=ON --server-audit-events=CONNECT \
  --server-audit-output-type=file --server-audit-file-path="$LOGS/server_audit.log" \
  ${MARIADB_EXTRA_ARGS[@]+"${MARIADB_EXTRA_ARGS[@]}"} \
  </dev/null >"$TMP/mariadbd.out" 2>&1 &
SERVER_PID=$!

# Client helpers. --no-defaults: no option files at all (Debian's /etc/mysql/... included).
M=(mariadb --no-defaults --connect-timeout=10 --batch --skip-column-names)
up=""
for _ in $(seq 300); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    cat "$TMP/mariadbd.out" "$LOGS/mysql-error.log" >&2 2>/dev/null || true
    die "mariadbd exited during startup"
  fi
  if [[ -S $SOCK ]] && "${M[@]}" -S "$SOCK" -u root --skip-ssl -e 'SELECT 1' >/dev/null 2>&1; then
    up=1; break
  fi
  sleep 0.1
done
[[ -n $up ]] || { cat "$LOGS/mysql-error.log" >&2 2>/dev/null || true; die "mariadbd did not come up in 30 s"; }
# (That readiness probe is the first session in the general log: root@localhost using Socket.)

# Setup as root over the socket with sql_log_off=1 for this session, so that no CREATE USER
# ... IDENTIFIED BY (password) statement reaches the general log. Only its Connect line and
# the SET itself are logged. The client's default TLS is on, also over the socket.
"${M[@]}" -S "$SOCK" -u root <<'EOF' >/dev/null || die "setup SQL failed"
SET sql_log_off=1;
CREATE USER 'app-user'@'%' IDENTIFIED BY 'sample-pass-1';
CREATE USER 'svc.reporting'@'%' IDENTIFIED BY 'sample-pass-2';
CREATE USER 'secure-only'@'%' IDENTIFIED BY 'sample-pass-3' REQUIRE SSL;
CREATE DATABASE `shop-db`;
CREATE DATABASE `reports.v2`;
GRANT SELECT, INSERT, UPDATE, DELETE ON `shop-db`.* TO 'app-user'@'%';
GRANT SELECT ON `shop-db`.* TO 'svc.reporting'@'%', 'secure-only'@'%';
GRANT SELECT ON `reports.v2`.* TO 'svc.reporting'@'%';
USE `shop-db`;
CREATE TABLE orders (id INT PRIMARY KEY, customer VARCHAR(50) NOT NULL,
  total DECIMAL(10,2), placed_at DATETIME DEFAULT CURRENT_TIMESTAMP);
INSERT INTO orders (id, customer, total)
  SELECT seq, CONCAT('customer ', seq % 7), seq * 1.5 FROM seq_1_to_50;
CREATE TABLE `reports.v2`.daily (day DATE PRIMARY KEY, orders INT, revenue DECIMAL(12,2));
INSERT INTO `reports.v2`.daily VALUES ('2026-01-01', 12, 310.50), ('2026-01-02', 9, 120.00);
EOF
