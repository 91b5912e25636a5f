#!/usr/bin/env bash
# HTTP throughput, latency, footprint and start-up of the agent against node_exporter, in one run.
#
#   sudo bench/http.sh                 # 3 alternating rounds of 10 s per target
#   ROUNDS=5 DURATION=20s sudo bench/http.sh
#   AGENT_JAVA_OPTS="" sudo bench/http.sh   # the JVM's own defaults instead of the shipped ones
#
# Installs wrk and prometheus-node-exporter from Debian with apt-get when missing and builds the
# jar when target/ has none. Both servers listen on 127.0.0.1 on random free ports; the agent
# gets one viewer API key, configured by its SHA-256 as an operator would. Every figure is
# printed at the end as "name value unit" lines (bench/all.sh collects them) and as a table.
# Whatever this script starts it stops on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-30s}
SETTLE=${SETTLE:-15}

if [ "$(id -u)" != 0 ]; then
  echo "bench/http.sh: run as root (it installs packages and reads the host's conntrack files)" >&2
  exit 2
fi

need_pkg() { # binary package
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "# installing $2" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >&2
}
need_pkg wrk wrk
need_pkg prometheus-node-exporter prometheus-node-exporter
need_pkg curl curl

JAR=$(ls target/conntrack-agent-*.jar 2>/dev/null | grep -v -- '-plain' | head -n1 || true)
if [ -z "$JAR" ]; then
  echo "# building the jar" >&2
  ./mvnw -q -DskipTests package >&2
  JAR=$(ls target/conntrack-agent-*.jar | grep -v -- '-plain' | head -n1)
fi

# By default the agent runs through bin/conntrack-agent, so the measured configuration is the
# shipped one (JVM options and class-data sharing; the CDS archive is made before the clock
# starts, as a package install or first start would). AGENT_JAVA_OPTS (even empty) runs plain
# `java $AGENT_JAVA_OPTS -jar` instead.
if [ -z "${AGENT_JAVA_OPTS+x}" ]; then
  LAUNCH="bin/conntrack-agent"
  LAUNCH_DESC="bin/conntrack-agent: $(bin/conntrack-agent --print-java-opts) ${CTAGENT_JAVA_OPTS:-}+ CDS archive"
else
  LAUNCH="java $AGENT_JAVA_OPTS -jar $PWD/$JAR"
  LAUNCH_DESC="java ${AGENT_JAVA_OPTS:-<JVM defaults>} -jar"
fi

free_port() {
  local port
  while :; do
    # below the usual ephemeral range (32768-60999), and not used by any socket in any state
    port=$(shuf -i 20000-32000 -n 1)
    ss -Htan "sport = :$port" | grep -q . || { echo "$port"; return; }
  done
}

