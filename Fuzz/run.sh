#!/usr/bin/env bash
# Builds the fuzz targets, makes their corpora, fuzzes each for a bounded time, replays the
# committed crash reproducers (Fuzz/regressions/), and prints a summary. Exits 1 if any target
# found a crash, timeout, out-of-memory or leak, or a reproducer still crashes; 2 on a usage or
# build error.
#
#   Fuzz/run.sh [options] [SECONDS_PER_TARGET] [TARGET...]     (default 20 s, all targets)
#
#   -j N            targets fuzzed at once (default: the number of CPUs)
#   --keep-going    fork mode: a target goes on after a finding, to find more than the first
#                   (-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
#   --rev REV       fuzz a commit instead of the working tree (passed to build.sh)
#   --src DIR       fuzz another source tree (passed to build.sh)
#   --no-regressions  skip replaying Fuzz/regressions/
#
# Findings go to Fuzz/.build-fuzz/artifacts/<target>/, logs to Fuzz/.build-fuzz/logs/run-<target>.log,
# inputs that found new coverage to Fuzz/.build-fuzz/corpus-found/<target>/ (kept between runs).
set -uo pipefail

fuzz=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${FUZZ_OUT:-$fuzz/.build-fuzz}
seconds=20
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
keep_going=0
regressions=1
build_args=()
targets=()

usage() { sed -n '2,16p' "$0"; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
        -j) [ $# -ge 2 ] || usage; jobs=$2; shift 2 ;;
        --keep-going) keep_going=1; shift ;;
        --rev|--src) [ $# -ge 2 ] || usage; build_args+=("$1" "$2"); shift 2 ;;
        --no-regressions) regressions=0; shift ;;
        -h|--help) usage ;;
        -*) echo "run.sh: unknown option $1" >&2; usage ;;
        *)
            if [[ "$1" =~ ^[0-9]+$ ]] && [ ${#targets[@]} -eq 0 ] && [ -z "${seconds_given:-}" ]; then
                seconds=$1; seconds_given=1
            else
                targets+=("$1")
            fi
            shift ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then
    for file in "$fuzz"/Targets/*.swift; do targets+=("$(basename "$file" .swift)"); done
fi

started=$SECONDS
"$fuzz/build.sh" "${build_args[@]}" "${targets[@]}" || { echo "run.sh: the build failed" >&2; exit 2; }
"$fuzz/corpus.sh" "${targets[@]}" || { echo "run.sh: making the corpora failed" >&2; exit 2; }
built=$SECONDS

# Swift's own crash reporter would take over libFuzzer's deadly-signal handling (and keeps the
# output pipe open for a long time): off, so that libFuzzer prints a symbolised stack and saves
# the input. ASan symbolises with llvm-symbolizer from the toolchain or PATH.
export SWIFT_BACKTRACE=enable=no
symbolizer=$(command -v llvm-symbolizer || true)
[ -n "$symbolizer" ] || symbolizer=$(dirname "$(command -v swiftc)")/llvm-symbolizer
export ASAN_OPTIONS=${ASAN_OPTIONS:-symbolize=1:external_symbolizer_path=$symbolizer:detect_leaks=1:abort_on_error=0}
# A toolchain leak (not liqwatch's) is suppressed: see lsan.supp.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$fuzz/lsan.supp:print_suppressions=0}

# Lines are short; whole files (events, a replay) longer.
max_len() {
    case "$1" in
        replay) echo 65536 ;;
        engine_events) echo 16384 ;;
        gzip_lines) echo 8192 ;;
        text_parsers) echo 1024 ;;
        *) echo 4096 ;;
    esac
}
dict() {
    case "$1" in
        decode_tardis) echo "$fuzz/dicts/lines.dict" ;;
        text_parsers) echo "$fuzz/dicts/text.dict" ;;
        *) echo "$fuzz/dicts/json.dict" ;;
    esac
}

mkdir -p "$out/logs" "$out/results"
marker=$out/results/.started
touch "$marker"

fuzz_one() {
    local target=$1
    local artifacts=$out/artifacts/$target/ found=$out/corpus-found/$target log=$out/logs/run-$target.log
    mkdir -p "$artifacts" "$found"
    local options=(-max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 -rss_limit_mb=2048
        -artifact_prefix="$artifacts" -dict="$(dict "$target")" -print_final_stats=1)
    [ $keep_going -eq 1 ] && options+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    local begin=$SECONDS
    "$out/bin/$target" "${options[@]}" "$found" "$out/corpus/$target" >"$log" 2>&1
    local status=$? elapsed=$((SECONDS - begin))
    # Runs and speed: the final stats, else the last status line (fork mode).
    local runs speed
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    if [ -z "$runs" ]; then
        runs=$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#')
        speed=$(grep -Eo 'exec/s: [0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+')
    fi
    local new result
    new=$(find "$artifacts" -maxdepth 1 -type f -newer "$marker" | sort)
    if [ -n "$new" ]; then
        local kinds
        kinds=$(for file in $new; do basename "$file" | sed 's/-.*//'; done | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')
        result="FOUND $kinds"
    elif [ $status -ne 0 ]; then
        result="FAILED (exit $status, see log)"
    else
        result=ok
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "${runs:-?}" "${speed:-?}" "$(find "$found" -type f | wc -l)" "$elapsed" "$result" \
        > "$out/results/$target"
    echo "  $target: $result (${runs:-?} runs)"
    for file in $new; do echo "    $file"; done
}

