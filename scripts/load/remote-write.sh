#!/usr/bin/env bash
# A facility of several nodes on one host: N agent JVMs (8 by default) spread over K node agents
# (2 by default; Debian's Prometheus in agent mode, configs from prometheus-config --mode node),
# all forwarding by remote_write to one central Prometheus (--mode central, with the rules), for
# SECONDS (120 by default). Reports, from Prometheus's own metrics:
#   per node agent: samples sent, remote_write lag (newest sample appended to the WAL minus
#     newest sample sent; sampled every 2 s), failed, retried and dropped samples, pending at the end;
#   the centre: head series, samples appended per second, resident memory and Go heap in use,
#     and the heap per head series over an empty centre's.
# OUTAGE=S stops the centre for S seconds in the middle of the run and starts it again on the
# same port and data: the agents must catch up with nothing dropped. Loopback only; stops by itself.
#   scripts/load/remote-write.sh [JVMS] [NODES] [SECONDS]
# Environment: SCRAPE_INTERVAL (15s, the default of prometheus-config), JSON_SERIES (0: notebook JSON
# series per JVM on top of the hotspot set and the agent's own), OUTAGE (0), PROM_PORT (19290: the
# centre; node agents on the ports after it).
source "$(dirname "$0")/common.sh"
N="${1:-8}"
K="${2:-2}"
SECONDS_RUN="${3:-120}"
INTERVAL="${SCRAPE_INTERVAL:-15s}"
JSON_SERIES="${JSON_SERIES:-0}"
OUTAGE="${OUTAGE:-0}"
PROM_PORT="${PROM_PORT:-19290}"
build

cli() { java -jar "$JAR" "$@"; }
ready() {
  local i
  for i in $(seq 1 300); do curl -sf "http://127.0.0.1:$1/-/ready" >/dev/null && return 0; sleep 0.1; done
  echo "Prometheus on port $1 not ready" >&2; return 1
}
# metric PORT NAME: the sum of a metric's samples in Prometheus's own /metrics on that port
metric() {
  curl -sf "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $NF } END { printf "%.0f", s }'
}

cli prometheus-rules >"$WORK/rules.yml"
cli prometheus-config --mode central --scrape-interval "$INTERVAL" --rules-file "$WORK/rules.yml" >"$WORK/central.yml"
promtool check config "$WORK/central.yml" >/dev/null
start_centre() {
  prometheus --config.file="$WORK/central.yml" --storage.tsdb.path="$WORK/centre-data" \
    --web.enable-remote-write-receiver --web.listen-address="127.0.0.1:$PROM_PORT" >>"$WORK/centre.log" 2>&1 &
  CENTRE=$!
  PIDS+=("$CENTRE")
  ready "$PROM_PORT"
}
start_centre
sleep 2
empty_heap=$(metric "$PROM_PORT" go_memstats_heap_inuse_bytes)

for k in $(seq 1 "$K"); do
  mkdir -p "$WORK/node-$k/targets"
  cli prometheus-config --mode node --targets-dir "$WORK/node-$k/targets" --node "node-$k" \
    --scrape-interval "$INTERVAL" --remote-write "http://127.0.0.1:$PROM_PORT/api/v1/write" >"$WORK/node-$k/agent.yml"
  promtool check config --agent "$WORK/node-$k/agent.yml" >/dev/null
  prometheus --enable-feature=agent --config.file="$WORK/node-$k/agent.yml" --storage.agent.path="$WORK/node-$k/wal" \
    --web.listen-address="127.0.0.1:$((PROM_PORT + k))" >"$WORK/node-$k/agent.log" 2>&1 &
  PIDS+=("$!")
  ready "$((PROM_PORT + k))"
done

for i in $(seq 1 "$N"); do
  k=$(( (i - 1) % K + 1 ))
  json=""
  if [ "$JSON_SERIES" -gt 0 ]; then
    json_series "$JSON_SERIES" "$WORK/kernel-$i.json"
    json=",json=$WORK/kernel-$i.json"
  fi
  start_agent_jvm "kernel-$i" "port=0,targets-dir=$WORK/node-$k/targets,user=user$i$json" \
    -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
done
for i in $(seq 1 "$N"); do await_url "kernel-$i" >/dev/null; done
echo "$N agent JVMs on $K node agents, scrape interval $INTERVAL, centre on 127.0.0.1:$PROM_PORT"

