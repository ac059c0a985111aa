#!/usr/bin/env python3
"""Make scanned-plan fixtures: image-only PDFs of corpus plans, as archives hold them.

Usage:
  render_scans.py [--pdf DIR] [--out DIR] [--dpi 300 200] [--quality 50] [--only STEM ...]
  render_scans.py --ccitt --dpi 300 --only STEM   # bilevel CCITT G4 pages, rendered by pdftoppm

Each text-layer PDF <stem>.pdf under --pdf (the LibreOffice renderings that
scripts/render_pdf.py writes to fixtures/pdf/lo/) is rasterised in grey at
each resolution, every page is turned by a small angle (1 to 2 degrees either
way, the same for a given plan and page every run), given paper tone and
speckle noise, stored as a JPEG, and the pages are wrapped into an image-only
PDF (one DCT image per page, no text):

  fixtures/scans/<dpi>/<stem>.pdf

With --ccitt the pages are thresholded to black and white and stored as CCITT
Group 4 (the encoding of fax-era archive scans, which the reader hands to
pdftoppm) in fixtures/scans/ccitt/<stem>.pdf.

Needs: python3, pdftoppm (Debian poppler-utils), Pillow (pip install Pillow).
"""
import argparse
import glob
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import zlib


def degrade(img, rng):
    """Rotate slightly, tint the paper and add sparse speckles (a photocopy look)."""
    from PIL import Image, ImageFilter

    angle = rng.uniform(1.0, 2.0) * rng.choice((-1, 1))
    img = img.convert("L")
    img = img.filter(ImageFilter.GaussianBlur(0.5))
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    # Paper tone: white becomes light grey, black stays dark.
    img = img.point(lambda v: 18 + v * 222 // 255)
    px = img.load()
    w, h = img.size
    for _ in range(w * h // 8000):
        x, y = rng.randrange(w), rng.randrange(h)
        v = rng.randrange(0, 120) if rng.random() < 0.6 else 255
        px[x, y] = v
    return img, angle


def pdf_from_jpegs(pages, out_path):
    """Writes an image-only PDF: pages is a list of (jpeg_bytes, width_px, height_px, dpi)."""
    pdf_from_images(
        [(b"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode", data, w, h, dpi) for data, w, h, dpi in pages],
        out_path,
    )


def g4(img):
    """The page as one CCITT Group 4 strip (bilevel, black ink on white)."""
    from PIL import Image

    bw = img.point(lambda v: 255 if v > 200 else 0).convert("1", dither=Image.Dither.NONE)
    buf = io.BytesIO()
    bw.save(buf, "TIFF", compression="group4", tiffinfo={278: bw.size[1]})
    tif = Image.open(io.BytesIO(buf.getvalue()))
    offsets, counts = tif.tag_v2[273], tif.tag_v2[279]
    if len(offsets) != 1:
        sys.exit("render_scans.py: the G4 TIFF has several strips")
    raw = buf.getvalue()[offsets[0] : offsets[0] + counts[0]]
    # TIFF photometric 0 (a 0 sample is white) is PDF's default, BlackIs1 false.
    black_is_1 = b"false" if tif.tag_v2.get(262, 0) == 0 else b"true"
    w, h = bw.size
    head = (
        b"/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode "
        b"/DecodeParms << /K -1 /Columns %d /Rows %d /BlackIs1 %s >>" % (w, h, black_is_1)
    )
    return head, raw


def pdf_from_images(pages, out_path):
    """Writes an image-only PDF: pages is a list of (image dictionary entries, stream bytes,
    width_px, height_px, dpi)."""
    objs = []  # object bodies, 1-based numbering

    def add(body):
        objs.append(body)
        return len(objs)

    catalog = add(None)
    pages_obj = add(None)
    kids = []
    for head, data, w, h, dpi in pages:
        img = add(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d %s /Length %d >>\nstream\n"
            % (w, h, head, len(data))
            + data
            + b"\nendstream"
        )
        pw, ph = w * 72.0 / dpi, h * 72.0 / dpi
        content = b"q %.3f 0 0 %.3f 0 0 cm /Im0 Do Q" % (pw, ph)
        cobj = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(zlib.compress(content)) + zlib.compress(content) + b"\nendstream")
        page = add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.3f %.3f] /Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>"
            % (pages_obj, pw, ph, img, cobj)
        )
        kids.append(page)
    objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    objs[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, xref))
    with open(out_path, "wb") as f:
        f.write(out.getvalue())


def render(pdf, dpi, quality, out_path, ccitt=False):
    from PIL import Image

    stem = os.path.splitext(os.path.basename(pdf))[0]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", pdf, os.path.join(tmp, "p")], check=True)
        files = sorted(glob.glob(os.path.join(tmp, "p-*.pgm")))
        pages = []
        for n, f in enumerate(files, 1):
            rng = random.Random(f"{stem}/{n}")
            img, _ = degrade(Image.open(f), rng)
            if ccitt:
                head, data = g4(img)
            else:
                buf = io.BytesIO()
                img.save(buf, "JPEG", quality=quality, optimize=True, progressive=True)
                head = b"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode"
                data = buf.getvalue()
            pages.append((head, data, img.size[0], img.size[1], dpi))
    pdf_from_images(pages, out_path)
    return len(pages)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pdf", default=os.path.join(root, "fixtures", "pdf", "lo"))
    ap.add_argument("--out", default=os.path.join(root, "fixtures", "scans"))
    ap.add_argument("--dpi", type=int, nargs="+", default=[300, 200])
    ap.add_argument("--quality", type=int, default=50)
    ap.add_argument("--only", nargs="*", default=None, help="stems to render (default: all)")
    ap.add_argument("--ccitt", action="store_true", help="bilevel CCITT G4 pages into <out>/ccitt/")
    args = ap.parse_args()
    if not shutil.which("pdftoppm"):
        sys.exit("pdftoppm is missing: install the Debian package poppler-utils")
    try:
        import PIL  # noqa: F401
    except ImportError:
        sys.exit("Pillow is missing: pip install Pillow")
    pdfs = sorted(glob.glob(os.path.join(args.pdf, "*.pdf")))
    if args.only:
        pdfs = [p for p in pdfs if os.path.splitext(os.path.basename(p))[0] in args.only]
    if not pdfs:
        sys.exit(f"no PDFs under {args.pdf}: run scripts/render_pdf.py first")
    for dpi in args.dpi:
        sub = "ccitt" if args.ccitt else str(dpi)
        os.makedirs(os.path.join(args.out, sub), exist_ok=True)
        for pdf in pdfs:
            out = os.path.join(args.out, sub, os.path.basename(pdf))
            n = render(pdf, dpi, args.quality, out, ccitt=args.ccitt)
            print(f"{out}: {n} pages, {os.path.getsize(out) // 1024} KiB")


if __name__ == "__main__":
    main()
