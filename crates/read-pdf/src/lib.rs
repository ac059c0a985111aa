//! Reader for PDF plans with a text layer.
//!
//! Most archived plans are PDFs exported from Word or LibreOffice: running
//! text, then an appendix table that fills many pages, repeats its header on
//! every page and breaks long rows across pages. This reader turns such a PDF
//! into a [`kehoach_doc::Document`]:
//!
//! * it interprets each page's content stream (text and graphics state, `Tm`,
//!   `Td`, `TJ`, `cm`, `q`/`Q`, form XObjects), decodes strings through the
//!   font's `ToUnicode` map or encoding (simple fonts with WinAnsi and
//!   `Differences`, Type0/Identity-H CID fonts) and places every glyph with
//!   the font's widths;
//! * glyphs become words and lines; stroked rules and thin filled rectangles
//!   become horizontal and vertical segments, and the grid they form becomes
//!   the table's cells (a missing rule between two cells merges them); a
//!   table without rules is found from aligned text columns;
//! * each page's part of a table is its own [`Table`] block: the repeated
//!   header stays its first row and the tail of a row broken by the page break
//!   is a row with an empty number cell at the top of the next page, which the
//!   extractor merges;
//! * page furniture (lines repeated at the same place on most pages, lone page
//!   numbers) is dropped; other lines become paragraphs, split at vertical gaps;
//! * a page whose text layer does not read as Vietnamese (fonts mapping glyphs
//!   to the wrong characters) is reported with a `pdf_text_garbled` warning and
//!   listed by [`garbled_pages`], so that its image can be read instead.
//!
//! Every paragraph, row and cell carries its page and box. Bad input gives an
//! error or a warning, never a panic: parsing runs under
//! [`std::panic::catch_unwind`], and pages, content bytes, operators and
//! characters are bounded by [`Limits`].

#![warn(missing_docs)]

pub use garbled::{garbled_pages, CODE as GARBLED_CODE};

mod font;
mod garbled;
mod interp;
mod layout;

use kehoach_doc::{
    BBox, Block, Document, Page, Paragraph, Pos, ReaderWarning, SourceFormat, Table,
};
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Why a PDF could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    /// The file has no bytes.
    #[error("the file is empty")]
    Empty,
    /// The bytes are not a PDF.
    #[error("not a PDF file (no %PDF header)")]
    NotPdf,
    /// The PDF is encrypted and the empty user password does not open it.
    #[error("encrypted PDF: it needs a password to open")]
    Encrypted,
    /// The file is damaged beyond what the parser can repair.
    #[error("malformed PDF: {0}")]
    Malformed(String),
    /// No page has text or images: the content is damaged or empty.
    #[error("no text could be read from any page (damaged or empty page content)")]
    NoText,
    /// The file exceeds a [`Limits`] bound.
    #[error("PDF too large: {0}")]
    TooLarge(String),
}

/// Bounds on the work one file may cause.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Most pages read; a longer PDF is refused.
    pub max_pages: usize,
    /// Most decompressed bytes of one page's content (and of one stream).
    pub max_content_bytes: usize,
    /// Most content-stream operators interpreted per page.
    pub max_ops_per_page: usize,
    /// Most characters kept per page.
    pub max_glyphs_per_page: usize,
    /// Most rule segments kept per page.
    pub max_rules_per_page: usize,
    /// Deepest nesting of form XObjects.
    pub max_form_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pages: 2_000,
            max_content_bytes: 32 << 20,
            max_ops_per_page: 2_000_000,
            max_glyphs_per_page: 200_000,
            max_rules_per_page: 50_000,
            max_form_depth: 8,
        }
    }
}

/// `(well-formed Vietnamese syllables, words)` of every page, for calibration.
#[doc(hidden)]
pub fn syllable_counts(doc: &Document) -> Vec<(usize, usize)> {
    doc.pages.iter().map(garbled::page_counts).collect()
}

/// Reads a PDF into the document model with the default [`Limits`].
pub fn read(bytes: &[u8]) -> Result<Document, ReadError> {
    read_with(bytes, &Limits::default())
}

/// Reads a PDF into the document model.
pub fn read_with(bytes: &[u8], limits: &Limits) -> Result<Document, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if !bytes[..bytes.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
    {
        return Err(ReadError::NotPdf);
    }
    catch_unwind(AssertUnwindSafe(|| read_inner(bytes, limits))).unwrap_or_else(|_| {
        Err(ReadError::Malformed(
            "the parser failed on this file".into(),
        ))
    })
}

