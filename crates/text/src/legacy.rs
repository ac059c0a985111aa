//! Legacy 8-bit Vietnamese encodings: TCVN3 (ABC), VNI, VISCII and
//! Windows-1258, decoded to Unicode (NFC).
//!
//! Before Unicode, Vietnamese text was typed in 8-bit font encodings. Read as
//! Unicode, such text looks like `KÕ ho¹ch` (TCVN3) or `Keá hoaïch` (VNI).
//! The conversion tables are data: [`TABLE`] (the file `legacy.tsv`) lists
//! every Vietnamese letter that is not ASCII (67 letters in both cases) with
//! its bytes in each encoding. Decoders are built from it, and the tests run
//! every letter of it through an encode → decode round trip.
//!
//! The decoders work on text whose characters stand for bytes: a byte `b`
//! read as Latin-1 (`char::from(b)`), or as Windows-1252 for `0x80..=0x9F`,
//! which is what a word processor gives for text in a legacy font. Other
//! characters pass through unchanged.
//!
//! ```
//! use kehoach_text::legacy::{decode_legacy, detect_legacy, Encoding};
//! assert_eq!(decode_legacy("KÕ ho¹ch", Encoding::Tcvn3), "Kế hoạch");
//! assert_eq!(decode_legacy("Keá hoaïch", Encoding::Vni), "Kế hoạch");
//! let (enc, text) = detect_legacy("KÕ ho¹ch thùc hiÖn n¨m 2024").unwrap();
//! assert_eq!((enc, text.as_str()), (Encoding::Tcvn3, "Kế hoạch thực hiện năm 2024"));
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

/// The conversion table: `letter TAB TCVN3 TAB VNI TAB VISCII TAB Windows-1258`,
/// bytes in hex, `#` comment lines. See the file's header for its sources.
pub const TABLE: &str = include_str!("legacy.tsv");

/// A legacy Vietnamese encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Encoding {
    /// TCVN 5712:1993 VN3, "ABC" (`.VnTime` fonts). It has no codes for capitals
    /// with tone marks: capitals come from the all-capitals `…H` fonts.
    Tcvn3,
    /// TCVN3 shown in an all-capitals font (`.VnTimeH`, `.VnArialH`, …): every
    /// letter is a capital.
    Tcvn3Caps,
    /// VNI for Windows (`VNI-Times` fonts): a toned letter is its base letter
    /// followed by a mark byte.
    Vni,
    /// VISCII (RFC 1456).
    Viscii,
    /// Windows code page 1258: base letters followed by combining tone marks.
    Windows1258,
}

impl Encoding {
    /// Every encoding, in the order detection tries them.
    pub const ALL: [Encoding; 5] = [
        Encoding::Tcvn3,
        Encoding::Vni,
        Encoding::Windows1258,
        Encoding::Viscii,
        Encoding::Tcvn3Caps,
    ];

    /// A short name for messages (`TCVN3`, `VNI`, …).
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Tcvn3 => "TCVN3",
            Encoding::Tcvn3Caps => "TCVN3 (capitals font)",
            Encoding::Vni => "VNI",
            Encoding::Viscii => "VISCII",
            Encoding::Windows1258 => "Windows-1258",
        }
    }
}

/// One row of [`TABLE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    /// The Unicode letter (NFC).
    pub letter: char,
    /// Its TCVN3 byte (the lower-case letter's byte for toned capitals).
    pub tcvn3: Vec<u8>,
    /// Its VNI bytes (one or two).
    pub vni: Vec<u8>,
    /// Its VISCII byte.
    pub viscii: Vec<u8>,
    /// Its Windows-1258 bytes (one, or base letter + combining mark).
    pub cp1258: Vec<u8>,
}

fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || s.len() & 1 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

/// The rows of [`TABLE`] (malformed lines are skipped; the tests check there are none).
pub fn table() -> &'static [TableRow] {
    static ROWS: OnceLock<Vec<TableRow>> = OnceLock::new();
    ROWS.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                let [letter, t, v, vi, c] = f.as_slice() else {
                    return None;
                };
                let mut chars = letter.chars();
                let (Some(letter), None) = (chars.next(), chars.next()) else {
                    return None;
                };
                Some(TableRow {
                    letter,
                    tcvn3: hex_bytes(t)?,
                    vni: hex_bytes(v)?,
                    viscii: hex_bytes(vi)?,
                    cp1258: hex_bytes(c)?,
                })
            })
            .collect()
    })
}

