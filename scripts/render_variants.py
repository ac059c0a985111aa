#!/usr/bin/env python3
"""Render hand-checked plan records back into text plans of other layouts.

For every gold record in fixtures/gold/ this writes several text plans that
hold the same tasks in a different shape: tab-separated, markdown pipe or
HTML tables; columns in another order under other header words; page breaks
with repeated headers; rows split across a break (the tail starting in lower
case); a row whose units continue on a second physical row; section headings
typed into the number cell; NFD text. The extractor must recover the gold
tasks from each of them (crates/extract/tests/variants.rs checks this).

Usage: scripts/render_variants.py [--out fixtures/variants] [--seed 7]
Deterministic for a seed. Python 3 standard library only.
"""
import argparse
import json
import os
import random
import unicodedata

HEADERS = {
    "number": ["TT", "STT", "Số TT"],
    "content": ["Nội dung công việc", "NỘI DUNG NHIỆM VỤ", "Nhiệm vụ cụ thể", "Nội dung", "Tên nhiệm vụ"],
    "lead": ["Cơ quan chủ trì", "ĐƠN VỊ CHỦ TRÌ", "Đơn vị thực hiện", "Cơ quan, đơn vị chủ trì", "Bộ phận chủ trì"],
    "support": ["Cơ quan phối hợp", "ĐƠN VỊ PHỐI HỢP", "Đơn vị phối hợp thực hiện", "Phối hợp"],
    "deadline": ["Thời gian hoàn thành", "THỜI HẠN", "Thời gian thực hiện", "Tiến độ thực hiện", "Thời hạn hoàn thành"],
    "product": ["Sản phẩm", "DỰ KIẾN SẢN PHẨM", "Kết quả", "Kết quả/sản phẩm", "Sản phẩm dự kiến"],
}
ORDERS = [
    ["number", "content", "lead", "support", "deadline", "product"],
    ["content", "number", "lead", "support", "deadline", "product"],
    ["number", "content", "product", "lead", "support", "deadline"],
    ["number", "content", "deadline", "lead", "support", "product"],
    ["number", "content", "lead", "support", "product", "deadline"],
]
FORMATS = ["tsv", "markdown", "html"]


def val(task, col):
    v = task.get(col)
    return "" if v is None else str(v)


