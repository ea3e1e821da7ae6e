#!/usr/bin/env bash
# Runs the whole benchmark harness and prints the table (also left in bench/target/results.md).
# Usage: bench/run.sh [hello] [start] [scrape] [jmh] [classes] [ingest]   (no argument: all of them)
# ingest compares with an older agent jar when given one: BENCH_BEFORE_JAR=path/to/af-metrics-agent.jar
# The JDK measured is the one that runs this script: JAVA_HOME, else `java` on the PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh
need_package "command -v wrk" wrk bench/run.sh

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
mvn -q -DskipTests package
mvn -q -f bench/pom.xml package
exec "$JAVA" ${BENCH_BEFORE_JAR:+-Dbench.before.jar=$BENCH_BEFORE_JAR} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.afmetrics.bench.Harness bench "$@"
