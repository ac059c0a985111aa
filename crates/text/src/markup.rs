//! Removal of the inline markup that text exports leave in plans:
//! HTML tags (`<b>`, `<i>`, `<sup>`, `<br>`, `<span …>`), markdown emphasis
//! (`**`, `*`, `__`), heading marks (`### `), backslash escapes and the common
//! HTML entities. Line breaks (`<br>`, `<p>`) become `\n`.

use std::borrow::Cow;

/// Tags removed without a trace.
const INLINE_TAGS: &[&str] = &[
    "b", "i", "u", "s", "em", "strong", "span", "font", "mark", "small", "big", "strike", "del",
    "ins", "a", "code", "tt", "o:p", "sub",
];
/// Tags that end a line.
const BREAK_TAGS: &[&str] = &[
    "br",
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "tr",
    "td",
    "th",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
];
/// Tags whose closing form also ends a line.
const BLOCK_CLOSE: &[&str] = &[
    "p",
    "div",
    "tr",
    "td",
    "th",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
];

/// Whether `s` holds a character that may start markup (a byte scan: the
/// superscript digits are `C2 B9`, `C2 B2`, `C2 B3` and `E2 81 B0`…`E2 81 B9`).
fn may_hold_markup(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| match c {
        b'<' | b'*' | b'_' | b'&' | b'\\' | b'#' => true,
        0xC2 => matches!(b.get(i + 1), Some(0xB2 | 0xB3 | 0xB9)),
        0xE2 => b.get(i + 1) == Some(&0x81) && matches!(b.get(i + 2), Some(0xB0..=0xB9)),
        _ => false,
    })
}

/// Removes inline markup, keeping the text. `<br>` and block tags become `\n`;
/// `<sup>` holding only a footnote mark (digits, `*`) is dropped whole, as are
/// Unicode superscript footnote marks, except a `²`/`³` exponent after a unit
/// (`m²`, `km²`, `m<sup>3</sup>` → `m³`).
///
/// ```
/// use kehoach_text::strip_markup;
/// assert_eq!(strip_markup("<b>II</b>"), "II");
/// assert_eq!(strip_markup("**Kế hoạch**"), "Kế hoạch");
/// assert_eq!(strip_markup("a<br>b"), "a\nb");
/// assert_eq!(strip_markup("KH-UBND<sup>1</sup> ngày"), "KH-UBND ngày");
/// assert_eq!(strip_markup("HĐND&amp;UBND"), "HĐND&UBND");
/// assert_eq!(strip_markup("500 m<sup>2</sup>"), "500 m²");
/// ```
pub fn strip_markup(s: &str) -> String {
    strip_markup_cow(s).into_owned()
}

