#!/usr/bin/env python3
"""Generate a large, realistic, deterministic corpus of text plans for benchmarks.

Every generated plan is one of the sample plans in corpus/*.txt with its
details varied: issuer and place names, province, year (and every date and
deadline year with it), plan number, percentages, deadline days and the order
of sibling rows in the appendix table. The same --seed always gives the same
files, byte for byte.

    python3 scripts/gen_corpus.py --out /tmp/big --plans 25000 --seed 1

Standard library only.
"""

import argparse
import os
import random
import re
import sys

PROVINCES = [
    "Bắc Giang", "Đồng Nai", "Kon Tum", "Hà Tĩnh", "Nghệ An", "Thanh Hóa", "Quảng Ninh",
    "Lạng Sơn", "Bình Định", "Đắk Lắk", "Lâm Đồng", "Long An", "Cà Mau", "Hải Dương",
    "Thái Bình", "Phú Thọ", "Yên Bái", "Sơn La", "Quảng Nam", "Tiền Giang", "Bến Tre",
    "An Giang", "Kiên Giang", "Gia Lai", "Tuyên Quang", "Hòa Bình", "Ninh Bình", "Nam Định",
]
PLACES = [
    "An Dương", "Tân Yên", "Vĩnh Cửu", "Kon Rẫy", "Hiệp Hòa", "Lục Nam", "Yên Thế", "Sơn Động",
    "Trảng Bom", "Định Quán", "Xuân Lộc", "Đắk Hà", "Ngọc Hồi", "Cẩm Xuyên", "Đức Thọ",
    "Quỳnh Lưu", "Diễn Châu", "Thọ Xuân", "Tiên Yên", "Hữu Lũng", "Phù Cát", "Krông Pắc",
    "Bảo Lộc", "Đức Hòa", "Năm Căn", "Gia Lộc", "Kiến Xương", "Thanh Sơn", "Mộc Châu",
    "Điện Bàn", "Cái Bè", "Mỏ Cày", "Tịnh Biên", "Phú Quốc", "Chư Sê", "Hàm Yên", "Mai Châu",
]
# Names in the samples that stand for a place or a province.
SAMPLE_PLACES = ["An Dương", "Tân Yên", "Vĩnh Cửu", "Kon Rẫy"]
SAMPLE_PROVINCES = ["Bắc Giang", "Đồng Nai", "Kon Tum"]
DEPARTMENTS = [
    ("Sở Y tế", "SYT"), ("Sở Công Thương", "SCT"), ("Sở Tư pháp", "STP"), ("Sở Nội vụ", "SNV"),
    ("Sở Tài chính", "STC"), ("Sở Xây dựng", "SXD"), ("Sở Giáo dục và Đào tạo", "SGDĐT"),
    ("Sở Nông nghiệp và Môi trường", "SNNMT"), ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"),
]
SAMPLE_DEPARTMENTS = [("Sở Y tế", "SYT"), ("Sở Công Thương", "SCT")]

YEAR_RE = re.compile(r"(?<!\d)(20[12]\d)(?!\d)")
PERCENT_RE = re.compile(r"(?<![\d,])(\d{1,3})(,\d+)?%")
DATE_RE = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(20\d\d)(?!\d)")
NUMBER_RE = re.compile(r"(Số:\s*)(\d*)(\s*/KH-)")
ROW_NUM_RE = re.compile(r"^(?:\|\s*)?(\d+(?:\.\d+)+)\.?\s*(?:\t|\|)")


def vary_rows(lines, rng):
    """Permutes the cells (not the number) of runs of sibling sub-rows (2.1, 2.2, …)."""
    out = list(lines)
    i = 0
    while i < len(out):
        m = ROW_NUM_RE.match(out[i])
        if not m:
            i += 1
            continue
        parent = m.group(1).rsplit(".", 1)[0]
        j = i
        while j < len(out):
            mj = ROW_NUM_RE.match(out[j])
            if not mj or mj.group(1).rsplit(".", 1)[0] != parent:
                break
            j += 1
        if j - i >= 2 and rng.random() < 0.5:
            heads, tails = [], []
            for line in out[i:j]:
                sep = "\t" if "\t" in line else "|"
                k = line.index(sep, 1 if sep == "|" else 0)
                heads.append(line[:k])
                tails.append(line[k:])
            rng.shuffle(tails)
            out[i:j] = [h + t for h, t in zip(heads, tails)]
        i = max(j, i + 1)
    return out


def generate(template, rng, index):
    year = rng.randint(2019, 2026)
    years = [int(y) for y in YEAR_RE.findall(template)]
    base = max(set(years), key=years.count) if years else year
    shift = year - base
    place = rng.choice(PLACES)
    province = rng.choice(PROVINCES)
    dept, code = rng.choice(DEPARTMENTS)

    text = template
    for name in SAMPLE_PROVINCES:
        text = text.replace(name, province).replace(name.upper(), province.upper())
    for name in SAMPLE_PLACES:
        text = text.replace(name, place).replace(name.upper(), place.upper())
    for name, sample_code in SAMPLE_DEPARTMENTS:
        text = text.replace(name, dept).replace(name.upper(), dept.upper())
        text = text.replace("KH-" + sample_code, "KH-" + code)
    text = YEAR_RE.sub(lambda m: str(int(m.group(1)) + shift), text)

    def date(m):
        day = min(int(m.group(1)) + rng.choice([0, 0, 1, 2, 5, -1]), 28)
        return f"{max(day, 1):02d}/{m.group(2)}/{m.group(3)}"

    text = DATE_RE.sub(date, text)

    def percent(m):
        value = int(m.group(1))
        if value == 100:
            return m.group(0)
        value = max(1, min(99, value + rng.randint(-10, 10)))
        return f"{value}{m.group(2) or ''}%"

    text = PERCENT_RE.sub(percent, text)
    number = rng.randint(1, 999)
    text = NUMBER_RE.sub(lambda m: f"{m.group(1)}{number}{m.group(3)}", text, count=1)
    lines = vary_rows(text.split("\n"), rng)
    lines.append("")
    lines.append(f"<!-- {index} -->")
    return "\n".join(lines)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output directory (created)")
    ap.add_argument("--plans", type=int, default=1000, help="number of plans to write")
    ap.add_argument("--seed", type=int, default=1, help="random seed (same seed, same files)")
    ap.add_argument("--corpus", default=os.path.join(here, "..", "corpus"), help="sample plans")
    ap.add_argument("--per-dir", type=int, default=1000, help="files per sub-directory")
    args = ap.parse_args(argv)

    names = sorted(n for n in os.listdir(args.corpus) if n.endswith(".txt"))
    if not names:
        sys.exit(f"no .txt plans in {args.corpus}")
    templates = []
    for n in names:
        with open(os.path.join(args.corpus, n), encoding="utf-8") as f:
            templates.append(f.read())
    rng = random.Random(args.seed)
    total = 0
    for i in range(args.plans):
        t = templates[i % len(templates)]
        text = generate(t, rng, i)
        sub = os.path.join(args.out, f"{i // args.per_dir:04d}")
        os.makedirs(sub, exist_ok=True)
        path = os.path.join(sub, f"plan_{i:07d}.txt")
        data = text.encode("utf-8")
        with open(path, "wb") as f:
            f.write(data)
        total += len(data)
    print(f"wrote {args.plans} plans, {total / 1e6:.1f} MB, to {args.out}")


if __name__ == "__main__":
    main()
