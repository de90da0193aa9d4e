#!/usr/bin/env bash
# The GPU check of the CUDA engine (issue 3) and the GPU half of the throughput issue (issue 5), in two halves:
#   scripts/gpu-check.sh prepare      HERE (network, JDK, Maven): builds everything the device machine needs into
#                                     .gpu-carry/ (ignored by git; < 60 MiB so the device tool can carry it).
#   scripts/gpu-check.sh run [quick]  THERE (one GPU, no network, maybe no JDK; python3 with torch), in this order:
#     probe       CudaProbe: device, driver, kernel image
#     junit       the JUnit tests of org.softmax4j.engine.cuda with -Dsoftmax4j.requireGpu=true
#     memcheck    compute-sanitizer memcheck (+ leak check) over CudaSmoke: every kernel, awkward shapes
#     racecheck   compute-sanitizer racecheck, the same
#     kernels     CudaKernelTiming: CUDA-event times of the fused binary (N = 1e6, 1e7, 1e8; D = 64) and dense
#                 (N = 1e6, 1e7; D = 784) kernels, the reduction and both together, K = 10, with GB/s, GFLOP/s, the
#                 copy bandwidth measured in the same run, the floors, and the two absolute targets
#     torch       scripts/torch_baseline.py: the same evaluation in PyTorch on the same GPU (skipped with the reason
#                 when torch does not import)
#     throughput  CudaThroughput: end-to-end evaluations through CudaEngine (uploads and read-back included)
#     report      scripts/gpu_report.py: ours vs PyTorch, a PASS/FAIL line per target, $OUT/gpu-check.json
#   Each step has its own limit (cap_s below), and the whole run ends within total_s = 465 s even if steps hang.
#   "quick" runs small sizes only (a smoke run of the script itself; no targets are judged).
#   Results go to $OUT (or .gpu-carry/results), 8 files: summary.txt (everything, tables last), gpu-check.json,
#   junit.txt, memcheck.txt, racecheck.txt, kernels.txt, torch.txt, throughput.txt.
# Device tool: run(command="scripts/gpu-check.sh run", carry=[".gpu-carry"], timeout_s=540).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
carry="$root/.gpu-carry"
junit_console_version="1.14.1"   # JUnit Platform of junit-jupiter 5.14.1 (pom.xml)
# GPU-NOTES' runtime, plus java.xml and jdk.zipfs for the JUnit console (XML reports, scanning jars).
modules="java.base,java.logging,java.management,java.xml,jdk.incubator.vector,jdk.unsupported,jdk.zipfs"

prepare() {
  cd "$root"
  rm -rf "$carry"
  mkdir -p "$carry/lib"
  ./mvnw -B -q -DskipTests package
  ./mvnw -B -q test-compile
  ./mvnw -B -q dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$carry/lib"
  ./mvnw -B -q dependency:copy \
    -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_console_version" \
    -DoutputDirectory="$carry"
  mv "$carry/junit-platform-console-standalone-$junit_console_version.jar" "$carry/junit-console.jar"
  # The plain jar (the shaded target/softmax4j.jar would carry every dependency a second time).
  cp "$(ls target/softmax4j-*.jar | grep -v -e sources -e javadoc | head -1)" "$carry/softmax4j-classes.jar"
  (cd target/test-classes && jar --create --file "$carry/softmax4j-tests.jar" .)
  jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$carry/jre"
  du -sh "$carry"
  local bytes
  bytes=$(du -sb "$carry" | cut -f1)
  if [ "$bytes" -gt $((60 * 1024 * 1024)) ]; then
    echo "gpu-check: .gpu-carry is $bytes bytes, over the 60 MiB this script allows for the device tool's 64 MiB" >&2
    exit 1
  fi
  echo "gpu-check: prepared $carry ($bytes bytes)"
}

