//! Citations of other documents: the preamble's basis (`Căn cứ …`,
//! `Thực hiện …`) and the documents a task's text cites.
//!
//! A citation is a document kind word (`Kế hoạch`, `Quyết định`, `Luật` …),
//! at most a few name words, then a number (`số 15/KH-UBND`) and/or a date
//! (`ngày 19/01/2024`, `ngày 19 tháng 01 năm 2024`), then optionally `của`
//! and the issuer. Matching is done on folded text (no diacritics, lower
//! case; one folded character per original character), so it holds for
//! text typed without diacritics or in capitals; numbers and issuers are cut
//! from the original text.
//!
//! Only the preamble (from the title to the first heading) and the cells of
//! task records are read, and a text is only folded when a cheap test finds
//! a slash or a date in it.

use kehoach_doc::{Block, Document};
use kehoach_plan::date::Date;
use kehoach_plan::{Reference, Relation};
use kehoach_text::{fold_char, normalize};

/// Document kind words (folded) and the code each gives, longest first
/// where one is a prefix of another.
const KINDS: &[(&str, &str)] = &[
    ("bo luat", "Luật"),
    ("luat", "Luật"),
    ("phap lenh", "PL"),
    ("nghi quyet lien tich", "NQLT"),
    ("nghi quyet", "NQ"),
    ("nghi dinh", "NĐ"),
    ("thong tu lien tich", "TTLT"),
    ("thong tu", "TT"),
    ("quyet dinh", "QĐ"),
    ("chi thi", "CT"),
    ("ke hoach", "KH"),
    ("chuong trinh", "CTr"),
    ("cong van", "CV"),
    ("van ban", "CV"),
    ("cong dien", "CĐ"),
    ("thong bao", "TB"),
    ("bao cao", "BC"),
    ("to trinh", "TTr"),
    ("ket luan", "KL"),
    ("huong dan", "HD"),
    ("de an", "ĐA"),
];

/// The first words of the phrases of [`KINDS`]: a word that is none of them
/// opens no citation.
const KIND_HEADS: &[&str] = &[
    "bo", "luat", "phap", "nghi", "thong", "quyet", "chi", "ke", "chuong", "cong", "van", "bao",
    "to", "ket", "huong", "de",
];

/// Kind parts of a number (`15/KH-UBND` → `KH`), folded, and their codes.
const NUMBER_KINDS: &[(&str, &str)] = &[
    ("kh", "KH"),
    ("qd", "QĐ"),
    ("nq", "NQ"),
    ("nqlt", "NQLT"),
    ("nd", "NĐ"),
    ("tt", "TT"),
    ("ttlt", "TTLT"),
    ("ct", "CT"),
    ("ctr", "CTr"),
    ("tb", "TB"),
    ("bc", "BC"),
    ("ttr", "TTr"),
    ("kl", "KL"),
    ("hd", "HD"),
    ("da", "ĐA"),
    ("cd", "CĐ"),
    ("cv", "CV"),
    ("pl", "PL"),
];

/// Words a name between the kind word and the number may not contain:
/// they start a clause, so the kind word is a common noun there.
const NAME_STOPS: &[&str] = &[
    "cua", "ve", "tai", "theo", "va", "nham", "de", "da", "duoc", "nay", "tren", "trong", "cho",
    "voi", "cac", "nhung", "thuc", "trien", "giao", "ban", "do",
];

/// Words and phrases that end an issuer (`của UBND tỉnh | về …`).
const ISSUER_STOPS: &[&str] = &[
    "ve",
    "quy dinh",
    "ban hanh",
    "phe duyet",
    "huong dan",
    "sua doi",
    "thuc hien",
    "trien khai",
    "tai",
    "theo",
    "nham",
    "de",
    "trong",
    "tren",
    "cu the",
    "nhu sau",
    "giai doan",
    "nam",
    "ngay",
    "so",
    "xay dung",
    "chi dao",
    "giao",
    "gui",
    "thanh lap",
    "cong bo",
    "dong thoi",
    "tiep tuc",
    "dam bao",
    "bao dam",
    "viet tat",
    "sau day",
    "lan",
    "dot",
];

/// Words naming a body, which start a new issuer after a comma.
const ORG_WORDS: &[&str] = &[
    "ubnd", "uy", "hdnd", "so", "bo", "chu", "ban", "phong", "cuc", "chinh", "thu", "van", "tinh",
    "huyen", "thanh", "xa", "dang", "hoi", "truong", "giam", "tong", "trung",
];

/// Maximum words of an issuer.
const MAX_ISSUER_WORDS: usize = 14;

/// Text folded one character for one character, with the byte offset of
/// each character in the original.
struct Text<'a> {
    orig: &'a str,
    f: Vec<char>,
    /// `off[i]`: byte offset of char `i` in `orig`; `off[len]` = `orig.len()`.
    off: Vec<usize>,
}

