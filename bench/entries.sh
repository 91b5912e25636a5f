#!/usr/bin/env bash
# Benchmark of the conntrack entries API (issue 5 targets), in a lab network namespace of its own.
#
#   sudo bench/entries.sh [--no-raise]
#
# Fills the namespace with ENTRIES (250,000) UDP entries to distinct 127.x addresses and reports,
# side by side in one run:
#   1. GET /entries/summary over HTTP vs `cat /proc/net/nf_conntrack > /dev/null` (target <= 1.3x), by
#      the agent with ?netns= and by a second agent running inside the namespace (reads the file itself)
#   2. POST /flush with a filter vs `conntrack -D` with the same filter (target <= 1.2x), refilled each run
#   3. the agent's heap in use during a summary of HEAP_ENTRIES (1,000,000) entries (target growth < 64 MB)
# nf_conntrack_max is global. When HEAP_ENTRIES do not fit, the bench raises it and restores it on exit;
# with --no-raise (or RAISE_MAX=no) it never touches it and instead replays 1M lines (the namespace's
# table, repeated) from a file through a second agent: the same parser and summary code, no kernel.
# Only the lab namespace is filled or flushed; it is deleted on exit, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

ENTRIES=${ENTRIES:-250000}
HEAP_ENTRIES=${HEAP_ENTRIES:-1000000}
RUNS=${RUNS:-9}
WARMUP=${WARMUP:-10}
DELETE_RUNS=${DELETE_RUNS:-4}
RAISE_MAX=${RAISE_MAX:-yes}
AGENT_OPTS=${AGENT_OPTS:--Xmx512m}
[[ "${1:-}" == "--no-raise" ]] && RAISE_MAX=no

