//! Plan metadata: number, issuer, place, date, year, title, signer, and the
//! appendix caption (`Kèm theo Kế hoạch số … ngày … của …`).

use kehoach_doc::{Block, Document};
use kehoach_plan::date::Date;
use kehoach_plan::{Meta, Signer};
use kehoach_text::{fold, normalize, Folded};
use regex::Regex;
use std::sync::LazyLock;

/// A line of running text (paragraph lines and non-appendix table cells).
#[derive(Debug, Clone)]
pub struct Line {
    /// Normalised text.
    pub text: String,
    /// Folded text.
    pub folded: String,
    /// Index of the paragraph (block) it came from.
    pub para: usize,
    /// Whether the line was bold.
    pub bold: bool,
    /// Whether it is the first line of its paragraph.
    pub first_in_para: bool,
}

/// What the appendix caption says about its plan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Caption {
    pub number: Option<String>,
    pub issuer_code: Option<String>,
    pub day: Option<u32>,
    pub month: Option<u32>,
    pub year: Option<i32>,
    pub issuer: Option<String>,
    pub raw: String,
}

/// Lines read from the top of the document (number, date, title, issuer).
const HEAD_LINES: usize = 40;
/// Lines read from the end of the running text (signature, caption).
const TAIL_LINES: usize = 40;

/// Collects the running-text lines of the document before block `until`
/// (the first appendix table). Metadata sits in the head (number, date,
/// title) and the tail (signature, appendix caption), so only those lines are
/// normalised; the body in between is skipped.
pub fn lines(doc: &Document, until: Option<usize>) -> Vec<Line> {
    let mut raw: Vec<(&str, usize, bool, bool)> = Vec::new();
    for (bi, block) in doc.blocks().enumerate() {
        if until.is_some_and(|u| bi >= u) {
            break;
        }
        match block {
            Block::Paragraph(p) => push_raw(&mut raw, &p.text, bi, p.bold),
            Block::Table(t) => {
                // Header tables (issuer | motto) and signature tables carry metadata.
                for row in &t.rows {
                    for cell in &row.cells {
                        push_raw(&mut raw, &cell.text, bi, false);
                    }
                }
            }
        }
    }
    let keep = |i: usize| i < HEAD_LINES || i + TAIL_LINES >= raw.len();
    raw.iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .filter_map(|(_, &(text, para, bold, first))| {
            if text.len() > LONG_LINE && !MARKERS.iter().any(|m| text.contains(m)) {
                // Running body text: kept as a placeholder so paragraph order holds.
                return Some(Line {
                    text: String::new(),
                    folded: String::new(),
                    para,
                    bold,
                    first_in_para: first,
                });
            }
            let t = normalize(text);
            (!t.is_empty()).then(|| Line {
                folded: fold(&t),
                text: t,
                para,
                bold,
                first_in_para: first,
            })
        })
        .collect()
}

/// Lines longer than this (bytes) are body text unless they hold a marker.
const LONG_LINE: usize = 300;
/// Phrases that make a long line worth reading: the appendix caption and the
/// "… ban hành / xây dựng Kế hoạch" sentence that names the issuer.
const MARKERS: &[&str] = &[
    "kèm theo",
    "Kèm theo",
    "KÈM THEO",
    "ban hành",
    "xây dựng Kế hoạch",
    "xây dựng kế hoạch",
];

fn push_raw<'a>(
    out: &mut Vec<(&'a str, usize, bool, bool)>,
    text: &'a str,
    para: usize,
    bold: bool,
) {
    let mut first = true;
    // Header lines laid out side by side with runs of spaces ("Số: 12/KH-UBND      Hà Nội, ngày …").
    let pieces = text.split('\n').flat_map(|l| {
        // Only short lines can be header lines worth splitting.
        let parts: Vec<&str> = if l.len() > LONG_LINE {
            vec![l]
        } else {
            l.split("   ").flat_map(|p| p.split('\t')).collect()
        };
        parts
    });
    for piece in pieces {
        if piece.trim().is_empty() {
            continue;
        }
        out.push((piece, para, bold, first));
        first = false;
    }
}

