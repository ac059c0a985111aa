//! Bounds on the work one input document may cause.
//!
//! Sizes are checked before anything is parsed ([`Limits::max_file_bytes`],
//! [`Limits::max_text_bytes`], zip entries against
//! [`Limits::max_entry_bytes`], [`Limits::max_ratio`] and
//! [`Limits::max_archive_bytes`]); the document a reader returns is checked
//! against [`Limits::max_pages`], [`Limits::max_rows`],
//! [`Limits::max_cells`] and [`Limits::max_cell_bytes`] before extraction.
//! Every failure is a [`Failure`] of that one document.

use crate::{Failure, FailureKind};
use kehoach_doc::{Block, Document};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Bounds on the work one input document may cause.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest input file read (bytes).
    pub max_file_bytes: u64,
    /// Largest text-format document (bytes); plans exported as text are far smaller.
    pub max_text_bytes: u64,
    /// Largest archive entry, uncompressed (bytes).
    pub max_entry_bytes: u64,
    /// Most bytes all entries of one archive may expand to together.
    pub max_archive_bytes: u64,
    /// Highest expansion ratio (uncompressed / compressed) of an archive
    /// entry larger than [`Limits::ratio_floor`].
    pub max_ratio: u64,
    /// Entries up to this size (bytes) are not checked for their ratio.
    pub ratio_floor: u64,
    /// Most pages per document.
    pub max_pages: usize,
    /// Most table rows per document.
    pub max_rows: usize,
    /// Most table cells per document.
    pub max_cells: usize,
    /// Most bytes of text in one table cell.
    pub max_cell_bytes: usize,
    /// Wall-clock time one document may take (reading and extraction)…
    pub time_budget: Duration,
    /// … and more for each page it has read by OCR (a scan of many pages,
    /// or pages read while other documents are).
    pub time_per_ocr_page: Duration,
    /// Not a bound: a directory where OCR results are kept and looked up
    /// ([`crate::ocr_cache`]), so that a scan read once is not read by OCR
    /// again. `None`: no cache.
    pub ocr_cache: Option<PathBuf>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 << 20,
            max_text_bytes: 32 << 20,
            max_entry_bytes: 256 << 20,
            max_archive_bytes: 1 << 30,
            max_ratio: 100,
            ratio_floor: 1 << 20,
            max_pages: 2_000,
            max_rows: 50_000,
            max_cells: 1_000_000,
            max_cell_bytes: 256 << 10,
            time_budget: Duration::from_secs(120),
            time_per_ocr_page: Duration::from_secs(60),
            ocr_cache: None,
        }
    }
}

impl Limits {
    /// The PDF reader's limits, with this page limit.
    pub fn pdf(&self) -> kehoach_read_pdf::Limits {
        kehoach_read_pdf::Limits {
            max_pages: self.max_pages,
            ..kehoach_read_pdf::Limits::default()
        }
    }

    /// Checks what a reader returned before it is extracted.
    pub fn check_document(&self, doc: &Document) -> Result<(), Failure> {
        let pages = doc
            .page_count
            .map_or(doc.pages.len(), |n| n as usize)
            .max(doc.pages.len());
        if pages > self.max_pages {
            return Err(limit(format!(
                "too many pages ({pages}, limit {})",
                self.max_pages
            )));
        }
        let (mut rows, mut cells) = (0usize, 0usize);
        for block in doc.blocks() {
            let Block::Table(table) = block else {
                continue;
            };
            rows += table.rows.len();
            if rows > self.max_rows {
                return Err(limit(format!(
                    "too many table rows (more than {}, the limit)",
                    self.max_rows
                )));
            }
            for row in &table.rows {
                cells += row.cells.len();
                if let Some(big) = row
                    .cells
                    .iter()
                    .find(|c| c.text.len() > self.max_cell_bytes)
                {
                    return Err(limit(format!(
                        "table cell too large ({} bytes of text, limit {})",
                        big.text.len(),
                        self.max_cell_bytes
                    )));
                }
            }
            if cells > self.max_cells {
                return Err(limit(format!(
                    "too many table cells (more than {}, the limit)",
                    self.max_cells
                )));
            }
        }
        Ok(())
    }

    /// Checks an archive entry's declared sizes before it is decompressed.
    pub fn check_entry(&self, declared: u64, compressed: u64) -> Result<(), Failure> {
        if declared > self.max_entry_bytes {
            return Err(limit(format!(
                "entry too large ({declared} bytes uncompressed, limit {})",
                self.max_entry_bytes
            )));
        }
        if declared > self.ratio_floor && declared / compressed.max(1) > self.max_ratio {
            return Err(limit(format!(
                "suspicious compression ratio (possible zip bomb): {compressed} bytes expand to {declared} (limit {}:1)",
                self.max_ratio
            )));
        }
        Ok(())
    }
}

/// A [`FailureKind::Limit`] failure.
fn limit(reason: String) -> Failure {
    Failure::new(FailureKind::Limit, reason)
}

/// Reads a file of at most [`Limits::max_file_bytes`].
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, Failure> {
    let io = |what: &str, e: std::io::Error| Failure::new(FailureKind::Io, format!("{what}: {e}"));
    let file = std::fs::File::open(path).map_err(|e| io("cannot open", e))?;
    let mut bytes = Vec::new();
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io("cannot read", e))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(limit(format!(
            "file too large (limit {} bytes)",
            limits.max_file_bytes
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kehoach_doc::{Cell as DocCell, Pos, Row, SourceFormat, Table};

    fn table(rows: usize, cell: &str) -> Document {
        let mut doc = Document::new(SourceFormat::Text);
        let row = Row {
            cells: vec![DocCell::new(cell, Pos::line(1)); 3],
            pos: Pos::line(1),
        };
        doc.pages.push(kehoach_doc::Page {
            number: None,
            blocks: vec![Block::Table(Table {
                rows: vec![row; rows],
                pos: Pos::line(1),
            })],
        });
        doc
    }

    #[test]
    fn documents_are_bounded() {
        let l = Limits::default();
        assert!(l.check_document(&table(10, "x")).is_ok());
        let rows = l
            .check_document(&table(l.max_rows + 1, "x"))
            .unwrap_err()
            .reason;
        assert!(rows.contains("too many table rows"), "{rows}");
        let big = "a".repeat(l.max_cell_bytes + 1);
        let cell = l.check_document(&table(1, &big)).unwrap_err().reason;
        assert!(cell.contains("table cell too large"), "{cell}");
    }

    #[test]
    fn archive_entries_are_bounded() {
        let l = Limits::default();
        assert!(l.check_entry(10_000, 100).is_ok());
        assert!(l
            .check_entry(l.max_entry_bytes + 1, l.max_entry_bytes)
            .is_err());
        let bomb = l.check_entry(100 << 20, 100 << 10).unwrap_err().reason;
        assert!(bomb.contains("zip bomb"), "{bomb}");
    }
}
