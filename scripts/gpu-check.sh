#!/usr/bin/env bash
# The GPU check of the CUDA engine (issue 3) and the GPU half of the throughput issue (issue 5). Three commands:
#
#   scripts/gpu-check.sh prepare          HERE (network, JDK, Maven): builds everything the device machine needs into
#                                         .gpu-carry/ (ignored by git; < 60 MiB so the device tool can carry it): the
#                                         plain jar, the test classes' jar, the runtime dependencies, the JUnit console
#                                         launcher and a jlink Java runtime.
#   scripts/gpu-check.sh run [quick]      THERE (one GPU, no network, maybe no JDK; python3 with torch).
#   scripts/gpu-check.sh dry-run [EMU_DIR]
#                                         HERE or in CI: the same steps as `run`, from the same .gpu-carry/, with EMU_DIR
#                                         (holding the CPU emulator's libcuda.so.1, built by `bash cuda/emu/build.sh
#                                         EMU_DIR`) first on LD_LIBRARY_PATH, so that JCuda and the whole CUDA engine run
#                                         on the CPU. Without EMU_DIR, the probe finds no CUDA driver (on a machine
#                                         without one) and the GPU steps are skipped with that reason.
#     For CI:  scripts/gpu-check.sh prepare && bash cuda/emu/build.sh target/cuda-emu &&
#              scripts/gpu-check.sh dry-run target/cuda-emu
#     It exits 0 when every step reached its end (passed, or skipped with a reason), non-zero otherwise.
#     Why from .gpu-carry/ and not target/: the dry run then exercises the very files the GPU machine gets (the jlink
#     runtime and its module list, the jars, the JUnit console launcher and its class path), which is where a first
#     contact fails; `prepare` adds ~20 s to a build (`./mvnw package test-compile` is in it).
#     Dry-run differences: quick sizes; compute-sanitizer skipped ("emulator: compute-sanitizer needs a GPU"); torch run
#     on the CPU (--cpu-dry-run) when it imports, else skipped with its reason; every output file and the summary say
#     "emulator" in their first line, the figures are the CPU emulator's, and no target is judged.
#
# The steps of `run` (and `dry-run`), in this order:
#     probe       CudaProbe: device, driver, kernel image. No usable device: the GPU steps below are skipped with the
#                 probe's reason (a failure in `run`; expected in a dry run without an emulator)
#     junit       the JUnit tests of org.softmax4j.engine.cuda with -Dsoftmax4j.requireGpu=true, printed as they run
#     smoke       CudaSmoke: every kernel and path on awkward shapes, K = 10 and 40, dense and binary, against the
#                 double reference (8 configurations, each one run whatever the others did)
#     memcheck    compute-sanitizer memcheck (+ leak check) over CudaSmoke
#     racecheck   compute-sanitizer racecheck, the same. A missing compute-sanitizer, or one that refuses (exit 127,
#                 "device not supported", "not supported on this platform"), is a skip with that reason
#     kernels     CudaKernelTiming: CUDA-event times of the fused binary (N = 1e6, 1e7, 1e8; D = 64) and dense
#                 (N = 1e6, 1e7; D = 784) kernels, the reduction and both together, K = 10, with GB/s, GFLOP/s, the
#                 copy bandwidth measured in the same run, the floors, and the two absolute targets
#     torch       scripts/torch_baseline.py: the same evaluation in PyTorch on the same GPU (skipped with the reason
#                 when torch does not import; its failure is reported but is not a failure of `run`)
#     throughput  CudaThroughput: end-to-end evaluations through CudaEngine (uploads and read-back included)
#     report      scripts/gpu_report.py: ours vs PyTorch, a PASS/FAIL line per target, gpu-check.json
#   Each step has its own limit (cap_s below), and the whole run ends within total_s even if steps hang.
#   "quick" runs small sizes only (a smoke run of the script itself; no targets are judged).
#   Results go to $OUT (or .gpu-carry/results, .gpu-carry/dry-run), 8 files, the device tool's limit: summary.txt
#   (everything, tables last), gpu-check.json, junit.txt, smoke.txt, sanitizers.txt (memcheck, then racecheck),
#   kernels.txt, torch.txt, throughput.txt. Scratch (JUnit's XML, the steps' JSON) stays in a /tmp/gpu-check.* folder.
# Device tool: run(command="scripts/gpu-check.sh run", carry=[".gpu-carry"], timeout_s=540).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
carry="$root/.gpu-carry"
junit_console_version="1.14.1"   # JUnit Platform of junit-jupiter 5.14.1 (pom.xml)
# The runtime of docs/GPU-FACTS.md, plus java.xml and jdk.zipfs for the JUnit console (XML reports, scanning jars).
modules="java.base,java.logging,java.management,java.xml,jdk.incubator.vector,jdk.unsupported,jdk.zipfs"

