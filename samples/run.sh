#!/usr/bin/env bash
# Builds sslcensus and runs it on the bundled PostgreSQL and MariaDB samples
# (logs of real servers, see samples/*/SCENARIOS.md): the report
# goes to report.csv, the summary to the terminal.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v cargo >/dev/null 2>&1; then
  echo "run.sh: cargo not found: install Rust with rustup (https://rustup.rs), then run again" >&2
  exit 1
fi
if ! command -v cc >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc >/dev/null
fi
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/sslcensus-target}
# report.csv unless the arguments name an output (-o report.html).
output=(-o report.csv)
for arg in "$@"; do
  [[ $arg == -o || $arg == --output || $arg == --output=* ]] && output=()
done
cargo run --quiet --locked -- analyze samples/postgresql/stderr \
  samples/mariadb/general samples/mariadb/error samples/mariadb/audit \
  --scan samples/configs --app-map samples/configs/app-map.csv "${output[@]}" "$@"
