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
    /// The kind of document the caption names (`KH`, `BC`, `QĐ`).
    pub kind: Option<String>,
    pub number: Option<String>,
    pub issuer_code: Option<String>,
    pub day: Option<u32>,
    pub month: Option<u32>,
    pub year: Option<i32>,
    pub issuer: Option<String>,
    pub raw: String,
}

/// Collects the running-text lines of the document: paragraphs, and the
/// cells of tables that are not task tables (header and signature layout
/// tables carry metadata). `skip` lists the task table blocks. Long body
/// lines are kept as empty placeholders (metadata lines are short), so
/// paragraph order holds without normalising the whole body.
pub fn lines(doc: &Document, skip: &[usize]) -> Vec<Line> {
    let mut raw: Vec<(&str, usize, bool, bool)> = Vec::new();
    let mut para = 0usize;
    for (bi, block) in doc.blocks().enumerate() {
        if skip.binary_search(&bi).is_ok() {
            continue;
        }
        match block {
            Block::Paragraph(p) => {
                push_raw(&mut raw, &p.text, para, p.bold);
                para += 1;
            }
            Block::Table(t) => {
                for row in &t.rows {
                    for cell in &row.cells {
                        push_raw(&mut raw, &cell.text, para, false);
                        para += 1;
                    }
                }
            }
        }
    }
    raw.iter()
        .enumerate()
        .filter_map(|(i, &(text, para, bold, first))| {
            // Past the header, metadata lines are short (signature block,
            // captions, appendix headings) or hold a marker.
            let limit = if i < HEAD_LINES {
                LONG_LINE
            } else {
                SHORT_LINE
            };
            if text.len() > limit && !MARKER.is_match(text) {
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

/// Lines read in full at the top of the document (number, date, title).
const HEAD_LINES: usize = 80;
/// Past the head, lines longer than this (bytes) are body text unless they
/// hold a marker: a signature line, a caption heading or a name is shorter.
const SHORT_LINE: usize = 100;

/// Lines longer than this (bytes) are body text unless they hold a marker.
const LONG_LINE: usize = 300;
/// Phrases that make a long line worth reading: the appendix caption and the
/// "… ban hành / xây dựng Kế hoạch" sentence that names the issuer.
const MARKERS: &[&str] = &[
    "kèm theo",
    "Kèm theo",
    "KÈM THEO",
    "PHỤ LỤC",
    "Phụ lục",
    "ban hành",
    "xây dựng Kế hoạch",
    "xây dựng kế hoạch",
];

/// Any of [`MARKERS`], found in one pass.
static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    let alternation: Vec<String> = MARKERS.iter().map(|m| regex::escape(m)).collect();
    Regex::new(&alternation.join("|")).expect("escaped literals make a valid regex")
});

fn push_raw<'a>(
    out: &mut Vec<(&'a str, usize, bool, bool)>,
    text: &'a str,
    para: usize,
    bold: bool,
) {
    let mut first = true;
    let mut push = |piece: &'a str| {
        if !piece.trim().is_empty() {
            out.push((piece, para, bold, first));
            first = false;
        }
    };
    for l in text.split('\n') {
        // Header lines laid out side by side with runs of spaces ("Số:
        // 12/KH-UBND      Hà Nội, ngày …"); only short lines can be header
        // lines worth splitting.
        if l.len() > LONG_LINE || !has_gap(l.as_bytes()) {
            push(l);
        } else {
            side_by_side(l).into_iter().for_each(&mut push);
        }
    }
}

/// Whether `b` holds a tab or three spaces in a row (one pass; most lines
/// have neither).
fn has_gap(b: &[u8]) -> bool {
    if memchr::memchr(b'\t', b).is_some() {
        return true;
    }
    let n = b.len();
    if n < 3 {
        return false;
    }
    let (x, y, z) = (&b[..n - 2], &b[1..n - 1], &b[2..]);
    // Branch-free over chunks (vectorised): spaces are frequent, three in a
    // row rare.
    let mut k = 0;
    while k < x.len() {
        let e = (k + 64).min(x.len());
        let mut hit = false;
        for j in k..e {
            hit |= (x[j] == b' ') & (y[j] == b' ') & (z[j] == b' ');
        }
        if hit {
            return true;
        }
        k = e;
    }
    false
}

/// Splits a header line at runs of three or more spaces (or tabs) where two
/// columns sit side by side, but not inside a field whose blanks were left
/// for a hand-written number or day ("Số:      /KH-UBND", "ngày     tháng").
/// The caller tests for a gap first ([`has_gap`]): most lines have none.
fn side_by_side(line: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    let mut start = 0;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let gap_start = i;
        let mut spaces = 0;
        let mut tab = false;
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            tab |= bytes[i] == b'\t';
            spaces += 1;
            i += 1;
        }
        if (spaces >= 3 || tab) && i < bytes.len() && gap_start > start {
            let left = &line[start..gap_start];
            let right = &line[i..];
            if !is_blank_field(left, right) {
                out.push(left);
                start = i;
            }
        }
        if i == gap_start {
            i += line[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out.push(&line[start..]);
    out
}

/// Whether a gap between `left` and `right` is a blank left for a number
/// or a day, not a column boundary.
fn is_blank_field(left: &str, right: &str) -> bool {
    // Only the words at the gap matter.
    let left = left.trim_end();
    let tail_start = left.char_indices().rev().nth(7).map_or(0, |(i, _)| i);
    let l = fold(&left[tail_start..]);
    let right = right.trim_start();
    let head_end = right.char_indices().nth(8).map_or(right.len(), |(i, _)| i);
    let r = fold(&right[..head_end]);
    l.ends_with(':')
        || l.ends_with("ngay")
        || l.ends_with("thang")
        || l.ends_with(" so")
        || l == "so"
        || r.starts_with('/')
        || r.starts_with("thang")
        || r.starts_with("nam ")
}

static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*s[ốoóồ]\s*(?:kí hiệu|ký hiệu)?\s*(:?)\s*[.]?\s*((?:\d\s?)*)\s*((?:/\s*\d{4}\s*)?)[-/]?\s*(\p{L}(?:\s?\p{L}){0,3})\s*[-/]\s*([\p{L}\d][\p{L}\d&\-.]*)",
    )
    .expect("valid regex")
});
/// The date line (folded). A draft's blank day or month may be spaces, or
/// the dots, dashes or underscores left for a hand-written number (or what
/// OCR makes of an empty space).
static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(.{1,60}?)\s*,\s*)?ngay[\s.…_\-–]*(\d{0,2})[\s.…_\-–]*(?:thang|/)[\s.…_\-–]*(\d{0,2})[\s.…_\-–]*(?:nam|/)\s*(\d{4})\s*[.]?$")
        .expect("valid regex")
});
/// A blank left between `ngày` and `tháng` or `tháng` and `năm` (original
/// text) that holds dots, dashes or underscores.
static DATE_BLANK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(ng\p{L}y|th\p{L}ng)[\s.…_\-–]*[.…_\-–][\s.…_\-–]*(th\p{L}ng|n\p{L}m)")
        .expect("valid regex")
});