WORK=$(mktemp -d /tmp/ctagent-bench.XXXXXX)
AGENT_PID=""
NODE_PID=""
cleanup() {
  [ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null || true
  [ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null && wait "$NODE_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
export CTAGENT_JAR="$PWD/$JAR" CTAGENT_CDS_DIR="$WORK/cds"
if [ "$LAUNCH" = bin/conntrack-agent ]; then
  bin/conntrack-agent --prepare || echo "# no CDS archive: measuring without it" >&2
fi

KEY="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
KEY_SHA=$(printf %s "$KEY" | sha256sum | cut -c1-64)
AGENT_PORT=$(free_port)
NODE_PORT=$(free_port)
while [ "$NODE_PORT" = "$AGENT_PORT" ]; do NODE_PORT=$(free_port); done

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
now_ms() { date +%s%3N; }

# --- start both ------------------------------------------------------------------------------
START_MS=$(now_ms)
# shellcheck disable=SC2086 # a word list
$LAUNCH \
  --server.address=127.0.0.1 --server.port="$AGENT_PORT" \
  --ctagent.security.api-keys[0].name=bench \
  --ctagent.security.api-keys[0].sha256="$KEY_SHA" \
  --ctagent.security.api-keys[0].roles=viewer \
  --ctagent.audit.path="$WORK/audit.jsonl" \
  --ctagent.notrack.state-file="$WORK/notrack.json" \
  >"$WORK/agent.log" 2>&1 &
AGENT_PID=$!

READY_MS=""
for _ in $(seq 1 3000); do
  if grep -q '"UP"' <<<"$(curl -fsS "http://127.0.0.1:$AGENT_PORT/actuator/health/readiness" 2>/dev/null)"; then
    READY_MS=$(( $(now_ms) - START_MS ))
    break
  fi
  kill -0 "$AGENT_PID" 2>/dev/null || { cat "$WORK/agent.log" >&2; echo "agent exited" >&2; exit 1; }
  sleep 0.02
done
[ -n "$READY_MS" ] || { tail -50 "$WORK/agent.log" >&2; echo "agent not ready after 60 s" >&2; exit 1; }

prometheus-node-exporter --collector.disable-defaults --collector.conntrack \
  --web.listen-address="127.0.0.1:$NODE_PORT" >"$WORK/node.log" 2>&1 &
NODE_PID=$!
for _ in $(seq 1 500); do
  curl -fsS "http://127.0.0.1:$NODE_PORT/metrics" >/dev/null 2>&1 && break
  sleep 0.02
done
# Read whole, then searched: grep -q stops early and curl would fail on the closed pipe.
grep -q '^node_nf_conntrack_entries ' <<<"$(curl -fsS "http://127.0.0.1:$NODE_PORT/metrics")" \
  || { echo "node_exporter serves no conntrack metrics" >&2; exit 1; }
grep -q '"count"' <<<"$(curl -fsS -H "X-API-Key: $KEY" "http://127.0.0.1:$AGENT_PORT/api/v1/conntrack/usage")" \
  || { echo "the agent refused the bench key or has no usage" >&2; exit 1; }

AGENT_RSS_START=$(rss_mb "$AGENT_PID")
NODE_RSS_START=$(rss_mb "$NODE_PID")

USAGE_URL="http://127.0.0.1:$AGENT_PORT/api/v1/conntrack/usage"
PROM_URL="http://127.0.0.1:$AGENT_PORT/actuator/prometheus"
NODE_URL="http://127.0.0.1:$NODE_PORT/metrics"

# wrk prints latencies as 812.00us, 4.50ms or 1.02s: convert to ms.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v; sub(/[a-z]+$/, "", n); u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n = n / 1000; else if (u == "s") n = n * 1000; else if (u == "m") n = n * 60000;
    printf "%.2f", n }'
}

# run_wrk NAME URL -> appends "NAME rps p50 p99 errors" to $WORK/rounds
run_wrk() {
  local out rps p50 p99 non2xx sockerr
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "X-API-Key: $KEY" "$2")
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")
  sockerr=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<<"$out")
  echo "$1 $rps $p50 $p99 $(( ${non2xx:-0} + ${sockerr:-0} ))" >>"$WORK/rounds"
  printf '# round %s %-18s %10s req/s  p50 %7s ms  p99 %7s ms  errors %s\n' \
    "$3" "$1" "$rps" "$p50" "$p99" "$(( ${non2xx:-0} + ${sockerr:-0} ))" >&2
}

# Warm-up, not counted: long enough for C2 to compile the agent's request path (with 5 s the
# first rounds measured the compiler, not the agent).
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "X-API-Key: $KEY" "$USAGE_URL" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "X-API-Key: $KEY" "$PROM_URL" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$NODE_URL" >/dev/null

: >"$WORK/rounds"
for r in $(seq 1 "$ROUNDS"); do
  run_wrk agent_usage "$USAGE_URL" "$r"
  run_wrk node_exporter "$NODE_URL" "$r"
  run_wrk agent_prometheus "$PROM_URL" "$r"
done

AGENT_RSS_LOAD=$(rss_mb "$AGENT_PID")
NODE_RSS_LOAD=$(rss_mb "$NODE_PID")
# Steady state after the load: the JVM hands freed native memory back on its trim interval (5 s).
sleep "$SETTLE"
AGENT_RSS_REST=$(rss_mb "$AGENT_PID")
NODE_RSS_REST=$(rss_mb "$NODE_PID")