static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*s[ốo]\s*(?:kí hiệu|ký hiệu)?\s*[:.]?\s*(\d*)\s*[-/]?\s*(KH|kế hoạch)\s*[-/]\s*([\p{L}\d][\p{L}\d&\-]*)")
        .expect("valid regex")
});
static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(.{1,60}?)\s*,\s*)?ngay\s*(\d{0,2})\s*(?:thang|/)\s*(\d{0,2})\s*(?:nam|/)\s*(\d{4})\s*[.]?$")
        .expect("valid regex")
});
static CAPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"kem theo\s+(?:ke hoach|kh)\s*(?:so)?\s*:?\s*(\d*)\s*/?\s*(?:kh\s*[-/]\s*([a-z0-9&\-]+))?(.*)$")
        .expect("valid regex")
});
static CAPTION_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"ngay\s*(\d{0,2})\s*(?:thang|/)\s*(\d{0,2})\s*(?:nam|/)\s*(\d{4})")
        .expect("valid regex")
});
static YEAR_IN_TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bnam\s+(\d{4})\b").expect("valid regex"));
static PLACE_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(huyện|xã|tỉnh|thị xã|thành phố|phường|thị trấn|quận)\s+((?:\p{Lu}[\p{L}]*)(?:\s+\p{Lu}[\p{L}]*){0,3})")
        .expect("valid regex")
});
static ISSUES_PLAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[.;:]\s+)((?:Sở|UBND|Ủy ban nhân dân|Uỷ ban nhân dân|Phòng|Ban|Cục|Chi cục|Trung tâm|Văn phòng|Bộ|Thanh tra)\s[^.;:]{1,80}?)\s+(?:ban hành|xây dựng|triển khai)\s+(?:Kế hoạch|kế hoạch)")
        .expect("valid regex")
});

/// Extracts the plan metadata from the document's running text.
pub fn extract_meta(lines: &[Line], caption: Option<&Caption>) -> Meta {
    let mut meta = Meta::default();

    // Number and issuer code.
    if let Some((num, code)) = lines.iter().take(60).find_map(|l| number_line(&l.text)) {
        meta.number = num;
        meta.issuer_code = Some(code);
    }
    if let Some(c) = caption {
        if meta.number.is_none() {
            meta.number = c.number.clone();
        }
        if meta.issuer_code.is_none() {
            meta.issuer_code = c.issuer_code.clone();
        }
    }

    // Date line.
    let title_idx = title_heading(lines);
    let search_end = title_idx.map_or(lines.len().min(40), |t| (t + 3).min(lines.len()));
    if let Some(l) = lines[..search_end]
        .iter()
        .find(|l| DATE_LINE.is_match(&l.folded))
    {
        if let Some(c) = DATE_LINE.captures(&l.folded) {
            meta.date_raw = Some(l.text.clone());
            if let Some(place) = c.get(1) {
                let p = original_span(l, place.range());
                let p = p.trim().trim_end_matches(',').trim().to_string();
                if !p.is_empty() {
                    meta.place = Some(p);
                }
            }
            let day = c.get(2).and_then(|m| m.as_str().parse::<u32>().ok());
            let month = c.get(3).and_then(|m| m.as_str().parse::<u32>().ok());
            let year = c.get(4).and_then(|m| m.as_str().parse::<i32>().ok());
            if let (Some(d), Some(m), Some(y)) = (day, month, year) {
                meta.date = Date::new(y, m, d).map(|d| d.iso());
            }
        }
    }

    // Title.
    if let Some(t) = title_idx {
        meta.title = title_after(lines, t);
    }

    // Year: the title's "năm YYYY", else the date's, else the caption's.
    meta.year = meta
        .title
        .as_deref()
        .and_then(|t| {
            YEAR_IN_TITLE
                .captures_iter(&fold(t))
                .last()
                .and_then(|c| c[1].parse().ok())
        })
        .or_else(|| meta.date.as_deref().and_then(|d| d.get(..4)?.parse().ok()))
        .or_else(|| {
            meta.date_raw.as_deref().and_then(|d| {
                YEAR_IN_TITLE
                    .captures(&fold(d))
                    .and_then(|c| c[1].parse().ok())
            })
        })
        .or_else(|| caption.and_then(|c| c.year));

    meta.issuer = issuer(lines, caption, &meta, title_idx);
    meta.signer = signer(lines);
    meta
}

