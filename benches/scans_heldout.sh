#!/usr/bin/env bash
# Scans the fixtures do not hold: every scan case (colour with stamps, seal and
# signature; pages fed sideways with a blank back page; a dense table) made
# from each of the other seed plans, read by `kehoach extract` and scored
# against the seed's gold record. The fixture scans (fixtures/scans/cases) are
# made from one seed per case and tuned against; these are not.
#
#   benches/scans_heldout.sh                  # 3 cases x 4 other seeds
#   CASES=colour STEMS=000_9b75833fe1e96175 benches/scans_heldout.sh
#
# Prints row F1, mean field and meta per case (scripts/score.py) and the pages
# per second of the whole run. Needs what scripts/render_scan_cases.py needs
# (Pillow, poppler-utils, LibreOffice for the dense case) and tesseract.
# Environment: BIN (a release build when unset), WORK (a temp dir, removed
# unless KEEP=1). Not part of the test suite: about a minute of
# OCR per document.
set -euo pipefail
cd "$(dirname "$0")/.."

CASES="${CASES:-colour turned dense}"
WORK="${WORK:-$(mktemp -d -t kehoach-heldout.XXXXXX)}"
cleanup() { if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; fi; }
trap cleanup EXIT
if [ -z "${BIN:-}" ]; then
    cargo build --release -p kehoach >&2
    BIN="${CARGO_TARGET_DIR:-target}/release/kehoach"
fi

# The seed each fixture case is made from: the others are held out.
own() {
    case "$1" in
        colour) echo 001_0d47e3459e23ee36 ;;
        turned) echo 003_39456b49d95a0e63 ;;
        dense) echo 002_c5764e0b3762d723 ;;
    esac
}

for case in $CASES; do
    stems="${STEMS:-$(cd fixtures/gold && ls ./*.json | sed 's|^\./||; s|\.json$||' | grep -v "^$(own "$case")$")}"
    mkdir -p "$WORK/$case/scans" "$WORK/$case/out" "$WORK/$case/gold"
    for stem in $stems; do
        python3 scripts/render_scan_cases.py --out "$WORK/$case/scans" --only "$case" --stem "$stem" >/dev/null
        cp "fixtures/gold/$stem.json" "$WORK/$case/gold/"
    done
    pages=0
    for f in "$WORK/$case/scans"/*.pdf; do
        pages=$((pages + $(pdfinfo "$f" | awk '/^Pages:/ {print $2}')))
    done
    start=$(date +%s.%N)
    "$BIN" extract "$WORK/$case/scans" --out "$WORK/$case/raw" >"$WORK/$case/extract.log" 2>&1 || true
    end=$(date +%s.%N)
    # The plans under their seed's name, as the scorer pairs them.
    for f in "$WORK/$case/raw"/*.json; do
        name=$(basename "$f" .json)
        cp "$f" "$WORK/$case/out/${name#"${case}"_}.json"
    done
    echo "== $case: $(echo "$stems" | wc -w) documents, $pages pages, $(awk -v s="$start" -v e="$end" -v p="$pages" 'BEGIN { printf "%.1f s, %.2f pages/s", e - s, p / (e - s) }'); load $(cut -d' ' -f1-3 /proc/loadavg)"
    # Documents that failed, with the reason.
    grep -E '^kehoach: ' "$WORK/$case/extract.log" | sed 's/^/  /' || true
    python3 scripts/score.py "$WORK/$case/gold" "$WORK/$case/out" | sed 's/^/  /'
done
