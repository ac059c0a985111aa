#!/usr/bin/env bash
# Extracts every document of fixtures/real and scores it against its gold
# record (fixtures/real/gold/<file>.json) with the contract scorer.
# Usage: scripts/score_real.sh [KEHOACH_BINARY] [score.py options…]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/kehoach}
shift || true
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for f in fixtures/real/*; do
  name=$(basename "$f")
  [ -f "$f" ] && [ "$name" != README.md ] || continue
  "$bin" extract "$f" --json > "$out/$name.json" 2> "$out/$name.err" || {
    echo "$name: extract failed: $(cat "$out/$name.err")" >&2
  }
done
python3 scripts/score.py fixtures/real/gold "$out" "$@"
