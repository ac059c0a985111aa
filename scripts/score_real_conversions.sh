#!/usr/bin/env bash
# The real DOCX plans of fixtures/real saved by LibreOffice as DOC, PDF and
# HTML (as archives hold the same plans in other files), and the PDF printed
# and scanned again (200 dpi, 0.8 degrees of skew, speckles, a slight blur,
# JPEG pages: an office copier's scan, made differently from the scan
# fixtures), each extracted and scored against the DOCX's gold record with
# the contract scorer.
# Usage: scripts/score_real_conversions.sh [KEHOACH_BINARY]
# Needs soffice (LibreOffice), pdftoppm and Pillow. Not part of the test suite
# (the suite does not install LibreOffice); the figures are in the README.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/kehoach}
command -v soffice >/dev/null || { echo "needs soffice (LibreOffice)" >&2; exit 2; }
work=$(mktemp -d)
# KEEP=1 keeps the converted files and the records (the directory is printed).
if [ "${KEEP:-0}" = 1 ]; then echo "files in $work" >&2; else trap 'rm -rf "$work"' EXIT; fi
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
# The scans: each PDF's pages as images, degraded, in a PDF of images.
mkdir -p "$work/scan/in" "$work/scan/gold" "$work/scan/pred"
for f in "$work/pdf/in"/*.pdf; do
  b=$(basename "$f" .pdf)
  pdftoppm -r 200 -png "$f" "$work/scan/$b"
  python3 - "$work/scan/$b" "$work/scan/in/$b.pdf" <<'PY'
import glob, random, sys
from PIL import Image, ImageFilter
random.seed(7)
pages = []
for f in sorted(glob.glob(sys.argv[1] + "-*.png")):
    im = Image.open(f).convert("L").rotate(0.8, resample=Image.BICUBIC, fillcolor=255)
    px, (w, h) = im.load(), im.size
    for _ in range(w * h // 400):
        px[random.randrange(w), random.randrange(h)] = random.choice((0, 90, 255))
    pages.append(im.filter(ImageFilter.GaussianBlur(0.6)))
pages[0].save(sys.argv[2], save_all=True, append_images=pages[1:], resolution=200.0, quality=60)
PY
  cp "fixtures/real/gold/$b.docx.json" "$work/scan/gold/$b.pdf.json"
  "$bin" extract "$work/scan/in/$b.pdf" --json > "$work/scan/pred/$b.pdf.json" 2>/dev/null \
    || echo "$b (scan): extract failed" >&2
done
echo "== scan ($(find "$work/scan/in" -name "*.pdf" | wc -l) documents, $(find "$work/scan" -name "*.png" | wc -l) pages)"
python3 scripts/score.py "$work/scan/gold" "$work/scan/pred" | tail -2