usage() {
  echo "usage: scripts/gpu-check.sh prepare | run [quick] | dry-run [EMU_DIR]" >&2
  exit 2
}

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
  # The plain library jar (the CLI jar, softmax4j-*-cli.jar, would carry every dependency a second time).
  local plain
  plain="$(find target -maxdepth 1 -name 'softmax4j-*.jar' ! -name '*-cli.jar' ! -name '*-sources.jar' ! -name '*-javadoc.jar' | head -1)"
  if [ -z "$plain" ]; then
    echo "gpu-check: no target/softmax4j-*.jar after the build" >&2
    exit 1
  fi
  cp "$plain" "$carry/softmax4j-classes.jar"
  jar --create --file "$carry/softmax4j-tests.jar" -C target/test-classes .
  jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$carry/jre"
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
# limit gets SIGTERM, and SIGKILL $grace_s seconds later (timeout -k; timeout signals its whole process group).
grace_s=5
steps=(probe junit smoke memcheck racecheck kernels torch throughput report)
# On the GPU: the caps plus grace_s for each step add up to 465 s, which the device tool's timeout_s=540 covers.
declare -A gpu_cap=([probe]=15 [junit]=100 [smoke]=15 [memcheck]=45 [racecheck]=45 [kernels]=90 [torch]=65
                    [throughput]=40 [report]=5)
# On the emulator (2 CPU cores, kernels run on the CPU): generous, so that a slow CI machine still reaches the end;
# the sanitizers are skipped and their caps flow to the steps after them.
declare -A emu_cap=([probe]=60 [junit]=180 [smoke]=120 [memcheck]=5 [racecheck]=5 [kernels]=180 [torch]=120
                    [throughput]=360 [report]=30)
declare -A cap_s=()

# Seconds step $1 may run: what is left of $total_s, less the caps (and kill grace) of the steps after it.
limit_for() {
  local name=$1 after=0 seen=0 s
  for s in "${steps[@]}"; do
    if [ $seen = 1 ]; then after=$((after + cap_s[$s] + grace_s)); fi
    if [ "$s" = "$name" ]; then seen=1; fi
  done
  echo $((total_s - (SECONDS - run_started) - after - grace_s))
}

# say TEXT...: to the terminal and the summary.
say() {
  printf '%s\n' "$*" | tee -a "$out/summary.txt"
}

# show FILE: a step's log into the terminal and the summary (nothing when the step wrote none).
show() {
  if [ -s "$1" ]; then tee -a "$out/summary.txt" < "$1"; fi
}

