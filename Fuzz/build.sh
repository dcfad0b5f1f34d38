#!/usr/bin/env bash
# Builds liqwatch's libFuzzer targets with swiftc directly (SwiftPM cannot build only some targets
# with the fuzzer sanitizer): RiskEngine and MarketFeeds compiled with -sanitize=fuzzer,address
# (coverage and ASan), then one executable per Fuzz/Targets/*.swift.
#
#   Fuzz/build.sh                  build from the working tree (Sources/)
#   Fuzz/build.sh --rev HEAD       build from a commit (git archive; the working tree is not read)
#   Fuzz/build.sh --src DIR        build from another tree holding Sources/{RiskEngine,MarketFeeds,CIsal}
#   Fuzz/build.sh [...] TARGET...  only these targets (names of Fuzz/Targets/*.swift)
#
# Output: Fuzz/.build-fuzz/bin/<target> (FUZZ_OUT overrides the directory). A step whose inputs
# and flags are unchanged since the last build is skipped. Environment: SWIFTC (default swiftc),
# FUZZ_JOBS (parallel compiles, default the number of CPUs).
set -euo pipefail

fuzz=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$fuzz")
out=${FUZZ_OUT:-$fuzz/.build-fuzz}
swiftc=${SWIFTC:-swiftc}
# The C compiler of the same toolchain (its libFuzzer and sanitizer runtimes match swiftc's).
clang=${CLANG:-$(dirname "$(command -v "$swiftc")")/clang}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
src=$root
rev=""
targets=()