/// A date line with a draft's blanks collapsed to one space, as the
/// contract writes `date_raw` ("ngày …… tháng …… năm 2026" → "ngày tháng
/// năm 2026").
fn collapse_date_blanks(text: &str) -> String {
    let mut out = text.to_string();
    // Twice: "ngày - tháng - năm" has two blanks sharing "tháng".
    for _ in 0..2 {
        out = DATE_BLANK.replace_all(&out, "$1 $2").into_owned();
    }
    out
}
/// `Kèm theo Kế hoạch số 17/KH-UBND ngày …` (folded): kind, digits, the
/// `/2024` of a numbered-by-year document, kind code, issuer code, rest.
static CAPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"kem theo\s+(ke hoach|quyet dinh|bao cao|chuong trinh|nghi quyet|thong bao|chi thi|de an|van ban|cong van)\s*(?:so)?\s*:?\s*(\d*)\s*((?:/\s*\d{4}\s*)?)(?:[-/]\s*([a-z]{1,4})\s*[-/]\s*([a-z0-9&\-]+))?(.*)$")
        .expect("valid regex")
});
static CAPTION_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"ngay\s*(\d{0,2})\s*(?:thang|/)\s*(\d{0,2})\s*(?:nam|/)\s*(\d{4})")
        .expect("valid regex")
});
/// `năm 2024` not after `đến`/`tới` (a horizon is not the year covered).
static YEAR_IN_TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\b\w+\s+)?\bnam\s+(\d{4})\b").expect("valid regex"));
static YEAR_ANY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bnam\s+(\d{4})\b").expect("valid regex"));
static PLACE_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(huyện|xã|tỉnh|thị xã|thành phố|phường|thị trấn|quận)\s+((?:\p{Lu}[\p{L}]*)(?:\s+\p{Lu}[\p{L}]*){0,3})")
        .expect("valid regex")
});
static ISSUES_PLAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[.;:]\s+)((?:Sở|UBND|Ủy ban nhân dân|Uỷ ban nhân dân|Phòng|Ban|Cục|Chi cục|Trung tâm|Văn phòng|Bộ|Thanh tra)\s[^.;:]{1,80}?)\s+(?:ban hành|xây dựng|triển khai)\s+(?:Kế hoạch|kế hoạch)")
        .expect("valid regex")
});

/// Document kinds: the heading word (folded) and the code the contract uses.
const KINDS: &[(&str, &str)] = &[
    ("ke hoach", "KH"),
    ("quyet dinh", "QĐ"),
    ("chuong trinh", "CTr"),
    ("bao cao", "BC"),
    ("thong bao", "TB"),
    ("nghi quyet", "NQ"),
    ("chi thi", "CT"),
    ("de an", "ĐA"),
    ("to trinh", "TTr"),
    ("huong dan", "HD"),
];

/// The contract code of a kind code as printed in a number (`QĐ`, `Qđ`, `B C`).
fn kind_code(code: &str) -> Option<&'static str> {
    let f: String = fold(code).chars().filter(|c| !c.is_whitespace()).collect();
    Some(match f.as_str() {
        "kh" => "KH",
        "qd" => "QĐ",
        "ctr" => "CTr",
        "bc" => "BC",
        "tb" => "TB",
        "nq" => "NQ",
        "ct" => "CT",
        "da" => "ĐA",
        "ttr" => "TTr",
        "hd" => "HD",
        "kl" => "KL",
        "cv" => "CV",
        _ => return None,
    })
}

/// The characters of capture group `i` that `keep` accepts (`"3 2 9"` →
/// `"329"`), empty when the group did not match.
fn kept(c: &regex::Captures<'_>, i: usize, keep: impl Fn(char) -> bool) -> String {
    c.get(i)
        .map_or("", |m| m.as_str())
        .chars()
        .filter(|&ch| keep(ch))
        .collect()
}

/// A number line: `Số: 37 /KH-UBND`.
#[derive(Debug, Clone, PartialEq)]
struct NumberLine {
    /// `37/KH-UBND`; `None` when the digits are blank (a draft).
    number: Option<String>,
    /// The contract code of the document kind (`KH`, `QĐ`).
    kind: &'static str,
    /// The part after the kind code (`UBND`, `TCTLNTW-C04`).
    issuer_code: String,
    /// Whether `Số` was followed by a colon (the header's own number line).
    colon: bool,
}