/// Windows-1252 characters for bytes `0x80..=0x9F` (`None`: unassigned, kept as the C1 control).
const CP1252_HIGH: [Option<char>; 32] = [
    Some('\u{20AC}'),
    None,
    Some('\u{201A}'),
    Some('\u{0192}'),
    Some('\u{201E}'),
    Some('\u{2026}'),
    Some('\u{2020}'),
    Some('\u{2021}'),
    Some('\u{02C6}'),
    Some('\u{2030}'),
    Some('\u{0160}'),
    Some('\u{2039}'),
    Some('\u{0152}'),
    None,
    Some('\u{017D}'),
    None,
    None,
    Some('\u{2018}'),
    Some('\u{2019}'),
    Some('\u{201C}'),
    Some('\u{201D}'),
    Some('\u{2022}'),
    Some('\u{2013}'),
    Some('\u{2014}'),
    Some('\u{02DC}'),
    Some('\u{2122}'),
    Some('\u{0161}'),
    Some('\u{203A}'),
    Some('\u{0153}'),
    None,
    Some('\u{017E}'),
    Some('\u{0178}'),
];

/// The byte a character stands for in legacy-font text: Latin-1, or the
/// Windows-1252 byte for its `0x80..=0x9F` characters. `None` for other characters.
pub fn char_to_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if u <= 0xFF {
        return Some(u as u8);
    }
    CP1252_HIGH
        .iter()
        .position(|&x| x == Some(c))
        .map(|i| 0x80 + i as u8)
}

/// The character a byte reads as in Windows-1252 (Latin-1 where 1252 leaves it unassigned).
pub fn byte_to_char(b: u8) -> char {
    match b {
        0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)].unwrap_or(char::from(b)),
        _ => char::from(b),
    }
}

/// A decoder built from the table: single bytes and byte pairs to letters.
#[derive(Default)]
struct Decoder {
    single: HashMap<u8, char>,
    pair: HashMap<(u8, u8), char>,
}

fn decoder(enc: Encoding) -> &'static Decoder {
    static DECODERS: OnceLock<[Decoder; 4]> = OnceLock::new();
    let all = DECODERS.get_or_init(|| {
        let mut tcvn = Decoder::default();
        let mut vni = Decoder::default();
        let mut viscii = Decoder::default();
        let mut cp = Decoder::default();
        for r in table() {
            if let [b] = r.tcvn3[..] {
                // Toned capitals share the lower-case code: the lower-case letter wins.
                if r.letter.is_lowercase() || !tcvn.single.contains_key(&b) {
                    tcvn.single.insert(b, r.letter);
                }
            }
            match r.vni[..] {
                [b] => {
                    vni.single.insert(b, r.letter);
                }
                [a, b] => {
                    vni.pair.insert((a, b), r.letter);
                }
                _ => {}
            }
            if let [b] = r.viscii[..] {
                viscii.single.insert(b, r.letter);
            }
            match r.cp1258[..] {
                [b] if b >= 0x80 => {
                    cp.single.insert(b, r.letter);
                }
                [_, m] => {
                    // The second byte is a combining tone mark: the one the letter's NFD ends with.
                    if let Some(mark) = r.letter.to_string().nfd().find(|c| is_tone_mark(*c)) {
                        cp.single.insert(m, mark);
                    }
                }
                _ => {}
            }
        }
        // Lower-case TCVN3 codes are the same for capitals; keep lower case.
        tcvn.single
            .retain(|&b, c| b >= 0x80 && (c.is_lowercase() || (0xA1..=0xA7).contains(&b)));
        [tcvn, vni, viscii, cp]
    });
    match enc {
        Encoding::Tcvn3 | Encoding::Tcvn3Caps => &all[0],
        Encoding::Vni => &all[1],
        Encoding::Viscii => &all[2],
        Encoding::Windows1258 => &all[3],
    }
}

fn is_tone_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}' | '\u{0301}' | '\u{0303}' | '\u{0309}' | '\u{0323}'
    )
}

/// Decodes text whose characters stand for legacy bytes (see the module docs).
/// The result is NFC.
pub fn decode_legacy(text: &str, enc: Encoding) -> String {
    let items: Vec<Item> = text
        .chars()
        .map(|c| char_to_byte(c).map_or(Item::Char(c), Item::Byte))
        .collect();
    decode_items(&items, enc)
}

