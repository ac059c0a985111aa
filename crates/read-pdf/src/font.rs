//! Fonts: from a PDF font dictionary to character codes, Unicode text and widths.
//!
//! Simple fonts (Type1, TrueType, Type3) read one byte per code through their
//! `ToUnicode` map, else their `Differences` glyph names, else the base
//! encoding (WinAnsi). Type0 fonts read two bytes per code (Identity-H and
//! the other two-byte CMaps) through `ToUnicode`; their widths come from the
//! descendant font's `W` array.

use lopdf::{Dictionary, Document, Object};
use std::collections::HashMap;

/// The most entries a `ToUnicode` range may add (bounds work on hostile maps).
const MAX_RANGE: u32 = 0x1_0000;

/// One decoded font.
#[derive(Debug, Default)]
pub struct Font {
    /// Base font name (for messages and bold detection).
    pub name: String,
    /// Two-byte codes (Type0) rather than one.
    pub two_byte: bool,
    /// Code → text from the `ToUnicode` map.
    to_unicode: HashMap<u32, String>,
    /// Code → text from the encoding (simple fonts).
    encoding: HashMap<u32, char>,
    /// Code → width in glyph units (1/1000 of the size, times `width_scale`).
    widths: HashMap<u32, f32>,
    /// Width of a code the tables do not list.
    default_width: f32,
    /// Glyph units → text space (0.001, or the Type3 font matrix).
    pub width_scale: f32,
    /// Whether the font looks bold (name or descriptor weight).
    pub bold: bool,
    /// Whether codes could not be mapped to text (no `ToUnicode`, no usable encoding).
    pub unmapped: bool,
}

impl Font {
    /// Splits a string operand into character codes.
    pub fn codes(&self, bytes: &[u8]) -> Vec<u32> {
        if self.two_byte {
            bytes
                .chunks(2)
                .map(|c| {
                    if c.len() == 2 {
                        (u32::from(c[0]) << 8) | u32::from(c[1])
                    } else {
                        u32::from(c[0])
                    }
                })
                .collect()
        } else {
            bytes.iter().map(|&b| u32::from(b)).collect()
        }
    }

    /// The text of one code (empty when unknown; U+FFFD when the font has no map at all).
    pub fn text(&self, code: u32) -> Option<String> {
        if let Some(s) = self.to_unicode.get(&code) {
            return Some(s.clone());
        }
        if let Some(c) = self.encoding.get(&code) {
            return Some(c.to_string());
        }
        if self.two_byte {
            return None;
        }
        // Last resort for simple fonts: WinAnsi.
        win_ansi(code as u8).map(|c| c.to_string())
    }

    /// The width of a code in text space units per unit font size.
    pub fn width(&self, code: u32) -> f32 {
        self.widths
            .get(&code)
            .copied()
            .unwrap_or(self.default_width)
            * self.width_scale
    }
}

/// Follows a reference (bounded by lopdf).
pub fn deref<'a>(doc: &'a Document, obj: &'a Object) -> &'a Object {
    doc.dereference(obj).map(|(_, o)| o).unwrap_or(obj)
}

/// A dictionary entry, dereferenced.
pub fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key).ok().map(|o| deref(doc, o))
}