/// Extracts the plan metadata from the document's running text.
pub fn extract_meta(lines: &[Line], caption: Option<&Caption>) -> Meta {
    let mut meta = Meta::default();
    let motto = lines.iter().take(80).position(|l| is_motto(&l.folded));

    // Number, kind and issuer code: the header's `Số:` line (a line with a
    // colon wins over an issuer line such as "SỐ 1050/QĐ-SCT").
    // Only the header's lines: up to the first kind heading after the motto.
    let header_end = title_heading(lines, motto.unwrap_or(0)).map_or(80, |h| h + 1);
    let numbers: Vec<(usize, NumberLine)> = lines
        .iter()
        .take(header_end.min(80))
        .enumerate()
        .filter_map(|(i, l)| number_line(&l.text).map(|n| (i, n)))
        .collect();
    let chosen = numbers
        .iter()
        .find(|(_, n)| n.colon)
        .or_else(|| numbers.first());
    let number_idx = chosen.map(|(i, _)| *i);
    if let Some((i, n)) = chosen {
        meta.number = n.number.clone().or_else(|| {
            // A number a signing system put on a line of its own next to
            // the blank one ("Số:      /KH-UBND" … "329").
            let lo = i.saturating_sub(2);
            let hi = (i + 3).min(header_end).min(lines.len());
            lines[lo..hi]
                .iter()
                .map(|l| l.text.trim())
                .find(|t| (1..=6).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()))
                .map(|d| format!("{d}/{}-{}", n.kind, n.issuer_code))
        });
        meta.issuer_code = Some(n.issuer_code.clone());
        meta.doc_type = Some(n.kind.to_string());
    }
    if let Some(c) = caption {
        if meta.number.is_none() && c.kind == meta.doc_type {
            meta.number = c.number.clone();
        }
        if meta.issuer_code.is_none() {
            meta.issuer_code = c.issuer_code.clone();
        }
    }

    // The title heading comes after the header (number, motto, date).
    let from = [motto, number_idx].into_iter().flatten().max().unwrap_or(0);
    let title_idx = title_heading(lines, from).or_else(|| title_heading(lines, 0));
    if let Some(t) = title_idx {
        if meta.doc_type.is_none() {
            meta.doc_type = heading_kind(&lines[t].folded).map(str::to_string);
        }
    }

    // Date line (possibly wrapped over two lines of one cell).
    let search_end = title_idx.map_or(lines.len().min(60), |t| (t + 3).min(lines.len()));
    if let Some((text, folded)) = (0..search_end).find_map(|i| date_line_at(lines, i)) {
        if let Some(c) = DATE_LINE.captures(&folded) {
            let tmp = Line {
                text: text.clone(),
                folded: folded.clone(),
                para: 0,
                bold: false,
                first_in_para: true,
            };
            meta.date_raw = Some(collapse_date_blanks(&text));
            if let Some(place) = c.get(1) {
                let p = original_span(&tmp, place.range());
                let p = clean_place(&p);
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

    // A day left blank in the header but stamped into the appendix caption
    // ("Kèm theo Báo cáo số 329/BC-UBND ngày 19 tháng 12 năm 2025") by a
    // signing system: the caption completes the date when month and year agree.
    if meta.date.is_none() {
        if let (Some(raw), Some(c)) = (meta.date_raw.as_deref(), caption) {
            let header = DATE_LINE.captures(&fold(raw)).map(|h| {
                (
                    h.get(3).and_then(|m| m.as_str().parse::<u32>().ok()),
                    h.get(4).and_then(|m| m.as_str().parse::<i32>().ok()),
                )
            });
            if let (Some((Some(m), Some(y))), Some(d)) = (header, c.day) {
                if c.month == Some(m) && c.year == Some(y) {
                    meta.date = Date::new(y, m, d).map(|d| d.iso());
                }
            }
        }
    }

    // Title.
    if let Some(t) = title_idx {
        meta.title = title_after(lines, t);
    }

    // Year: the title's "năm YYYY" (not a horizon "đến năm 2030"), else the
    // date's, else the caption's.
    meta.year = meta
        .title
        .as_deref()
        .and_then(|t| {
            YEAR_IN_TITLE.captures_iter(&fold(t)).find_map(|c| {
                let before = c.get(1).map_or("", |m| m.as_str().trim());
                if matches!(before, "den" | "toi") {
                    return None;
                }
                c[2].parse().ok()
            })
        })
        .or_else(|| meta.date.as_deref().and_then(|d| d.get(..4)?.parse().ok()))
        .or_else(|| {
            meta.date_raw
                .as_deref()
                .and_then(|d| YEAR_ANY.captures(&fold(d)).and_then(|c| c[1].parse().ok()))
        })
        .or_else(|| caption.and_then(|c| c.year));

    meta.issuer = issuer(lines, caption, &meta, motto, number_idx, title_idx)
        .map(|i| place_as_dated(i, meta.place.as_deref()));
    meta.signer = signer(lines, title_idx.unwrap_or(0));
    meta
}

/// The issuer with its place name spelled as in the date line where the
/// two differ in diacritics only ("UBND tỉnh Lào Cải" with "Lào Cai, ngày
/// …"): the header is in capitals, whose marks OCR reads worse than those
/// of the date line's small letters.
fn place_as_dated(issuer: String, place: Option<&str>) -> String {
    let Some(place) = place.filter(|p| !p.is_empty()) else {
        return issuer;
    };
    let n = place.chars().count();
    let Some((at, _)) = issuer.char_indices().rev().nth(n - 1) else {
        return issuer;
    };
    let tail = &issuer[at..];
    let starts_word = issuer[..at].ends_with(' ');
    if starts_word && tail != place && fold(tail) == fold(place) {
        format!("{}{place}", &issuer[..at])
    } else {
        issuer
    }
}

/// The place of a date line: trimmed; when the line also holds the left
/// column's text (an OCR'd header read across both columns: "SỐ 1050/QĐ-SCT
/// Lào Cai"), only the trailing capitalised words.
fn clean_place(p: &str) -> String {
    let p = p
        .trim()
        .trim_end_matches(',')
        .trim()
        .trim_start_matches(['*', '_'])
        .trim();
    if !p.contains(|c: char| c.is_ascii_digit() || c == '/') {
        return p.to_string();
    }
    let words: Vec<&str> = p.split_whitespace().collect();
    let keep = words
        .iter()
        .rev()
        .take_while(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().skip(1).any(char::is_lowercase)
                && !w.contains(|c: char| c.is_ascii_digit() || c == '/')
        })
        .count();
    words[words.len() - keep..].join(" ")
}

/// The capitalised text before the place of a date line that also holds
/// the left column ("SỐ 1050/QĐ-SCT Lào Cai, ngày …" → "SỐ 1050/QĐ-SCT").
fn left_of_date(l: &Line) -> Option<String> {
    let c = DATE_LINE.captures(&l.folded)?;
    let place = original_span(l, c.get(1)?.range());
    let kept = clean_place(&place);
    let left = place.trim().strip_suffix(kept.as_str())?.trim();
    (!left.is_empty() && !left.chars().any(char::is_lowercase)).then(|| left.to_string())
}

/// The national motto line(s) of the header.
fn is_motto(folded: &str) -> bool {
    folded.contains("cong hoa xa hoi chu nghia") || folded.contains("chu nghia viet nam")
}

/// `Số: 37 /KH-UBND` → number `37/KH-UBND`, kind `KH`, issuer code `UBND`;
/// a blank number → number `None`.
fn number_line(text: &str) -> Option<NumberLine> {
    // Slashes an OCR engine or a font gave in another form (`1105⁄KH`).
    let fixed;
    let text = if text.contains(['⁄', '∕', '／']) {
        fixed = text.replace(['⁄', '∕', '／'], "/");
        fixed.as_str()
    } else {
        text
    };
    let c = NUMBER.captures(text)?;
    let kind = kind_code(c.get(4)?.as_str())?;
    let digits = kept(&c, 2, |ch| ch.is_ascii_digit());
    let digits = digits.as_str();
    let by_year = kept(&c, 3, |ch| !ch.is_whitespace());
    let code = c.get(5)?.as_str().trim_end_matches(['-', '.']).to_string();
    if code.is_empty() {
        return None;
    }
    // The separator between digits and kind as printed (`10-CTr/TU`).
    let whole = c.get(0)?.as_str();
    let party_style = !digits.is_empty() && by_year.is_empty() && {
        let end = c
            .get(2)
            .map_or(0, |m| m.end() - c.get(0).map_or(0, |w| w.start()));
        let after = whole.get(end..).unwrap_or("").trim_start();
        after.starts_with('-')
    };
    let number = (!digits.is_empty()).then(|| {
        if party_style {
            format!("{digits}-{kind}/{code}")
        } else {
            format!("{digits}{by_year}/{kind}-{code}")
        }
    });
    Some(NumberLine {
        number,
        kind,
        issuer_code: code,
        colon: !c.get(1).map_or("", |m| m.as_str()).is_empty(),
    })
}

/// The date line at `i`, or `i` joined with the next line of its paragraph
/// (a cell wrapped as "Nghệ An, ngày 18" / "tháng 11 năm 2025").
fn date_line_at(lines: &[Line], i: usize) -> Option<(String, String)> {
    let l = &lines[i];
    if DATE_LINE.is_match(&l.folded) {
        return Some((l.text.clone(), l.folded.clone()));
    }
    let next = lines.get(i + 1).filter(|n| n.para == l.para)?;
    if l.text.chars().count() > 60 {
        return None;
    }
    // The next line is a whole date line with its place: no need to join.
    if DATE_LINE
        .captures(&next.folded)
        .is_some_and(|c| c.get(1).is_some())
    {
        return None;
    }
    let text = format!("{} {}", l.text, next.text);
    let folded = fold(&text);
    DATE_LINE.is_match(&folded).then_some((text, folded))
}

/// The kind code of a heading line (`KẾ HOẠCH` → `KH`).
fn heading_kind(folded: &str) -> Option<&'static str> {
    let f = folded.trim_matches(|c: char| !c.is_alphanumeric());
    KINDS
        .iter()
        .find(|(w, _)| f == *w || f.strip_prefix(w).is_some_and(|r| r.starts_with(' ')))
        .map(|(_, k)| *k)
}

