//! Reader for plans exported as text.
//!
//! Accepts UTF-8 (with or without BOM), UTF-16 with BOM, CRLF line ends, NFD
//! text and the table syntaxes exports produce:
//!
//! * tab-separated rows (one row per line, cells separated by tabs);
//! * markdown pipe tables (`| a | b |`, `|---|---|` separator lines, `<br>` in cells);
//! * HTML tables (`<table><tr><td colspan=…>…</td></tr></table>`, also across lines);
//! * web-page text tables: each cell on its own lines, cells separated by
//!   lines holding only `|` (see the `bars` module);
//! * whole HTML documents (a saved web page, a word processor's "save as
//!   web page"): turned into that form first, source line breaks as spaces,
//!   one paragraph per block element (see the `page` module).
//!
//! Everything else is running text: consecutive non-blank lines form one
//! paragraph, blank lines separate paragraphs and end tables, and a line of
//! `---` (or a form feed) separates pages. Inline markup (`<b>`, `**`, …) is
//! removed; `<br>` becomes a line break. The result is a
//! [`kehoach_doc::Document`] with line numbers on every paragraph, row and cell.

#![warn(missing_docs)]

mod bars;
mod decode;
mod html;
mod page;

use kehoach_doc::{
    Block, Cell, Document, Page, Paragraph, Pos, ReaderWarning, Row, SourceFormat, Table,
};
use kehoach_text::strip_markup_cow;

pub use decode::decode;

/// Why a text file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    /// The file has no bytes (or only white space).
    #[error("the file is empty")]
    Empty,
    /// The bytes are not text.
    #[error("not a text file: {0}")]
    Binary(String),
    /// The bytes are not valid UTF-8 and no other encoding fits.
    #[error("not valid UTF-8 text: {0}")]
    Encoding(String),
}

/// Reads a text export into the document model.
///
/// ```
/// let doc = kehoach_read_text::read("KẾ HOẠCH\n\nTT\tNội dung\tChủ trì\n1\tViệc\tPhòng A\n".as_bytes()).unwrap();
/// assert_eq!(doc.pages[0].blocks.len(), 2);
/// ```
pub fn read(bytes: &[u8]) -> Result<Document, ReadError> {
    let (text, warning) = decode(bytes)?;
    let mut doc = read_str(&text);
    if let Some(w) = warning {
        doc.warnings.push(w);
    }
    Ok(doc)
}

/// Reads already-decoded text into the document model.
pub fn read_str(text: &str) -> Document {
    if page::is_document(text) {
        return read_text_form(&page::to_text(text));
    }
    read_text_form(text)
}

/// [`read_str`] on text in the export form: a line break is a line break.
fn read_text_form(text: &str) -> Document {
    let text = kehoach_text::nfc(text);
    let mut builder = Builder::default();
    let lines: Vec<&str> = split_lines(&text);
    let mut i = 0;
    while i < lines.len() {
        let line_no = (i + 1) as u32;
        let raw = lines[i];
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            builder.end_block();
            i += 1;
            continue;
        }
        if is_page_separator(trimmed) {
            builder.new_page();
            i += 1;
            continue;
        }
        if starts_with_ci(trimmed, "<table") {
            // Gather lines up to the closing tag (nested tables included).
            let (table_text, consumed) = html::gather_table(&lines[i..]);
            builder.end_block();
            let rows = html::parse_table(&table_text, line_no);
            if !rows.is_empty() {
                builder.push_block(Block::Table(Table {
                    pos: Pos::line(line_no),
                    rows,
                }));
            }
            i += consumed.max(1);
            continue;
        }
        if bars::is_bar(trimmed) {
            if let Some(scanned) = bars::scan(&lines[i..], line_no) {
                for piece in scanned.pieces {
                    match piece {
                        bars::Piece::Table(table) => {
                            builder.end_block();
                            builder.push_block(Block::Table(table));
                        }
                        bars::Piece::Text(range) => {
                            for j in range {
                                let at = i + j;
                                if is_page_separator(lines[at].trim()) {
                                    builder.new_page();
                                } else {
                                    builder.push_text(lines[at], (at + 1) as u32);
                                }
                            }
                        }
                    }
                }
                i += scanned.consumed.max(1);
                continue;
            }
        }
        if is_pipe_row(trimmed) {
            if is_pipe_separator(trimmed) {
                i += 1;
                continue;
            }
            builder.push_row(pipe_cells(trimmed), line_no);
            i += 1;
            continue;
        }
        if is_tab_row(raw, builder.in_table(), lines.get(i + 1).copied()) {
            builder.push_row(tab_cells(raw), line_no);
            i += 1;
            continue;
        }
        builder.push_text(raw, line_no);
        i += 1;
    }
    builder.finish()
}

