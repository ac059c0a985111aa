#!/usr/bin/env python3
"""Render corpus plans (text exports) to PDF fixtures, the way plans are archived.

Usage:
  render_pdf.py [--corpus DIR] [--gold DIR] [--out DIR] [--keep-html]

Each corpus/<stem>.txt becomes:
  fixtures/pdf/lo/<stem>.pdf      LibreOffice (Writer) export, ruled appendix table
  fixtures/pdf/cairo/<stem>.pdf   the same re-exported by pdftocairo (Identity-H CID fonts)
  fixtures/pdf/unruled/<stem>.pdf the same plan with an appendix table without rules
  fixtures/pdf/bad/enc_*.pdf      encrypted copies of the first plan (needs qpdf): with an
                                  empty user password (AES-256, RC4-128) and with a user password

The text export splits the appendix into one table per page, repeating the
header and leaving the tail of a broken row in a row with an empty number
cell. Here the pages are stitched back into one logical table (a repeated
header is dropped, a continuation row is merged into its row) and written as
one HTML table whose header is a <thead>, so the PDF export repeats it on every
page and breaks long rows across pages as Word does. The gold records (when
given) decide whether an unnumbered row after a page break continues the row
before it or is a record of its own.

Needs: python3 (stdlib), soffice (LibreOffice), pdftocairo (poppler-utils).
"""
import argparse
import glob
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata

MARKUP = re.compile(r"</?(b|i|u|strong|em|span|p|sup|sub)\b[^>]*>|\*\*|(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)", re.I)
BR = re.compile(r"<br\s*/?>", re.I)


def clean(text):
    text = BR.sub("\n", text)
    text = MARKUP.sub("", text)
    text = html.unescape(text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def fold(text):
    text = unicodedata.normalize("NFD", " ".join(text.split()).lower()).replace("đ", "d")
    return "".join(c for c in text if not unicodedata.combining(c))


def is_pipe_separator(line):
    inner = line.strip().strip("|")
    return bool(inner) and "-" in inner and all(c.strip() and set(c.strip()) <= set("-: ") for c in inner.split("|"))


def row_cells(line):
    s = line.strip()
    if s.startswith("|") and s.count("|") >= 2:
        parts = re.split(r"(?<!\\)\|", s)
        parts = parts[1:]
        if s.endswith("|"):
            parts = parts[:-1]
        return [clean(p) for p in parts]
    if "\t" in line:
        return [clean(p) for p in line.split("\t")]
    return None


def parse(text):
    """Blocks: ("p", [lines], bold) | ("t", [rows]) | ("page",)."""
    blocks = []
    para = []
    table = []

    def flush():
        nonlocal para, table
        if para:
            bold = all(re.match(r"^\s*(\*\*.+\*\*|<b>.+</b>)\s*$", raw) for raw in para)
            lines = [clean(raw) for raw in para]
            blocks.append(("p", [l for l in lines if l], bold))
            para = []
        if table:
            blocks.append(("t", table))
            table = []

    for raw in text.replace("\r\n", "\n").split("\n"):
        s = raw.strip()
        if not s:
            flush()
            continue
        if len(s) >= 3 and set(s) <= set("-") or s == "\f":
            flush()
            blocks.append(("page",))
            continue
        if s.startswith("|") and is_pipe_separator(s):
            continue
        cells = row_cells(raw) if (s.startswith("|") or raw.count("\t") >= 1 and not raw.startswith("\t") or table or raw.count("\t") >= 2) else None
        if cells is not None and len(cells) >= 2:
            if para:
                flush()
            table.append(cells)
            continue
        if table:
            flush()
        para.append(raw)
    flush()
    return blocks


def is_header(row):
    return bool(row) and fold(row[0]).strip(" .") in ("tt", "stt", "so tt")


def gold_contents(path):
    if not path or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        gold = json.load(f)
    return [fold(t.get("content") or "") for t in gold.get("tasks", [])]


def starts_record(cells, contents):
    """Whether an unnumbered row after a page break is a record of its own."""
    text = fold(" ".join(cells[1:2])).strip()
    if not text:
        return False
    if contents is None:
        return not text[:1].islower()
    key = text[:40]
    return any(c.startswith(key) for c in contents)


def stitch(blocks, contents):
    """Merges the appendix tables into one: (before, header, rows, after)."""
    first = next((i for i, b in enumerate(blocks) if b[0] == "t" and any(is_header(r) for r in b[1][:3])), None)
    if first is None:
        return blocks, None, None, []
    header = None
    rows = []
    last = first
    for i in range(first, len(blocks)):
        b = blocks[i]
        if b[0] == "page":
            continue
        if b[0] == "p":
            # Running text between the appendix pages ends the appendix.
            if any(x[0] == "t" for x in blocks[i:]):
                continue
            break
        last = i
        after_break = True
        for r in b[1]:
            if is_header(r):
                if header is None:
                    header = r
                after_break = True
                continue
            if header is None:
                continue
            r = (r + [""] * len(header))[: max(len(header), len(r))]
            if not any(c.strip() for c in r):
                continue
            empty_content = len(r) < 2 or not r[1].strip()
            if not r[0].strip() and rows and (empty_content or after_break and not starts_record(r, contents)):
                prev = rows[-1]
                for k, cell in enumerate(r):
                    if cell.strip() and k < len(prev):
                        prev[k] = (prev[k] + " " + cell).strip() if prev[k] else cell
                after_break = False
                continue
            rows.append(list(r))
            after_break = False
    before = blocks[:first]
    while before and before[-1][0] == "page":
        before.pop()
    return before, header, rows, blocks[last + 1:]


def cell_html(text, bold=False):
    inner = "<br>".join(html.escape(line) for line in text.split("\n"))
    return f"<b>{inner}</b>" if bold and inner else inner


def to_html(blocks, header, rows, after, ruled=True, font="Liberation Serif"):
    out = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        "<style>@page { size: 21cm 29.7cm; margin: 2cm 1.5cm 2cm 2.5cm }",
        f"body {{ font-family: '{font}'; font-size: 13pt }} p {{ margin: 0 0 6pt 0 }}",
        "td, th { font-size: 11pt; vertical-align: top }</style></head><body>",
    ]

    def paragraphs(bs):
        for b in bs:
            if b[0] == "page":
                out.append("<p style='page-break-before: always'></p>")
            elif b[0] == "p":
                body = "<br>".join(html.escape(l) for l in b[1])
                out.append(f"<p>{'<b>' + body + '</b>' if b[2] else body}</p>")
            else:
                out.append("<table>" + "".join("<tr>" + "".join(f"<td>{cell_html(c)}</td>" for c in r) + "</tr>" for r in b[1]) + "</table>")

    paragraphs(blocks)
    if header:
        out.append("<p style='page-break-before: always'></p>" if blocks else "")
        border = "border='1' cellspacing='0' cellpadding='4'" if ruled else "border='0' cellspacing='0' cellpadding='4'"
        widths = [6, 34, 15, 15, 14, 16] if len(header) == 6 else None
        out.append(f"<table {border} width='100%'>")
        if widths:
            out.append("<colgroup>" + "".join(f"<col width='{w}%'>" for w in widths) + "</colgroup>")
        out.append("<thead><tr>" + "".join(f"<th>{cell_html(c, True)}</th>" for c in header) + "</tr></thead><tbody>")
        for r in rows:
            out.append("<tr>" + "".join(f"<td>{cell_html(c)}</td>" for c in r) + "</tr>")
        out.append("</tbody></table>")
        paragraphs(after)
    out.append("</body></html>")
    return "\n".join(out)