impl<'a> Text<'a> {
    fn new(orig: &'a str) -> Self {
        let mut f = Vec::with_capacity(orig.len());
        let mut off = Vec::with_capacity(orig.len() + 1);
        for (i, c) in orig.char_indices() {
            let g = match c {
                '⁄' | '∕' | '／' => '/',
                _ => fold_char(c),
            };
            // Marks that fold to nothing keep their place as a filler.
            f.push(if g == '\0' { '\u{1}' } else { g });
            off.push(i);
        }
        off.push(orig.len());
        Text { orig, f, off }
    }

    fn len(&self) -> usize {
        self.f.len()
    }

    fn span(&self, a: usize, b: usize) -> &'a str {
        let (a, b) = (a.min(self.len()), b.min(self.len()));
        if a >= b {
            return "";
        }
        self.orig.get(self.off[a]..self.off[b]).unwrap_or("")
    }

    fn is_word(&self, i: usize) -> bool {
        // Folded text is nearly all ASCII: the Unicode tables only for the rest.
        self.f
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphanumeric()))
    }

    fn word_start(&self, i: usize) -> bool {
        self.is_word(i) && (i == 0 || !self.is_word(i - 1))
    }

    fn skip_ws(&self, mut i: usize) -> usize {
        while self.f.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        i
    }

    /// The end of `phrase` (folded words, single spaces) matched at `i` as
    /// whole words, any run of white space between its words.
    fn phrase_at(&self, i: usize, phrase: &str) -> Option<usize> {
        if i > 0 && self.is_word(i - 1) {
            return None;
        }
        let mut k = i;
        for (n, word) in phrase.split(' ').enumerate() {
            if n > 0 {
                let j = self.skip_ws(k);
                if j == k {
                    return None;
                }
                k = j;
            }
            for ch in word.chars() {
                if self.f.get(k) != Some(&ch) {
                    return None;
                }
                k += 1;
            }
        }
        (!self.is_word(k)).then_some(k)
    }

    fn kind_at(&self, i: usize) -> Option<(usize, &'static str)> {
        if !self.word_start(i) {
            return None;
        }
        // Most words open no kind: compare the first word before the phrases.
        let mut e = i;
        while self.is_word(e) {
            e += 1;
        }
        let first = self.f.get(i..e).unwrap_or_default();
        let head = KIND_HEADS.iter().find(|head| {
            head.len() == first.len() && head.bytes().zip(first).all(|(a, &c)| char::from(a) == c)
        })?;
        // Only the kinds whose first word this is.
        KINDS
            .iter()
            .filter(|(w, _)| w.split(' ').next() == Some(*head))
            .find_map(|(w, code)| self.phrase_at(i, w).map(|e| (e, *code)))
    }

    /// The word at `i` (folded) and where it ends.
    fn word(&self, i: usize) -> Option<(String, usize)> {
        if !self.is_word(i) {
            return None;
        }
        let mut e = i;
        while self.is_word(e) {
            e += 1;
        }
        Some((self.f[i..e].iter().collect(), e))
    }

    fn starts_upper(&self, i: usize) -> bool {
        self.span(i, i + 1)
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    }
}

/// A citation found in a text, with where it starts and ends (char indexes).
#[derive(Debug, Clone)]
struct Found {
    start: usize,
    end: usize,
    reference: Reference,
}

/// Whether a text may hold a citation: a slash between a digit and a
/// letter, or a `ngày` with a digit after it.
pub fn may_cite(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr2_iter(b'/', b'-', b).any(|i| {
        i > 0
            && b[..i]
                .iter()
                .rev()
                .find(|&&x| x != b' ')
                .is_some_and(u8::is_ascii_digit)
            && b[i + 1..]
                .iter()
                .find(|&&x| x != b' ')
                .is_some_and(|x| !x.is_ascii_digit())
    }) || text.contains("ngày") && b.iter().any(u8::is_ascii_digit)
}

/// Every document `text` cites, in order (`task.refs`): no relation.
pub fn cite(text: &str) -> Vec<Reference> {
    if !may_cite(text) {
        return Vec::new();
    }
    let t = Text::new(text);
    let mut out: Vec<Reference> = Vec::new();
    for found in scan(&t, 0, t.len()) {
        if !out.iter().any(|r| same(r, &found.reference)) {
            out.push(found.reference);
        }
    }
    out
}

fn same(a: &Reference, b: &Reference) -> bool {
    a.doc_type == b.doc_type && a.number == b.number && a.date == b.date && {
        a.number.is_some() || a.date.is_some() || a.text == b.text
    }
}

/// All citations between `from` and `to`, left to right, none inside another.
fn scan(t: &Text<'_>, from: usize, to: usize) -> Vec<Found> {
    let mut out = Vec::new();
    let mut i = from;
    while i < to {
        if let Some(found) = citation_at(t, i, to) {
            i = found.end.max(i + 1);
            // `các Quyết định: số 36/QĐ-TTg …; số 1569/QĐ-TTg …`: more numbers of the same kind.
            let kind = found.reference.doc_type.clone();
            out.push(found);
            while let Some(more) = number_continuation(t, i, to, kind.as_deref()) {
                i = more.end.max(i + 1);
                out.push(more);
            }
        } else {
            // Only a word's start may open a citation: on to the next one.
            i += 1;
            while i < to && !t.word_start(i) {
                i += 1;
            }
        }
    }
    out
}