die() { echo "build.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --rev) [ $# -ge 2 ] || die "--rev needs a revision"; rev=$2; shift 2 ;;
        --src) [ $# -ge 2 ] || die "--src needs a directory"; src=$(cd "$2" && pwd); shift 2 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) targets+=("$1"); shift ;;
    esac
done

command -v "$swiftc" >/dev/null 2>&1 || die "$swiftc not found (a Swift 6 toolchain from swift.org)"
[ -f /usr/include/zlib.h ] || die "zlib.h missing: apt-get install zlib1g-dev"
[ -f /usr/include/isa-l/igzip_lib.h ] || die "isa-l/igzip_lib.h missing: apt-get install libisal-dev"

mkdir -p "$out"/{modules,obj,bin,logs,stamps}
# Nothing in here is to be committed (the root .gitignore also ignores .build-*/).
echo '*' > "$out/.gitignore"

if [ -n "$rev" ]; then
    sha=$(git -C "$root" rev-parse --verify "$rev^{commit}") || die "no such revision: $rev"
    src=$out/src/$sha
    if [ ! -d "$src/Sources" ]; then
        mkdir -p "$src.tmp"
        # Commits before the switch to ISA-L read .gz with zlib (Sources/CZlib).
        inflater=Sources/CIsal
        git -C "$root" cat-file -e "$sha:$inflater" 2>/dev/null || inflater=Sources/CZlib
        # RiskEngine's prefetch hint (Sources/CPrefetch) exists from late 2026 on.
        prefetch=Sources/CPrefetch
        git -C "$root" cat-file -e "$sha:$prefetch" 2>/dev/null || prefetch=
        # Its one-instruction wide division (Sources/CWideDivision) from December 2026 on.
        division=Sources/CWideDivision
        git -C "$root" cat-file -e "$sha:$division" 2>/dev/null || division=
        # MarketFeeds' alert-hook spawner (Sources/CHookSpawn), also from December 2026 on.
        hookspawn=Sources/CHookSpawn
        git -C "$root" cat-file -e "$sha:$hookspawn" 2>/dev/null || hookspawn=
        git -C "$root" archive "$sha" Sources/RiskEngine Sources/MarketFeeds "$inflater" $prefetch $division $hookspawn | tar -x -C "$src.tmp"
        mv "$src.tmp" "$src"
    fi
fi
for module in RiskEngine MarketFeeds; do
    [ -d "$src/Sources/$module" ] || die "$src/Sources/$module: no such directory"
done
# MarketFeeds inflates .gz with ISA-L (Sources/CIsal; older trees: zlib, Sources/CZlib). The
# gzip_lines target checks it against zlib itself, through Fuzz/CZlib.
if [ -d "$src/Sources/CIsal" ]; then
    c_modules=(-I "$src/Sources/CIsal" -I "$fuzz/CZlib")
    c_headers=("$src/Sources/CIsal/module.modulemap" "$src/Sources/CIsal/shim.h")
elif [ -d "$src/Sources/CZlib" ]; then
    c_modules=(-I "$src/Sources/CZlib")
    c_headers=("$src/Sources/CZlib/module.modulemap" "$src/Sources/CZlib/shim.h")
else
    die "$src/Sources/CIsal: no such directory"
fi
# RiskEngine's cache prefetch hint, one inline C function (trees from late 2026 on).
if [ -d "$src/Sources/CPrefetch" ]; then
    c_modules+=(-I "$src/Sources/CPrefetch/include")
    c_headers+=("$src/Sources/CPrefetch/include/module.modulemap" "$src/Sources/CPrefetch/include/prefetch.h")
fi
# RiskEngine's 128-by-64-bit division as one instruction, one inline C function (trees from
# December 2026 on).
if [ -d "$src/Sources/CWideDivision" ]; then
    c_modules+=(-I "$src/Sources/CWideDivision/include")
    c_headers+=("$src/Sources/CWideDivision/include/module.modulemap" "$src/Sources/CWideDivision/include/wide_division.h")
fi

# MarketFeeds' alert-hook spawner: a C function of its own (GNU posix_spawn extensions), compiled
# to an object and linked into every target (trees from December 2026 on).
c_objects=()
if [ -d "$src/Sources/CHookSpawn" ]; then
    c_modules+=(-I "$src/Sources/CHookSpawn/include")
    c_headers+=("$src/Sources/CHookSpawn/include/module.modulemap" "$src/Sources/CHookSpawn/include/hook_spawn.h"
        "$src/Sources/CHookSpawn/hook_spawn.c")
    c_objects+=("$out/obj/CHookSpawn.o")
fi

if [ ${#targets[@]} -eq 0 ]; then
    for file in "$fuzz"/Targets/*.swift; do targets+=("$(basename "$file" .swift)"); done
fi
for target in "${targets[@]}"; do
    [ -f "$fuzz/Targets/$target.swift" ] || die "no target $target (Fuzz/Targets/$target.swift)"
done

# Optimised (a fuzzer wants speed), line tables for symbolised stack traces, Swift 6 mode as in
# Package.swift. -sanitize=fuzzer instruments for coverage (and links libFuzzer's main into
# executables); address adds AddressSanitizer. Overflow checks stay on (-O keeps them): a trap is
# a finding.
flags=(-O -gline-tables-only -swift-version 6 -parse-as-library -sanitize=fuzzer,address)
version=$("$swiftc" --version 2>&1 | head -1)

swift_files() { find "$1" -name '*.swift' | LC_ALL=C sort; }
mapfile -t risk_sources < <(swift_files "$src/Sources/RiskEngine")
mapfile -t feed_sources < <(swift_files "$src/Sources/MarketFeeds")

# stamp STEP FILE...: a hash of the files, the flags and the compiler.
stamp() {
    local step=$1; shift
    { echo "$version ${flags[*]} $src"; cat "$@" "${c_headers[@]}" "$fuzz/CZlib/module.modulemap" "$fuzz/CZlib/shim.h"; } | sha1sum | cut -d' ' -f1
}
fresh() { [ -f "$out/stamps/$1" ] && [ "$(cat "$out/stamps/$1")" = "$2" ]; }

# run STEP COMMAND...: runs a compile with its output in logs/STEP.log; prints the log on failure.
run() {
    local step=$1; shift
    local started=$SECONDS
    if "$@" >"$out/logs/$step.log" 2>&1; then
        echo "  $step ($((SECONDS - started)) s)"
    else
        echo "BUILD FAILED: $step (log: $out/logs/$step.log)" >&2
        tail -n 60 "$out/logs/$step.log" >&2
        return 1
    fi
}

# wait_all PID...: waits for every job; fails if any failed.
wait_all() {
    local failed=0
    for pid in "$@"; do wait "$pid" || failed=1; done
    return $failed
}

started=$SECONDS
echo "Building fuzz targets from $src into $out"

risk_stamp=$(stamp risk "${risk_sources[@]}")
feed_stamp=$(stamp feed "${risk_sources[@]}" "${feed_sources[@]}")
if fresh RiskEngine "$risk_stamp" && fresh MarketFeeds "$feed_stamp" \
    && [ -f "$out/obj/RiskEngine.o" ] && [ -f "$out/obj/MarketFeeds.o" ] \
    && { [ ${#c_objects[@]} -eq 0 ] || [ -f "$out/obj/CHookSpawn.o" ]; }; then
    echo "  RiskEngine and MarketFeeds up to date"
else
    rm -f "$out/stamps/RiskEngine" "$out/stamps/MarketFeeds" "$out"/stamps/target-*
    # RiskEngine's interface first (type-checking only, seconds), so that MarketFeeds compiles
    # while RiskEngine's code is generated.
    run RiskEngine.swiftmodule "$swiftc" -Onone -swift-version 6 -parse-as-library -wmo -module-name RiskEngine "${c_modules[@]}" \
        -emit-module -experimental-skip-non-inlinable-function-bodies \
        -emit-module-path "$out/modules/RiskEngine.swiftmodule" "${risk_sources[@]}"
    run RiskEngine.o "$swiftc" "${flags[@]}" -wmo -module-name RiskEngine -I "$out/modules" "${c_modules[@]}" \
        -emit-object -o "$out/obj/RiskEngine.o" "${risk_sources[@]}" &
    risk_pid=$!
    run MarketFeeds "$swiftc" "${flags[@]}" -wmo -module-name MarketFeeds -I "$out/modules" "${c_modules[@]}" \
        -emit-module -emit-module-path "$out/modules/MarketFeeds.swiftmodule" \
        -emit-object -o "$out/obj/MarketFeeds.o" "${feed_sources[@]}" &
    feed_pid=$!
    hook_pid=
    if [ ${#c_objects[@]} -gt 0 ]; then
        run CHookSpawn "$clang" -O1 -g -fsanitize=fuzzer-no-link,address -I "$src/Sources/CHookSpawn/include" \
            -c "$src/Sources/CHookSpawn/hook_spawn.c" -o "$out/obj/CHookSpawn.o" &
        hook_pid=$!
    fi
    wait_all "$risk_pid" "$feed_pid" $hook_pid || die "compiling the libraries failed (see above)"
    echo "$risk_stamp" > "$out/stamps/RiskEngine"
    echo "$feed_stamp" > "$out/stamps/MarketFeeds"
fi

# The targets, $jobs at a time. A target counts as built when its stamp was written.
built=0
for target in "${targets[@]}"; do
    target_stamp=$(stamp "$target" "$fuzz/Targets/$target.swift" "$fuzz/Support/FuzzSupport.swift" <(echo "$feed_stamp"))
    if fresh "target-$target" "$target_stamp" && [ -x "$out/bin/$target" ]; then continue; fi
    rm -f "$out/stamps/target-$target" "$out/bin/$target"
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    (
        run "$target" "$swiftc" "${flags[@]}" -module-name "fuzz_$target" -I "$out/modules" "${c_modules[@]}" \
            "$fuzz/Targets/$target.swift" "$fuzz/Support/FuzzSupport.swift" \
            "$out/obj/RiskEngine.o" "$out/obj/MarketFeeds.o" "${c_objects[@]}" -lisal -lz -lm -o "$out/bin/$target"
        echo "$target_stamp" > "$out/stamps/target-$target"
    ) &
    built=$((built + 1))
done
wait || true
failed=()
for target in "${targets[@]}"; do
    [ -f "$out/stamps/target-$target" ] && [ -x "$out/bin/$target" ] || failed+=("$target")
done
[ ${#failed[@]} -eq 0 ] || die "targets failed to build: ${failed[*]} (see above)"

echo "$src" > "$out/SOURCE"
echo "Built ${#targets[@]} targets ($built compiled) in $((SECONDS - started)) s: $out/bin/"
