#!/usr/bin/env python3
"""Render the text plans of corpus/ as Word documents (fixtures/docx/).

Each plan is written as HTML and converted by LibreOffice:
  soffice --headless --convert-to docx:"MS Word 2007 XML"

The HTML keeps the plan's structure the way Word documents have it: running
text as paragraphs (bold where the export marks it), each appendix table as a
table whose section rows ("I", "II", … with no unit or deadline) span the
columns after the number (w:gridSpan), and whose lead-unit cells are merged
down (w:vMerge) where consecutive task rows share the same unit. Page
separators become page breaks.

Legacy-encoding variants (--legacy) write the same plan in TCVN3 (.VnTime, and
.VnTimeH for capitals with tone marks) or VNI (VNI-Times) fonts: every letter is
replaced by its legacy bytes shown as Latin-1 characters, which is how Word
stores such text. The byte tables come from crates/text/src/legacy.tsv. The
TCVN3 text variant (--legacy-txt) is the plan's text file in TCVN3 bytes.

Usage:
  scripts/render_docx.py [--out fixtures/docx] [--legacy STEM] [--legacy-txt STEM] [FILES...]
Needs LibreOffice (soffice) for DOCX output; the committed fixtures make tests
independent of it.
"""
import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = os.path.join(ROOT, "crates", "text", "src", "legacy.tsv")


def load_table():
    rows = {}
    with open(TABLE, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            letter, tcvn3, vni, viscii, cp1258 = line.rstrip("\n").split("\t")
            rows[letter] = {"tcvn3": bytes.fromhex(tcvn3), "vni": bytes.fromhex(vni)}
    return rows


LEGACY = load_table()
# TCVN3 has codes of its own for these capitals; other toned capitals need the …H font.
TCVN3_CAPS_OWN = set("ĂÂÊÔƠƯĐ")
FONTS = {"tcvn3": ".VnTime", "tcvn3caps": ".VnTimeH", "vni": "VNI-Times"}


def latin1(bs):
    return "".join("&#x%02X;" % b if b >= 0x80 else html.escape(chr(b)) for b in bs)


def encode_run(text, enc):
    """HTML for `text` in a legacy font: runs of (font, escaped bytes)."""
    text = unicodedata.normalize("NFC", text)
    all_caps = enc == "tcvn3" and not any(c.islower() for c in text) and any(c.isupper() for c in text)
    pieces = []  # (font or None, html)

    def add(font, s):
        if pieces and pieces[-1][0] == font:
            pieces[-1] = (font, pieces[-1][1] + s)
        else:
            pieces.append((font, s))

    for c in text:
        if c.isascii():
            add(FONTS["tcvn3caps"] if all_caps else FONTS[enc], html.escape(c.lower() if all_caps else c))
        elif c in LEGACY:
            if enc == "tcvn3" and c.isupper() and (all_caps or c not in TCVN3_CAPS_OWN):
                add(FONTS["tcvn3caps"], latin1(LEGACY[c.lower()]["tcvn3"]))
            elif enc == "tcvn3" and all_caps:
                add(FONTS["tcvn3caps"], latin1(LEGACY[c.lower()]["tcvn3"]))
            else:
                add(FONTS[enc], latin1(LEGACY[c][enc]))
        else:
            # Symbols the legacy font cannot draw stay Unicode in a Unicode font.
            add(None, html.escape(c))
    out = []
    for font, s in pieces:
        if font is None:
            out.append('<span style="font-family:\'Times New Roman\'">%s</span>' % s)
        else:
            out.append('<span style="font-family:\'%s\'">%s</span>' % (font, s))
    return "".join(out)


TAG = re.compile(r"(</?(?:b|i|strong|em)>|<br\s*/?>)", re.I)


def inline(text, enc):
    """Markdown/HTML inline markup of the export → HTML, text encoded for `enc`."""
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])", r"<i>\1</i>", text)
    out = []
    for part in TAG.split(text):
        if TAG.fullmatch(part or ""):
            out.append(part.lower())
        elif part:
            out.append(encode_run(part, enc) if enc else html.escape(part))
    return "".join(out)


def is_sep(line):
    t = line.strip()
    return t == "\f" or (len(t) >= 3 and (set(t) <= {"-"} or set(t) <= {"*"} or set(t) <= {"_"}))


def strip_tags(s):
    return re.sub(r"<[^>]+>|\*\*", "", s).strip()


def fold(s):
    s = unicodedata.normalize("NFD", s.lower()).replace("đ", "d")
    return "".join(c for c in s if not unicodedata.combining(c))


def is_pipe_row(line):
    t = line.strip()
    return t.startswith("|") and t.count("|") >= 2


def is_pipe_separator(line):
    inner = line.strip().strip("|")
    cells = inner.split("|")
    return "-" in inner and all(c.strip() and set(c.strip()) <= set("-: ") for c in cells)


def pipe_cells(line):
    t = line.strip()
    cells = [c.replace("\\|", "|") for c in re.split(r"(?<!\\)\|", t)]
    if cells and not cells[0].strip():
        cells = cells[1:]
    if t.endswith("|") and cells and not cells[-1].strip():
        cells = cells[:-1]
    return [c.strip() for c in cells]