/// `, số 1569/QĐ-TTg ngày …` right after a citation: another of the same kind.
fn number_continuation(t: &Text<'_>, i: usize, to: usize, kind: Option<&str>) -> Option<Found> {
    let mut k = t.skip_ws(i);
    if matches!(t.f.get(k), Some(',' | ';')) {
        k = t.skip_ws(k + 1);
    }
    if let Some(e) = t.phrase_at(k, "va") {
        k = t.skip_ws(e);
    }
    let e = t.phrase_at(k, "so")?;
    let d = t.skip_ws(e);
    let (num, num_end) = number_at(t, d)?;
    if num_end > to {
        return None;
    }
    let mut r = Reference {
        doc_type: number_kind(&num)
            .map(str::to_string)
            .or(kind.map(str::to_string)),
        number: Some(num),
        ..Reference::default()
    };
    let end = tail(t, num_end, to, &mut r);
    r.text = clean_text(t.span(k, end));
    Some(Found {
        start: k,
        end,
        reference: r,
    })
}

/// A citation starting at `i` (a kind word), ending before `to`.
fn citation_at(t: &Text<'_>, i: usize, to: usize) -> Option<Found> {
    let (kind_end, code) = t.kind_at(i)?;
    let law = code == "Luật";
    // Preamble lists are in running text: a kind word in capitals inside a
    // title ("KẾ HOẠCH") still counts, the number decides.
    let max_name = if law { 24 } else { 4 };
    let mut k = t.skip_ws(kind_end);
    let mut words = 0;
    let mut number: Option<(String, usize)> = None;
    let mut date_end: Option<(String, usize)> = None;
    while k < to {
        if let Some(e) = t.phrase_at(k, "so") {
            let d = {
                let mut d = t.skip_ws(e);
                if t.f.get(d) == Some(&':') {
                    d = t.skip_ws(d + 1);
                }
                d
            };
            if let Some(n) = number_at(t, d) {
                number = Some(n);
                break;
            }
        }
        if t.f.get(k).is_some_and(char::is_ascii_digit) {
            number = Some(number_at(t, k)?);
            break;
        }
        if let Some(d) = date_at(t, k) {
            date_end = Some(d);
            break;
        }
        if let Some((_, c)) = t.kind_at(k) {
            // Only a law's name may hold another law ("Luật sửa đổi … của Luật …").
            if !(law && words > 0 && c == "Luật") {
                return None;
            }
        }
        match t.word(k) {
            Some((w, e)) => {
                if !law && NAME_STOPS.contains(&w.as_str()) {
                    return None;
                }
                words += 1;
                if words > max_name {
                    return None;
                }
                k = t.skip_ws(e);
            }
            None => {
                // A law's name may hold commas ("sửa đổi, bổ sung …").
                if law && t.f.get(k) == Some(&',') {
                    k = t.skip_ws(k + 1);
                    continue;
                }
                return None;
            }
        }
    }
    let mut r = Reference {
        doc_type: Some(code.to_string()),
        ..Reference::default()
    };
    let mut end;
    if let Some((num, e)) = number {
        if e > to {
            return None;
        }
        if let Some(kind) = number_kind(&num) {
            r.doc_type = Some(kind.to_string());
        }
        r.number = Some(num);
        end = e;
    } else if let Some((date, e)) = date_end {
        r.date = Some(date);
        end = e;
    } else {
        return None;
    }
    end = tail(t, end, to, &mut r);
    r.text = clean_text(t.span(i, end));
    Some(Found {
        start: i,
        end,
        reference: r,
    })
}

/// After the number: `, ngày …` and `của …`. Fills date and issuer, returns the end.
fn tail(t: &Text<'_>, mut end: usize, to: usize, r: &mut Reference) -> usize {
    if r.date.is_none() {
        let mut k = t.skip_ws(end);
        if t.f.get(k) == Some(&',') {
            k = t.skip_ws(k + 1);
        }
        if let Some((date, e)) = date_at(t, k) {
            if e <= to {
                r.date = Some(date);
                end = e;
            }
        }
    }
    let mut k = t.skip_ws(end);
    if t.f.get(k) == Some(&',') {
        k = t.skip_ws(k + 1);
    }
    if let Some(e) = t.phrase_at(k, "cua") {
        if let Some((issuer, e2)) = issuer_at(t, t.skip_ws(e), to) {
            r.issuer = Some(issuer);
            end = e2;
        }
    }
    end
}

