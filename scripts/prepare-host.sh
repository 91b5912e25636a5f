#!/usr/bin/env bash
# Prepares a fresh Debian host for every test tier of ./mvnw verify (run as root): the real-kernel
# tools, helm, Docker for the container tests and chromium for the browser test. Idempotent.
set -euo pipefail
cd "$(dirname "$0")"
bash setup-test-host.sh
bash install-helm.sh
bash setup-container-host.sh
bash install-browser.sh