/// `Số: 37 /KH-UBND` → (Some("37/KH-UBND"), "UBND"); a blank number → (None, code).
fn number_line(text: &str) -> Option<(Option<String>, String)> {
    let c = NUMBER.captures(text)?;
    let digits = c.get(1).map_or("", |m| m.as_str());
    let code = c.get(3)?.as_str().trim_end_matches(['-', '.']).to_string();
    if code.is_empty() {
        return None;
    }
    let number = (!digits.is_empty()).then(|| format!("{digits}/KH-{code}"));
    Some((number, code))
}

/// Index of the `KẾ HOẠCH` heading line.
fn title_heading(lines: &[Line]) -> Option<usize> {
    lines.iter().take(80).position(|l| {
        let f = l.folded.trim_matches(|c: char| !c.is_alphanumeric());
        f == "ke hoach"
            || (f.starts_with("ke hoach ") && l.text.starts_with("KẾ HOẠCH") && !f.contains(" so "))
    })
}

fn title_after(lines: &[Line], heading: usize) -> Option<String> {
    let h = &lines[heading];
    // "KẾ HOẠCH Thực hiện …" on one line.
    let inline = h
        .text
        .strip_prefix("KẾ HOẠCH")
        .map(str::trim)
        .filter(|r| r.chars().any(char::is_alphabetic));
    let mut parts: Vec<&str> = Vec::new();
    if let Some(rest) = inline {
        parts.push(rest);
    }
    let mut i = heading + 1;
    // The rest of the heading's paragraph, or else the next paragraph.
    let same_para: Vec<&Line> = lines[i..].iter().take_while(|l| l.para == h.para).collect();
    if !same_para.is_empty() {
        parts.extend(same_para.iter().map(|l| l.text.as_str()));
    } else if parts.is_empty() {
        let next = lines.get(i)?;
        if is_body_start(&next.folded) {
            return None;
        }
        let para = next.para;
        let para_lines: Vec<&Line> = lines[i..].iter().take_while(|l| l.para == para).collect();
        parts.extend(para_lines.iter().map(|l| l.text.as_str()));
        i += para_lines.len();
        // A bold title wrapped into several bold paragraphs (Word exports).
        if next.bold {
            while let Some(l) = lines.get(i) {
                if !(l.bold && l.first_in_para)
                    || is_body_start(&l.folded)
                    || parts.join(" ").len() > 300
                {
                    break;
                }
                let p = l.para;
                let more: Vec<&Line> = lines[i..].iter().take_while(|x| x.para == p).collect();
                parts.extend(more.iter().map(|x| x.text.as_str()));
                i += more.len();
            }
        }
    }
    let title = normalize(&parts.join(" "));
    let title = title.trim_start_matches(['-', ':', ' ']).to_string();
    (!title.is_empty()).then_some(title)
}

fn is_body_start(folded: &str) -> bool {
    folded.starts_with("can cu")
        || folded.starts_with("kinh gui")
        || folded.starts_with("so:")
        || folded.starts_with("i.")
}

/// Parses the appendix caption from lines near the appendix.
pub fn caption(lines: &[Line]) -> Option<Caption> {
    let l = lines
        .iter()
        .rev()
        .take(12)
        .find(|l| l.folded.contains("kem theo") && CAPTION.is_match(&l.folded))?;
    let c = CAPTION.captures(&l.folded)?;
    let mut cap = Caption {
        raw: l.text.clone(),
        ..Caption::default()
    };
    let digits = c.get(1).map_or("", |m| m.as_str());
    if let Some(code) = c.get(2) {
        // Recover the code's original case from the text.
        let code_f = code.as_str();
        let start = l
            .folded
            .find(&format!("kh-{code_f}"))
            .or_else(|| l.folded.find(&format!("kh/{code_f}")));
        let code_orig = start
            .map(|s| original_span(l, s + 3..s + 3 + code_f.len()))
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| code_f.to_uppercase());
        if !digits.is_empty() {
            cap.number = Some(format!("{digits}/KH-{code_orig}"));
        }
        cap.issuer_code = Some(code_orig);
    }
    let rest = c.get(3).map_or("", |m| m.as_str());
    if let Some(d) = CAPTION_DATE.captures(rest) {
        cap.day = d.get(1).and_then(|m| m.as_str().parse().ok());
        cap.month = d.get(2).and_then(|m| m.as_str().parse().ok());
        cap.year = d.get(3).and_then(|m| m.as_str().parse().ok());
    }
    // "… của Chủ tịch UBND xã An Dương)" → "UBND xã An Dương".
    if let Some(pos) = l.folded.rfind(" cua ") {
        let orig = original_span(l, pos + 5..l.folded.len());
        let orig = orig.trim().trim_end_matches([')', '.', '*', ' ']).trim();
        cap.issuer = clean_issuer(orig);
    }
    Some(cap)
}