/// Decodes the bytes of a legacy-encoded file. The result is NFC.
pub fn decode_legacy_bytes(bytes: &[u8], enc: Encoding) -> String {
    let items: Vec<Item> = bytes.iter().map(|&b| Item::Byte(b)).collect();
    decode_items(&items, enc)
}

#[derive(Clone, Copy)]
enum Item {
    Byte(u8),
    Char(char),
}

fn decode_items(items: &[Item], enc: Encoding) -> String {
    let d = decoder(enc);
    let mut out = String::with_capacity(items.len() + items.len() / 4);
    let mut i = 0;
    while i < items.len() {
        match items[i] {
            Item::Char(c) => out.push(c),
            Item::Byte(b) => {
                let next = match items.get(i + 1) {
                    Some(Item::Byte(n)) => Some(*n),
                    _ => None,
                };
                if let Some(c) = next.and_then(|n| d.pair.get(&(b, n))) {
                    out.push(*c);
                    i += 1;
                } else if let Some(c) = d.single.get(&b) {
                    out.push(*c);
                } else if enc == Encoding::Viscii
                    && b < 0x20
                    && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)
                {
                    out.push(char::from(b));
                } else {
                    out.push(byte_to_char(b));
                }
            }
        }
        i += 1;
    }
    let out = match enc {
        Encoding::Tcvn3Caps => out.chars().flat_map(char::to_uppercase).collect(),
        Encoding::Tcvn3 => recase_tcvn3(&out),
        _ => out,
    };
    out.nfc().collect()
}

/// TCVN3 writes toned capitals with lower-case codes. Where the rest of the
/// text shows that it was meant in capitals, restore them: a line without
/// lower-case ASCII letters (and at least two capitals) is upper-cased, and
/// so is a word with two or more ASCII capitals and no ASCII lower case
/// (`HOạCH` → `HOẠCH`). A word like `Kế` stays as it is.
fn recase_tcvn3(s: &str) -> String {
    let caps_only = |t: &str| {
        let upper = t.chars().filter(|c| c.is_ascii_uppercase()).count();
        upper >= 2 && !t.chars().any(|c| c.is_ascii_lowercase())
    };
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if caps_only(line) {
            out.extend(line.chars().flat_map(char::to_uppercase));
            continue;
        }
        let mut word = String::new();
        for c in line.chars().chain(std::iter::once(' ')) {
            if c.is_alphabetic() {
                word.push(c);
                continue;
            }
            if caps_only(&word) {
                out.extend(word.chars().flat_map(char::to_uppercase));
            } else {
                out.push_str(&word);
            }
            word.clear();
            out.push(c);
        }
        out.pop();
    }
    out
}

/// Encodes Unicode text in a legacy encoding (for tests and fixtures).
/// Characters the encoding cannot write come back as `None`. For
/// [`Encoding::Tcvn3`] toned capitals are written with their lower-case code,
/// as the encoding does (they read back as lower case unless the font is an
/// all-capitals one).
pub fn encode_legacy(text: &str, enc: Encoding) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.nfc() {
        if c.is_ascii() {
            out.push(c as u8);
            continue;
        }
        let row = table().iter().find(|r| r.letter == c)?;
        let bytes = match enc {
            Encoding::Tcvn3 | Encoding::Tcvn3Caps => &row.tcvn3,
            Encoding::Vni => &row.vni,
            Encoding::Viscii => &row.viscii,
            Encoding::Windows1258 => &row.cp1258,
        };
        out.extend_from_slice(bytes);
    }
    Some(out)
}

/// The legacy encoding a font implies, from its name: `.VnTime` → TCVN3,
/// `.VnTimeH` (any `.Vn…H`) → TCVN3 capitals, `VNI-Times` (any `VNI-…`) → VNI,
/// `VISCII …`/`VI-…` → VISCII. `None` for Unicode fonts.
///
/// ```
/// use kehoach_text::legacy::{font_encoding, Encoding};
/// assert_eq!(font_encoding(".VnTimeH"), Some(Encoding::Tcvn3Caps));
/// assert_eq!(font_encoding("VNI-Times"), Some(Encoding::Vni));
/// assert_eq!(font_encoding("Times New Roman"), None);
/// ```
pub fn font_encoding(font: &str) -> Option<Encoding> {
    let f = font.trim();
    let lower = f.to_ascii_lowercase();
    if lower.starts_with(".vn") {
        return Some(if f.ends_with('H') {
            Encoding::Tcvn3Caps
        } else {
            Encoding::Tcvn3
        });
    }
    if lower.starts_with("vni-") || lower.starts_with("vni ") || lower == "vni" {
        return Some(Encoding::Vni);
    }
    if lower.starts_with("viscii") || lower.starts_with("vi-") || lower.starts_with("vi ") {
        return Some(Encoding::Viscii);
    }
    None
}

