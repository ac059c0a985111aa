//! Whole HTML documents: a web page saved as a file, or a word processor's
//! "save as web page".
//!
//! In HTML a line break in the source is a space: only `<br>` breaks a line
//! and block elements (`<p>`, `<div>`, headings, list items) make
//! paragraphs. The text exports the rest of the reader handles are the other
//! way round (a line break is a line break), so a whole document is first
//! turned into that form: the head, scripts, styles and comments dropped,
//! white space collapsed, one paragraph per block element (blank lines
//! between them), `<br>` kept as a line break, and each table kept as HTML
//! on lines of its own, its cells' paragraphs as `<br>`, for the table
//! reader.

/// Whether `text` is a whole HTML document (it starts with a doctype or an
/// `<html>` tag, after white space and a byte order mark).
pub fn is_document(text: &str) -> bool {
    let head = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    let start = head.get(..14).unwrap_or(head);
    let lower = start.to_ascii_lowercase();
    lower.starts_with("<!doctype html") || lower.starts_with("<html")
}

/// Elements whose content is not text of the document.
const SKIPPED: &[&str] = &["head", "script", "style", "title", "noscript", "template"];

/// Elements that make a paragraph of their content.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "center",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "nav",
    "aside",
    "address",
    "pre",
    "hr",
    "body",
    "form",
    "figure",
    "figcaption",
];

/// Inline markup kept for the markup stripper (bold lines are recognised by it).
const INLINE_KEPT: &[&str] = &["b", "strong", "i", "em", "u", "sup", "sub"];

/// Table structure kept for the table reader.
const TABLE_TAGS: &[&str] = &["table", "tr", "td", "th", "tbody", "thead", "tfoot"];

/// `html` as the reader's text form (see the module documentation).
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut space = false;
    let mut tables = 0usize;
    // Right after an image: a word processor anchors a drawn line (the rule
    // under a header's issuer and motto) inside a word and breaks the source
    // line after it ("T<img …>\nỈNH"): that break is no space.
    let mut after_image = false;
    let mut i = 0;
    let b = html.as_bytes();
    while i < b.len() {
        let c = b[i];
        if c != b'<' {
            // Text up to the next tag, its white space collapsed.
            let end = memchr::memchr(b'<', &b[i..]).map_or(b.len(), |k| i + k);
            for ch in html.get(i..end).unwrap_or_default().chars() {
                if ch.is_whitespace() && ch != '\u{a0}' {
                    space |= !after_image;
                } else {
                    after_image = false;
                    space_before(&mut out, space);
                    space = false;
                    out.push(ch);
                }
            }
            i = end;
            continue;
        }
        if html[i..].starts_with("<!--") {
            i = html[i..].find("-->").map_or(b.len(), |k| i + k + 3);
            continue;
        }
        let Some(rel) = memchr::memchr(b'>', &b[i..]) else {
            break;
        };
        let tag = html.get(i + 1..i + rel).unwrap_or_default();
        let end = i + rel + 1;
        let (closing, name, _) = crate::html::split_tag(tag);
        if !closing && SKIPPED.contains(&name.as_str()) {
            // Past the element's end tag.
            let close = format!("</{name}");
            let rest = html.get(end..).unwrap_or_default();
            i = find_ci(rest, &close)
                .and_then(|k| memchr::memchr(b'>', &rest.as_bytes()[k..]).map(|g| end + k + g + 1))
                .unwrap_or(b.len());
            continue;
        }
        i = end;
        after_image = name == "img";
        if TABLE_TAGS.contains(&name.as_str()) {
            if name == "table" && !closing {
                if tables == 0 {
                    paragraph_break(&mut out);
                }
                tables += 1;
            }
            out.push('<');
            out.push_str(tag);
            out.push('>');
            if name == "table" && closing {
                tables = tables.saturating_sub(1);
                if tables == 0 {
                    paragraph_break(&mut out);
                }
            }
            space = false;
            continue;
        }
        if tables > 0 {
            // Inside a table: a cell's paragraphs and line breaks are its lines.
            if name == "br" || (closing && BLOCKS.contains(&name.as_str())) {
                out.push_str("<br>");
                space = false;
            }
            continue;
        }
        if name == "br" {
            trim_space(&mut out);
            out.push('\n');
            space = false;
        } else if BLOCKS.contains(&name.as_str()) {
            paragraph_break(&mut out);
            space = false;
        } else if INLINE_KEPT.contains(&name.as_str()) {
            space_before(&mut out, space);
            space = false;
            out.push('<');
            if closing {
                out.push('/');
            }
            out.push_str(&name);
            out.push('>');
        }
        // Other elements (spans, fonts, links, images) leave only their text.
    }
    out
}

/// The space collapsed white space left pending, before what comes next
/// (none at the start of a line).
fn space_before(out: &mut String, space: bool) {
    if space && !out.is_empty() && !out.ends_with([' ', '\n']) {
        out.push(' ');
    }
}

/// Ends the current paragraph: a blank line (once).
fn paragraph_break(out: &mut String) {
    trim_space(out);
    if out.is_empty() || out.ends_with("\n\n") {
        return;
    }
    out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
}

fn trim_space(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
}

/// Where `needle` (ASCII) first occurs in `hay`, ignoring ASCII case.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    hay.as_bytes()
        .windows(n)
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_told_from_text_with_tables() {
        assert!(is_document("\u{feff}\n  <!DOCTYPE html>\n<html>"));
        assert!(is_document("<HTML lang=\"vi\">"));
        assert!(!is_document("KẾ HOẠCH\n<table><tr><td>a</td></tr></table>"));
        assert!(!is_document(""));
    }

    #[test]
    fn source_line_breaks_are_spaces_and_blocks_are_paragraphs() {
        let html = "<!DOCTYPE html><html><head><title>x</title>\n<style>p { color: red }</style></head>\n\
            <body><p>ỦY\nBAN NHÂN DÂN<br/>TỈNH\n  LÀO CAI</p><!-- a comment -->\
            <p align=\"center\"><b>KẾ\nHOẠCH</b></p><div>Thực <span>hiện</span> <img src=\"a.png\"> nay</div>\
            <script>var x = '<p>';</script></body></html>";
        assert_eq!(
            to_text(html),
            "ỦY BAN NHÂN DÂN\nTỈNH LÀO CAI\n\n<b>KẾ HOẠCH</b>\n\nThực hiện nay\n\n"
        );
        // A drawn line anchored inside a word, the source broken after it.
        assert_eq!(
            to_text("<html><p><b>T<img src=\"line.gif\"/>\nỈNH\n  LÂM ĐỒNG</b></p>"),
            "<b>TỈNH LÂM ĐỒNG</b>\n\n"
        );
    }

    #[test]
    fn tables_stay_html_on_lines_of_their_own() {
        let html = "<html><body><p>Phụ lục</p><table border=1>\n<tr><td><p>Tên\nnhiệm vụ</p><p>hai</p></td>\
            <td rowspan=2>Sở A</td></tr></table><p>Sau</p></body></html>";
        assert_eq!(
            to_text(html),
            "Phụ lục\n\n<table border=1><tr><td>Tên nhiệm vụ<br>hai<br></td><td rowspan=2>Sở A</td></tr></table>\n\nSau\n\n"
        );
    }

    #[test]
    fn broken_markup_never_panics() {
        for s in [
            "<html><",
            "<html><p",
            "<html><!-- x",
            "<html><style>",
            "<html>\u{1ea0}<b",
            "<html></",
        ] {
            let _ = to_text(s);
        }
    }
}
