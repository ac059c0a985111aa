#!/usr/bin/env python3
"""Make scan fixtures of the cases offices produce: colour, sideways pages,
seals and signatures, blank back pages, dense tables.

Usage:
  render_scan_cases.py [--out DIR] [--only NAME ...]
  render_scan_cases.py --thirty FILE   # a 30-page colour scan for timing (not a fixture)
  render_scan_cases.py --out DIR --stem STEM   # the cases made from another seed plan

Writes image-only PDFs into fixtures/scans/cases/ (default), each named
<case>_<seed stem>.pdf so the test finds the gold record of its seed plan
(fixtures/gold/<seed stem>.json). Pages between the first page and the
signature page hold no task or header field and are left out to keep the
files small. Every page is turned by a small angle and given paper tone and
noise as scripts/render_scans.py does; in addition:

  colour_001: the seed in colour at 200 dpi (RGB JPEG; every other appendix
      page CMYK JPEG, one of them upside down): a red "ĐẾN" received stamp
      with a handwritten number on page 1, a red seal and blue signature
      strokes over the signer block, skew up to 1.5°;
  turned_003: grey 200 dpi; the appendix pages scanned sideways (turned
      90° and 270°), one page skewed 4°, a near-blank back page with
      show-through after page 1;
  dense_002: the seed set in a smaller sans-serif font with narrower columns
      (a dense table: one page stacks to more than 32,767 pixels of cells at
      300 dpi), grey 300 dpi.

Needs: python3, Pillow, pdftoppm and pdftotext (poppler-utils), soffice
(LibreOffice) for the dense case.
"""
import argparse
import glob
import io
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from render_scans import pdf_from_images  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LO = os.path.join(ROOT, "fixtures", "pdf", "lo")


def rasterise(pdf, dpi, tmp, colour=True):
    """The pages of a PDF as Pillow images (RGB or L)."""
    from PIL import Image

    args = ["pdftoppm", "-r", str(dpi)]
    if not colour:
        args.append("-gray")
    subprocess.run(args + [pdf, os.path.join(tmp, "p")], check=True)
    files = sorted(glob.glob(os.path.join(tmp, "p-*.p?m")), key=lambda f: int(re.findall(r"-(\d+)\.", f)[0]))
    return [Image.open(f).convert("RGB" if colour else "L") for f in files]