die() { echo "bench: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "run as root (it creates a network namespace)"
for tool in ip iptables conntrack nsenter python3 curl java; do
  command -v "$tool" >/dev/null || die "$tool is missing (scripts/setup-test-host.sh installs the host tools)"
done

JAR=$(ls target/conntrack-agent-*.jar 2>/dev/null | grep -v original | head -1 || true)
if [[ -z "$JAR" ]]; then
  echo "building the agent jar ..."
  ./mvnw -q -DskipTests package
  JAR=$(ls target/conntrack-agent-*.jar | grep -v original | head -1)
fi

NS="ctbench-$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
TMP=$(mktemp -d)
MAX_FILE=/proc/sys/net/netfilter/nf_conntrack_max
ORIGINAL_MAX=""
AGENT_PID=""
REPLAY_PID=""
OWN_PID=""

cleanup() {
  local pid
  for pid in $AGENT_PID $REPLAY_PID $OWN_PID; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do   # the agents are not all our children: poll until they are gone
    local alive=0
    for pid in $AGENT_PID $REPLAY_PID $OWN_PID; do kill -0 "$pid" 2>/dev/null && alive=1; done
    (( alive )) || break
    sleep 0.2
  done
  ip netns del "$NS" 2>/dev/null || true
  if [[ -n "$ORIGINAL_MAX" ]]; then
    echo "$ORIGINAL_MAX" > "$MAX_FILE" && echo "restored nf_conntrack_max to $ORIGINAL_MAX"
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

in_ns() { nsenter --net="/run/netns/$NS" -- "$@"; }
# One admin key for the bench's own agents, configured by its hash like any other.
KEY="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
KEY_ARGS=(--ctagent.security.api-keys[0].name=bench
  --ctagent.security.api-keys[0].sha256="$(printf %s "$KEY" | sha256sum | cut -c1-64)"
  --ctagent.security.api-keys[0].roles=admin --ctagent.notrack.state-file="$TMP/notrack.json")
curl() { command curl -H "X-API-Key: $KEY" "$@"; }
now_ns() { date +%s%N; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
# The median of per-run ratios: each agent run against the baseline run right next to it, so load that
# drifts during the bench (a shared machine) cancels out instead of skewing one side.
paired() { paste "$1" "$2" | awk '{printf "%.4f\n", $1 / $2}' | median | awk '{printf "%.2fx", $1}'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
count() { in_ns cat /proc/sys/net/netfilter/nf_conntrack_count; }

fill() {
  local n=$1
  in_ns conntrack -F >/dev/null 2>&1 || true
  in_ns python3 bench/udp_fill.py "$n" 9 2>>"$TMP/fill.log"
  local got; got=$(count)
  (( got >= n )) || die "the namespace holds $got entries, expected $n (is nf_conntrack_max $(cat $MAX_FILE) too low?)"
}

start_agent() { # port log extra-args...
  local port=$1 log=$2; shift 2
  java $AGENT_OPTS -jar "$JAR" --server.address=127.0.0.1 --server.port="$port" \
    --management.endpoints.web.exposure.include=health,prometheus "${KEY_ARGS[@]}" \
    --ctagent.audit.path="$log.audit.jsonl" "$@" >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/actuator/health/liveness" >/dev/null 2>&1 && { echo "$pid"; return; }
    kill -0 "$pid" 2>/dev/null || die "the agent did not start; see $log"
    sleep 0.5
  done
  die "the agent did not answer within 60 s"
}

heap_used() { # port -> bytes (the heap pools of jvm_memory_used_bytes, from the Prometheus endpoint)
  curl -sf "http://127.0.0.1:$1/actuator/prometheus" \
    | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {sum += $NF} END {printf "%d\n", sum}'
}

# Heap during one summary: GC first, then poll heap in use every 20 ms while the request runs.
heap_during_summary() { # port pid query -> "before peak"
  local port=$1 pid=$2 query=$3
  command -v jcmd >/dev/null && jcmd "$pid" GC.run >/dev/null 2>&1 || true
  sleep 1
  local before; before=$(heap_used "$port")
  curl -sf -o "$TMP/heap-summary.json" "http://127.0.0.1:$port/api/v1/conntrack/entries/summary?$query" &
  local curl_pid=$! peak=$before used
  while kill -0 "$curl_pid" 2>/dev/null; do
    used=$(heap_used "$port" || echo 0)
    (( used > peak )) && peak=$used
    sleep 0.02
  done
  wait "$curl_pid"
  echo "$before $peak"
}

mb() { awk -v b="$1" 'BEGIN {printf "%.1f MB", b / 1048576}'; }

echo "lab namespace $NS; agent $JAR; $(nproc) cores; kernel $(uname -r); $(conntrack --version)"
ip netns add "$NS"
in_ns ip link set lo up
in_ns iptables -A INPUT -m conntrack --ctstate INVALID -j DROP   # makes the namespace track connections
in_ns sysctl -q -w net.netfilter.nf_conntrack_udp_timeout=600    # per namespace: entries outlive the bench

MAX=$(cat "$MAX_FILE")
if (( MAX < ENTRIES + 1000 )); then
  [[ "$RAISE_MAX" == yes ]] || die "nf_conntrack_max is $MAX, below $ENTRIES entries; allow raising it or lower ENTRIES"
  ORIGINAL_MAX=$MAX
  echo "NOTE: raising the global nf_conntrack_max from $MAX to $((ENTRIES + 10000)) for the bench; restored on exit"
  echo $((ENTRIES + 10000)) > "$MAX_FILE"
fi

PORT=$(free_port)
AGENT_PID=$(start_agent "$PORT" "$TMP/agent.log")
API="http://127.0.0.1:$PORT/api/v1/conntrack"
SUMMARY_QUERY="netns=$NS&groupBy=protocol,state,dport&top=10"
FILTER='{"filter": {"protocol": "udp", "dport": "9"}}'

echo "filling $ENTRIES entries ..."
fill "$ENTRIES"

# --- 1. summary vs cat ---------------------------------------------------------------------------
for _ in $(seq 1 "$WARMUP"); do curl -sf -o /dev/null "$API/entries/summary?$SUMMARY_QUERY"; done   # JIT warm-up
: >"$TMP/cat"; : >"$TMP/summary"
for _ in $(seq 1 "$RUNS"); do
  t0=$(now_ns); in_ns cat /proc/net/nf_conntrack >/dev/null; t1=$(now_ns)
  echo $(( (t1 - t0) / 1000000 )) >>"$TMP/cat"
  curl -sf -o "$TMP/summary.json" -w '%{time_total}\n' "$API/entries/summary?$SUMMARY_QUERY" \
    | awk '{printf "%d\n", $1 * 1000}' >>"$TMP/summary"
done
CAT_MS=$(median <"$TMP/cat"); SUMMARY_MS=$(median <"$TMP/summary"); SUMMARY_RATIO=$(paired "$TMP/summary" "$TMP/cat")
MATCHED=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["total"], d["matched"])' "$TMP/summary.json")

# --- 1b. the same summary by an agent running inside the namespace (reads the file itself, no netns=)
OWN_PORT=$(free_port)
# nsenter itself, not the in_ns function: $! must be the JVM (nsenter execs it), not a subshell around it.
nsenter --net="/run/netns/$NS" -- java $AGENT_OPTS -jar "$JAR" --server.address=127.0.0.1 --server.port="$OWN_PORT" \
  "${KEY_ARGS[@]}" --ctagent.audit.path="$TMP/own-audit.jsonl" >"$TMP/own.log" 2>&1 &
OWN_PID=$!
for _ in $(seq 1 120); do
  in_ns curl -H "X-API-Key: $KEY" -sf "http://127.0.0.1:$OWN_PORT/actuator/health/liveness" >/dev/null 2>&1 && break
  kill -0 "$OWN_PID" 2>/dev/null || die "the in-namespace agent did not start; see $TMP/own.log"
  sleep 0.5
done
OWN_SUMMARY="http://127.0.0.1:$OWN_PORT/api/v1/conntrack/entries/summary?groupBy=protocol,state,dport&top=10"
for _ in $(seq 1 "$WARMUP"); do in_ns curl -H "X-API-Key: $KEY" -sf -o /dev/null "$OWN_SUMMARY"; done
: >"$TMP/own"; : >"$TMP/cat2"
for _ in $(seq 1 "$RUNS"); do
  t0=$(now_ns); in_ns cat /proc/net/nf_conntrack >/dev/null; t1=$(now_ns)
  echo $(( (t1 - t0) / 1000000 )) >>"$TMP/cat2"
  in_ns curl -H "X-API-Key: $KEY" -sf -o /dev/null -w '%{time_total}\n' "$OWN_SUMMARY" | awk '{printf "%d\n", $1 * 1000}' >>"$TMP/own"
done
kill "$OWN_PID"; wait "$OWN_PID" 2>/dev/null || true
OWN_PID=""
CAT2_MS=$(median <"$TMP/cat2"); OWN_MS=$(median <"$TMP/own"); OWN_RATIO=$(paired "$TMP/own" "$TMP/cat2")

# --- 2. filtered delete vs conntrack -D (refilled before every run) -------------------------------
agent_delete() {
  fill "$ENTRIES"
  curl -sf -o "$TMP/flush.json" -w '%{time_total}\n' -H 'Content-Type: application/json' -d "$FILTER" \
    "$API/flush?netns=$NS" | awk '{printf "%d\n", $1 * 1000}' >>"$TMP/flush"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["deleted"] >= int(sys.argv[2]), d' \
    "$TMP/flush.json" "$ENTRIES"
}
conntrack_delete() {
  fill "$ENTRIES"
  t0=$(now_ns); in_ns conntrack -D -p udp --dport 9 >/dev/null 2>"$TMP/ctdel.err"; t1=$(now_ns)
  grep -q "$ENTRIES flow entries have been deleted" "$TMP/ctdel.err" || die "conntrack -D: $(cat "$TMP/ctdel.err")"
  echo $(( (t1 - t0) / 1000000 )) >>"$TMP/ctdel"
}
: >"$TMP/flush"; : >"$TMP/ctdel"
for run in $(seq 1 "$DELETE_RUNS"); do
  # Alternate which goes first, so neither always runs on a freshly refilled machine state.
  if (( run % 2 )); then agent_delete; conntrack_delete; else conntrack_delete; agent_delete; fi
done
FLUSH_MS=$(median <"$TMP/flush"); CTDEL_MS=$(median <"$TMP/ctdel"); FLUSH_RATIO=$(paired "$TMP/flush" "$TMP/ctdel")

# --- 3. heap during a summary of HEAP_ENTRIES -----------------------------------------------------
HEAP_NOTE=""
if (( HEAP_ENTRIES + 1000 > $(cat "$MAX_FILE") )) && [[ "$RAISE_MAX" == yes ]]; then
  [[ -z "$ORIGINAL_MAX" ]] && ORIGINAL_MAX=$(cat "$MAX_FILE")
  echo "NOTE: raising the global nf_conntrack_max to $((HEAP_ENTRIES + 10000)) for the heap run; restored on exit"
  echo $((HEAP_ENTRIES + 10000)) > "$MAX_FILE"
fi
if (( HEAP_ENTRIES + 1000 <= $(cat "$MAX_FILE") )); then
  echo "filling $HEAP_ENTRIES entries for the heap run ..."
  fill "$HEAP_ENTRIES"
  HEAP_PORT=$PORT; HEAP_PID=$AGENT_PID; HEAP_NS_QUERY="netns=$NS&"
  HEAP_NOTE="kernel table of the lab namespace"
else
  echo "nf_conntrack_max $(cat "$MAX_FILE") is below $HEAP_ENTRIES and may not be raised: replaying from a file"
  fill "$ENTRIES"
  mkdir -p "$TMP/proc/net" "$TMP/proc/sys/net/netfilter"
  in_ns cat /proc/net/nf_conntrack >"$TMP/one.txt"
  : >"$TMP/proc/net/nf_conntrack"
  while (( $(wc -l <"$TMP/proc/net/nf_conntrack") < HEAP_ENTRIES )); do cat "$TMP/one.txt" >>"$TMP/proc/net/nf_conntrack"; done
  head -n "$HEAP_ENTRIES" "$TMP/proc/net/nf_conntrack" >"$TMP/table" && mv "$TMP/table" "$TMP/proc/net/nf_conntrack"
  echo "$HEAP_ENTRIES" >"$TMP/proc/sys/net/netfilter/nf_conntrack_count"
  HEAP_PORT=$(free_port)
  REPLAY_PID=$(start_agent "$HEAP_PORT" "$TMP/replay.log" --ctagent.host.proc-root="$TMP/proc")
  HEAP_PID=$REPLAY_PID; HEAP_NS_QUERY=""
  HEAP_NOTE="replayed from a $(du -m "$TMP/proc/net/nf_conntrack" | cut -f1) MB file by a second agent (--no-raise)"
  for _ in 1 2 3; do curl -sf -o /dev/null "http://127.0.0.1:$HEAP_PORT/api/v1/conntrack/entries/summary?groupBy=protocol"; done
fi
read -r H1_BEFORE H1_PEAK < <(heap_during_summary "$HEAP_PORT" "$HEAP_PID" "${HEAP_NS_QUERY}groupBy=protocol,state,dport&top=10")
H1_TOTAL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$TMP/heap-summary.json")
read -r H2_BEFORE H2_PEAK < <(heap_during_summary "$HEAP_PORT" "$HEAP_PID" "${HEAP_NS_QUERY}groupBy=dst&top=10")
H2_GROUPS=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["distinctGroups"], d["exact"])' "$TMP/heap-summary.json")

echo
echo "=== conntrack entries benchmark: $ENTRIES entries (times: medians of $RUNS runs, deletes of $DELETE_RUNS;"
echo "    ratios: medians of the per-run ratios to the baseline run next to each) ==="
printf "%-58s %8s ms\n" "cat /proc/net/nf_conntrack > /dev/null (in the namespace)" "$CAT_MS"
printf "%-58s %8s ms   %s of cat (target <= 1.30x)\n" "GET /entries/summary?groupBy=protocol,state,dport" "$SUMMARY_MS" "$SUMMARY_RATIO"
printf "%-58s %8s\n" "   total / matched entries in the summary" "$MATCHED"
printf "%-58s %8s ms   %s of cat (%s ms in the same runs)\n" "  same, agent inside the namespace (no netns=)" "$OWN_MS" "$OWN_RATIO" "$CAT2_MS"
printf "%-58s %8s ms\n" "conntrack -D -p udp --dport 9 (stdout to /dev/null)" "$CTDEL_MS"
printf "%-58s %8s ms   %s of conntrack -D (target <= 1.20x)\n" "POST /flush {protocol: udp, dport: 9}" "$FLUSH_MS" "$FLUSH_RATIO"
echo "heap in use during a summary of $H1_TOTAL entries ($HEAP_NOTE; agent $AGENT_OPTS):"
printf "   %-55s before %s, peak %s, growth %s (target < 64 MB)\n" "groupBy=protocol,state,dport" "$(mb "$H1_BEFORE")" "$(mb "$H1_PEAK")" "$(mb $((H1_PEAK - H1_BEFORE)))"
printf "   %-55s before %s, peak %s, growth %s\n" "groupBy=dst (distinct groups kept, exact: $H2_GROUPS)" "$(mb "$H2_BEFORE")" "$(mb "$H2_PEAK")" "$(mb $((H2_PEAK - H2_BEFORE)))"
echo "(heap in use is sampled every 20 ms from /actuator/prometheus (jvm_memory_used_bytes, heap pools); it includes garbage, so growth is an upper bound)"
