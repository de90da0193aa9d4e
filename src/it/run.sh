#!/usr/bin/env bash
# The jars as users get them, after `package` (run by `./mvnw verify`; by hand: src/it/run.sh with the arguments
# below). Checks:
#   1. LICENSE and NOTICE are inside the library jar and the CLI jar;
#   2. the library jar holds no dependency; the CLI jar holds picocli and Gson only relocated (org.softmax4j.shaded);
#   3. the CLI jar runs (version, a short training) and probes CUDA as the library does: its "cuda" line of `info`
#      equals the one of the library jar on a user's class path (JCuda cannot be relocated: see the pom);
#   4. a user's project (src/it/library-user) that depends on the library jar and on its own, older picocli resolves,
#      compiles and runs: its picocli is the one on the class path, and it trains on the built-in digits.
# Arguments: project root, version, mvn executable, local repository, offline=true|false, CUDA emulator dir (may
# not exist: then no CUDA driver is found by either jar, and the lines still have to agree).
set -euo pipefail
root="$1"; version="$2"; mvn="$3"; local_repo="$4"; offline="${5#offline=}"; emulator="$6"
lib="$root/target/softmax4j-$version.jar"
cli="$root/target/softmax4j-$version-cli.jar"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "jar check: FAILED: $*" >&2; exit 1; }
ok() { echo "jar check: $*: ok"; }

for jar in "$lib" "$cli"; do
  [ -f "$jar" ] || fail "no $jar"
  jar tf "$jar" > "$work/entries"
  for entry in META-INF/LICENSE META-INF/NOTICE org/softmax4j/data/optdigits-8x8.csv.gz; do
    grep -qx "$entry" "$work/entries" || fail "$(basename "$jar") has no $entry"
  done
  ok "$(basename "$jar") holds LICENSE and NOTICE"
done

jar tf "$lib" > "$work/lib-entries"
if grep -E '^(picocli|com/google/gson|jcuda|lib)/' "$work/lib-entries" | head -3 | grep -q .; then
  fail "the library jar bundles a dependency: $(grep -E '^(picocli|com/google/gson|jcuda|lib)/' "$work/lib-entries" | head -1)"
fi
ok "the library jar holds only softmax4j"

jar tf "$cli" > "$work/cli-entries"
if grep -E '^(picocli|com/google/gson)/' "$work/cli-entries" | head -1 | grep -q .; then
  fail "the CLI jar holds an unrelocated class: $(grep -E '^(picocli|com/google/gson)/' "$work/cli-entries" | head -1)"
fi
grep -qx 'org/softmax4j/shaded/picocli/CommandLine.class' "$work/cli-entries" || fail "no relocated picocli in the CLI jar"
grep -qx 'org/softmax4j/shaded/gson/Gson.class' "$work/cli-entries" || fail "no relocated Gson in the CLI jar"
ok "the CLI jar holds picocli and Gson relocated"

java -jar "$cli" --version | grep -qx "softmax4j $version" || fail "java -jar $(basename "$cli") --version"
java -jar "$cli" train -q --json --backend cpu --max-iterations 3 > "$work/train.json" 2> "$work/train.err" \
  || fail "java -jar $(basename "$cli") train: $(tail -1 "$work/train.err")"
grep -q '"command":"train"' "$work/train.json" || fail "train --json printed no result: $(cat "$work/train.json")"
ok "the CLI jar trains"

# The user's project, with the library in a repository of its own and everything else from the local repository.
mkdir -p "$work/repo/org/softmax4j/softmax4j/$version"
cp "$lib" "$work/repo/org/softmax4j/softmax4j/$version/softmax4j-$version.jar"
cp "$root/pom.xml" "$work/repo/org/softmax4j/softmax4j/$version/softmax4j-$version.pom"
cp -r "$root/src/it/library-user" "$work/user"
offline_flag=()
if [ "$offline" = "true" ]; then
  offline_flag=(-o)
fi
"$mvn" -B -q "${offline_flag[@]}" -f "$work/user/pom.xml" -Dmaven.repo.local="$work/repo" \
  -Dmaven.repo.local.tail="$local_repo" -Dsoftmax4j.version="$version" \
  dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" > "$work/mvn.log" 2>&1 \
  || { tail -20 "$work/mvn.log" >&2; fail "the user's project did not resolve"; }
cp="$(cat "$work/cp.txt")"
case "$cp" in
  *picocli-4.7.6.jar*) ;;
  *) fail "the user's class path lacks its own picocli 4.7.6: $cp" ;;
esac
case "$cp" in
  *softmax4j-$version.jar*) ;;
  *) fail "the user's class path lacks the library jar: $cp" ;;
esac
case "$cp" in
  *gson-*.jar*) ;;
  *) fail "the library's dependencies did not come with it (no Gson): $cp" ;;
esac
javac -d "$work/classes" -cp "$cp" "$work/user/src/main/java/example/UseLibrary.java"
java -cp "$work/classes:$cp" example.UseLibrary --expect-picocli 4.7.6 || fail "the user's project did not run"
ok "a user's project on the library jar and its own picocli 4.7.6 builds and runs"

# The CUDA probe: the CLI jar against the library jar on the user's class path (unrelocated JCuda), same driver.
export LD_LIBRARY_PATH="$emulator${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
java -jar "$cli" info 2>/dev/null | grep -E '^  cuda ' > "$work/cuda-cli" || true
java -cp "$cp" org.softmax4j.cli.Main info 2>/dev/null | grep -E '^  cuda ' > "$work/cuda-lib" || true
[ -s "$work/cuda-cli" ] || fail "java -jar $(basename "$cli") info printed no cuda line"
cmp -s "$work/cuda-cli" "$work/cuda-lib" \
  || fail "the cuda lines differ: CLI jar \"$(cat "$work/cuda-cli")\", library jar \"$(cat "$work/cuda-lib")\""
ok "the CLI jar probes CUDA as the library jar does ($(cut -c1-60 "$work/cuda-cli" | sed 's/^ *//')...)"
echo "jar check: all passed"
