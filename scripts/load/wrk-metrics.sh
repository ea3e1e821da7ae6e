#!/usr/bin/env bash
# Load on /metrics: one JVM with the agent exporting the hotspot set plus 1000 notebook JSON
# series, hammered by wrk (64 connections, 30 s by default). Prints errors, latency percentiles
# and the heap after a full GC before and after the run. Loopback only; stops by itself.
#   scripts/load/wrk-metrics.sh [DURATION_SECONDS] [CONNECTIONS]
source "$(dirname "$0")/common.sh"
DURATION="${1:-30}"
CONNECTIONS="${2:-64}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
build

json_series 1000 "$WORK/af-metrics.json"
start_agent_jvm host "port=0,json=$WORK/af-metrics.json" -Xmx256m
URL="$(await_url host)"
JPID=$PID

heap_after_gc() {
  jcmd "$JPID" GC.run >/dev/null
  sleep 1
  curl -sf "$URL" | awk '/^jvm_memory_bytes_used\{/ && /area="heap"/ {print $NF}'
}

series=$(curl -sf "$URL" | grep -c '^notebook_' || true)
# warm-up at the same load: JIT, the server's threads and their response buffers all exist before "before"
wrk -t2 -c"$CONNECTIONS" -d5s --timeout 10s "$URL" >/dev/null
before=$(heap_after_gc)
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency "$URL" | tee "$WORK/wrk.txt"
after=$(heap_after_gc)

requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
errors=$(awk '/Socket errors/ {gsub(",", ""); s=0; for (i=1;i<=NF;i++) if ($i ~ /^[0-9]+$/) s+=$i; print s}' "$WORK/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$WORK/wrk.txt")
p50=$(awk '$1=="50%" {print $2}' "$WORK/wrk.txt")
p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk.txt")
echo
echo "== /metrics under wrk: $CONNECTIONS connections, ${DURATION}s, $series notebook series + hotspot set"
echo "requests:            $requests"
echo "socket errors:       ${errors:-0}"
echo "non-2xx responses:   ${non2xx:-0}"
echo "latency p50 / p99:   $p50 / $p99"
awk -v b="$before" -v a="$after" 'BEGIN { printf "heap after full GC:  before %.0f KiB, after %.0f KiB (%+.1f%%)\n", b / 1024, a / 1024, (a - b) * 100 / b }'
echo "agent lines:"; grep '^\[af-metrics\]' "$WORK/host.err" || true
