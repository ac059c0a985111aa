#!/usr/bin/env python3
"""Writes fixtures/bad/: hostile and broken inputs for the import pipeline.

Usage: scripts/make_bad_corpus.py [OUT_DIR]      (default: fixtures/bad)

Everything is generated from a fixed seed with the standard library only, so
the output is byte-for-byte reproducible. Only small files are written here;
the large cases (a 100 MB text file, a table with 100,000 rows, a cell with
1 MB of text, a 4 MiB line without a line break) are generated at test time by crates/cli/tests/bad_inputs.rs.

The files (fixtures/bad-expected.tsv lists each with a word its failure reason contains):

  empty.txt               0 bytes
  blank.txt               only white space
  random.bin              8 KiB of random bytes
  truncated.pdf           a valid one-page PDF cut in the middle
  encrypted.pdf           a PDF encrypted with a user password (RC4, 40 bit)
  cyclic.pdf              a page tree that contains itself and a form XObject that draws itself
  deep.pdf                arrays and dictionaries nested 20,000 levels deep
  truncated.docx          a valid DOCX cut in the middle
  bomb.docx               a DOCX whose document.xml is a billion-laughs entity bomb
  truncated.zip           a zip archive of plans cut in the middle
  zipbomb.zip             ~200 KB that expands to 200 MiB of zeros
  zipbomb_lying.zip       an entry that declares 1000 bytes but expands to 16 MiB
  zipbomb_overlap.zip     64 entries sharing one compressed 32 MiB kernel
  nested.zip              zips inside zips inside zips
  traversal.zip           entries named ../../…, /etc/…, ..\\… (one of them a real plan)
  invalid_utf8.txt        a plan with 2 % of its bytes not UTF-8
  unknown_8bit.txt        a text in an 8-bit Cyrillic code page
  truncated.png           a PNG header and nothing else
  truncated.doc           a Word 97 (OLE) header and junk
  deep.json               a kehoach/plan@1 record nested 20,000 levels deep
  nested_tables.txt       HTML tables nested 5,000 deep
  huge_colspan.txt        an HTML table with colspan and rowspan of 4294967295
"""

import hashlib
import os
import random
import struct
import sys
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
rng = random.Random(20240501)


# ---------------------------------------------------------------- zip (raw, so sizes and names can lie)


def zip_bytes(entries):
    """entries: list of dicts {name, data?, comp?, size?, crc?, method?, offset_of?}.

    data: uncompressed bytes (deflated unless method=0); comp: already compressed
    bytes (with size/crc given); offset_of: index of an earlier entry whose local
    record this central entry points at (overlapping entries).
    """
    out = bytearray()
    central = []
    offsets = []
    for e in entries:
        name = e["name"].encode("utf-8")
        if "offset_of" in e:
            src = central[e["offset_of"]]
            central.append(dict(src, name=name))
            offsets.append(offsets[e["offset_of"]])
            continue
        method = e.get("method", 8)
        if "comp" in e:
            comp, size, crc = e["comp"], e["size"], e["crc"]
        else:
            data = e["data"]
            if method == 8:
                c = zlib.compressobj(9, zlib.DEFLATED, -15)
                comp = c.compress(data) + c.flush()
            else:
                comp = data
            size, crc = len(data), zlib.crc32(data)
        size = e.get("declare", size)
        offsets.append(len(out))
        flags = 0x800  # UTF-8 names
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, 0, 0x21, crc, len(comp), size, len(name), 0)
        out += name + comp
        central.append(dict(name=name, method=method, crc=crc, csize=len(comp), size=size, flags=flags))
    cd_start = len(out)
    for c, off in zip(central, offsets):
        out += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50, 20, 20, c["flags"], c["method"], 0, 0x21,
            c["crc"], c["csize"], c["size"], len(c["name"]), 0, 0, 0, 0, 0, off,
        )
        out += c["name"]
    cd_size = len(out) - cd_start
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), cd_size, cd_start, 0)
    return bytes(out)


def deflate_zeros(n):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    comp = bytearray()
    crc = 0
    left = n
    while left:
        part = chunk[: min(left, len(chunk))]
        comp += c.compress(part)
        crc = zlib.crc32(part, crc)
        left -= len(part)
    comp += c.flush()
    return bytes(comp), crc


# ---------------------------------------------------------------- pdf


