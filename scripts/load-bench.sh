#!/usr/bin/env bash
# CSV load time and memory, apart from training. Not part of CI; needs python3 with numpy (to write the files).
#
#   scripts/load-bench.sh [--jar JAR] [--runs R] [--min-xmx] [--xmx SIZE] [CASE ...]
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
# (default: this checkout's CLI jar, built if missing), so that an older build can be measured the same way.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-/usr/bin/python3}"
jar=
runs=3
min_xmx=false
xmx=
cases=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jar) jar="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --min-xmx) min_xmx=true; shift ;;
    --xmx) xmx="$2"; shift 2 ;;
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

# One load of case $1's file: prints "seconds rss_kib heap_after_mib", or "failed" (the heap too small).
load_once() {
  local file heap="$2" out
  file="$(file_of "$1")"
  local java=(/usr/bin/time -f "rss_kib %M" java ${heap:+-Xmx$heap} -cp "$jar:$root/target/test-classes"
    org.softmax4j.data.LoadTime)
  if [[ "$1" == *-pipe ]]; then
    out="$(cat "$file" | "${java[@]}" /dev/stdin 2>&1)" || { echo failed; return; }
  else
    out="$("${java[@]}" "$file" 2>&1)" || { echo failed; return; }
  fi
  awk '/load_s/ { for (i = 1; i <= NF; i++) { if ($i == "load_s") s = $(i + 1); if ($i == "heap_after_mib") h = $(i + 1) } }
       /rss_kib/ { r = $2 } END { print s, r, h }' <<<"$out"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "jar $jar, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for case in "${cases[@]}"; do
  file="$(file_of "$case")"
  make_file "$file"
  results=()
  for ((r = 0; r < runs; r++)); do
    results+=("$(load_once "$case" "$xmx")")
    echo "  $case run $((r + 1)): ${results[-1]}"
  done
  seconds="$(printf '%s\n' "${results[@]}" | awk '{ print $1 }' | median)"
  rss="$(printf '%s\n' "${results[@]}" | awk '{ print $2 }' | median)"
  heap="$(printf '%s\n' "${results[@]}" | awk '{ print $3 }' | median)"
  line="$case: $(du -m "$file" | cut -f1) MB file, median of $runs: load ${seconds} s, peak RSS $((rss / 1024)) MiB,"
  line="$line heap after ${heap} MiB${xmx:+ (-Xmx$xmx)}"
  if $min_xmx; then
    low=16 high=4096
    while ((high - low > 4)); do
      mid=$(((low + high) / 2))
      if [[ "$(load_once "$case" "${mid}m")" == failed ]]; then low=$mid; else high=$mid; fi
    done
    line="$line, least -Xmx ${high}m"
  fi
  echo "$line"
done
