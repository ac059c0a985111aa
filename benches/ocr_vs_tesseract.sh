#!/usr/bin/env bash
# OCR pipeline speed against the bare tesseract CLI on the same pages.
#
#   benches/ocr_vs_tesseract.sh                       # the 300 dpi fixture scans
#   SCANS=fixtures/scans/200 benches/ocr_vs_tesseract.sh
#
# The page images are taken out of the scanned PDFs (pdfimages -all: the JPEG
# bytes as stored). Then, with 1 core and with 2 cores (taskset), it times:
#   bare:     `tesseract PAGE stdout -l vie --psm 6 tsv` on every page image,
#             OMP_THREAD_LIMIT=1, as many at once as cores (xargs -P);
#   pipeline: `kehoach extract` on the scanned PDFs (RAYON_NUM_THREADS = cores),
#             which also deskews, finds the table rules, repairs words and
#             runs the extractor;
# and prints the times, pages/s and the ratio pipeline / bare.
# Environment: BIN (kehoach binary; a release build when unset), SCANS, CORES ("1 2").
# Needs: tesseract-ocr tesseract-ocr-vie poppler-utils (pdfimages), taskset (util-linux).
# On a shared machine the figures vary with the load (printed). Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

SCANS="${SCANS:-fixtures/scans/300}"
CORES="${CORES:-1 2}"
for tool in tesseract pdfimages taskset; do
    command -v "$tool" >/dev/null 2>&1 || { echo "missing: $tool (apt-get install tesseract-ocr tesseract-ocr-vie poppler-utils util-linux)" >&2; exit 2; }
done
if [ -z "${BIN:-}" ]; then
    cargo build --release -p kehoach >&2
    BIN="${CARGO_TARGET_DIR:-target}/release/kehoach"
fi
WORK="$(mktemp -d -t kehoach-ocr-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$WORK/pages"
for pdf in "$SCANS"/*.pdf; do
    pdfimages -all "$pdf" "$WORK/pages/$(basename "$pdf" .pdf)"
done
PAGES=$(find "$WORK/pages" -type f | wc -l)
echo "scans: $SCANS, $(ls "$SCANS"/*.pdf | wc -l) files, $PAGES pages; load: $(cut -d' ' -f1-3 /proc/loadavg)"

now() { date +%s.%N; }
for n in $CORES; do
    cpus="0-$((n - 1))"
    t0=$(now)
    find "$WORK/pages" -type f -print0 | OMP_THREAD_LIMIT=1 taskset -c "$cpus" \
        xargs -0 -P "$n" -I{} tesseract {} stdout -l vie --psm 6 tsv >/dev/null 2>&1
    t1=$(now)
    RAYON_NUM_THREADS="$n" taskset -c "$cpus" "$BIN" extract "$SCANS" --out "$WORK/out" >/dev/null
    t2=$(now)
    awk -v n="$n" -v p="$PAGES" -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {
        b = t1 - t0; k = t2 - t1
        printf "%d core(s): bare tesseract %.1f s (%.2f pages/s), kehoach extract %.1f s (%.2f pages/s), ratio %.2f\n",
            n, b, p / b, k, p / k, k / b }'
    echo "  load: $(cut -d' ' -f1-3 /proc/loadavg)"
done
