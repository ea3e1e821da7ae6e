# Shared by the load scripts: build once, start agent JVMs, scrape, clean up. Loopback only.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$ROOT/target/af-metrics-agent.jar"
CLASSES="$ROOT/target/test-classes"
WORK="$(mktemp -d /tmp/afm-load.XXXXXX)"
PIDS=()

cleanup() {
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && wait "$p" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

build() {
  if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$JAR" ] || [ ! -d "$CLASSES" ]; then
    (cd "$ROOT" && mvn -q -B -DskipTests package test-compile)
  fi
}

# json_series N FILE: a notebook JSON file of N labelled gauges and counters
json_series() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
m = []
for i in range(n):
    if i % 2:
        m.append({"name": "events_total", "type": "counter", "labels": {"step": "s%d" % i}, "value": i * 10})
    else:
        m.append({"name": "load", "type": "gauge", "labels": {"step": "s%d" % i}, "value": i / 7.0})
json.dump({"metrics": m}, open(path, "w"))
PY
}

# start_agent_jvm NAME AGENT_ARGS [JVM options...]: starts SleepMain with the agent; sets $URL and $PID
start_agent_jvm() {
  local name="$1" args="$2"; shift 2
  java "$@" "-javaagent:$JAR=$args" -cp "$CLASSES" org.afmetrics.testing.apps.SleepMain 3600000 \
    >"$WORK/$name.out" 2>"$WORK/$name.err" &
  PID=$!
  PIDS+=("$PID")
}

# await_url NAME: waits for the agent's "exporting on" line and prints its URL
await_url() {
  local name="$1" i
  for i in $(seq 1 1200); do
    if grep -q "exporting on" "$WORK/$name.err" 2>/dev/null; then
      sed -n 's/.*exporting on \([^ ]*\).*/\1/p' "$WORK/$name.err" | head -1
      return 0
    fi
    sleep 0.1
  done
  echo "no exporter line from $name:" >&2; cat "$WORK/$name.err" >&2; return 1
}