start=$(date +%s)
outage_at=$(( SECONDS_RUN / 2 ))
: >"$WORK/lag.tsv"
while [ $(( $(date +%s) - start )) -lt "$SECONDS_RUN" ]; do
  now=$(( $(date +%s) - start ))
  if [ "$OUTAGE" -gt 0 ] && [ "$now" -ge "$outage_at" ] && [ -z "${outage_done:-}" ]; then
    kill "$CENTRE"; wait "$CENTRE" 2>/dev/null || true
    echo "centre stopped at ${now}s for ${OUTAGE}s"
    sleep "$OUTAGE"
    start_centre
    outage_done=1
    echo "centre started again at $(( $(date +%s) - start ))s"
  fi
  for k in $(seq 1 "$K"); do
    p=$((PROM_PORT + k))
    appended=$(metric "$p" prometheus_remote_storage_highest_timestamp_in_seconds)
    sent=$(metric "$p" prometheus_remote_storage_queue_highest_sent_timestamp_seconds)
    # nothing sent yet (a queue just started) is no lag figure
    [ "$sent" -gt 0 ] && echo -e "$now\tnode-$k\t$((appended - sent))" >>"$WORK/lag.tsv"
  done
  echo -e "$now\tcentre\t$(metric "$PROM_PORT" prometheus_tsdb_head_samples_appended_total)" >>"$WORK/lag.tsv"
  sleep 2
done

echo
echo "== remote_write run: $N agent JVMs over $K node agents, one centre, ${SECONDS_RUN} s, scrape interval $INTERVAL$( [ "$OUTAGE" -gt 0 ] && echo ", centre down ${OUTAGE} s in the middle")"
printf '%-8s %10s %9s %9s %9s %9s %9s %9s\n' node targets sent failed retried dropped pending "lag p50/max"
for k in $(seq 1 "$K"); do
  p=$((PROM_PORT + k))
  lag=$(awk -v n="node-$k" '$2 == n { print $3 }' "$WORK/lag.tsv" | sort -n | awk '{ a[NR] = $1 } END { printf "%s/%s s", a[int((NR + 1) / 2)], a[NR] }')
  printf '%-8s %10s %9s %9s %9s %9s %9s %11s\n' "node-$k" "$(ls "$WORK/node-$k/targets" | wc -l)" \
    "$(metric "$p" prometheus_remote_storage_samples_total)" "$(metric "$p" prometheus_remote_storage_samples_failed_total)" \
    "$(metric "$p" prometheus_remote_storage_samples_retried_total)" "$(metric "$p" prometheus_remote_storage_samples_dropped_total)" \
    "$(metric "$p" prometheus_remote_storage_samples_pending)" "$lag"
done
q() { curl -sf "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" \
  | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")'; }
series=$(metric "$PROM_PORT" prometheus_tsdb_head_series)
heap=$(metric "$PROM_PORT" go_memstats_heap_inuse_bytes)
echo "centre: head series $series; kernels seen $(q 'count(afmetrics_agent_info)') on $(q 'count(count by (node) (afmetrics_agent_info))') nodes;" \
  "series per kernel $(q 'count({job="af-metrics"}) / count(afmetrics_agent_info)')"
# samples appended per second over the last minute of the run (the counter starts again with the centre)
rate=$(awk -v from="$(( SECONDS_RUN - 60 ))" '$2 == "centre" && $1 >= from { if (t0 == "" || $3 < c0) { t0 = $1; c0 = $3 } t1 = $1; c1 = $3 }
  END { if (t1 > t0) printf "%.0f", (c1 - c0) / (t1 - t0); else print "n/a" }' "$WORK/lag.tsv")
echo "centre: samples appended/s over the last minute $rate"
echo "centre: resident $(( $(metric "$PROM_PORT" process_resident_memory_bytes) / 1048576 )) MiB, Go heap in use $(( heap / 1048576 )) MiB" \
  "(empty: $(( empty_heap / 1048576 )) MiB), heap per head series $(( (heap - empty_heap) / (series > 0 ? series : 1) )) B"
if [ "$OUTAGE" -gt 0 ]; then
  echo "centre: samples of up over the run, per kernel (expected about $(( SECONDS_RUN / ${INTERVAL%s} ))):" \
    "$(q "min(count_over_time(up{job=\"af-metrics\"}[${SECONDS_RUN}s]))")..$(q "max(count_over_time(up{job=\"af-metrics\"}[${SECONDS_RUN}s]))")"
fi
grep -h 'level=warn\|level=error' "$WORK"/node-*/agent.log | grep -v 'connection refused' | head -5 || true
