#!/usr/bin/env bash
# tests/scan-identical.sh [BASE_REV]
#
# The check every refactor of src/evidence runs: `sslcensus scan-config` built
# at BASE_REV (default: the merge-base with main) and built from the working
# tree must write the same CSV, byte for byte, over the fixture trees the scan
# tests use, samples/configs and a large real tree (~/.cargo/registry/src:
# thousands of crates' code and configs; SCAN_IDENTICAL_LARGE=DIR for another,
# SCAN_IDENTICAL_LARGE= to skip it). Exits 1 on any difference and prints the
# diff (the first SCAN_IDENTICAL_LINES lines, 200 by default); 2 on a usage or
# build error.
#
# Builds with $CARGO_TARGET_DIR (default target/), dependencies shared:
# BASE_REV is checked out in a temporary `git worktree` in this run's own work
# folder under it and built with a per-package profile setting of no effect
# (codegen-units=255) on the project's own crates. That gives the base build
# artifacts and fingerprints of their own: cargo would otherwise take the
# working tree's crates, with the same names and relative paths, for the ones
# it just built from the base and give its binary for both. So not two runs
# at once per target directory (from two worktrees): both bases build to the
# same artifacts, and one run may link the other's (seen). Each scan of the large tree takes a couple of minutes in a debug
# build; SCAN_IDENTICAL_PROFILE=release for release builds.
set -euo pipefail

repo=$(git rev-parse --show-toplevel)
cd "$repo"
base_rev=${1:-$(git merge-base main HEAD)}
base=$(git rev-parse --verify --quiet "$base_rev^{commit}") || {
    echo "scan-identical: no commit $base_rev" >&2
    exit 2
}
target=${CARGO_TARGET_DIR:-$repo/target}
profile=${SCAN_IDENTICAL_PROFILE:-dev}
profile_dir=$([ "$profile" = dev ] && echo debug || echo "$profile")
large=${SCAN_IDENTICAL_LARGE-$HOME/.cargo/registry/src}
lines=${SCAN_IDENTICAL_LINES:-200}
# A work folder of this run's own, removed after it (a failed check keeps its
# diff), so a run that was cut short leaves no worktree for the next to trip on.
mkdir -p "$target"
work=$(mktemp -d "$target/scan-identical.XXXXXX")
base_src=$work/base-src
export CARGO_TARGET_DIR=$target

cleanup() {
    git worktree remove --force "$base_src" 2>/dev/null || rm -rf "$base_src"
    git worktree prune
    # Keep the diff of a failed check for reading; drop the rest.
    if [ -s "$work/diff" ]; then
        rm -f "$work"/sslcensus-* "$work"/*.csv
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

build() { # build SRC OUT [CARGO ARGS]: SRC's sslcensus binary, hard-linked to OUT
    local src=$1 out=$2
    shift 2
    if ! (cd "$src" && cargo build -j1 --quiet --profile "$profile" --bin sslcensus "$@"); then
        echo "scan-identical: the build of $src failed" >&2
        exit 2
    fi
    # cargo replaces the binary rather than writing into it, so the link keeps
    # this build's while the other is built.
    ln -f "$target/$profile_dir/sslcensus" "$out"
}

git worktree prune
git worktree add --quiet --detach "$base_src" "$base"
echo "scan-identical: building $(git log -1 --format='%h %s' "$base" | cut -c1-72)" >&2
own_units=()
for package in sslcensus sslcensus-parsers; do
    own_units+=(--config "profile.$profile.package.$package.codegen-units=255")
done
build "$base_src" "$work/sslcensus-base" "${own_units[@]}"
echo "scan-identical: building the working tree" >&2
build "$repo" "$work/sslcensus-new"

roots=()
for tree in tests/fixtures/apps tests/fixtures/commented samples/configs; do
    [ -d "$repo/$tree" ] && roots+=("$repo/$tree")
done
if [ -n "$large" ]; then
    if [ -d "$large" ]; then
        roots+=("$large")
    else
        echo "scan-identical: no $large; the large tree is skipped" >&2
    fi
fi

scan() { # scan BINARY OUT: each root's CSV, exit code and errors, in order
    for root in "${roots[@]}"; do
        echo "### scan-config $root"
        local rc=0
        "$1" scan-config -q "$root" 2>"$work/stderr" || rc=$?
        echo "### exit code $rc"
        sed 's/^/### stderr: /' "$work/stderr"
    done >"$2"
}

echo "scan-identical: scanning ${roots[*]}" >&2
scan "$work/sslcensus-base" "$work/base.csv" &
base_scan=$!
scan "$work/sslcensus-new" "$work/new.csv"
wait "$base_scan"

if cmp -s "$work/base.csv" "$work/new.csv"; then
    echo "scan-identical: identical ($(grep -vc '^###' "$work/new.csv") CSV lines) at $(git rev-parse --short "$base") and the working tree"
    exit 0
fi
echo "scan-identical: DIFFERENT at $(git rev-parse --short "$base") (-) and the working tree (+):"
diff -u "$work/base.csv" "$work/new.csv" >"$work/diff" || true
echo "$(grep -c '^-[^-]' "$work/diff" || true) rows removed, $(grep -c '^+[^+]' "$work/diff" || true) rows added"
head -n "$lines" "$work/diff"
[ "$(wc -l <"$work/diff")" -le "$lines" ] || echo "... (the whole diff: $work/diff)"
exit 1
