# conntrack-agent image. Build the jar first (./mvnw package), then:
#   docker build --network host --build-arg BASE_IMAGE=local/jre17:bookworm -t conntrack-agent .
# BASE_IMAGE: any Debian/Ubuntu JRE 17 image. scripts/setup-container-host.sh makes a local
# one with debootstrap when no registry is reachable.
ARG BASE_IMAGE=eclipse-temurin:17-jre

FROM ${BASE_IMAGE} AS layers
WORKDIR /build
COPY target/conntrack-agent-*.jar app.jar
# Split the Boot jar into layers: dependencies change less often than the application. Without
# the launcher: a plain app.jar plus lib/, which class-data sharing can archive.
RUN java -Djarmode=tools -jar app.jar extract --layers --destination extracted --application-filename conntrack-agent.jar

FROM ${BASE_IMAGE}
# The host tools the agent runs; skipped when the base image already has them.
RUN set -eu; missing=""; \
    for p in conntrack iptables nftables iproute2 util-linux; do \
      dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"; \
    done; \
    if [ -n "$missing" ]; then \
      apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing \
      && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /app
COPY --from=layers /build/extracted/dependencies/ ./
COPY --from=layers /build/extracted/spring-boot-loader/ ./
COPY --from=layers /build/extracted/snapshot-dependencies/ ./
COPY --from=layers /build/extracted/application/ ./
# The host's /proc, /sys and / are mounted under /host (see helm/conntrack-agent).
ENV CTAGENT_HOST_PROC_ROOT=/host/proc \
    CTAGENT_HOST_SYS_ROOT=/host/sys \
    CTAGENT_HOST_ROOTFS=/host \
    CTAGENT_AUDIT_PATH=/var/lib/conntrack-agent/audit.jsonl \
    CTAGENT_NOTRACK_STATE_FILE=/var/lib/conntrack-agent/notrack.json
# The options measured in docs/PERFORMANCE.md, the same as bin/conntrack-agent's and the chart's
# javaOpts: bean definitions from the build (Spring AOT), compile thresholds x3, serial collector, at most 96 MB of heap,
# native heap trimming (JRE 17.0.11 or later), two malloc arenas. An agent on every node, not a server.
ENV JAVA_TOOL_OPTIONS="-Dspring.aot.enabled=true -XX:CompileThresholdScaling=3 -XX:+UseSerialGC -Xms16m -Xmx96m -Xmn8m -XX:SurvivorRatio=4 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -Xss512k -XX:ReservedCodeCacheSize=48m -XX:MaxMetaspaceSize=128m -XX:+ExitOnOutOfMemoryError -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000" \
    MALLOC_ARENA_MAX=2
# Class-data sharing: list the classes loaded by a training run (--cds-training: a dry run on the
# build's own /proc that answers the probes and a few reads on loopback, changing nothing) and dump
# them into one static archive, so every start maps them instead of loading them (as
# bin/conntrack-agent --prepare does). If either step fails the image still works; -Xshare:auto then
# starts without the archive.
RUN mkdir -p /tmp/cds-training && java -XX:DumpLoadedClassList=/tmp/cds-training/classes.lst \
      -Dctagent.host.proc-root=/proc -Dctagent.host.sys-root=/sys -Dctagent.host.rootfs=/ -Dlogging.level.root=warn \
      -Dctagent.audit.path=/tmp/cds-training/audit.jsonl -Dctagent.notrack.state-file=/tmp/cds-training/notrack.json \
      -jar /app/conntrack-agent.jar --cds-training >/tmp/cds-training.log 2>&1 \
    && java -Xshare:dump -XX:SharedClassListFile=/tmp/cds-training/classes.lst \
      -XX:SharedArchiveFile=/app/conntrack-agent.jsa -cp /app/conntrack-agent.jar >>/tmp/cds-training.log 2>&1 \
    || { echo "CDS training failed; the image starts without an archive"; tail -n 20 /tmp/cds-training.log; \
         rm -f /app/conntrack-agent.jsa; }; \
    rm -rf /tmp/cds-training /tmp/cds-training.log
VOLUME /var/lib/conntrack-agent
EXPOSE 8080
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/conntrack-agent.jsa", "-Xshare:auto", "-jar", "/app/conntrack-agent.jar"]
