//! Reader for scanned plans: image files (PNG, JPEG, TIFF) and image-only PDF
//! pages, recognised with tesseract (Vietnamese) into the kehoach document model.
//!
//! Per page (pages in parallel, heaviest first by the bytes of their images,
//! one engine thread each):
//! 1. the page bitmap: decoded from the image file, or taken from the PDF
//!    page as it is (JPEG bytes, Flate samples); other encodings (JBIG2,
//!    CCITT, …) are rendered with `pdftoppm`;
//! 2. a blank page (or one with only show-through, specks or stray marks on
//!    which nothing is read) is reported (`blank_page`) and skipped; the skew is estimated from the
//!    ink's projection profile and corrected when a rule along the page
//!    would drift by more than its thickness ([`raster::worth_straightening`]);
//! 3. ruling lines (long dark runs) give the table grids, and are painted out
//!    before recognition;
//! 4. one recognition per page (`tesseract --psm 6`, TSV output) gives word
//!    boxes and confidences; each worker keeps one engine process for the
//!    whole document and hands it the page images as uncompressed TIFF files
//!    ([`engine::Session`]); on a page with tables, each cell is cut out and the cells
//!    are stacked into one image ([`strips`]), so text lines of neighbouring
//!    cells are never read as one line; a page read with low confidence (or
//!    few Vietnamese syllables) is tried again turned by 90°, 270° and 180°
//!    (sheets fed sideways or upside down; sideways first when the ink's
//!    profile shows text lines across the columns), keeping the best reading;
//!    the short number cells of all pages are read again in one call
//!    restricted to numbering characters;
//! 5. words are repaired against a lexicon of plan vocabulary ([`repair`]);
//! 6. words fall into grid cells (or, on a page without rules, into columns
//!    found from the gaps between words under a header line); the rest become
//!    paragraphs.
//!
//! Every row and cell has `Pos { page, bbox }` (pixels of the straightened
//! page) and every non-empty cell the mean confidence (0..=1) of its words.
//! Rows and pages read with low confidence are named in an
//! `ocr_low_confidence` reader warning.

#![warn(missing_docs)]

pub mod engine;
pub mod layout;
pub mod pdf;
pub mod raster;
pub mod repair;
pub mod strips;

use engine::Word;
use kehoach_doc::{Block, Document, Page, ReaderWarning, SourceFormat};
use raster::Gray;
use rayon::prelude::*;

pub use engine::TESSERACT_PACKAGES;
pub use pdf::{page_kinds, scanned_pages, PageKind, POPPLER_PACKAGE};

/// Why a scan could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum OcrError {
    /// A program the reader needs is missing (the message names the Debian packages).
    #[error("{0}")]
    MissingTool(String),
    /// The OCR engine failed.
    #[error("OCR engine error: {0}")]
    Engine(String),
    /// The image could not be decoded.
    #[error("cannot decode the image: {0}")]
    Image(String),
    /// The PDF could not be read.
    #[error("cannot read the PDF: {0}")]
    Pdf(String),
}

/// The reader warning code for low recognition confidence.
pub const LOW_CONFIDENCE_CODE: &str = "ocr_low_confidence";
/// A reader warning (informational) for a blank page (or a back page with
/// only show-through or specks): nothing on it is read.
pub const BLANK_PAGE_CODE: &str = "blank_page";
/// A reader warning (informational) for a page that was read turned by 90°, 180° or 270°.
pub const ROTATED_CODE: &str = "ocr_page_rotated";

/// Reading options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Tesseract page segmentation mode.
    pub psm: u32,
    /// Rows and pages whose mean confidence is below this are reported.
    pub low_confidence: f32,
    /// Fix words against the lexicon.
    pub repair: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            psm: 6,
            low_confidence: 0.6,
            repair: true,
        }
    }
}

/// Reads one scanned page image (PNG, JPEG or TIFF; the first frame).
pub fn read_image(bytes: &[u8]) -> Result<Document, OcrError> {
    read_image_with(bytes, &Options::default())
}

/// [`read_image`] with options.
pub fn read_image_with(bytes: &[u8], opts: &Options) -> Result<Document, OcrError> {
    engine::check()?;
    let image = Gray::decode(bytes)?;
    // No reliable resolution in the file: assume the long side is an A4 page's.
    let dpi = ((image.width.max(image.height) as f32 / 11.69).round() as u32).clamp(70, 600);
    let engines = engine::Pool::new("vie", opts.psm, &[]);
    let mut results = vec![read_page(1, pdf::PageImage { image, dpi }, opts, &engines)?];
    drop(engines);
    reread_numbers(&mut results);
    let mut result = results.remove(0);
    fix_section_sequence(std::slice::from_mut(&mut result.page));
    fix_dropped_dots(std::slice::from_mut(&mut result.page));
    let mut doc = Document::new(SourceFormat::Ocr);
    doc.page_count = Some(1);
    doc.warnings.extend(result.warnings);
    doc.pages.push(result.page);
    Ok(doc)
}

