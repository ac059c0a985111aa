//! Vietnamese text normalisation for kehoach.
//!
//! Everything here is pure string processing with no I/O:
//!
//! * [`normalize`]: the canonical form of every text value kehoach emits
//!   (NFC, markup removed, `Ð`→`Đ`, white space collapsed, tone marks placed in
//!   one style, trimmed);
//! * [`strip_markup`]: removes HTML/markdown inline markup, keeping line breaks;
//! * [`fold()`]: the search key (no diacritics, `đ`→`d`, lower case);
//! * [`tone`]: tone-mark placement per syllable (traditional `hòa` or modern `hoà`);
//! * [`syllable`]: whether a token is a valid Vietnamese syllable;
//! * [`legacy`]: TCVN3, VNI, VISCII and Windows-1258 text decoded to Unicode.

#![warn(missing_docs)]

pub mod fold;
pub mod legacy;
pub mod markup;
pub mod syllable;
pub mod tone;

mod fast;
#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests_fast;

pub use fold::{fold, fold_char, Folded};
pub use legacy::{decode_legacy, detect_legacy, detect_legacy_bytes, font_encoding};
pub use markup::{strip_markup, strip_markup_cow};
pub use syllable::is_valid_syllable;
pub use tone::{canon_tones, canon_tones_cow, ToneStyle};