def words_on(pdf, page, dpi, pattern):
    """Boxes (pixels at dpi) of the words on a page that match a regex."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), pdf, "-"],
        check=True, capture_output=True, text=True,
    ).stdout
    boxes = []
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out):
        if re.fullmatch(pattern, m.group(5)):
            boxes.append(tuple(float(m.group(i)) * dpi / 72.0 for i in range(1, 5)))
    return boxes


def signer_page(pdf):
    """The page holding the signer's position line, and the line's box."""
    n = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout).group(1))
    for p in range(1, n + 1):
        text = subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), pdf, "-"], capture_output=True, text=True).stdout
        if "Nơi nhận" in text:
            b = words_on(pdf, p, 72, r"GIÁM|TỊCH|TRƯỞNG")
            return p, (b[-1] if b else None)
    # No "Nơi nhận" block: the first page with a signer's position word.
    for p in range(1, n + 1):
        b = words_on(pdf, p, 72, r"GIÁM|TỊCH|TRƯỞNG")
        if b:
            return p, b[-1]
    return 1, None


def degrade(img, rng, angle):
    """Blur, turn by `angle`, paper tone and speckles (colour or grey)."""
    from PIL import Image, ImageFilter

    img = img.filter(ImageFilter.GaussianBlur(0.5))
    fill = (255, 255, 255) if img.mode == "RGB" else 255
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=fill)
    if img.mode == "RGB":
        r, g, b = img.split()
        r = r.point(lambda v: 20 + v * 222 // 255)
        g = g.point(lambda v: 20 + v * 218 // 255)
        b = b.point(lambda v: 22 + v * 206 // 255)
        img = Image.merge("RGB", (r, g, b))
    else:
        img = img.point(lambda v: 18 + v * 222 // 255)
    px = img.load()
    w, h = img.size
    for _ in range(w * h // 8000):
        x, y = rng.randrange(w), rng.randrange(h)
        v = rng.randrange(0, 120) if rng.random() < 0.6 else 255
        px[x, y] = (v, v, v) if img.mode == "RGB" else v
    return img


def multiply(img, layer):
    """Lays a mark layer (white background) over the page like ink."""
    from PIL import ImageChops

    return ImageChops.multiply(img, layer)


def seal(size, rng):
    """A red round seal: two rings, a star, rings of letter-like marks."""
    from PIL import Image, ImageDraw

    layer = Image.new("RGB", (size, size), (255, 255, 255))
    d = ImageDraw.Draw(layer)
    red = (205, 40, 45)
    c = size / 2
    w = max(3, size // 60)
    d.ellipse([w, w, size - w, size - w], outline=red, width=w * 2)
    d.ellipse([size * 0.22, size * 0.22, size * 0.78, size * 0.78], outline=red, width=w)
    pts = []
    for k in range(10):
        r = size * (0.14 if k % 2 == 0 else 0.06)
        a = -math.pi / 2 + k * math.pi / 5
        pts.append((c + r * math.cos(a), c + r * math.sin(a)))
    d.polygon(pts, fill=red)
    for k in range(36):
        a = k * 2 * math.pi / 36
        r0, r1 = size * 0.31, size * 0.42
        d.line([(c + r0 * math.cos(a), c + r0 * math.sin(a)), (c + r1 * math.cos(a + 0.05), c + r1 * math.sin(a + 0.05))], fill=red, width=w)
    return layer


def signature(w, h, rng):
    """Blue pen strokes: a looping scrawl."""
    from PIL import Image, ImageDraw

    layer = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(layer)
    blue = (30, 45, 160)
    pts = []
    for k in range(60):
        t = k / 59
        x = w * (0.05 + 0.9 * t)
        y = h * (0.5 + 0.35 * math.sin(t * 13 + rng.random()) * (1 - t * 0.5))
        pts.append((x, y))
    d.line(pts, fill=blue, width=max(3, h // 40))
    d.line([(w * 0.2, h * 0.8), (w * 0.9, h * 0.25)], fill=blue, width=max(3, h // 40))
    return layer


def received_stamp(w, h, rng):
    """A red rectangular "ĐẾN" stamp with a handwritten number and date."""
    from PIL import Image, ImageDraw, ImageFont

    layer = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(layer)
    red = (200, 35, 50)
    d.rectangle([2, 2, w - 3, h - 3], outline=red, width=max(3, w // 80))
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", h // 4)
        small = ImageFont.truetype("DejaVuSans.ttf", h // 8)
    except OSError:
        font = small = ImageFont.load_default()
    d.text((w * 0.05, h * 0.3), "ĐẾN", fill=red, font=font)
    d.text((w * 0.4, h * 0.12), "Số: ..........", fill=red, font=small)
    d.text((w * 0.4, h * 0.42), "Ngày: ........", fill=red, font=small)
    d.text((w * 0.4, h * 0.72), "Chuyển: ......", fill=red, font=small)
    blue = (35, 50, 150)
    for row in (0.2, 0.5):
        x = w * 0.58
        pts = [(x + k * w * 0.012, h * row + (h * 0.06) * math.sin(k * 1.7 + rng.random())) for k in range(25)]
        d.line(pts, fill=blue, width=max(2, h // 50))
    return layer


def page_scan(img, rng, angle):
    return degrade(img, rng, angle)


def jpeg(img, quality=55, cmyk=False):
    buf = io.BytesIO()
    if cmyk:
        img.convert("CMYK").save(buf, "JPEG", quality=quality)
        cs = b"/DeviceCMYK /Decode [1 0 1 0 1 0 1 0]"
    else:
        img.save(buf, "JPEG", quality=quality, optimize=True)
        cs = b"/DeviceRGB" if img.mode == "RGB" else b"/DeviceGray"
    return b"/ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode" % cs, buf.getvalue()


def flate(img):
    mode = img.mode
    cs = b"/DeviceRGB" if mode == "RGB" else b"/DeviceGray"
    return b"/ColorSpace %s /BitsPerComponent 8 /Filter /FlateDecode" % cs, zlib.compress(img.tobytes(), 9)


def kept_pages(pdf):
    """Page 1, the signer's page and every page after it (the appendix)."""
    sp, _ = signer_page(pdf)
    n = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout).group(1))
    return [1] + list(range(max(2, sp or 2), n + 1))


