//! From input bytes to a plan: the reader of the detected format, the checks, the extractor.

use crate::detect::{detect, sha256_hex, Detected};
use crate::{check_deadline, Deadline, Failure, FailureKind, Limits};
use kehoach_doc::{Document, SourceFormat};
use kehoach_plan::{Format, Plan, Source};
use std::path::Path;

/// Reads `bytes` (named `name` for messages and provenance) into a plan.
pub fn plan_from_bytes(name: &str, bytes: &[u8]) -> Result<Plan, Failure> {
    plan_from_bytes_with(name, bytes, &sha256_hex(bytes), &Limits::default(), None)
}

/// Reads `bytes` (whose SHA-256 the caller has computed: import needs it
/// before reading, to skip known files) into a plan under `limits`: sizes are
/// checked before the reader runs, the document it returns before extraction,
/// and `deadline` (when given) between the stages.
pub fn plan_from_bytes_with(
    name: &str,
    bytes: &[u8],
    sha256: &str,
    limits: &Limits,
    deadline: Option<&Deadline>,
) -> Result<Plan, Failure> {
    if detect(bytes) == Detected::Text && bytes.len() as u64 > limits.max_text_bytes {
        return Err(Failure::new(
            FailureKind::Limit,
            format!(
                "text file too large ({} bytes, limit {} for text documents)",
                bytes.len(),
                limits.max_text_bytes
            ),
        ));
    }
    let (doc, format) = read_document_within(bytes, Some(sha256), limits, deadline)?;
    if let Some(deadline) = deadline {
        check_deadline(deadline)?;
    }
    limits.check_document(&doc)?;
    let source = Source {
        path: name.to_string(),
        sha256: sha256.to_string(),
        format,
        pages: doc.page_count,
    };
    Ok(kehoach_extract::extract(&doc, source))
}

/// Reads `bytes` into the document model with the reader of their format.
pub fn read_document(bytes: &[u8], limits: &Limits) -> Result<(Document, Format), Failure> {
    read_document_within(bytes, None, limits, None)
}

