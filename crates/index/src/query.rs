//! The search syntax: words, `"phrases"`, `-exclusions`.

/// One part of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// The text as typed (without quotes or the leading `-`).
    pub text: String,
    /// Whether it was quoted (words must appear in this order, adjacent).
    pub phrase: bool,
    /// Whether it was prefixed with `-` (records containing it are excluded).
    pub negated: bool,
}

/// Splits a query into clauses. Every positive clause must match; every
/// negated one must not. A word that the index splits into several tokens
/// (`VP-TK`, `99,5`) is matched as a phrase.
///
/// ```
/// use kehoach_index::parse_query;
/// let q = parse_query(r#"hồ sơ "một cửa liên thông" -"bưu chính""#);
/// assert_eq!(q.len(), 4);
/// assert!(q[2].phrase && !q[2].negated);
/// assert!(q[3].phrase && q[3].negated);
/// ```
pub fn parse_query(query: &str) -> Vec<Clause> {
    let mut out = Vec::new();
    let chars: Vec<char> = query.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let mut negated = false;
        if c == '-' && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
            negated = true;
            i += 1;
        }
        if is_quote(chars[i]) {
            i += 1;
            let start = i;
            while i < chars.len() && !is_quote(chars[i]) {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            i += 1; // the closing quote (or the end)
            let text = text.trim().to_string();
            if !text.is_empty() {
                out.push(Clause {
                    text,
                    phrase: true,
                    negated,
                });
            }
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && !is_quote(chars[i]) {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            if !text.is_empty() && text != "-" {
                out.push(Clause {
                    text,
                    phrase: false,
                    negated,
                });
            }
        }
    }
    out
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_phrases_and_exclusions() {
        let q = parse_query(r#"  thanh toán  "trực tuyến" -bưu -"dịch vụ công" "#);
        let got: Vec<(&str, bool, bool)> = q
            .iter()
            .map(|c| (c.text.as_str(), c.phrase, c.negated))
            .collect();
        assert_eq!(
            got,
            vec![
                ("thanh", false, false),
                ("toán", false, false),
                ("trực tuyến", true, false),
                ("bưu", false, true),
                ("dịch vụ công", true, true)
            ]
        );
    }

    #[test]
    fn unterminated_quote_and_lone_dash() {
        let q = parse_query("\"một cửa - x");
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].text, "một cửa - x");
        assert!(parse_query(" - ").is_empty());
        assert_eq!(parse_query("VP-TK")[0].text, "VP-TK");
        assert!(parse_query("\"\"").is_empty());
    }
}
