#!/usr/bin/env bash
# Fuzzes one target for real with Jazzer (coverage-guided, libFuzzer underneath):
#   scripts/fuzz.sh TARGET MINUTES
# TARGET: csv | model | model-body | cli | sample-weights. Every test run already replays the committed inputs
# (regression mode); this script sets JAZZER_FUZZ so that the one chosen @FuzzTest generates new inputs for MINUTES.
# New coverage-increasing inputs land in .cifuzz-corpus/ (not committed); an input that breaks the invariant is written
# into the target's Inputs folder under src/test/resources (commit it with the fix: it then runs in every test run).
# At the end the script prints libFuzzer's last status line (executions, exec/s, coverage) and the findings.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: scripts/fuzz.sh csv|model|model-body|cli|sample-weights MINUTES" >&2
    exit 2
}
[ $# -eq 2 ] || usage
case "$1" in
    csv) test='CsvReaderFuzzTest#readCsv' ;;
    model) test='ModelFileFuzzTest#readModelFile' ;;
    model-body) test='ModelFileFuzzTest#readModelBody' ;;
    cli) test='CliFuzzTest#parseCommandLine' ;;
    sample-weights) test='CliFuzzTest#readSampleWeights' ;;
    *) usage ;;
esac
[[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge 1 ] || { echo "fuzz.sh: MINUTES is '$2', expected a whole number >= 1" >&2; exit 2; }

log="target/fuzz-$1.log"
mkdir -p target
echo "fuzzing $test for $2 minutes; log: $log"
# junit's own timeout is turned off: Jazzer turns each target's @Timeout into libFuzzer's per-input -timeout, and
# JUnit would otherwise apply it to the whole fuzzing run.
set +e
JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${2}m" ./mvnw -B test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
    -Dskip.cuda.harness=true -Dskip.cuda.emulator=true -Djunit.jupiter.execution.timeout.mode=disabled \
    -Djazzer.max_duration="${2}m" >"$log" 2>&1
rc=$?
set -e
grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1 || true
grep -E 'Stat::|exec/s' "$log" | tail -n 3 || true
if grep -qE '== Java Exception|FuzzTestFindingException|Crash|Timeout' "$log"; then
    echo "findings (see $log):"
    grep -E '== Java Exception|Caused by|Exception:|AssertionFailedError|timeout' "$log" | head -n 20
fi
if [ $rc -ne 0 ] && ! grep -q 'FuzzTestFinding' "$log"; then
    echo "fuzz.sh: the run failed before fuzzing (rc $rc); the end of $log:" >&2
    tail -n 30 "$log" >&2
fi
exit $rc