/// [`strip_markup`], borrowing `s` when it holds no markup.
pub fn strip_markup_cow(s: &str) -> Cow<'_, str> {
    if !may_hold_markup(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut i = 0;
    let mut line_start = true;
    while let Some(c) = s.get(i..).and_then(|r| r.chars().next()) {
        let rest = &s[i..];
        if line_start && c == '#' {
            // Markdown heading marks at the start of a line.
            let hashes = rest.bytes().take_while(|&b| b == b'#').count();
            if hashes <= 6 && rest.as_bytes().get(hashes) == Some(&b' ') {
                i += hashes + 1;
                changed = true;
                continue;
            }
        }
        match c {
            '<' => match parse_tag(rest) {
                Some((len, kind)) => {
                    changed = true;
                    i += len;
                    match kind {
                        Tag::Inline => {}
                        Tag::Break => {
                            out.push('\n');
                            line_start = true;
                        }
                        Tag::Sup { content, close } => {
                            let inner = &rest[len..len + content];
                            if is_footnote_mark(inner) {
                                let t = inner.trim();
                                if (t == "2" || t == "3") && after_unit(&out) {
                                    out.push(if t == "2" { '²' } else { '³' });
                                    line_start = false;
                                }
                                i += content + close;
                            }
                        }
                    }
                }
                None => push(&mut out, c, &mut line_start, &mut i),
            },
            '*' => {
                // Markdown emphasis: any run of asterisks is markup.
                i += rest.bytes().take_while(|&b| b == b'*').count();
                changed = true;
            }
            '_' if rest.starts_with("__") => {
                i += 2;
                changed = true;
            }
            '&' => {
                // Entities, including doubly escaped ones (`&amp;lt;`).
                let mut pos = i + 1;
                let mut decoded = None;
                while let Some((len, ch)) = s.get(pos..).and_then(parse_entity_body) {
                    pos += len;
                    decoded = Some(ch);
                    if ch != '&' {
                        break;
                    }
                }
                match decoded {
                    Some(ch) => {
                        emit(&mut out, ch, &mut line_start);
                        i = pos;
                        changed = true;
                    }
                    None => push(&mut out, c, &mut line_start, &mut i),
                }
            }
            '\\' => match rest[1..].chars().next() {
                // Markdown escape of ASCII punctuation: keep the character only.
                Some(n) if n.is_ascii_punctuation() => {
                    emit(&mut out, n, &mut line_start);
                    i += 2;
                    changed = true;
                }
                _ => push(&mut out, c, &mut line_start, &mut i),
            },
            c if is_super_digit(c) => {
                if matches!(c, '²' | '³') && after_unit(&out) {
                    push(&mut out, c, &mut line_start, &mut i);
                } else {
                    // A footnote mark.
                    i += c.len_utf8();
                    changed = true;
                }
            }
            _ => push(&mut out, c, &mut line_start, &mut i),
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(s)
    }
}

/// Copies `c` from the input: appends it and advances `i` past it.
fn push(out: &mut String, c: char, line_start: &mut bool, i: &mut usize) {
    emit(out, c, line_start);
    *i += c.len_utf8();
}

/// Appends `c`, tracking whether we are still at the start of a line (only
/// spaces and invisible characters since the break).
fn emit(out: &mut String, c: char, line_start: &mut bool) {
    out.push(c);
    *line_start =
        matches!(c, '\n' | '\r') || *line_start && (crate::is_space(c) || crate::is_invisible(c));
}

fn is_super_digit(c: char) -> bool {
    matches!(c, '¹' | '²' | '³' | '⁰' | '⁴'..='⁹')
}

fn is_footnote_mark(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '*' | ',' | ' '))
}

/// Whether `out` ends with a length unit (`m`, `km`, `cm`, `dm`, `mm`), so that
/// a following `²`/`³` is an exponent, not a footnote.
fn after_unit(out: &str) -> bool {
    let mut rev = out.chars().rev();
    if rev.next() != Some('m') {
        return false;
    }
    match rev.next() {
        None => true,
        Some(c) if !c.is_alphabetic() => true,
        Some('k' | 'c' | 'd' | 'm') => !matches!(rev.next(), Some(c) if c.is_alphabetic()),
        Some(_) => false,
    }
}

enum Tag {
    Inline,
    Break,
    /// `<sup>`: byte length of its content and of the closing tag.
    Sup {
        content: usize,
        close: usize,
    },
}

/// How far a tag may reach (`<span style="…">`).
const MAX_TAG: usize = 200;
/// How far a `<sup>` footnote may reach.
const MAX_SUP: usize = 64;

/// Recognises a known tag at the start of `s`; returns its byte length and kind.
fn parse_tag(s: &str) -> Option<(usize, Tag)> {
    let end = s.bytes().take(MAX_TAG + 1).position(|b| b == b'>')?;
    let inner = s.get(1..end)?;
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, inner),
    };
    let inner = inner.trim_end_matches('/').trim_end();
    let name_len = inner
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(inner.len());
    let name = &inner[..name_len];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic())
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == ':')
    {
        return None;
    }
    let is = |list: &[&str]| list.iter().any(|t| t.eq_ignore_ascii_case(name));
    let len = end + 1;
    if name.eq_ignore_ascii_case("sup") {
        if !closing {
            if let Some((content, close)) = find_close(&s[len..], "sup") {
                return Some((len, Tag::Sup { content, close }));
            }
        }
        return Some((len, Tag::Inline));
    }
    if is(BREAK_TAGS) {
        let kind = if !closing || is(BLOCK_CLOSE) {
            Tag::Break
        } else {
            Tag::Inline
        };
        return Some((len, kind));
    }
    if is(INLINE_TAGS) {
        return Some((len, Tag::Inline));
    }
    None
}

