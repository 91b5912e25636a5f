#!/usr/bin/env bash
# Every benchmark in bench/, one after the other, and all their figures as one table at the end.
#
#   sudo bench/all.sh
#
# Runs bench/http.sh (agent vs node_exporter, footprint, start-up), then bench/entries.sh (the
# entries API) and bench/security-overhead.sh (the key check) when they exist. Each script is run
# as is; its full output is kept in the log directory printed at the end. Exit status: 1 when any
# benchmark failed (the table still shows the others).
set -uo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "bench/all.sh: run as root" >&2; exit 2; }

LOGS=$(mktemp -d /tmp/ctagent-bench-all.XXXXXX)
ROWS="$LOGS/rows"
: >"$ROWS"
FAILED=0

row() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$ROWS"; } # bench figure value

run() { # name script [args...]
  local name=$1; shift
  echo "=== $name: $*" >&2
  local status=0
  "$@" >"$LOGS/$name.out" 2>"$LOGS/$name.err" || status=$?
  [ "$status" = 0 ] && return 0
  echo "=== $name FAILED (see $LOGS/$name.err)" >&2
  tail -n 5 "$LOGS/$name.err" >&2
  row "$name" "FAILED" "exit status $status"
  FAILED=1
  return 1
}

# http.sh ends with "name value unit" lines after "# figures".
if run http bench/http.sh; then
  sed -n '/^# figures/,$p' "$LOGS/http.out" | tail -n +2 | while read -r name value unit; do
    row http "$name" "$value $unit"
  done
  grep -E '^(usage / node_exporter|agent launch to readiness)' "$LOGS/http.out" | while read -r line; do
    row http "verdict" "$line"
  done
fi

# entries.sh prints its figures after a "=== conntrack entries benchmark" header, one per line.
if [ -x bench/entries.sh ]; then
  if run entries bench/entries.sh; then
    sed -n '/^=== conntrack entries benchmark/,$p' "$LOGS/entries.out" | tail -n +3 | while IFS= read -r line; do
      [ -n "$line" ] || continue
      label=$(sed -E 's/[[:space:]]{2,}.*$//' <<<"$line" | sed -E 's/^[[:space:]]+//')
      value=$(sed -E 's/^[[:space:]]*[^ ]+( [^ ]+)*[[:space:]]{2,}//; s/[[:space:]]+/ /g' <<<"$line")
      row entries "$label" "$value"
    done
  fi
else
  row entries "-" "bench/entries.sh not present on this branch"
fi

if [ -x bench/security-overhead.sh ]; then
  if run security bench/security-overhead.sh; then
    # its figures are the indented "label: value" lines; the rest is the agents' logs
    grep -E '^  [^ ].*:' "$LOGS/security.out" | while IFS= read -r line; do
      row security "$(sed -E 's/[[:space:]]*:.*$//; s/^[[:space:]]+//' <<<"$line")" "$(sed -E 's/^[^:]*:[[:space:]]*//' <<<"$line")"
    done
  fi
fi

echo
echo "conntrack-agent benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '| %-8s | %-60s | %s\n' "bench" "figure" "value"
printf '|----------|--------------------------------------------------------------|-------\n'
while IFS=$'\t' read -r bench figure value; do
  printf '| %-8s | %-60s | %s\n' "$bench" "$figure" "$value"
done <"$ROWS"
echo
echo "full outputs: $LOGS"
exit "$FAILED"