# banner LOG: in a dry run, the first line of each output file (those in $out) says that its figures are the emulator's.
banner() {
  if [ -n "$dry_banner" ] && [[ $1 == "$out"/* ]] && [ ! -s "$1" ]; then printf '%s\n' "$dry_banner" >> "$1"; fi
}

# attempt NAME LOG COMMAND...: runs COMMAND under the step's limit, output appended to LOG; sets attempt_rc (a number,
# or "skip" when too little time is left), attempt_took, attempt_limit. Records nothing: see record.
attempt() {
  local name=$1 log=$2
  shift 2
  local began=$SECONDS
  banner "$log"
  attempt_limit=$(limit_for "$name")
  attempt_took=0
  attempt_rc=0
  if [ "$attempt_limit" -lt 5 ]; then
    attempt_rc=skip
    attempt_reason="out of time: ${attempt_limit} s left for it"
    return 0
  fi
  timeout -k "$grace_s" "$attempt_limit" "$@" >> "$log" 2>&1 || attempt_rc=$?
  attempt_took=$((SECONDS - began))
}

# record NAME LOG RC [REASON]: one line in steps.tsv (name, status, exit, seconds, limit, reason) and, unless the step
# passed, one line in the summary. RC is an exit status, "skip", or "fail" (the step ran but its answer is a failure).
record() {
  local name=$1 log=$2 rc=$3 reason=${4:-} status
  reason=${reason//$'\t'/ }
  reason=${reason//$'\n'/ }
  case $rc in
    0) status=ok ;;
    skip) status=skipped ;;
    124|137) status="timed out" ;;
    *) status=failed ;;
  esac
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$status" "$rc" "${attempt_took:-0}" "${attempt_limit:-0}" "$reason" \
    >> "$work/steps.tsv"
  case $status in
    ok) ;;
    skipped)
      banner "$log"
      printf '%s: SKIPPED (%s)\n' "$name" "$reason" >> "$log"
      say "$name: SKIPPED ($reason)" ;;
    "timed out")
      say "$name: TIMED OUT after ${attempt_limit} s (see $(basename "$log"))"
      failure "$name" ;;
    *)
      if [ "$rc" = fail ]; then
        say "$name: FAILED: $reason (see $(basename "$log"))"
      else
        say "$name: FAILED, exit $rc${reason:+: $reason} (see $(basename "$log"))"
      fi
      failure "$name" ;;
  esac
}

# A failed step fails the check, except the PyTorch baseline on the GPU (not a correctness step: the comparison says
# what is missing). In a dry run every step counts: it checks that each one reaches its end.
failure() {
  if [ "$mode" = run ] && [ "$1" = torch ]; then return 0; fi
  failed+=("$1")
}

# step NAME LOG COMMAND...: attempt, then record by exit status.
step() {
  local name=$1 log=$2
  attempt "$@"
  record "$name" "$log" "$attempt_rc" "${attempt_reason:-}"
  attempt_reason=""
}

# skip NAME LOG REASON
skip() {
  attempt_took=0
  attempt_limit=$(limit_for "$1")
  record "$1" "$2" skip "$3"
}

# junit_summary LOG: the failed tests (at most 15), the console's counts, or the test it was in when it was stopped.
junit_summary() {
  local log=$1 failures
  failures=$(grep -c ':: FAILED$' "$log" || true)
  grep -E ':: FAILED$' "$log" | head -15 || true
  if [ "${failures:-0}" -gt 15 ]; then echo "   ... $failures failed in all (see junit.txt)"; fi
  if grep -q '^Test run finished' "$log"; then
    grep -E '^Test run finished|^\[ +[0-9]+ tests ' "$log" || true
  else
    echo "   the JUnit run did not finish; the last test started: $(grep -E ':: STARTED$' "$log" | tail -1 || true)"
  fi
}

clocks() {
  if [ "$mode" = run ]; then
    { timeout 10 nvidia-smi --query-gpu=clocks.sm,clocks.max.sm,clocks.mem,power.draw,temperature.gpu,memory.used \
        --format=csv,noheader 2>/dev/null || true; } | sed "s/^/  clocks $1: SM, max SM, mem, power, temp, mem used = /"
  fi
}

# sanitizer TOOL [OPTIONS...]: compute-sanitizer over CudaSmoke, output appended to sanitizers.txt; a sanitizer that is
# missing or refuses the machine is a skip with its reason, not a kernel failure.
sanitizer() {
  local tool=$1
  shift
  local log="$out/sanitizers.txt"
  say "== compute-sanitizer --tool $tool (CudaSmoke)"
  banner "$log"
  printf '== compute-sanitizer --tool %s\n' "$tool" >> "$log"
  if [ -n "$gpu_reason" ]; then skip "$tool" "$log" "$gpu_reason"; return 0; fi
  if [ "$mode" = dry-run ]; then skip "$tool" "$log" "emulator: compute-sanitizer needs a GPU"; return 0; fi
  local exe
  exe="$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)"
  if [ ! -x "$exe" ]; then
    skip "$tool" "$log" "compute-sanitizer not found (not on PATH, not in /usr/local/cuda/bin)"
    return 0
  fi
  local before
  before=$(wc -l < "$log")
  attempt "$tool" "$log" "$exe" --tool "$tool" "$@" --error-exitcode 42 \
    "$java" -Xint -cp "$smoke_cp" org.softmax4j.engine.cuda.CudaSmoke
  local refusal
  refusal="$(tail -n +"$((before + 1))" "$log" \
    | grep -i -m1 -E 'device not supported|not supported on this platform' || true)"
  if [ "$attempt_rc" = 127 ] || [ "$attempt_rc" = 126 ]; then
    record "$tool" "$log" skip "compute-sanitizer did not start (exit $attempt_rc)"
  elif [ -n "$refusal" ]; then
    record "$tool" "$log" skip "compute-sanitizer refuses: ${refusal#"${refusal%%[!= ]*}"}"
  else
    record "$tool" "$log" "$attempt_rc"
  fi
  tail -n +"$((before + 1))" "$log" \
    | grep -E "ERROR SUMMARY|RACECHECK SUMMARY|LEAK SUMMARY|^ok|^FAIL|^smoke:|not supported" \
    | tee -a "$out/summary.txt" || true
}

device_check() {
  local quick=() mode_word=""
  mode=run
  dry_banner=""
  emu_dir=""
  case "${1:-}" in
    run)
      shift
      if [ "${1:-}" = quick ]; then quick=(--quick); mode_word=" (quick)"; shift; fi ;;
    dry-run)
      mode=dry-run
      shift
      quick=(--quick)
      if [ -n "${1:-}" ]; then
        if [ ! -f "$1/libcuda.so.1" ]; then
          echo "gpu-check: no libcuda.so.1 in $1 (build it with: bash cuda/emu/build.sh $1)" >&2
          exit 2
        fi
        emu_dir="$(cd "$1" && pwd)"
        shift
      fi ;;
  esac
  [ $# = 0 ] || usage
  cd "$root"
  for f in softmax4j-classes.jar softmax4j-tests.jar junit-console.jar; do
    if [ ! -f "$carry/$f" ]; then
      echo "gpu-check: $carry/$f is missing: run scripts/gpu-check.sh prepare first (here, with a JDK)" >&2
      exit 2
    fi
  done
  local s sum=0
  if [ "$mode" = run ]; then
    for s in "${steps[@]}"; do cap_s[$s]=${gpu_cap[$s]}; done
  else
    for s in "${steps[@]}"; do cap_s[$s]=${emu_cap[$s]}; done
  fi
  for s in "${steps[@]}"; do sum=$((sum + cap_s[$s] + grace_s)); done
  total_s=$sum
  run_started=$SECONDS
  failed=()
  attempt_reason=""

  if [ "$mode" = run ]; then
    out="${OUT:-$carry/results}"
  else
    out="${OUT:-$carry/dry-run}"
    if [ -n "$emu_dir" ]; then
      dry_banner="# EMULATOR dry run: the CUDA driver is the CPU emulator in $emu_dir; every figure here is the CPU's, not a GPU's"
      export LD_LIBRARY_PATH="$emu_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
      # No "no leak" line at each exit (tests that read a child JVM's output expect the probe's line alone); leaks
      # are still reported.
      export S4J_EMU_QUIET="${S4J_EMU_QUIET:-1}"
    else
      dry_banner="# EMULATOR dry run without an emulator (no EMU_DIR given): the GPU steps are expected to be skipped"
    fi
  fi
  mkdir -p "$out"
  rm -f "$out"/*.txt "$out"/*.json
  work="$(mktemp -d /tmp/gpu-check.XXXXXX)"
  : > "$work/steps.tsv"
  java="$carry/jre/bin/java"
  [ -x "$java" ] || java="java"
  # Spelled out: only the java launcher expands "lib/*", the JUnit console's --class-path does not.
  local cp="$carry/softmax4j-classes.jar:$carry/softmax4j-tests.jar" jar
  for jar in "$carry"/lib/*.jar; do cp="$cp:$jar"; done
  # CudaSmoke compares through EngineAssertions, which uses JUnit's assertions: the console launcher's jar has them.
  smoke_cp="$cp:$carry/junit-console.jar"

  banner "$out/summary.txt"
  {
    echo "== gpu-check $mode$mode_word $(date -u +%FT%TZ) on $(uname -n)${emu_dir:+, emulator $emu_dir}"
    if [ "$mode" = run ]; then
      timeout 10 nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv,noheader || true
    fi
    clocks start
    { timeout 10 "$java" -version 2>&1 || true; } | head -1
    for s in "${steps[@]}"; do printf ' %s %ss' "$s" "${cap_s[$s]}"; done
    echo "  (caps; whole run <= ${total_s} s); scratch in $work"
  } | tee -a "$out/summary.txt"

  # --- probe: a usable device, or the reason the GPU steps are skipped.
  say "== probe"
  gpu_reason=""
  local probe_log="$work/probe.txt" answer probe_rc
  attempt probe "$probe_log" "$java" -cp "$cp" org.softmax4j.engine.cuda.CudaProbe
  show "$probe_log"
  probe_rc=$attempt_rc
  answer="$(grep -E '^cuda (un)?available: ' "$probe_log" | tail -1 || true)"
  if [[ $answer == "cuda available: "* ]]; then
    if [ "$mode" = dry-run ] && [[ ${answer#cuda available: } != "CUDA emulator"* ]]; then
      gpu_reason="the device is not the CPU emulator (${answer#cuda available: }): use 'run' on a GPU"
      probe_rc=fail
    fi
  elif [[ $answer == "cuda unavailable: "* ]]; then
    gpu_reason="no usable GPU: ${answer#cuda unavailable: }"
    # Expected only in a dry run without an emulator.
    if [ "$mode" = run ] || [ -n "$emu_dir" ]; then probe_rc=fail; fi
  else
    gpu_reason="the probe gave no answer (exit $attempt_rc)"
    if [ "$probe_rc" = 0 ]; then probe_rc=fail; fi
  fi
  record probe "$probe_log" "$probe_rc" "$gpu_reason"

  # --- JUnit: with a device the GPU tests must run. A dry run without one still runs the package's other tests (the
  # GPU tests skip themselves with the probe's reason); a GPU run without one has nothing to learn from them.
  # The emulator-tagged tests (fault injection and emulated devices in child JVMs) belong to the build, which points
  # them at its emulator: never here.
  local require=true junit_filter=(--exclude-tag emulator)
  if [ -n "$gpu_reason" ] && [ "$mode" = dry-run ]; then require=false; fi
  # On the emulator the GPU-tagged tests take ~8 minutes on 2 cores: the dry run leaves them out (the smoke, kernel
  # and throughput steps run the engine there); GPU_CHECK_JUNIT=all keeps them.
  if [ "$mode" = dry-run ] && [ "${GPU_CHECK_JUNIT:-}" != all ]; then
    junit_filter+=(--exclude-tag gpu)
    say "   dry run: GPU-tagged tests left out (GPU_CHECK_JUNIT=all keeps them)"
  fi
  say "== JUnit (org.softmax4j.engine.cuda, -Dsoftmax4j.requireGpu=$require)"
  if [ -n "$gpu_reason" ] && [ "$mode" = run ]; then
    skip junit "$out/junit.txt" "$gpu_reason"
  else
    if [ "$require" = false ]; then say "   the GPU tests skip themselves: $gpu_reason"; fi
    step junit "$out/junit.txt" "$java" -Dsoftmax4j.requireGpu=$require -Dbasedir="$root" -Xmx4g \
      -jar "$carry/junit-console.jar" execute --class-path "$cp" --select-package org.softmax4j.engine.cuda \
      --details=testfeed --disable-ansi-colors --disable-banner --fail-if-no-tests --reports-dir "$work/junit" \
      "${junit_filter[@]}"
    # The console's closing summary (the failures and the counts).
    junit_summary "$out/junit.txt" | tee -a "$out/summary.txt"
  fi

  # --- CudaSmoke without a sanitizer: each configuration's own verdict.
  say "== CudaSmoke (every kernel and path, K = 10 and 40, dense and binary, against the double reference)"
  if [ -n "$gpu_reason" ]; then
    skip smoke "$out/smoke.txt" "$gpu_reason"
  else
    step smoke "$out/smoke.txt" "$java" -cp "$smoke_cp" org.softmax4j.engine.cuda.CudaSmoke
    { grep -E "^(ok|FAIL|smoke:|device:)|Exception|Error" "$out/smoke.txt" || true; } | tee -a "$out/summary.txt"
  fi

  banner "$out/sanitizers.txt"
  sanitizer memcheck --leak-check full
  sanitizer racecheck

  say "== kernel timing (CudaKernelTiming: CUDA events, fused binary N=1e6..1e8, fused dense N=1e6, 1e7)"
  if [ -n "$gpu_reason" ]; then
    skip kernels "$out/kernels.txt" "$gpu_reason"
  else
    clocks before | tee -a "$out/summary.txt"
    # On the emulator a dense case of the quick set takes minutes: a 30 s budget lets CudaKernelTiming skip what
    # does not fit (its own rule, recorded as "out of time" in its JSON).
    local kernel_budget=$(( $(limit_for kernels) - 10 ))
    if [ "$mode" = dry-run ]; then kernel_budget=30; fi
    step kernels "$out/kernels.txt" "$java" -Xmx8g -cp "$cp" org.softmax4j.engine.cuda.CudaKernelTiming \
      "${quick[@]}" --json "$work/kernels.json" --budget-s "$kernel_budget"
    show "$out/kernels.txt"
    clocks after | tee -a "$out/summary.txt"
  fi

  say "== PyTorch baseline (scripts/torch_baseline.py${emu_dir:+, on the CPU: the emulator runs no PyTorch})"
  if ! command -v python3 > /dev/null; then
    skip torch "$out/torch.txt" "python3 not found"
  else
    if [ "$mode" = dry-run ]; then
      # The emulator's libcuda.so.1 is not for PyTorch: without it on the path torch finds no driver, and runs on the CPU.
      attempt torch "$out/torch.txt" env -u LD_LIBRARY_PATH CUDA_VISIBLE_DEVICES= PYTHONUNBUFFERED=1 \
        python3 "$root/scripts/torch_baseline.py" --cpu-dry-run --json "$work/torch.json" \
        --budget-s "$(( $(limit_for torch) - 10 ))"
    else
      attempt torch "$out/torch.txt" env PYTHONUNBUFFERED=1 python3 "$root/scripts/torch_baseline.py" "${quick[@]}" \
        --json "$work/torch.json" --budget-s "$(( $(limit_for torch) - 10 ))"
    fi
    show "$out/torch.txt"
    # torch_baseline.py exits 0 with "SKIP torch baseline: REASON" when torch does not import or sees no GPU.
    local torch_skip
    torch_skip="$(sed -n 's/^SKIP torch baseline: //p' "$out/torch.txt" | head -1)"
    if [ "$attempt_rc" = 0 ] && [ -n "$torch_skip" ]; then
      record torch "$out/torch.txt" skip "$torch_skip"
    else
      record torch "$out/torch.txt" "$attempt_rc" "${attempt_reason:-}"
    fi
    attempt_reason=""
  fi

  say "== end-to-end throughput via CudaEngine (median of 9 after 2 warm-ups; eval = W,b up + L,∇,count down;" \
    "step = device-resident)"
  if [ -n "$gpu_reason" ]; then
    skip throughput "$out/throughput.txt" "$gpu_reason"
  else
    local throughput_args=()
    [ ${#quick[@]} = 0 ] || throughput_args=(quick)
    step throughput "$out/throughput.txt" "$java" -Xmx16g -cp "$cp" org.softmax4j.engine.cuda.CudaThroughput \
      "${throughput_args[@]}"
    show "$out/throughput.txt"
  fi

  # Last, so that the device tool's output tail ends with the tables and the target lines. The report's own line in
  # steps.tsv comes after it ran, so it reads the steps before it.
  local report_log="$work/report.txt" emulator_args=()
  if [ "$mode" = dry-run ]; then
    emulator_args=(--emulator "${emu_dir:-none (no EMU_DIR given)}")
  fi
  if ! command -v python3 > /dev/null; then
    skip report "$report_log" "python3 not found"
  else
    step report "$report_log" python3 "$root/scripts/gpu_report.py" --kernels "$work/kernels.json" \
      --torch "$work/torch.json" --steps "$work/steps.tsv" --out "$out/gpu-check.json" "${emulator_args[@]}"
  fi
  if [ ! -s "$out/gpu-check.json" ]; then
    # No report: keep the steps, so that the JSON file still says what ran.
    { printf '{"report_problem": "gpu_report.py wrote nothing", "mode": "%s", "steps_tsv": [' "$mode"
      sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' -e 's/^/"/' -e 's/$/"/' "$work/steps.tsv" | paste -sd, -
      printf ']}\n'; } > "$out/gpu-check.json"
  fi
  show "$report_log"

  local took=$((SECONDS - run_started)) verdict
  if [ "$mode" = dry-run ]; then
    if [ ${#failed[@]} = 0 ]; then
      verdict="every step reached its end"
    else
      verdict="FAILED: ${failed[*]}"
    fi
    say "== gpu-check dry run (${emu_dir:+CPU emulator at }${emu_dir:-no emulator}): $verdict in $took s;" \
      "figures from the CPU, not a GPU; no target judged"
  else
    if [ ${#failed[@]} = 0 ]; then verdict=PASSED; else verdict="FAILED (${failed[*]})"; fi
    say "== gpu-check: $verdict (probe, tests, smoke, sanitizers, timing checks) in $took s;" \
      "performance targets: see above"
  fi
  [ ${#failed[@]} = 0 ]
}

case "${1:-}" in
  prepare) [ $# = 1 ] || usage; prepare ;;
  run|dry-run) device_check "$@" ;;
  *) usage ;;
esac