/// Index of the document-kind heading (`KẾ HOẠCH`, `QUYẾT ĐỊNH`, …) at or after `from`.
fn title_heading(lines: &[Line], from: usize) -> Option<usize> {
    let end = (from + 80).min(lines.len());
    (from.min(end)..end).find(|&i| {
        let l = &lines[i];
        let f = l.folded.trim_matches(|c: char| !c.is_alphanumeric());
        let Some(kind) = KINDS.iter().find(|(w, _)| f.starts_with(w)) else {
            return false;
        };
        if f == kind.0 {
            // A bare heading word, printed in capitals.
            return !l.text.chars().any(char::is_lowercase);
        }
        // "KẾ HOẠCH Thực hiện …" on one line.
        let head: String = l.text.chars().take(kind.0.chars().count()).collect();
        f.strip_prefix(kind.0).is_some_and(|r| r.starts_with(' '))
            && !head.chars().any(char::is_lowercase)
            && !f.contains(" so ")
            && !f.contains(" kem theo")
    })
}

fn title_after(lines: &[Line], heading: usize) -> Option<String> {
    let h = &lines[heading];
    // "KẾ HOẠCH Thực hiện …" on one line.
    let kind_len = KINDS
        .iter()
        .find(|(w, _)| {
            h.folded
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .starts_with(w)
        })
        .map_or(0, |(w, _)| w.chars().count());
    let inline: String = h
        .text
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .chars()
        .skip(kind_len)
        .collect();
    let inline = inline.trim();
    let mut parts: Vec<&str> = Vec::new();
    if inline.chars().any(char::is_alphabetic) {
        parts.push(inline);
    }
    let mut i = heading + 1;
    // The rest of the heading's paragraph, or else the next paragraph.
    let same_para: Vec<&Line> = lines[i..].iter().take_while(|l| l.para == h.para).collect();
    if !same_para.is_empty() {
        parts.extend(same_para.iter().map(|l| l.text.as_str()));
    } else if parts.is_empty() {
        // Skip empty placeholder lines and a lone "**" between heading and title.
        while lines.get(i).is_some_and(|l| l.folded.trim().is_empty()) {
            i += 1;
        }
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
                    || l.text.starts_with('(')
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
    // A title printed in capitals ends where mixed-case text (the body) starts;
    // a parenthesis under the title ("(Ban hành kèm theo …)") is not part of it.
    let caps = |t: &str| !t.chars().any(char::is_lowercase);
    let all_caps = parts.first().is_some_and(|p| caps(p));
    let mut kept: Vec<&str> = Vec::new();
    for p in parts {
        if p.trim_start().starts_with('(') || is_body_start(&fold(p)) {
            break;
        }
        if all_caps && !caps(p) {
            break;
        }
        // A title in mixed case ends at a line in capitals: the authority
        // line of a decision ("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …").
        if !all_caps
            && !kept.is_empty()
            && caps(p)
            && p.chars().filter(|c| c.is_alphabetic()).count() > 6
        {
            break;
        }
        kept.push(p);
    }
    let title = normalize(&kept.join(" "));
    let title = title.trim_start_matches(['-', ':', ' ']).to_string();
    (!title.is_empty()).then_some(title)
}

fn is_body_start(folded: &str) -> bool {
    folded.starts_with("can cu")
        || folded.starts_with("kinh gui")
        || folded.starts_with("so:")
        || folded.starts_with("i.")
        || folded.starts_with("thuc hien ")
            && (folded.contains(" so ") || folded.contains(" ngay "))
            && folded.len() > 60
}

/// Parses the appendix caption (`Kèm theo Kế hoạch số … ngày … của …`):
/// the first such line after the title heading.
pub fn caption(lines: &[Line]) -> Option<Caption> {
    let l = lines.iter().find(|l| {
        let f = l.folded.trim_start_matches(|c: char| !c.is_alphanumeric());
        (f.starts_with("kem theo") || f.starts_with("ban hanh kem theo"))
            && CAPTION.is_match(&l.folded)
    })?;
    let c = CAPTION.captures(&l.folded)?;
    let mut cap = Caption {
        raw: l.text.clone(),
        kind: heading_kind(c.get(1).map_or("", |m| m.as_str())).map(str::to_string),
        ..Caption::default()
    };
    let digits = kept(&c, 2, |ch| ch.is_ascii_digit());
    let digits = digits.as_str();
    let by_year = kept(&c, 3, |ch| !ch.is_whitespace());
    if let (Some(kind), Some(code)) = (c.get(4), c.get(5)) {
        // Recover the code's original case from the text.
        let code_orig = original_span(l, code.range());
        let code_orig = if code_orig.is_empty() {
            code.as_str().to_uppercase()
        } else {
            code_orig
        };
        if let Some(k) = kind_code(kind.as_str()) {
            if !digits.is_empty() {
                cap.number = Some(format!("{digits}{by_year}/{k}-{code_orig}"));
            }
            cap.kind.get_or_insert_with(|| k.to_string());
        }
        cap.issuer_code = Some(code_orig);
    }
    let rest = c.get(6).map_or("", |m| m.as_str());
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
    motto: Option<usize>,
    number_idx: Option<usize>,
    title_idx: Option<usize>,
) -> Option<String> {
    // 1. The issuing body printed in the header's left column.
    let top = header_org_lines(lines, motto, number_idx, title_idx);
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

/// The lines of the header's left column that name bodies: the run of
/// capitalised lines just above the national motto (a web page's banners
/// above them end the run), the part of a motto line before the motto (a
/// PDF line holding both columns), and capitalised lines between the motto
/// and the number line. Without a motto, the capitalised lines above the
/// number line or the title.
fn header_org_lines(
    lines: &[Line],
    motto: Option<usize>,
    number_idx: Option<usize>,
    title_idx: Option<usize>,
) -> Vec<String> {
    let limit = title_idx.unwrap_or(lines.len().min(12)).min(lines.len());
    let skip = |l: &Line| {
        is_decoration(&l.text)
            || (l.folded.starts_with("so") && NUMBER.is_match(&l.text) && l.text.contains(':'))
            || DATE_LINE.is_match(&l.folded)
            || l.folded.starts_with("doc lap")
            || l.folded.is_empty()
    };
    let Some(m) = motto.filter(|&m| m < limit.max(1) + 4) else {
        // No motto: capitalised lines before the number line / title.
        let end = number_idx.unwrap_or(limit).min(limit);
        let mut top: Vec<String> = Vec::new();
        for l in &lines[..end] {
            if DATE_LINE.is_match(&l.folded) {
                break;
            }
            if is_org_line(l) {
                top.push(l.text.clone());
            }
        }
        return top;
    };
    let mut before: Vec<String> = Vec::new();
    for l in lines[..m].iter().rev() {
        if skip(l) {
            continue;
        }
        if !is_org_line(l) {
            break;
        }
        before.push(l.text.clone());
    }
    before.reverse();
    // The left column's part of a line that also holds the motto.
    let ml = &lines[m];
    if let Some(pos) = ml.folded.find("cong hoa") {
        let left = original_span(ml, 0..pos);
        let left = left.trim();
        if !left.is_empty() {
            before.push(left.to_string());
        }
    }
    let end = number_idx.filter(|&n| n > m).unwrap_or(limit).min(limit);
    for l in lines.get(m + 1..end).unwrap_or_default() {
        if let Some(left) = left_of_date(l) {
            before.push(left);
            continue;
        }
        if is_motto(&l.folded) || skip(l) {
            continue;
        }
        // The right column's second line, when a PDF line holds both columns.
        let text = match l.folded.find("doc lap") {
            Some(p) if p > 0 => original_span(l, 0..p).trim().to_string(),
            _ => l.text.clone(),
        };
        let tmp = Line {
            folded: fold(&text),
            text,
            para: l.para,
            bold: l.bold,
            first_in_para: l.first_in_para,
        };
        if is_org_line(&tmp) {
            before.push(tmp.text);
        } else if !before.is_empty() {
            break;
        }
    }
    before
}

/// A line of dashes or underscores (an underline under a header column).
fn is_decoration(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| matches!(c, '-' | '_' | '–' | '—' | '=' | '*' | '.' | ' '))
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

/// Words (folded) that start the name of a body: a header line starting
/// with one names a new body under the one above ("UBND TỈNH BẮC GIANG" /
/// "SỞ Y TẾ"); any other line continues the name above ("ỦY BAN NHÂN DÂN" /
/// "TỈNH LÀO CAI").
const BODY_WORDS: &[&str] = &[
    "uy ban",
    "ubnd",
    "hoi dong",
    "hdnd",
    "so ",
    "bo ",
    "ban ",
    "phong ",
    "cuc ",
    "tong cuc",
    "chi cuc",
    "trung tam",
    "van phong",
    "doan ",
    "to ",
    "thanh tra",
    "cong an",
    "tinh uy",
    "thanh uy",
    "huyen uy",
    "dang uy",
    "quan uy",
    "thi uy",
    "truong ",
    "vien ",
    "chinh phu",
    "thu tuong",
    "hoi ",
    "toa an",
    "kho bac",
    "benh vien",
    "cong ty",
    "mat tran",
    "lien doan",
    "bo chi huy",
    "bo tu lenh",
    "chi nhanh",
    "dai ",
    "ngan hang",
    "hoc vien",
    "dai hoc",
];

/// Joins the header's org lines into the issuing body's name: the lowest
/// body ("SỞ Y TẾ" under "UBND TỈNH BẮC GIANG"), its name possibly wrapped
/// over several lines ("ỦY BAN NHÂN" / "DÂN" / "TỈNH ĐỒNG THÁP").
fn org_name(top: &[String]) -> Option<String> {
    let mut bodies: Vec<String> = Vec::new();
    for t in top {
        let t = t.trim_matches(|c: char| !c.is_alphanumeric() && c != ')');
        if t.is_empty() {
            continue;
        }
        let f = fold(t);
        // "SỞ" starts a department; "SỐ 1050/QĐ-SCT" (a number) continues a name.
        let is_number_word = t
            .split_whitespace()
            .next()
            .is_some_and(|w| w.to_lowercase() == "số");
        let starts_body =
            !is_number_word && BODY_WORDS.iter().any(|w| f.starts_with(w) || f == w.trim());
        match bodies.last_mut() {
            Some(last) if !starts_body => {
                last.push(' ');
                last.push_str(t);
            }
            _ => bodies.push(t.to_string()),
        }
    }
    let name = normalize(bodies.last()?);
    clean_issuer(&restore_body_type(&title_case_org(&name)))
}

/// Kinds of body as printed, for names whose marks a scan lost (`TO CÔNG
/// TÁC` read for `TỔ CÔNG TÁC`): the words a name starts with are spelled
/// out again when they fold to one of these.
const BODY_TYPES: &[&str] = &[
    "Tổ công tác",
    "Tổ giúp việc",
    "Đoàn kiểm tra",
    "Đoàn công tác",
    "Ủy ban nhân dân",
    "Hội đồng nhân dân",
    "Ban Chỉ đạo",
    "Chi cục",
    "Trung tâm",
    "Văn phòng",
];

fn restore_body_type(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    for t in BODY_TYPES {
        let n = t.split_whitespace().count();
        if words.len() > n && fold(&words[..n].join(" ")) == fold(t) {
            return std::iter::once(*t)
                .chain(words[n..].iter().copied())
                .collect::<Vec<_>>()
                .join(" ");
        }
    }
    name.to_string()
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
        // A document number (`1050/QĐ-SCT`) stays as printed; a document
        // named by its number is capitalised (`theo Quyết định số 1050/…`).
        if w.chars().any(|c| c.is_ascii_digit() || c == '/') {
            out.push(w.to_string());
            continue;
        }
        let names_document = words
            .get(i + 1)
            .zip(words.get(i + 2))
            .is_some_and(|(next, so)| {
                fold(so) == "so" && DOCUMENT_KINDS.contains(&format!("{f} {}", fold(next)).as_str())
            });
        if names_document {
            out.push(capitalise(w));
            continue;
        }
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

/// Kinds of document (folded) that a body may be named after (`Đoàn kiểm
/// tra theo Quyết định số …`).
const DOCUMENT_KINDS: &[&str] = &[
    "quyet dinh",
    "ke hoach",
    "nghi quyet",
    "chi thi",
    "thong bao",
    "cong van",
    "thong tu",
    "nghi dinh",
];

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
        "kt.", "kt ", "tm.", "tm ", "tl.", "tl ", "tuq.", "tuq ", "q.", "kt/", "tm/", "t/m.",
        "t/m ", "k/t.", "k/t ",
    ] {
        if let Some(r) = s.strip_prefix(p) {
            s = r.trim();
        }
    }
    s
}

/// Finds the signer: the last position line of the signature block and the
/// first name-like line after it.
///
/// The signature block closes the document's body: position lines after an
/// appendix heading (`PHỤ LỤC`) or a web page's footer are not searched
/// unless the body has none.
fn signer(lines: &[Line], from: usize) -> Option<Signer> {
    let from = from.min(lines.len());
    let end = lines[from..]
        .iter()
        .position(|l| {
            l.folded.starts_with("phu luc")
                && l.text.chars().count() <= 120
                && !l.text.chars().take(7).any(char::is_lowercase)
        })
        .map_or(lines.len(), |p| p + from);
    let position_line = lines[from..end]
        .iter()
        .rposition(|l| position_of(l).is_some())
        .map(|p| p + from);
    // The capacity in which the person signs is the line under the
    // authority line ("KT. TỔ TRƯỞNG" / "PHÓ TỔ TRƯỞNG THƯỜNG TRỰC"), even
    // when the person's office is printed under the name ("PHÓ CỤC TRƯỞNG").
    let authority = lines[from..end]
        .iter()
        .rposition(is_authority_line)
        .map(|p| p + from)
        .filter(|&a| position_line.is_none_or(|p| a + 8 >= p));
    if let Some(a) = authority {
        // The capacity line may come after other cells of the signature
        // table (the recipients' list), but before the name.
        let mut cap_at = None;
        for (i, l) in lines.iter().enumerate().skip(a + 1).take(16) {
            if is_capacity_line(l) {
                cap_at = Some(i);
                break;
            }
            if person_name(&l.text).is_some() {
                break;
            }
        }
        let capacity = cap_at.map(|i| lines[i].text.trim().to_string());
        let after = cap_at.map_or(a + 1, |i| i + 1);
        let position = capacity.or_else(|| {
            let f = lines[a].folded.trim();
            let stripped = strip_signing_prefix(f);
            let skip = f.chars().count() - stripped.chars().count();
            let t: String = lines[a].text.chars().skip(skip).collect();
            Some(t.trim().to_string()).filter(|t| !t.is_empty())
        });
        let name = lines
            .get(after..)
            .unwrap_or_default()
            .iter()
            .take(20)
            .find_map(|l| person_name(&l.text))
            .or_else(|| damaged_name(lines, after));
        return Some(Signer { name, position });
    }
    let idx = position_line.or_else(|| lines.iter().rposition(|l| position_of(l).is_some()))?;
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
        .find_map(|l| person_name(&l.text))
        .or_else(|| damaged_name(lines, idx + 1));
    Some(Signer {
        name,
        position: Some(position),
    })
}

/// A signer's name whose first word the signature or seal over it damaged
/// in a scan (`*Hfeäng Văn Thuân`): its last two words, read well, find the
/// person where the text names them in full (`Ông Hoàng Văn Thuân - Trưởng
/// đoàn`). None unless exactly one such full name is found.
fn damaged_name(lines: &[Line], from: usize) -> Option<String> {
    let name_word = |w: &str| {
        let mut cs = w.chars();
        cs.next().is_some_and(char::is_uppercase)
            && cs.all(char::is_lowercase)
            && kehoach_text::is_valid_syllable(w)
    };
    // The name is printed under the capacity, or over the person's office.
    let start = from.saturating_sub(3);
    let tail: Vec<String> = lines.get(start..)?.iter().take(9).find_map(|l| {
        let words: Vec<&str> = l.text.split_whitespace().collect();
        if !(2..=5).contains(&words.len())
            || words.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()))
        {
            return None;
        }
        let last = &words[words.len() - 2..];
        last.iter()
            .all(|w| name_word(w))
            .then(|| last.iter().map(|w| w.to_string()).collect())
    })?;
    let mut found: Vec<String> = Vec::new();
    for l in lines {
        let words: Vec<&str> = l
            .text
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')'))
            .filter(|w| !w.is_empty())
            .map(|w| w.trim_end_matches('.'))
            .collect();
        for i in 1..words.len().saturating_sub(1) {
            if words[i] != tail[0] || words[i + 1] != tail[1] {
                continue;
            }
            // One or two name words before the tail, the first a surname.
            for k in 1..=2usize.min(i) {
                let full = words[i - k..i + 2].join(" ");
                if words[i - k..i].iter().all(|w| name_word(w)) && is_person_name(&full) {
                    if !found.contains(&full) {
                        found.push(full);
                    }
                    break;
                }
            }
        }
    }
    match found.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// `KT. CHỦ TỊCH`, `TM. ỦY BAN NHÂN DÂN`, `T/M. ĐOÀN KIỂM TRA`: signing on
