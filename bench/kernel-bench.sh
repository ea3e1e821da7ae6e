#!/usr/bin/env bash
# The kernel benchmarks: the cell hook's cost per cell (JMH) and the Kotlin kernel's start and RSS
# with and without the agent. Prints the table (also left in bench/target/kernel-results.md).
# Usage: bench/kernel-bench.sh [hook] [kotlin]   (no argument: both)
# Rounds of the Kotlin benchmark: BENCH_KOTLIN_ROUNDS (default 7; each starts one kernel without and one with
# the agent); BENCH_KOTLIN_BREAKDOWN=true adds an empty agent and the agent with cell-hooks=false to every round.
# The JDK measured is the one that runs this script: JAVA_HOME, else `java` on the PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh
need_package "/usr/bin/python3 -c 'import jupyter_client'" python3-jupyter-client bench/kernel-bench.sh

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
mvn -q -DskipTests package
mvn -q -f bench/pom.xml package
# the Kotlin kernel's runtime classpath from Maven Central (the same pom the integration tests use)
mvn -q -f src/test/kernels/kotlin/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/bench/target/kotlin-kernel.classpath"
exec "$JAVA" -Dbench.kotlin.rounds="${BENCH_KOTLIN_ROUNDS:-7}" -Dbench.kotlin.breakdown="${BENCH_KOTLIN_BREAKDOWN:-false}" -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  org.afmetrics.bench.KernelBench bench "$@"
