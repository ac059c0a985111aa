//! From input bytes to a plan: format detection, the reader, the extractor.

use kehoach_doc::Document;
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
    let (doc, format): (Document, Format) = match detect(bytes) {
        Detected::Text => (kehoach_read_text::read(bytes)?, Format::Text),
        Detected::Pdf => anyhow::bail!("PDF input is not supported by this build"),
        Detected::Zip => anyhow::bail!("DOCX/zip input is not supported by this build"),
        Detected::Image => anyhow::bail!("image (scanned) input is not supported by this build"),
        Detected::Doc => anyhow::bail!("Word 97 (.doc) input is not supported by this build"),
    };
    let source = Source {
        path: name.to_string(),
        sha256: sha256_hex(bytes),
        format,
        pages: doc.page_count,
    };
    Ok(kehoach_extract::extract(&doc, source))
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
}