# Median over rounds of each figure.
median() { # name column
  awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$WORK/rounds" | sort -g \
    | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
errors() { awk -v n="$1" '$1 == n { s += $5 } END { print s + 0 }' "$WORK/rounds"; }

U_RPS=$(median agent_usage 2); U_P50=$(median agent_usage 3); U_P99=$(median agent_usage 4)
N_RPS=$(median node_exporter 2); N_P50=$(median node_exporter 3); N_P99=$(median node_exporter 4)
P_RPS=$(median agent_prometheus 2); P_P50=$(median agent_prometheus 3); P_P99=$(median agent_prometheus 4)
RATIO_RPS=$(awk -v a="$U_RPS" -v b="$N_RPS" 'BEGIN { printf "%.2f", a / b }')
RATIO_P99=$(awk -v a="$U_P99" -v b="$N_P99" 'BEGIN { printf "%.2f", a / b }')
RATIO_PROM=$(awk -v a="$P_RPS" -v b="$N_RPS" 'BEGIN { printf "%.2f", a / b }')

# verdict "1.02 >= 5": the expression holds only numbers this script computed.
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo MISSED; fi; }

cat <<EOF

conntrack-agent vs node_exporter ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r))
wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $ROUNDS alternating rounds, medians
agent launched as: $LAUNCH_DESC
node_exporter: $(prometheus-node-exporter --version 2>&1 | head -n1)

| target                                   |     req/s |  p50 ms |  p99 ms | errors |
|------------------------------------------|----------:|--------:|--------:|-------:|
$(printf '| %-40s | %9s | %7s | %7s | %6s |' "agent GET /api/v1/conntrack/usage (key)" "$U_RPS" "$U_P50" "$U_P99" "$(errors agent_usage)")
$(printf '| %-40s | %9s | %7s | %7s | %6s |' "node_exporter /metrics (conntrack only)" "$N_RPS" "$N_P50" "$N_P99" "$(errors node_exporter)")
$(printf '| %-40s | %9s | %7s | %7s | %6s |' "agent GET /actuator/prometheus" "$P_RPS" "$P_P50" "$P_P99" "$(errors agent_prometheus)")

usage / node_exporter: req/s x$RATIO_RPS (target >= 5: $(verdict "$RATIO_RPS >= 5")), p99 x$RATIO_P99 (target <= 1: $(verdict "$RATIO_P99 <= 1"))
prometheus / node_exporter: req/s x$RATIO_PROM

| footprint                 | agent  | node_exporter |
|---------------------------|-------:|--------------:|
$(printf '| %-25s | %6s | %13s |' "RSS after start-up, MB" "$AGENT_RSS_START" "$NODE_RSS_START")
$(printf '| %-25s | %6s | %13s |' "RSS at the end of the load" "$AGENT_RSS_LOAD" "$NODE_RSS_LOAD")
$(printf '| %-25s | %6s | %13s |' "RSS ${SETTLE} s after the load" "$AGENT_RSS_REST" "$NODE_RSS_REST")
agent launch to readiness UP: $READY_MS ms (target < 3000: $(verdict "$READY_MS < 3000")); RSS at steady state after the load < 160 MB: $(verdict "$AGENT_RSS_REST < 160")

# figures (name value unit)
http.usage.rps $U_RPS req/s
http.usage.p50 $U_P50 ms
http.usage.p99 $U_P99 ms
http.node_exporter.rps $N_RPS req/s
http.node_exporter.p50 $N_P50 ms
http.node_exporter.p99 $N_P99 ms
http.prometheus.rps $P_RPS req/s
http.prometheus.p50 $P_P50 ms
http.prometheus.p99 $P_P99 ms
http.usage_vs_node.rps_ratio $RATIO_RPS x
http.usage_vs_node.p99_ratio $RATIO_P99 x
agent.rss.start $AGENT_RSS_START MB
agent.rss.after_load $AGENT_RSS_LOAD MB
agent.rss.steady_after_load $AGENT_RSS_REST MB
agent.ready $READY_MS ms
node_exporter.rss.start $NODE_RSS_START MB
node_exporter.rss.after_load $NODE_RSS_LOAD MB
node_exporter.rss.steady_after_load $NODE_RSS_REST MB
EOF