fn read_inner(bytes: &[u8], limits: &Limits) -> Result<Document, ReadError> {
    let opts = lopdf::LoadOptions {
        max_decompressed_size: Some(limits.max_content_bytes),
        ..lopdf::LoadOptions::default()
    };
    let pdf = lopdf::Document::load_mem_with_options(bytes, opts).map_err(|e| match e {
        lopdf::Error::InvalidPassword => ReadError::Encrypted,
        e if format!("{e}").to_ascii_lowercase().contains("password") => ReadError::Encrypted,
        e => ReadError::Malformed(e.to_string()),
    })?;
    if pdf.is_encrypted() && !pdf.was_encrypted() {
        return Err(ReadError::Encrypted);
    }
    let page_ids: Vec<lopdf::ObjectId> = pdf.page_iter().take(limits.max_pages + 1).collect();
    if page_ids.is_empty() {
        return Err(ReadError::Malformed("no pages found".into()));
    }
    if page_ids.len() > limits.max_pages {
        return Err(ReadError::TooLarge(format!(
            "more than {} pages",
            limits.max_pages
        )));
    }

    let mut fonts = HashMap::new();
    let mut any_image = false;
    // Each page is laid out as soon as it is read, so only its text is kept.
    let mut pages: Vec<Laid> = Vec::with_capacity(page_ids.len());
    let mut notes: Vec<String> = Vec::new();
    for (i, &id) in page_ids.iter().enumerate() {
        let n = i + 1;
        let Ok(dict) = pdf.get_dictionary(id) else {
            notes.push(format!("page {n}: the page object is unreadable"));
            pages.push(lay_out(&interp::PageContent::default(), n as u32));
            continue;
        };
        let content = match pdf.get_page_content_with_limit(id, limits.max_content_bytes) {
            Ok(c) => c,
            Err(_) => {
                notes.push(format!(
                    "page {n}: content larger than {} bytes was skipped",
                    limits.max_content_bytes
                ));
                Vec::new()
            }
        };
        let pc = interp::Interp::run_page(&pdf, dict, &content, limits, &mut fonts);
        for note in &pc.notes {
            let msg = format!("page {n}: {note}");
            if !notes.contains(&msg) {
                notes.push(msg);
            }
        }
        any_image |= pc.has_image;
        pages.push(lay_out(&pc, n as u32));
    }
    // A scan (images, no text) is read with a warning; nothing at all is an error.
    if !any_image && pages.iter().all(|p| !p.has_text) {
        return Err(ReadError::NoText);
    }
    Ok(assemble(pages, notes))
}

/// One page after table finding, before furniture removal.
struct Laid {
    lines: Vec<layout::Line>,
    tables: Vec<Table>,
    height: f32,
    has_text: bool,
}

fn lay_out(pc: &interp::PageContent, page: u32) -> Laid {
    let has_text = pc.glyphs.iter().any(|g| !g.text.trim().is_empty());
    let mut used = vec![false; pc.glyphs.len()];
    let mut tables: Vec<Table> = layout::ruled_tables(pc, page, &mut used)
        .into_iter()
        .map(|f| f.table)
        .collect();
    let rest: Vec<&interp::Glyph> = pc
        .glyphs
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(g, _)| g)
        .collect();
    let mut lines = layout::lines(&rest);
    let aligned = layout::aligned_tables(&lines, page);
    if !aligned.is_empty() {
        let mut taken = vec![false; lines.len()];
        for (found, idx) in aligned {
            for k in idx {
                taken[k] = true;
            }
            tables.push(found.table);
        }
        lines = lines
            .into_iter()
            .zip(taken)
            .filter(|(_, t)| !t)
            .map(|(l, _)| l)
            .collect();
    }
    Laid {
        lines,
        tables,
        height: pc.height,
        has_text,
    }
}