def split_tail(text, rng, min_words=8):
    """Split text at a space where the tail starts with a lower-case letter
    (or, after a comma, with any word: the sentence is visibly unfinished)."""
    words = text.split(" ")
    cands = [i for i in range(len(words) // 3, len(words) - 1)
             if words[i + 1][:1].islower() or words[i].endswith(",")]
    if len(words) < min_words or not cands:
        return None
    i = rng.choice(cands)
    return " ".join(words[: i + 1]), " ".join(words[i + 1:])


def physical_rows(tasks, order, rng):
    """Task records -> physical rows (lists of cells) plus page-break markers."""
    rows = []
    since_break = 0
    every = rng.randint(5, 9)
    for idx, t in enumerate(tasks):
        cells = {c: val(t, c) for c in order}
        num = val(t, "number")
        is_section = t.get("level") == 0 and num and t.get("lead") is None and t.get("deadline") is None
        if num and not is_section and rng.random() < 0.2:
            cells["number"] = num + "."
        else:
            cells["number"] = num
        nxt = tasks[idx + 1] if idx + 1 < len(tasks) else None
        # Never break right before an unnumbered record: it would read as a continuation.
        can_break = nxt is not None and nxt.get("number") is not None
        if is_section and rng.random() < 0.5:
            # Section heading typed into the number cell: "II. NHIỆM VỤ …".
            cells["number"] = f"{num}. {cells['content']}" if rng.random() < 0.5 else f"{num} {cells['content']}"
            cells["content"] = ""
        split = None
        if not is_section and since_break + 1 >= every and can_break:
            split = split_tail(cells["content"], rng)
        if split:
            head, tail = split
            first = dict(cells, content=head)
            cont = {c: "" for c in order}
            cont["content"] = tail
            # The lead unit's name may break across the page too.
            lead_split = split_tail(cells["lead"], rng, 4)
            if lead_split and rng.random() < 0.5:
                first["lead"], cont["lead"] = lead_split
            rows.append(("row", [first[c] for c in order]))
            rows.append(("break", None))
            rows.append(("row", [cont[c] for c in order]))
            since_break = 1
            every = rng.randint(5, 9)
            continue
        units = [c for c in ("lead", "support", "deadline", "product") if cells[c]]
        if units and not is_section and rng.random() < 0.08:
            # Units on a second physical row with an empty content cell.
            first = dict(cells)
            second = {c: "" for c in order}
            for c in units:
                second[c] = cells[c]
                first[c] = ""
            rows.append(("row", [first[c] for c in order]))
            rows.append(("row", [second[c] for c in order]))
        else:
            rows.append(("row", [cells[c] for c in order]))
        since_break += 1
        if since_break >= every and can_break:
            rows.append(("break", None))
            since_break = 0
            every = rng.randint(5, 9)
    return rows


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def two_row_header(header, order):
    """Put 'Đơn vị thực hiện' over adjacent lead/support columns, when they are adjacent."""
    li, si = order.index("lead"), order.index("support")
    if si != li + 1:
        return None
    top = list(header)
    top[li], top[si] = "Đơn vị thực hiện", ""
    sub = [""] * len(header)
    sub[li], sub[si] = "Chủ trì", "Phối hợp"
    return top, sub


def render_table(fmt, header, rows, rng, order):
    out = []
    two = two_row_header(header, order) if fmt in ("tsv", "html") and rng.random() < 0.5 else None
    if fmt == "tsv" and two:
        out.append("\t".join(two[0]))
        out.append("\t".join(two[1]))
        for kind, cells in rows:
            if kind == "break":
                out += ["", "\t".join(two[0]), "\t".join(two[1])]
            else:
                out.append("\t".join(cells))
    elif fmt == "tsv":
        out.append("\t".join(header))
        for kind, cells in rows:
            if kind == "break":
                out.append("")
                out.append("\t".join(header))
            else:
                out.append("\t".join(cells))
    elif fmt == "markdown":
        sep = "|" + "|".join("---" for _ in header) + "|"
        out += ["| " + " | ".join(header) + " |", sep]
        for kind, cells in rows:
            if kind == "break":
                out += ["", "| " + " | ".join(header) + " |", sep]
            else:
                out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    else:
        def head():
            if two:
                li = two[1].index("Chủ trì")
                top = "".join(
                    f'<th colspan="2">{esc(h)}</th>' if i == li else ("" if i == li + 1 else f'<th rowspan="2">{esc(h)}</th>')
                    for i, h in enumerate(two[0]))
                return f"<tr>{top}</tr><tr><th>Chủ trì</th><th>Phối hợp</th></tr>"
            return "<tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>"
        one_table = rng.random() < 0.5
        out += ["<table>", head()]
        for kind, cells in rows:
            if kind == "break":
                if one_table:
                    out.append(head())
                else:
                    out += ["</table>", "", "<table>", head()]
            else:
                num, rest = cells[0], cells[1:]
                if num and all(not c for c in rest) and rng.random() < 0.7:
                    out.append(f'<tr><td colspan="{len(cells)}"><b>{esc(num)}</b></td></tr>')
                else:
                    out.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
        out.append("</table>")
    return out


def render_plan(gold, fmt, order, rng):
    m = gold["meta"]
    lines = []
    issuer = m.get("issuer") or ""
    if issuer:
        lines += [issuer.upper(), ""]
    number = m.get("number") or ""
    code = m.get("issuer_code") or "UBND"
    lines += [f"Số: {number}" if number else f"Số: /KH-{code}", ""]
    if m.get("date_raw"):
        lines += [m["date_raw"], ""]
    lines += ["KẾ HOẠCH", "", m.get("title") or "", ""]
    lines += ["Căn cứ các văn bản hiện hành, cơ quan ban hành Kế hoạch như sau:", ""]
    lines += ["I. MỤC ĐÍCH, YÊU CẦU", "", "Tổ chức thực hiện có hiệu quả các nhiệm vụ được giao.", ""]
    signer = m.get("signer") or {}
    if signer.get("position"):
        lines += [signer["position"], ""]
    if signer.get("name"):
        lines += [signer["name"], ""]
    lines += ["PHỤ LỤC", "", "NHIỆM VỤ CỤ THỂ", ""]
    cap_num = number or f"/KH-{code}"
    lines += [f"(Kèm theo Kế hoạch số {cap_num} của {issuer})", ""]
    header = [rng.choice(HEADERS[c]) for c in order]
    rows = physical_rows(gold["tasks"], order, rng)
    lines += render_table(fmt, header, rows, rng, order)
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--gold", default=os.path.join(root, "fixtures", "gold"))
    ap.add_argument("--out", default=os.path.join(root, "fixtures", "variants"))
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    manifest = []
    for name in sorted(os.listdir(a.gold)):
        if not name.endswith(".json"):
            continue
        gold = json.load(open(os.path.join(a.gold, name), encoding="utf-8"))
        stem = name[:-5].split("_")[0]
        for k, fmt in enumerate(FORMATS):
            order = ORDERS[(k + len(manifest)) % len(ORDERS)]
            text = render_plan(gold, fmt, order, rng)
            nfd = fmt == "html" and stem in ("001", "003")
            if nfd:
                text = unicodedata.normalize("NFD", text)
            out_name = f"{stem}_{fmt}{'_nfd' if nfd else ''}.txt"
            if fmt == "tsv" and stem in ("000", "004"):
                text = text.replace("\n", "\r\n")
            with open(os.path.join(a.out, out_name), "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            manifest.append({"file": out_name, "gold": name, "format": fmt, "order": order})
    with open(os.path.join(a.out, "manifest.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    print(f"wrote {len(manifest)} variants to {a.out}")


if __name__ == "__main__":
    main()