/// The reader's own worker pool (`RAYON_NUM_THREADS`, else one per core):
/// pages never wait for a caller's pool, whose workers may be blocked on
/// this very call.
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("kehoach-ocr-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Reads the given pages (1-based; empty = all) of a scanned PDF.
pub fn read_scanned_pdf(bytes: &[u8], pages: &[u32]) -> Result<Document, OcrError> {
    read_scanned_pdf_with(bytes, pages, &Options::default())
}

/// [`read_scanned_pdf`] with options.
pub fn read_scanned_pdf_with(
    bytes: &[u8],
    pages: &[u32],
    opts: &Options,
) -> Result<Document, OcrError> {
    engine::check()?;
    let doc_pdf = pdf::load(bytes)?;
    let all: Vec<u32> = doc_pdf.get_pages().keys().copied().collect();
    let wanted: Vec<u32> = if pages.is_empty() {
        all.clone()
    } else {
        pages.iter().copied().filter(|p| all.contains(p)).collect()
    };
    let engines = engine::Pool::new("vie", opts.psm, &[]);
    let read_one = |&n: &u32| -> Result<PageResult, OcrError> {
        match pdf::page_image(&doc_pdf, bytes, n) {
            Ok(img) => read_page(n, img, opts, &engines),
            Err(OcrError::MissingTool(m)) => Err(OcrError::MissingTool(m)),
            Err(e) => Ok(PageResult {
                page: Page {
                    number: Some(n),
                    blocks: Vec::new(),
                },
                numbers: Vec::new(),
                dpi: pdf::RENDER_DPI,
                warnings: vec![ReaderWarning {
                    code: LOW_CONFIDENCE_CODE.into(),
                    message: format!(
                        "page {n}: no page image could be read ({e}); the page is left out"
                    ),
                }],
            }),
        }
    };
    // Heaviest pages first, each taken by the next free worker: the work
    // ends on a light page, not with one worker alone on a heavy one.
    let weights = pdf::page_weights(&doc_pdf, &wanted);
    let mut order: Vec<usize> = (0..wanted.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(weights[i]));
    let read_at = |&i: &usize| (i, read_one(&wanted[i]));
    let mut results: Vec<(usize, Result<PageResult, OcrError>)> = match pool() {
        Some(p) => p.install(|| order.iter().par_bridge().map(read_at).collect()),
        None => order.iter().map(read_at).collect(),
    };
    drop(engines);
    results.sort_by_key(|r| r.0);
    let mut results = results
        .into_iter()
        .map(|r| r.1)
        .collect::<Result<Vec<_>, _>>()?;
    reread_numbers(&mut results);
    let mut doc = Document::new(SourceFormat::Ocr);
    doc.page_count = Some(all.len() as u32);
    for r in results {
        doc.warnings.extend(r.warnings);
        doc.pages.push(r.page);
    }
    fix_section_sequence(&mut doc.pages);
    fix_dropped_dots(&mut doc.pages);
    Ok(doc)
}

/// Whether a PDF is a scan: it has pages and most of them have no text
/// layer beyond a stamp, only a page image.
pub fn is_scanned_pdf(bytes: &[u8]) -> bool {
    match pdf::page_kinds(bytes) {
        Ok(kinds) if !kinds.is_empty() => {
            let scanned = kinds.iter().filter(|k| k.is_scanned()).count();
            scanned * 2 > kinds.len()
        }
        _ => false,
    }
}

/// Completes what a text-layer PDF reader made of `bytes` (`text_doc`) with
/// OCR of the scanned pages: `Ok(None)` when no page is scanned (use
/// `text_doc` as it is); else the document to use: the OCR of the whole
/// file (format [`SourceFormat::Ocr`]) when most pages are scanned or the
/// text layer holds almost nothing, otherwise `text_doc` with its scanned
/// pages replaced by their OCR. When the engine is missing and the text
/// layer has content, `text_doc` is kept with a warning naming the packages.
pub fn complete_pdf(bytes: &[u8], text_doc: &Document) -> Result<Option<Document>, OcrError> {
    complete_pdf_with(bytes, text_doc, &[])
}

/// The pages of a PDF that OCR reads: its scanned pages (an image, no
/// text) and the pages whose text layer is unusable. Found once (the file is
/// parsed for it) and used both to size the work ([`OcrPages::count`]) and
/// to read those pages ([`complete_pdf_pages`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcrPages {
    /// Page numbers, in order.
    pages: Vec<u32>,
    /// More than half of the pages are scanned: the whole file is read by OCR.
    mostly_scanned: bool,
    /// Some pages were given as garbled.
    garbled: bool,
}

impl OcrPages {
    /// How many pages OCR reads.
    pub fn count(&self) -> usize {
        self.pages.len()
    }
}

/// [`OcrPages`] of the PDF `bytes`, with `garbled` the pages whose text layer
/// the text reader found unusable; `None` when lopdf cannot open the file.
pub fn ocr_pages(bytes: &[u8], garbled: &[u32]) -> Option<OcrPages> {
    let kinds = pdf::page_kinds(bytes).ok()?;
    let mut pages: Vec<u32> = kinds
        .iter()
        .filter(|k| k.is_scanned())
        .map(|k| k.number)
        .collect();
    let mostly_scanned = !pages.is_empty() && pages.len() * 2 > kinds.len();
    pages.extend(
        garbled
            .iter()
            .filter(|p| kinds.iter().any(|k| k.number == **p)),
    );
    pages.sort_unstable();
    pages.dedup();
    Some(OcrPages {
        pages,
        mostly_scanned,
        garbled: !garbled.is_empty(),
    })
}

/// How many pages of the PDF `bytes` [`complete_pdf_with`] reads by OCR:
/// its scanned pages and the pages of `garbled` (0 when lopdf cannot open it).
pub fn ocr_page_count(bytes: &[u8], garbled: &[u32]) -> usize {
    ocr_pages(bytes, garbled).map_or(0, |p| p.count())
}

/// [`complete_pdf`], also reading by OCR the pages in `garbled`: pages whose
/// text layer the text reader found unusable (fonts mapping glyphs to the
/// wrong characters). Those pages are replaced by their OCR like scanned
/// pages; they never make the whole file count as a scan.
pub fn complete_pdf_with(
    bytes: &[u8],
    text_doc: &Document,
    garbled: &[u32],
) -> Result<Option<Document>, OcrError> {
    // A file lopdf cannot open is left to the text-layer reader's verdict.
    match ocr_pages(bytes, garbled) {
        Some(pages) => complete_pdf_pages(bytes, text_doc, &pages),
        None => Ok(None),
    }
}

