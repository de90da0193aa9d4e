#!/usr/bin/env bash
# The GPU check of the CUDA engine, in two halves:
#   scripts/gpu-check.sh prepare   HERE (network, JDK, Maven): builds everything the device machine needs into
#                                  .gpu-carry/ (ignored by git; < 64 MiB so the device tool can carry it).
#   scripts/gpu-check.sh run       THERE (one GPU, no network, maybe no JDK): GPU tests with -Dsoftmax4j.requireGpu=true,
#                                  compute-sanitizer memcheck and racecheck over every kernel, a throughput table.
#                                  Results go to $OUT (or .gpu-carry/results); about 7 minutes at most.
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

run() {
  cd "$root"
  local out="${OUT:-$carry/results}"
  mkdir -p "$out"
  local java="$carry/jre/bin/java"
  [ -x "$java" ] || java="java"
  # Spelled out: only the java launcher expands "lib/*", the JUnit console's --class-path does not.
  local cp="$carry/softmax4j-classes.jar:$carry/softmax4j-tests.jar"
  local jar
  for jar in "$carry"/lib/*.jar; do cp="$cp:$jar"; done
  local status=0
  {
    echo "== gpu-check $(date -u +%FT%TZ) on $(hostname)"
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
    "$java" -version 2>&1 | head -1
  } | tee "$out/summary.txt"

  echo "== probe" | tee -a "$out/summary.txt"
  "$java" -cp "$cp" org.softmax4j.engine.cuda.CudaProbe | tee -a "$out/summary.txt"

  echo "== JUnit (org.softmax4j.engine.cuda, -Dsoftmax4j.requireGpu=true)" | tee -a "$out/summary.txt"
  if ! timeout 200 "$java" -Dsoftmax4j.requireGpu=true -Dbasedir="$root" -Xmx4g -jar "$carry/junit-console.jar" \
      execute --class-path "$cp" --select-package org.softmax4j.engine.cuda --details=summary \
      --disable-banner --reports-dir "$out/junit" > "$out/junit.txt" 2>&1; then
    status=1
    echo "JUnit: FAILED (see junit.txt)" | tee -a "$out/summary.txt"
  fi
  tail -25 "$out/junit.txt" | tee -a "$out/summary.txt"

  local sanitizer
  sanitizer="$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)"
  for tool in memcheck racecheck; do
    echo "== compute-sanitizer --tool $tool (CudaSmoke: every kernel, K = 10 and 40, dense and binary)" \
      | tee -a "$out/summary.txt"
    local extra=()
    [ "$tool" = memcheck ] && extra=(--leak-check full)
    if ! timeout 100 "$sanitizer" --tool "$tool" "${extra[@]}" --error-exitcode 42 \
        "$java" -Xint -cp "$cp" org.softmax4j.engine.cuda.CudaSmoke > "$out/$tool.txt" 2>&1; then
      status=1
      echo "$tool: FAILED or timed out (see $tool.txt)" | tee -a "$out/summary.txt"
    fi
    grep -E "ERROR SUMMARY|RACECHECK SUMMARY|LEAK SUMMARY|^ok|^FAIL" "$out/$tool.txt" | tee -a "$out/summary.txt" || true
  done

  echo "== throughput (median of 9 after 2 warm-ups; eval = W,b up + L,∇,count down; step = device-resident)" \
    | tee -a "$out/summary.txt"
  if ! timeout 150 "$java" -Xmx16g -cp "$cp" org.softmax4j.engine.cuda.CudaThroughput > "$out/throughput.txt" 2>&1; then
    status=1
    echo "throughput: FAILED or timed out" | tee -a "$out/summary.txt"
  fi
  cat "$out/throughput.txt" | tee -a "$out/summary.txt"
  echo "== gpu-check: $([ $status = 0 ] && echo PASSED || echo FAILED)" | tee -a "$out/summary.txt"
  return $status
}

case "${1:-}" in
  prepare) prepare ;;
  run) run ;;
  *) echo "usage: scripts/gpu-check.sh prepare|run" >&2; exit 2 ;;
esac
