#!/usr/bin/env bash
# softmax4j's spark.ml estimator against Spark MLlib's multinomial LogisticRegression on local[2], in one JVM, on the
# same cached DataFrame (src/tools/java/org/softmax4j/spark/SparkComparison.java says how). Not part of CI.
#
#   scripts/compare-spark.sh [BINARY_ROWS [DENSE_ROWS [ROUNDS [sparse|dense]]]]     defaults: 1000000 100000 3 sparse
#
# BINARY_ROWS rows of 64 bits (K = 10) and DENSE_ROWS rows of 784 floats (K = 10), labels from a planted W; λ = 1.
# Ours to max|∂F| ≤ 1e-6, MLlib to its default tol; medians of ROUNDS alternating fits after a warm-up, their ratio,
# F and max|∂F| of both. The binary rows travel as sparse vectors (their ones) or dense ones (0/1). The DataFrame is
# read from Parquet (a temporary folder) and cached. Heap: JAVA_OPTS (default -Xmx8g). SKIP_BUILD=1: no Maven build.
# SOLVER: our solver (default lbfgs; newton for the binary rows, whose K·(D+1) = 650 parameters it can factor).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ -n "${SKIP_BUILD:-}" ] || ./mvnw -B -q -Dskip.cuda.harness=true -Dskip.cuda.emulator=true test-compile >&2
[ -n "${SKIP_BUILD:-}" ] || ./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/spark-test-classpath.txt >&2
exec java --add-modules jdk.incubator.vector \
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED \
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true \
  -Dlog4j2.configurationFile="$root/scripts/spark-log4j2.properties" ${JAVA_OPTS:--Xmx8g} \
  -Dsoftmax4j.compare.solver="${SOLVER:-lbfgs}" \
  -cp "target/test-classes:target/classes:$(cat target/spark-test-classpath.txt)" \
  org.softmax4j.spark.SparkComparison "${1:-1000000}" "${2:-100000}" "${3:-3}" "${4:-sparse}"