/// The original text of a byte range of a line's folded text.
fn original_span(l: &Line, r: std::ops::Range<usize>) -> String {
    let f = Folded::new(&l.text);
    debug_assert_eq!(f.text, l.folded);
    f.original(&l.text, r).to_string()
}

/// Drops the signer's office from an issuer phrase and abbreviates "Ủy ban nhân dân".
fn clean_issuer(s: &str) -> Option<String> {
    let mut t = normalize(s);
    for prefix in [
        "Chủ tịch ",
        "Giám đốc ",
        "Thủ trưởng ",
        "Trưởng ban ",
        "Trưởng phòng ",
        "Chánh Văn phòng ",
    ] {
        if let Some(rest) = strip_prefix_ci(&t, prefix) {
            t = rest.to_string();
        }
    }
    let f = fold(&t);
    if f.starts_with("uy ban nhan dan") {
        t = format!(
            "UBND{}",
            t.chars()
                .skip("Ủy ban nhân dân".chars().count())
                .collect::<String>()
        );
    }
    let t = t.trim().to_string();
    (!t.is_empty() && t.chars().count() <= 100).then_some(t)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let n = prefix.chars().count();
    let head: String = s.chars().take(n).collect();
    if fold(&head) == fold(prefix) {
        Some(&s[head.len()..])
    } else {
        None
    }
}

fn issuer(
    lines: &[Line],
    caption: Option<&Caption>,
    meta: &Meta,
    title_idx: Option<usize>,
) -> Option<String> {
    // 1. The issuing body's name printed above the number line.
    let limit = title_idx.unwrap_or(12).min(lines.len());
    let mut top: Vec<&Line> = Vec::new();
    for l in &lines[..limit] {
        if l.folded.starts_with("so") && NUMBER.is_match(&l.text) || DATE_LINE.is_match(&l.folded) {
            break;
        }
        if is_org_line(l) {
            top.push(l);
        }
    }
    if let Some(name) = org_name(&top) {
        return Some(name);
    }
    // 2. The appendix caption's "của …".
    let mut found = caption.and_then(|c| c.issuer.clone());
    // 3. "Sở Y tế xây dựng Kế hoạch…" in the opening paragraphs.
    if found.is_none() {
        found = lines.iter().take(40).find_map(|l| {
            ISSUES_PLAN
                .captures(&l.text)
                .and_then(|c| clean_issuer(c.get(1)?.as_str()))
        });
    }
    // A bare level ("UBND huyện") gets its name from the title or place.
    if let Some(f) = &found {
        let ff = fold(f);
        let bare = [
            "ubnd huyen",
            "ubnd xa",
            "ubnd tinh",
            "ubnd thanh pho",
            "ubnd thi xa",
            "ubnd phuong",
            "ubnd quan",
            "ubnd thi tran",
        ];
        if bare.contains(&ff.as_str()) {
            let level = f.split_whitespace().skip(1).collect::<Vec<_>>().join(" ");
            let named = meta
                .title
                .as_deref()
                .into_iter()
                .chain(lines.iter().take(40).map(|l| l.text.as_str()))
                .find_map(|t| {
                    PLACE_IN_TEXT
                        .captures_iter(t)
                        .find(|c| fold(&c[1]) == fold(&level))
                        .map(|c| c[2].to_string())
                });
            if let Some(name) = named {
                return Some(format!("{f} {name}"));
            }
        }
        return found;
    }
    // 4. A well-known issuer code.
    meta.issuer_code
        .as_deref()
        .and_then(code_to_issuer)
        .map(str::to_string)
}

/// An upper-case line naming a body (not the national motto).
fn is_org_line(l: &Line) -> bool {
    let f = &l.folded;
    if f.contains("cong hoa")
        || f.contains("doc lap")
        || f.contains("hanh phuc")
        || l.text.chars().count() > 80
    {
        return false;
    }
    let letters: Vec<char> = l.text.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    letters.len() >= 2 && upper * 10 >= letters.len() * 8
}