/// behalf of someone.
fn is_authority_line(l: &Line) -> bool {
    let f = l.folded.trim();
    let stripped = strip_signing_prefix(f);
    stripped.len() < f.len()
        && !stripped.is_empty()
        && l.text.chars().count() <= 60
        && !l.text.chars().any(char::is_lowercase)
}

/// A capacity line under the authority line: short, in capitals, no digits.
fn is_capacity_line(l: &Line) -> bool {
    let letters = l.text.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 3
        && l.text.chars().count() <= 60
        && !l
            .text
            .chars()
            .any(|c| c.is_lowercase() || c.is_ascii_digit())
        && strip_signing_prefix(l.folded.trim()).len() == l.folded.trim().len()
}

/// Ranks and titles printed before a signer's name.
const RANKS: &[&str] = &[
    "dai tuong",
    "thuong tuong",
    "trung tuong",
    "thieu tuong",
    "dai ta",
    "thuong ta",
    "trung ta",
    "thieu ta",
    "dai uy",
    "thuong uy",
    "trung uy",
    "thieu uy",
    "pgs.ts.",
    "pgs. ts.",
    "gs.ts.",
    "ts.",
    "ths.",
    "bs.",
    "ks.",
    "ls.",
];

/// The person's name on a signature line, without a rank or title in front
/// ("Đại tá Bùi Duy Hưng" → "Bùi Duy Hưng").
fn person_name(text: &str) -> Option<String> {
    let t = text.trim();
    if is_person_name(t) {
        return Some(t.to_string());
    }
    let f = fold(t);
    let rank = RANKS.iter().find(|r| {
        f.strip_prefix(*r)
            .is_some_and(|rest| rest.starts_with(' ') || r.ends_with('.'))
    })?;
    let rest: String = t.chars().skip(rank.chars().count()).collect();
    let rest = rest.trim();
    is_person_name(rest).then(|| rest.to_string())
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

    #[test]
    fn gaps_are_tabs_or_three_spaces() {
        assert!(has_gap(b"UBND TINH   CONG HOA"));
        assert!(has_gap(b"So: 12/KH\tHa Noi"));
        assert!(has_gap(b"a   "));
        assert!(!has_gap(b"So  12/KH-UBND  Ha Noi"));
        assert!(!has_gap(b"  "));
        assert!(!has_gap(b""));
        // Three spaces found on either side of the scan's 64-byte chunks.
        for pad in 0..140 {
            let line = format!("{}   x", "a".repeat(pad));
            assert!(has_gap(line.as_bytes()), "{pad}");
            let line = format!("{}  x y", "a".repeat(pad));
            assert!(!has_gap(line.as_bytes()), "{pad}");
        }
        assert_eq!(
            side_by_side("UBND TỈNH X     CỘNG HÒA XÃ HỘI"),
            vec!["UBND TỈNH X", "CỘNG HÒA XÃ HỘI"]
        );
    }

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
        let n = |t: &str| number_line(t).map(|n| (n.number, n.kind, n.issuer_code, n.colon));
        assert_eq!(
            n("Số: 37 /KH-UBND"),
            Some((Some("37/KH-UBND".into()), "KH", "UBND".into(), true))
        );
        assert_eq!(n("Số: /KH-SCT"), Some((None, "KH", "SCT".into(), true)));
        assert_eq!(
            n("Số: 12/KH-UBND-VX"),
            Some((Some("12/KH-UBND-VX".into()), "KH", "UBND-VX".into(), true))
        );
        assert_eq!(
            n("Số:   /B C-UBND"),
            Some((None, "BC", "UBND".into(), true))
        );
        assert_eq!(
            n("Số: 2597/QĐ-TTg"),
            Some((Some("2597/QĐ-TTg".into()), "QĐ", "TTg".into(), true))
        );
        assert_eq!(
            n("Số: 05/2024/QĐ-UBND"),
            Some((Some("05/2024/QĐ-UBND".into()), "QĐ", "UBND".into(), true))
        );
        assert_eq!(
            n("Số 10-CTr/TU"),
            Some((Some("10-CTr/TU".into()), "CTr", "TU".into(), false))
        );
        assert_eq!(
            n("Số: 996/KH-TCTLNTW-C04"),
            Some((
                Some("996/KH-TCTLNTW-C04".into()),
                "KH",
                "TCTLNTW-C04".into(),
                true
            ))
        );
        assert_eq!(
            n("Số: 3 2 9 /BC-UBND"),
            Some((Some("329/BC-UBND".into()), "BC", "UBND".into(), true))
        );
        assert_eq!(
            n("Số: 1105KH-ĐKT"),
            Some((Some("1105/KH-ĐKT".into()), "KH", "ĐKT".into(), true))
        );
        assert_eq!(
            n("Số: 1105⁄KH-ĐKT"),
            Some((Some("1105/KH-ĐKT".into()), "KH", "ĐKT".into(), true))
        );
        assert_eq!(n("Sở Y tế"), None);
        assert_eq!(n("Số hiệu: 980/KH-UBND"), None);
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
    fn the_issuers_place_is_spelled_as_in_the_date_line() {
        let p = |i: &str, place: Option<&str>| place_as_dated(i.to_string(), place);
        assert_eq!(p("UBND tỉnh Lào Cải", Some("Lào Cai")), "UBND tỉnh Lào Cai");
        // Other names, a place that does not start a word, or no place: unchanged.
        assert_eq!(
            p("UBND tỉnh Lào Cai", Some("Lâm Đồng")),
            "UBND tỉnh Lào Cai"
        );
        assert_eq!(p("UBND xã Tân Hòa", Some("Hòa")), "UBND xã Tân Hòa");
        assert_eq!(p("UBND xã Tân Hoà", Some("n Hòa")), "UBND xã Tân Hoà");
        assert_eq!(p("Sở Y tế", None), "Sở Y tế");
        assert_eq!(
            p("Sở Y tế", Some("Nha Trang, Khánh Hòa, Việt Nam")),
            "Sở Y tế"
        );
    }

    #[test]
    fn a_drafts_blank_day_and_month_in_dots_or_dashes() {
        for (line, raw) in [
            (
                "Lào Cai, ngày - tháng - năm 2026",
                "Lào Cai, ngày tháng năm 2026",
            ),
            (
                "Hà Nội, ngày ..... tháng ..... năm 2025",
                "Hà Nội, ngày tháng năm 2025",
            ),
            (
                "Lâm Đồng, ngày …… tháng 4 năm 2026",
                "Lâm Đồng, ngày tháng 4 năm 2026",
            ),
            (
                "Huế, ngày __ tháng __ năm 2024.",
                "Huế, ngày tháng năm 2024.",
            ),
            (
                "Lào Cai, ngày   tháng   năm 2026",
                "Lào Cai, ngày   tháng   năm 2026",
            ),
        ] {
            let lines = mk(&[
                "UBND TỈNH X",
                "Số: /KH-UBND",
                line,
                "KẾ HOẠCH",
                "Về việc thử",
            ]);
            let m = extract_meta(&lines, None);
            assert_eq!(m.date_raw.as_deref(), Some(raw), "{line}");
            assert_eq!(m.place.as_deref(), raw.split(',').next(), "{line}");
            assert_eq!(m.date, None, "{line}");
        }
        // A date written in full keeps its figures.
        let lines = mk(&[
            "UBND TỈNH X",
            "Huế, ngày 05 tháng 3 năm 2024",
            "KẾ HOẠCH",
            "Về việc thử",
        ]);
        let m = extract_meta(&lines, None);
        assert_eq!(m.date.as_deref(), Some("2024-03-05"));
        assert_eq!(m.date_raw.as_deref(), Some("Huế, ngày 05 tháng 3 năm 2024"));
    }

    #[test]
    fn header_read_across_both_columns() {
        // An OCR'd header: the left and right columns on one line each.
        let lines = mk(&[
            "SỞ CÔNG THƯƠNG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "ĐOÀN KIỂM TRA Độc lập - Tự do - Hạnh phúc",
            "THEO QUYẾT ĐỊNH",
            "SỐ 1050/QĐ-SCT Lào Cai, ngày 10 tháng 3 năm 2026",
            "Số: 1105KH-ĐKT",
            "KẾ HOẠCH",
            "Kiểm tra việc chấp hành quy định pháp luật",
        ]);
        let m = extract_meta(&lines, None);
        assert_eq!(m.number.as_deref(), Some("1105/KH-ĐKT"));
        assert_eq!(m.doc_type.as_deref(), Some("KH"));
        assert_eq!(m.place.as_deref(), Some("Lào Cai"));
        assert_eq!(m.date.as_deref(), Some("2026-03-10"));
        assert_eq!(
            m.issuer.map(|i| fold(&i)).as_deref(),
            Some("doan kiem tra theo quyet dinh so 1050/qd-sct")
        );
    }

    #[test]
    fn number_stamped_on_its_own_line() {
        let lines = mk(&[
            "ỦY BAN NHÂN DÂN",
            "TỈNH LÂM ĐỒNG",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Số: /BC-UBND",
            "329",
            "Lâm Đồng, ngày 19 tháng 12 năm 2025",
            "BÁO CÁO",
            "Công tác cải cách hành chính năm 2025",
        ]);
        let m = extract_meta(&lines, None);
        assert_eq!(m.number.as_deref(), Some("329/BC-UBND"));
        assert_eq!(m.doc_type.as_deref(), Some("BC"));
        assert_eq!(m.year, Some(2025));
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
        let damaged = mk(&[
            "4.1. Ông. Hoàng Văn Thuân - Trưởng đoàn: Phụ trách chung;",
            "4.2. Bà Lê Thị Hoa - Thành viên;",
            "*Hfeäng Văn Thuân",
            "PHÓ GIÁM ĐỐC",
            "SỞ CÔNG THƯƠNG",
        ]);
        let s = signer(&damaged, 2).expect("signer");
        assert_eq!(s.name.as_deref(), Some("Hoàng Văn Thuân"));
        assert!(is_person_name("Đinh Thị Hồng Thu"));
        assert!(!is_person_name("Đài truyền thanh xã."));
        assert!(!is_person_name("Bản điện tử:"));
        let s = signer(
            &mk(&[
                "TM. ỦY BAN NHÂN DÂN",
                "KT. CHỦ TỊCH",
                "PHÓ CHỦ TỊCH",
                "Đinh Thị Hồng Thu",
            ]),
            0,
        )
        .expect("signer");
        assert_eq!(s.position.as_deref(), Some("PHÓ CHỦ TỊCH"));
        assert_eq!(s.name.as_deref(), Some("Đinh Thị Hồng Thu"));
        let s =
            signer(&mk(&["KT.GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn Bình"]), 0).expect("signer");
        assert_eq!(s.position.as_deref(), Some("PHÓ GIÁM ĐỐC"));
    }

    #[test]
    fn signer_capacity_and_rank() {
        let s = signer(
            &mk(&[
                "KT. TỔ TRƯỞNG",
                "PHÓ TỔ TRƯỞNG THƯỜNG TRỰC",
                "Đại tá Bùi Duy Hưng",
                "PHÓ CỤC TRƯỞNG CỤC CẢNH SÁT ĐIỀU TRA TỘI PHẠM VỀ MA TÚY",
            ]),
            0,
        )
        .expect("signer");
        assert_eq!(s.position.as_deref(), Some("PHÓ TỔ TRƯỞNG THƯỜNG TRỰC"));
        assert_eq!(s.name.as_deref(), Some("Bùi Duy Hưng"));
        let s = signer(
            &mk(&[
                "T/M. ĐOÀN KIỂM TRA",
                "TRƯỞNG ĐOÀN",
                "Hoàng Văn Thuân",
                "PHÓ GIÁM ĐỐC SỞ CÔNG THƯƠNG",
            ]),
            0,
        )
        .expect("signer");
        assert_eq!(s.position.as_deref(), Some("TRƯỞNG ĐOÀN"));
        assert_eq!(s.name.as_deref(), Some("Hoàng Văn Thuân"));
    }

    #[test]
    fn org_casing() {
        assert_eq!(title_case_org("SỞ Y TẾ"), "Sở Y tế");
        assert_eq!(
            restore_body_type(&title_case_org("TO CÔNG TÁC LIÊN NGÀNH TW")),
            "Tổ công tác liên ngành TW"
        );
        assert_eq!(restore_body_type("Sở Y tế"), "Sở Y tế");
        assert_eq!(
            title_case_org("ĐOÀN KIỂM TRA THEO QUYẾT ĐỊNH SỐ 1050/QĐ-SCT"),
            "Đoàn kiểm tra theo Quyết định số 1050/QĐ-SCT"
        );
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
