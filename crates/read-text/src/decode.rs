//! Bytes → text: BOMs, UTF-16, binary detection, legacy 8-bit Vietnamese
//! encodings (TCVN3, VNI, VISCII, Windows-1258), damaged UTF-8.

use crate::{warning, ReadError};
use kehoach_doc::ReaderWarning;

/// Share of invalid UTF-8 bytes up to which a file is still read (lossily).
const MAX_INVALID_SHARE: f64 = 0.002;

/// Decodes a text file. Returns the text and, when bytes had to be replaced
/// or the text was converted from a legacy encoding, a warning saying so.
///
/// Bytes that are not UTF-8 are tried as each legacy Vietnamese encoding; the
/// decoding with the highest share of valid Vietnamese syllables is kept when
/// it clearly reads as Vietnamese (warning `legacy_encoding`).
pub fn decode(bytes: &[u8]) -> Result<(String, Option<ReaderWarning>), ReadError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReadError::Empty);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes).map(|s| (s, None));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes).map(|s| (s, None));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    check_not_binary(bytes)?;
    // Fast (SIMD) validation first; the standard library's error carries the details.
    if let Ok(s) = simdutf8::basic::from_utf8(bytes) {
        return Ok((s.to_string(), None));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_string(), None)),
        Err(e) => {
            if let Some((enc, text)) = kehoach_text::legacy::detect_legacy_bytes(bytes) {
                let msg = format!(
                    "text converted from the legacy {} encoding to Unicode",
                    enc.name()
                );
                return Ok((text, Some(warning("legacy_encoding", msg))));
            }
            let invalid = count_invalid(bytes);
            let share = invalid as f64 / bytes.len().max(1) as f64;
            if share <= MAX_INVALID_SHARE {
                let text = String::from_utf8_lossy(bytes).into_owned();
                let msg = format!(
                    "{invalid} invalid UTF-8 byte(s) replaced (first at byte {})",
                    e.valid_up_to()
                );
                Ok((text, Some(warning("invalid_utf8", msg))))
            } else {
                Err(ReadError::Encoding(format!(
                    "{invalid} invalid byte sequence(s), the first at byte {}; the file may use a legacy 8-bit encoding",
                    e.valid_up_to()
                )))
            }
        }
    }
}

fn utf16(bytes: &[u8], conv: fn([u8; 2]) -> u16) -> Result<String, ReadError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(ReadError::Encoding(
            "UTF-16 text with an odd number of bytes".into(),
        ));
    }
    let units: Vec<u16> = bytes.chunks_exact(2).map(|c| conv([c[0], c[1]])).collect();
    String::from_utf16(&units)
        .map_err(|_| ReadError::Encoding("invalid UTF-16 surrogate pairs".into()))
}

/// Rejects data that is clearly not text: NUL bytes, or many control bytes.
fn check_not_binary(bytes: &[u8]) -> Result<(), ReadError> {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    // One branch-free pass (vectorised) counting NUL and control bytes; the
    // position of a NUL is looked up only when there is one.
    let (mut nul, mut control) = (0usize, 0usize);
    // Byte counters cannot overflow over 255 bytes.
    for chunk in sample.chunks(255) {
        let (mut n, mut c) = (0u8, 0u8);
        for &b in chunk {
            let is_control = (b < 0x20) & (b != b'\n') & (b != b'\r') & (b != b'\t') & (b != 0x0c);
            n += u8::from(b == 0);
            c += u8::from(is_control);
        }
        nul += usize::from(n);
        control += usize::from(c);
    }
    if nul > 0 {
        let pos = sample.iter().position(|&b| b == 0).unwrap_or(0);
        return Err(ReadError::Binary(format!("NUL byte at offset {pos}")));
    }
    if control * 100 > sample.len() {
        return Err(ReadError::Binary(format!(
            "{control} control bytes in the first {} bytes",
            sample.len()
        )));
    }
    Ok(())
}

fn count_invalid(mut bytes: &[u8]) -> usize {
    let mut n = 0;
    loop {
        match std::str::from_utf8(bytes) {
            Ok(_) => return n,
            Err(e) => {
                n += 1;
                let skip = e.valid_up_to()
                    + e.error_len()
                        .unwrap_or(bytes.len() - e.valid_up_to())
                        .max(1);
                if skip >= bytes.len() {
                    return n;
                }
                bytes = &bytes[skip..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_binary() {
        assert_eq!(decode(b"  \n\t"), Err(ReadError::Empty));
        assert!(matches!(decode(b"abc\0def"), Err(ReadError::Binary(_))));
        assert!(matches!(
            decode(&[1u8, 2, 3, 4, 5, 6, 7, 8, 65]),
            Err(ReadError::Binary(_))
        ));
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "Kế hoạch".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        assert_eq!(decode(&bytes).map(|(s, _)| s), Ok("Kế hoạch".to_string()));
    }

    #[test]
    fn damaged_utf8() {
        let mut bytes = "Kế hoạch ".repeat(200).into_bytes();
        bytes.push(0xFF);
        let (text, w) = decode(&bytes).expect("mostly valid text is read");
        assert!(text.ends_with('\u{FFFD}'));
        assert!(w.is_some());
        assert!(matches!(
            decode(b"\xE1\xBA\xFF\xFE \x81\x82\x83 x\x9F"),
            Err(ReadError::Encoding(_))
        ));
    }

    #[test]
    fn legacy_encodings() {
        let (text, w) =
            decode(b"K\xD5 ho\xB9ch th\xF9c hi\xD6n n\xA8m 2024").expect("TCVN3 is read");
        assert_eq!(text, "Kế hoạch thực hiện năm 2024");
        assert_eq!(w.map(|w| w.code), Some("legacy_encoding".to_string()));
        let (text, _) =
            decode(b"Ke\xE1 hoa\xEFch th\xF6\xEFc hie\xE4n na\xEAm 2024").expect("VNI is read");
        assert_eq!(text, "Kế hoạch thực hiện năm 2024");
    }
}
