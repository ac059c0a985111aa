//! Bad input gives a clear per-file error, never a panic, in bounded time.

mod common;

use common::{docx, zip_of, W};
use kehoach_read_docx::{read, read_with, Limits, ReadError};
use std::time::Instant;

#[test]
fn not_a_zip() {
    assert!(matches!(
        read(b"plain text, not a zip"),
        Err(ReadError::NotZip(_))
    ));
    assert!(matches!(
        read(b"PK\x03\x04 truncated garbage"),
        Err(ReadError::NotZip(_))
    ));
    assert!(matches!(read(b""), Err(ReadError::NotZip(_))));
}

#[test]
fn zip_without_document_xml() {
    let z = zip_of(&[("plans/a.txt", b"hello".as_slice())]);
    let err = read(&z).expect_err("not a DOCX");
    assert_eq!(err, ReadError::NotDocx);
    assert!(err.to_string().contains("word/document.xml"));
}

#[test]
fn entity_bomb_is_refused() {
    let bomb = format!(
        r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><w:document {W}><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>"#
    );
    let z = zip_of(&[("word/document.xml", bomb.as_bytes())]);
    assert!(matches!(read(&z), Err(ReadError::Dtd(_))));
}

#[test]
fn undefined_entity_is_an_error() {
    let z = docx("<w:p><w:r><w:t>a &foo; b</w:t></w:r></w:p>", None);
    assert!(matches!(read(&z), Err(ReadError::BadPart(..))));
}

#[test]
fn deep_nesting_is_refused() {
    let depth = 20_000;
    let body = "<w:tbl><w:tr><w:tc>".repeat(depth) + &"</w:tc></w:tr></w:tbl>".repeat(depth);
    let z = docx(&body, None);
    let t = Instant::now();
    assert!(matches!(read(&z), Err(ReadError::TooDeep(_))));
    assert!(t.elapsed().as_secs() < 10);
    // Nested tables within the element limit are still bounded by the table limit.
    let body = "<w:tbl><w:tr><w:tc>".repeat(40) + &"</w:tc></w:tr></w:tbl>".repeat(40);
    assert!(matches!(
        read(&docx(&body, None)),
        Err(ReadError::TooDeep(_))
    ));
}

#[test]
fn huge_declared_or_expanded_size_is_refused() {
    // 64 MiB of zeros deflate to a few KiB: the ratio check refuses it.
    let big = vec![b' '; 64 << 20];
    let z = zip_of(&[("word/document.xml", big.as_slice())]);
    let t = Instant::now();
    assert!(matches!(read(&z), Err(ReadError::TooLarge(_))));
    assert!(t.elapsed().as_secs() < 10);
    // A part larger than the part limit, whatever the ratio.
    let limits = Limits {
        max_part: 1024,
        ..Limits::default()
    };
    let body = "<w:p><w:r><w:t>x</w:t></w:r></w:p>".repeat(100);
    assert!(matches!(
        read_with(&docx(&body, None), &limits),
        Err(ReadError::TooLarge(_))
    ));
    // Too many elements.
    let limits = Limits {
        max_nodes: 50,
        ..Limits::default()
    };
    assert!(matches!(
        read_with(&docx(&body, None), &limits),
        Err(ReadError::TooLarge(_))
    ));
}

#[test]
fn malformed_xml_is_an_error() {
    for body in [
        "<w:p><w:r><w:t>open",
        "<w:p></w:r>",
        "<w:tbl><w:tr><w:tc></w:tbl>",
    ] {
        let r = read(&docx(body, None));
        assert!(matches!(r, Err(ReadError::BadPart(..))), "{body}: {r:?}");
    }
    let z = zip_of(&[("word/document.xml", b"\xFF\xFE\x00garbage".as_slice())]);
    assert!(read(&z).is_err());
    let z = zip_of(&[(
        "word/document.xml",
        b"<?xml version=\"1.0\"?><root/>".as_slice(),
    )]);
    assert!(matches!(read(&z), Err(ReadError::BadPart(..))));
}

#[test]
fn corrupted_fixture_bytes_never_panic() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/docx/000_9b75833fe1e96175.docx");
    let good = std::fs::read(path).expect("fixture");
    // Flip bytes all over the file and truncate it: every outcome is Ok or Err.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for round in 0..200 {
        let mut b = good.clone();
        for _ in 0..(1 + round % 8) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let i = (seed as usize) % b.len();
            b[i] = (seed >> 32) as u8;
        }
        if round % 5 == 0 {
            b.truncate((seed as usize) % b.len());
        }
        let _ = read(&b);
    }
}
