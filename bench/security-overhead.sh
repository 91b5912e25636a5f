#!/usr/bin/env bash
# Throughput of the usage read with a valid API key vs. with the security filter chain removed.
# Usage: bench/security-overhead.sh [requests-per-round] [rounds]
# Not part of `mvnw verify`: run it on a quiet machine and compare the printed ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java -Xms512m -Xmx512m -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.ctagent.bench.SecurityOverheadBench "$@"
