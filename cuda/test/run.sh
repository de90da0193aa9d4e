#!/usr/bin/env bash
# Builds cuda/test/harness.cpp (the kernels' own source through cuda_shim.h, in its fiber mode) under AddressSanitizer
# and UBSan, runs it twice (the threads of a block resumed in index order, then in reverse: a read of shared memory
# that misses a barrier is wrong in one of the two), then builds the planted-bug variant (-DPLANT_BUG) and requires it
# to FAIL for each planted bug: a harness that cannot see a wrong kernel proves nothing. Exits non-zero on any
# failure. Needs g++ >= 12 (C++20 <barrier>); no nvcc.
# The builds are kept under target/cuda-harness/<hash of their sources> (S4J_HARNESS_BUILD overrides the folder), so a
# second run with unchanged sources only runs them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
sources_hash="$(cat "$here"/harness.cpp "$here"/*.h "$here"/run.sh "$root"/cuda/*.cu "$root"/cuda/*.cuh | sha256sum | cut -c1-16)"
build="${S4J_HARNESS_BUILD:-$root/target/cuda-harness/$sources_hash}"
mkdir -p "$build"
CXX="${CXX:-g++}"
FLAGS=(-std=c++20 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -ffp-contract=off -pthread
       -Wall -Wextra -Werror -Wno-unknown-pragmas -DS4J_SHIM_FIBERS)
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

# Both builds at once (two cores), unless this folder already has them for these sources.
if [[ ! -x "$build/harness" || ! -x "$build/harness-planted" ]]; then
    "$CXX" "${FLAGS[@]}" -o "$build/harness.tmp" "$here/harness.cpp" &
    good=$!
    "$CXX" "${FLAGS[@]}" -DPLANT_BUG -o "$build/harness-planted.tmp" "$here/harness.cpp" &
    planted=$!
    wait "$good"
    wait "$planted"
    mv "$build/harness.tmp" "$build/harness"
    mv "$build/harness-planted.tmp" "$build/harness-planted"
else
    echo "cuda harness: reusing the builds in $build (same sources)"
fi

for order in forward reverse; do
    set +e
    S4J_FIBER_ORDER="$order" "$build/harness" > "$build/harness-$order.log" 2>&1
    status=$?
    set -e
    grep -E '^(FAIL|cuda harness:)' "$build/harness-$order.log" | sed "s/^cuda harness:/cuda harness ($order order):/" || true
    if [[ $status -ne 0 ]]; then
        tail -n 30 "$build/harness-$order.log"  # a sanitizer report, if that is what stopped it
        echo "cuda harness: FAILED (exit $status, threads resumed in $order order)"
        exit 1
    fi
done

# 1: fused_binary_kernel reads 3 bits of each nibble; 2: reduce_partials_kernel drops the last block; 3:
# gradient_dense_kernel mirrors the feature index; 4: fused_binary_kernel's bins drop the tile's last row; 5:
# fused_dense_kernel takes a row's weight by its position in the batch instead of its data index; 6:
# ascent_sums_kernel's gap term u takes ∂L/∂b without its mean over classes; 7: momentum_update_kernel overwrites x_k
# before the momentum term reads it.
planted_ok=0
for bug in 1 2 3 4 5 6 7; do
    set +e
    S4J_PLANTED_BUG=$bug "$build/harness-planted" --quick > "$build/planted-$bug.log" 2>&1
    rc=$?
    set -e
    summary="$(grep '^cuda harness:' "$build/planted-$bug.log" || echo "no summary (crashed?)")"
    if [[ $rc -ne 0 ]] && grep -q '^FAIL' "$build/planted-$bug.log"; then
        echo "planted bug $bug: caught (exit $rc; $summary)"
    else
        echo "planted bug $bug: NOT caught (exit $rc; $summary)"
        planted_ok=1
    fi
done
if [[ $planted_ok -ne 0 ]]; then
    echo "cuda harness: the planted-bug check failed: the harness passed a wrong kernel"
    exit 1
fi
