#!/bin/sh
# Prepare a fresh machine for the Docker sandbox, as root; idempotent (safe to run again).
#   1. docker.io and debootstrap (apt) when missing
#   2. a Docker daemon: started in the background (no bridge, no iptables) when none answers
#   3. the grading image: `autograder image build` (a no-op when its inputs have not changed)
# Usage: sh docker/ci-setup.sh        (from the checkout; `autograder` must be installed)
set -eu
cd "$(dirname "$0")/.."

need=""
command -v dockerd >/dev/null 2>&1 || need="$need docker.io"
command -v debootstrap >/dev/null 2>&1 || need="$need debootstrap"
if [ -n "$need" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $need
fi

if ! docker info >/dev/null 2>&1; then
    echo "starting dockerd (log: /tmp/dockerd.log)"
    nohup dockerd --bridge=none --iptables=false >/tmp/dockerd.log 2>&1 &
    i=0
    until docker info >/dev/null 2>&1; do
        i=$((i + 1))
        if [ "$i" -gt 60 ]; then
            echo "dockerd did not answer within 60 s:" >&2
            tail -n 30 /tmp/dockerd.log >&2
            exit 1
        fi
        sleep 1
    done
fi

if command -v autograder >/dev/null 2>&1; then
    autograder image build
else
    python3 -m autograder image build
fi