def soffice_pdf(html_path, out_dir):
    subprocess.run(
        ["soffice", "--headless", "--infilter=HTML (StarWriter)", "--convert-to", "pdf:writer_pdf_Export", "--outdir", out_dir, html_path],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300,
    )
    return os.path.join(out_dir, os.path.splitext(os.path.basename(html_path))[0] + ".pdf")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--corpus", default=os.path.join(root, "corpus"))
    ap.add_argument("--gold", default=os.path.join(root, "fixtures", "gold"))
    ap.add_argument("--out", default=os.path.join(root, "fixtures", "pdf"))
    ap.add_argument("--keep-html", action="store_true")
    args = ap.parse_args()
    for tool in ("soffice", "pdftocairo"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed (LibreOffice, poppler-utils)")
    for sub in ("lo", "cairo", "unruled"):
        os.makedirs(os.path.join(args.out, sub), exist_ok=True)
    files = sorted(glob.glob(os.path.join(args.corpus, "*.txt")))
    with tempfile.TemporaryDirectory() as tmp:
        for n, path in enumerate(files):
            stem = os.path.splitext(os.path.basename(path))[0]
            with open(path, encoding="utf-8-sig") as f:
                text = f.read()
            contents = gold_contents(os.path.join(args.gold, stem + ".json"))
            before, header, rows, after = stitch(parse(text), contents)
            variants = [("lo", True), ("unruled", False)]
            for sub, ruled in variants:
                page = to_html(before, header, rows, after, ruled=ruled)
                hp = os.path.join(tmp, stem + ".html")
                with open(hp, "w", encoding="utf-8") as f:
                    f.write(page)
                if args.keep_html:
                    shutil.copy(hp, os.path.join(args.out, sub, stem + ".html"))
                pdf = soffice_pdf(hp, tmp)
                dest = os.path.join(args.out, sub, stem + ".pdf")
                shutil.move(pdf, dest)
                print(f"{dest}: {len(rows or [])} appendix rows")
            subprocess.run(["pdftocairo", "-pdf", os.path.join(args.out, "lo", stem + ".pdf"), os.path.join(args.out, "cairo", stem + ".pdf")], check=True)
    if files and shutil.which("qpdf"):
        bad = os.path.join(args.out, "bad")
        os.makedirs(bad, exist_ok=True)
        first = os.path.join(args.out, "lo", os.path.splitext(os.path.basename(files[0]))[0] + ".pdf")
        for name, enc in [
            ("enc_empty_user_aes256.pdf", ["", "owner", "256"]),
            ("enc_empty_user_rc4.pdf", ["", "owner", "128", "--use-aes=n"]),
            ("enc_user_password.pdf", ["secret", "owner", "256"]),
        ]:
            # qpdf exits 3 on warnings; the output is written all the same.
            subprocess.run(["qpdf", "--allow-weak-crypto", "--encrypt", *enc, "--", first, os.path.join(bad, name)], check=False)
            print(os.path.join(bad, name))


if __name__ == "__main__":
    main()
