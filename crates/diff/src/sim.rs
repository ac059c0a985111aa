//! Text keys and similarity for aligning task records.
//!
//! Texts are normalised, folded (no diacritics, lower case) and split into
//! word tokens; any token holding a digit becomes the placeholder `#`, and a
//! run of placeholders (`15/12/2024`, `99,5`) collapses into one. Two texts
//! that differ only in their numbers therefore get the same key.

use std::collections::HashMap;

/// The placeholder that replaces numbers.
pub const NUM: &str = "#";

/// Folded word tokens of `text` with numbers masked.
///
/// ```
/// use kehoach_diff::sim::masked_tokens;
/// assert_eq!(masked_tokens("Đạt tối thiểu 90%, trước 15/12/2024"), ["dat", "toi", "thieu", "#", "truoc", "#"]);
/// ```
pub fn masked_tokens(text: &str) -> Vec<String> {
    let folded = kehoach_text::fold(&kehoach_text::normalize(text));
    let mut out: Vec<String> = Vec::new();
    for word in folded.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if word.chars().any(|c| c.is_ascii_digit() || c.is_numeric()) {
            if out.last().map(String::as_str) != Some(NUM) {
                out.push(NUM.to_string());
            }
        } else {
            out.push(word.to_string());
        }
    }
    out
}

/// Comparator words that may stand before a number (`đạt tối thiểu 90%`).
const BEFORE_NUMBER: &[&str] = &[
    "dat", "toi", "thieu", "tren", "duoi", "it", "nhat", "khong", "qua", "da", "tu", "hon", "la",
    "ty", "le",
];

/// Comparator words that may follow a number (`từ 80% trở lên`).
const AFTER_NUMBER: &[&str] = &["tro", "len", "xuong"];

/// The tokens of `text` with numbers and the comparator words around them
/// removed: two texts with the same wording key differ at most in their
/// targets' numbers and comparators.
///
/// ```
/// use kehoach_diff::sim::wording_key;
/// assert_eq!(wording_key("Mức độ hài lòng đạt tối thiểu 90%"), wording_key("Mức độ hài lòng đạt trên 95%"));
/// assert_ne!(wording_key("Mức độ hài lòng đạt 90%"), wording_key("Mức độ hài lòng của doanh nghiệp đạt 90%"));
/// ```
pub fn wording_key(text: &str) -> Vec<String> {
    let tokens = masked_tokens(text);
    let mut keep = vec![true; tokens.len()];
    for (i, t) in tokens.iter().enumerate() {
        if t != NUM {
            continue;
        }
        keep[i] = false;
        // Up to three comparator words before the number.
        let mut j = i;
        let mut dropped = 0;
        while j > 0 && dropped < 3 && BEFORE_NUMBER.contains(&tokens[j - 1].as_str()) {
            j -= 1;
            keep[j] = false;
            dropped += 1;
        }
        let mut k = i + 1;
        while k < tokens.len() && k <= i + 2 && AFTER_NUMBER.contains(&tokens[k].as_str()) {
            keep[k] = false;
            k += 1;
        }
    }
    tokens
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(t, _)| t)
        .collect()
}

/// Interns strings to small integers so that multisets become sorted id lists.
#[derive(Debug, Default)]
pub struct Interner {
    ids: HashMap<String, u32>,
}

impl Interner {
    /// The id of `s`, allocating one on first sight.
    pub fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        self.ids.insert(s.to_string(), id);
        id
    }
}

/// The comparable form of one text: sorted token ids and sorted character
/// trigram ids of the masked, folded text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// Sorted token ids (a multiset).
    pub tokens: Vec<u32>,
    /// Sorted trigram ids (a multiset).
    pub trigrams: Vec<u32>,
}

impl Profile {
    /// Builds the profile of already masked tokens.
    pub fn new(tokens: &[String], interner: &mut Interner) -> Profile {
        let mut tok: Vec<u32> = tokens.iter().map(|t| interner.id(t)).collect();
        tok.sort_unstable();
        let joined: Vec<char> = format!(" {} ", tokens.join(" ")).chars().collect();
        let mut tri: Vec<u32> = if tokens.is_empty() {
            Vec::new()
        } else {
            joined
                .windows(3)
                .map(|w| interner.id(&format!("\u{1}{}", w.iter().collect::<String>())))
                .collect()
        };
        tri.sort_unstable();
        Profile {
            tokens: tok,
            trigrams: tri,
        }
    }

    /// Whether the text had no tokens.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// Size of the intersection of two sorted multisets.
fn common(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Dice coefficient of two sorted multisets (1.0 for two empty sets).
pub fn dice(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    2.0 * common(a, b) as f64 / (a.len() + b.len()) as f64
}

/// Similarity of two profiles in `0.0..=1.0`: the mean of the token and the
/// trigram Dice coefficients. Two empty texts are not similar (0.0).
pub fn similarity(a: &Profile, b: &Profile) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    0.5 * dice(&a.tokens, &b.tokens) + 0.5 * dice(&a.trigrams, &b.trigrams)
}

/// Similarity of two texts, profiled on the spot.
///
/// ```
/// use kehoach_diff::sim::text_similarity;
/// assert_eq!(text_similarity("Tỷ lệ đạt 90%", "tỷ lệ ĐẠT 95 %"), 1.0);
/// assert!(text_similarity("Tỷ lệ hồ sơ đúng hạn", "Tổ chức hội nghị") < 0.3);
/// ```
pub fn text_similarity(a: &str, b: &str) -> f64 {
    let mut interner = Interner::default();
    let pa = Profile::new(&masked_tokens(a), &mut interner);
    let pb = Profile::new(&masked_tokens(b), &mut interner);
    similarity(&pa, &pb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_number_runs() {
        assert_eq!(
            masked_tokens("Trước ngày 15/12/2024."),
            ["truoc", "ngay", "#"]
        );
        assert_eq!(masked_tokens("đạt 99,5%"), ["dat", "#"]);
        assert!(masked_tokens("  ").is_empty());
    }

    #[test]
    fn wording_key_keeps_nouns_after_tren() {
        assert_eq!(wording_key("trên 60% trên Cổng"), ["tren", "cong"]);
        assert_eq!(wording_key("từ 80% trở lên"), Vec::<String>::new());
    }

    #[test]
    fn reordering_is_similar_but_not_identical() {
        let s = text_similarity(
            "giải quyết đúng hạn và trước hạn",
            "giải quyết trước và đúng hạn",
        );
        assert!(s > 0.6 && s < 1.0, "{s}");
    }

    #[test]
    fn empty_texts_are_not_similar() {
        assert_eq!(text_similarity("", ""), 0.0);
        assert_eq!(text_similarity("abc", ""), 0.0);
    }
}