# --- the device half -----------------------------------------------------------------------------------------------
# Every step has its own limit, and the whole run ends within $total_s seconds even if steps hang: a step may use its
# cap plus whatever the steps before it left unused, never the caps of the steps after it. A step still running at its
# limit gets SIGTERM, and SIGKILL $grace_s seconds later (timeout -k), its whole process group with it.
total_s=465
grace_s=5
steps=(probe junit memcheck racecheck kernels torch throughput report)
# The caps plus grace_s for each step add up to 460 s, so every step gets at least its cap.
declare -A cap_s=([probe]=15 [junit]=100 [memcheck]=45 [racecheck]=45 [kernels]=90 [torch]=75 [throughput]=40
                  [report]=10)

# Seconds step $1 may run: what is left of $total_s, less the caps (and kill grace) of the steps after it.
limit_for() {
  local name=$1 after=0 seen=0 s
  for s in "${steps[@]}"; do
    if [ $seen = 1 ]; then after=$((after + cap_s[$s] + grace_s)); fi
    [ "$s" = "$name" ] && seen=1
  done
  echo $((total_s - (SECONDS - run_started) - after - grace_s))
}

# step NAME LOG COMMAND...: runs COMMAND under its limit, output to LOG; records "name rc seconds limit" in steps.tsv.
step() {
  local name=$1 log=$2
  shift 2
  local limit rc=0 began=$SECONDS
  limit=$(limit_for "$name")
  if [ "$limit" -lt 5 ]; then
    echo "$name: SKIPPED (out of time: ${limit} s left for it)" | tee -a "$out/summary.txt" > "$log"
    printf '%s\tskip\t0\t%s\n' "$name" "$limit" >> "$work/steps.tsv"
    return 1
  fi
  timeout -k "$grace_s" "$limit" "$@" > "$log" 2>&1 || rc=$?
  printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "$((SECONDS - began))" "$limit" >> "$work/steps.tsv"
  if [ $rc = 124 ] || [ $rc = 137 ]; then
    echo "$name: TIMED OUT after ${limit} s (see $(basename "$log"))" | tee -a "$out/summary.txt"
  elif [ $rc != 0 ]; then
    echo "$name: FAILED, exit $rc (see $(basename "$log"))" | tee -a "$out/summary.txt"
  fi
  return $rc
}

clocks() {
  timeout 10 nvidia-smi --query-gpu=clocks.sm,clocks.max.sm,clocks.mem,power.draw,temperature.gpu,memory.used \
    --format=csv,noheader 2>/dev/null | sed "s/^/  clocks $1: SM, max SM, mem, power, temp, mem used = /" || true
}

