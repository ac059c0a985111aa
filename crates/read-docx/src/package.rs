//! The zip container: checked before any part is parsed.

use crate::{Limits, ReadError};
use std::io::{Cursor, Read};

/// The parts of a DOCX package the reader uses.
pub(crate) struct Parts {
    /// `word/document.xml`.
    pub document: String,
    /// `word/styles.xml`, when present.
    pub styles: Option<String>,
    /// `word/numbering.xml`, when present.
    pub numbering: Option<String>,
}

/// Whether `bytes` are a zip archive holding `word/document.xml`.
pub fn is_docx(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes)).is_ok_and(|z| z.index_for_name(DOCUMENT).is_some())
}

const DOCUMENT: &str = "word/document.xml";
const STYLES: &str = "word/styles.xml";
const NUMBERING: &str = "word/numbering.xml";

/// Opens the archive, checks its declared sizes against `limits`, and reads
/// the document, styles and numbering parts (never more bytes than allowed, whatever the
/// headers declare).
pub(crate) fn open(bytes: &[u8], limits: &Limits) -> Result<Parts, ReadError> {
    if !(bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")) {
        return Err(ReadError::NotZip(
            "the file does not start with a zip signature".into(),
        ));
    }
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::NotZip(e.to_string()))?;
    if zip.len() > limits.max_entries {
        return Err(ReadError::TooLarge(format!(
            "{} zip entries (at most {})",
            zip.len(),
            limits.max_entries
        )));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let f = zip
            .by_index_raw(i)
            .map_err(|e| ReadError::NotZip(format!("entry {i}: {e}")))?;
        total = total.saturating_add(f.size());
        let (size, packed) = (f.size(), f.compressed_size().max(1));
        if size > limits.ratio_floor && size / packed > limits.max_ratio {
            let name = f.name().map(|n| n.into_owned()).unwrap_or_default();
            return Err(ReadError::TooLarge(format!(
                "zip entry {name} expands {}-fold ({size} bytes from {packed}): refused as a zip bomb",
                size / packed
            )));
        }
    }
    if total > limits.max_total_uncompressed {
        return Err(ReadError::TooLarge(format!(
            "the archive declares {total} uncompressed bytes (at most {})",
            limits.max_total_uncompressed
        )));
    }
    if zip.index_for_name(DOCUMENT).is_none() {
        return Err(ReadError::NotDocx);
    }
    let document = read_part(&mut zip, DOCUMENT, limits)?;
    let styles = match zip.index_for_name(STYLES) {
        Some(_) => Some(read_part(&mut zip, STYLES, limits)?),
        None => None,
    };
    // Numbering only adds list numbers: a damaged part is not fatal.
    let numbering = match zip.index_for_name(NUMBERING) {
        Some(_) => read_part(&mut zip, NUMBERING, limits).ok(),
        None => None,
    };
    Ok(Parts {
        document,
        styles,
        numbering,
    })
}

fn read_part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limits: &Limits,
) -> Result<String, ReadError> {
    let f = zip
        .by_name(name)
        .map_err(|e| ReadError::BadPart(name.to_string(), e.to_string()))?;
    if f.size() > limits.max_part {
        return Err(ReadError::TooLarge(format!(
            "{name} is {} bytes (at most {})",
            f.size(),
            limits.max_part
        )));
    }
    let mut buf = Vec::with_capacity(f.size().min(limits.max_part) as usize);
    // Never trust the declared size: read at most one byte past the limit.
    f.take(limits.max_part + 1)
        .read_to_end(&mut buf)
        .map_err(|e| ReadError::BadPart(name.to_string(), e.to_string()))?;
    if buf.len() as u64 > limits.max_part {
        return Err(ReadError::TooLarge(format!(
            "{name} expands past {} bytes",
            limits.max_part
        )));
    }
    let text = match String::from_utf8(buf) {
        Ok(s) => s,
        Err(e) => utf16_part(e.as_bytes()).ok_or_else(|| {
            ReadError::BadPart(name.to_string(), "not UTF-8 or UTF-16 XML".into())
        })?,
    };
    check_no_dtd(name, &text)?;
    Ok(text)
}

/// XML parts saved as UTF-16 (allowed by the standard, rare in practice).
fn utf16_part(bytes: &[u8]) -> Option<String> {
    let (rest, le) = if let Some(r) = bytes.strip_prefix(b"\xFF\xFE") {
        (r, true)
    } else if let Some(r) = bytes.strip_prefix(b"\xFE\xFF") {
        (r, false)
    } else {
        return None;
    };
    let units: Vec<u16> = rest
        .chunks_exact(2)
        .map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        })
        .collect();
    String::from_utf16(&units)
        .ok()
        .map(|s| s.replacen("encoding=\"UTF-16\"", "encoding=\"UTF-8\"", 1))
}

/// Refuses document type declarations: OOXML parts never have one, and
/// entity definitions are how XML bombs expand.
fn check_no_dtd(name: &str, text: &str) -> Result<(), ReadError> {
    let head = &text.as_bytes()[..text.len().min(64 * 1024)];
    let has = |pat: &[u8]| head.windows(pat.len()).any(|w| w.eq_ignore_ascii_case(pat));
    if has(b"<!DOCTYPE")
        || has(b"<!ENTITY")
        || text.contains("<!ENTITY")
        || text.contains("<!DOCTYPE")
    {
        return Err(ReadError::Dtd(name.to_string()));
    }
    Ok(())
}
