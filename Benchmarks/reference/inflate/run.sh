#!/usr/bin/env bash
# Inflate references: how fast each gzip library and tool decompresses the BTCUSDT recording to
# memory (or to /dev/null for the commands), best of RUNS (default 10).
#
#   bash Benchmarks/reference/inflate/run.sh [RUNS]     build if needed, then measure
#   bash Benchmarks/reference/inflate/run.sh --check    edge cases: several members, a member ending
#                                                       on the 256 KiB read boundary, header fields,
#                                                       bad CRC / ISIZE, truncation, trailing junk
#
# Prints `reference_inflate_<name>_seconds: X s` lines (liqwatch-bench's `name: value unit`), each of
# the in-process ones followed by a `# ...` line with the median, the worst and the output's CRC-32.
# Environment: RECORDING (default ../shared/data/binance-usdm/btcusdt_20240808.gz from the repository
# root). Needs gcc, zlib1g-dev, libdeflate-dev, libisal-dev, python3; the command lines also use
# isal (igzip), pigz, libdeflate-tools (libdeflate-gunzip) and hyperfine when they are installed:
#   apt-get update && apt-get install -y gcc zlib1g-dev libdeflate-dev libisal-dev isal pigz libdeflate-tools hyperfine
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
recording="${RECORDING:-$root/../shared/data/binance-usdm/btcusdt_20240808.gz}"
build="$here/.build"
mode="bench"
runs=10
if [[ "${1:-}" == "--check" ]]; then mode="check"; elif [[ -n "${1:-}" ]]; then runs="$1"; fi

if [[ ! -f "$recording" ]]; then
    echo "reference_inflate: skipped ($recording is absent)"
    exit 0
fi
for header in zlib.h libdeflate.h isa-l/igzip_lib.h; do
    if [[ ! -f "/usr/include/$header" ]]; then
        echo "missing /usr/include/$header: apt-get install -y zlib1g-dev libdeflate-dev libisal-dev" >&2
        exit 1
    fi
done

# Build what is missing or older than its source.
mkdir -p "$build"
build_one() { # name, libraries...
    local name="$1"; shift
    local out="$build/inflate_$name" src="$here/inflate_$name.c"
    if [[ ! -x "$out" || "$src" -nt "$out" || "$here/common.h" -nt "$out" ]]; then
        gcc -O2 -Wall -Wextra -o "$out" "$src" "$@"
    fi
}
build_one zlib -lz
build_one libdeflate -ldeflate -lz
build_one isal -lisal -lz

if [[ "$mode" == "check" ]]; then
    unpacked="$(mktemp "${TMPDIR:-/tmp}/liqwatch-inflate-check.XXXXXX")"
    cases="$(mktemp -d "${TMPDIR:-/tmp}/liqwatch-inflate-cases.XXXXXX")"
    trap 'rm -rf "$unpacked" "$cases"' EXIT
    gzip -dc "$recording" > "$unpacked"
    python3 "$here/make_test_files.py" "$unpacked" "$cases"
    status=0
    for file in "$cases"/*.gz; do
        name="$(basename "$file" .gz)"
        expected="(error)"
        [[ -f "$cases/$name.expected" ]] && expected="$(cut -d' ' -f1 "$cases/$name.expected")"
        printf '%s (expect %s)\n' "$name" "$expected"
        for program in "zlib stream" "isal stream" "libdeflate whole"; do
            set -- $program
            if line="$("$build/inflate_$1" "$2" "$file" 1 2>/dev/null | grep '^#')"; then
                got="$(sed 's/.*crc32 //' <<<"$line")"
            else
                got="(error)"
            fi
            verdict="ok"; [[ "$got" == "$expected" ]] || { verdict="WRONG"; status=1; }
            printf '  %-18s %-10s %s\n' "$1 $2" "$got" "$verdict"
        done
        for command in "gzip -dc" "igzip -dc" "pigz -dc" "libdeflate-gunzip -c"; do
            set -- $command
            command -v "$1" > /dev/null || continue
            # Commands only: decompressed bytes' CRC via python, exit status for errors.
            if got="$("$@" < "$file" 2>/dev/null | python3 -c 'import sys,zlib; print("%08x" % zlib.crc32(sys.stdin.buffer.read()))')" && "$@" < "$file" > /dev/null 2>&1; then :; else got="(error)"; fi
            verdict="ok"; [[ "$got" == "$expected" ]] || verdict="differs"
            printf '  %-18s %-10s %s\n' "$command" "$got" "$verdict"
        done
    done
    exit "$status"
fi

# In-process: best of $runs, to memory.
"$build/inflate_zlib" stream "$recording" "$runs"
"$build/inflate_zlib" whole "$recording" "$runs"
"$build/inflate_libdeflate" whole "$recording" "$runs"
"$build/inflate_isal" stream "$recording" "$runs"
"$build/inflate_isal" whole "$recording" "$runs"
"$build/inflate_isal" stateless "$recording" "$runs"

# Commands: best of $runs with hyperfine (no shell, output discarded like `> /dev/null`), or with a
# plain loop when hyperfine is absent.
time_command() { # name, command...
    local name="$1"; shift
    command -v "$1" > /dev/null || { echo "reference_inflate_$name: skipped ($1 not installed)"; return; }
    if command -v hyperfine > /dev/null; then
        local json; json="$(mktemp)"
        hyperfine -N --warmup 1 --runs "$runs" --output=null --export-json "$json" -- "$*" > /dev/null 2>&1
        python3 - "$json" "$name" "$runs" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
times = sorted(r["times"])
print(f"reference_inflate_{sys.argv[2]}_seconds: {times[0]:.4f} s")
print(f"# {sys.argv[2]}: best {times[0]:.4f} median {times[len(times) // 2]:.4f} worst {times[-1]:.4f} s over {sys.argv[3]} runs (hyperfine, process start included)")
EOF
        rm -f "$json"
    else
        local best=""
        for _ in $(seq "$runs"); do
            local start end
            start="$(date +%s.%N)"; "$@" > /dev/null; end="$(date +%s.%N)"
            best="$(python3 -c "import sys; t=$end-$start; b='$best'; print(min(t, float(b)) if b else t)")"
        done
        printf 'reference_inflate_%s_seconds: %.4f s\n' "$name" "$best"
    fi
}
time_command zcat zcat "$recording"
time_command igzip_cli igzip -d -c "$recording"
time_command pigz_cli pigz -d -c "$recording"
time_command libdeflate_gunzip_cli libdeflate-gunzip -c "$recording"