def mark_signer(img, pdf, page, dpi, rng):
    """A red seal and blue signature over the signer's position line."""
    boxes = words_on(pdf, page, dpi, r"GIÁM|TỊCH|TRƯỞNG")
    if not boxes:
        return img
    x0, y0, x1, y1 = boxes[-1]
    size = int(dpi * 1.55)
    s = seal(size, rng)
    layer = img.copy()
    layer.paste((255, 255, 255), [0, 0, img.size[0], img.size[1]])
    layer.paste(s, (int(x0 - size * 0.55), int(y0 - size * 0.25)))
    sig = signature(int(dpi * 1.8), int(dpi * 0.7), rng)
    layer2 = img.copy()
    layer2.paste((255, 255, 255), [0, 0, img.size[0], img.size[1]])
    layer2.paste(sig, (int(x0 - dpi * 0.1), int(y1 + dpi * 0.15)))
    return multiply(multiply(img, layer), layer2)


def mark_received(img, dpi, rng):
    """The received stamp on the left, under the issuer's lines (as r10)."""
    w, h = int(dpi * 2.0), int(dpi * 0.9)
    layer = img.copy()
    layer.paste((255, 255, 255), [0, 0, img.size[0], img.size[1]])
    layer.paste(received_stamp(w, h, rng), (int(dpi * 0.6), int(dpi * 1.45)))
    return multiply(img, layer)


