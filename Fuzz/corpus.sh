#!/usr/bin/env bash
# Makes the seed corpora: Fuzz/.build-fuzz/corpus/<target>/ holds the hand-written seeds of
# Fuzz/seeds/<target>/ plus small samples cut at run time from the real recordings in
# ../shared/data (never copied into the repository): the first lines of each file and windows of
# lines at deterministic random places, CSV headers kept, long book arrays cut to 8 levels so a
# sample stays a few KB. Without ../shared/data only the committed seeds are used.
#
#   Fuzz/corpus.sh [TARGET...]        (LIQWATCH_DATA overrides the data directory)
#
# A corpus directory is made afresh each time; what libFuzzer adds to it during a run (run.sh keeps
# that in .build-fuzz/corpus-found/<target>/) is not touched.
set -euo pipefail

fuzz=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$fuzz")
out=${FUZZ_OUT:-$fuzz/.build-fuzz}/corpus
data=${LIQWATCH_DATA:-$root/../shared/data}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for file in "$fuzz"/Targets/*.swift; do targets+=("$(basename "$file" .swift)"); done
fi

have_data=0
[ -f "$data/README.md" ] && have_data=1
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trap 'echo "corpus.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

# Lines of a recording, book arrays ("b", "a", "bids", "asks") cut to their first 8 levels.
lines() {
    case "$1" in *.gz) gzip -dc "$1" ;; *) cat "$1" ;; esac | perl -pe '
        s{("(?:b|a|bids|asks)":\[)((?:\[[^\[\]]*\],?){0,8})(?:\[[^\[\]]*\],?)*\]}{my ($k, $v) = ($1, $2); $v =~ s/,$//; "$k$v]"}ge'
}

# The path of a recording's trimmed lines (made once per run).
cached() {
    local cache="$work/$(echo "$1" | sha1sum | cut -c1-12)"
    [ -f "$cache" ] || lines "$1" > "$cache"
    echo "$cache"
}

# cut FILE TARGET NAME [FIRST] [WINDOWS] [SIZE] [MAXBYTES] [HEADER]: writes NAME-first (the first
# FIRST lines) and NAME-N (WINDOWS windows of SIZE lines at random places), each at most MAXBYTES
# bytes (lines that would pass it are left out). HEADER=1 starts every sample with line 1.
cut_samples() {
    local file=$1 target=$2 name=$3 first=${4:-10} windows=${5:-20} size=${6:-3} maxbytes=${7:-3500} header=${8:-0}
    local cache
    cache=$(cached "$file")
    awk -v dir="$out/$target" -v name="$name" -v first="$first" -v windows="$windows" -v size="$size" \
        -v maxbytes="$maxbytes" -v header="$header" '
        { line[NR] = $0 }
        function emit(path, from, count,    i, n, bytes) {
            bytes = 0; n = 0
            if (header && from > 1) { printf "%s\n", line[1] > path; bytes = length(line[1]) + 1 }
            for (i = from; i < from + count && i <= NR; i++) {
                if (bytes + length(line[i]) + 1 > maxbytes) continue
                printf "%s\n", line[i] > path; bytes += length(line[i]) + 1; n++
            }
            close(path)
            if (n == 0) system("rm -f \"" path "\"")
        }
        END {
            srand(20240808)
            if (first > 0) emit(dir "/" name "-first", 1, first)
            for (w = 1; w <= windows && NR > 1; w++) {
                start = 1 + (header ? 1 : 0) + int(rand() * (NR - (header ? 1 : 0)))
                emit(dir "/" name "-" w, start, size)
            }
        }' "$cache"
}

# The raw frames of the liquidation messages (Binance forceOrder and others), one a line.
liquidation_frames() {
    perl -ne 'print "$1\n" if /"message": (.*)\}\s*$/' "$data/liquidations/exchange_liquidation_messages.jsonl"
}

# Binance's timestamped lines without the receive time: raw frames (time from "E").
raw_frames() { cut -d' ' -f2-; }

make_gz() { gzip -n -c > "$1"; }

for target in "${targets[@]}"; do
    dir="$out/$target"
    rm -rf "$dir"
    mkdir -p "$dir"
    [ -d "$fuzz/seeds/$target" ] && cp "$fuzz/seeds/$target"/* "$dir"/ 2>/dev/null || true
    [ $have_data -eq 1 ] || continue
    binance=$data/binance-usdm/btcusdt_20240808.gz
    cryptofeed=$data/cryptofeed/BINANCE_FUTURES.ws.1.0
    http=$data/cryptofeed/BINANCE_FUTURES.http.0.0
    okx=$data/okx/OKX.ws.1.0
    incremental=$data/tardis/deribit_incremental_book_L2_BTC-PERPETUAL.csv
    snapshot=$data/tardis/binance-futures_book_snapshot_25_BTCUSDT.csv
    case "$target" in
        decode_binance)
            cut_samples "$binance" "$target" binance 8 40 2
            cut_samples "$binance" "$target" binance1 0 20 1
            sed -n '40,60p' "$(cached "$binance")" | raw_frames > "$work/raw"
            cut_samples "$work/raw" "$target" raw 6 10 2
            liquidation_frames > "$work/liq"
            cut_samples "$work/liq" "$target" liquidations 0 15 2
            cut_samples "$data/bybit/2024-12-01_XRPUSDT_ob500.data" "$target" bybit 2 3 1
            cut_samples "$data/hyperliquid/btcusd_20250126.gz" "$target" hyperliquid 0 3 1
            ;;
        decode_cryptofeed)
            cut_samples "$cryptofeed" "$target" cryptofeed 8 30 3
            cut_samples "$okx" "$target" okx 6 10 2
            ;;
        decode_cryptofeed_http)
            cut_samples "$http" "$target" http 1 6 1
            ;;
        decode_tardis)
            cut_samples "$incremental" "$target" incremental 20 6 4 3500 1
            cut_samples "$snapshot" "$target" snapshot 4 6 2 3500 1
            ;;
        line_splitter)
            # Any bytes will do: lines of two recordings, CRLF and overlong ones among them.
            cut_samples "$binance" "$target" binance 4 6 3
            cut_samples "$cryptofeed" "$target" cryptofeed 4 4 3
            ;;
        decode_liqwatch_events|positions_file|instrument_file)
            # No recording in these formats: the hand-written seeds only.
            ;;
        text_parsers)
            # Single fields of real lines: decimals, times and JSON values.
            tr ',' '\n' < "$incremental" | sort -u | head -40 > "$dir/tardis-fields"
            liquidation_frames > "$work/liq"; head -5 "$work/liq" > "$dir/liquidation-json"
            ;;
        gzip_lines)
            cut_samples "$binance" "$target" plain-binance 10 4 4 6000
            cut_samples "$cryptofeed" "$target" plain-cryptofeed 6 0
            cp "$incremental" "$dir/plain-tardis-incremental"
            for sample in "$dir"/plain-binance-first "$dir"/plain-cryptofeed-first "$dir"/plain-tardis-incremental; do
                [ -f "$sample" ] && make_gz "${sample/plain-/gz-}" < "$sample"
            done
            # A real .gz cut short: damaged in the middle of a member.
            head -c 3000 "$data/hyperliquid/btcusd_20250126.gz" > "$dir/gz-hyperliquid-truncated"
            ;;
        engine_events)
            cut_samples "$binance" "$target" binance 30 6 20 12000
            cut_samples "$cryptofeed" "$target" cryptofeed 30 4 20 12000
            cp "$incremental" "$dir/tardis-incremental"
            head -c 12000 "$snapshot" > "$dir/tardis-snapshot"
            liquidation_frames | grep forceOrder > "$dir/forceorders" || rm -f "$dir/forceorders"
            ;;
        replay)
            # The start of the Binance recording with its REST snapshot (line 55): depth sync.
            head -70 "$(cached "$binance")" > "$dir/binance-sync"
            make_gz "$dir/binance-sync.gz" < "$dir/binance-sync"
            cut_samples "$binance" "$target" binance 0 4 40 30000
            cut_samples "$cryptofeed" "$target" cryptofeed 60 2 40 30000
            cp "$incremental" "$dir/tardis-incremental"
            cp "$snapshot" "$dir/tardis-snapshot"
            liquidation_frames | grep forceOrder > "$dir/forceorders" || rm -f "$dir/forceorders"
            ;;
        *)
            echo "corpus.sh: no samples defined for $target (seeds only)" >&2
            ;;
    esac
done

if [ $have_data -eq 1 ]; then
    echo "Corpora in $out: seeds from Fuzz/seeds plus samples of $data"
else
    echo "Corpora in $out: ONLY the committed seeds of Fuzz/seeds ($data is absent: no samples of real recordings)"
fi
for target in "${targets[@]}"; do
    printf '  %-24s %4d files %8d bytes\n' "$target" "$(find "$out/$target" -type f | wc -l)" "$(cat "$out/$target"/* 2>/dev/null | wc -c)"
done
