//! HTML building blocks: escaping, URLs, the page frame.

use std::fmt::Write;

/// Escapes text for HTML content and double- or single-quoted attributes
/// (the index's escaper, which also escapes snippets).
pub use kehoach_index::html_escape as esc;

/// A search snippet from the index (already escaped, `<b>` around matches)
/// with `<mark>` for the highlights. Anything but the exact `<b>`/`</b>` the
/// snippet maker adds is escaped again, so nothing else can become markup.
pub fn snippet_html(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len() + 16);
    let mut rest = snippet;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("<b>") {
            out.push_str("<mark>");
            rest = r;
        } else if let Some(r) = rest.strip_prefix("</b>") {
            out.push_str("</mark>");
            rest = r;
        } else {
            let mut chars = rest.chars();
            let c = chars.next().unwrap_or_default();
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                other => out.push(other),
            }
            rest = chars.as_str();
        }
    }
    balance_marks(out)
}

/// Closes a `<mark>` left open (a snippet cut inside a highlight).
fn balance_marks(mut s: String) -> String {
    let open = s.matches("<mark>").count();
    let close = s.matches("</mark>").count();
    for _ in close..open {
        s.push_str("</mark>");
    }
    s
}

/// Percent-encodes a query-string value (UTF-8; letters, digits and `-._~` kept).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// `path?k=v&k=v` from pairs (values encoded, empty values left out), for an href (escaped).
pub fn href(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = path.to_string();
    let mut first = true;
    for (k, v) in pairs {
        if v.is_empty() {
            continue;
        }
        url.push(if first { '?' } else { '&' });
        first = false;
        url.push_str(k);
        url.push('=');
        url.push_str(&url_encode(v));
    }
    esc(&url)
}

/// The sections of the site, for the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// Search.
    Search,
    /// The plan list and plan pages.
    Plans,
    /// Comparisons.
    Compare,
    /// Target timelines.
    Targets,
    /// None of them.
    None,
}

/// The whole page: head, navigation, `body`, footer.
pub fn page(title: &str, nav: Nav, body: &str) -> String {
    let link = |n: Nav, href: &str, label: &str| {
        let current = if n == nav {
            " aria-current=\"page\" class=\"current\""
        } else {
            ""
        };
        format!("<a href=\"{href}\"{current}>{label}</a>")
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title} · kehoach</title>\n\
<link rel=\"stylesheet\" href=\"/static/style.css\">\n\
<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">\n\
<script src=\"/static/app.js\" defer></script>\n</head>\n<body>\n\
<header class=\"top\"><a class=\"brand\" href=\"/\">kehoach</a><nav>{}{}{}{}</nav></header>\n\
<main>\n{body}\n</main>\n\
<footer>kehoach · <a href=\"/api/plans\">JSON API</a></footer>\n</body>\n</html>\n",
        link(Nav::Search, "/", "Tìm kiếm"),
        link(Nav::Plans, "/plans", "Kế hoạch"),
        link(Nav::Compare, "/compare", "So sánh"),
        link(Nav::Targets, "/targets", "Chỉ tiêu"),
        title = esc(title),
    )
}

/// A message box (errors, empty results).
pub fn notice(class: &str, text: &str) -> String {
    format!("<p class=\"notice {class}\">{}</p>", esc(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_matters() {
        assert_eq!(
            esc("<script>alert('1')</script> & \"x\""),
            "&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt; &amp; &quot;x&quot;"
        );
    }

    #[test]
    fn snippets_keep_only_their_highlights() {
        assert_eq!(
            snippet_html("a <b>hồ sơ</b> &lt;script&gt;"),
            "a <mark>hồ sơ</mark> &lt;script&gt;"
        );
        // Raw markup (never produced by the index) is escaped, not trusted.
        assert_eq!(
            snippet_html("<script>x</script><b>y"),
            "&lt;script&gt;x&lt;/script&gt;<mark>y</mark>"
        );
    }

    #[test]
    fn urls_are_encoded() {
        assert_eq!(url_encode("hồ sơ&x=1"), "h%E1%BB%93%20s%C6%A1%26x%3D1");
        assert_eq!(
            href("/", &[("q", "a b"), ("year", ""), ("lead", "<x>")]),
            "/?q=a%20b&amp;lead=%3Cx%3E"
        );
    }
}