/// Splits on `\n`, `\r\n` and lone `\r`; a form feed becomes its own line.
fn split_lines(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 64 + 1);
    let mut start = 0;
    let mut skip_lf = false;
    for i in memchr::memchr3_iter(b'\n', b'\r', b'\x0c', bytes) {
        if skip_lf {
            skip_lf = false;
            if bytes[i] == b'\n' && i == start {
                start = i + 1;
                continue;
            }
        }
        out.push(text.get(start..i).unwrap_or_default());
        match bytes[i] {
            b'\r' => skip_lf = true,
            b'\x0c' => out.push("\x0c"),
            _ => {}
        }
        start = i + 1;
    }
    if start < text.len() {
        out.push(text.get(start..).unwrap_or_default());
    }
    out
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn is_page_separator(trimmed: &str) -> bool {
    trimmed == "\x0c"
        || (trimmed.len() >= 3
            && (trimmed.bytes().all(|b| b == b'-')
                || trimmed.bytes().all(|b| b == b'*')
                || trimmed.bytes().all(|b| b == b'_')))
}

fn is_pipe_row(trimmed: &str) -> bool {
    trimmed.starts_with('|') && trimmed.matches('|').count() >= 2
}

/// `|---|:--:|` style separator lines.
fn is_pipe_separator(trimmed: &str) -> bool {
    let inner = trimmed.trim_matches('|');
    !inner.is_empty()
        && inner.contains('-')
        && inner.split('|').all(|c| {
            let c = c.trim();
            !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' '))
        })
}

fn pipe_cells(trimmed: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = trimmed.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cur.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    cells.push(cur);
    // Drop the empty pieces outside the leading and trailing pipes.
    if cells.first().is_some_and(|c| c.trim().is_empty()) {
        cells.remove(0);
    }
    if trimmed.ends_with('|') && cells.last().is_some_and(|c| c.trim().is_empty()) {
        cells.pop();
    }
    cells.iter().map(|c| clean_cell(c)).collect()
}

/// A line is a tab-separated row when it has two or more tabs, or one tab that
/// is not just indentation (or any tab while a tab table is open).
fn is_tab_row(raw: &str, in_table: bool, next: Option<&str>) -> bool {
    let tabs = memchr::memchr_iter(b'\t', raw.as_bytes()).count();
    if tabs == 0 {
        return false;
    }
    if tabs >= 2 || in_table {
        return true;
    }
    // One tab: a row when it separates two pieces of text, or when the next line is a row.
    let lead = raw.trim_start_matches([' ', '\u{a0}']).starts_with('\t');
    !lead || next.is_some_and(|n| memchr::memchr_iter(b'\t', n.as_bytes()).nth(1).is_some())
}

fn tab_cells(raw: &str) -> Vec<String> {
    let mut cells: Vec<String> = raw.split('\t').map(clean_cell).collect();
    // Trailing empty cells carry no information but keep the grid; keep them.
    if cells.len() == 1 {
        cells.push(String::new());
    }
    cells
}

