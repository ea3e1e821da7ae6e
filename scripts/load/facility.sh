#!/usr/bin/env bash
# A facility on one host: N JVMs with the agent (40 by default), all scraped every second by
# one real Prometheus for a while (60 s by default). Prints failed scrapes (up == 0), the scrapes
# per target and the p50/p99/max of scrape_duration_seconds, over a window that starts after a
# warm-up (WARMUP seconds, 15 by default: JVMs just started are still compiling). Loopback only;
# stops by itself.
#   scripts/load/facility.sh [JVMS] [SECONDS]
source "$(dirname "$0")/common.sh"
N="${1:-40}"
SECONDS_RUN="${2:-60}"
PROM_PORT="${PROM_PORT:-19090}"
build

targets=()
for i in $(seq 1 "$N"); do
  json_series 20 "$WORK/kernel-$i.json"
  start_agent_jvm "kernel-$i" "port=19100-19199,json=$WORK/kernel-$i.json,user=user$i" \
    -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
done
for i in $(seq 1 "$N"); do
  url="$(await_url "kernel-$i")"
  targets+=("$(echo "$url" | sed 's#http://\([^/]*\)/metrics#\1#')")
done
echo "$N agent JVMs exporting on ${targets[0]} .. ${targets[$((N - 1))]}"

{
  echo "global: {scrape_interval: 1s, scrape_timeout: 1s}"
  echo "scrape_configs:"
  echo "  - job_name: kernels"
  echo "    static_configs:"
  echo "      - targets: [$(printf '"%s",' "${targets[@]}" | sed 's/,$//')]"
} >"$WORK/prometheus.yml"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
PIDS+=("$!")
for i in $(seq 1 300); do curl -sf "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null && break; sleep 0.1; done
sleep "${WARMUP:-15}"
start=$(date +%s)
sleep "$SECONDS_RUN"
end=$(date +%s)

curl -sf "http://127.0.0.1:$PROM_PORT/api/v1/query_range" --data-urlencode 'query=up' \
  --data-urlencode "start=$start" --data-urlencode "end=$end" --data-urlencode 'step=1' >"$WORK/up.json"
curl -sf "http://127.0.0.1:$PROM_PORT/api/v1/query" \
  --data-urlencode "query=scrape_duration_seconds[$((end - start))s]" --data-urlencode "time=$end" >"$WORK/dur.json"
curl -sf "http://127.0.0.1:$PROM_PORT/api/v1/query" \
  --data-urlencode "query=up[$((end - start))s]" --data-urlencode "time=$end" >"$WORK/upraw.json"
/usr/bin/python3 - "$WORK" "$N" "$SECONDS_RUN" "$start" <<'PY'
import json, sys
work, n, secs, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
raw = json.load(open(work + "/upraw.json"))["data"]["result"]
ups = [float(v) for r in raw for _, v in r["values"]]
per_target = sorted(len(r["values"]) for r in raw)
durs = sorted(float(v) for r in json.load(open(work + "/dur.json"))["data"]["result"] for _, v in r["values"])
def q(p):
    return durs[min(len(durs) - 1, int(p * len(durs)))]
print()
print("== facility run: %d agent JVMs, one Prometheus scraping every 1 s for %d s" % (n, secs))
print("targets seen:          %d" % len(raw))
print("scrapes:               %d (per target %d..%d)" % (len(ups), per_target[0], per_target[-1]))
print("failed scrapes (up=0): %d" % sum(1 for u in ups if u != 1.0))
fails = sorted(float(t) for r in raw for t, v in r["values"] if float(v) != 1.0)
if fails:
    print("  at seconds into the window: %s" % ", ".join("%.0f" % (t - start) for t in fails[:20]))
print("scrape duration:       p50 %.2f ms, p99 %.2f ms, max %.2f ms" % (q(0.5) * 1000, q(0.99) * 1000, durs[-1] * 1000))
PY
echo "agent lines other than 'exporting on':"
cat "$WORK"/kernel-*.err | grep -v 'exporting on' || echo "(none)"
