#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each (default 60) on
# nightly Rust with cargo-fuzz, from the committed seeds (fuzz/corpus/);
# what the fuzzer adds goes to a scratch folder, not the repository. A crash
# is copied to fuzz/regressions/<target>/, which tests/fuzz_regressions.rs
# replays on stable in every test run, and the script exits 1.
#   fuzz/run.sh                 # every target, 60 s each
#   SECONDS_PER_TARGET=600 fuzz/run.sh settings
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
budget=${SECONDS_PER_TARGET:-60}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/sslcensus-fuzz-target}
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(log_lines line_prefix dumps settings truststore inventory)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$root/fuzz"
failed=0
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  echo "== $t: ${budget}s"
  if ! cargo +nightly fuzz run "$t" "$scratch/$t" "corpus/$t" -- \
      -max_total_time="$budget" -max_len=65536 -timeout=10 -rss_limit_mb=2048 2>"$scratch/$t.log"; then
    failed=1
    mkdir -p "regressions/$t"
    cp artifacts/"$t"/* "regressions/$t/" 2>/dev/null || true
    tail -40 "$scratch/$t.log"
    echo "== $t: FOUND a failure; kept in fuzz/regressions/$t/"
  else
    grep -E "^#[0-9]+.*DONE|Done [0-9]+ runs" "$scratch/$t.log" | tail -1
  fi
done
exit $failed
