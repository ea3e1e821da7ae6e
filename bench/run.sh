#!/usr/bin/env bash
# Runs the whole benchmark harness and prints the table (also left in bench/target/results.md).
# Usage: bench/run.sh [hello] [javac] [job] [start] [scrape] [jmh] [classes] [kotlin] [cds] [ingest]   (no argument: all of them)
# BENCH_JAVA_OPTS goes to the harness's own JVM, e.g. "-Dbench.hello.rounds=25 -Dbench.javac.rounds=25 -Dbench.start.rounds=15".
# BENCH_ANCHORS=false leaves jmx_exporter and OpenTelemetry out of the hello, job and start cases.
# cds: the Kotlin kernel with its class-data archive (kernelspec install --cds) against the bare kernel
# ingest compares with an older agent jar when given one: BENCH_BEFORE_JAR=path/to/af-metrics-agent.jar
# The JDK measured is the one that runs this script: JAVA_HOME, else `java` on the PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh
need_package "command -v wrk" wrk bench/run.sh
need_package "/usr/bin/python3 -c 'import jupyter_client'" python3-jupyter-client bench/run.sh

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
mvn -q -DskipTests package
mvn -q -f bench/pom.xml package
# the Kotlin kernel's runtime classpath from Maven Central (the same pom the integration tests use)
mvn -q -f src/test/kernels/kotlin/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/bench/target/kotlin-kernel.classpath"
exec "$JAVA" ${BENCH_JAVA_OPTS:-} ${BENCH_ANCHORS:+-Dbench.anchors=$BENCH_ANCHORS} ${BENCH_BEFORE_JAR:+-Dbench.before.jar=$BENCH_BEFORE_JAR} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.afmetrics.bench.Harness bench "$@"