use std::borrow::Cow;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Options for [`normalize_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Options {
    /// Where tone marks go in open `oa`/`oe`/`uy` syllables.
    pub tone_style: ToneStyle,
}

/// Unicode NFC, with a fast path for text that is already NFC (the usual case).
pub fn nfc(s: &str) -> Cow<'_, str> {
    if is_nfc_fast(s) {
        return Cow::Borrowed(s);
    }
    let n: String = s.nfc().collect();
    if n == s {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(n)
    }
}

/// Whether `s` is certainly NFC: the Unicode quick check, done without table
/// lookups for the characters Vietnamese text is made of.
///
/// ASCII, U+0080–U+02FF (Latin-1 to the spacing modifiers), U+1EA0–U+1EF9
/// (the toned Vietnamese vowels) and U+2002–U+206F (general punctuation) are
/// starters that never compose with what precedes them, so they are accepted
/// on sight; other characters go through the library's quick check. `true`
/// exactly when the library's quick check says "yes".
pub fn is_nfc_fast(s: &str) -> bool {
    let b = s.as_bytes();
    if fast::all_nfc_fast(b) {
        return true;
    }
    let mut i = 0;
    while i < b.len() {
        let len = fast::nfc_fast_len(b, i);
        if len > 0 {
            i += len;
            continue;
        }
        let Some(rest) = s.get(i..) else { return false };
        let Some(c) = rest.chars().next() else {
            return false;
        };
        if canonical_combining_class(c) == 0
            && is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes
        {
            // A starter that is NFC by itself: nothing before it matters to
            // what follows.
            i += c.len_utf8();
            continue;
        }
        // Everything before `i` is made of starters that are NFC by
        // themselves, so the quick check of the rest is that of the whole.
        return is_nfc_quick(rest.chars()) == IsNormalized::Yes;
    }
    true
}

/// Collapses every run of white space (including no-break and zero-width
/// spaces, tabs and line breaks) into one ASCII space and trims both ends.
pub fn collapse_ws(s: &str) -> String {
    collapse_ws_cow(s).into_owned()
}

/// What a character is to [`collapse_ws`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum WsKind {
    /// White space ([`is_space`]).
    Space,
    /// Dropped ([`is_invisible`]).
    Invisible,
    /// Anything else.
    Other,
}

/// Classifies the char starting at byte `i` of `s` (a char boundary) and
/// returns its length. Only a few lead bytes can start a non-ASCII space or
/// invisible character; the others are classified without decoding.
#[inline]
pub(crate) fn ws_kind_at(s: &str, i: usize) -> (WsKind, usize) {
    let b = s.as_bytes();
    let lead = b[i];
    if lead < 0x80 {
        let kind = match lead {
            b'\t'..=b'\r' | b' ' => WsKind::Space,
            _ => WsKind::Other,
        };
        return (kind, 1);
    }
    let next = b.get(i + 1).copied().unwrap_or(0);
    let maybe = match lead {
        0xC2 => matches!(next, 0x85 | 0xA0 | 0xAD),
        0xE1 => matches!(next, 0x9A | 0xA0),
        0xE2 => matches!(next, 0x80 | 0x81),
        0xE3 => next == 0x80,
        0xEF => next == 0xBB,
        _ => false,
    };
    let len = utf8_len(lead);
    if !maybe {
        return (WsKind::Other, len);
    }
    match s.get(i..).and_then(|r| r.chars().next()) {
        Some(c) if is_space(c) => (WsKind::Space, len),
        Some(c) if is_invisible(c) => (WsKind::Invisible, len),
        _ => (WsKind::Other, len),
    }
}

/// Length of the UTF-8 sequence starting with `lead` (a lead byte of valid UTF-8).
#[inline]
fn utf8_len(lead: u8) -> usize {
    match lead {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// [`collapse_ws`], borrowing `s` when it is already collapsed.
pub fn collapse_ws_cow(s: &str) -> Cow<'_, str> {
    if is_collapsed(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut pending = false;
    // Start of the current run of ordinary characters, copied in one piece.
    let mut run: Option<usize> = None;
    let mut i = 0;
    while i < s.len() {
        let (kind, len) = ws_kind_at(s, i);
        match kind {
            WsKind::Other => {
                if run.is_none() {
                    if pending {
                        out.push(' ');
                        pending = false;
                    }
                    run = Some(i);
                }
            }
            WsKind::Space | WsKind::Invisible => {
                if let Some(r) = run.take() {
                    out.push_str(s.get(r..i).unwrap_or_default());
                }
                if kind == WsKind::Space {
                    pending = !out.is_empty();
                }
            }
        }
        i += len;
    }
    if let Some(r) = run {
        out.push_str(s.get(r..).unwrap_or_default());
    }
    Cow::Owned(out)
}

fn is_collapsed(s: &str) -> bool {
    let b = s.as_bytes();
    let mut prev_space = true;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' {
            if prev_space {
                return false;
            }
            prev_space = true;
            i += 1;
            continue;
        }
        let (kind, len) = ws_kind_at(s, i);
        if kind != WsKind::Other {
            return false;
        }
        prev_space = false;
        i += len;
    }
    !prev_space || s.is_empty()
}

/// White space as kehoach treats it: Unicode white space plus the no-break
/// and narrow spaces that exports leave behind.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{3000}')
}

/// Characters that take no room and are dropped: zero-width spaces and
/// joiners, the byte-order mark, the soft hyphen and bidirectional controls.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{2064}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{00AD}'
            | '\u{180E}'
    )
}

/// Replaces the look-alike letters that converters produce instead of the
/// Vietnamese `Đ/đ` (Icelandic eth `Ð/ð`, African `Ɖ/ɖ`).
pub fn fix_lookalikes(s: &str) -> Cow<'_, str> {
    if !has_lookalike(s) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{00D0}' | '\u{0189}' => 'Đ',
                '\u{00F0}' | '\u{0256}' => 'đ',
                other => other,
            })
            .collect(),
    )
}

/// Whether `s` holds `Ð` (C3 90), `ð` (C3 B0), `Ɖ` (C6 89) or `ɖ` (C9 96).
fn has_lookalike(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| match c {
        0xC3 => matches!(b.get(i + 1), Some(0x90 | 0xB0)),
        0xC6 => b.get(i + 1) == Some(&0x89),
        0xC9 => b.get(i + 1) == Some(&0x96),
        _ => false,
    })
}

/// The canonical form of a text value, with the default (traditional) tone style.
///
/// Markup is removed, `Ð`→`Đ`, white space collapsed and trimmed, the text
/// put in NFC and tone marks placed in one style. The result is stable:
/// `normalize(&normalize(s)) == normalize(s)`.
///
/// ```
/// assert_eq!(kehoach_text::normalize("  <b>Ho\u{0300}a</b>\u{00A0} bi\u{0300}nh "), "Hòa bình");
/// assert_eq!(kehoach_text::normalize("**hoà** thuận"), "hòa thuận");
/// ```
pub fn normalize(s: &str) -> String {
    normalize_with(s, &Options::default())
}

/// [`normalize`] with explicit options.
pub fn normalize_with(s: &str, opts: &Options) -> String {
    if s.is_empty() {
        return String::new();
    }
    let first = match fast::plain_check(s, opts.tone_style) {
        fast::Plain::Normal => Cow::Borrowed(s),
        // Every step but tone placement leaves `s` as it is.
        fast::Plain::CheckTones => canon_tones_cow(s, opts.tone_style),
        fast::Plain::No => pass(s, opts),
    };
    let mut cur = match first {
        // Already normal: the first step found no markup, so there is nothing
        // left to reveal.
        Cow::Borrowed(b) => return b.to_string(),
        Cow::Owned(o) => o,
    };
    // Removing markup can reveal more (`&amp;lt;b&amp;gt;`, a tag split by a
    // zero-width space): repeat until nothing is left. Every repeat shortens
    // the text, so the bound is never reached in practice.
    for _ in 0..s.len() {
        if !markup::may_hold_markup(&cur) || matches!(strip_markup_cow(&cur), Cow::Borrowed(_)) {
            break;
        }
        let next = pass(&cur, opts).into_owned();
        if next == cur {
            break;
        }
        cur = next;
    }
    cur
}

/// One round of normalisation; borrows `s` when it is already normal.
fn pass<'a>(s: &'a str, opts: &Options) -> Cow<'a, str> {
    let s = strip_markup_cow(s);
    let s = chain(s, fix_lookalikes);
    let s = chain(s, collapse_ws_cow);
    let s = chain(s, nfc);
    chain(s, |t| canon_tones_cow(t, opts.tone_style))
}

