#!/usr/bin/env bash
# make-dumps.sh OUT_DIR
#
# Real session dumps of every form the psql and mariadb clients print: runs postgresql.sh into
# OUT_DIR/postgresql and mariadb.sh into OUT_DIR/mariadb (see each for the scenario). The
# committed samples are `bash samples/dumps/make-dumps.sh samples/dumps`; the SQL Server ones
# (OUT_DIR/sqlserver) are typed by hand, since no SQL Server runs here, and are left alone.
set -euo pipefail
[[ $# -eq 1 && -n $1 ]] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
here=$(dirname -- "${BASH_SOURCE[0]}")
bash "$here/postgresql.sh" "$1/postgresql"
bash "$here/mariadb.sh" "$1/mariadb"
