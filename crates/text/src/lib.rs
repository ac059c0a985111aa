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
//! * [`syllable`]: whether a token is a valid Vietnamese syllable.

#![warn(missing_docs)]

pub mod fold;
pub mod markup;
pub mod syllable;
pub mod tone;

pub use fold::{fold, fold_char};
pub use markup::{strip_markup, strip_markup_cow};
pub use syllable::is_valid_syllable;
pub use tone::{canon_tones, canon_tones_cow, ToneStyle};

use std::borrow::Cow;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Options for [`normalize_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Options {
    /// Where tone marks go in open `oa`/`oe`/`uy` syllables.
    pub tone_style: ToneStyle,
}

/// Unicode NFC, with a fast path for text that is already NFC (the usual case).
pub fn nfc(s: &str) -> Cow<'_, str> {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => Cow::Borrowed(s),
        _ => {
            let n: String = s.nfc().collect();
            if n == s {
                Cow::Borrowed(s)
            } else {
                Cow::Owned(n)
            }
        }
    }
}

/// Collapses every run of white space (including no-break and zero-width
/// spaces, tabs and line breaks) into one ASCII space and trims both ends.
pub fn collapse_ws(s: &str) -> String {
    collapse_ws_cow(s).into_owned()
}

/// [`collapse_ws`], borrowing `s` when it is already collapsed.
pub fn collapse_ws_cow(s: &str) -> Cow<'_, str> {
    if is_collapsed(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut pending = false;
    for c in s.chars() {
        if is_space(c) {
            pending = !out.is_empty();
        } else if is_invisible(c) {
            continue;
        } else {
            if pending {
                out.push(' ');
                pending = false;
            }
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn is_collapsed(s: &str) -> bool {
    let mut prev_space = true;
    for c in s.chars() {
        if c == ' ' {
            if prev_space {
                return false;
            }
            prev_space = true;
        } else if is_space(c) || is_invisible(c) {
            return false;
        } else {
            prev_space = false;
        }
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
    if !s.contains(['\u{00D0}', '\u{00F0}', '\u{0189}', '\u{0256}']) {
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
    let mut cur = pass(s, opts).into_owned();
    // Removing markup can reveal more (`&amp;lt;b&amp;gt;`, a tag split by a
    // zero-width space): repeat until nothing is left. Every repeat shortens
    // the text, so the bound is never reached in practice.
    for _ in 0..s.len() {
        if matches!(strip_markup_cow(&cur), Cow::Borrowed(_)) {
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