/// [`complete_pdf_with`] on pages already found ([`ocr_pages`]).
pub fn complete_pdf_pages(
    bytes: &[u8],
    text_doc: &Document,
    pages: &OcrPages,
) -> Result<Option<Document>, OcrError> {
    if pages.pages.is_empty() {
        return Ok(None);
    }
    let scanned = &pages.pages;
    let text_chars: usize = text_doc
        .blocks()
        .map(|b| match b {
            Block::Paragraph(p) => p.text.chars().filter(|c| !c.is_whitespace()).count(),
            Block::Table(t) => t
                .rows
                .iter()
                .flat_map(|r| &r.cells)
                .map(|c| c.text.chars().filter(|c| !c.is_whitespace()).count())
                .sum(),
        })
        .sum();
    if pages.mostly_scanned || (!pages.garbled && text_chars < 200) {
        return read_scanned_pdf(bytes, &[]).map(Some);
    }
    let ocr = match read_scanned_pdf(bytes, scanned) {
        Ok(d) => d,
        Err(OcrError::MissingTool(m)) => {
            let mut doc = text_doc.clone();
            doc.warnings.push(ReaderWarning {
                code: LOW_CONFIDENCE_CODE.into(),
                message: format!("scanned pages {scanned:?} were not read: {m}"),
            });
            return Ok(Some(doc));
        }
        Err(e) => return Err(e),
    };
    let mut doc = text_doc.clone();
    for page in ocr.pages {
        match doc.pages.iter_mut().find(|p| p.number == page.number) {
            Some(slot) => *slot = page,
            None => doc.pages.push(page),
        }
    }
    doc.pages.sort_by_key(|p| p.number);
    doc.warnings.extend(ocr.warnings);
    Ok(Some(doc))
}

/// One page read.
struct PageResult {
    page: Page,
    warnings: Vec<ReaderWarning>,
    /// Number cells to read again: (block, row, cell image).
    numbers: Vec<(usize, usize, Gray)>,
    dpi: u32,
}

/// The enlargement of number cells read again.
const NUMBER_SCALE: u32 = 2;

/// Characters a number cell may hold (`1`, `2.1`, `IV`, `a)`, `-`).
const NUMBER_CHARS: &str = "tessedit_char_whitelist=0123456789.IVXivxabcd-+)(";

/// Reads the number cells of all pages again in one engine call, restricted
/// to numbering characters: alone in a narrow cell, `2.2` or `II` is often
/// misread by the language model (`21.2)`, `H`).
fn reread_numbers(results: &mut [PageResult]) {
    let gap = 24u32;
    let items: Vec<(usize, usize, usize, &Gray)> = results
        .iter()
        .enumerate()
        .flat_map(|(pi, r)| {
            r.numbers
                .iter()
                .map(move |(b, row, img)| (pi, *b, *row, img))
        })
        .collect();
    if items.is_empty() {
        return;
    }
    let dpi = results.iter().map(|r| r.dpi).max().unwrap_or(300);
    // Read as scanned and enlarged twice (the dot of `1.4` in small print is
    // often dropped at the scan's size, and an enlarged number of a coarse
    // scan is read worse, so only a dot is taken from it): two engine calls
    // at once, as the last work of the document.
    let (plain, enlarged) = rayon::join(
        || read_number_sheet(&items, dpi, 1, gap),
        || read_number_sheet(&items, dpi, NUMBER_SCALE, gap),
    );
    let places: Vec<(usize, usize, usize)> = items.iter().map(|i| (i.0, i.1, i.2)).collect();
    drop(items);
    for (k, (pi, b, row)) in places.into_iter().enumerate() {
        let Some((mut text, conf)) = plain.get(k).cloned().flatten() else {
            continue;
        };
        if let Some((big, _)) = enlarged.get(k).cloned().flatten() {
            if big.contains('.') && big.replace('.', "") == text {
                text = big;
            }
        }
        if let Some(Block::Table(t)) = results[pi].page.blocks.get_mut(b) {
            if let Some(cell) = t.rows.get_mut(row).and_then(|r| r.cells.first_mut()) {
                cell.text = text;
                cell.confidence = Some(conf);
            }
        }
    }
}

/// Reads the number cells stacked in one image, enlarged by `scale`: each
/// cell's text and mean confidence (`None` where nothing is read).
fn read_number_sheet(
    items: &[(usize, usize, usize, &Gray)],
    dpi: u32,
    scale: u32,
    gap: u32,
) -> Vec<Option<(String, f32)>> {
    let imgs: Vec<Gray> = items.iter().map(|i| i.3.enlarged(scale)).collect();
    let width = imgs.iter().map(|i| i.width).max().unwrap_or(1) + 2 * gap;
    let height: u32 = imgs.iter().map(|i| i.height + gap).sum::<u32>() + gap;
    let mut sheet = Gray::filled(width, height, 255);
    let mut at = gap;
    let mut places = Vec::new();
    for img in &imgs {
        for y in 0..img.height {
            let src = (y * img.width) as usize;
            let dst = ((at + y) * width + gap) as usize;
            sheet.data[dst..dst + img.width as usize]
                .copy_from_slice(&img.data[src..src + img.width as usize]);
        }
        places.push((at, at + img.height));
        at += img.height + gap;
    }
    let Ok(words) = engine::recognise_with(&sheet, dpi * scale, 6, "eng", &[NUMBER_CHARS]) else {
        return Vec::new();
    };
    places
        .into_iter()
        .map(|(y0, y1)| {
            let mut ws: Vec<&Word> = words
                .iter()
                .filter(|w| w.cy() >= y0 as i32 && w.cy() < y1 as i32)
                .collect();
            if ws.is_empty() {
                return None;
            }
            let conf = ws.iter().map(|w| w.conf).sum::<f32>() / ws.len() as f32;
            Some((layout::words_text(&mut ws).replace('\n', " "), conf))
        })
        .collect()
}

