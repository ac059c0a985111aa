//! Reader for plans written in Word (DOCX).
//!
//! [`read`] turns the bytes of a `.docx` file into a [`kehoach_doc::Document`]:
//! body paragraphs (header block, title, signer) and tables with their real
//! structure. A cell spanning grid columns (`w:gridSpan`) appears once with
//! `colspan`; a cell merged down several rows (`w:vMerge`) gives its text to
//! every row it covers; runs inside hyperlinks, content controls and tracked
//! insertions are read, deleted text and hidden text are not; line breaks
//! and paragraphs inside a cell become `\n`. A paragraph numbered by a
//! Word list (`w:numPr`, `word/numbering.xml`) carries the number Word
//! prints (`1.`, `a)`, `II.`), counted in document order. A table with a single column
//! (a layout frame) is unwrapped into its content; a table nested in a cell
//! of a wider table becomes lines of that cell. Explicit page breaks number
//! the pages. Repeated header rows need no flag: the extractor recognises a
//! header row by its content wherever it appears, as for text exports.
//!
//! Text in legacy 8-bit fonts is converted to Unicode by the run's font
//! (`.VnTime` → TCVN3, `.VnTimeH` → TCVN3 capitals, `VNI-…` → VNI, VISCII
//! fonts); when no run names such a font but the text reads as a legacy
//! encoding, the encoding is detected from the text. Either way the document
//! carries a `legacy_encoding` warning.
//!
//! # Safety limits
//!
//! The zip is checked before any XML is parsed: entry count, total declared
//! size, expansion ratio, the presence of `word/document.xml`; parts are read
//! with a hard size cap whatever their headers declare; a document type
//! declaration (the way entity bombs expand) is refused; element nesting and
//! element count are bounded. Each failure is a [`ReadError`], never a panic;
//! the parse also runs under `catch_unwind` so that a bug cannot take down a
//! batch.
//!
//! # Why not `docx-rs`
//!
//! The XML is read with `quick-xml` directly. `docx-rs` keeps `gridSpan` and
//! `vMerge` in private fields, drops `w:tblHeader`, does not resolve run fonts
//! through styles (which legacy-font documents rely on), parses every part of
//! the package including media, pulls in an image stack, and panics on some
//! malformed input; the reader needs only two parts and a handful of
//! elements, and reads them with explicit limits.

#![warn(missing_docs)]

mod doc;
mod numbering;
mod package;
mod styles;
mod xml;

use kehoach_doc::{
    Block, Cell, Document, Page, Paragraph, Pos, ReaderWarning, Row, SourceFormat, Table,
};
use kehoach_text::legacy::{decode_legacy, detect_legacy, font_encoding, Encoding};
use numbering::Numbering;
use std::collections::BTreeSet;
use styles::{num_of, RunProps, Styles};
use xml::{on_off, Node};

pub use doc::convert_doc;
pub use package::is_docx;

/// Why a DOCX file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    /// The bytes are not a zip archive.
    #[error("not a DOCX file: not a readable zip archive ({0})")]
    NotZip(String),
    /// A zip archive without `word/document.xml`.
    #[error("zip archive is not a DOCX document (no word/document.xml)")]
    NotDocx,
    /// The archive or a part is larger than the limits allow.
    #[error("DOCX refused: {0}")]
    TooLarge(String),
    /// Elements or tables nest deeper than the limits allow.
    #[error("DOCX refused: {0}")]
    TooDeep(String),
    /// A part declares a DTD or entities.
    #[error("DOCX refused: {0} has a document type or entity declaration (possible XML bomb)")]
    Dtd(String),
    /// A part is not well-formed.
    #[error("DOCX part {0} is damaged: {1}")]
    BadPart(String, String),
    /// A Word 97 file, and LibreOffice is not installed to convert it.
    #[error(
        "Word 97 (.doc) files are converted with LibreOffice, which is not installed: install it \
         (e.g. `apt-get install libreoffice-writer`, or set KEHOACH_SOFFICE to the soffice program) \
         or save the file as .docx"
    )]
    NoLibreOffice,
    /// LibreOffice failed to convert a Word 97 file.
    #[error("converting the Word 97 (.doc) file with LibreOffice failed: {0}")]
    Conversion(String),
    /// The reader failed unexpectedly on this file.
    #[error("DOCX reader failed on this file: {0}")]
    Internal(String),
}