/// [`read_document`], extending `deadline` by [`Limits::time_per_ocr_page`]
/// for every page that is read by OCR; `sha256` is that of `bytes` when the
/// caller has it (the OCR cache names results by it).
fn read_document_within(
    bytes: &[u8],
    sha256: Option<&str>,
    limits: &Limits,
    deadline: Option<&Deadline>,
) -> Result<(Document, Format), Failure> {
    let give_time = |pages: usize| {
        if let Some(d) = deadline {
            d.extend(
                limits
                    .time_per_ocr_page
                    .saturating_mul(u32::try_from(pages).unwrap_or(u32::MAX)),
            );
        }
    };
    let reader = |e: &(dyn std::error::Error + 'static)| Failure::reader(e);
    Ok(match detect(bytes) {
        Detected::Text => (
            kehoach_read_text::read(bytes).map_err(|e| reader(&e))?,
            Format::Text,
        ),
        Detected::Pdf => {
            let doc = kehoach_read_pdf::read_with(bytes, &limits.pdf()).map_err(|e| reader(&e))?;
            // Scanned pages (no text layer, a page image) and pages whose text
            // layer does not read as Vietnamese: OCR.
            let garbled = kehoach_read_pdf::garbled_pages(&doc);
            // The pages OCR reads, found once: they size the time budget and
            // decide whether a kept OCR result is looked up.
            let Some(pages) = kehoach_read_ocr::ocr_pages(bytes, &garbled) else {
                return Ok((doc, Format::Pdf));
            };
            if pages.count() == 0 {
                return Ok((doc, Format::Pdf));
            }
            let ocr = crate::ocr_cache::through(
                limits.ocr_cache.as_deref(),
                || sha_of(bytes, sha256),
                || {
                    give_time(pages.count());
                    kehoach_read_ocr::complete_pdf_pages(bytes, &doc, &pages)
                        .map_err(|e| reader(&e))
                },
            )?;
            match ocr {
                Some(ocr) if ocr.format == SourceFormat::Ocr => (ocr, Format::Ocr),
                Some(ocr) => (ocr, Format::Pdf),
                None => (doc, Format::Pdf),
            }
        }
        Detected::Zip => match kehoach_read_docx::read(bytes) {
            Ok(doc) => (doc, Format::Docx),
            Err(kehoach_read_docx::ReadError::NotDocx) => return Err(Failure::new(
                FailureKind::Reader,
                "zip archive is not a DOCX document (no word/document.xml); `kehoach import` reads zip archives of plans",
            )),
            Err(e) => return Err(reader(&e)),
        },
        Detected::Image => {
            let ocr = crate::ocr_cache::through(
                limits.ocr_cache.as_deref(),
                || sha_of(bytes, sha256),
                || {
                    give_time(1);
                    kehoach_read_ocr::read_image(bytes)
                        .map(Some)
                        .map_err(|e| reader(&e))
                },
            )?;
            // An image always reads into a document (possibly empty).
            (
                ocr.unwrap_or_else(|| Document::new(SourceFormat::Ocr)),
                Format::Ocr,
            )
        }
        Detected::Doc => (
            kehoach_read_docx::read_doc(bytes).map_err(|e| reader(&e))?,
            Format::Docx,
        ),
    })
}

/// `sha256` when given, else the SHA-256 of `bytes`.
fn sha_of(bytes: &[u8], sha256: Option<&str>) -> String {
    sha256.map_or_else(|| sha256_hex(bytes), str::to_string)
}

/// Reads the file at `path` (under the default [`Limits`], not isolated) into a plan.
pub fn plan_from_path(path: &Path) -> Result<Plan, Failure> {
    let bytes = crate::read_file(path, &Limits::default())?;
    plan_from_bytes(&path.display().to_string(), &bytes)
}

/// A `kehoach/plan@1` JSON record (as `kehoach extract --json` writes it),
/// when `bytes` hold one: such records are imported as they are.
pub fn plan_json(bytes: &[u8]) -> Option<Result<Plan, Failure>> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = text.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' {
        return None;
    }
    let head = &text[..text.len().min(4096)];
    if !head
        .windows(kehoach_plan::SCHEMA.len())
        .any(|w| w == kehoach_plan::SCHEMA.as_bytes())
    {
        return None;
    }
    let bad = |reason: String| Failure::new(FailureKind::Reader, reason);
    Some(
        serde_json::from_slice::<Plan>(text)
            .map_err(|e| bad(format!("not a valid {} record: {e}", kehoach_plan::SCHEMA)))
            .and_then(|p| {
                if p.schema == kehoach_plan::SCHEMA {
                    Ok(p)
                } else {
                    Err(bad(format!("unsupported schema {:?}", p.schema)))
                }
            }),
    )
}

/// Refuses a document in which nothing of a plan was found (no number,
/// title, issuer or task): a batch import keeps such files out of the index.
pub fn is_a_plan(plan: Plan) -> Result<Plan, Failure> {
    let m = &plan.meta;
    if plan.tasks.is_empty() && m.number.is_none() && m.title.is_none() && m.issuer.is_none() {
        return Err(Failure::new(
            FailureKind::NotAPlan,
            "not a plan: no number, title, issuer or task table found",
        ));
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_without_word_document_is_not_docx() {
        // An empty zip archive: only the end-of-central-directory record.
        let mut empty = b"PK\x05\x06".to_vec();
        empty.extend([0u8; 18]);
        let err = plan_from_bytes("plans.zip", &empty)
            .expect_err("not a DOCX")
            .reason;
        assert!(err.contains("not a DOCX document"), "{err}");
        let err = plan_from_bytes("x.docx", b"PK\x03\x04garbage")
            .expect_err("damaged")
            .reason;
        assert!(err.contains("not a DOCX file"), "{err}");
    }
}