echo "Fuzzing ${#targets[@]} targets for $seconds s each, $jobs at a time$([ $keep_going -eq 1 ] && echo ', keep-going (fork mode)')"
rm -f "$out"/results/*
for target in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
    fuzz_one "$target" &
done
wait

# The committed reproducers: each must run clean once its bug is fixed.
regression_rows=()
regression_failures=0
if [ $regressions -eq 1 ]; then
    for target in "${targets[@]}"; do
        [ -d "$fuzz/regressions/$target" ] || continue
        for file in "$fuzz/regressions/$target"/*; do
            [ -f "$file" ] || continue
            case "$file" in *.txt|*.md) continue ;; esac
            log=$out/logs/regression-$target-$(basename "$file").log
            if timeout 60 "$out/bin/$target" -timeout=10 -rss_limit_mb=2048 "$file" >"$log" 2>&1; then
                regression_rows+=("$target/$(basename "$file")	ok")
            else
                regression_rows+=("$target/$(basename "$file")	STILL CRASHES (log: $log)")
                regression_failures=$((regression_failures + 1))
            fi
        done
    done
fi

findings=0
echo
printf '%-24s %12s %10s %8s %6s  %s\n' target runs execs/s corpus secs result
for target in "${targets[@]}"; do
    if [ -f "$out/results/$target" ]; then
        IFS=$'\t' read -r name runs speed corpus elapsed result < "$out/results/$target"
    else
        runs='?' speed='?' corpus='?' elapsed='?' result="FAILED (no result)"
    fi
    printf '%-24s %12s %10s %8s %6s  %s\n' "$target" "$runs" "$speed" "$corpus" "$elapsed" "$result"
    [ "$result" = ok ] || findings=$((findings + 1))
done
if [ ${#regression_rows[@]} -gt 0 ]; then
    echo
    echo "Reproducers in Fuzz/regressions:"
    for row in "${regression_rows[@]}"; do printf '  %-56s %s\n' "${row%%	*}" "${row#*	}"; done
fi
echo
echo "Build and corpora $((built - started)) s, fuzzing $((SECONDS - built)) s, total $((SECONDS - started)) s."
if [ $findings -gt 0 ] || [ $regression_failures -gt 0 ]; then
    echo "FUZZING FOUND PROBLEMS: $findings target(s) with findings (artifacts in $out/artifacts/), $regression_failures reproducer(s) still crashing."
    echo "Reproduce: SWIFT_BACKTRACE=enable=no $out/bin/<target> <artifact>"
    exit 1
fi
echo "No findings."
