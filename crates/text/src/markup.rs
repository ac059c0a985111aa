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

/// Whether `s` holds a character that may start markup (a byte scan). When it
/// does not, [`strip_markup_cow`] leaves `s` as it is.
pub(crate) fn may_hold_markup(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| match c {
        b'<' | b'*' | b'_' | b'&' | b'\\' | b'#' => true,
        0xC2 => matches!(b.get(i + 1), Some(0xB2 | 0xB3 | 0xB9)),
        0xE2 => b.get(i + 1) == Some(&0x81) && matches!(b.get(i + 2), Some(0xB0..=0xB9)),
        _ => false,
    })
}

/// The output of [`strip_markup_cow`], built lazily: until the first change
/// the output is the input up to the current position, and afterwards the
/// unchanged stretches of the input are copied in one piece.
struct Output<'a> {
    src: &'a str,
    /// The output so far, once something changed.
    buf: Option<String>,
    /// Start of the input stretch not yet copied to `buf`.
    pending: usize,
}

impl<'a> Output<'a> {
    fn new(src: &'a str) -> Self {
        Output {
            src,
            buf: None,
            pending: 0,
        }
    }

    /// Drops `src[from..to]` from the output.
    fn skip(&mut self, from: usize, to: usize) {
        let src = self.src;
        let pending = self.pending;
        let buf = self
            .buf
            .get_or_insert_with(|| String::with_capacity(src.len()));
        buf.push_str(src.get(pending..from).unwrap_or_default());
        self.pending = to;
    }

    /// Replaces `src[from..to]` with `c`.
    fn replace(&mut self, from: usize, to: usize, c: char) {
        self.skip(from, to);
        if let Some(buf) = &mut self.buf {
            buf.push(c);
        }
    }

    /// The output up to input position `at`.
    fn emitted(&mut self, at: usize) -> &str {
        match &mut self.buf {
            None => self.src.get(..at).unwrap_or_default(),
            Some(buf) => {
                buf.push_str(self.src.get(self.pending..at).unwrap_or_default());
                self.pending = at;
                buf
            }
        }
    }

    fn finish(self) -> Cow<'a, str> {
        match self.buf {
            None => Cow::Borrowed(self.src),
            Some(mut buf) => {
                buf.push_str(self.src.get(self.pending..).unwrap_or_default());
                Cow::Owned(buf)
            }
        }
    }
}

/// Whether the output so far ends at the start of a line: after a line break,
/// or at the very start, with only spaces and invisible characters since.
fn at_line_start(out: &str) -> bool {
    for c in out.chars().rev() {
        if matches!(c, '\n' | '\r') {
            return true;
        }
        if !(crate::is_space(c) || crate::is_invisible(c)) {
            return false;
        }
    }
    true
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
    let b = s.as_bytes();
    let mut out = Output::new(s);
    let mut i = 0;
    // Every position visited is a char boundary: the special bytes are ASCII
    // or UTF-8 lead bytes, and every step moves past whole chars.
    while let Some(at) = crate::fast::find_markup_byte(b, i) {
        i = at;
        let Some(rest) = s.get(i..) else { break };
        match b[i] {
            b'#' => {
                // Markdown heading marks at the start of a line.
                let hashes = rest.bytes().take_while(|&c| c == b'#').count();
                if hashes <= 6 && b.get(i + hashes) == Some(&b' ') && at_line_start(out.emitted(i))
                {
                    out.skip(i, i + hashes + 1);
                    i += hashes + 1;
                } else {
                    i += 1;
                }
            }
            b'<' => match parse_tag(rest) {
                Some((len, kind)) => match kind {
                    Tag::Inline => {
                        out.skip(i, i + len);
                        i += len;
                    }
                    Tag::Break => {
                        out.replace(i, i + len, '\n');
                        i += len;
                    }
                    Tag::Sup { content, close } => {
                        let inner = rest.get(len..len + content).unwrap_or_default();
                        if is_footnote_mark(inner) {
                            let t = inner.trim();
                            let end = i + len + content + close;
                            if (t == "2" || t == "3") && after_unit(out.emitted(i)) {
                                out.replace(i, end, if t == "2" { '²' } else { '³' });
                            } else {
                                out.skip(i, end);
                            }
                            i = end;
                        } else {
                            out.skip(i, i + len);
                            i += len;
                        }
                    }
                },
                None => i += 1,
            },
            b'*' => {
                // Markdown emphasis: any run of asterisks is markup.
                let n = rest.bytes().take_while(|&c| c == b'*').count();
                out.skip(i, i + n);
                i += n;
            }
            b'_' => {
                if rest.starts_with("__") {
                    out.skip(i, i + 2);
                    i += 2;
                } else {
                    i += 1;
                }
            }
            b'&' => {
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
                        out.replace(i, pos, ch);
                        i = pos;
                    }
                    None => i += 1,
                }
            }
            b'\\' => {
                // Markdown escape of ASCII punctuation: keep the character only.
                if b.get(i + 1).is_some_and(u8::is_ascii_punctuation) {
                    out.skip(i, i + 1);
                    i += 2;
                } else {
                    i += 1;
                }
            }
            _ => {
                // A lead byte that may start a superscript digit.
                let Some(c) = rest.chars().next() else { break };
                if is_super_digit(c) && !(matches!(c, '²' | '³') && after_unit(out.emitted(i))) {
                    // A footnote mark.
                    out.skip(i, i + c.len_utf8());
                }
                i += c.len_utf8();
            }
        }
    }
    out.finish()
}

pub(crate) fn is_super_digit(c: char) -> bool {
    matches!(c, '¹' | '²' | '³' | '⁰' | '⁴'..='⁹')
}

pub(crate) fn is_footnote_mark(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '*' | ',' | ' '))
}

/// Whether `out` ends with a length unit (`m`, `km`, `cm`, `dm`, `mm`), so that
/// a following `²`/`³` is an exponent, not a footnote.
pub(crate) fn after_unit(out: &str) -> bool {
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

pub(crate) enum Tag {
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
pub(crate) fn parse_tag(s: &str) -> Option<(usize, Tag)> {
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
pub(crate) fn parse_entity_body(s: &str) -> Option<(usize, char)> {
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
