#!/usr/bin/env bash
# Start a Docker engine unless one already responds. Installs Debian's docker.io when
# dockerd is missing, and docker-compose when it is missing. A killed engine leaves
# /var/run/docker.pid behind, and dockerd refuses to start until it is removed.
set -euo pipefail

# The dockerize assignment starts the learner's compose file with `docker-compose`.
# Debian 12 packages Compose v1 (1.29) under that name.
if ! command -v docker-compose >/dev/null 2>&1; then
    echo "docker engine: installing docker-compose"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
fi

if docker info >/dev/null 2>&1; then
    echo "docker engine: already running"
    exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
    echo "docker engine: installing docker.io"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
    rm -f /var/run/docker.pid
    echo "docker engine: starting dockerd (log in /var/log/dockerd.log)"
    nohup dockerd >/var/log/dockerd.log 2>&1 &
fi

for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
        echo "docker engine: ready"
        exit 0
    fi
    sleep 1
done

echo "docker engine: not ready after 60 s; last lines of /var/log/dockerd.log:" >&2
tail -n 20 /var/log/dockerd.log >&2 || true
exit 1