def parse(text):
    """Blocks of a text export: ('p', lines) / ('table', rows) / ('page',)."""
    lines = text.replace("\r\n", "\n").split("\n")
    blocks, para, table = [], [], []

    def flush():
        nonlocal para, table
        if para:
            blocks.append(("p", para))
        if table:
            blocks.append(("table", table))
        para, table = [], []

    for raw in lines:
        if not raw.strip():
            flush()
        elif is_sep(raw):
            flush()
            blocks.append(("page",))
        elif is_pipe_row(raw):
            if para:
                blocks.append(("p", para))
                para = []
            if not is_pipe_separator(raw):
                table.append(pipe_cells(raw))
        elif raw.count("\t") >= 2 or (table and "\t" in raw):
            if para:
                blocks.append(("p", para))
                para = []
            table.append(raw.split("\t"))
        else:
            if table:
                blocks.append(("table", table))
                table = []
            para.append(raw)
    flush()
    return blocks


def render_table(rows, enc):
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    header = [fold(strip_tags(c)) for c in rows[0]]
    lead = next((i for i, h in enumerate(header) if "chu tri" in h), None)
    kinds = []
    for i, r in enumerate(rows):
        cells = [strip_tags(c) for c in r]
        if i == 0:
            kinds.append("head")
        elif cells[0] and cells[1] and not any(cells[2:]):
            kinds.append("section")
        else:
            kinds.append("task")
    # Rowspans of the lead-unit column over consecutive task rows with the same unit.
    span = [1] * len(rows)
    covered = [False] * len(rows)
    if lead is not None:
        i = 1
        while i < len(rows):
            j = i
            val = strip_tags(rows[i][lead])
            if kinds[i] == "task" and val:
                while j + 1 < len(rows) and kinds[j + 1] == "task" and strip_tags(rows[j + 1][lead]) == val \
                        and strip_tags(rows[j + 1][0]):
                    j += 1
                span[i] = j - i + 1
                for k in range(i + 1, j + 1):
                    covered[k] = True
            i = j + 1
    out = ['<table border="1" cellspacing="0" cellpadding="4">']
    for i, r in enumerate(rows):
        out.append("<tr>")
        if kinds[i] == "section":
            out.append("<td>%s</td><td colspan=\"%d\">%s</td>" % (inline(r[0], enc), width - 1, inline(r[1], enc)))
        else:
            for c, cell in enumerate(r):
                if c == lead and covered[i]:
                    continue
                attr = ' rowspan="%d"' % span[i] if c == lead and span[i] > 1 else ""
                tag = "td"
                out.append("<%s%s>%s</%s>" % (tag, attr, inline(cell.strip(), enc), tag))
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


def to_html(text, enc=None):
    body = []
    page_break = False
    for b in parse(text):
        if b[0] == "page":
            page_break = True
            continue
        style = ' style="page-break-before: always"' if page_break else ""
        if b[0] == "p":
            lines = [re.sub(r"^#+\s*", "", l.strip()) for l in b[1]]
            body.append("<p%s>%s</p>" % (style, "<br>".join(inline(l, enc) for l in lines)))
        else:
            if page_break:
                body.append('<p style="page-break-before: always"></p>')
            body.append(render_table(b[1], enc))
            body.append("<p></p>")
        page_break = False
    font = "'Times New Roman'"
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><style>body, p, td { font-family: %s; }</style>'
            "</head><body>\n%s\n</body></html>\n" % (font, "\n".join(body)))


def convert(html_text, out_path, soffice):
    with tempfile.TemporaryDirectory() as tmp:
        stem = os.path.splitext(os.path.basename(out_path))[0]
        src = os.path.join(tmp, stem + ".html")
        with open(src, "w", encoding="utf-8") as fh:
            fh.write(html_text)
        profile = "file://" + os.path.join(tmp, "profile")
        subprocess.run([soffice, "-env:UserInstallation=" + profile, "--headless", "--convert-to",
                        "docx:MS Word 2007 XML", "--outdir", tmp, src],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
        shutil.move(os.path.join(tmp, stem + ".docx"), out_path)


def encode_text_file(text, enc):
    out = bytearray()
    for c in unicodedata.normalize("NFC", text):
        if c.isascii():
            out += c.encode()
        elif c in LEGACY:
            out += LEGACY[c][enc]
        else:
            out += c.encode("cp1252", errors="replace")
    return bytes(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*")
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures", "docx"))
    ap.add_argument("--legacy", action="append", default=[], help="also render STEM in TCVN3 and VNI")
    ap.add_argument("--legacy-txt", action="append", default=[], help="also write STEM as a TCVN3 text file")
    args = ap.parse_args()
    files = args.files or sorted(
        os.path.join(ROOT, "corpus", f) for f in os.listdir(os.path.join(ROOT, "corpus")) if f.endswith(".txt"))
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        sys.exit("LibreOffice (soffice) is needed: apt-get install libreoffice-writer")
    os.makedirs(args.out, exist_ok=True)
    for path in files:
        stem = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
        convert(to_html(text), os.path.join(args.out, stem + ".docx"), soffice)
        print("wrote", stem + ".docx")
        if stem in args.legacy:
            for enc in ("tcvn3", "vni"):
                convert(to_html(text, enc), os.path.join(args.out, "%s.%s.docx" % (stem, enc)), soffice)
                print("wrote", "%s.%s.docx" % (stem, enc))
        if stem in args.legacy_txt:
            with open(os.path.join(args.out, stem + ".tcvn3.txt"), "wb") as fh:
                fh.write(encode_text_file(text, "tcvn3"))
            print("wrote", stem + ".tcvn3.txt")


if __name__ == "__main__":
    main()
