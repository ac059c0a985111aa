//! Whether a token is a well-formed Vietnamese syllable.

use crate::fold::fold_char;

const INITIALS: &[&str] = &[
    "ngh", "nh", "ng", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
];
const FINALS: &[&str] = &["ch", "ng", "nh", "c", "m", "n", "p", "t", "i", "y", "o", "u", ""];

/// Checks that `token` (one word, any case, NFC) has the shape of a Vietnamese
/// syllable: an optional initial consonant cluster, a vowel nucleus, an optional
/// final, and at most one tone mark.
///
/// ```
/// use kehoach_text::is_valid_syllable;
/// assert!(is_valid_syllable("nghiêng"));
/// assert!(is_valid_syllable("Được"));
/// assert!(!is_valid_syllable("KÕ"));
/// assert!(!is_valid_syllable("xyz"));
/// ```
pub fn is_valid_syllable(token: &str) -> bool {
    let lower: String = token.chars().flat_map(char::to_lowercase).collect();
    if lower.is_empty() || lower.chars().count() > 7 {
        return false;
    }
    let mut tones = 0;
    let mut base = String::with_capacity(lower.len());
    for c in lower.chars() {
        if !is_vietnamese_letter(c) {
            return false;
        }
        let (b, toned) = strip_tone(c);
        tones += usize::from(toned);
        base.push(b);
    }
    if tones > 1 {
        return false;
    }
    for ini in INITIALS {
        if let Some(rest) = base.strip_prefix(ini) {
            for fin in FINALS {
                if let Some(nucleus) = rest.strip_suffix(fin) {
                    if is_nucleus(nucleus, ini, fin) {
                        return true;
                    }
                }
            }
        }
    }
    false
}

fn is_vietnamese_letter(c: char) -> bool {
    let f = fold_char(c);
    f.is_ascii_lowercase() && !matches!(f, 'f' | 'j' | 'w' | 'z') && c != 'ð'
        || c == 'đ'
}

/// Removes the tone mark but keeps the vowel quality (ă, â, ê, ô, ơ, ư).
fn strip_tone(c: char) -> (char, bool) {
    const GROUPS: &[(char, &str)] = &[
        ('a', "àáảãạ"),
        ('ă', "ằắẳẵặ"),
        ('â', "ầấẩẫậ"),
        ('e', "èéẻẽẹ"),
        ('ê', "ềếểễệ"),
        ('i', "ìíỉĩị"),
        ('o', "òóỏõọ"),
        ('ô', "ồốổỗộ"),
        ('ơ', "ờớởỡợ"),
        ('u', "ùúủũụ"),
        ('ư', "ừứửữự"),
        ('y', "ỳýỷỹỵ"),
    ];
    for (b, forms) in GROUPS {
        if forms.contains(c) {
            return (*b, true);
        }
    }
    (c, false)
}

const NUCLEI: &[&str] = &[
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ia", "iê", "ya", "yê", "ua", "uô",
    "ưa", "ươ", "oa", "oă", "oe", "uâ", "uê", "uy", "uơ", "uyê", "uya", "ai", "ao", "au", "ay",
    "âu", "ây", "eo", "êu", "iu", "oi", "ôi", "ơi", "ui", "ưi", "ưu", "iêu", "yêu", "uôi", "ươi",
    "ươu", "oai", "oay", "oao", "oeo", "uây", "uôi", "uyu",
];

fn is_nucleus(n: &str, initial: &str, fin: &str) -> bool {
    if n.is_empty() {
        // "gi" alone carries the vowel: gì, gìn.
        return initial == "gi" && !fin.is_empty() || initial == "gi";
    }
    if !NUCLEI.contains(&n) {
        return false;
    }
    // Semi-vowel finals only after a simple nucleus.
    if matches!(fin, "i" | "y" | "o" | "u") && n.chars().count() > 2 {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_words_are_valid() {
        for w in "thực hiện kiểm soát thủ tục hành chính một cửa liên thông năm nghiêng quyết khuya giữa gì người được hoá hóa thuỷ khuỷu"
            .split(' ')
        {
            assert!(is_valid_syllable(w), "{w}");
        }
    }

    #[test]
    fn garbage_is_invalid() {
        for w in ["KÕ", "ho¹ch", "xyz", "TTHC", "hóà", "abcdefgh"] {
            assert!(!is_valid_syllable(w), "{w}");
        }
    }
}
