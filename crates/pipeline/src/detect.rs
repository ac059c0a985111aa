//! The input format, from content (not the file name), and content hashes.

use sha2::{Digest, Sha256};
use std::io::{ErrorKind, Read};
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
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex SHA-256 of a file's bytes, read in pieces: a file of any
/// size in constant memory. The same value as [`sha256_hex`] of its bytes.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(digest.len() * 2);
    for &b in digest {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
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

    #[test]
    fn file_hash_is_the_hash_of_its_bytes_in_any_number_of_pieces() {
        let dir = std::env::temp_dir().join(format!("kehoach-sha-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for len in [0usize, 3, (1 << 16) - 1, 1 << 16, (1 << 16) * 3 + 17] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let path = dir.join(format!("f{len}"));
            std::fs::write(&path, &bytes).unwrap();
            assert_eq!(
                sha256_file(&path).unwrap(),
                sha256_hex(&bytes),
                "{len} bytes"
            );
        }
        let missing = sha256_file(&dir.join("missing"));
        assert_eq!(missing.unwrap_err().kind(), ErrorKind::NotFound);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
