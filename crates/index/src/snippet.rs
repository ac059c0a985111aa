//! Highlighted snippets.
//!
//! Highlighting works on the folded form of each word, so a query typed
//! without diacritics highlights the words as printed. The result is HTML
//! escaped, with `<b>…</b>` around each matched run of words.

use std::collections::HashSet;

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML content and quoted attributes.
///
/// ```
/// assert_eq!(kehoach_index::html_escape("a<b> & \"c\" 'd'"), "a&lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;");
/// ```
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A snippet of `text` of about `max_chars` characters around the first
/// word whose folded form is in `terms` (folded words), HTML-escaped, with
/// `<b>` around matched words (adjacent matches share one `<b>`). `…` marks
/// cut ends.
///
/// ```
/// use std::collections::HashSet;
/// let terms: HashSet<String> = ["ho", "so"].iter().map(|s| s.to_string()).collect();
/// assert_eq!(kehoach_index::snippet("Tiếp nhận hồ sơ, kết quả", &terms, 100), "Tiếp nhận <b>hồ sơ</b>, kết quả");
/// ```
pub fn snippet(text: &str, terms: &HashSet<String>, max_chars: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    // Word spans (char indices) and whether each matches.
    let mut words: Vec<(usize, usize, bool)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_alphanumeric() {
            let start = i;
            while i < chars.len() && chars[i].is_alphanumeric() {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let hit = terms.contains(&kehoach_text::fold(&word));
            words.push((start, i, hit));
        } else {
            i += 1;
        }
    }
    let max_chars = max_chars.max(20);
    let (from, to) = if chars.len() <= max_chars {
        (0, chars.len())
    } else {
        let first_hit = words.iter().find(|w| w.2).map_or(0, |w| w.0);
        // Start a little before the first hit, at a word boundary.
        let mut from = first_hit.saturating_sub(max_chars / 4);
        if from > 0 {
            from = words
                .iter()
                .map(|w| w.0)
                .find(|&s| s >= from)
                .unwrap_or(from);
        }
        let mut to = (from + max_chars).min(chars.len());
        if to < chars.len() {
            // End at a word boundary.
            to = words
                .iter()
                .rev()
                .find(|w| w.1 <= to && w.0 >= from)
                .map_or(to, |w| w.1);
        }
        if to <= from {
            to = (from + max_chars).min(chars.len());
        }
        (from, to)
    };
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut pos = from;
    let mut open = false;
    for &(s, e, hit) in words.iter().filter(|w| w.0 >= from && w.1 <= to) {
        let gap: String = chars[pos..s].iter().collect();
        if open && !hit {
            out.push_str("</b>");
            open = false;
        }
        if open && hit && !gap.chars().all(char::is_whitespace) {
            out.push_str("</b>");
            open = false;
        }
        out.push_str(&html_escape(&gap));
        if hit && !open {
            out.push_str("<b>");
            open = true;
        }
        let word: String = chars[s..e].iter().collect();
        out.push_str(&html_escape(&word));
        pos = e;
    }
    if open {
        out.push_str("</b>");
    }
    let tail: String = chars[pos..to].iter().collect();
    out.push_str(&html_escape(&tail));
    if to < chars.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(words: &[&str]) -> HashSet<String> {
        words.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn highlights_folded_matches_and_escapes() {
        let s = snippet(
            "Thanh toán <phí> trực tuyến & hồ sơ",
            &set(&["thanh", "toan", "truc", "tuyen"]),
            200,
        );
        assert_eq!(
            s,
            "<b>Thanh toán</b> &lt;phí&gt; <b>trực tuyến</b> &amp; hồ sơ"
        );
    }

    #[test]
    fn windows_long_text_around_the_first_hit() {
        let long = format!(
            "{} hồ sơ trực tuyến {}",
            "chữ ".repeat(100),
            "đuôi ".repeat(100)
        );
        let s = snippet(&long, &set(&["ho", "so"]), 80);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<b>hồ sơ</b>"), "{s}");
        assert!(s.chars().count() < 120, "{s}");
    }

    #[test]
    fn no_hit_gives_the_start() {
        let s = snippet(&"một hai ba ".repeat(30), &set(&["x"]), 40);
        assert!(s.starts_with("một hai") && s.ends_with('…'));
    }
}
