#!/usr/bin/env bash
# Prepares the container tests: Debian's docker.io with a dockerd that adds no bridge or
# firewall rules, and a local JRE 17 base image (no image registry is reachable here).
# Idempotent.
set -euo pipefail
BASE_IMAGE=${BASE_IMAGE:-local/jre17:bookworm}
export DEBIAN_FRONTEND=noninteractive

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq "${need[@]}"
fi

if ! docker info >/dev/null 2>&1; then
  # No bridge, no iptables: containers use the host network only. Every inherited descriptor above 2
  # is closed first: started under a lock (flock), dockerd would otherwise hold it for as long as it runs.
  (
    for fd in /proc/self/fd/*; do
      n=${fd##*/}
      [ "$n" -gt 2 ] && eval "exec $n>&-" 2>/dev/null || true
    done
    exec nohup dockerd --bridge=none --iptables=false --ip6tables=false >/var/log/ctagent-dockerd.log 2>&1
  ) &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start; see /var/log/ctagent-dockerd.log"; exit 1; }
fi

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  # The Debian mirror apt already uses (deb822 .sources files), else the default.
  mirror=$(awk '$1 == "URIs:" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  debootstrap --variant=minbase \
    --include=openjdk-17-jre-headless,conntrack,iptables,nftables,iproute2,util-linux,sudo,procps,kmod,ca-certificates \
    bookworm "$root" "$mirror" >/var/log/ctagent-debootstrap.log 2>&1 \
    || { echo "debootstrap failed; see /var/log/ctagent-debootstrap.log"; exit 1; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import - "$BASE_IMAGE" >/dev/null
fi
echo "container host ready: docker $(docker version --format '{{.Server.Version}}'), base image $BASE_IMAGE"
