#!/usr/bin/env bash
# JMH microbenchmarks of the CPU engine's hot loops (src/jmh/java), outside the test run.
#   scripts/jmh.sh                                  # every case
#   scripts/jmh.sh -p kind=binary -p threads=1      # JMH options pass through
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
./mvnw -B -q -P jmh -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/jmh.classpath \
  -Dmdep.includeScope=test
exec java --add-modules jdk.incubator.vector -cp "target/test-classes:target/classes:$(cat target/jmh.classpath)" \
  org.openjdk.jmh.Main "$@"