fn roman_value(s: &str) -> Option<u32> {
    let v = |c| match c {
        'I' => Some(1),
        'V' => Some(5),
        'X' => Some(10),
        _ => None,
    };
    let digits: Vec<u32> = s.chars().map(v).collect::<Option<Vec<_>>>()?;
    if digits.is_empty() || digits.len() > 5 {
        return None;
    }
    let mut total = 0i64;
    for (i, d) in digits.iter().enumerate() {
        if digits.get(i + 1).is_some_and(|n| n > d) {
            total -= *d as i64;
        } else {
            total += *d as i64;
        }
    }
    (total > 0).then_some(total as u32)
}

fn roman(mut n: u32) -> String {
    let mut out = String::new();
    for (v, s) in [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")] {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

/// Whether `text` is the Roman number `target` with one or two of its `I`
/// strokes missing (`II` for `III`, `VII` for `VIII`, `V` for `VI`).
fn strokes_short(text: &str, target: &str) -> bool {
    let mut missing = 0;
    let mut read = text.chars().peekable();
    for ch in target.chars() {
        if read.peek() == Some(&ch) {
            read.next();
        } else if ch == 'I' {
            missing += 1;
        } else {
            return false;
        }
    }
    read.next().is_none() && (1..=2).contains(&missing)
}

/// Whether `text` is the Roman number `target` with one of its letters read
/// twice (`VV` for `V`, `IVV` for `IV`).
fn stroke_doubled(text: &str, target: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    (1..chars.len()).any(|i| {
        chars[i] == chars[i - 1] && {
            let mut once = chars.clone();
            once.remove(i);
            once.iter().collect::<String>() == target
        }
    })
}

/// The number cell (the first) of every table row but each table's first
/// (its header), page after page.
fn row_numbers(pages: &mut [Page]) -> impl Iterator<Item = &mut kehoach_doc::Cell> + '_ {
    pages
        .iter_mut()
        .flat_map(|p| p.blocks.iter_mut())
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            Block::Paragraph(_) => None,
        })
        .flat_map(|t| t.rows.iter_mut().skip(1))
        .filter_map(|r| r.cells.first_mut())
}

/// Section numbers read with a stroke too few (`II` for `III`, `VII` for
/// `VIII`): a Roman number that does not follow the previous section but is
/// the next one short of one or two `I` strokes becomes the next one. A
/// section number read in mixed case (`Ii`, `Vi`: a stroke taken for a
/// small letter) is put in capitals (a list in small letters, `ii`, stays);
/// one read with bars (`|`, `l` for `I`) is taken as the next section when
/// it reads as exactly that; one that is no numeral as written but the next
/// section with a letter doubled (`VV` after `IV`) is that section, and so
/// is the next section read in small letters after one in capitals (`v`
/// after `IV`).
fn fix_section_sequence(pages: &mut [Page]) {
    let mut prev = 0u32;
    // Whether the last section number was in capitals.
    let mut capitals = false;
    for c in row_numbers(pages) {
        let mut text = c.text.trim().trim_end_matches('.').to_string();
        if text.is_empty() || !text.chars().all(|ch| "IVXivx|l".contains(ch)) {
            continue;
        }
        let read = text.clone();
        if text.contains(['|', 'l']) {
            let strokes = text.replace(['|', 'l'], "I").to_ascii_uppercase();
            if roman_value(&strokes) != Some(prev + 1) {
                continue;
            }
            text = strokes;
        } else if text.starts_with(|ch: char| ch.is_ascii_uppercase())
            && text.chars().any(|ch| ch.is_ascii_lowercase())
        {
            text = text.to_ascii_uppercase();
        } else if capitals
            && text.chars().all(|ch| ch.is_ascii_lowercase())
            && roman_value(&text.to_ascii_uppercase()) == Some(prev + 1)
        {
            // `v` after `IV`: the next section, its capital read small.
            text = text.to_ascii_uppercase();
        }
        capitals = text.chars().all(|ch| ch.is_ascii_uppercase());
        let Some(v) = roman_value(&text) else {
            continue;
        };
        let next = roman(prev + 1);
        if roman(v) != text && stroke_doubled(&text, &next) {
            // Not a numeral as written (`VV`): the next one with a stroke
            // read twice.
            prev += 1;
            text = next;
        } else if v <= prev && strokes_short(&text, &next) {
            prev += 1;
            text = roman(prev);
        } else {
            prev = v;
        }
        if text != read {
            c.text = c.text.replacen(&read, &text, 1);
        }
    }
}

/// Task numbers whose dot the engine dropped (`41` for `4.1`, `410` for
/// `4.10`: the dot of small print is often lost): digits that, split in
/// two, are the first child of the number before them (`4` then `41`) or
/// the next sibling of it (`4.1` then `42`) become that dotted number.
/// A list numbered straight on (`40` then `41`) is no such case.
fn fix_dropped_dots(pages: &mut [Page]) {
    let mut prev = String::new();
    for c in row_numbers(pages) {
        let text = c.text.trim().trim_end_matches('.').to_string();
        if text.is_empty()
            || !text
                .chars()
                .all(|ch| ch.is_ascii_digit() || ch == '.' || ch.is_ascii_uppercase())
        {
            continue;
        }
        let dotted = (2..=3).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
        let fixed = dotted
            .then(|| {
                (1..text.len()).find_map(|k| {
                    let (head, tail) = text.split_at(k);
                    let n: u32 = tail.parse().ok().filter(|_| !tail.starts_with('0'))?;
                    let first_child = prev == head && n == 1;
                    let next_sibling = n > 1 && prev == format!("{head}.{}", n - 1);
                    (first_child || next_sibling).then(|| format!("{head}.{tail}"))
                })
            })
            .flatten();
        match fixed {
            Some(f) => {
                c.text = c.text.replacen(&text, &f, 1);
                prev = f;
            }
            None => prev = text,
        }
    }
}