/// Limits that bound the memory and time spent on one file.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Most zip entries.
    pub max_entries: usize,
    /// Most uncompressed bytes all entries may declare together.
    pub max_total_uncompressed: u64,
    /// Most uncompressed bytes of one XML part read.
    pub max_part: u64,
    /// Highest expansion ratio of an entry larger than `ratio_floor`.
    pub max_ratio: u64,
    /// Entries up to this size are not checked for their ratio.
    pub ratio_floor: u64,
    /// Deepest element nesting.
    pub max_depth: usize,
    /// Most elements in a part.
    pub max_nodes: usize,
    /// Deepest table nesting.
    pub max_table_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 10_000,
            max_total_uncompressed: 1 << 30,
            max_part: 64 << 20,
            max_ratio: 200,
            ratio_floor: 1 << 20,
            max_depth: 256,
            max_nodes: 2_000_000,
            max_table_depth: 16,
        }
    }
}

/// Reads a DOCX file into the document model, with the default [`Limits`].
pub fn read(bytes: &[u8]) -> Result<Document, ReadError> {
    read_with(bytes, &Limits::default())
}

/// Reads a Word 97 (`.doc`) file: converted to DOCX by LibreOffice
/// ([`convert_doc`]), then read like a DOCX file.
pub fn read_doc(bytes: &[u8]) -> Result<Document, ReadError> {
    read(&convert_doc(bytes)?)
}

/// Reads a DOCX file into the document model.
pub fn read_with(bytes: &[u8], limits: &Limits) -> Result<Document, ReadError> {
    match std::panic::catch_unwind(|| read_inner(bytes, limits)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(ReadError::Internal(format!("panic while parsing: {msg}")))
        }
    }
}

fn read_inner(bytes: &[u8], limits: &Limits) -> Result<Document, ReadError> {
    let parts = package::open(bytes, limits)?;
    let styles = match &parts.styles {
        // Styles only refine formatting: a damaged styles part is not fatal.
        Some(s) => xml::parse("word/styles.xml", s, limits.max_depth, limits.max_nodes)
            .map(|t| Styles::from_tree(&t))
            .unwrap_or_default(),
        None => Styles::default(),
    };
    let numbering = match &parts.numbering {
        // Numbering only adds list numbers: a damaged part is not fatal.
        Some(s) => xml::parse("word/numbering.xml", s, limits.max_depth, limits.max_nodes)
            .map(|t| Numbering::from_tree(&t))
            .unwrap_or_default(),
        None => Numbering::default(),
    };
    let tree = xml::parse(
        "word/document.xml",
        &parts.document,
        limits.max_depth,
        limits.max_nodes,
    )?;
    let body = tree
        .child("document")
        .and_then(|d| d.child("body"))
        .ok_or_else(|| {
            ReadError::BadPart(
                "word/document.xml".into(),
                "no w:document/w:body element".into(),
            )
        })?;
    let mut w = Walker {
        styles: &styles,
        numbering,
        limits,
        page: 1,
        pages: Vec::new(),
        blocks: Vec::new(),
        legacy: BTreeSet::new(),
        table_depth: 0,
        numbered: true,
    };
    let mut blocks = Vec::new();
    w.blocks_of(&body.children, &mut blocks)?;
    w.push_blocks(blocks);
    w.flush_page();
    let mut doc = Document::new(SourceFormat::Docx);
    doc.pages = w.pages;
    if !w.legacy.is_empty() {
        let names: Vec<&str> = w.legacy.iter().map(|e| e.name()).collect();
        doc.warnings.push(warning(format!(
            "text in legacy fonts converted to Unicode from {}",
            names.join(", ")
        )));
    } else if let Some(enc) = detect_document_encoding(&doc) {
        recode(&mut doc, enc);
        doc.warnings.push(warning(format!(
            "text converted to Unicode from the legacy {} encoding (detected)",
            enc.name()
        )));
    }
    Ok(doc)
}

