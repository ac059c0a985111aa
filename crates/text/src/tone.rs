//! Tone-mark placement in open `oa`, `oe`, `uy` syllables.
//!
//! Vietnamese has two accepted styles for these syllables: the traditional
//! `hòa, thủy, khỏe` (tone on the first vowel) and the modern `hoà, thuỷ, khoẻ`
//! (tone on the second). kehoach canonicalises to one style. Syllables where
//! the choice does not arise are never touched: `quý` (the `u` belongs to `qu`),
//! `giá`, closed syllables such as `hoàn`, `thuyết`, `khoảng`, `hoạch`, and
//! words that are not Vietnamese syllables at all.

use std::borrow::Cow;

use unicode_normalization::char::is_combining_mark;

/// Combining marks (no mark lies below U+0300).
fn is_mark(c: char) -> bool {
    c >= '\u{0300}' && is_combining_mark(c)
}

use unicode_normalization::UnicodeNormalization;

use crate::fold::fold_char;
use crate::syllable::{parse, split_tone, with_tone, Tone};

/// Which vowel of an open `oa`/`oe`/`uy` syllable carries the tone mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ToneStyle {
    /// `hòa, thủy, khỏe` (the default).
    #[default]
    Traditional,
    /// `hoà, thuỷ, khoẻ`.
    Modern,
}

/// Moves tone marks in every open `oa`/`oe`/`uy` syllable of `s` to `style`.
///
/// Words are runs of letters and combining marks; a word written with
/// combining tone marks (NFD) is composed before it is looked at, and comes
/// back composed only when its tone mark moved.
///
/// ```
/// use kehoach_text::{canon_tones, ToneStyle};
/// assert_eq!(canon_tones("hoá thuỷ khoẻ", ToneStyle::Traditional), "hóa thủy khỏe");
/// assert_eq!(canon_tones("hóa thủy", ToneStyle::Modern), "hoá thuỷ");
/// assert_eq!(canon_tones("quý hoàn thuyết", ToneStyle::Traditional), "quý hoàn thuyết");
/// ```
pub fn canon_tones(s: &str, style: ToneStyle) -> String {
    canon_tones_cow(s, style).into_owned()
}

/// [`canon_tones`], borrowing `s` when nothing moves.
pub fn canon_tones_cow(s: &str, style: ToneStyle) -> Cow<'_, str> {
    let b = s.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut start: Option<usize> = None;
    let mut has_mark = false;
    let mut i = 0;
    loop {
        let (kind, len) = if i < b.len() {
            word_char_at(s, i)
        } else {
            (None, 0)
        };
        match (kind, start) {
            (Some(mark), None) => {
                start = Some(i);
                has_mark = mark;
            }
            (Some(mark), Some(_)) => has_mark |= mark,
            (None, Some(st)) => {
                start = None;
                let word = s.get(st..i).unwrap_or_default();
                if let Some(new) = canon_word(word, has_mark, style) {
                    let buf = out.get_or_insert_with(|| String::with_capacity(s.len()));
                    buf.push_str(s.get(copied..st).unwrap_or_default());
                    buf.push_str(&new);
                    copied = i;
                }
            }
            (None, None) => {}
        }
        if i >= b.len() {
            break;
        }
        i += len;
    }
    match out {
        None => Cow::Borrowed(s),
        Some(mut buf) => {
            buf.push_str(s.get(copied..).unwrap_or_default());
            Cow::Owned(buf)
        }
    }
}

/// [`word_char`] of the char starting at byte `i` of `s` (a char boundary),
/// and the char's length. ASCII and the Latin letters Vietnamese is written
/// with are classified from their bytes, without the Unicode tables.
#[inline]
pub(crate) fn word_char_at(s: &str, i: usize) -> (Option<bool>, usize) {
    let b = s.as_bytes();
    let lead = b[i];
    if lead < 0x80 {
        return (lead.is_ascii_alphabetic().then_some(false), 1);
    }
    let next = b.get(i + 1).copied().unwrap_or(0);
    match lead {
        // U+00C0–U+00FF: letters but for `×` (C3 97) and `÷` (C3 B7).
        0xC3 if !matches!(next, 0x97 | 0xB7) => return (Some(false), 2),
        // U+0100–U+027F: Latin Extended-A and -B, IPA: all letters.
        0xC4..=0xC9 => return (Some(false), 2),
        // U+1E00–U+1EFF: Latin Extended Additional (E1 B8 80 … E1 BB BF).
        0xE1 if matches!(next, 0xB8..=0xBB) => return (Some(false), 3),
        _ => {}
    }
    match s.get(i..).and_then(|r| r.chars().next()) {
        Some(c) => (word_char(c), c.len_utf8()),
        None => (None, 1),
    }
}

