#!/usr/bin/env bash
# Throughput of the usage read with a valid API key vs. with the security filter chain removed.
#
#   bench/security-overhead.sh                       # 7 paired rounds of 5 s, 16 connections
#   ROUNDS=11 DURATION=10s bench/security-overhead.sh
#
# One JVM (io.ctagent.bench.SecurityOverheadBench, under test sources) runs both agents on loopback
# over the same fake /proc, so JIT, heap and machine are shared; wrk drives one at a time in
# alternating order (secured-open, then open-secured) and each round's ratio is secured / open
# requests per second. Not part of `mvnw verify`: run it on a quiet machine. Prints
# "name value unit" lines (bench/all.sh collects them) and the verdict against the 0.90 target.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-7}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-15s}

command -v wrk >/dev/null || { echo "bench/security-overhead.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }

./mvnw -q test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2

WORK=$(mktemp -d /tmp/ctagent-secbench.XXXXXX)
mkfifo "$WORK/stdin"
BENCH_PID=""
cleanup() {
  exec 3>&- 2>/dev/null || true
  [ -n "$BENCH_PID" ] && { kill "$BENCH_PID" 2>/dev/null; wait "$BENCH_PID" 2>/dev/null; } || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# The JVM serves until this script closes its stdin (fd 3). The heap is the shipped agent's.
java -XX:+UseSerialGC -Xmx96m -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.ctagent.bench.SecurityOverheadBench <"$WORK/stdin" >"$WORK/out" 2>"$WORK/log" &
BENCH_PID=$!
exec 3>"$WORK/stdin"
for _ in $(seq 1 600); do
  grep -q '^ready$' "$WORK/out" 2>/dev/null && break
  kill -0 "$BENCH_PID" 2>/dev/null || { tail -40 "$WORK/log" >&2; echo "bench JVM exited" >&2; exit 1; }
  sleep 0.1
done
grep -q '^ready$' "$WORK/out" || { tail -40 "$WORK/log" >&2; echo "agents not up after 60 s" >&2; exit 1; }
SECURED=$(awk '$1 == "secured" { print $2 }' "$WORK/out")
OPEN=$(awk '$1 == "open" { print $2 }' "$WORK/out")
KEY=$(awk '$1 == "key" { print $2 }' "$WORK/out")
CHAIN_US=$(awk '$1 == "chain_us" { print $2 }' "$WORK/out")

# rps URL -> requests/s; fails the run on any non-2xx answer or socket error
rps() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -H "X-API-Key: $KEY" "$1")
  if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
    echo "$out" >&2
    echo "errors while measuring $1" >&2
    exit 1
  fi
  awk '/^Requests\/sec:/ { print $2 }' <<<"$out"
}

echo "# warm-up: $WARMUP on each agent" >&2
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "X-API-Key: $KEY" "$SECURED" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "X-API-Key: $KEY" "$OPEN" >/dev/null

: >"$WORK/rounds"
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then
    s=$(rps "$SECURED"); o=$(rps "$OPEN")
  else
    o=$(rps "$OPEN"); s=$(rps "$SECURED")
  fi
  echo "$s $o" >>"$WORK/rounds"
  printf '# round %2d  with key %9.0f req/s  security off %9.0f req/s  ratio %.3f\n' \
    "$round" "$s" "$o" "$(awk -v s="$s" -v o="$o" 'BEGIN { print s / o }')" >&2
done

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
# mawk has no sort: the ratios go through sort(1), one per line, then into the summary.
awk '{ printf "%.6f\n", $1 / $2 }' "$WORK/rounds" | sort -n >"$WORK/ratios"
awk -v chain="$CHAIN_US" -v load="$LOAD" -v c="$CONNECTIONS" -v d="$DURATION" '
  FNR == NR { r[++n] = $1; next }
  { ss += $1; so += $2; rounds++ }
  END {
    median = (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
    printf "security_keyed_rps %.0f req/s\n", ss / rounds
    printf "security_off_rps %.0f req/s\n", so / rounds
    printf "security_ratio_median %.3f ratio\n", median
    printf "security_chain_alone %.1f us\n", chain
    printf "\nusage read, wrk %d connections, %d paired rounds of %s, load average %s\n", c, rounds, d, load
    printf "  with API key      : %8.0f req/s (mean of rounds)\n", ss / rounds
    printf "  security off      : %8.0f req/s\n", so / rounds
    printf "  ratio (key / off) : %.3f median of rounds (min %.3f, max %.3f), %.3f of the means\n",
      median, r[1], r[n], (ss / rounds) / (so / rounds)
    printf "  security filter chain alone (in-process, no HTTP): %.1f us/request\n", chain
    printf "  target: ratio >= 0.90 (within 10%%): %s\n", (median >= 0.90 ? "met" : "NOT met")
  }' "$WORK/ratios" "$WORK/rounds"
