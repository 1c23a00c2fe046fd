#!/usr/bin/env bash
# Microbenchmark of the wire-format decoder/encoder: fuzz/bench.sh  (builds with swiftc -O into
# $FUZZ_BUILD, default /tmp/hindsight-fuzz, and prints µs per event).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${FUZZ_BUILD:-/tmp/hindsight-fuzz}"
mkdir -p "$build"
swiftc -O -parse-as-library -module-name WireBench -swift-version 6 \
    -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility \
    -enable-upcoming-feature InternalImportsByDefault \
    Sources/HindsightCore/Wire/*.swift fuzz/WireBench.swift -o "$build/wire-bench"
"$build/wire-bench"