/// Number cells of a page's tables: the first cell of each row when the
/// first column is narrow and the cell short, cut from the page bitmap.
fn number_cells(blocks: &[Block], img: &Gray) -> Vec<(usize, usize, Gray)> {
    let mut out = Vec::new();
    for (bi, b) in blocks.iter().enumerate() {
        let Block::Table(t) = b else { continue };
        let Some(tb) = t.pos.bbox else { continue };
        // The first row is the header (or its repeat).
        for (ri, row) in t.rows.iter().enumerate().skip(1) {
            let Some(c) = row.cells.first() else { continue };
            let Some(cb) = c.pos.bbox else { continue };
            // A header repeated on the page ("STT") is no number.
            let folded = kehoach_text::fold(c.text.trim());
            if c.colspan != 1
                || (cb.x1 - cb.x0) > 0.15 * (tb.x1 - tb.x0)
                || c.text.chars().count() > 8
                || folded == "stt"
                || folded == "tt"
            {
                continue;
            }
            let inset = 4.0;
            let (x0, y0) = ((cb.x0 + inset) as u32, (cb.y0 + inset) as u32);
            let (x1, y1) = (
                ((cb.x1 - inset) as u32).min(img.width),
                ((cb.y1 - inset) as u32).min(img.height),
            );
            if x1 <= x0 + 4 || y1 <= y0 + 4 {
                continue;
            }
            let mut crop = Gray::filled(x1 - x0, y1 - y0, 255);
            for y in y0..y1 {
                let src = (y * img.width + x0) as usize;
                let dst = ((y - y0) * (x1 - x0)) as usize;
                crop.data[dst..dst + (x1 - x0) as usize]
                    .copy_from_slice(&img.data[src..src + (x1 - x0) as usize]);
            }
            // An empty cell is read again only when it has ink (a number the engine dropped).
            if c.text.trim().is_empty() && crop.data.iter().filter(|&&v| v < 128).count() < 20 {
                continue;
            }
            out.push((bi, ri, crop));
        }
    }
    out
}

/// The tallest image of stacked cells handed to the engine in one call
/// (well inside its limit of 32,767 pixels a side).
const SHEET_HEIGHT: u32 = 16_000;
/// Block numbers added to the words of each sheet of a page.
const SHEET_BLOCKS: u32 = 10_000_000;

/// Below this share of ink pixels a page is blank.
const BLANK_INK: f64 = 0.0008;
/// Below this share of ink pixels a page on which (almost) nothing is read is blank.
const BLANK_MARKS: f64 = 0.01;
/// Below this mean word confidence a page is tried again turned by 180°.
const RETRY_CONF: f32 = 0.55;

/// A page recognised: words, table grids, and the (straightened) size.
struct Recognised {
    words: Vec<Word>,
    grids: Vec<layout::Grid>,
    mean_conf: f32,
    /// The straightened page with its rules painted out.
    clean: Gray,
}

/// The share of words (letters only, two or more) that are Vietnamese
/// syllables or lexicon words: low for upside-down or non-text pages.
fn syllable_share(ws: &[Word]) -> f32 {
    let lex = repair::lexicon();
    let (mut n, mut ok) = (0usize, 0usize);
    for w in ws {
        let core: String = w.text.chars().filter(|c| c.is_alphabetic()).collect();
        if core.chars().count() < 2
            || core.len() != w.text.trim_matches(|c: char| !c.is_alphanumeric()).len()
        {
            continue;
        }
        n += 1;
        if kehoach_text::is_valid_syllable(&core) || lex.contains(&core) {
            ok += 1;
        }
    }
    if n == 0 {
        0.0
    } else {
        ok as f32 / n as f32
    }
}

fn mean(ws: &[Word]) -> f32 {
    if ws.is_empty() {
        0.0
    } else {
        ws.iter().map(|w| w.conf).sum::<f32>() / ws.len() as f32
    }
}

/// The page turned clockwise by 90, 180 or 270 degrees (else as it is).
fn turn(img: &Gray, deg: u32) -> Gray {
    match deg {
        90 => img.rotated_90(),
        180 => img.rotated_180(),
        270 => img.rotated_90().rotated_180(),
        _ => img.clone(),
    }
}

/// Straightens the page, finds its rules, paints them out and recognises it.
fn recognise(
    img: &Gray,
    dpi: u32,
    thr: u8,
    engines: &engine::Pool,
) -> Result<Recognised, OcrError> {
    let skew = img.skew_degrees(thr, 5.0);
    // The straightened page becomes the clean one (rules painted out).
    let mut clean = if raster::worth_straightening(skew, img.width, img.height, dpi) {
        img.rotated(skew)
    } else {
        img.clone()
    };
    let paper = raster::paper_level_of(&clean.histogram(), thr);
    let (h, v) = raster::ruling_lines(&clean, raster::rule_threshold_for(paper, thr), dpi);
    let tol = (dpi / 60).max(3);
    let grids = layout::grids(&h, &v, tol);
    let pad = (dpi / 150).max(1);
    let boxes = raster::line_boxes(&h, &v, pad);
    clean.erase(&boxes);
    clean.whiten(paper);
    // Running text in two columns side by side (header and signature
    // blocks) is read column by column.
    let min_gap = (dpi * 3 / 10).max(24);
    let whole = (0, 0, clean.width, clean.height);
    let regions: Vec<(u32, u32, u32, u32)> = if grids.is_empty() {
        vec![whole]
    } else {
        strips::cut(&clean, &grids, (dpi / 150).max(2))
    };
    let full_width = |r: &(u32, u32, u32, u32)| r.0 == 0 && r.2 == clean.width;
    let regions: Vec<(u32, u32, u32, u32)> = regions
        .iter()
        .flat_map(|r| {
            if full_width(r) {
                strips::split_columns(&clean, *r, thr, min_gap)
            } else {
                vec![*r]
            }
        })
        .collect();
    let words = if regions.len() == 1 && regions[0] == whole {
        engines.recognise(&clean, dpi)?
    } else {
        let gap = (dpi / 8).max(12);
        let mut words = Vec::new();
        for (k, (stacked, placed)) in strips::stack_sheets(&clean, &regions, thr, gap, SHEET_HEIGHT)
            .into_iter()
            .enumerate()
        {
            for mut w in strips::unstack(engines.recognise(&stacked, dpi)?, &placed, gap) {
                // Strip numbers restart on every sheet.
                w.line_key.0 = w
                    .line_key
                    .0
                    .wrapping_add((k as u32).wrapping_mul(SHEET_BLOCKS));
                words.push(w);
            }
        }
        words
    };
    let mean_conf = mean(&words);
    Ok(Recognised {
        words,
        grids,
        mean_conf,
        clean,
    })
}

