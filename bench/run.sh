#!/usr/bin/env bash
# Runs the whole benchmark harness and prints the table (also left in bench/target/results.md).
# Usage: bench/run.sh [hello] [start] [scrape] [jmh] [classes]   (no argument: all of them)
# The JDK measured is the one that runs this script: JAVA_HOME, else `java` on the PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
  else
    echo "bench/run.sh needs wrk (apt-get install wrk)" >&2
    exit 1
  fi
fi

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
mvn -q -DskipTests package
mvn -q -f bench/pom.xml package
exec "$JAVA" -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.afmetrics.bench.Harness bench "$@"
