#!/usr/bin/env bash
# simdjson decode-only reference: how fast simdjson's On-Demand API (one thread) decodes the
# BTCUSDT recording the way liqwatch's Binance decoder must (see simdjson_decode.cpp).
#
#   bash Benchmarks/reference/run.sh [RUNS]       RUNS: best of how many (default 10)
#
# 1. unpacks the recording to ${TMPDIR:-/tmp}/liqwatch-reference-btcusdt.txt unless an unpacked
#    copy at least as new as the .gz is there already;
# 2. builds Benchmarks/reference/.build/simdjson_decode unless it is newer than its source;
# 3. runs it, which prints its counts and checksum and, in liqwatch-bench's `name: value unit` form,
#      reference_simdjson_decode_seconds: X s             (the lines already in memory)
#      reference_simdjson_decode_MB_per_second: Y MB/s
#      reference_simdjson_read_and_decode_seconds: X s    (reading the file from the page cache too,
#      reference_simdjson_read_and_decode_MB_per_second   as liqwatch-bench's decode_only figure does)
#
# Environment: RECORDING (default ../shared/data/binance-usdm/btcusdt_20240808.gz from the repository
# root). Needs g++ and libsimdjson-dev:  apt-get update && apt-get install -y g++ libsimdjson-dev
# Check the counts and checksum independently: python3 Benchmarks/reference/verify_checksum.py FILE
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
recording="${RECORDING:-$root/../shared/data/binance-usdm/btcusdt_20240808.gz}"
runs="${1:-10}"

if [[ ! -f "$recording" ]]; then
    echo "reference_simdjson_decode: skipped ($recording is absent)"
    exit 0
fi

unpacked="${TMPDIR:-/tmp}/liqwatch-reference-$(basename "$recording" .gz).txt"
if [[ ! -f "$unpacked" || "$recording" -nt "$unpacked" ]]; then
    gzip -dc "$recording" > "$unpacked.partial"
    mv "$unpacked.partial" "$unpacked"
fi

binary="$here/.build/simdjson_decode"
if [[ ! -x "$binary" || "$here/simdjson_decode.cpp" -nt "$binary" ]]; then
    if [[ ! -f /usr/include/simdjson.h ]] || ! command -v g++ > /dev/null; then
        echo "missing g++ or simdjson: apt-get update && apt-get install -y g++ libsimdjson-dev" >&2
        exit 1
    fi
    mkdir -p "$here/.build"
    g++ -O3 -march=native -std=c++17 -Wall -Wextra -o "$binary" "$here/simdjson_decode.cpp" -lsimdjson
fi

"$binary" "$unpacked" "$runs"