fn read_page(
    n: u32,
    pi: pdf::PageImage,
    opts: &Options,
    engines: &engine::Pool,
) -> Result<PageResult, OcrError> {
    let mut warnings = Vec::new();
    let img = pi.image;
    let hist = img.histogram();
    let thr = raster::ink_threshold_of(&hist);
    let inked: u64 = hist[..thr.min(128) as usize].iter().sum();
    let empty = || Page {
        number: Some(n),
        blocks: Vec::new(),
    };
    // A blank page: noted and skipped, nothing recognised.
    let skipped = |mut warnings: Vec<ReaderWarning>| {
        warnings.push(ReaderWarning {
            code: BLANK_PAGE_CODE.into(),
            message: format!("page {n}: blank page (or only show-through), skipped"),
        });
        Ok(PageResult {
            page: empty(),
            warnings,
            numbers: Vec::new(),
            dpi: pi.dpi,
        })
    };
    if img.width < 16 || img.height < 16 || (inked as f64) < BLANK_INK * img.data.len() as f64 {
        return skipped(warnings);
    }
    let mut rec = recognise(&img, pi.dpi, thr, engines)?;
    // Little ink and no words (or a few stray marks read as such): a blank
    // back page with specks, a punched hole or a faint stamp.
    let stray = rec.words.len() <= 3
        && rec
            .words
            .iter()
            .all(|w| w.text.chars().count() <= 3 || w.conf < 0.5)
        && (inked as f64) < BLANK_MARKS * img.data.len() as f64;
    if stray {
        return skipped(warnings);
    }
    let good = |r: &Recognised| {
        r.mean_conf >= RETRY_CONF && r.words.len() >= 3 && syllable_share(&r.words) >= 0.5
    };
    let score = |r: &Recognised| r.mean_conf + syllable_share(&r.words);
    if !good(&rec) {
        // Upside down, or a sheet fed sideways (a landscape page scanned
        // portrait): the other turns are tried, the likelier first (text
        // lines across the columns: sideways), until one reads well.
        let (rows, cols) = img.line_profiles(thr, pi.dpi);
        let order = if cols > rows {
            [90, 270, 180]
        } else {
            [180, 90, 270]
        };
        let mut turned_by = 0;
        for deg in order {
            let turned = recognise(&turn(&img, deg), pi.dpi, thr, engines)?;
            if turned.words.len() >= 3 && score(&turned) > score(&rec) + 0.2 {
                rec = turned;
                turned_by = deg;
                if good(&rec) {
                    break;
                }
            }
        }
        if turned_by != 0 {
            let how = if turned_by == 180 {
                "upside down".to_string()
            } else {
                "sideways".to_string()
            };
            warnings.push(ReaderWarning {
                code: ROTATED_CODE.into(),
                message: format!(
                    "page {n}: the page was {how} and was read turned by {turned_by}° clockwise"
                ),
            });
        }
    }
    if opts.repair {
        repair::repair_words(&mut rec.words, repair::lexicon());
        header_words(&mut rec.words);
    }
    if rec.words.is_empty() {
        warnings.push(ReaderWarning {
            code: LOW_CONFIDENCE_CODE.into(),
            message: format!("page {n}: no text recognised"),
        });
        return Ok(PageResult {
            page: empty(),
            warnings,
            numbers: Vec::new(),
            dpi: pi.dpi,
        });
    }
    let mut grids = rec.grids;
    if grids.is_empty() {
        if let Some(g) = unruled_grid(&rec.words, pi.dpi) {
            grids.push(g);
        }
    }
    let mut blocks = layout::page_blocks(n, &rec.words, &grids);
    fix_headers(&mut blocks);
    let page_conf = mean(&rec.words);
    if page_conf < opts.low_confidence {
        warnings.push(ReaderWarning {
            code: LOW_CONFIDENCE_CODE.into(),
            message: format!(
                "page {n}: mean recognition confidence {page_conf:.2} over {} words; the text may be wrong (a poor scan, or not a document page)",
                rec.words.len()
            ),
        });
    } else {
        let low = low_rows(&blocks, opts.low_confidence);
        if !low.is_empty() {
            let list: Vec<String> = low
                .iter()
                .map(|(r, c)| format!("row {r} ({c:.2})"))
                .collect();
            warnings.push(ReaderWarning {
                code: LOW_CONFIDENCE_CODE.into(),
                message: format!(
                    "page {n}: table rows read with low confidence: {}",
                    list.join(", ")
                ),
            });
        }
    }
    let numbers = number_cells(&blocks, &rec.clean);
    Ok(PageResult {
        page: Page {
            number: Some(n),
            blocks,
        },
        warnings,
        numbers,
        dpi: pi.dpi,
    })
}