/// Removes markup from a cell, keeping `<br>` line breaks; trims each line.
fn clean_cell(raw: &str) -> String {
    let stripped = strip_markup_cow(raw);
    if memchr::memchr(b'\n', stripped.as_bytes()).is_none() {
        // One line (the usual case): trimming is all there is to do.
        return stripped.trim().to_string();
    }
    let mut out = String::with_capacity(stripped.len());
    for (i, line) in stripped
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

/// Accumulates pages and blocks.
#[derive(Default)]
struct Builder {
    pages: Vec<Page>,
    blocks: Vec<Block>,
    para: Option<(Vec<String>, u32, bool)>,
    table: Option<Table>,
}

impl Builder {
    fn in_table(&self) -> bool {
        self.table.is_some()
    }

    fn push_text(&mut self, raw: &str, line: u32) {
        if let Some(t) = self.table.take() {
            self.blocks.push(Block::Table(t));
        }
        let bold = is_bold_line(raw);
        let text = clean_cell(raw);
        if text.is_empty() {
            return;
        }
        match &mut self.para {
            Some((lines, _, all_bold)) => {
                lines.push(text);
                *all_bold &= bold;
            }
            None => self.para = Some((vec![text], line, bold)),
        }
    }

    fn push_row(&mut self, cells: Vec<String>, line: u32) {
        self.flush_para();
        let pos = Pos::line(line);
        let row = Row {
            cells: cells.into_iter().map(|t| Cell::new(t, pos)).collect(),
            pos,
        };
        match &mut self.table {
            Some(t) => t.rows.push(row),
            None => {
                self.table = Some(Table {
                    rows: vec![row],
                    pos,
                })
            }
        }
    }

    fn push_block(&mut self, block: Block) {
        self.blocks.push(block);
    }

    fn flush_para(&mut self) {
        if let Some((lines, line, bold)) = self.para.take() {
            self.blocks.push(Block::Paragraph(Paragraph {
                text: lines.join("\n"),
                bold,
                pos: Pos::line(line),
            }));
        }
    }

    fn end_block(&mut self) {
        self.flush_para();
        if let Some(t) = self.table.take() {
            self.blocks.push(Block::Table(t));
        }
    }

    fn new_page(&mut self) {
        self.end_block();
        let blocks = std::mem::take(&mut self.blocks);
        if !blocks.is_empty() {
            self.pages.push(Page {
                number: None,
                blocks,
            });
        }
    }

    fn finish(mut self) -> Document {
        self.new_page();
        let mut doc = Document::new(SourceFormat::Text);
        doc.pages = self.pages;
        doc
    }
}

/// Whether a source line is wrapped in bold markup (`**…**` or `<b>…</b>`).
fn is_bold_line(raw: &str) -> bool {
    let t = raw.trim().trim_start_matches('#').trim();
    (t.starts_with("**") && t.trim_end().ends_with("**") && t.len() > 4)
        || (starts_with_ci(t, "<b>") && t.to_ascii_lowercase().ends_with("</b>"))
}

/// A reader warning in the contract's vocabulary.
pub(crate) fn warning(code: &str, message: impl Into<String>) -> ReaderWarning {
    ReaderWarning {
        code: code.to_string(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {

    /// The byte-by-byte splitting the fast [`split_lines`] must agree with.
    fn split_lines_reference(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    out.push(&text[start..i]);
                    start = i + 1;
                }
                b'\r' => {
                    out.push(&text[start..i]);
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    start = i + 1;
                }
                b'\x0c' => {
                    out.push(&text[start..i]);
                    out.push("\x0c");
                    start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        if start < text.len() {
            out.push(&text[start..]);
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn split_lines_matches_reference(s in "[a\\n\\r\\x0cế ]{0,40}") {
            proptest::prop_assert_eq!(split_lines(&s), split_lines_reference(&s));
        }
    }

    #[test]
    fn split_lines_line_endings() {
        for s in ["a\r\nb\rc\nd", "\r\r\n\n", "\r\x0c\n", "x\r", "\n"] {
            assert_eq!(split_lines(s), split_lines_reference(s), "{s:?}");
        }
    }
    use super::*;

    fn tables(doc: &Document) -> Vec<&Table> {
        doc.tables().collect()
    }

    #[test]
    fn tab_table_and_paragraphs() {
        let doc = read_str("**KẾ HOẠCH**  \n**Thực hiện năm 2024**\n\nTT\tNội dung\tChủ trì\n<b>I</b>\t<b>Mục</b>\t\n1\tViệc một\tPhòng A\n\n\ttiếp theo\t\t\n");
        let t = tables(&doc);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].rows.len(), 3);
        assert_eq!(t[0].rows[1].cells[0].text, "I");
        assert_eq!(t[0].rows[2].pos.line, Some(6));
        assert_eq!(t[1].rows[0].cells[1].text, "tiếp theo");
        match &doc.pages[0].blocks[0] {
            Block::Paragraph(p) => {
                assert_eq!(p.text, "KẾ HOẠCH\nThực hiện năm 2024");
                assert!(p.bold);
            }
            other => panic!("expected paragraph, got {other:?}"),
        }
    }

    #[test]
    fn markdown_table_with_breaks() {
        let doc = read_str(
            "| TT | NỘI DUNG | CHỦ TRÌ |\n|---|--|---|\n| <b>1</b> | A<br>B | X |\n|  | c |  |\n",
        );
        let t = tables(&doc);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].rows.len(), 3);
        assert_eq!(t[0].rows[1].cells[1].text, "A\nB");
        assert_eq!(t[0].rows[2].cells[0].text, "");
        assert_eq!(t[0].rows[2].pos.line, Some(4));
    }

    #[test]
    fn crlf_bom_and_nfd() {
        let bytes = "\u{feff}Tie\u{0302}\u{0301}n\r\n\r\nA\tB\tC\r\n".as_bytes();
        let doc = read(bytes).expect("reads");
        match &doc.pages[0].blocks[0] {
            Block::Paragraph(p) => assert_eq!(p.text, "Tiến"),
            other => panic!("{other:?}"),
        }
        assert_eq!(tables(&doc)[0].rows[0].pos.line, Some(3));
    }

    #[test]
    fn page_separators() {
        let doc = read_str("a\n\n---\n\nb\n");
        assert_eq!(doc.pages.len(), 2);
    }

    #[test]
    fn indented_paragraph_is_not_a_row() {
        let doc = read_str("\tĐoạn văn thụt đầu dòng.\n");
        assert!(tables(&doc).is_empty());
    }
}
