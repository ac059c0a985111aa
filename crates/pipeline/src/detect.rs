//! The input format, from content (not the file name), and content hashes.

use sha2::{Digest, Sha256};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        assert_eq!(detect(b"%PDF-1.7\n"), Detected::Pdf);
        assert_eq!(detect(b"PK\x03\x04rest"), Detected::Zip);
        assert_eq!(detect(b"\x89PNG\r\n"), Detected::Image);
        assert_eq!(detect(b"\xD0\xCF\x11\xE0rest"), Detected::Doc);
        assert_eq!(detect("Số: 1/KH-UBND".as_bytes()), Detected::Text);
        assert_eq!(detect(b""), Detected::Text);
    }

    #[test]
    fn sha256_is_lower_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