fn warning(message: String) -> ReaderWarning {
    ReaderWarning {
        code: "legacy_encoding".into(),
        message,
    }
}

/// Detects a legacy encoding over the whole text of a document without legacy fonts.
fn detect_document_encoding(doc: &Document) -> Option<Encoding> {
    let mut all = String::new();
    for_each_text(doc, |t| {
        all.push_str(t);
        all.push('\n');
    });
    detect_legacy(&all).map(|(enc, _)| enc)
}

fn for_each_text(doc: &Document, mut f: impl FnMut(&str)) {
    for b in doc.blocks() {
        match b {
            Block::Paragraph(p) => f(&p.text),
            Block::Table(t) => t
                .rows
                .iter()
                .flat_map(|r| &r.cells)
                .for_each(|c| f(&c.text)),
        }
    }
}

fn recode(doc: &mut Document, enc: Encoding) {
    for page in &mut doc.pages {
        for b in &mut page.blocks {
            match b {
                Block::Paragraph(p) => p.text = decode_legacy(&p.text, enc),
                Block::Table(t) => {
                    for c in t.rows.iter_mut().flat_map(|r| r.cells.iter_mut()) {
                        c.text = decode_legacy(&c.text, enc);
                    }
                }
            }
        }
    }
}

/// A paragraph's text being assembled: pieces in one legacy encoding (or none).
#[derive(Default)]
struct Para {
    pieces: Vec<(Option<Encoding>, String)>,
    /// Whether every run with visible text is bold (None: no text yet).
    bold: Option<bool>,
    /// Paragraphs found in text boxes inside this one.
    floating: Vec<Block>,
    /// A page break after text of this paragraph.
    page_break: bool,
    /// A page break before any text of this paragraph.
    break_before: bool,
}

impl Para {
    fn push(&mut self, enc: Option<Encoding>, s: &str) {
        match self.pieces.last_mut() {
            Some((e, text)) if *e == enc => text.push_str(s),
            _ => self.pieces.push((enc, s.to_string())),
        }
    }
}

/// The grid state of a vertically merged cell.
#[derive(Clone)]
struct Merge {
    col: usize,
    text: String,
}

struct Walker<'a> {
    styles: &'a Styles,
    numbering: Numbering,
    limits: &'a Limits,
    page: u32,
    pages: Vec<Page>,
    blocks: Vec<Block>,
    legacy: BTreeSet<Encoding>,
    table_depth: usize,
    /// Whether list paragraphs get their numbers (not in covered cells).
    numbered: bool,
}

