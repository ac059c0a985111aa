//! Rows in `COPY … FROM STDIN` text format.

/// A row being written: values separated by tabs.
#[derive(Default)]
pub(crate) struct Row {
    buf: String,
    first: bool,
}

impl Row {
    pub(crate) fn new(buf: String) -> Row {
        Row { buf, first: true }
    }

    fn sep(&mut self) {
        if !self.first {
            self.buf.push('\t');
        }
        self.first = false;
    }

    /// A text value (NUL characters, which PostgreSQL text cannot hold, are dropped).
    pub(crate) fn text(&mut self, s: &str) -> &mut Self {
        self.sep();
        escape_into(&mut self.buf, s);
        self
    }

    /// A text value or NULL.
    pub(crate) fn opt(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    /// NULL.
    pub(crate) fn null(&mut self) -> &mut Self {
        self.sep();
        self.buf.push_str("\\N");
        self
    }

    /// A number (or anything whose `Display` is its literal).
    pub(crate) fn num(&mut self, n: impl std::fmt::Display) -> &mut Self {
        self.sep();
        use std::fmt::Write;
        let _ = write!(self.buf, "{n}");
        self
    }

    /// A number or NULL.
    pub(crate) fn opt_num(&mut self, n: Option<impl std::fmt::Display>) -> &mut Self {
        match n {
            Some(n) => self.num(n),
            None => self.null(),
        }
    }

    /// A `text[]` value.
    pub(crate) fn array<S: AsRef<str>>(&mut self, items: &[S]) -> &mut Self {
        self.sep();
        // The array literal (items quoted, `"` and `\` escaped), written
        // with COPY's escapes straight into the row.
        self.buf.push('{');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.buf.push(',');
            }
            self.buf.push('"');
            let mut quoted = String::new();
            let item = item.as_ref();
            let lit = if item.bytes().any(|b| b == b'"' || b == b'\\') {
                for c in item.chars() {
                    if c == '"' || c == '\\' {
                        quoted.push('\\');
                    }
                    quoted.push(c);
                }
                quoted.as_str()
            } else {
                item
            };
            escape_into(&mut self.buf, lit);
            self.buf.push('"');
        }
        self.buf.push('}');
        self
    }

    /// Ends the row; returns the buffer.
    pub(crate) fn end(mut self) -> String {
        self.buf.push('\n');
        self.buf
    }
}

/// Appends `s` with COPY's escapes: runs of ordinary bytes are copied in
/// one piece, the few bytes that need it escaped (NUL dropped).
fn escape_into(out: &mut String, s: &str) {
    let b = s.as_bytes();
    let mut run = 0;
    for (i, &c) in b.iter().enumerate() {
        let esc = match c {
            b'\\' => "\\\\",
            b'\t' => "\\t",
            b'\n' => "\\n",
            b'\r' => "\\r",
            0 => "",
            _ => continue,
        };
        // `i` is an ASCII byte: the cut is at a char boundary.
        out.push_str(s.get(run..i).unwrap_or_default());
        out.push_str(esc);
        run = i + 1;
    }
    out.push_str(s.get(run..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// COPY's escapes, char by char.
    fn escaped(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\0' => {}
                c => out.push(c),
            }
        }
        out
    }

    /// An array literal built whole, then escaped for COPY.
    fn array_literal(items: &[String]) -> String {
        let mut lit = String::from("{");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                lit.push(',');
            }
            lit.push('"');
            for c in item.chars() {
                if c == '"' || c == '\\' {
                    lit.push('\\');
                }
                lit.push(c);
            }
            lit.push('"');
        }
        lit.push('}');
        escaped(&lit)
    }

    proptest! {
        #[test]
        fn escapes_as_char_by_char(s in "(?s)[a-zà-ỹ\"\\\\\t\n\r\u{0} {},]{0,40}") {
            let mut out = String::new();
            escape_into(&mut out, &s);
            prop_assert_eq!(out, escaped(&s));
        }

        #[test]
        fn arrays_as_a_literal_escaped_whole(
            items in proptest::collection::vec("(?s)[a-zđơ\"\\\\\t\n\u{0},{}]{0,12}", 0..6)
        ) {
            let mut r = Row::new(String::new());
            r.array(&items);
            prop_assert_eq!(r.end(), format!("{}\n", array_literal(&items)));
        }
    }

    #[test]
    fn values_are_escaped() {
        let mut r = Row::new(String::new());
        r.text("a\tb\\c\nd")
            .null()
            .num(3)
            .array(&["x\"y", "", "z\\"]);
        assert_eq!(
            r.end(),
            "a\\tb\\\\c\\nd\t\\N\t3\t{\"x\\\\\"y\",\"\",\"z\\\\\\\\\"}\n"
        );
    }
}