/// The issuer after `của`: words up to a clause break, a stop word or a new citation.
fn issuer_at(t: &Text<'_>, start: usize, to: usize) -> Option<(String, usize)> {
    let mut k = start;
    let mut end = start;
    let mut words = 0;
    while k < to && words < MAX_ISSUER_WORDS {
        match t.f.get(k) {
            Some(',') => {
                // "Bộ Văn hóa, Thể thao và Du lịch": a capitalised word that names
                // no new body continues the name.
                let n = t.skip_ws(k + 1);
                let Some((w, _)) = t.word(n) else { break };
                if !t.starts_upper(n)
                    || t.kind_at(n).is_some()
                    || ORG_WORDS.contains(&w.as_str())
                    || w.chars().all(|c| c.is_ascii_digit())
                {
                    break;
                }
                k = n;
                continue;
            }
            Some('&' | '-' | '\'') => {
                k += 1;
                continue;
            }
            Some(c) if c.is_whitespace() => {
                k += 1;
                continue;
            }
            Some(c) if c.is_alphanumeric() => {}
            _ => break,
        }
        // Stop words end the issuer in lower case only: "Bộ Tài chính",
        // "tỉnh Nam Định" go on.
        if !t.starts_upper(k) && ISSUER_STOPS.iter().any(|s| t.phrase_at(k, s).is_some()) {
            break;
        }
        if t.kind_at(k).is_some() && citation_at(t, k, to).is_some() {
            break;
        }
        if let Some(e) = t.phrase_at(k, "va") {
            // "và Kế hoạch …", "và các …": the issuer ends; "và Du lịch" goes on.
            let n = t.skip_ws(e);
            if !t.starts_upper(n) || t.kind_at(n).is_some() {
                break;
            }
        }
        let Some((_, e)) = t.word(k) else { break };
        words += 1;
        end = e;
        k = e;
    }
    let s = clean_text(t.span(start, end));
    (!s.is_empty()).then_some((s, end))
}

/// Trims spaces and trailing punctuation of a cut.
fn clean_text(s: &str) -> String {
    normalize(s.trim_end_matches([',', ';', '.', ':', ' ', '(', '“', '"']))
}

/// A number token at `i`: `15/KH-UBND`, `152/KH- UBND`, `45/2020/NĐ-CP`,
/// `140-KH/HU`, `77/2015/QH13`. Spaces are only allowed next to a
/// separator and before a capital or digit. Returns the token without spaces.
fn number_at(t: &Text<'_>, i: usize) -> Option<(String, usize)> {
    if !t.f.get(i).is_some_and(char::is_ascii_digit) {
        return None;
    }
    let sep = |c: char| c == '/' || c == '-';
    let mut k = i;
    let mut last = i;
    while k < t.len() {
        let c = t.f[k];
        if c.is_ascii_digit() || c.is_alphabetic() || c == '&' {
            k += 1;
            last = k;
        } else if sep(c) {
            k += 1;
        } else if c == ' ' {
            let n = t.skip_ws(k);
            let Some(&next) = t.f.get(n) else { break };
            let prev_sep = t.f.get(k.wrapping_sub(1)).copied().is_some_and(sep);
            if prev_sep && (next.is_alphanumeric()) && t.starts_upper(n) {
                k = n;
            } else if sep(next) {
                let m = t.skip_ws(n + 1);
                if t.f.get(m).is_some_and(|c| c.is_alphanumeric()) && t.starts_upper(m) {
                    k = n;
                } else {
                    break;
                }
            } else {
                break;
            }
        } else {
            break;
        }
    }
    let raw: String = t
        .span(i, last)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '⁄' | '∕' | '／' => '/',
            '–' | '‐' | '‑' => '-',
            other => other,
        })
        .collect();
    let parts: Vec<&str> = raw.split(['/', '-']).collect();
    let first_digits = parts.first()?.chars().all(|c| c.is_ascii_digit());
    let has_letters = parts
        .iter()
        .skip(1)
        .any(|p| p.chars().any(char::is_alphabetic));
    (first_digits && parts.len() >= 2 && has_letters && raw.len() <= 40).then_some((raw, last))
}

/// The kind code a number names (`15/KH-UBND` → `KH`, `45/2020/NĐ-CP` → `NĐ`).
fn number_kind(number: &str) -> Option<&'static str> {
    let part = number
        .split(['/', '-'])
        .skip(1)
        .find(|p| p.chars().any(char::is_alphabetic))?;
    let f: String = part.chars().map(fold_char).collect();
    NUMBER_KINDS
        .iter()
        .find(|(k, _)| *k == f)
        .map(|(_, code)| *code)
}

/// `ngày 19/01/2024`, `ngày 19 tháng 01 năm 2024` at `i`: ISO date and end.
fn date_at(t: &Text<'_>, i: usize) -> Option<(String, usize)> {
    let e = t.phrase_at(i, "ngay")?;
    let k = t.skip_ws(e);
    let (d, k) = digits(t, k)?;
    let k = t.skip_ws(k);
    let k = match t.f.get(k) {
        Some('/' | '-' | '.') => t.skip_ws(k + 1),
        _ => t.skip_ws(t.phrase_at(k, "thang")?),
    };
    let (m, k) = digits(t, k)?;
    let k = t.skip_ws(k);
    let k = match t.f.get(k) {
        Some('/' | '-' | '.') => t.skip_ws(k + 1),
        _ => t.skip_ws(t.phrase_at(k, "nam")?),
    };
    let (y, k) = digits(t, k)?;
    if !(1900..=2100).contains(&y) {
        return None;
    }
    let date = Date::new(y as i32, m, d)?;
    Some((date.iso(), k))
}