/// Document-kind headings read as one word (`KÉHOẠCH`), and a document
/// number written by hand over the printed `Số: …/KH-…` (read as marks like
/// `ØÓ6”`): the heading is spelled out, and marks that are not digits are
/// dropped from the number field, so that the number line and the heading
/// are still found.
fn header_words(words: &mut Vec<Word>) {
    const KINDS: &[(&str, &str)] = &[
        ("kehoach", "KẾ HOẠCH"),
        ("quyetdinh", "QUYẾT ĐỊNH"),
        ("baocao", "BÁO CÁO"),
        ("thongbao", "THÔNG BÁO"),
        ("chuongtrinh", "CHƯƠNG TRÌNH"),
    ];
    for w in words.iter_mut() {
        let letters: String = w.text.chars().filter(|c| c.is_alphabetic()).collect();
        if letters.chars().count() < 6 || letters.chars().any(char::is_lowercase) {
            continue;
        }
        let f = kehoach_text::fold(&letters);
        if let Some((_, spelled)) = KINDS.iter().find(|(k, _)| *k == f) {
            w.text = spelled.to_string();
        }
    }
    // `Số:` with marks stuck to it (`Só:ØÓ6”`).
    for w in words.iter_mut() {
        let Some((head, rest)) = w.text.split_once(':') else {
            continue;
        };
        if kehoach_text::fold(head) == "so"
            && !rest.is_empty()
            && !rest.chars().all(|c| c.is_ascii_digit() || c == '.')
            && !rest.starts_with('/')
        {
            w.text = "Số:".to_string();
        }
    }
    let mut drop = vec![false; words.len()];
    for w in words.iter() {
        let f = kehoach_text::fold(w.text.trim_end_matches(':'));
        if f != "so" || !w.text.ends_with(':') {
            continue;
        }
        // The words after it on its line, left to right, up to the `/KH-…` part.
        let mut after: Vec<usize> = (0..words.len())
            .filter(|&j| words[j].line_key == w.line_key && words[j].x0 > w.x0)
            .collect();
        after.sort_by_key(|&j| words[j].x0);
        let Some(slash) = after.iter().position(|&j| words[j].text.starts_with('/')) else {
            continue;
        };
        for &j in &after[..slash] {
            if !words[j]
                .text
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.')
            {
                drop[j] = true;
            }
        }
    }
    let mut k = 0;
    words.retain(|_| {
        k += 1;
        !drop[k - 1]
    });
}

/// Whether a cell holds a task number (`1`, `1.2`, `II`, `3.`): a row
/// starting with one is a task, not a header.
fn is_task_number(text: &str) -> bool {
    let t = text.trim().trim_end_matches(['.', ')']);
    !t.is_empty()
        && (t.chars().all(|c| c.is_ascii_digit() || c == '.')
            || t.chars().all(|c| matches!(c, 'I' | 'V' | 'X')))
}

/// Repairs the header row of each table: OCR slips in header words
/// (`SITT`, `NÔI DUNG`) would hide the columns from the extractor. The
/// first row of a table continued on a new page is a task, often with
/// header words in its text (`đơn vị`, `thực hiện`): a row whose first
/// cell is a task number is left alone.
fn fix_headers(blocks: &mut [Block]) {
    for b in blocks.iter_mut() {
        let Block::Table(t) = b else { continue };
        let Some(row) = t.rows.first_mut() else {
            continue;
        };
        if row.cells.first().is_some_and(|c| is_task_number(&c.text)) {
            continue;
        }
        let folded: Vec<String> = row
            .cells
            .iter()
            .map(|c| kehoach_text::fold(&c.text))
            .collect();
        let headerish = folded
            .iter()
            .filter(|f| {
                HEADER_WORDS.iter().any(|h| {
                    format!(" {} ", f.split_whitespace().collect::<Vec<_>>().join(" "))
                        .contains(&format!(" {h} "))
                })
            })
            .count();
        if headerish < 2 {
            continue;
        }
        // Line breaks are kept: the header words are repaired line by line.
        for c in row.cells.iter_mut() {
            let mut lines: Vec<String> = c.text.split('\n').map(str::to_string).collect();
            if repair::repair_header(&mut lines) {
                c.text = lines.join("\n");
            }
        }
    }
}

/// Table rows (1-based within the page's tables) whose mean cell confidence is below `min`.
fn low_rows(blocks: &[Block], min: f32) -> Vec<(usize, f32)> {
    let mut out = Vec::new();
    let mut k = 0;
    for b in blocks {
        if let Block::Table(t) = b {
            for row in &t.rows {
                k += 1;
                let cs: Vec<f32> = row.cells.iter().filter_map(|c| c.confidence).collect();
                if cs.is_empty() {
                    continue;
                }
                let m = cs.iter().sum::<f32>() / cs.len() as f32;
                if m < min {
                    out.push((k, m));
                }
            }
        }
    }
    out
}

/// Header words of an appendix table (folded), to find an unruled table's header line.
const HEADER_WORDS: &[&str] = &[
    "tt",
    "stt",
    "noi dung",
    "nhiem vu",
    "chu tri",
    "phoi hop",
    "thuc hien",
    "thoi gian",
    "thoi han",
    "san pham",
    "ket qua",
    "don vi",
    "co quan",
];

