#!/usr/bin/env bash
# Installs headless Chromium for the dashboard's browser test (DashboardBrowserTest).
# Debian's packages; chromium-driver is not needed by the test (it speaks the DevTools
# protocol itself) but is installed for debugging with other drivers. Idempotent.
set -euo pipefail
packages=(chromium chromium-driver fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "browser ready: $(chromium --version 2>/dev/null || echo 'chromium missing')"
