#!/usr/bin/env bash
# Lints openapi/openapi.yaml with the tools portals use, versions pinned: Spectral (spectral:oas)
# must report no error, Redocly (recommended) no error and no "operation has no 4XX response".
# Needs npx (Node.js) and the npm registry; fails when either is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
SPEC=openapi/openapi.yaml
SPECTRAL=@stoplight/spectral-cli@6.16.3
REDOCLY=@redocly/cli@2.77.0

command -v npx >/dev/null || { echo "lint-openapi: npx not found; install Node.js (scripts/setup-test-host.sh)" >&2; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "lint-openapi: Node.js $major is too old for Redocly CLI 2; use 20 or later" >&2; exit 1; }

echo "== Spectral ${SPECTRAL} (spectral:oas)"
timeout 300 npx -y "$SPECTRAL" lint "$SPEC" --ruleset openapi/.spectral.yaml --fail-severity error

echo "== Redocly ${REDOCLY} (recommended)"
report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
timeout 300 npx -y "$REDOCLY" lint "$SPEC" --format stylish >"$report" 2>&1 || status=$?
cat "$report"
if [ "$status" -ne 0 ]; then
  echo "lint-openapi: Redocly reports errors" >&2
  exit 1
fi
if grep -q 'operation-4xx-response' "$report"; then
  echo "lint-openapi: an operation documents no 4xx response" >&2
  exit 1
fi
echo "lint-openapi: clean"