/// Joins the top org lines into the issuing body's name: the lowest body
/// ("SỞ Y TẾ" under "UBND TỈNH BẮC GIANG"), with a place line attached
/// ("ỦY BAN NHÂN DÂN" + "HUYỆN KON RẪY").
fn org_name(top: &[&Line]) -> Option<String> {
    let last = top.last()?;
    let mut name = last.text.clone();
    let lf = &last.folded;
    let is_place = [
        "huyen ",
        "xa ",
        "tinh ",
        "thanh pho ",
        "thi xa ",
        "phuong ",
        "quan ",
        "thi tran ",
    ]
    .iter()
    .any(|p| lf.starts_with(p));
    if is_place && top.len() >= 2 {
        name = format!("{} {}", top[top.len() - 2].text, name);
    }
    let name = name
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_string();
    let cased = title_case_org(&name);
    clean_issuer(&cased)
}

/// "ỦY BAN NHÂN DÂN HUYỆN KON RẪY" → "Ủy ban nhân dân huyện Kon Rẫy";
/// "SỞ Y TẾ" → "Sở Y tế". Acronyms (UBND, HĐND) stay upper case.
fn title_case_org(s: &str) -> String {
    let generic = [
        "uy", "ban", "nhan", "dan", "so", "phong", "van", "cuc", "chi", "trung", "tam", "huyen",
        "xa", "tinh", "thanh", "pho", "thi", "tran", "phuong", "quan", "bo", "y", "te",
    ];
    let mut out = Vec::new();
    let words: Vec<&str> = s.split_whitespace().collect();
    // Words after the level word (huyện/xã/tỉnh …) are the proper name.
    let mut proper = false;
    for (i, w) in words.iter().enumerate() {
        let f = fold(w);
        let is_acronym = w.chars().count() <= 5 && !generic.contains(&f.as_str()) && !proper;
        let after_type = i > 0
            && ORG_TYPES.contains(&fold(words[i - 1]).as_str())
            && !is_org_type_pair(&words, i)
            && !(f == "nhan" && fold(words[i - 1]) == "ban");
        let word = if is_acronym
            && w.chars().all(|c| !c.is_lowercase())
            && !kehoach_text::is_valid_syllable(w)
        {
            w.to_string()
        } else if i == 0 || proper || after_type {
            capitalise(w)
        } else {
            w.to_lowercase()
        };
        if matches!(f.as_str(), "huyen" | "xa" | "tinh" | "phuong" | "quan")
            || (f == "pho" && i > 0)
            || f == "tran"
        {
            proper = true;
        }
        out.push(word);
    }
    out.join(" ")
}

/// Words naming a kind of body; the word after them starts the body's name.
const ORG_TYPES: &[&str] = &["so", "phong", "cuc", "ban", "vien", "truong", "tam", "doi"];