/// How many alphabetic tokens of `text` there are, and how many of them are
/// valid Vietnamese syllables.
fn syllable_score(text: &str) -> (usize, usize) {
    let mut total = 0;
    let mut valid = 0;
    for tok in text.split(|c: char| !(c.is_alphabetic() || is_tone_mark(c))) {
        if tok.is_empty() {
            continue;
        }
        total += 1;
        if crate::is_valid_syllable(tok) {
            valid += 1;
        }
    }
    (total, valid)
}

/// Whether text may be legacy-encoded: it has characters standing for high
/// bytes and no Vietnamese letters of its own.
fn may_be_legacy(text: &str) -> bool {
    let mut high = 0usize;
    for c in text.chars() {
        let u = c as u32;
        if (0x80..=0xFF).contains(&u) || (u > 0xFF && char_to_byte(c).is_some()) {
            high += 1;
        } else if u > 0xFF && !crate::is_invisible(c) && !crate::is_space(c) {
            // A character no legacy font text has: real Unicode text.
            if c.is_alphabetic() {
                return false;
            }
        }
    }
    high > 0
}

/// Detects a legacy encoding by decoding with every candidate and keeping
/// the one with the highest share of valid Vietnamese syllables, when it
/// clearly beats the text as it is. Returns the encoding and the decoded
/// text, or `None` when the text is not legacy-encoded.
pub fn detect_legacy(text: &str) -> Option<(Encoding, String)> {
    if !may_be_legacy(text) {
        return None;
    }
    best_candidate(text, syllable_score(text), |enc| decode_legacy(text, enc))
}

/// [`detect_legacy`] for the bytes of a file that is not valid UTF-8.
pub fn detect_legacy_bytes(bytes: &[u8]) -> Option<(Encoding, String)> {
    if bytes.is_ascii() {
        return None;
    }
    // Scoring every candidate decoding is the slow part: decide on a sample,
    // then decode the whole file once with the winner.
    const SAMPLE: usize = 64 * 1024;
    if bytes.len() > SAMPLE {
        let (enc, _) = detect_legacy_bytes(&bytes[..SAMPLE])?;
        return Some((enc, decode_legacy_bytes(bytes, enc)));
    }
    let latin: String = bytes.iter().map(|&b| byte_to_char(b)).collect();
    best_candidate(&latin, syllable_score(&latin), |enc| {
        decode_legacy_bytes(bytes, enc)
    })
}

