#!/usr/bin/env python3
"""kehoach's PDF reader against pdfplumber on the same PDFs: accuracy and speed.

Usage:
  benches/pdf_vs_pdfplumber.py [--gold DIR] [--kehoach BIN] [--repeat N] [DIR_OR_PDF ...]

Default inputs: fixtures/pdf/lo, fixtures/pdf/cairo, fixtures/pdf/unruled.
Needs: pip install pdfplumber; a release build of kehoach (built when missing).

How pdfplumber is mapped to plan records, as fairly as we can: pdfplumber
reads the PDF (page.extract_tables() with its default ruling-line settings,
falling back to its text-alignment settings on a page where that finds no
table; page text outside the tables with extract_text()), and its output is
written as a text export (running text, one tab-separated row per table row,
`---` between pages) that kehoach's own extractor turns into records. So both
sides share the extractor (header mapping, repeated-header removal,
continuation-row merging across page breaks, deadlines, hierarchy) and the
comparison measures what the PDF reader gives it. Words that pdfplumber
leaves split after a hyphen at a cell's line break are re-joined, as kehoach does.

Both sides are scored with scripts/score.py against the gold records. Time:
pdfplumber's reading only (in process, the extractor run on its text export
not counted) against one `kehoach extract` process over the same files
(start-up, reading and extraction all counted); best of --repeat runs.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCORE = os.path.join(ROOT, "scripts", "score.py")
HYPHEN_BREAK = re.compile(r"(?<=\w)-\n(?=\w)")


def inputs(args):
    paths = args.paths or [os.path.join(ROOT, "fixtures", "pdf", d) for d in ("lo", "cairo", "unruled")]
    groups = []
    for p in paths:
        if os.path.isdir(p):
            files = sorted(glob.glob(os.path.join(p, "*.pdf")))
            groups.append((os.path.basename(os.path.normpath(p)), files))
        else:
            groups.append((os.path.basename(p), [p]))
    return [(name, files) for name, files in groups if files]


def kehoach_bin(arg):
    if arg:
        return arg
    exe = os.path.join(ROOT, "target", "release", "kehoach")
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "kehoach"], cwd=ROOT, check=True)
    return exe


def cell_text(c):
    if c is None:
        return ""
    c = HYPHEN_BREAK.sub("-", c)
    return " ".join(c.split())


def plumber_export(path):
    """pdfplumber's reading of one PDF, written as a text export."""
    import pdfplumber

    out = []
    with pdfplumber.open(path) as pdf:
        for i, page in enumerate(pdf.pages):
            if i:
                out.append("\n---\n")
            found = page.find_tables()
            if not found:
                found = page.find_tables({"vertical_strategy": "text", "horizontal_strategy": "text"})
                # A text-strategy "table" of one column is running text.
                found = [t for t in found if t.extract() and max(len(r) for r in t.extract()) >= 3]
            rest = page
            for t in found:
                try:
                    rest = rest.outside_bbox(t.bbox)
                except ValueError:
                    pass
            text = rest.extract_text() or ""
            out.append(text)
            for t in found:
                out.append("")
                for row in t.extract():
                    cells = [cell_text(c) for c in row]
                    if any(cells):
                        out.append("\t".join(cells))
                out.append("")
    return "\n".join(out) + "\n"


def score(gold, pred_dir):
    res = subprocess.run([sys.executable, SCORE, gold, pred_dir], capture_output=True, text=True)
    line = next((l for l in res.stdout.splitlines() if l.startswith("TOTAL")), "")
    vals = dict(kv.split("=") for kv in line.split()[1:])
    return float(vals.get("row_f1", 0)), float(vals.get("mean_field_acc", 0))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--gold", default=os.path.join(ROOT, "fixtures", "gold"))
    ap.add_argument("--kehoach", help="path of the kehoach binary (default: build target/release/kehoach)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    try:
        import pdfplumber  # noqa: F401
    except ImportError:
        sys.exit("pdfplumber is needed: pip install pdfplumber")
    exe = kehoach_bin(args.kehoach)
    groups = inputs(args)
    print(f"{'set':<10} {'files':>5} {'pages':>6}  {'kehoach F1/field':>17}  {'pdfplumber F1/field':>20}  {'kehoach s':>9}  {'pdfplumber s':>12}  {'speed-up':>8}")
    tot_k = tot_p = 0.0
    tot_pages = 0
    for name, files in groups:
        with tempfile.TemporaryDirectory() as tmp:
            kdir, pdir, tdir = (os.path.join(tmp, d) for d in ("k", "p", "t"))
            for d in (kdir, pdir, tdir):
                os.makedirs(d)
            best_k = float("inf")
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                subprocess.run([exe, "extract", "--out", kdir, *files], check=True, capture_output=True)
                best_k = min(best_k, time.perf_counter() - t0)
            best_p = float("inf")
            exports = {}
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                for f in files:
                    exports[f] = plumber_export(f)
                best_p = min(best_p, time.perf_counter() - t0)
            txts = []
            for f, text in exports.items():
                stem = os.path.splitext(os.path.basename(f))[0]
                tp = os.path.join(tdir, stem + ".txt")
                with open(tp, "w", encoding="utf-8") as fh:
                    fh.write(text)
                txts.append(tp)
            subprocess.run([exe, "extract", "--out", pdir, *txts], check=True, capture_output=True)
            pages = 0
            import pdfplumber

            for f in files:
                with pdfplumber.open(f) as pdf:
                    pages += len(pdf.pages)
            kf1, kfield = score(args.gold, kdir)
            pf1, pfield = score(args.gold, pdir)
            tot_k += best_k
            tot_p += best_p
            tot_pages += pages
            print(
                f"{name:<10} {len(files):>5} {pages:>6}  {kf1:>7.3f} / {kfield:<7.3f}  {pf1:>9.3f} / {pfield:<8.3f}  "
                f"{best_k:>9.3f}  {best_p:>12.3f}  {best_p / best_k:>7.1f}x"
            )
    if tot_k > 0:
        print(
            f"TOTAL pages={tot_pages} kehoach={tot_k:.3f}s ({tot_pages / tot_k:.0f} pages/s incl. start-up) "
            f"pdfplumber={tot_p:.3f}s ({tot_pages / tot_p:.1f} pages/s) speed-up={tot_p / tot_k:.1f}x"
        )


if __name__ == "__main__":
    main()