fn digits(t: &Text<'_>, i: usize) -> Option<(u32, usize)> {
    let mut k = i;
    while t.f.get(k).is_some_and(char::is_ascii_digit) && k - i < 4 {
        k += 1;
    }
    if k == i || t.f.get(k).is_some_and(char::is_ascii_digit) {
        return None;
    }
    t.span(i, k).parse().ok().map(|v| (v, k))
}

/// Openers of a basis clause (folded) and the relation each gives.
const OPENERS: &[(&str, Relation)] = &[
    ("can cu", Relation::BasedOn),
    ("xet de nghi", Relation::BasedOn),
    ("xet to trinh", Relation::BasedOn),
    ("theo de nghi", Relation::BasedOn),
    ("tren co so", Relation::BasedOn),
    ("thuc hien", Relation::Implements),
    ("tiep tuc thuc hien", Relation::Implements),
    ("tiep tuc trien khai", Relation::Implements),
    ("trien khai", Relation::Implements),
    ("de trien khai", Relation::Implements),
    ("de thuc hien", Relation::Implements),
    ("nham trien khai", Relation::Implements),
    ("nham thuc hien", Relation::Implements),
    ("thi hanh", Relation::Implements),
    ("quan triet", Relation::Implements),
    ("theo chi dao", Relation::Implements),
    ("theo y kien chi dao", Relation::Implements),
];

fn opener_at(t: &Text<'_>, i: usize) -> Option<(Relation, usize)> {
    OPENERS
        .iter()
        .find_map(|(w, rel)| t.phrase_at(i, w).map(|e| (*rel, e)))
}

/// The documents a preamble text cites, with their relation. `rel` is the
/// relation a text without an opener of its own continues (a list item
/// after `Căn cứ …:`); the relation in force at the end is returned too.
pub fn basis_of(text: &str, rel: Option<Relation>) -> (Vec<Reference>, Option<Relation>) {
    let t = Text::new(text);
    let mut out: Vec<Reference> = Vec::new();
    let mut rel = rel;
    let mut seg_start = 0;
    let n = t.len();
    // Segments end at ';' and at a sentence end ('.' before a space and a capital).
    let mut k = 0;
    while k <= n {
        let end_here = k == n
            || t.f[k] == ';'
            || (t.f[k] == '.'
                && (k + 1 == n || t.f[k + 1] == ' ' && t.starts_upper(t.skip_ws(k + 1))));
        if end_here {
            let sentence_end = k < n && t.f[k] == '.';
            rel = segment(&t, seg_start, k, rel, &mut out);
            if sentence_end {
                // A new sentence needs an opener of its own.
                rel = None;
            }
            seg_start = k + 1;
        }
        k += 1;
    }
    (out, rel)
}

/// One `;`-separated segment: an opener (or the running relation), the head
/// citation and the citations listed right after it. Returns the relation
/// in force after the segment.
fn segment(
    t: &Text<'_>,
    from: usize,
    to: usize,
    rel: Option<Relation>,
    out: &mut Vec<Reference>,
) -> Option<Relation> {
    let mut i = from;
    while i < to && !t.is_word(i) {
        i += 1;
    }
    let (rel, body) = match opener_at(t, i) {
        Some((r, mut e)) => {
            // "Triển khai thực hiện …", "Tiếp tục triển khai thực hiện …".
            while let Some((_, e2)) = opener_at(t, t.skip_ws(e)) {
                e = e2;
            }
            (Some(r), e)
        }
        None => (rel, i),
    };
    let relation = rel?;
    // The head citation: at the start of the segment, or after a short
    // lead-in ending in `tại` ("chỉ đạo của Chủ tịch UBND tỉnh tại Công văn số …").
    let mut k = t.skip_ws(body);
    if let Some(e) = t.phrase_at(k, "cac") {
        k = t.skip_ws(e);
    }
    let mut lead_issuer: Option<String> = None;
    let head = match citation_at(t, k, to) {
        Some(f) => Some(f),
        None => {
            let window = (k + 120).min(to);
            let mut found = None;
            let mut j = k;
            while j < window {
                if t.kind_at(j).is_some() {
                    break;
                }
                if let Some(e) = t.phrase_at(j, "tai") {
                    let mut c = t.skip_ws(e);
                    if let Some(e2) = t.phrase_at(c, "cac") {
                        c = t.skip_ws(e2);
                    }
                    if let Some(f) = citation_at(t, c, to) {
                        lead_issuer = lead_in_issuer(t, k, j);
                        found = Some(f);
                    }
                    break;
                }
                j += 1;
            }
            found
        }
    };
    let Some(mut head) = head else {
        return rel;
    };
    if head.reference.issuer.is_none() {
        head.reference.issuer = lead_issuer;
    }
    let mut end = head.end;
    push(out, head.reference, relation);
    // Siblings: ", Kế hoạch số …", " và Quyết định số …", "; số …".
    loop {
        let mut k = t.skip_ws(end);
        let mut joined = false;
        if t.f.get(k) == Some(&',') {
            k = t.skip_ws(k + 1);
            joined = true;
        }
        if let Some(e) = t.phrase_at(k, "va") {
            k = t.skip_ws(e);
            joined = true;
        }
        if !joined && k != t.skip_ws(end) {
            break;
        }
        let next = citation_at(t, k, to).or_else(|| number_continuation(t, end, to, None));
        match next {
            Some(f) if joined || f.start == k => {
                end = f.end;
                push(out, f.reference, relation);
            }
            _ => break,
        }
    }
    rel
}