/// Applies a borrowing step to a value that may itself be borrowed or owned.
fn chain<'a>(s: Cow<'a, str>, f: impl for<'b> Fn(&'b str) -> Cow<'b, str>) -> Cow<'a, str> {
    match s {
        Cow::Borrowed(b) => f(b),
        Cow::Owned(o) => {
            let changed = match f(&o) {
                Cow::Owned(n) => Some(n),
                Cow::Borrowed(_) => None,
            };
            Cow::Owned(changed.unwrap_or(o))
        }
    }
}

/// [`normalize`], returning `None` for text that is empty once normalised.
pub fn normalize_opt(s: &str) -> Option<String> {
    let n = normalize(s);
    if n.is_empty() {
        None
    } else {
        Some(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_all_kinds_of_space() {
        assert_eq!(collapse_ws(" a\u{00A0}\u{00A0}b\t\nc\u{200B}d "), "a b cd");
    }

    #[test]
    fn already_collapsed() {
        assert!(is_collapsed("a b"));
        assert!(is_collapsed(""));
        assert!(!is_collapsed(" a"));
        assert!(!is_collapsed("a "));
        assert!(!is_collapsed("a  b"));
        assert!(!is_collapsed("a\u{00A0}b"));
        assert!(!is_collapsed("a\u{200B}b"));
    }

    #[test]
    fn normalizes_markup_whitespace_and_tones() {
        assert_eq!(
            normalize("### <b>Số hoá</b>&nbsp;&nbsp;hồ sơ\n"),
            "Số hóa hồ sơ"
        );
        assert_eq!(normalize("&amp;lt;b&amp;gt;x"), "x");
        assert_eq!(normalize("<\u{200B}b>x"), "x");
        assert_eq!(normalize(" \u{200B}### x"), "x");
        assert_eq!(normalize("a<b>\u{0301}</b>"), "á");
        assert_eq!(normalize("&#x1ee7;y ban"), "ủy ban");
        assert_eq!(
            normalize_with(
                "hòa thủy",
                &Options {
                    tone_style: ToneStyle::Modern
                }
            ),
            "hoà thuỷ"
        );
        assert_eq!(normalize_opt(" <br> "), None);
        assert_eq!(normalize("diện tích 500 m²"), "diện tích 500 m²");
    }

    #[test]
    fn tricky_input_is_stable() {
        for s in [
            "&amp&#x37e;",
            "hoá\u{0301}",
            "a\u{200B}\u{0301}",
            "&lt;b&gt;### x",
            "\\### x",
            "<<<<b>b>b>b>",
            "&#35;&#35; x",
            "m <sup>2</sup>",
            "_<b>_x",
            "&#x300;a",
            "<sup>1</sup>&#x301;",
            "\u{2000}x\u{2001}",
            "x&#10;## y",
        ] {
            let n = normalize(s);
            assert_eq!(normalize(&n), n, "{s:?}");
            assert!(unicode_normalization::is_nfc(&n), "{s:?}");
        }
    }

    #[test]
    fn normalizes_nfd_and_eth() {
        let nfd = "Ð\u{1ed9}i ngu\u{0303}";
        assert_eq!(normalize(nfd), "Đội ngũ");
    }
}