/// "Văn phòng", "Trung tâm", "Chi cục": the second word still belongs to the type.
fn is_org_type_pair(words: &[&str], i: usize) -> bool {
    let prev = fold(words[i - 1]);
    let cur = fold(words[i]);
    (prev == "trung" && cur == "tam")
        || (prev == "uy" && cur == "ban")
        || (prev == "chi" && cur == "cuc")
        || (prev == "van" && cur == "phong")
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f
            .to_uppercase()
            .chain(c.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

/// Common provincial department codes and their names.
fn code_to_issuer(code: &str) -> Option<&'static str> {
    Some(match code.to_uppercase().as_str() {
        "SYT" => "Sở Y tế",
        "SCT" => "Sở Công Thương",
        "STC" => "Sở Tài chính",
        "SNV" => "Sở Nội vụ",
        "STP" => "Sở Tư pháp",
        "SXD" => "Sở Xây dựng",
        "SGTVT" => "Sở Giao thông vận tải",
        "SGDĐT" | "SGDDT" => "Sở Giáo dục và Đào tạo",
        "SKHĐT" | "SKHDT" => "Sở Kế hoạch và Đầu tư",
        "STNMT" => "Sở Tài nguyên và Môi trường",
        "STTTT" => "Sở Thông tin và Truyền thông",
        "SNNPTNT" | "SNN" => "Sở Nông nghiệp và Phát triển nông thôn",
        "SLĐTBXH" | "SLDTBXH" => "Sở Lao động - Thương binh và Xã hội",
        "SVHTTDL" | "SVHTT" => "Sở Văn hóa, Thể thao và Du lịch",
        "SKHCN" => "Sở Khoa học và Công nghệ",
        "UBND" => "UBND",
        _ => return None,
    })
}

const POSITIONS: &[&str] = &[
    "chu tich",
    "pho chu tich",
    "giam doc",
    "pho giam doc",
    "truong phong",
    "pho truong phong",
    "chanh van phong",
    "pho chanh van phong",
    "cuc truong",
    "pho cuc truong",
    "chi cuc truong",
    "pho chi cuc truong",
    "truong ban",
    "pho truong ban",
    "bi thu",
    "pho bi thu",
    "thu truong",
    "hieu truong",
    "pho hieu truong",
    "tong giam doc",
    "pho tong giam doc",
    "vien truong",
    "pho vien truong",
    "chanh thanh tra",
    "pho chanh thanh tra",
    "truong",
    "chu nhiem",
    "pho chu nhiem",
    "bo truong",
    "thu tuong",
    "pho thu tuong",
    "truong khoa",
    "giam doc so",
];

/// Whether a line names the signer's position (possibly behind KT./TM./TL./Q.).
fn position_of(l: &Line) -> Option<String> {
    let letters: Vec<char> = l.text.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.is_empty() || letters.iter().any(|c| c.is_lowercase()) || l.text.chars().count() > 40
    {
        return None;
    }
    let f = l.folded.trim();
    let stripped = strip_signing_prefix(f);
    POSITIONS.contains(&stripped).then(|| l.text.clone())
}

fn strip_signing_prefix(f: &str) -> &str {
    let mut s = f.trim();
    for p in [
        "kt.", "kt ", "tm.", "tm ", "tl.", "tl ", "tuq.", "tuq ", "q.", "kt/", "tm/",
    ] {
        if let Some(r) = s.strip_prefix(p) {
            s = r.trim();
        }
    }
    s
}

/// Finds the signer: the last position line of the signature block and the
/// first name-like line after it.
fn signer(lines: &[Line]) -> Option<Signer> {
    let idx = lines.iter().rposition(|l| position_of(l).is_some())?;
    let pos_line = &lines[idx];
    let position = {
        let f = pos_line.folded.trim();
        let stripped = strip_signing_prefix(f);
        // Keep the printed form, without a KT./TM. prefix.
        let skip = f.chars().count() - stripped.chars().count();
        pos_line
            .text
            .chars()
            .skip(skip)
            .collect::<String>()
            .trim()
            .to_string()
    };
    let name = lines[idx + 1..]
        .iter()
        .take(20)
        .find(|l| is_person_name(&l.text))
        .map(|l| l.text.clone());
    Some(Signer {
        name,
        position: Some(position),
    })
}

const SURNAMES: &[&str] = &[
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do",
    "ho", "ngo", "duong", "ly", "dinh", "dao", "trinh", "mai", "luong", "truong", "ta", "cao",
    "lam", "ha", "to", "chau", "quach", "thai", "luu", "doan", "vuong", "kieu", "trieu", "la",
    "phung", "tang", "hua", "nong", "lo", "y", "khuat", "thach", "tong", "giang", "an", "au",
    "bach", "bang", "cu", "dam", "diep", "doan", "han", "hau", "khong", "khuc", "kim", "lai",
    "lieu", "lu", "luc", "mac", "man", "ninh", "nghiem", "ong", "quan", "sam", "son", "tat",
    "thieu", "thuy", "tieu", "ton", "uong", "van", "vi", "ma", "ka", "siu", "ro", "rmah", "ksor",
];

/// Two to five words, each capitalised, no digits: a person's name.
fn is_person_name(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    if !(2..=5).contains(&words.len()) {
        return false;
    }
    let all_caps = text
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase);
    let shaped = words.iter().all(|w| {
        let mut cs = w.chars();
        let first = cs.next();
        first.is_some_and(char::is_uppercase)
            && w.chars().all(char::is_alphabetic)
            && (all_caps || cs.all(char::is_lowercase))
    });
    shaped && SURNAMES.contains(&fold(words[0]).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mk(texts: &[&str]) -> Vec<Line> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Line {
                text: t.to_string(),
                folded: fold(t),
                para: i,
                bold: false,
                first_in_para: true,
            })
            .collect()
    }

    #[test]
    fn number_lines() {
        assert_eq!(
            number_line("Số: 37 /KH-UBND"),
            Some((Some("37/KH-UBND".into()), "UBND".into()))
        );
        assert_eq!(number_line("Số: /KH-SCT"), Some((None, "SCT".into())));
        assert_eq!(
            number_line("Số: 12/KH-UBND-VX"),
            Some((Some("12/KH-UBND-VX".into()), "UBND-VX".into()))
        );
        assert_eq!(number_line("Sở Y tế"), None);
    }

    #[test]
    fn header_block() {
        let lines = mk(&[
            "ỦY BAN NHÂN DÂN",
            "HUYỆN KON RẪY",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Số: 15/KH-UBND",
            "Kon Rẫy, ngày 05 tháng 3 năm 2023",
            "KẾ HOẠCH",
            "Thực hiện công tác kiểm soát thủ tục hành chính năm 2023",
            "Căn cứ …",
        ]);
        let m = extract_meta(&lines, None);
        assert_eq!(m.number.as_deref(), Some("15/KH-UBND"));
        assert_eq!(m.issuer.as_deref(), Some("UBND huyện Kon Rẫy"));
        assert_eq!(m.place.as_deref(), Some("Kon Rẫy"));
        assert_eq!(m.date.as_deref(), Some("2023-03-05"));
        assert_eq!(m.year, Some(2023));
        assert_eq!(
            m.title.as_deref(),
            Some("Thực hiện công tác kiểm soát thủ tục hành chính năm 2023")
        );
    }

    #[test]
    fn captions() {
        let c = caption(&mk(&[
            "(Kèm theo Kế hoạch số 17/KH-UBND ngày 23/01/2024 của Chủ tịch UBND xã An Dương)",
        ]))
        .expect("caption");
        assert_eq!(c.number.as_deref(), Some("17/KH-UBND"));
        assert_eq!((c.day, c.month, c.year), (Some(23), Some(1), Some(2024)));
        assert_eq!(c.issuer.as_deref(), Some("UBND xã An Dương"));
        let c = caption(&mk(&["(Ban hành kèm theo Kế hoạch số /KH-UBND ngày tháng năm 2023 của Ủy ban nhân dân huyện Kon Rẫy)"]))
            .expect("caption");
        assert_eq!(c.number, None);
        assert_eq!(c.issuer_code.as_deref(), Some("UBND"));
        assert_eq!(c.issuer.as_deref(), Some("UBND huyện Kon Rẫy"));
    }

    #[test]
    fn names_and_positions() {
        assert!(is_person_name("Nguyễn Tuấn Anh"));
        assert!(is_person_name("Đinh Thị Hồng Thu"));
        assert!(!is_person_name("Đài truyền thanh xã."));
        assert!(!is_person_name("Bản điện tử:"));
        let s = signer(&mk(&[
            "TM. ỦY BAN NHÂN DÂN",
            "KT. CHỦ TỊCH",
            "PHÓ CHỦ TỊCH",
            "Đinh Thị Hồng Thu",
        ]))
        .expect("signer");
        assert_eq!(s.position.as_deref(), Some("PHÓ CHỦ TỊCH"));
        assert_eq!(s.name.as_deref(), Some("Đinh Thị Hồng Thu"));
        let s = signer(&mk(&["KT.GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn Bình"])).expect("signer");
        assert_eq!(s.position.as_deref(), Some("PHÓ GIÁM ĐỐC"));
    }

    #[test]
    fn org_casing() {
        assert_eq!(title_case_org("SỞ Y TẾ"), "Sở Y tế");
        assert_eq!(
            title_case_org("ỦY BAN NHÂN DÂN HUYỆN VĨNH CỬU"),
            "Ủy ban nhân dân huyện Vĩnh Cửu"
        );
        assert_eq!(title_case_org("UBND XÃ AN DƯƠNG"), "UBND xã An Dương");
        assert_eq!(title_case_org("SỞ TƯ PHÁP"), "Sở Tư pháp");
        assert_eq!(title_case_org("PHÒNG NỘI VỤ"), "Phòng Nội vụ");
        assert_eq!(title_case_org("TRUNG TÂM Y TẾ"), "Trung tâm Y tế");
    }
}
