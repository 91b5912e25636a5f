#!/usr/bin/env bash
# Installs what the real-kernel tests need. Idempotent: safe to run on every CI run.
set -euo pipefail
# prometheus brings promtool, which checks the chart's alert rules (PrometheusRulesTest).
packages=(conntrack iptables nftables iproute2 sudo prometheus)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
fi
echo "test host ready: ${packages[*]}"
