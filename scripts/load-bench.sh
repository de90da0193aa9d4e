#!/usr/bin/env bash
# CSV load time and memory, apart from training. Not part of CI; needs python3 with numpy (to write the files).
#
#   scripts/load-bench.sh [--jar JAR] [--baseline JAR] [--runs R] [--min-xmx] [--xmx SIZE] [--train] [CASE ...]
#
# Cases (written once into ${SOFTMAX4J_DATA:-~/.cache/softmax4j}/load; fashion comes from scripts/dense-data.sh):
#   binary1m    10^6 rows of 64 random 0/1 features and a label 0..9, seed 1 (130 MB of text)
#   dense100k   10^5 rows of 784 random one-decimal numbers 0.0..9.9 and a label 0..9, seed 1 (314 MB)
#   fashion     Fashion-MNIST's training file, 60,000 rows of 784 pixels 0..255 and a label (133 MB)
#   fashion-gz  the same, gzip -6
#   fashion-gz-pipe  the gzip file through a pipe (`cat FILE | ... /dev/stdin`): read once, as a stream
# Each run is a fresh JVM that loads the file as `train --train FILE` does (org.softmax4j.data.LoadTime from the test
# classes) under /usr/bin/time; it prints the load's seconds (in the JVM, without its start), the peak resident set
# and the heap in use after the load. R runs (default 3) per case, then the medians. --min-xmx also finds the least
# -Xmx under which the load succeeds (bisection to 4 MiB, one run per step). --jar: the library or CLI jar to measure
# (default: this checkout's CLI jar, built if missing); --baseline: another build (e.g. main's), whose runs alternate
# with the jar's, run by run, so that both see the same load, and the ratio of the median load times. --train: each
# run is `java -jar JAR train --backend cpu --threads 1 --train FILE --test-fraction 0 --max-iterations 1` instead
# (the load and one iteration; its seconds are the process's wall time, JVM start included).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-/usr/bin/python3}"
jar=
baseline=
runs=3
min_xmx=false
xmx=
train=false
cases=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jar) jar="$2"; shift 2 ;;
    --baseline) baseline="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --min-xmx) min_xmx=true; shift ;;
    --xmx) xmx="$2"; shift 2 ;;
    --train) train=true; shift ;;
    -*) echo "load-bench.sh: unknown option $1" >&2; exit 2 ;;
    *) cases+=("$1"); shift ;;
  esac
done
if [[ ${#cases[@]} -eq 0 ]]; then
  cases=(binary1m dense100k fashion fashion-gz fashion-gz-pipe)
fi
if [[ -z "$jar" || ! -d "$root/target/test-classes/org/softmax4j/data" ]]; then
  (cd "$root" && ./mvnw -B -q -DskipTests -Dskip.cuda.harness=true -Dskip.cuda.emulator=true package test-compile) >&2
fi
jar="${jar:-$(ls "$root"/target/softmax4j-*-cli.jar | head -1)}"
# LoadTime's class, copied so that a build in this checkout during the runs cannot change it under them.
classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT
mkdir -p "$classes/org/softmax4j/data"
cp "$root/target/test-classes/org/softmax4j/data/LoadTime.class" "$classes/org/softmax4j/data/"
data="${SOFTMAX4J_DATA:-$HOME/.cache/softmax4j}"
mkdir -p "$data/load"

file_of() {
  case "$1" in
    binary1m) echo "$data/load/binary1m.csv" ;;
    dense100k) echo "$data/load/dense100k.csv" ;;
    fashion) echo "$data/dense/fashion-train.csv" ;;
    fashion-gz | fashion-gz-pipe) echo "$data/load/fashion-train.csv.gz" ;;
    *) echo "load-bench.sh: unknown case $1" >&2; exit 2 ;;
  esac
}

# Writes the random files with numpy, a row at a time as fixed-width bytes (no per-value formatting).
make_file() {
  local file="$1"
  [[ -f "$file" ]] && return
  case "$(basename "$file")" in
    binary1m.csv | dense100k.csv)
      "$python" - "$file" <<'PY'
