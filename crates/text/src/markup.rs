//! Removal of the inline markup that text exports leave in plans:
//! HTML tags (`<b>`, `<i>`, `<sup>`, `<br>`, `<span …>`), markdown emphasis
//! (`**`, `*`, `__`), heading marks (`### `), backslash escapes and the common
//! HTML entities. Line breaks (`<br>`, `<p>`) become `\n`.

/// Tags removed without a trace.
const INLINE_TAGS: &[&str] = &[
    "b", "i", "u", "s", "em", "strong", "span", "font", "mark", "small", "big", "strike", "del",
    "ins", "a", "code", "tt", "o:p",
];
/// Tags that end a line.
const BREAK_TAGS: &[&str] = &["br", "p", "div", "li"];

/// Removes inline markup, keeping the text. `<br>` and block tags become `\n`;
/// `<sup>`/`<sub>` holding only a footnote mark (digits, `*`) are dropped whole.
///
/// ```
/// use kehoach_text::strip_markup;
/// assert_eq!(strip_markup("<b>II</b>"), "II");
/// assert_eq!(strip_markup("**Kế hoạch**"), "Kế hoạch");
/// assert_eq!(strip_markup("a<br>b"), "a\nb");
/// assert_eq!(strip_markup("KH-UBND<sup>1</sup> ngày"), "KH-UBND ngày");
/// assert_eq!(strip_markup("HĐND&amp;UBND"), "HĐND&UBND");
/// ```
pub fn strip_markup(s: &str) -> String {
    if !s.contains(['<', '*', '_', '&', '\\', '#', '¹', '²', '³']) && !s.contains(is_super_digit) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut line_start = true;
    while i < s.len() {
        let rest = &s[i..];
        let c = match rest.chars().next() {
            Some(c) => c,
            None => break,
        };
        if line_start {
            // Markdown heading marks at the start of a line.
            let hashes = rest.bytes().take_while(|&b| b == b'#').count();
            if hashes > 0 && hashes <= 6 && rest[hashes..].starts_with(' ') {
                i += hashes + 1;
                line_start = false;
                continue;
            }
        }
        match c {
            '<' => {
                if let Some((len, kind)) = parse_tag(rest) {
                    match kind {
                        TagKind::Inline => {}
                        TagKind::Break => out.push('\n'),
                        TagKind::Footnote(end) => {
                            // `<sup>12</sup>`: drop tag and content when the content is a mark.
                            let inner = &rest[len..len + end];
                            if inner.trim().chars().all(|c| c.is_ascii_digit() || c == '*' || c == ',')
                            {
                                let close = rest[len + end..].find('>').map_or(0, |p| p + 1);
                                i += len + end + close;
                                continue;
                            }
                        }
                        TagKind::FootnoteClose => {}
                    }
                    i += len;
                    continue;
                }
                out.push(c);
                i += 1;
            }
            '*' => {
                // Markdown emphasis: any run of asterisks is markup.
                while i < s.len() && bytes[i] == b'*' {
                    i += 1;
                }
            }
            '_' if rest.starts_with("__") => {
                i += 2;
            }
            '&' => {
                if let Some((len, rep)) = parse_entity(rest) {
                    out.push(rep);
                    i += len;
                } else {
                    out.push('&');
                    i += 1;
                }
            }
            '\\' => {
                // Markdown escape of ASCII punctuation: keep the character only.
                match rest[1..].chars().next() {
                    Some(n) if n.is_ascii_punctuation() => {
                        out.push(n);
                        i += 1 + n.len_utf8();
                    }
                    _ => {
                        out.push('\\');
                        i += 1;
                    }
                }
            }
            c if is_super_digit(c) => {
                // Unicode superscript footnote marks (¹ ² ³ …).
                i += c.len_utf8();
            }
            _ => {
                out.push(c);
                i += c.len_utf8();
            }
        }
        line_start = c == '\n';
    }
    out
}

fn is_super_digit(c: char) -> bool {
    matches!(c, '¹' | '²' | '³' | '⁰' | '⁴'..='⁹')
}

enum TagKind {
    Inline,
    Break,
    /// `<sup>` or `<sub>`: the byte offset of the matching close tag from the tag's end.
    Footnote(usize),
    FootnoteClose,
}

/// Recognises a known tag at the start of `s`; returns its byte length and kind.
fn parse_tag(s: &str) -> Option<(usize, TagKind)> {
    let end = s.find('>')?;
    if end > 200 {
        return None;
    }
    let inner = &s[1..end];
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, inner),
    };
    let inner = inner.trim_end_matches('/').trim();
    let name_len = inner
        .find(|c: char| c.is_whitespace())
        .unwrap_or(inner.len());
    let name = inner[..name_len].to_ascii_lowercase();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == ':') {
        return None;
    }
    let len = end + 1;
    if name == "sup" || name == "sub" {
        if closing {
            return Some((len, TagKind::FootnoteClose));
        }
        let close = format!("</{name}");
        let rel = s[len..].to_ascii_lowercase().find(&close).unwrap_or(0);
        return Some((len, if rel > 0 { TagKind::Footnote(rel) } else { TagKind::Inline }));
    }
    if BREAK_TAGS.contains(&name.as_str()) {
        return Some((len, if closing && name != "p" && name != "div" { TagKind::Inline } else { TagKind::Break }));
    }
    if INLINE_TAGS.contains(&name.as_str()) {
        return Some((len, TagKind::Inline));
    }
    None
}

/// Decodes `&amp;`-style and numeric entities.
fn parse_entity(s: &str) -> Option<(usize, char)> {
    let end = s[..s.len().min(12)].find(';')?;
    let name = &s[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{00A0}',
        "ndash" => '–',
        "mdash" => '—',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = if let Some(hex) = num.strip_prefix(['x', 'X']) {
                u32::from_str_radix(hex, 16).ok()?
            } else {
                num.parse::<u32>().ok()?
            };
            char::from_u32(code)?
        }
    };
    Some((end + 1, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_markdown_and_html() {
        assert_eq!(strip_markup("### **III. TỔ CHỨC**"), "III. TỔ CHỨC");
        assert_eq!(strip_markup("*(Kèm theo)*"), "(Kèm theo)");
        assert_eq!(strip_markup("<i>trọng tâm</i> của"), "trọng tâm của");
        assert_eq!(strip_markup("<span style=\"x\">a</span>"), "a");
        assert_eq!(strip_markup("1\\. Mục đích"), "1. Mục đích");
        assert_eq!(strip_markup("2021-2030¹; Kế"), "2021-2030; Kế");
    }

    #[test]
    fn keeps_non_markup() {
        assert_eq!(strip_markup("a < b & c > d"), "a < b & c > d");
        assert_eq!(strip_markup("x <5% y"), "x <5% y");
        assert_eq!(strip_markup("HĐND&UBND"), "HĐND&UBND");
        assert_eq!(strip_markup("<sup>a</sup>"), "a");
    }
}