fn num(obj: &Object) -> Option<f32> {
    match obj {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

fn dict<'a>(doc: &'a Document, obj: &'a Object) -> Option<&'a Dictionary> {
    match deref(doc, obj) {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// Decodes a font dictionary.
pub fn load(doc: &Document, fd: &Dictionary) -> Font {
    let subtype = get(doc, fd, b"Subtype")
        .and_then(|o| o.as_name().ok())
        .unwrap_or(b"");
    let name = get(doc, fd, b"BaseFont")
        .and_then(|o| o.as_name().ok())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default();
    let mut font = Font {
        name: name.clone(),
        width_scale: 0.001,
        default_width: 500.0,
        ..Font::default()
    };
    let lname = name.to_ascii_lowercase();
    font.bold = ["bold", "black", "heavy", "semibold", "demi"]
        .iter()
        .any(|w| lname.contains(w));

    if let Some(Object::Stream(s)) = get(doc, fd, b"ToUnicode") {
        if let Ok(data) = s
            .decompressed_content_with_limit(4 << 20)
            .or_else(|_| Ok::<_, lopdf::Error>(s.content.clone()))
        {
            font.to_unicode = parse_cmap(&data);
        }
    }

    if subtype == b"Type0" {
        font.two_byte = true;
        font.default_width = 1000.0;
        let desc = get(doc, fd, b"DescendantFonts")
            .and_then(|o| o.as_array().ok())
            .and_then(|a| a.first())
            .and_then(|o| dict(doc, o));
        if let Some(cid) = desc {
            if let Some(dw) = get(doc, cid, b"DW").and_then(num) {
                font.default_width = dw;
            }
            if let Some(Object::Array(w)) = get(doc, cid, b"W") {
                parse_w(doc, w, &mut font.widths);
            }
            descriptor_bold(doc, cid, &mut font);
        }
        // A one-byte CMap other than Identity is rare; two bytes is the norm.
        if font.to_unicode.is_empty() {
            font.unmapped = true;
        }
        return font;
    }

    // Simple fonts.
    let first = get(doc, fd, b"FirstChar").and_then(num).unwrap_or(0.0) as u32;
    if let Some(Object::Array(ws)) = get(doc, fd, b"Widths") {
        for (i, w) in ws.iter().enumerate().take(256) {
            if let Some(v) = num(deref(doc, w)) {
                font.widths.insert(first + i as u32, v);
            }
        }
    }
    descriptor_bold(doc, fd, &mut font);
    if font.widths.is_empty() && subtype != b"Type3" {
        standard_widths(&name, font.bold, &mut font);
    }
    if let Some(Object::Dictionary(desc)) = get(doc, fd, b"FontDescriptor") {
        if let Some(mw) = get(doc, desc, b"MissingWidth").and_then(num) {
            if mw > 0.0 {
                font.default_width = mw;
            }
        }
    }
    if subtype == b"Type3" {
        if let Some(Object::Array(m)) = get(doc, fd, b"FontMatrix") {
            if let Some(a) = m.first().and_then(|o| num(deref(doc, o))) {
                font.width_scale = a;
            }
        }
    }
    match get(doc, fd, b"Encoding") {
        Some(Object::Name(n)) => base_encoding(n, &mut font.encoding),
        Some(Object::Dictionary(e)) => {
            if let Some(Object::Name(n)) = get(doc, e, b"BaseEncoding") {
                base_encoding(n, &mut font.encoding);
            }
            if let Some(Object::Array(diffs)) = get(doc, e, b"Differences") {
                let mut code = 0u32;
                for d in diffs {
                    match deref(doc, d) {
                        Object::Integer(i) => code = (*i).clamp(0, 255) as u32,
                        Object::Name(g) => {
                            if let Some(c) = glyph_char(g) {
                                font.encoding.insert(code, c);
                            } else if font.to_unicode.is_empty() {
                                font.unmapped = true;
                            }
                            code = code.saturating_add(1);
                        }
                        _ => {}
                    }
                }
            }
        }
        _ => {}
    }
    font
}

/// Widths of the standard fonts a PDF may use without a `Widths` array (ASCII only).
fn standard_widths(name: &str, bold: bool, font: &mut Font) {
    let n = name.to_ascii_lowercase();
    let table: &[u16; 95] = if n.contains("courier") || n.contains("mono") {
        font.default_width = 600.0;
        return;
    } else if n.contains("times") || n.contains("serif") {
        &TIMES_W
    } else if bold {
        &HELVETICA_BOLD_W
    } else {
        &HELVETICA_W
    };
    for (i, &w) in table.iter().enumerate() {
        font.widths.insert(32 + i as u32, f32::from(w));
    }
    font.default_width = 556.0;
}

/// Helvetica widths for codes 32–126 (1/1000 em).
#[rustfmt::skip]
const HELVETICA_W: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778,
    722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278,
    278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// Helvetica-Bold widths for codes 32–126.
#[rustfmt::skip]
const HELVETICA_BOLD_W: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778,
    722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333,
    278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/// Times-Roman widths for codes 32–126 (also used for the other Times styles).
#[rustfmt::skip]
const TIMES_W: [u16; 95] = [
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500, 500, 500,
    500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667, 722, 611, 556, 722,
    722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333,
    278, 333, 469, 500, 333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500,
    500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
];

fn descriptor_bold(doc: &Document, fd: &Dictionary, font: &mut Font) {
    if let Some(desc) = fd.get(b"FontDescriptor").ok().and_then(|o| dict(doc, o)) {
        if let Some(w) = get(doc, desc, b"FontWeight").and_then(num) {
            font.bold |= w >= 600.0;
        }
        if let Some(f) = get(doc, desc, b"Flags").and_then(num) {
            font.bold |= (f as i64) & (1 << 18) != 0;
        }
    }
}

/// The descendant font's `W` array: `c [w1 w2 …]` and `c1 c2 w`.
fn parse_w(doc: &Document, w: &[Object], out: &mut HashMap<u32, f32>) {
    let mut i = 0;
    while i < w.len() {
        let Some(c) = num(deref(doc, &w[i])) else {
            break;
        };
        let c = c.max(0.0) as u32;
        match w.get(i + 1).map(|o| deref(doc, o)) {
            Some(Object::Array(list)) => {
                for (k, v) in list.iter().enumerate().take(MAX_RANGE as usize) {
                    if let Some(v) = num(deref(doc, v)) {
                        out.insert(c + k as u32, v);
                    }
                }
                i += 2;
            }
            Some(o) => {
                let (Some(c2), Some(v)) = (num(o), w.get(i + 2).and_then(|o| num(deref(doc, o))))
                else {
                    break;
                };
                let c2 = (c2.max(0.0) as u32).min(c.saturating_add(MAX_RANGE));
                for k in c..=c2 {
                    out.insert(k, v);
                }
                i += 3;
            }
            None => break,
        }
    }
}

/// Parses the `bfchar`/`bfrange` sections of a `ToUnicode` CMap.
pub fn parse_cmap(data: &[u8]) -> HashMap<u32, String> {
    #[derive(Debug)]
    enum Tok {
        Hex(Vec<u8>),
        Word(Vec<u8>),
        Open,
        Close,
    }
    let mut toks = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        match b {
            b'<' => {
                let end = data[i + 1..]
                    .iter()
                    .position(|&c| c == b'>')
                    .map_or(data.len(), |p| i + 1 + p);
                let hex: Vec<u8> = data[i + 1..end]
                    .iter()
                    .copied()
                    .filter(u8::is_ascii_hexdigit)
                    .collect();
                let mut bytes = Vec::with_capacity(hex.len() / 2 + 1);
                for pair in hex.chunks(2) {
                    let s = std::str::from_utf8(pair).unwrap_or("0");
                    let v = u8::from_str_radix(s, 16).unwrap_or(0);
                    bytes.push(if pair.len() == 1 { v << 4 } else { v });
                }
                toks.push(Tok::Hex(bytes));
                i = end + 1;
            }
            b'[' => {
                toks.push(Tok::Open);
                i += 1;
            }
            b']' => {
                toks.push(Tok::Close);
                i += 1;
            }
            b'%' => {
                while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                    i += 1;
                }
            }
            b if b.is_ascii_whitespace() => i += 1,
            _ => {
                let start = i;
                while i < data.len()
                    && !data[i].is_ascii_whitespace()
                    && !matches!(data[i], b'<' | b'[' | b']' | b'%')
                {
                    i += 1;
                }
                toks.push(Tok::Word(data[start..i].to_vec()));
            }
        }
    }
    fn code(b: &[u8]) -> u32 {
        b.iter()
            .take(4)
            .fold(0u32, |acc, &x| (acc << 8) | u32::from(x))
    }
    fn utf16(b: &[u8]) -> String {
        let units: Vec<u16> = b
            .chunks(2)
            .map(|c| {
                if c.len() == 2 {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from(c[0])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    }
    fn bump(b: &[u8], k: u32) -> Vec<u8> {
        // Add k to the last byte (the usual case); carry into the one before.
        let mut v = b.to_vec();
        if let Some(last) = v.last_mut() {
            let sum = u32::from(*last) + k;
            *last = (sum & 0xff) as u8;
            let carry = sum >> 8;
            if carry > 0 && v.len() >= 2 {
                let n = v.len();
                v[n - 2] = v[n - 2].wrapping_add(carry as u8);
            }
        }
        v
    }
    let mut map = HashMap::new();
    let mut mode = 0u8; // 1 bfchar, 2 bfrange
    let mut k = 0;
    while k < toks.len() {
        match &toks[k] {
            Tok::Word(w) if w == b"beginbfchar" => mode = 1,
            Tok::Word(w) if w == b"beginbfrange" => mode = 2,
            Tok::Word(w) if w == b"endbfchar" || w == b"endbfrange" => mode = 0,
            Tok::Hex(src) if mode == 1 => {
                if let Some(Tok::Hex(dst)) = toks.get(k + 1) {
                    map.insert(code(src), utf16(dst));
                    k += 1;
                } else if let Some(Tok::Word(name)) = toks.get(k + 1) {
                    if let Some(c) = glyph_char(name.strip_prefix(b"/").unwrap_or(name)) {
                        map.insert(code(src), c.to_string());
                    }
                    k += 1;
                }
            }
            Tok::Hex(lo) if mode == 2 => {
                let (Some(Tok::Hex(hi)), Some(next)) = (toks.get(k + 1), toks.get(k + 2)) else {
                    break;
                };
                let (lo_c, hi_c) = (code(lo), code(hi));
                let n = hi_c.saturating_sub(lo_c).min(MAX_RANGE);
                match next {
                    Tok::Hex(dst) => {
                        for j in 0..=n {
                            map.insert(lo_c + j, utf16(&bump(dst, j)));
                        }
                        k += 2;
                    }
                    Tok::Open => {
                        let mut j = 0;
                        let mut m = k + 3;
                        while let Some(Tok::Hex(dst)) = toks.get(m) {
                            if j <= n {
                                map.insert(lo_c + j, utf16(dst));
                            }
                            j += 1;
                            m += 1;
                        }
                        k = m;
                    }
                    _ => k += 1,
                }
            }
            _ => {}
        }
        k += 1;
    }
    map
}

fn base_encoding(name: &[u8], out: &mut HashMap<u32, char>) {
    match name {
        b"WinAnsiEncoding" | b"StandardEncoding" | b"PDFDocEncoding" => {
            for c in 32u32..=255 {
                if let Some(ch) = win_ansi(c as u8) {
                    out.insert(c, ch);
                }
            }
        }
        b"MacRomanEncoding" => {
            for c in 32u32..127 {
                out.insert(c, c as u8 as char);
            }
            for (i, ch) in MAC_ROMAN_HIGH.chars().enumerate() {
                out.insert(128 + i as u32, ch);
            }
        }
        _ => {}
    }
}

const MAC_ROMAN_HIGH: &str = "ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø¿¡¬√ƒ≈∆«»… ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄€‹›ﬁﬂ‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\u{F8FF}ÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇ";

/// WinAnsi (cp1252) code → char.
pub fn win_ansi(b: u8) -> Option<char> {
    const HIGH: [u16; 32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
        0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
        0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ];
    match b {
        0..=31 => None,
        0x80..=0x9F => char::from_u32(u32::from(HIGH[(b - 0x80) as usize])).filter(|&c| c != '\0'),
        _ => Some(b as char),
    }
}

/// A glyph name → char: `uniXXXX`, `uXXXX`, and the common Adobe names.
pub fn glyph_char(name: &[u8]) -> Option<char> {
    let s = std::str::from_utf8(name).ok()?;
    let base = s.split('.').next().unwrap_or(s);
    if let Some(hex) = base.strip_prefix("uni") {
        if hex.len() >= 4 {
            return u32::from_str_radix(&hex[..4], 16)
                .ok()
                .and_then(char::from_u32);
        }
    }
    if let Some(hex) = base.strip_prefix('u') {
        if (4..=6).contains(&hex.len()) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
        }
    }
    if base.len() == 1 && base.as_bytes()[0].is_ascii_alphabetic() {
        return base.chars().next();
    }
    let c = match base {
        "space" | "nbspace" | "nonbreakingspace" => ' ',
        "exclam" => '!',
        "quotedbl" => '"',
        "numbersign" => '#',
        "dollar" => '$',
        "percent" => '%',
        "ampersand" => '&',
        "quotesingle" => '\'',
        "parenleft" => '(',
        "parenright" => ')',
        "asterisk" => '*',
        "plus" => '+',
        "comma" => ',',
        "hyphen" | "minus" => '-',
        "period" => '.',
        "slash" => '/',
        "zero" => '0',
        "one" => '1',
        "two" => '2',
        "three" => '3',
        "four" => '4',
        "five" => '5',
        "six" => '6',
        "seven" => '7',
        "eight" => '8',
        "nine" => '9',
        "colon" => ':',
        "semicolon" => ';',
        "less" => '<',
        "equal" => '=',
        "greater" => '>',
        "question" => '?',
        "at" => '@',
        "bracketleft" => '[',
        "backslash" => '\\',
        "bracketright" => ']',
        "asciicircum" => '^',
        "underscore" => '_',
        "grave" => '`',
        "braceleft" => '{',
        "bar" => '|',
        "braceright" => '}',
        "asciitilde" => '~',
        "quoteleft" => '‘',
        "quoteright" => '’',
        "quotedblleft" => '“',
        "quotedblright" => '”',
        "endash" => '–',
        "emdash" => '—',
        "bullet" => '•',
        "ellipsis" => '…',
        "degree" => '°',
        "Dcroat" | "Dslash" => 'Đ',
        "dcroat" | "dmacron" => 'đ',
        "Abreve" => 'Ă',
        "abreve" => 'ă',
        "Ohorn" => 'Ơ',
        "ohorn" => 'ơ',
        "Uhorn" => 'Ư',
        "uhorn" => 'ư',
        "Itilde" => 'Ĩ',
        "itilde" => 'ĩ',
        "Utilde" => 'Ũ',
        "utilde" => 'ũ',
        "fi" => return None,
        _ => return latin1_name(base),
    };
    Some(c)
}

/// Latin-1 letters named `<base><accent>` (`agrave`, `Ecircumflex`, …).
fn latin1_name(name: &str) -> Option<char> {
    const ACCENTS: [(&str, char); 6] = [
        ("grave", '\u{300}'),
        ("acute", '\u{301}'),
        ("circumflex", '\u{302}'),
        ("tilde", '\u{303}'),
        ("dieresis", '\u{308}'),
        ("ring", '\u{30A}'),
    ];
    for (acc, comb) in ACCENTS {
        if let Some(base) = name.strip_suffix(acc) {
            if base.len() == 1 && base.as_bytes()[0].is_ascii_alphabetic() {
                let s: String = [base.chars().next()?, comb].iter().collect();
                return kehoach_text::nfc(&s).chars().next();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmap_char_and_ranges() {
        let m = parse_cmap(
            b"begincmap 2 beginbfchar <0003> <0020> <01> <1EA1> endbfchar 2 beginbfrange <0010> <0012> <0041> <0020> <0021> [<0111> <01B0>] endbfrange",
        );
        assert_eq!(m.get(&3).map(String::as_str), Some(" "));
        assert_eq!(m.get(&1).map(String::as_str), Some("ạ"));
        assert_eq!(m.get(&0x12).map(String::as_str), Some("C"));
        assert_eq!(m.get(&0x21).map(String::as_str), Some("ư"));
    }

    #[test]
    fn glyph_names() {
        assert_eq!(glyph_char(b"uni1EA1"), Some('ạ'));
        assert_eq!(glyph_char(b"ohorn"), Some('ơ'));
        assert_eq!(glyph_char(b"Ecircumflex"), Some('Ê'));
        assert_eq!(glyph_char(b"seven"), Some('7'));
        assert_eq!(win_ansi(0x93), Some('“'));
    }
}
