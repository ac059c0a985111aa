#!/usr/bin/env bash
# Runs every check the project has: formatting, lints, and all tests.
# Usage: scripts/test.sh        (CI runs this through .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages some tests need (python3 for the contract scorer).
need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    echo "missing: ${need[*]} (install them, e.g. with apt-get)" >&2
    exit 2
  fi
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