/// Whether `c` belongs to a word: `Some(true)` for a combining mark,
/// `Some(false)` for a letter, `None` otherwise.
fn word_char(c: char) -> Option<bool> {
    if c.is_ascii() {
        return c.is_ascii_alphabetic().then_some(false);
    }
    if ('\u{1E00}'..='\u{1EFF}').contains(&c) {
        // Latin Extended Additional: all letters (the toned Vietnamese vowels).
        return Some(false);
    }
    if is_mark(c) {
        Some(true)
    } else {
        c.is_alphabetic().then_some(false)
    }
}

/// Cheap test: could this word (without combining marks) need a move at all?
fn is_candidate(word: &str) -> bool {
    let mut rev = word.chars().rev();
    let (Some(last), Some(prev)) = (rev.next(), rev.next()) else {
        return false;
    };
    if last.is_ascii() && prev.is_ascii() {
        return false;
    }
    if !matches!(fold_char(last), 'a' | 'e' | 'y') || !matches!(fold_char(prev), 'o' | 'u') {
        return false;
    }
    let (b1, t1) = split_tone(lower(last));
    let (b0, t0) = split_tone(lower(prev));
    matches!((b0, b1), ('o', 'a') | ('o', 'e') | ('u', 'y'))
        && (t0 != Tone::Level || t1 != Tone::Level)
}

fn lower(c: char) -> char {
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// The word with its tone moved to `style`, or `None` when it stays as is.
pub(crate) fn canon_word(word: &str, has_mark: bool, style: ToneStyle) -> Option<String> {
    if has_mark {
        let composed: String = word.nfc().collect();
        if composed.chars().any(is_mark) {
            return None;
        }
        return is_candidate(&composed)
            .then(|| canon_nfc_word(&composed, style))
            .flatten();
    }
    if !is_candidate(word) {
        return None;
    }
    canon_nfc_word(word, style)
}

fn canon_nfc_word(word: &str, style: ToneStyle) -> Option<String> {
    let p = parse(word)?;
    let pair = p.open_pair?;
    let from = p.tone_pos?;
    let to = match style {
        ToneStyle::Traditional => pair,
        ToneStyle::Modern => pair + 1,
    };
    if from == to || p.tone == Tone::Level {
        return None;
    }
    let mut chars = p.chars;
    chars[from] = retone(chars[from], Tone::Level);
    chars[to] = retone(chars[to], p.tone);
    Some(chars[..p.len].iter().collect())
}

/// `c` with its tone replaced by `tone`, keeping its case.
fn retone(c: char, tone: Tone) -> char {
    let l = lower(c);
    let (base, _) = split_tone(l);
    let t = with_tone(base, tone);
    if l == c {
        t
    } else {
        let mut u = t.to_uppercase();
        match (u.next(), u.next()) {
            (Some(u), None) => u,
            _ => t,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional() {
        let t = |s| canon_tones(s, ToneStyle::Traditional);
        assert_eq!(t("Hoá"), "Hóa");
        assert_eq!(t("HOÁ"), "HÓA");
        assert_eq!(t("HoÁ"), "HóA");
        assert_eq!(t("số hoá hồ sơ"), "số hóa hồ sơ");
        assert_eq!(t("uỷ quyền"), "ủy quyền");
        assert_eq!(t("UỶ BAN"), "ỦY BAN");
        assert_eq!(t("Quý II"), "Quý II");
        assert_eq!(t("quỳ"), "quỳ");
        assert_eq!(t("hoàn thành"), "hoàn thành");
        assert_eq!(t("giá"), "giá");
        assert_eq!(
            t("khoảng hoạch thuyết khuya thuở"),
            "khoảng hoạch thuyết khuya thuở"
        );
        assert_eq!(t("xoè, khoẻ; thuỷ-lợi"), "xòe, khỏe; thủy-lợi");
        assert_eq!(t("Zoé"), "Zoé");
    }

    #[test]
    fn modern() {
        let m = |s| canon_tones(s, ToneStyle::Modern);
        assert_eq!(m("hòa thủy khỏe HÓA ủy"), "hoà thuỷ khoẻ HOÁ uỷ");
        assert_eq!(m("quý giá hoàn"), "quý giá hoàn");
    }

    #[test]
    fn nfd_input() {
        let t = |s| canon_tones(s, ToneStyle::Traditional);
        // Already traditional: left exactly as given.
        assert_eq!(t("ho\u{0300}a bi\u{0300}nh"), "ho\u{0300}a bi\u{0300}nh");
        // Modern written with combining marks: moved, and composed.
        assert_eq!(t("hoa\u{0300} thuy\u{0309}"), "hòa thủy");
        assert_eq!(t("qu\u{00fd}"), "quý");
        assert_eq!(t("a\u{0301}\u{0301}"), "a\u{0301}\u{0301}");
    }

    #[test]
    fn borrows_when_unchanged() {
        assert!(matches!(
            canon_tones_cow("Kế hoạch số hóa", ToneStyle::Traditional),
            Cow::Borrowed(_)
        ));
    }
}