/// On a page without rules: the header line (three or more header words),
/// and columns from the gaps between the words under it.
fn unruled_grid(words: &[Word], dpi: u32) -> Option<layout::Grid> {
    let min_gap = (dpi / 12).max(8) as i32;
    // (top, bottom, folded text, word spans)
    type TextLine = (i32, i32, String, Vec<(i32, i32)>);
    let mut lines: Vec<TextLine> = Vec::new();
    let mut sorted: Vec<&Word> = words.iter().collect();
    sorted.sort_by_key(|w| (w.line_key, w.x0));
    for w in sorted {
        match lines.last_mut() {
            Some(l) if (w.cy() - (l.0 + l.1) / 2).abs() < w.height() => {
                l.0 = l.0.min(w.y0);
                l.1 = l.1.max(w.y1);
                l.2.push(' ');
                l.2.push_str(&kehoach_text::fold(&w.text));
                l.3.push((w.x0, w.x1));
            }
            _ => lines.push((w.y0, w.y1, kehoach_text::fold(&w.text), vec![(w.x0, w.x1)])),
        }
    }
    let header = lines.iter().find(|(_, _, t, spans)| {
        let padded = format!(
            " {} ",
            t.split(|c: char| !c.is_alphanumeric())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        );
        // A header row has its column names apart (a body line that
        // mentions "chủ trì, phối hợp … thực hiện" is no header).
        let mut spans = spans.clone();
        spans.sort_unstable();
        let apart = spans
            .windows(2)
            .filter(|p| p[1].0 - p[0].1 >= (dpi / 5) as i32)
            .count();
        apart >= 2
            && HEADER_WORDS
                .iter()
                .filter(|h| padded.contains(&format!(" {h} ")))
                .count()
                >= 3
    })?;
    let bottom = words.iter().map(|w| w.y1).max()?;
    layout::grid_from_words(words, (header.0 - 2, header.1 + 2), bottom + 2, min_gap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roman_numbers() {
        assert_eq!(roman_value("IV"), Some(4));
        assert_eq!(roman_value("III"), Some(3));
        assert_eq!(roman_value("IIa"), None);
        assert_eq!(roman(9), "IX");
        assert!(strokes_short("VII", "VIII"));
        assert!(strokes_short("I", "III"));
        assert!(!strokes_short("IV", "V"));
        assert!(!strokes_short("III", "III"));
    }

    fn table_of_numbers(numbers: &[&str]) -> Vec<Page> {
        use kehoach_doc::{Cell, Pos, Row, Table};
        let row = |n: &&str| Row {
            cells: vec![
                Cell::new(*n, Pos::default()),
                Cell::new("Nội dung", Pos::default()),
            ],
            pos: Pos::default(),
        };
        vec![Page {
            number: Some(1),
            blocks: vec![Block::Table(Table {
                rows: numbers.iter().map(row).collect(),
                pos: Pos::default(),
            })],
        }]
    }

    /// The first cell of every row of every table, page after page.
    fn first_cells(pages: &[Page]) -> Vec<String> {
        pages
            .iter()
            .flat_map(|p| &p.blocks)
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                Block::Paragraph(_) => None,
            })
            .flat_map(|t| t.rows.iter().map(|r| r.cells[0].text.clone()))
            .collect()
    }

    #[test]
    fn a_task_row_at_the_top_of_a_page_is_no_header() {
        use kehoach_doc::{Cell, Pos, Row, Table};
        let table = |cells: &[&str]| {
            Block::Table(Table {
                rows: vec![Row {
                    cells: cells
                        .iter()
                        .map(|c| Cell::new(*c, Pos::default()))
                        .collect(),
                    pos: Pos::default(),
                }],
                pos: Pos::default(),
            })
        };
        let task = [
            "1",
            "Kế hoạch rà soát, đánh giá",
            "Văn phòng",
            "Các cơ quan, đơn vị thuộc huyện",
            "Triển khai thực hiện sau khi có Văn bản của UBND tỉnh",
        ];
        let mut blocks = vec![table(&task), table(&["SITT", "NÔI DUNG", "Đơn vị chủ trì"])];
        fix_headers(&mut blocks);
        let Block::Table(t) = &blocks[0] else {
            panic!("a table")
        };
        assert_eq!(t.rows[0].grid(), task);
        let Block::Table(t) = &blocks[1] else {
            panic!("a table")
        };
        assert_eq!(t.rows[0].cells[0].text, "STT");
        assert!(is_task_number("1.2") && is_task_number("II.") && !is_task_number("TT"));
    }

    #[test]
    fn dropped_dots_of_task_numbers_are_put_back() {
        let mut pages = table_of_numbers(&[
            "TT", "I", "4", "41", "4.2", "43", "5.", "51", "5.9", "510", "III", "39", "40", "41",
        ]);
        fix_dropped_dots(&mut pages);
        assert_eq!(
            first_cells(&pages),
            [
                "TT", "I", "4", "4.1", "4.2", "4.3", "5.", "5.1", "5.9", "5.10", "III", "39", "40",
                "41"
            ]
        );
    }

    #[test]
    fn section_numbers_in_mixed_case_are_capitals() {
        let mut pages = table_of_numbers(&[
            "TT", "|", "1", "I", "1", "Ii", "1", "IV", "|", "Vi", "ii", "VII", "VII", "1",
        ]);
        fix_section_sequence(&mut pages);
        let firsts = first_cells(&pages);
        // `I` after `I` and `Ii` after `II` are read a stroke short; a bar
        // is `I` only where it is the next section; a list in small
        // letters stays.
        assert_eq!(
            firsts,
            ["TT", "I", "1", "II", "1", "III", "1", "IV", "|", "VI", "ii", "VII", "VIII", "1"]
        );
    }

    #[test]
    fn a_section_number_with_a_letter_read_twice_is_the_next_section() {
        // Three tables, one a page: the sequence runs on over them.
        let mut pages: Vec<Page> = [
            &["TT", "III", "1", "IIV", "1", "VV.", "1", "2"][..],
            &["TT", "VI", "XX", "VII", "VVI"],
            &["TT", "IV", "1", "v", "1", "ii", "iii", "iv"],
        ]
        .into_iter()
        .flat_map(table_of_numbers)
        .collect();
        fix_section_sequence(&mut pages);
        let firsts = first_cells(&pages);
        // `XX` is a numeral (20) and stays; `VVI` after `VII` is not the
        // next section with a letter doubled (that would be `VIII`); `v`
        // after `IV` is `V`, but a list in small letters stays.
        assert_eq!(
            firsts,
            [
                "TT", "III", "1", "IV", "1", "V.", "1", "2", "TT", "VI", "XX", "VII", "VVI", "TT",
                "IV", "1", "V", "1", "ii", "iii", "iv"
            ]
        );
    }
}
