#!/usr/bin/env bash
# Sets up a fresh machine: Python packages (torch pinned to the CPU build), bubblewrap for the
# process sandbox and, as root, the Docker engine and the grading image.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
python3 -m pip install -q -c constraints.txt -e ".[torch,course,test,cluster]"
if [ "$(id -u)" = 0 ]; then
  missing=""
  command -v bwrap >/dev/null || missing="$missing bubblewrap"
  command -v chromium >/dev/null || missing="$missing chromium"
  if [ -n "$missing" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  fi
  if [ "${AUTOGRADER_NO_DOCKER:-}" != 1 ] && [ -f docker/ci-setup.sh ]; then
    bash docker/ci-setup.sh
  fi
fi