run() {
  cd "$root"
  run_started=$SECONDS
  local quick=() quick_word=""
  if [ "${1:-}" = quick ]; then quick=(--quick); quick_word=quick; fi
  out="${OUT:-$carry/results}"
  mkdir -p "$out"
  rm -f "$out"/*.txt "$out"/*.json
  # At most 8 files come back from $OUT: summary.txt, gpu-check.json, junit.txt, memcheck.txt, racecheck.txt,
  # kernels.txt, torch.txt, throughput.txt. Everything else (JUnit's XML, the steps' own JSON) stays in $work.
  work="$(mktemp -d /tmp/gpu-check.XXXXXX)"
  : > "$work/steps.tsv"
  local java="$carry/jre/bin/java"
  [ -x "$java" ] || java="java"
  # Spelled out: only the java launcher expands "lib/*", the JUnit console's --class-path does not.
  local cp="$carry/softmax4j-classes.jar:$carry/softmax4j-tests.jar"
  local jar
  for jar in "$carry"/lib/*.jar; do cp="$cp:$jar"; done
  local status=0
  {
    echo "== gpu-check $(date -u +%FT%TZ) on $(uname -n)${quick_word:+ (quick)}"
    timeout 10 nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv,noheader || true
    clocks start
    timeout 10 "$java" -version 2>&1 | head -1 || true
    local name
    for name in "${steps[@]}"; do printf ' %s %ss' "$name" "${cap_s[$name]}"; done
    echo "  (caps; whole run <= ${total_s} s)"
  } | tee "$out/summary.txt"

  echo "== probe" | tee -a "$out/summary.txt"
  step probe "$work/probe.txt" "$java" -cp "$cp" org.softmax4j.engine.cuda.CudaProbe || status=1
  cat "$work/probe.txt" | tee -a "$out/summary.txt"

  echo "== JUnit (org.softmax4j.engine.cuda, -Dsoftmax4j.requireGpu=true)" | tee -a "$out/summary.txt"
  step junit "$out/junit.txt" "$java" -Dsoftmax4j.requireGpu=true -Dbasedir="$root" -Xmx4g \
      -jar "$carry/junit-console.jar" execute --class-path "$cp" --select-package org.softmax4j.engine.cuda \
      --details=tree --disable-banner --reports-dir "$work/junit" || status=1
  tail -25 "$out/junit.txt" | tee -a "$out/summary.txt"

  local sanitizer
  sanitizer="$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)"
  for tool in memcheck racecheck; do
    echo "== compute-sanitizer --tool $tool (CudaSmoke: every kernel, K = 10 and 40, dense and binary)" \
      | tee -a "$out/summary.txt"
    local extra=()
    [ "$tool" = memcheck ] && extra=(--leak-check full)
    step "$tool" "$out/$tool.txt" "$sanitizer" --tool "$tool" "${extra[@]}" --error-exitcode 42 \
        "$java" -Xint -cp "$cp" org.softmax4j.engine.cuda.CudaSmoke || status=1
    grep -E "ERROR SUMMARY|RACECHECK SUMMARY|LEAK SUMMARY|^ok|^FAIL|not supported" "$out/$tool.txt" \
      | tee -a "$out/summary.txt" || true
  done

  echo "== kernel timing (CudaKernelTiming: CUDA events, fused binary N=1e6..1e8, fused dense N=1e6, 1e7)" \
    | tee -a "$out/summary.txt"
  clocks before | tee -a "$out/summary.txt"
  step kernels "$out/kernels.txt" "$java" -Xmx8g -cp "$cp" org.softmax4j.engine.cuda.CudaKernelTiming \
      "${quick[@]}" --json "$work/kernels.json" --budget-s "$(( $(limit_for kernels) - 10 ))" || status=1
  cat "$out/kernels.txt" | tee -a "$out/summary.txt"
  clocks after | tee -a "$out/summary.txt"

  echo "== PyTorch baseline (scripts/torch_baseline.py, same GPU)" | tee -a "$out/summary.txt"
  # Not a correctness step: a failure here is reported, and the comparison says what is missing.
  step torch "$out/torch.txt" env PYTHONUNBUFFERED=1 python3 "$root/scripts/torch_baseline.py" "${quick[@]}" \
      --json "$work/torch.json" --budget-s "$(( $(limit_for torch) - 10 ))" || true
  cat "$out/torch.txt" | tee -a "$out/summary.txt"

  echo "== end-to-end throughput via CudaEngine (median of 9 after 2 warm-ups; eval = W,b up + L,∇,count down;" \
    "step = device-resident)" | tee -a "$out/summary.txt"
  step throughput "$out/throughput.txt" "$java" -Xmx16g -cp "$cp" org.softmax4j.engine.cuda.CudaThroughput \
      ${quick_word} || status=1
  cat "$out/throughput.txt" | tee -a "$out/summary.txt"

  # Last, so that the device tool's output tail ends with the tables and the target lines.
  if ! step report "$work/report.txt" python3 "$root/scripts/gpu_report.py" --kernels "$work/kernels.json" \
      --torch "$work/torch.json" --steps "$work/steps.tsv" --out "$out/gpu-check.json"; then
    cp "$work/kernels.json" "$out/gpu-check.json" 2>/dev/null || true
  fi
  cat "$work/report.txt" | tee -a "$out/summary.txt"
  echo "== gpu-check: $([ $status = 0 ] && echo PASSED || echo FAILED) (tests, sanitizers, timing checks)" \
    "in $((SECONDS - run_started)) s; performance targets: see above" | tee -a "$out/summary.txt"
  return $status
}

case "${1:-}" in
  prepare) prepare ;;
  run) run "${2:-}" ;;
  *) echo "usage: scripts/gpu-check.sh prepare | run [quick]" >&2; exit 2 ;;
esac