/// `chỉ đạo của Chủ tịch UBND tỉnh tại`: the body named by `của` before `tại`.
fn lead_in_issuer(t: &Text<'_>, from: usize, tai: usize) -> Option<String> {
    let mut j = from;
    let mut at = None;
    while j < tai {
        if let Some(e) = t.phrase_at(j, "cua") {
            at = Some(t.skip_ws(e));
        }
        j += 1;
    }
    let s = clean_text(t.span(at?, tai));
    (!s.is_empty()).then_some(s)
}

fn push(out: &mut Vec<Reference>, mut r: Reference, relation: Relation) {
    r.relation = Some(relation);
    if !out.iter().any(|o| same(o, &r)) {
        out.push(r);
    }
}

/// Headings that end the preamble: `I.`, `1.`, `Phần`, `Chương`, `Điều 1`,
/// `QUYẾT ĐỊNH:`, `A.` (folded, trimmed of markup).
fn is_heading(folded: &str) -> bool {
    let s = folded.trim_start_matches(['*', '_', ' ', '#']);
    let roman_end = s
        .find(|c: char| !matches!(c, 'i' | 'v' | 'x'))
        .unwrap_or(s.len());
    if roman_end > 0 && roman_end <= 4 && s[roman_end..].starts_with(['.', ')', ' ', '-']) {
        let rest = s[roman_end..].trim_start_matches(['.', ')', '-', ' ']);
        if rest.is_empty() || !rest.starts_with(|c: char| c.is_ascii_digit()) {
            // "I. MỤC ĐÍCH" but not the word "vi" or "xi" in a sentence.
            return rest.is_empty() || s[roman_end..].starts_with(['.', ')']);
        }
    }
    let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if digits_end > 0 && digits_end <= 2 && s[digits_end..].starts_with(['.', ')']) {
        return true;
    }
    s.starts_with("phan ")
        || s.starts_with("chuong ")
        || s.starts_with("dieu 1")
        || s.starts_with("quyet dinh:")
        || s == "quyet dinh"
        || (s.len() > 2 && s.starts_with(['a', 'b']) && s[1..].starts_with(". "))
}

/// The document kind heading that opens the title (`KẾ HOẠCH`, `BÁO CÁO`).
fn is_kind_heading(line: &str, folded: &str) -> bool {
    let f = folded.trim_matches(|c: char| !c.is_alphanumeric());
    let kinds = [
        "ke hoach",
        "bao cao",
        "quyet dinh",
        "chuong trinh",
        "nghi quyet",
        "chi thi",
        "thong bao",
        "de an",
        "huong dan",
        "to trinh",
    ];
    kinds.iter().any(|k| {
        f == *k
            || f.strip_prefix(k).is_some_and(|r| r.starts_with(' '))
                && !line.chars().take(12).any(char::is_lowercase)
    })
}

/// How many paragraphs after the title the preamble may run.
const MAX_PREAMBLE_PARAS: usize = 40;
/// How far from the top the title heading may be.
const MAX_TITLE_PARAS: usize = 80;

