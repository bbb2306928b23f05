#!/usr/bin/env bash
# Sets up, then grades the bundled example submissions of every topic on the best sandbox here
# (Docker when its engine and image are ready, else the process sandbox), printing a table each.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export AUTOGRADER_ROOT="$PWD"
out="${1:-out/examples}"
for dir in examples/*/; do
  topic=$(basename "$dir")
  autograder grade "$topic" "$dir" --out "$out" --sandbox auto --jobs 2
done
