#!/bin/sh
# Runs one fuzz target for a fixed time, one process (-fork=1 keeps going
# after a crash: every crash/timeout/OOM is written to fuzz/artifacts/T/).
#   fuzz/run.sh TARGET SECONDS [extra libFuzzer flags...]
# Targets: parse_object, parse_archive, link. Needs `cargo install cargo-fuzz`
# and a nightly toolchain. Run from the repository root.
set -eu
t=$1; secs=$2; shift 2
mkdir -p fuzz/corpus/$t fuzz/logs
RAYON_NUM_THREADS=1 exec cargo +nightly fuzz run -s none "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -dict=fuzz/wasm.dict -print_final_stats=1 "$@"