fn assemble(mut laid: Vec<Laid>, notes: Vec<String>) -> Document {
    let no_text: Vec<u32> = laid
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.has_text)
        .map(|(i, _)| (i + 1) as u32)
        .collect();
    let n_pages = laid.len();
    drop_furniture(&mut laid);

    let mut doc = Document::new(SourceFormat::Pdf);
    doc.page_count = Some(n_pages as u32);
    for (i, l) in laid.into_iter().enumerate() {
        let page = (i + 1) as u32;
        let mut blocks: Vec<(f32, Block)> = Vec::new();
        let refs: Vec<&layout::Line> = l.lines.iter().collect();
        for group in layout::paragraphs(&refs) {
            let ls: Vec<&layout::Line> = group.iter().map(|&k| refs[k]).collect();
            let text =
                kehoach_text::nfc(&layout::join_lines(ls.iter().map(|l| l.text()))).into_owned();
            let bbox = BBox {
                x0: ls.iter().map(|l| l.x0).fold(f32::MAX, f32::min),
                y0: ls[0].top(),
                x1: ls.iter().map(|l| l.x1).fold(f32::MIN, f32::max),
                y1: ls.last().map_or(ls[0].y, |l| l.y + 0.25 * l.size),
            };
            let bold = ls.iter().all(|l| l.bold);
            blocks.push((
                bbox.y0,
                Block::Paragraph(Paragraph {
                    text,
                    bold,
                    pos: Pos::on_page(page, Some(bbox)),
                }),
            ));
        }
        for mut t in l.tables {
            for row in &mut t.rows {
                for c in &mut row.cells {
                    c.text = kehoach_text::nfc(&c.text).into_owned();
                }
            }
            let y = t.pos.bbox.map_or(0.0, |b| b.y0);
            blocks.push((y, Block::Table(t)));
        }
        blocks.sort_by(|a, b| a.0.total_cmp(&b.0));
        doc.pages.push(Page {
            number: Some(page),
            blocks: blocks.into_iter().map(|(_, b)| b).collect(),
        });
    }
    if !no_text.is_empty() {
        let list: Vec<String> = no_text.iter().map(u32::to_string).collect();
        let what = if no_text.len() == n_pages {
            "the PDF has no text layer (a scan?)"
        } else {
            "pages without a text layer"
        };
        doc.warnings.push(ReaderWarning {
            code: "no_text_layer".into(),
            message: format!(
                "{what}: page{} {}",
                if no_text.len() > 1 { "s" } else { "" },
                list.join(", ")
            ),
        });
    }
    doc.warnings.extend(garbled::warning(&doc));
    for n in notes {
        doc.warnings.push(ReaderWarning {
            code: "pdf_content".into(),
            message: n,
        });
    }
    doc
}

/// Drops running headers/footers: lines repeated at the same place on most
/// pages, and lone page numbers near the top or bottom edge.
fn drop_furniture(laid: &mut [Laid]) {
    let key = |l: &layout::Line| -> String {
        let t: String = l
            .text()
            .chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect();
        format!("{}@{}", t.trim(), (l.y / 6.0).round())
    };
    let edge = |l: &layout::Line, h: f32| h > 0.0 && (l.y < 0.12 * h || l.y > 0.88 * h);
    let mut counts: HashMap<String, usize> = HashMap::new();
    for lp in laid.iter() {
        let mut seen = std::collections::HashSet::new();
        for l in lp.lines.iter().filter(|l| edge(l, lp.height)) {
            if seen.insert(key(l)) {
                *counts.entry(key(l)).or_default() += 1;
            }
        }
    }
    let n = laid.len();
    for lp in laid.iter_mut() {
        let height = lp.height;
        lp.lines.retain(|l| {
            if !edge(l, height) {
                return true;
            }
            let repeated = n >= 3 && counts.get(&key(l)).is_some_and(|&c| c * 2 > n);
            !(repeated || is_page_number(&l.text()))
        });
    }
}

/// `3`, `- 3 -`, `Trang 3`, `3/10`, `Page 3 of 10`.
fn is_page_number(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    let t = t
        .trim_start_matches("trang")
        .trim_start_matches("page")
        .trim();
    let core: String = t
        .chars()
        .filter(|c| !matches!(c, '-' | '–' | '—' | '(' | ')' | '[' | ']' | ' '))
        .collect();
    if core.is_empty() || core.len() > 12 {
        return false;
    }
    let parts: Vec<&str> = core
        .split(['/', '|'])
        .flat_map(|p| p.split("of"))
        .flat_map(|p| p.split("trên"))
        .collect();
    parts.len() <= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers() {
        assert!(is_page_number("3"));
        assert!(is_page_number("- 12 -"));
        assert!(is_page_number("Trang 3"));
        assert!(is_page_number("3/10"));
        assert!(!is_page_number("1.1"));
        assert!(!is_page_number("Công chức"));
    }

    #[test]
    fn rejects_non_pdf() {
        assert_eq!(read(b""), Err(ReadError::Empty));
        assert_eq!(read(b"hello"), Err(ReadError::NotPdf));
    }
}