def pdf_bytes(objects, root=1, trailer_extra=b""):
    """objects: {num: body bytes}; returns a PDF with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offs = {}
    for num in sorted(objects):
        offs[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        if num in offs:
            out += b"%010d 00000 n \n" % offs[num]
        else:
            out += b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, trailer_extra, xref)
    return bytes(out)


def stream(data, extra=b""):
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


PAGE_TEXT = (
    b"BT /F1 14 Tf 72 770 Td (KE HOACH) Tj 0 -20 Td (Thuc hien cai cach hanh chinh nam 2024) Tj ET"
)


def simple_pdf_objects(content=PAGE_TEXT):
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        4: stream(content),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }


def rc4(key, data):
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for b in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(b ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def encrypted_pdf():
    """Standard security handler, revision 2, user password "mat-khau"."""
    user, owner = b"mat-khau", b"chu-so-huu"
    pad = lambda pw: (pw + PAD)[:32]
    o = rc4(hashlib.md5(pad(owner)).digest()[:5], pad(user))
    p = -44
    file_id = hashlib.md5(b"kehoach bad corpus").digest()
    key = hashlib.md5(pad(user) + o + struct.pack("<i", p) + file_id).digest()[:5]
    u = rc4(key, PAD)
    objs = simple_pdf_objects()
    obj_key = hashlib.md5(key + struct.pack("<I", 4)[:3] + b"\0\0").digest()[:10]
    objs[4] = stream(rc4(obj_key, PAGE_TEXT))
    objs[6] = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>" % (
        o.hex().encode(), u.hex().encode(), p)
    idhex = file_id.hex().encode()
    return pdf_bytes(objs, trailer_extra=b"/Encrypt 6 0 R /ID [<%s> <%s>] " % (idhex, idhex))


def cyclic_pdf():
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R /Outlines 9 0 R >>",
        2: b"<< /Type /Pages /Kids [2 0 R 3 0 R 10 0 R] /Count 3 /Parent 10 0 R >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 4 0 R] "
        b"/Resources 7 0 R >>",
        4: stream(PAGE_TEXT + b" /X1 Do"),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        7: b"<< /Font << /F1 5 0 R >> /XObject << /X1 8 0 R >> /Self 7 0 R >>",
        8: stream(b"q /X1 Do Q BT /F1 9 Tf (vong lap) Tj ET",
                  b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources 7 0 R "),
        9: b"<< /First 9 0 R /Last 9 0 R /Next 9 0 R /Parent 9 0 R >>",
        10: b"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>",
    }
    return pdf_bytes(objs)


def deep_pdf():
    depth = 20_000
    objs = simple_pdf_objects()
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R /Deep 6 0 R /Deeper 7 0 R >>"
    objs[6] = b"[" * depth + b"]" * depth
    objs[7] = b"<< /A " * depth + b"1" + b" >>" * depth
    objs[4] = stream(b"BT /F1 12 Tf " + b"[" * depth + b"(x)" + b"]" * depth + b" TJ ET")
    return pdf_bytes(objs)


# ---------------------------------------------------------------- docx

CT = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      b'<Default Extension="xml" ContentType="application/xml"/>'
      b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
      b'</Types>')
RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        b'</Relationships>')
W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def para(text):
    return b"<w:p><w:r><w:t>" + text.encode() + b"</w:t></w:r></w:p>"


def cell(text):
    return b"<w:tc>" + para(text) + b"</w:tc>"


def docx_document():
    rows = [("TT", "Nội dung", "Chủ trì", "Thời gian")] + [
        (str(i), f"Rà soát thủ tục hành chính nhóm {i}", "Văn phòng", "Quý II/2024") for i in range(1, 40)
    ]
    table = b"<w:tbl>" + b"".join(b"<w:tr>" + b"".join(cell(c) for c in r) + b"</w:tr>" for r in rows) + b"</w:tbl>"
    body = para("Số: 12/KH-UBND") + para("KẾ HOẠCH") + para("Cải cách hành chính năm 2024") + table
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document ' + W + b"><w:body>" + body + b"</w:body></w:document>"


def docx(document_xml):
    return zip_bytes([
        {"name": "[Content_Types].xml", "data": CT},
        {"name": "_rels/.rels", "data": RELS},
        {"name": "word/document.xml", "data": document_xml},
    ])


def billion_laughs():
    ents = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        prev = "lol" if i == 1 else f"lol{i - 1}"
        ents.append(f'<!ENTITY lol{i} "{("&" + prev + ";") * 10}">')
    dtd = "<!DOCTYPE w:document [\n" + "\n".join(ents) + "\n]>\n"
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + dtd).encode() + (
        b"<w:document " + W + b"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>")


# ---------------------------------------------------------------- main


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "fixtures", "bad")
    os.makedirs(out, exist_ok=True)
    plan = open(os.path.join(ROOT, "corpus", "000_9b75833fe1e96175.txt"), "rb").read()
    plan2 = open(os.path.join(ROOT, "corpus", "001_0d47e3459e23ee36.txt"), "rb").read()
    files = {}
    expected = {}

    def put(name, data, reason):
        files[name] = data
        expected[name] = reason

    put("empty.txt", b"", "empty")
    put("blank.txt", b" \n\t\r\n  \n", "empty")
    put("random.bin", bytes(rng.getrandbits(8) for _ in range(8192)), "")

    good_pdf = pdf_bytes(simple_pdf_objects())
    put("truncated.pdf", good_pdf[: len(good_pdf) // 2], "")
    put("encrypted.pdf", encrypted_pdf(), "encrypted")
    put("cyclic.pdf", cyclic_pdf(), "")
    put("deep.pdf", deep_pdf(), "")

    good_docx = docx(docx_document())
    put("truncated.docx", good_docx[: len(good_docx) * 6 // 10], "")
    put("bomb.docx", docx(billion_laughs()), "")

    good_zip = zip_bytes([{"name": "a.txt", "data": plan}, {"name": "b.txt", "data": plan2}])
    put("truncated.zip", good_zip[: len(good_zip) // 2], "zip")

    comp, crc = deflate_zeros(200 << 20)
    put("zipbomb.zip", zip_bytes([{"name": "ke_hoach.txt", "comp": comp, "size": 200 << 20, "crc": crc}]),
        "zip bomb")
    comp, crc = deflate_zeros(16 << 20)
    put("zipbomb_lying.zip",
        zip_bytes([{"name": "ke_hoach.txt", "comp": comp, "size": 1000, "crc": crc}]), "")
    comp, crc = deflate_zeros(32 << 20)
    overlap = [{"name": "k0.txt", "comp": comp, "size": 32 << 20, "crc": crc}]
    overlap += [{"name": f"k{i}.txt", "offset_of": 0} for i in range(1, 64)]
    put("zipbomb_overlap.zip", zip_bytes(overlap), "zip bomb")

    inner = zip_bytes([{"name": "plan.txt", "data": plan2 + b"\n\n"}])
    for depth in range(3):
        inner = zip_bytes([{"name": f"level{depth}.zip", "data": inner, "method": 0}])
    put("nested.zip", inner, "nested")

    put("traversal.zip", zip_bytes([
        {"name": "../../../../tmp/kehoach_escape.txt", "data": b"escaped\n"},
        {"name": "/etc/kehoach_passwd", "data": b"root:x:0:0::/root:/bin/sh\n"},
        {"name": "..\\..\\windows\\kehoach.txt", "data": b"escaped\n"},
        {"name": "a/../../../kehoach_b.txt", "data": b"escaped\n"},
        # A real plan under a hostile name: imported under its archive name, written nowhere.
        {"name": "../../escaped_plan.txt", "data": plan + b"\n"},
    ]), "")

    bad = bytearray(plan)
    for i in range(0, len(bad), 50):
        bad[i] = 0xFF
    put("invalid_utf8.txt", bytes(bad), "")
    cyr = ("План мероприятий по административной реформе на 2024 год.\n"
           "1. Провести проверку документов до 30 июня.\n") * 20
    put("unknown_8bit.txt", cyr.encode("cp1251"), "")
    put("truncated.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "")
    put("truncated.doc", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + bytes(rng.getrandbits(8) for _ in range(600)), "")
    depth = 20_000
    put("deep.json", b'{"schema": "kehoach/plan@1", "x": ' + b"[" * depth + b"]" * depth + b"}", "kehoach/plan@1")
    put("nested_tables.txt", b"<table><tr><td>" * 5_000 + b"x" + b"</td></tr></table>" * 5_000, "")
    put("huge_colspan.txt", b"<table><tr><td colspan=4294967295 rowspan=4294967295>a</td>"
        b"<td colspan=99999999999999999999>b</td></tr><tr><td>c</td></tr></table>\n", "")

    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    with open(os.path.join(out, "..", "bad-expected.tsv"), "w", encoding="utf-8") as f:
        f.write("# file\ta word the failure reason must contain (empty: any reason)\n")
        for name in sorted(expected):
            f.write(f"{name}\t{expected[name]}\n")
    total = sum(len(d) for d in files.values())
    print(f"wrote {len(files)} files ({total / 1e6:.2f} MB) to {out}")


if __name__ == "__main__":
    main()
