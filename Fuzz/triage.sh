#!/usr/bin/env bash
# Groups the findings in Fuzz/.build-fuzz/artifacts/<target>/ by where they crash: runs each
# artifact once, takes the kind of failure and the first frame in Sources/ (file:line), and prints
# one line per distinct crash with its count and smallest artifact.
#
#   Fuzz/triage.sh [--minimize DIR] [TARGET...]
#
# --minimize DIR: also shrinks the smallest artifact of each crash with libFuzzer
# (-minimize_crash=1, 30 s) into DIR/<target>-<n>, and checks the result still crashes at the same
# place. Uses the binaries of the last Fuzz/build.sh (build the same sources the artifacts came from).
set -uo pipefail

fuzz=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${FUZZ_OUT:-$fuzz/.build-fuzz}
minimize=""
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --minimize) minimize=$2; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) targets+=("$1"); shift ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then
    for dir in "$out"/artifacts/*/; do [ -d "$dir" ] && targets+=("$(basename "$dir")"); done
fi
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-symbolize=1:detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$fuzz/lsan.supp:print_suppressions=0}

# signature TARGET FILE: "kind @ file:line" of the crash the file gives (or "no crash").
signature() {
    local log
    log=$(timeout 120 "$out/bin/$1" -timeout=10 -rss_limit_mb=2048 "$2" 2>&1)
    local status=$?
    [ $status -eq 0 ] && { echo "no crash"; return; }
    local kind site
    kind=$(grep -Eo 'Swift runtime failure: [^/]*' <<<"$log" | head -1 | sed 's/ *$//')
    [ -n "$kind" ] || kind=$(grep -Eo 'Fatal error: .{0,60}' <<<"$log" | head -1)
    [ -n "$kind" ] || kind=$(grep -Eo 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z -]+' <<<"$log" | head -1 | sed 's/ *$//')
    [ $status -eq 124 ] && kind="hang (over 120 s)"
    site=$(grep -E '^ +#[0-9]+ .*/Sources/' <<<"$log" | head -1 | grep -Eo 'Sources/[^ ]+' | sed -E 's/:[0-9]+$//')
    [ -n "$site" ] || site=$(grep -E '^ +#[0-9]+ .*/Fuzz/(Targets|Support)/' <<<"$log" | head -1 | grep -Eo 'Fuzz/[^ ]+' | sed -E 's/:[0-9]+$//')
    echo "${kind:-exit $status} @ ${site:-?}"
}

status=0
for target in "${targets[@]}"; do
    [ -x "$out/bin/$target" ] || { echo "no binary for $target: run Fuzz/build.sh" >&2; status=2; continue; }
    declare -A count=() smallest=() size=()
    for file in "$out/artifacts/$target"/{crash,timeout,oom,leak,slow-unit}-*; do
        [ -f "$file" ] || continue
        sig=$(signature "$target" "$file")
        bytes=$(wc -c < "$file")
        count[$sig]=$(( ${count[$sig]:-0} + 1 ))
        if [ -z "${size[$sig]:-}" ] || [ "$bytes" -lt "${size[$sig]}" ]; then size[$sig]=$bytes; smallest[$sig]=$file; fi
    done
    [ ${#count[@]} -gt 0 ] || continue
    echo "== $target"
    n=0
    for sig in "${!count[@]}"; do
        n=$((n + 1))
        printf '  %3d x  %s\n         smallest: %s (%s bytes)\n' "${count[$sig]}" "$sig" "${smallest[$sig]}" "${size[$sig]}"
        if [ -n "$minimize" ] && [ "$sig" != "no crash" ]; then
            mkdir -p "$minimize"
            result="$minimize/$target-$n"
            "$out/bin/$target" -minimize_crash=1 -max_total_time=30 -timeout=10 -rss_limit_mb=2048 \
                -exact_artifact_path="$result" "${smallest[$sig]}" >/dev/null 2>&1
            [ -f "$result" ] || cp "${smallest[$sig]}" "$result"
            now=$(signature "$target" "$result")
            if [ "$now" = "$sig" ]; then
                echo "         minimized: $result ($(wc -c < "$result") bytes)"
            else
                cp "${smallest[$sig]}" "$result"
                echo "         minimizing moved the crash ($now); kept the original: $result"
            fi
        fi
    done
    unset count smallest size
done
exit $status
