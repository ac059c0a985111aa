//! The document model shared by every reader and the extractor.
//!
//! A reader (text, DOCX, PDF, OCR) turns its input into a [`Document`]:
//! [`Page`]s holding [`Block`]s, each a [`Paragraph`] or a [`Table`] of
//! [`Row`]s and [`Cell`]s. Every paragraph, row and cell carries its source
//! [`Pos`]: a line number for text, a page and box for PDF and OCR. The
//! extractor consumes only this model, so adding a reader never touches it.
//!
//! Text in the model is "reader-clean": markup of the source format removed,
//! line breaks inside a paragraph or cell kept as `\n`. It is not yet
//! normalised; the extractor does that.

use serde::{Deserialize, Serialize};

/// Where the document's text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// Plain text, markdown or HTML export.
    Text,
    /// Word document.
    Docx,
    /// PDF with a text layer.
    Pdf,
    /// Text recognised from page images.
    Ocr,
}

/// A page box in PDF points or image pixels: left, top, right, bottom.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct BBox {
    /// Left edge.
    pub x0: f32,
    /// Top edge.
    pub y0: f32,
    /// Right edge.
    pub x1: f32,
    /// Bottom edge.
    pub y1: f32,
}

/// The source position of a paragraph, row or cell.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Pos {
    /// Physical page (1-based), where the format has pages.
    pub page: Option<u32>,
    /// Line in the input (1-based), for text formats.
    pub line: Option<u32>,
    /// Box on the page, for PDF and OCR.
    pub bbox: Option<BBox>,
}

impl Pos {
    /// A position given by a line number only.
    pub fn line(line: u32) -> Self {
        Pos {
            line: Some(line),
            ..Pos::default()
        }
    }

    /// A position on a page, with an optional box.
    pub fn on_page(page: u32, bbox: Option<BBox>) -> Self {
        Pos {
            page: Some(page),
            line: None,
            bbox,
        }
    }
}

/// A warning a reader raises about its input (the extractor passes it on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReaderWarning {
    /// A contract warning code, e.g. `legacy_encoding`, `ocr_low_confidence`.
    pub code: String,
    /// What happened, for people.
    pub message: String,
}

/// A whole input document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Which reader produced it.
    pub format: SourceFormat,
    /// Physical page count where the format has pages (`None` for text).
    pub page_count: Option<u32>,
    /// The pages in order. Text formats have one page per `---`/form-feed section.
    pub pages: Vec<Page>,
    /// Reader warnings (encoding conversion, low OCR confidence, …).
    pub warnings: Vec<ReaderWarning>,
}

impl Document {
    /// An empty document of the given format.
    pub fn new(format: SourceFormat) -> Self {
        Document {
            format,
            page_count: None,
            pages: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// All blocks of all pages, in reading order.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.pages.iter().flat_map(|p| p.blocks.iter())
    }

    /// All tables of all pages, in reading order.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.blocks().filter_map(|b| match b {
            Block::Table(t) => Some(t),
            Block::Paragraph(_) => None,
        })
    }
}

/// One page (or, for text, one section between page separators).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Page {
    /// Physical page number (1-based) where the format has pages.
    pub number: Option<u32>,
    /// Paragraphs and tables in reading order.
    pub blocks: Vec<Block>,
}

/// A block of content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Block {
    /// Running text.
    Paragraph(Paragraph),
    /// A table.
    Table(Table),
}

/// A paragraph: one or more lines of running text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Paragraph {
    /// The text; line breaks inside the paragraph are `\n`.
    pub text: String,
    /// Whether the whole paragraph was bold (a hint for headings and titles).
    pub bold: bool,
    /// Where the paragraph starts.
    pub pos: Pos,
}

/// A table as the reader found it (one page's part of it, for paged formats).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Table {
    /// Rows in order.
    pub rows: Vec<Row>,
    /// Where the table starts.
    pub pos: Pos,
}

/// One physical table row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Row {
    /// Cells left to right. A cell spanning columns appears once with `colspan > 1`.
    pub cells: Vec<Cell>,
    /// Where the row starts.
    pub pos: Pos,
}

impl Row {
    /// The texts of the row laid out on the grid: a cell with `colspan = n`
    /// fills its first column and leaves the next `n-1` empty.
    pub fn grid(&self) -> Vec<&str> {
        let mut out = Vec::with_capacity(self.cells.len());
        for c in &self.cells {
            out.push(c.text.as_str());
            out.extend(std::iter::repeat_n("", c.colspan.max(1) as usize - 1));
        }
        out
    }
}

/// One table cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// The text; line breaks inside the cell are `\n`.
    pub text: String,
    /// How many grid columns the cell spans (at least 1).
    pub colspan: u32,
    /// Where the cell is.
    pub pos: Pos,
    /// Recognition confidence in 0..=1, for OCR.
    pub confidence: Option<f32>,
}

impl Cell {
    /// A one-column cell with the given text and position.
    pub fn new(text: impl Into<String>, pos: Pos) -> Self {
        Cell {
            text: text.into(),
            colspan: 1,
            pos,
            confidence: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_expands_spans() {
        let row = Row {
            cells: vec![
                Cell {
                    colspan: 3,
                    ..Cell::new("I. Section", Pos::line(1))
                },
                Cell::new("x", Pos::line(1)),
            ],
            pos: Pos::line(1),
        };
        assert_eq!(row.grid(), vec!["I. Section", "", "", "x"]);
    }
}
