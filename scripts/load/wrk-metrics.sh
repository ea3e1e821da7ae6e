#!/usr/bin/env bash
# Load on /metrics: one JVM with the agent exporting the hotspot set plus 1000 notebook JSON
# series, hammered by wrk (64 connections, 30 s by default). Prints errors, latency percentiles
# and the heap after a full GC before and after the run. Loopback only; stops by itself.
# SECURE=1 serves /metrics over TLS with basic auth (a keystore and password made for the run).
#   scripts/load/wrk-metrics.sh [DURATION_SECONDS] [CONNECTIONS]
source "$(dirname "$0")/common.sh"
DURATION="${1:-30}"
CONNECTIONS="${2:-64}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
build

json_series 1000 "$WORK/af-metrics.json"
AGENT_ARGS="port=0,json=$WORK/af-metrics.json"
CURL=(curl -sf)
WRK_AUTH=()
if [ "${SECURE:-0}" = 1 ]; then
  keytool -genkeypair -alias af -keyalg EC -groupname secp256r1 -dname CN=localhost -ext SAN=ip:127.0.0.1 \
    -validity 2 -storetype PKCS12 -keystore "$WORK/server.p12" -storepass load-test-pass >/dev/null 2>&1
  keytool -exportcert -rfc -alias af -keystore "$WORK/server.p12" -storepass load-test-pass -file "$WORK/server.pem" \
    >/dev/null 2>&1
  echo load-test-pass >"$WORK/ks-pass"
  echo "scrape-pass-$$" >"$WORK/pw"
  AGENT_ARGS="$AGENT_ARGS,auth-user=prometheus,auth-password-hash=$(java -jar "$JAR" hash-password <"$WORK/pw")"
  AGENT_ARGS="$AGENT_ARGS,tls-keystore=$WORK/server.p12,tls-password-file=$WORK/ks-pass"
  echo "machine 127.0.0.1 login prometheus password $(cat "$WORK/pw")" >"$WORK/netrc"
  CURL=(curl -sf --cacert "$WORK/server.pem" --netrc-file "$WORK/netrc")
  WRK_AUTH=(-H "Authorization: Basic $(printf 'prometheus:%s' "$(cat "$WORK/pw")" | base64 -w0)")
fi
start_agent_jvm host "$AGENT_ARGS" -Xmx256m
URL="$(await_url host)"
JPID=$PID

heap_after_gc() {
  jcmd "$JPID" GC.run >/dev/null
  sleep 1
  "${CURL[@]}" "$URL" | awk '/^jvm_memory_bytes_used\{/ && /area="heap"/ {print $NF}'
}

series=$("${CURL[@]}" "$URL" | grep -c '^notebook_' || true)
# warm-up at the same load: JIT, the server's threads and their response buffers all exist before "before"
wrk -t2 -c"$CONNECTIONS" -d5s --timeout 10s "${WRK_AUTH[@]}" "$URL" >/dev/null
before=$(heap_after_gc)
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency "${WRK_AUTH[@]}" "$URL" | tee "$WORK/wrk.txt"
after=$(heap_after_gc)

requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
errors=$(awk '/Socket errors/ {gsub(",", ""); s=0; for (i=1;i<=NF;i++) if ($i ~ /^[0-9]+$/) s+=$i; print s}' "$WORK/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$WORK/wrk.txt")
p50=$(awk '$1=="50%" {print $2}' "$WORK/wrk.txt")
p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk.txt")
echo
echo "== /metrics under wrk: $CONNECTIONS connections, ${DURATION}s, $series notebook series + hotspot set${SECURE:+, TLS + basic auth}"
echo "requests:            $requests"
echo "socket errors:       ${errors:-0}"
echo "non-2xx responses:   ${non2xx:-0}"
echo "latency p50 / p99:   $p50 / $p99"
awk -v b="$before" -v a="$after" 'BEGIN { printf "heap after full GC:  before %.0f KiB, after %.0f KiB (%+.1f%%)\n", b / 1024, a / 1024, (a - b) * 100 / b }'
echo "agent lines:"; grep '^\[af-metrics\]' "$WORK/host.err" || true
