//! Tone-mark placement in open `oa`, `oe`, `uy` syllables.
//!
//! Vietnamese has two accepted styles for these syllables: the traditional
//! `hòa, thủy, khỏe` (tone on the first vowel) and the modern `hoà, thuỷ, khoẻ`
//! (tone on the second). kehoach canonicalises to one style. Syllables where
//! the choice does not arise are never touched: `quý` (the `u` belongs to `qu`),
//! `giá`, and closed syllables such as `hoàn`, `thuyết`, `khoảng`.

/// Which vowel of an open `oa`/`oe`/`uy` syllable carries the tone mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ToneStyle {
    /// `hòa, thủy, khỏe` (the default).
    #[default]
    Traditional,
    /// `hoà, thuỷ, khoẻ`.
    Modern,
}

const TONED: [(char, [char; 5]); 10] = [
    ('a', ['à', 'á', 'ả', 'ã', 'ạ']),
    ('e', ['è', 'é', 'ẻ', 'ẽ', 'ẹ']),
    ('o', ['ò', 'ó', 'ỏ', 'õ', 'ọ']),
    ('u', ['ù', 'ú', 'ủ', 'ũ', 'ụ']),
    ('y', ['ỳ', 'ý', 'ỷ', 'ỹ', 'ỵ']),
    ('A', ['À', 'Á', 'Ả', 'Ã', 'Ạ']),
    ('E', ['È', 'É', 'Ẻ', 'Ẽ', 'Ẹ']),
    ('O', ['Ò', 'Ó', 'Ỏ', 'Õ', 'Ọ']),
    ('U', ['Ù', 'Ú', 'Ủ', 'Ũ', 'Ụ']),
    ('Y', ['Ỳ', 'Ý', 'Ỷ', 'Ỹ', 'Ỵ']),
];

/// Splits a toned vowel into its base letter and tone index (0..5).
fn untone(c: char) -> Option<(char, usize)> {
    for (base, forms) in TONED.iter() {
        if let Some(i) = forms.iter().position(|&f| f == c) {
            return Some((*base, i));
        }
    }
    None
}

fn tone(base: char, t: usize) -> char {
    TONED
        .iter()
        .find(|(b, _)| *b == base)
        .map_or(base, |(_, forms)| forms[t])
}

fn is_pair(first: char, second: char) -> bool {
    matches!(
        (first.to_ascii_lowercase(), second.to_ascii_lowercase()),
        ('o', 'a') | ('o', 'e') | ('u', 'y')
    )
}

/// Moves tone marks in every open `oa`/`oe`/`uy` syllable of `s` to `style`.
///
/// ```
/// use kehoach_text::{canon_tones, ToneStyle};
/// assert_eq!(canon_tones("hoá thuỷ khoẻ", ToneStyle::Traditional), "hóa thủy khỏe");
/// assert_eq!(canon_tones("hóa thủy", ToneStyle::Modern), "hoá thuỷ");
/// assert_eq!(canon_tones("quý hoàn thuyết", ToneStyle::Traditional), "quý hoàn thuyết");
/// ```
pub fn canon_tones(s: &str, style: ToneStyle) -> String {
    let mut out = String::with_capacity(s.len());
    let mut word: Vec<char> = Vec::new();
    for c in s.chars() {
        if c.is_alphabetic() {
            word.push(c);
        } else {
            flush(&mut word, style, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, style, &mut out);
    out
}

fn flush(word: &mut Vec<char>, style: ToneStyle, out: &mut String) {
    if word.len() >= 2 {
        let n = word.len();
        let (a, b) = (word[n - 2], word[n - 1]);
        // `qu` + y: the `u` is part of the initial, the `y` is the vowel.
        let after_q = n >= 3 && matches!(word[n - 3], 'q' | 'Q');
        // `gi` + a, `gi` + e are not o/u pairs; only o/u + a/e/y qualify.
        let (ba, ta) = untone(a).unwrap_or((a, usize::MAX));
        let (bb, tb) = untone(b).unwrap_or((b, usize::MAX));
        if is_pair(ba, bb) && !after_q {
            match style {
                ToneStyle::Traditional if tb != usize::MAX && ta == usize::MAX => {
                    word[n - 2] = tone(ba, tb);
                    word[n - 1] = bb;
                }
                ToneStyle::Modern if ta != usize::MAX && tb == usize::MAX => {
                    word[n - 2] = ba;
                    word[n - 1] = tone(bb, ta);
                }
                _ => {}
            }
        }
    }
    out.extend(word.drain(..));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional() {
        let t = |s| canon_tones(s, ToneStyle::Traditional);
        assert_eq!(t("Hoá"), "Hóa");
        assert_eq!(t("HOÁ"), "HÓA");
        assert_eq!(t("số hoá hồ sơ"), "số hóa hồ sơ");
        assert_eq!(t("uỷ quyền"), "ủy quyền");
        assert_eq!(t("Quý II"), "Quý II");
        assert_eq!(t("hoàn thành"), "hoàn thành");
        assert_eq!(t("giá"), "giá");
    }
}