/// Finds `</name>` near the start of `s`: byte offset and length of the close tag.
fn find_close(s: &str, name: &str) -> Option<(usize, usize)> {
    let window = &s.as_bytes()[..s.len().min(MAX_SUP)];
    let at = window.windows(2).position(|w| w == b"</")?;
    let after = s.as_bytes().get(at + 2..at + 2 + name.len())?;
    if !after.eq_ignore_ascii_case(name.as_bytes()) {
        return None;
    }
    let gt = s.as_bytes()[at..]
        .iter()
        .take(MAX_TAG)
        .position(|&b| b == b'>')?;
    Some((at, gt + 1))
}

/// Decodes an entity given the text after its `&`: `amp;…` → (4, '&').
fn parse_entity_body(s: &str) -> Option<(usize, char)> {
    let end = s.bytes().take(12).position(|b| b == b';')?;
    let name = &s[..end];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'#') {
        return None;
    }
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{00A0}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "bull" => '•',
        "middot" => '·',
        "deg" => '°',
        "times" => '×',
        "shy" => '\u{00AD}',
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
        assert_eq!(strip_markup("a\n  ## b"), "a\n  b");
        assert_eq!(strip_markup("<B>x</B><BR/>y"), "x\ny");
        assert_eq!(strip_markup("__đậm__"), "đậm");
        assert_eq!(strip_markup("&amp;lt;"), "<");
        assert_eq!(strip_markup("&#273;&#x110;"), "đĐ");
    }

    #[test]
    fn keeps_non_markup() {
        assert_eq!(strip_markup("a < b & c > d"), "a < b & c > d");
        assert_eq!(strip_markup("x <5% y"), "x <5% y");
        assert_eq!(strip_markup("HĐND&UBND"), "HĐND&UBND");
        assert_eq!(strip_markup("<sup>a</sup>"), "a");
        assert_eq!(strip_markup("CO<sub>2</sub>"), "CO2");
        assert_eq!(strip_markup("Số #5"), "Số #5");
        assert_eq!(strip_markup("ten_file"), "ten_file");
        assert!(matches!(strip_markup_cow("a < b & c"), Cow::Borrowed(_)));
        assert!(matches!(strip_markup_cow("Hà Nội – “x”"), Cow::Borrowed(_)));
        for c in ['¹', '²', '³', '⁰', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'] {
            assert!(is_super_digit(c) && may_hold_markup(&c.to_string()), "{c}");
        }
    }

    #[test]
    fn exponents_and_footnotes() {
        assert_eq!(
            strip_markup("1.200 m²; 3 km² và 5m³"),
            "1.200 m²; 3 km² và 5m³"
        );
        assert_eq!(strip_markup("năm²"), "năm");
        assert_eq!(strip_markup("Điều 5<sup>12</sup>."), "Điều 5.");
        assert_eq!(strip_markup("2 cm<sup> 3 </sup>"), "2 cm³");
    }

    #[test]
    fn odd_input_does_not_panic() {
        for s in [
            "<su",
            "&#x110000;",
            "\\",
            "&",
            "<",
            "<sup>",
            "<sup>1",
            "</",
            "&#;",
            "&#x;",
            "###",
            "# ",
            "&€€€€€€€€;",
            "<sup>1</su",
            "<sup>1</sup",
            "&#xD800;",
            "*",
            "_",
        ] {
            let _ = strip_markup(s);
        }
        assert_eq!(strip_markup("&#x110000;"), "&#x110000;");
    }
}