/// `meta.basis`: the citations of the preamble, from the title to the first
/// heading. Only paragraphs (and lines) opening with `Căn cứ`, `Thực hiện`,
/// `Triển khai` and the like, or continuing such a list, are read.
pub fn basis(doc: &Document, task_blocks: &[usize]) -> Vec<Reference> {
    // Paragraph texts up to the first task table, each split into lines.
    let mut paras: Vec<(&str, bool)> = Vec::new();
    for (bi, block) in doc.blocks().enumerate() {
        if task_blocks.binary_search(&bi).is_ok() || paras.len() > MAX_TITLE_PARAS + 60 {
            break;
        }
        if let Block::Paragraph(p) = block {
            paras.push((p.text.as_str(), p.bold));
        }
    }
    // Lines with their paragraph index.
    let mut lines: Vec<(usize, &str, bool)> = Vec::new();
    for (pi, (text, bold)) in paras.iter().enumerate() {
        for l in text.split('\n') {
            if !l.trim().is_empty() {
                lines.push((pi, l, *bold));
            }
        }
    }
    // The folded head of a line, worked out only for the lines looked at.
    let head_fold = |l: &str| {
        let head: String = l.chars().take(40).collect();
        kehoach_text::fold(head.trim())
    };
    let title = lines
        .iter()
        .take(MAX_TITLE_PARAS * 2)
        .position(|(_, l, _)| {
            is_kind_heading(l.trim_start_matches(['*', '_', ' ']), &head_fold(l))
        });
    let start = title.map_or(0, |t| t + 1);
    let first_para = lines.get(start).map_or(0, |l| l.0);

    let mut out: Vec<Reference> = Vec::new();
    let mut rel: Option<Relation> = None;
    let mut in_clause = false;
    let mut chunk = String::new();
    let mut chunk_para = usize::MAX;
    let flush = |chunk: &mut String, rel: &mut Option<Relation>, out: &mut Vec<Reference>| {
        if chunk.is_empty() {
            return;
        }
        let text = prepare(chunk);
        let ends_list = text.trim_end().ends_with([';', ':', ',']);
        let (refs, r) = basis_of(&text, *rel);
        for r in refs {
            if !out.iter().any(|o| same(o, &r)) {
                out.push(r);
            }
        }
        *rel = if ends_list { r } else { None };
        chunk.clear();
    };
    for (idx, (pi, line, bold)) in lines.iter().enumerate().skip(start) {
        if pi.saturating_sub(first_para) > MAX_PREAMBLE_PARAS {
            break;
        }
        let f = &head_fold(line);
        // A heading, or the bare kind word of a second document (a plan after its decision).
        let bare_kind = title.is_some_and(|t| idx > t + 1)
            && matches!(
                f.trim_matches(|c: char| !c.is_alphanumeric()),
                "ke hoach" | "bao cao" | "chuong trinh" | "de an"
            );
        if is_heading(f) || bare_kind {
            break;
        }
        if *pi != chunk_para {
            flush(&mut chunk, &mut rel, &mut out);
            in_clause = false;
            chunk_para = *pi;
        }
        let trimmed = line
            .trim()
            .trim_start_matches(['*', '_', '-', '+', '•', ' ']);
        let title_like = *bold && rel.is_none()
            || line.trim().starts_with("**") && line.trim().ends_with("**") && rel.is_none()
            || !trimmed.chars().any(char::is_lowercase)
            || trimmed.starts_with('(');
        if !in_clause {
            let opens = OPENERS.iter().any(|(w, _)| {
                f.trim_start_matches(['*', '_', '-', '+', ' '])
                    .starts_with(w)
            });
            if title_like || !(opens || rel.is_some()) {
                continue;
            }
            in_clause = true;
        }
        if !chunk.is_empty() {
            chunk.push(' ');
        }
        chunk.push_str(line);
    }
    flush(&mut chunk, &mut rel, &mut out);
    out
}