import sys
import numpy as np
path = sys.argv[1]
binary = "binary1m" in path
n, d = (1_000_000, 64) if binary else (100_000, 784)
rng = np.random.default_rng(1)
with open(path + ".part", "wb") as out:
    for start in range(0, n, 10_000):
        rows = min(10_000, n - start)
        if binary:
            cells = np.empty((rows, d, 2), dtype=np.uint8)
            cells[:, :, 0] = ord("0") + rng.integers(0, 2, (rows, d))
            cells[:, :, 1] = ord(",")
        else:
            cells = np.empty((rows, d, 4), dtype=np.uint8)
            cells[:, :, 0] = ord("0") + rng.integers(0, 10, (rows, d))
            cells[:, :, 1] = ord(".")
            cells[:, :, 2] = ord("0") + rng.integers(0, 10, (rows, d))
            cells[:, :, 3] = ord(",")
        label = np.empty((rows, 2), dtype=np.uint8)
        label[:, 0] = ord("0") + rng.integers(0, 10, rows)
        label[:, 1] = ord("\n")
        out.write(np.concatenate([cells.reshape(rows, -1), label], axis=1).tobytes())
import os
os.rename(path + ".part", path)
PY
      ;;
    fashion-train.csv)
      bash "$root/scripts/dense-data.sh" >/dev/null ;;
    fashion-train.csv.gz)
      make_file "$(file_of fashion)"
      gzip -6 -c "$(file_of fashion)" >"$file.part" && mv "$file.part" "$file" ;;
  esac
}

# One load of case $1's file by jar $3: prints "seconds rss_kib heap_after_mib", or "failed" (the heap too small).
load_once() {
  local file heap="$2" out
  file="$(file_of "$1")"
  local java=(/usr/bin/time -f "rss_kib %M wall_s %e" java ${heap:+-Xmx$heap} -cp "$3:$classes"
    org.softmax4j.data.LoadTime)
  if $train; then
    java=(/usr/bin/time -f "rss_kib %M wall_s %e" java ${heap:+-Xmx$heap} -jar "$3" train --backend cpu --threads 1
      --quiet --test-fraction 0 --max-iterations 1 --train)
  fi
  if [[ "$1" == *-pipe ]]; then
    out="$(cat "$file" | "${java[@]}" /dev/stdin 2>&1)" || { echo failed; return; }
  else
    out="$("${java[@]}" "$file" 2>&1)" || { echo failed; return; }
  fi
  awk -v train="$train" '
    /load_s/ { for (i = 1; i <= NF; i++) { if ($i == "load_s") s = $(i + 1); if ($i == "heap_after_mib") h = $(i + 1) } }
    /rss_kib/ { r = $2; if (train == "true") { s = $4; h = "-" } }
    END { print s, r, h }' <<<"$out"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The least -Xmx (MiB) under which jar $2 loads case $1, by bisection to 4 MiB.
least_xmx() {
  local low=16 high=4096 mid
  while ((high - low > 4)); do
    mid=$(((low + high) / 2))
    if [[ "$(load_once "$1" "${mid}m" "$2")" == failed ]]; then low=$mid; else high=$mid; fi
  done
  echo "$high"
}

jars=("$jar")
if [[ -n "$baseline" ]]; then
  jars=("$baseline" "$jar")
fi
echo "jars ${jars[*]}; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for case in "${cases[@]}"; do
  file="$(file_of "$case")"
  make_file "$file"
  declare -A results=()
  # The jars take turns, run by run, so that both see the same load of the machine.
  for ((r = 0; r < runs; r++)); do
    for j in "${!jars[@]}"; do
      results[$j]+="$(load_once "$case" "$xmx" "${jars[$j]}")"$'\n'
      echo "  $case run $((r + 1)) $(basename "${jars[$j]}"): $(tail -2 <<<"${results[$j]}" | head -1)"
    done
  done
  for j in "${!jars[@]}"; do
    seconds[$j]="$(awk 'NF { print $1 }' <<<"${results[$j]}" | median)"
    rss="$(awk 'NF { print $2 }' <<<"${results[$j]}" | median)"
    heap="$(awk 'NF { print $3 }' <<<"${results[$j]}" | median)"
    line="$case, $(basename "${jars[$j]}"): $(du -m "$file" | cut -f1) MiB file, median of $runs: load ${seconds[$j]} s,"
    line="$line peak RSS $((rss / 1024)) MiB, heap after ${heap} MiB${xmx:+ (-Xmx$xmx)}"
    if $train; then
      line="${line/load/train (load and one iteration, wall)}"
    fi
    if $min_xmx; then
      line="$line, least -Xmx $(least_xmx "$case" "${jars[$j]}")m"
    fi
    echo "$line"
  done
  if [[ -n "$baseline" ]]; then
    echo "$case: load time $(awk -v a="${seconds[1]}" -v b="${seconds[0]}" 'BEGIN { printf "%.2f", a / b }') x the baseline's"
  fi
  unset results
done
