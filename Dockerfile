# conntrack-agent image. Build the jar first (./mvnw package), then:
#   docker build --network host --build-arg BASE_IMAGE=local/jre17:bookworm -t conntrack-agent .
# BASE_IMAGE: any Debian/Ubuntu JRE 17 image. scripts/setup-container-host.sh makes a local
# one with debootstrap when no registry is reachable.
ARG BASE_IMAGE=eclipse-temurin:17-jre

FROM ${BASE_IMAGE} AS layers
WORKDIR /build
COPY target/conntrack-agent-*.jar app.jar
# Split the Boot jar into layers: dependencies change less often than the application.
RUN java -Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted

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
# A small, container-aware heap and the serial collector: an agent on every node, not a server.
ENV JAVA_TOOL_OPTIONS="-XX:+UseSerialGC -XX:MaxRAMPercentage=60 -Xss512k -XX:+ExitOnOutOfMemoryError"
VOLUME /var/lib/conntrack-agent
EXPOSE 8080
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
