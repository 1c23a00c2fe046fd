#!/usr/bin/env bash
# Fuzzes the wire-format decoder with libFuzzer, seeded with the example messages.
#
#   fuzz/run.sh [seconds] [extra libFuzzer flags…]     (default 600 s, one worker)
#
# Builds fuzz/WireFuzz.swift with Sources/HindsightCore/Wire/*.swift (`swiftc -sanitize=fuzzer,address`)
# into $FUZZ_BUILD (default /tmp/hindsight-fuzz), runs with a working corpus in fuzz/corpus-run (git-
# ignored), and writes crashing inputs as fuzz/crash-* (git-ignored). Exit status is libFuzzer's.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"; shift || true
build="${FUZZ_BUILD:-/tmp/hindsight-fuzz}"
mkdir -p "$build" fuzz/corpus-run
flags=(-enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility
       -enable-upcoming-feature InternalImportsByDefault -swift-version 6)
swiftc -sanitize=fuzzer,address -O -g -parse-as-library -module-name WireFuzz "${flags[@]}" \
    Sources/HindsightCore/Wire/*.swift fuzz/WireFuzz.swift -o "$build/wire-fuzz"
seeds="$build/seeds"
rm -rf "$seeds" && mkdir -p "$seeds"
cp Tests/HindsightCoreTests/Examples/valid/*.json Tests/HindsightCoreTests/Examples/invalid/*.json "$seeds/"
exec "$build/wire-fuzz" fuzz/corpus-run "$seeds" \
    -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=1024 \
    -dict=fuzz/json.dict -artifact_prefix=fuzz/crash- -print_final_stats=1 "$@"
