//! Vietnamese text normalisation for kehoach.
//!
//! Everything here is pure string processing with no I/O:
//!
//! * [`normalize`]: the canonical form of every text value kehoach emits
//!   (NFC, markup removed, `Ð`→`Đ`, white space collapsed, tone marks placed in
//!   one style, trimmed);
//! * [`strip_markup`]: removes HTML/markdown inline markup, keeping line breaks;
//! * [`fold`]: the search key (no diacritics, `đ`→`d`, lower case);
//! * [`tone`]: tone-mark placement per syllable (traditional `hòa` or modern `hoà`);
//! * [`syllable`]: whether a token is a valid Vietnamese syllable.

pub mod fold;
pub mod markup;
pub mod tone;
pub mod syllable;

pub use fold::{fold, fold_char};
pub use markup::strip_markup;
pub use tone::{canon_tones, ToneStyle};
pub use syllable::is_valid_syllable;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Options for [`normalize_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Where tone marks go in open `oa`/`oe`/`uy` syllables.
    pub tone_style: ToneStyle,
}

/// Unicode NFC, with a fast path for text that is already NFC (the usual case).
pub fn nfc(s: &str) -> std::borrow::Cow<'_, str> {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => std::borrow::Cow::Borrowed(s),
        _ => std::borrow::Cow::Owned(s.nfc().collect()),
    }
}

/// Collapses every run of white space (including no-break and zero-width
/// spaces, tabs and line breaks) into one ASCII space and trims both ends.
pub fn collapse_ws(s: &str) -> String {
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
    out
}

/// White space as kehoach treats it: Unicode white space plus the no-break
/// and narrow spaces that exports leave behind.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{3000}')
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

/// Replaces the look-alike letters that converters produce instead of the
/// Vietnamese `Đ/đ` (Icelandic eth `Ð/ð`, African `Ɖ/ɖ`).
pub fn fix_lookalikes(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['\u{00D0}', '\u{00F0}', '\u{0189}', '\u{0256}']) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
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
/// ```
/// assert_eq!(kehoach_text::normalize("  <b>Ho\u{0300}a</b>\u{00A0} bi\u{0300}nh "), "Hòa bình");
/// assert_eq!(kehoach_text::normalize("**hoà** thuận"), "hòa thuận");
/// ```
pub fn normalize(s: &str) -> String {
    normalize_with(s, &Options::default())
}

/// [`normalize`] with explicit options.
pub fn normalize_with(s: &str, opts: &Options) -> String {
    let s = nfc(s);
    let s = fix_lookalikes(&s);
    let s = strip_markup(&s);
    let s = collapse_ws(&s);
    canon_tones(&s, opts.tone_style)
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
    fn normalizes_nfd_and_eth() {
        let nfd = "Ð\u{1ed9}i ngu\u{0303}";
        assert_eq!(normalize(nfd), "Đội ngũ");
    }
}
