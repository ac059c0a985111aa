//! From input bytes to a plan: format detection, the reader, the extractor.

use crate::guard::{check_deadline, Limits};
use kehoach_doc::{Document, SourceFormat};
use kehoach_plan::{Format, Plan, Source};
use sha2::{Digest, Sha256};
use std::path::Path;

/// The input formats kehoach recognises from content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    /// Text, markdown or HTML.
    Text,
    /// PDF.
    Pdf,
    /// A zip container (DOCX or an archive of plans).
    Zip,
    /// An image (scan).
    Image,
    /// Old Word binary format.
    Doc,
}

/// Detects the format from the first bytes, not the file name.
pub fn detect(bytes: &[u8]) -> Detected {
    let head = &bytes[..bytes.len().min(8)];
    if bytes.starts_with(b"%PDF")
        || bytes[..bytes.len().min(1024)]
            .windows(5)
            .any(|w| w == b"%PDF-")
    {
        Detected::Pdf
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Detected::Zip
    } else if head.starts_with(b"\x89PNG")
        || head.starts_with(b"\xFF\xD8\xFF")
        || head.starts_with(b"II*\0")
        || head.starts_with(b"MM\0*")
    {
        Detected::Image
    } else if head.starts_with(b"\xD0\xCF\x11\xE0") {
        Detected::Doc
    } else {
        Detected::Text
    }
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Reads `bytes` (named `name` for messages and provenance) into a plan.
pub fn plan_from_bytes(name: &str, bytes: &[u8]) -> anyhow::Result<Plan> {
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
    deadline: Option<std::time::Instant>,
) -> anyhow::Result<Plan> {
    if detect(bytes) == Detected::Text && bytes.len() as u64 > limits.max_text_bytes {
        anyhow::bail!(
            "text file too large ({} bytes, limit {} for text documents)",
            bytes.len(),
            limits.max_text_bytes
        );
    }
    let (doc, format) = read_document(bytes, limits)?;
    if let Some(deadline) = deadline {
        check_deadline(deadline, limits).map_err(anyhow::Error::msg)?;
    }
    limits.check_document(&doc).map_err(anyhow::Error::msg)?;
    let source = Source {
        path: name.to_string(),
        sha256: sha256.to_string(),
        format,
        pages: doc.page_count,
    };
    Ok(kehoach_extract::extract(&doc, source))
}

/// Reads `bytes` into the document model with the reader of their format.
pub fn read_document(bytes: &[u8], limits: &Limits) -> anyhow::Result<(Document, Format)> {
    Ok(match detect(bytes) {
        Detected::Text => (kehoach_read_text::read(bytes)?, Format::Text),
        Detected::Pdf => {
            let doc = kehoach_read_pdf::read_with(bytes, &limits.pdf())?;
            // Scanned pages (no text layer, a page image) and pages whose text
            // layer does not read as Vietnamese: OCR.
            let garbled = kehoach_read_pdf::garbled_pages(&doc);
            match kehoach_read_ocr::complete_pdf_with(bytes, &doc, &garbled)? {
                Some(ocr) => {
                    let format = if ocr.format == SourceFormat::Ocr { Format::Ocr } else { Format::Pdf };
                    (ocr, format)
                }
                None => (doc, Format::Pdf),
            }
        }
        Detected::Zip => match kehoach_read_docx::read(bytes) {
            Ok(doc) => (doc, Format::Docx),
            Err(kehoach_read_docx::ReadError::NotDocx) => anyhow::bail!(
                "zip archive is not a DOCX document (no word/document.xml); `kehoach import` reads zip archives of plans"
            ),
            Err(e) => return Err(e.into()),
        },
        Detected::Image => (kehoach_read_ocr::read_image(bytes)?, Format::Ocr),
        Detected::Doc => (kehoach_read_docx::read_doc(bytes)?, Format::Docx),
    })
}

/// Reads the file at `path` into a plan.
pub fn plan_from_path(path: &Path) -> anyhow::Result<Plan> {
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read: {e}"))?;
    plan_from_bytes(&path.display().to_string(), &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        assert_eq!(detect(b"%PDF-1.7\n"), Detected::Pdf);
        assert_eq!(detect(b"PK\x03\x04rest"), Detected::Zip);
        assert_eq!(detect(b"\x89PNG\r\n"), Detected::Image);
        assert_eq!(detect("Số: 1/KH-UBND".as_bytes()), Detected::Text);
        assert_eq!(detect(b""), Detected::Text);
    }

    #[test]
    fn zip_without_word_document_is_not_docx() {
        // An empty zip archive: only the end-of-central-directory record.
        let mut empty = b"PK\x05\x06".to_vec();
        empty.extend([0u8; 18]);
        let err = plan_from_bytes("plans.zip", &empty)
            .expect_err("not a DOCX")
            .to_string();
        assert!(err.contains("not a DOCX document"), "{err}");
        let err = plan_from_bytes("x.docx", b"PK\x03\x04garbage")
            .expect_err("damaged")
            .to_string();
        assert!(err.contains("not a DOCX file"), "{err}");
    }
}
