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
        let mut lit = String::with_capacity(2 + items.len() * 8);
        lit.push('{');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                lit.push(',');
            }
            lit.push('"');
            for c in item.as_ref().chars() {
                if c == '"' || c == '\\' {
                    lit.push('\\');
                }
                lit.push(c);
            }
            lit.push('"');
        }
        lit.push('}');
        self.text(&lit)
    }

    /// Ends the row; returns the buffer.
    pub(crate) fn end(mut self) -> String {
        self.buf.push('\n');
        self.buf
    }
}

fn escape_into(out: &mut String, s: &str) {
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
