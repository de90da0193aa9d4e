#!/usr/bin/env bash
# Tests of the CUDA emulator itself (cuda/emu/README.md), run by the build after cuda/emu/build.sh:
#  1. its kernel table against the `extern "C" __global__` declarations of cuda/*.cu (names, parameter types and names,
#     in order): the table must not drift from the kernels;
#  2. planted bugs, one driver-API program each (planted.cpp), and the emulator's report that must follow:
#     an out-of-bounds write by one element (onto the guard page, and into the alignment slack), a 32-bit value passed
#     for a pointer argument, a call from a thread without a current context, a missing event wait under chaos, a
#     leaked buffer, an unknown kernel name; and the bug-free twins, which must pass.
# Usage: cuda/emu/test/run.sh [EMU_DIR] (default target/cuda-emu, built first if missing). Exits non-zero on a failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
emu="${1:-$root/target/cuda-emu}"
bash "$root/cuda/emu/build.sh" "$emu" > /dev/null
emu="$(cd "$emu" && pwd)"
work="$emu/test"
mkdir -p "$work"
"${CXX:-g++}" -std=c++20 -O1 -g -pthread -Wall -Wextra -Werror -o "$work/planted" "$here/planted.cpp" \
    -L"$emu" -l:libcuda.so.1 -Wl,-rpath,"$emu"

failures=0
pass() { echo "emulator test: $1: ok"; }
fail() { echo "emulator test: $1: FAILED: $2"; failures=$((failures + 1)); }

# 1. The table against the declarations.
declared="$work/declared.txt"
for file in "$root"/cuda/*.cu; do
    # Join each declaration's lines from `extern "C" __global__` to the `)` that closes its parameters.
    awk '
        /extern "C" __global__/ { collecting = 1; text = "" }
        collecting { text = text " " $0; if (index(text, ")") > 0) { print text; collecting = 0 } }
    ' "$file"
done | sed -E 's/.*__global__ void//; s/\).*/)/; s/__restrict__//g; s/[[:space:]]+//g' | sort > "$declared"
S4J_EMU_QUIET=1 "$work/planted" kernel-table | sed -E 's/[[:space:]]+//g' | sort > "$work/table.txt"
if diff -u "$declared" "$work/table.txt" > "$work/table.diff"; then
    pass "kernel table matches cuda/*.cu ($(wc -l < "$declared") kernels)"
else
    fail "kernel table" "differs from the declarations in cuda/*.cu:"
    cat "$work/table.diff"
fi
if [[ $(wc -l < "$declared") -lt 13 ]]; then
    fail "kernel table" "only $(wc -l < "$declared") declarations read from cuda/*.cu"
fi

# 2. Runs one mode; its output (stdout and stderr) in $work/MODE.log, its exit status in $rc.
run() {
    local mode="$1"
    shift
    set +e
    { env S4J_EMU_QUIET=1 "$@" "$work/planted" "$mode" > "$work/$mode.log" 2>&1; } 2> /dev/null  # no "Aborted" line
    rc=$?
    set -e
}
expect() {  # expect MODE WHAT PATTERN: the log of MODE has a line matching PATTERN
    if grep -Eq -- "$3" "$work/$1.log"; then
        pass "$1: $2"
    else
        fail "$1" "$2: no line matches '$3'; the log:"
        sed 's/^/    /' "$work/$1.log"
    fi
}

run correct-ascent
[[ $rc -eq 0 ]] && expect correct-ascent "runs clean" '^ascent: done' || fail correct-ascent "exit $rc"
if grep -q "leak report at exit: not freed" "$work/correct-ascent.log"; then
    fail correct-ascent "reported a leak"
fi

run overrun-guard
[[ $rc -ne 0 ]] || fail overrun-guard "exit 0 after writing past a buffer"
expect overrun-guard "the fault names the kernel and the allocation" \
    'memory fault .* in kernel ascent_update_kernel .*: 0 bytes past the end of the allocation .*2544 bytes, cuMemAlloc call #1'

run overrun-slack
[[ $rc -ne 0 ]] || fail overrun-slack "exit 0 after writing past a buffer"
expect overrun-slack "the canary check names the kernel and the allocation" \
    'kernel ascent_update_kernel wrote past the end of the allocation .*2516 bytes, cuMemAlloc call #1\): the byte at \+0 after'

run pointer-width
expect pointer-width "the launch is refused" 'cuLaunchKernel returned 1$'
expect pointer-width "the message names the argument" \
    'cuLaunchKernel\(sum_doubles_kernel\) argument 0 \(values\): 0x[0-9a-f]+ is not device memory'

run no-context
expect no-context "a thread without a context gets CUDA_ERROR_INVALID_CONTEXT" 'from a new thread returned 201$'
expect no-context "with a message" 'cuMemAlloc: no current context on this thread'
expect no-context "and succeeds once the context is current" 'after cuCtxSetCurrent it returned 0$'

run missing-wait S4J_EMU_CHAOS=7
expect missing-wait "chaos makes the race visible" 'missing-wait: [1-9][0-9]* of 40 sums wrong'
run with-wait S4J_EMU_CHAOS=7
expect with-wait "with the event wait every sum is right" 'with-wait: 0 of 40 sums wrong'

run leak
expect leak "live objects on demand" '^  device memory 0x[0-9a-f]+, 1000 bytes \(cuMemAlloc call #1\)'
expect leak "the report at exit" 'leak report at exit: not freed:'

run unknown-kernel
expect unknown-kernel "cuModuleGetFunction fails like a driver (CUDA_ERROR_NOT_FOUND)" 'cuModuleGetFunction returned 500$'
expect unknown-kernel "an image with a kernel the emulator lacks is refused" 'cuModuleLoadData returned 200$'
expect unknown-kernel "naming it" 'a kernel the emulator was not built with: mystery_kernel'

if [[ $failures -ne 0 ]]; then
    echo "emulator tests: $failures FAILED"
    exit 1
fi
echo "emulator tests: all passed"