/// Normalises a preamble chunk; footnote numbers (`<sup>1</sup>`) are dropped
/// first so that they do not stick to a document number.
fn prepare(chunk: &str) -> String {
    if !chunk.contains("<sup>") {
        return normalize(chunk);
    }
    let mut s = String::with_capacity(chunk.len());
    let mut rest = chunk;
    while let Some(a) = rest.find("<sup>") {
        s.push_str(&rest[..a]);
        match rest[a..].find("</sup>") {
            Some(b) => rest = &rest[a + b + "</sup>".len()..],
            None => {
                rest = &rest[a + "<sup>".len()..];
            }
        }
    }
    s.push_str(rest);
    normalize(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Reference {
        let refs = cite(text);
        assert_eq!(refs.len(), 1, "{text}: {refs:?}");
        refs.into_iter().next().unwrap_or_default()
    }

    #[test]
    fn numbers_dates_issuers() {
        let r = one("Thực hiện Kế hoạch số 15/KH-UBND ngày 19/01/2024 của Chủ tịch UBND huyện Tân Yên về thực hiện kiểm soát");
        assert_eq!(r.doc_type.as_deref(), Some("KH"));
        assert_eq!(r.number.as_deref(), Some("15/KH-UBND"));
        assert_eq!(r.date.as_deref(), Some("2024-01-19"));
        assert_eq!(r.issuer.as_deref(), Some("Chủ tịch UBND huyện Tân Yên"));
        assert_eq!(
            r.text,
            "Kế hoạch số 15/KH-UBND ngày 19/01/2024 của Chủ tịch UBND huyện Tân Yên"
        );
        let r =
            one("và Kế hoạch số 152/KH- UBND ngày 13/11/2021 của Chủ tịch UBND huyện về Cải cách");
        assert_eq!(r.number.as_deref(), Some("152/KH-UBND"));
        let r = one("Nghị Quyết số 79/NQ- CP ngày 15/7/2021 của Chính Phủ");
        assert_eq!(r.number.as_deref(), Some("79/NQ-CP"));
        assert_eq!(r.doc_type.as_deref(), Some("NQ"));
        let r = one("Căn cứ Quyết định số 45/QĐ-VPCP ngày 15 tháng 02 năm 2023 của Văn phòng Chính phủ về việc");
        assert_eq!(r.date.as_deref(), Some("2023-02-15"));
        assert_eq!(r.issuer.as_deref(), Some("Văn phòng Chính phủ"));
        let r = one("theo quy định tại Nghị định số 61/2018/NĐ-CP.");
        assert_eq!(r.doc_type.as_deref(), Some("NĐ"));
        assert_eq!(r.number.as_deref(), Some("61/2018/NĐ-CP"));
        let r = one("theo Kế hoạch số 140-KH/HU, ngày 30/5/2018 của Huyện ủy");
        assert_eq!(r.number.as_deref(), Some("140-KH/HU"));
        assert_eq!(r.date.as_deref(), Some("2018-05-30"));
        assert_eq!(r.issuer.as_deref(), Some("Huyện ủy"));
        let r = one("Luật Tổ chức chính quyền địa phương ngày 19/6/2015;");
        assert_eq!(r.doc_type.as_deref(), Some("Luật"));
        assert_eq!(r.number, None);
        assert_eq!(r.date.as_deref(), Some("2015-06-19"));
        let r = one("Căn cứ Luật Công nghiệp công nghệ số số 71/2025/QH15 ngày 14/6/2025;");
        assert_eq!(r.number.as_deref(), Some("71/2025/QH15"));
        assert_eq!(r.doc_type.as_deref(), Some("Luật"));
        let r = one("Công văn số 4625/BNV-CCHC ngày 02/7/2025 của Bộ Nội vụ về xây dựng");
        assert_eq!(r.doc_type.as_deref(), Some("CV"));
        assert!(cite("của Bộ Văn hóa, Thể thao và Du lịch").is_empty());
        let r = one("Quyết định số 12/QĐ-BVHTTDL ngày 02/01/2024 của Bộ Văn hóa, Thể thao và Du lịch về việc");
        assert_eq!(r.issuer.as_deref(), Some("Bộ Văn hóa, Thể thao và Du lịch"));
    }

    #[test]
    fn kind_heads_are_the_first_words_of_the_kinds() {
        for (phrase, _) in KINDS {
            let head = phrase.split(' ').next().unwrap_or(phrase);
            assert!(KIND_HEADS.contains(&head), "{phrase}");
        }
    }

    #[test]
    fn not_citations() {
        assert!(cite("Chương trình cải cách hành chính giai đoạn 2021 – 2030").is_empty());
        assert!(cite("Trước ngày 25/01/2024").is_empty());
        assert!(cite("Kế hoạch này").is_empty());
        assert!(cite("tỷ lệ 100%; 42/42 cơ quan").is_empty());
    }

    #[test]
    fn preamble_relations_and_nesting() {
        let (refs, _) = basis_of(
            "Căn cứ Nghị định số 63/2010/NĐ-CP ngày 08/6/2010 của Chính phủ về kiểm soát; Nghị định số 92/2017/NĐ-CP ngày 07/8/2017 của Chính phủ sửa đổi, bổ sung Nghị định số 20/2008/NĐ-CP. Thực hiện Kế hoạch số 283/KH-UBND ngày 24/9/2025 của Uỷ ban nhân dân Tỉnh về thực hiện Nghị quyết số 71/NQ-CP ngày 01/5/2025 của Chính phủ và Chương trình hành động số 10-CTr/TU ngày 13/8/2025; Ủy ban nhân dân Tỉnh ban hành Kế hoạch.",
            None,
        );
        let got: Vec<(Option<Relation>, Option<String>)> = refs
            .iter()
            .map(|r| (r.relation, r.number.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some(Relation::BasedOn), Some("63/2010/NĐ-CP".into())),
                (Some(Relation::BasedOn), Some("92/2017/NĐ-CP".into())),
                (Some(Relation::Implements), Some("283/KH-UBND".into())),
            ]
        );
        let (refs, _) = basis_of(
            "Thực hiện chỉ đạo của Chủ tịch UBND tỉnh tại Công văn số 123/UBND-VX ngày 05/3/2024, Kế hoạch số 7/KH-UBND ngày 6/3/2024 của UBND huyện và Quyết định số 9/QĐ-UBND ngày 7/3/2024 của UBND huyện, UBND xã ban hành",
            None,
        );
        assert_eq!(refs.len(), 3, "{refs:?}");
        assert_eq!(refs[0].issuer.as_deref(), Some("Chủ tịch UBND tỉnh"));
    }

    proptest::proptest! {
        #[test]
        fn citation_parser_never_panics(s in "\\PC{0,120}") {
            let _ = cite(&s);
            let _ = basis_of(&s, None);
            let _ = basis_of(&s, Some(Relation::BasedOn));
        }

        #[test]
        fn citation_parser_never_panics_on_citation_like_text(
            s in "(Căn cứ |Thực hiện |Kế hoạch |Luật |số |ngày |của |tháng |năm |[0-9]{1,4}|/|-| |KH|UBND|NĐ|;|,|\\.|⁄|Đ|ạ){0,40}"
        ) {
            let _ = cite(&s);
            let _ = basis_of(&s, None);
        }
    }
}