fn best_candidate(
    original: &str,
    (total, valid): (usize, usize),
    decode: impl Fn(Encoding) -> String,
) -> Option<(Encoding, String)> {
    if total == 0 {
        return None;
    }
    let base = valid as f64 / total as f64;
    let mut best: Option<(f64, Encoding, String)> = None;
    for enc in Encoding::ALL {
        if enc == Encoding::Tcvn3Caps {
            // Same syllables as TCVN3, only capitalised: never better by score.
            continue;
        }
        let text = decode(enc);
        if text == original {
            continue;
        }
        let (t, v) = syllable_score(&text);
        let share = if t == 0 { 0.0 } else { v as f64 / t as f64 };
        let better = match &best {
            None => true,
            Some((s, _, _)) => share > *s,
        };
        if better {
            best = Some((share, enc, text));
        }
    }
    let (share, enc, text) = best?;
    // The decoding must make clearly more words Vietnamese than before.
    (share >= 0.5 && share > base + 0.05).then_some((enc, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIET_LOWER: &str = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ";

    #[test]
    fn table_has_every_letter_in_both_cases() {
        let rows = table();
        assert_eq!(rows.len(), 134);
        assert_eq!(
            TABLE
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .count(),
            134
        );
        for c in VIET_LOWER.chars() {
            assert!(rows.iter().any(|r| r.letter == c), "{c}");
            let up = c.to_uppercase().next().unwrap_or(c);
            assert!(rows.iter().any(|r| r.letter == up), "{up}");
        }
    }

    #[test]
    fn round_trip_every_letter() {
        for r in table() {
            let s = r.letter.to_string();
            for enc in [Encoding::Vni, Encoding::Viscii, Encoding::Windows1258] {
                let bytes = encode_legacy(&s, enc).unwrap_or_default();
                assert_eq!(decode_legacy_bytes(&bytes, enc), s, "{enc:?} {s}");
                // The same through Windows-1252 characters, as a word processor gives them.
                let chars: String = bytes.iter().map(|&b| byte_to_char(b)).collect();
                assert_eq!(decode_legacy(&chars, enc), s, "{enc:?} chars {s}");
            }
            // TCVN3: capitals come back through the capitals font.
            let enc = if r.letter.is_uppercase() {
                Encoding::Tcvn3Caps
            } else {
                Encoding::Tcvn3
            };
            let bytes = encode_legacy(&s, enc).unwrap_or_default();
            assert_eq!(decode_legacy_bytes(&bytes, enc), s, "{enc:?} {s}");
        }
    }

    #[test]
    fn round_trip_words_in_context() {
        let text =
            "Kế hoạch thực hiện kiểm soát thủ tục hành chính năm 2024; Đội ngũ ưu tiên (một cửa).";
        for enc in [Encoding::Vni, Encoding::Viscii, Encoding::Windows1258] {
            let bytes = encode_legacy(text, enc).unwrap_or_default();
            let chars: String = bytes.iter().map(|&b| byte_to_char(b)).collect();
            assert_eq!(decode_legacy(&chars, enc), text, "{enc:?}");
        }
        // Upper-case toned letters need the capitals font in TCVN3.
        let caps = "KẾ HOẠCH THỰC HIỆN NĂM 2024";
        let bytes = encode_legacy(caps, Encoding::Tcvn3Caps).unwrap_or_default();
        assert_eq!(decode_legacy_bytes(&bytes, Encoding::Tcvn3Caps), caps);
    }

    #[test]
    fn detects_each_encoding() {
        let text = "Thực hiện kế hoạch số 15 của Ủy ban nhân dân huyện về kiểm soát thủ tục hành chính và cơ chế một cửa liên thông năm 2024";
        for enc in [
            Encoding::Tcvn3,
            Encoding::Vni,
            Encoding::Viscii,
            Encoding::Windows1258,
        ] {
            let bytes = encode_legacy(text, enc).unwrap_or_default();
            let (got, decoded) =
                detect_legacy_bytes(&bytes).unwrap_or((Encoding::Tcvn3Caps, String::new()));
            assert_eq!(got, enc);
            let expected = if enc == Encoding::Tcvn3 {
                text.replace('Ủ', "ủ")
            } else {
                text.to_string()
            };
            // (TCVN3 cannot tell `Ủy` from `ủy`.)
            assert_eq!(decoded, expected, "{enc:?}");
        }
    }

    #[test]
    fn unicode_and_plain_text_are_left_alone() {
        assert_eq!(detect_legacy("Kế hoạch thực hiện"), None);
        assert_eq!(detect_legacy("Plain ASCII text"), None);
        assert_eq!(detect_legacy("Café crème brûlée à Paris"), None);
        assert_eq!(detect_legacy_bytes(b"plain"), None);
    }

    #[test]
    fn tcvn3_capitals_restored_from_context() {
        assert_eq!(
            decode_legacy("KÕ HO¹CH\nX¢Y DùNG V¡N B¶N", Encoding::Tcvn3),
            "KẾ HOẠCH\nXÂY DỰNG VĂN BẢN"
        );
        assert_eq!(
            decode_legacy("KÕ ho¹ch cña UBND", Encoding::Tcvn3),
            "Kế hoạch của UBND"
        );
        assert_eq!(
            decode_legacy("theo TTHC, B¶N", Encoding::Tcvn3),
            "theo TTHC, BẢN"
        );
    }

    #[test]
    fn fonts() {
        assert_eq!(font_encoding(".VnTime"), Some(Encoding::Tcvn3));
        assert_eq!(font_encoding(".VnArialH"), Some(Encoding::Tcvn3Caps));
        assert_eq!(font_encoding("VNI-Helve"), Some(Encoding::Vni));
        assert_eq!(font_encoding("Arial"), None);
    }
}
