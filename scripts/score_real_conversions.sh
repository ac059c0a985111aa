#!/usr/bin/env bash
# The real DOCX plans of fixtures/real saved by LibreOffice as DOC, PDF and
# HTML (as archives hold the same plans in other files), each extracted and
# scored against the DOCX's gold record with the contract scorer.
# Usage: scripts/score_real_conversions.sh [KEHOACH_BINARY]
# Needs soffice (LibreOffice). Not part of the test suite (the suite does not
# install LibreOffice); the figures are in the README.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/kehoach}
command -v soffice >/dev/null || { echo "needs soffice (LibreOffice)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for fmt in doc pdf html; do
  mkdir -p "$work/$fmt/in" "$work/$fmt/gold" "$work/$fmt/pred"
  soffice -env:UserInstallation="file://$work/profile" --headless --convert-to "$fmt" \
    --outdir "$work/$fmt/in" fixtures/real/*.docx >/dev/null 2>&1
  for f in "$work/$fmt/in"/*."$fmt"; do
    b=$(basename "$f" ."$fmt")
    cp "fixtures/real/gold/$b.docx.json" "$work/$fmt/gold/$b.$fmt.json"
    "$bin" extract "$f" --json > "$work/$fmt/pred/$b.$fmt.json" 2>/dev/null \
      || echo "$b.$fmt: extract failed" >&2
  done
  echo "== $fmt ($(find "$work/$fmt/in" -name "*.$fmt" | wc -l) documents)"
  python3 scripts/score.py "$work/$fmt/gold" "$work/$fmt/pred" | tail -1
done