impl Walker<'_> {
    fn pos(&self) -> Pos {
        Pos {
            page: Some(self.page),
            line: None,
            bbox: None,
        }
    }

    fn flush_page(&mut self) {
        let blocks = std::mem::take(&mut self.blocks);
        if !blocks.is_empty() {
            self.pages.push(Page {
                number: Some(self.page),
                blocks,
            });
        }
    }

    fn push_blocks(&mut self, blocks: Vec<Block>) {
        self.blocks.extend(blocks);
    }

    /// Closes the current page with the body-level blocks gathered so far.
    fn new_page(&mut self, out: &mut Vec<Block>) {
        self.blocks.append(out);
        if !self.blocks.is_empty() {
            self.flush_page();
            self.page += 1;
        }
    }

    /// Block-level content: paragraphs, tables and their wrappers.
    fn blocks_of(&mut self, nodes: &[Node], out: &mut Vec<Block>) -> Result<(), ReadError> {
        for n in nodes {
            match n.name.as_str() {
                "p" => {
                    let para = self.paragraph(n);
                    if para.0.break_before && self.table_depth == 0 {
                        self.new_page(out);
                    }
                    let before = self.page;
                    out.extend(para.0.floating);
                    let text = clean_lines(&para.1);
                    if !text.is_empty() {
                        out.push(Block::Paragraph(Paragraph {
                            text,
                            bold: para.0.bold.unwrap_or(false),
                            pos: Pos {
                                page: Some(before),
                                line: None,
                                bbox: None,
                            },
                        }));
                    }
                    if para.0.page_break && self.table_depth == 0 {
                        // Later blocks start a new page.
                        self.new_page(out);
                    }
                }
                "tbl" => self.table(n, out)?,
                "sdt" => {
                    if let Some(c) = n.child("sdtContent") {
                        self.blocks_of(&c.children, out)?;
                    }
                }
                "customXml" | "ins" | "moveTo" | "smartTag" => self.blocks_of(&n.children, out)?,
                "mc:AlternateContent" => {
                    if let Some(c) = n.child("mc:Choice").or_else(|| n.child("mc:Fallback")) {
                        self.blocks_of(&c.children, out)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A paragraph: its assembled text (legacy pieces decoded) and details.
    fn paragraph(&mut self, p: &Node) -> (Para, String) {
        let ppr = p.child("pPr");
        let pstyle = ppr.and_then(|x| x.child_val("pStyle"));
        let base = self.styles.paragraph_base(pstyle);
        let mut para = Para {
            break_before: ppr
                .and_then(|x| x.child("pageBreakBefore"))
                .is_some_and(on_off),
            ..Para::default()
        };
        self.inline(&p.children, &base, &mut para);
        // The list number Word prints before the text (own numPr first; a
        // numId of 0 switches the style's numbering off).
        let num = match ppr.and_then(|x| x.child("numPr")) {
            Some(np) => num_of(np).or_else(|| {
                // An ilvl without a numId keeps the style's list.
                self.styles
                    .paragraph_num(pstyle)
                    .map(|(id, lvl)| (id, np.child_val("ilvl").map(str::to_string).or(lvl)))
            }),
            None => self.styles.paragraph_num(pstyle),
        };
        let label = num
            .filter(|(id, _)| self.numbered && id.trim() != "0")
            .and_then(|(id, lvl)| self.numbering.next(&id, lvl.as_deref()));
        let mut text = String::new();
        for (enc, piece) in &para.pieces {
            match enc {
                Some(e) => {
                    let decoded = decode_legacy(piece, *e);
                    if decoded != *piece {
                        self.legacy.insert(*e);
                    }
                    text.push_str(&decoded);
                }
                None => text.push_str(piece),
            }
        }
        if let Some(label) = label {
            text = if text.trim().is_empty() {
                label
            } else {
                format!("{label} {}", text.trim_start())
            };
        }
        (para, kehoach_text::nfc(&text).into_owned())
    }

    /// Inline content of a paragraph: runs and the elements that wrap them.
    fn inline(&mut self, nodes: &[Node], base: &RunProps, para: &mut Para) {
        for n in nodes {
            match n.name.as_str() {
                "r" => self.run(n, base, para),
                "hyperlink" | "ins" | "moveTo" | "smartTag" | "customXml" | "fldSimple" | "bdo"
                | "dir" => self.inline(&n.children, base, para),
                "sdt" => {
                    if let Some(c) = n.child("sdtContent") {
                        self.inline(&c.children, base, para);
                    }
                }
                "mc:AlternateContent" => {
                    if let Some(c) = n.child("mc:Choice").or_else(|| n.child("mc:Fallback")) {
                        self.inline(&c.children, base, para);
                    }
                }
                _ => {}
            }
        }
    }

    fn run(&mut self, r: &Node, base: &RunProps, para: &mut Para) {
        let rpr = r.child("rPr");
        let own = rpr.map(RunProps::from_rpr).unwrap_or_default();
        let rstyle = rpr.and_then(|x| x.child_val("rStyle"));
        let props = self.styles.run(&own, rstyle, base);
        if props.hidden == Some(true) {
            return;
        }
        let enc = props.font.as_deref().and_then(font_encoding);
        let bold = props.bold.unwrap_or(false);
        for c in &r.children {
            match c.name.as_str() {
                "t" => {
                    if !c.text.trim().is_empty() {
                        para.bold = Some(para.bold.unwrap_or(true) && bold);
                    }
                    para.push(enc, &c.text);
                }
                "tab" | "ptab" => para.push(None, "\t"),
                "br" => {
                    if c.attr("type") == Some("page") {
                        if para.bold.is_none() {
                            para.break_before = true;
                        } else {
                            para.page_break = true;
                        }
                    }
                    para.push(None, "\n");
                }
                "cr" => para.push(None, "\n"),
                "noBreakHyphen" => para.push(None, "-"),
                // In a TCVN3 font the soft-hyphen byte 0xAD is the letter `ư`;
                // word processors store it as an optional hyphen.
                "softHyphen" if enc.is_some() => para.push(enc, "\u{AD}"),
                "drawing" | "pict" | "object" | "mc:AlternateContent" | "x:AlternateContent" => {
                    self.text_boxes(c, para)
                }
                _ => {}
            }
        }
    }

    /// Paragraphs of text boxes inside a drawing, collected as separate blocks.
    fn text_boxes(&mut self, n: &Node, para: &mut Para) {
        if n.name == "mc:Fallback" {
            // The fallback repeats the choice's text boxes.
            return;
        }
        if n.name == "txbxContent" {
            let mut blocks = Vec::new();
            let _ = self.blocks_of(&n.children, &mut blocks);
            para.floating.extend(blocks);
            return;
        }
        for c in &n.children {
            self.text_boxes(c, para);
        }
    }

    fn table(&mut self, tbl: &Node, out: &mut Vec<Block>) -> Result<(), ReadError> {
        if self.table_depth >= self.limits.max_table_depth {
            return Err(ReadError::TooDeep(format!(
                "tables nested more than {} deep",
                self.limits.max_table_depth
            )));
        }
        self.table_depth += 1;
        let r = self.table_inner(tbl, out);
        self.table_depth -= 1;
        r
    }

    fn table_inner(&mut self, tbl: &Node, out: &mut Vec<Block>) -> Result<(), ReadError> {
        let pos = self.pos();
        let mut trs = Vec::new();
        collect(tbl, "tr", &mut trs);
        // Cells with their content, per row.
        let mut raw: Vec<Vec<(&Node, Vec<Block>)>> = Vec::with_capacity(trs.len());
        for tr in &trs {
            let mut tcs = Vec::new();
            collect(tr, "tc", &mut tcs);
            let mut cells = Vec::with_capacity(tcs.len());
            for tc in tcs {
                // A cell covered by a vertical merge is not printed: its
                // (usually empty) list paragraphs print no number.
                let covered = tc
                    .child("tcPr")
                    .and_then(|p| p.child("vMerge"))
                    .is_some_and(|v| v.attr("val") != Some("restart"));
                let numbered = std::mem::replace(&mut self.numbered, !covered);
                let mut blocks = Vec::new();
                let r = self.blocks_of(&tc.children, &mut blocks);
                self.numbered = numbered;
                r?;
                cells.push((tc, blocks));
            }
            raw.push(cells);
        }
        // A one-column table is a frame around content: unwrap it.
        if raw.iter().all(|r| r.len() <= 1) {
            for (_, blocks) in raw.into_iter().flatten() {
                out.extend(blocks);
            }
            return Ok(());
        }
        // Cells as (grid start, grid span, text).
        let mut grid_rows: Vec<Vec<(usize, usize, String)>> = Vec::with_capacity(raw.len());
        let mut merges: Vec<Merge> = Vec::new();
        for (tr, cells) in trs.iter().zip(raw) {
            let trpr = tr.child("trPr");
            let before = trpr
                .and_then(|p| p.child_val("gridBefore"))
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            let mut row = Vec::with_capacity(cells.len() + 1);
            let mut col = before.min(64);
            for (tc, blocks) in cells {
                let tcpr = tc.child("tcPr");
                let span = tcpr
                    .and_then(|p| p.child_val("gridSpan"))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, 64);
                let vmerge = tcpr.and_then(|p| p.child("vMerge"));
                let mut text = cell_text(&blocks);
                match vmerge.map(|v| v.attr("val")) {
                    Some(Some("restart")) => {
                        merges.retain(|m| m.col != col);
                        merges.push(Merge {
                            col,
                            text: text.clone(),
                        });
                    }
                    Some(_) => {
                        // A covered cell: the merged cell's text.
                        if text.is_empty() {
                            if let Some(m) = merges.iter().find(|m| m.col == col) {
                                text = m.text.clone();
                            }
                        }
                    }
                    None => merges.retain(|m| m.col != col),
                }
                row.push((col, span, text));
                col += span;
            }
            grid_rows.push(row);
        }
        let rows: Vec<Row> = logical_rows(&grid_rows)
            .into_iter()
            .map(|cells| Row {
                cells: cells
                    .into_iter()
                    .map(|(text, colspan)| Cell {
                        colspan,
                        ..Cell::new(text, pos)
                    })
                    .collect(),
                pos,
            })
            .collect();
        if rows
            .iter()
            .any(|r| r.cells.iter().any(|c| !c.text.is_empty()))
        {
            out.push(Block::Table(Table { rows, pos }));
        }
        Ok(())
    }
}

/// Lays the cells of a table out on its logical columns: `(text, colspan)` per cell.
///
/// Word's grid is often finer than the table's columns: parts of a table with
/// slightly different column widths (tables joined, rows pasted from another
/// document) make every cell span several grid columns. The logical columns
/// are those of the fullest rows (the most cells): such a row gets one column
/// per cell, and a row with fewer cells (a section row, a merged header) is
/// placed on the column starts of the nearest full row, its spans counted
/// in those columns.
fn logical_rows(rows: &[Vec<(usize, usize, String)>]) -> Vec<Vec<(String, u32)>> {
    let most = rows.iter().map(Vec::len).max().unwrap_or(0);
    let full: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].len() == most).collect();
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        if row.len() == most {
            out.push(row.iter().map(|(_, _, t)| (t.clone(), 1)).collect());
            continue;
        }
        // The nearest full row before this one, else after it.
        let reference = full
            .iter()
            .rev()
            .find(|&&j| j < i)
            .or_else(|| full.iter().find(|&&j| j > i));
        let Some(&r) = reference else {
            out.push(
                row.iter()
                    .map(|(_, span, t)| (t.clone(), *span as u32))
                    .collect(),
            );
            continue;
        };
        let starts: Vec<usize> = rows[r].iter().map(|(s, _, _)| *s).collect();
        // The logical column a grid position falls in.
        let column = |g: usize| starts.iter().rposition(|&s| s <= g).unwrap_or(0);
        let mut cells: Vec<(String, u32)> = Vec::with_capacity(most);
        let mut next = 0usize;
        for (start, span, text) in row {
            let first = column(*start).max(next);
            while next < first {
                cells.push((String::new(), 1));
                next += 1;
            }
            let last = column(start + span - 1).max(first);
            cells.push((text.clone(), (last - first + 1) as u32));
            next = last + 1;
        }
        out.push(cells);
    }
    out
}