def show_through(front, rng):
    """A near-blank back page: the front mirrored, very faint, and noise."""
    from PIL import Image, ImageFilter, ImageOps

    g = ImageOps.mirror(front.convert("L")).filter(ImageFilter.GaussianBlur(2.0))
    g = g.point(lambda v: 226 + v * 14 // 255)
    img = g.convert(front.mode)
    return degrade(img, rng, 0.4)


def colour_case(out, dpi=200, stem=None):
    from PIL import Image

    stem = stem or "001_0d47e3459e23ee36"
    pdf = os.path.join(LO, stem + ".pdf")
    sp, _ = signer_page(pdf)
    keep = kept_pages(pdf)
    pages = []
    with tempfile.TemporaryDirectory() as tmp:
        imgs = rasterise(pdf, dpi, tmp)
        for n in keep:
            rng = random.Random(f"colour/{stem}/{n}")
            img = imgs[n - 1]
            if n == 1:
                img = mark_received(img, dpi, rng)
            if n == sp:
                img = mark_signer(img, pdf, n, dpi, rng)
            img = page_scan(img, rng, rng.uniform(0.5, 1.5) * rng.choice((-1, 1)))
            # One appendix page stored as CMYK JPEG, upside down.
            k = n - sp
            if k == 2:
                img = img.transpose(Image.Transpose.ROTATE_180)
            head, data = jpeg(img, 45, cmyk=k == 2)
            pages.append((head, data, img.size[0], img.size[1], dpi))
    path = os.path.join(out, f"colour_{stem}.pdf")
    pdf_from_images(pages, path)
    return path


def turned_case(out, dpi=200, stem=None):
    from PIL import Image

    stem = stem or "003_39456b49d95a0e63"
    pdf = os.path.join(LO, stem + ".pdf")
    keep = kept_pages(pdf)
    sp, _ = signer_page(pdf)
    pages = []
    with tempfile.TemporaryDirectory() as tmp:
        imgs = rasterise(pdf, dpi, tmp, colour=False)
        appendix = [n for n in keep if n > sp]
        for n in keep:
            rng = random.Random(f"turned/{stem}/{n}")
            angle = rng.uniform(0.5, 1.5) * rng.choice((-1, 1))
            if n == sp:
                angle = 4.0
            img = page_scan(imgs[n - 1], rng, angle)
            if n in appendix:
                k = appendix.index(n)
                if k % 2 == 0:
                    img = img.transpose(Image.Transpose.ROTATE_90)
                else:
                    img = img.transpose(Image.Transpose.ROTATE_270)
            head, data = jpeg(img, 50)
            pages.append((head, data, img.size[0], img.size[1], dpi))
            if n == 1:
                back = show_through(imgs[0], rng)
                head, data = jpeg(back, 50)
                pages.append((head, data, back.size[0], back.size[1], dpi))
    path = os.path.join(out, f"turned_{stem}.pdf")
    pdf_from_images(pages, path)
    return path


def dense_docx(src, dst):
    """The DOCX in an 8.5 pt narrow sans-serif font, narrow page margins, the table as wide as the page."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename in ("word/styles.xml", "word/document.xml"):
                s = data.decode("utf-8")
                s = re.sub(r'w:ascii="[^"]*" w:hAnsi="[^"]*"', 'w:ascii="Liberation Sans Narrow" w:hAnsi="Liberation Sans Narrow"', s)
                s = re.sub(r'<w:sz w:val="(2[0-9]|3[0-9])"/>', '<w:sz w:val="17"/>', s)
                s = re.sub(r'<w:szCs w:val="(2[0-9]|3[0-9])"/>', '<w:szCs w:val="17"/>', s)
                # Table columns wider, up to twice as wide: the widest table
                # fills the page width (A4 less the narrow margins) and no more.
                grids = [
                    sum(int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"', g))
                    for g in re.findall(r"<w:tblGrid>(.*?)</w:tblGrid>", s, re.S)
                ]
                factor = min(2.0, (11906 - 2 * 567) / max(grids)) if grids and max(grids) else 2.0
                for tag in ("gridCol", "tcW", "tblW"):
                    s = re.sub(
                        r'<w:%s w:w="(\d+)"' % tag,
                        lambda m, t=tag: '<w:%s w:w="%d"' % (t, int(int(m.group(1)) * factor)),
                        s,
                    )
                s = re.sub(r'<w:pgMar [^>]*>', '<w:pgMar w:left="567" w:right="567" w:gutter="0" w:header="0" w:top="567" w:footer="0" w:bottom="567"/>', s)
                data = s.encode("utf-8")
            zout.writestr(item, data)


def dense_case(out, dpi=300, stem=None):
    stem = stem or "002_c5764e0b3762d723"
    if not shutil.which("soffice"):
        sys.exit("soffice is missing: install LibreOffice")
    pages = []
    with tempfile.TemporaryDirectory() as tmp:
        docx = os.path.join(tmp, stem + ".docx")
        dense_docx(os.path.join(ROOT, "fixtures", "docx", stem + ".docx"), docx)
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, docx], check=True, capture_output=True)
        pdf = os.path.join(tmp, stem + ".pdf")
        keep = kept_pages(pdf)
        imgs = rasterise(pdf, dpi, tmp, colour=False)
        for n in keep:
            rng = random.Random(f"dense/{stem}/{n}")
            img = page_scan(imgs[n - 1], rng, rng.uniform(0.2, 0.9) * rng.choice((-1, 1)))
            head, data = jpeg(img, 40)
            pages.append((head, data, img.size[0], img.size[1], dpi))
    path = os.path.join(out, f"dense_{stem}.pdf")
    pdf_from_images(pages, path)
    return path


def thirty(path, dpi=200):
    """A 30-page colour scan (the colour case's pages repeated) for timing."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        src = colour_case(tmp, dpi)
        imgs = rasterise(src, dpi, os.path.join(tmp, "x") if os.makedirs(os.path.join(tmp, "x")) is None else tmp)
        pages = []
        for k in range(30):
            img = imgs[k % len(imgs)]
            head, data = jpeg(img)
            pages.append((head, data, img.size[0], img.size[1], dpi))
        pdf_from_images(pages, path)


CASES = {"colour": colour_case, "turned": turned_case, "dense": dense_case}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures", "scans", "cases"))
    ap.add_argument("--only", nargs="*", default=None, choices=sorted(CASES))
    ap.add_argument("--thirty", metavar="FILE", help="write a 30-page colour scan to FILE and stop")
    ap.add_argument(
        "--stem",
        help="render the cases of this seed plan (fixtures/gold/STEM.json) instead of each case's own: "
        "scans of the same kinds made from documents the fixtures do not use",
    )
    args = ap.parse_args()
    for tool in ("pdftoppm", "pdftotext", "pdfinfo"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: install the Debian package poppler-utils")
    if args.thirty:
        thirty(args.thirty)
        print(args.thirty)
        return
    os.makedirs(args.out, exist_ok=True)
    for name in args.only or sorted(CASES):
        path = CASES[name](args.out, stem=args.stem) if args.stem else CASES[name](args.out)
        print(f"{path}: {os.path.getsize(path) // 1024} KiB")


if __name__ == "__main__":
    main()