/// The elements named `name` under `n`, looking through content controls,
/// custom XML and tracked insertions (not into nested tables).
fn collect<'n>(n: &'n Node, name: &str, out: &mut Vec<&'n Node>) {
    for c in &n.children {
        if c.name == name {
            out.push(c);
        } else if matches!(
            c.name.as_str(),
            "sdt" | "sdtContent" | "customXml" | "ins" | "moveTo"
        ) {
            collect(c, name, out);
        }
    }
}

/// The text of a cell: its paragraphs as lines; a nested table as one line per row.
fn cell_text(blocks: &[Block]) -> String {
    let mut lines: Vec<String> = Vec::new();
    for b in blocks {
        match b {
            Block::Paragraph(p) => lines.push(p.text.clone()),
            Block::Table(t) => {
                for r in &t.rows {
                    let cells: Vec<&str> = r
                        .cells
                        .iter()
                        .map(|c| c.text.as_str())
                        .filter(|s| !s.is_empty())
                        .collect();
                    lines.push(cells.join(" ").replace('\n', " "));
                }
            }
        }
    }
    clean_lines(&lines.join("\n"))
}

/// Trims every line and drops empty ones.
fn clean_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s
        .split('\n')
        .map(|l| l.trim_matches(|c: char| c == ' ' || c == '\u{a0}' || c == '\r'))
        .filter(|l| !l.trim().is_empty())
    {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}
