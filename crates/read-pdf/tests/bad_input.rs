//! Bad input gives a clear error or a warning, in bounded time, never a panic.

use kehoach_read_pdf::{read, read_with, Limits, ReadError};
use lopdf::{dictionary, Document, Object, Stream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(root().join("fixtures/pdf").join(rel)).expect("fixture readable")
}

/// A PDF whose pages carry the given content streams, with a WinAnsi Helvetica
/// as `/F1` and, when `cid` is set, a Type0 Identity-H font without ToUnicode as `/F2`.
fn make_pdf(pages: &[Vec<u8>], cid: bool) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let f1 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let mut fonts = dictionary! { "F1" => f1 };
    if cid {
        let desc = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "NoMap",
            "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"), "Ordering" => Object::string_literal("Identity"), "Supplement" => 0 },
            "DW" => 600,
        });
        let f2 = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "NoMap", "Encoding" => "Identity-H",
            "DescendantFonts" => vec![desc.into()],
        });
        fonts.set("F2", f2);
    }
    let image = doc.add_object(Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1, "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
        vec![0u8],
    ));
    let resources = doc
        .add_object(dictionary! { "Font" => fonts, "XObject" => dictionary! { "Im1" => image } });
    let mut kids: Vec<Object> = Vec::new();
    for content in pages {
        let c = doc.add_object(Stream::new(dictionary! {}, content.clone()));
        let p =
            doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => c });
        kids.push(p.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut buf = Vec::new();
    doc.save_to(&mut buf).expect("saves");
    buf
}

/// A page with a title line and a small ruled table, like an appendix page.
fn table_page(n: usize) -> Vec<u8> {
    let mut s = format!("BT /F1 12 Tf 72 800 Td (Page {n} text line) Tj ET\n");
    s.push_str("0.5 w\n");
    for k in 0..5 {
        let y = 760 - 20 * k;
        s.push_str(&format!("72 {y} m 520 {y} l S\n"));
    }
    for x in [72, 120, 400, 520] {
        s.push_str(&format!("{x} 760 m {x} 680 l S\n"));
    }
    for r in 0..4 {
        let y = 745 - 20 * r;
        s.push_str(&format!(
            "BT /F1 10 Tf 76 {y} Td ({}) Tj 124 0 Td (Task {n}.{r}) Tj 280 0 Td (Unit) Tj ET\n",
            r + 1
        ));
    }
    s.push_str(&format!("BT /F1 9 Tf 290 30 Td ({n}) Tj ET\n"));
    s.into_bytes()
}

fn text_of(doc: &kehoach_doc::Document) -> String {
    let mut out = String::new();
    for b in doc.blocks() {
        match b {
            kehoach_doc::Block::Paragraph(p) => out.push_str(&p.text),
            kehoach_doc::Block::Table(t) => {
                for r in &t.rows {
                    for c in &r.cells {
                        out.push_str(&c.text);
                        out.push(' ');
                    }
                }
            }
        }
        out.push('\n');
    }
    out
}

#[test]
fn truncated_files_error_or_read_partially() {
    let bytes = fixture("lo/001_0d47e3459e23ee36.pdf");
    for cut in [
        10,
        100,
        1000,
        bytes.len() / 10,
        bytes.len() / 2,
        bytes.len() - 20,
    ] {
        // Either outcome is fine; a panic or a hang is not.
        let _ = read(&bytes[..cut]);
    }
    assert!(read(&bytes[..10]).is_err());
}

#[test]
fn garbage_and_not_pdf() {
    assert_eq!(read(b""), Err(ReadError::Empty));
    assert_eq!(read(b"PK\x03\x04 not a pdf"), Err(ReadError::NotPdf));
    let mut junk = b"%PDF-1.7\n".to_vec();
    let mut x: u32 = 12345;
    for _ in 0..50_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        junk.push((x >> 16) as u8);
    }
    assert!(read(&junk).is_err());
}

#[test]
fn malformed_xref_is_repaired_or_reported() {
    let mut bytes = fixture("lo/001_0d47e3459e23ee36.pdf");
    let at = bytes
        .windows(9)
        .rposition(|w| w == b"startxref")
        .expect("has startxref");
    for b in bytes.iter_mut().skip(at + 10).take(4) {
        if b.is_ascii_digit() {
            *b = b'9';
        }
    }
    match read(&bytes) {
        Ok(doc) => assert!(text_of(&doc).contains("KẾ HOẠCH")),
        Err(e) => assert!(matches!(e, ReadError::Malformed(_)), "{e}"),
    }
}

#[test]
fn encrypted_with_empty_user_password_opens() {
    for name in [
        "bad/enc_empty_user_aes256.pdf",
        "bad/enc_empty_user_rc4.pdf",
    ] {
        let doc = read(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(text_of(&doc).contains("KẾ HOẠCH"), "{name}");
    }
}

#[test]
fn encrypted_with_a_password_is_a_clear_error() {
    let err = read(&fixture("bad/enc_user_password.pdf")).expect_err("needs a password");
    assert_eq!(err, ReadError::Encrypted);
    assert!(err.to_string().contains("encrypted"));
}

#[test]
fn garbage_in_a_content_stream_keeps_what_came_before() {
    let content =
        b"BT /F1 12 Tf 72 700 Td (Before the garbage) Tj ET\n] ] >> << /x (unclosed \x00\xff BT Tj Tj 1 2 3 4 5 6 7 cm"
            .to_vec();
    let doc = read(&make_pdf(&[content], false)).expect("reads");
    assert!(text_of(&doc).contains("Before the garbage"));
}

#[test]
fn a_font_without_tounicode_is_a_warning() {
    let content =
        b"BT /F2 12 Tf 72 700 Td <00410042> Tj ET\nBT /F1 12 Tf 72 680 Td (Readable) Tj ET"
            .to_vec();
    let doc = read(&make_pdf(&[content], true)).expect("reads");
    assert!(text_of(&doc).contains("Readable"));
    assert!(
        doc.warnings.iter().any(|w| w.message.contains("ToUnicode")),
        "{:?}",
        doc.warnings
    );
}

#[test]
fn pages_without_text_are_named_in_a_warning() {
    let text = b"BT /F1 12 Tf 72 700 Td (Some text) Tj ET".to_vec();
    let image = b"q 500 0 0 700 50 50 cm /Im1 Do Q".to_vec();
    let doc = read(&make_pdf(&[text, image.clone(), image], false)).expect("reads");
    let w = doc
        .warnings
        .iter()
        .find(|w| w.code == "no_text_layer")
        .expect("warning");
    assert!(w.message.contains("2, 3"), "{}", w.message);
    assert_eq!(doc.page_count, Some(3));
}

#[test]
fn a_thousand_pages_in_bounded_time() {
    let pages: Vec<Vec<u8>> = (1..=1000).map(table_page).collect();
    let bytes = make_pdf(&pages, false);
    let t = Instant::now();
    let doc = read(&bytes).expect("reads");
    let took = t.elapsed();
    assert_eq!(doc.pages.len(), 1000);
    assert!(took < Duration::from_secs(120), "took {took:?}");
    // Every page's table is found, with its rows and page numbers.
    let tables = doc
        .blocks()
        .filter(|b| matches!(b, kehoach_doc::Block::Table(_)))
        .count();
    assert_eq!(tables, 1000);
    // The page number at the foot of each page is furniture, not content.
    assert!(!text_of(&doc).lines().any(|l| l.trim() == "500"));

    let limited = Limits {
        max_pages: 100,
        ..Limits::default()
    };
    assert!(matches!(
        read_with(&bytes, &limited),
        Err(ReadError::TooLarge(_))
    ));
}

#[test]
fn operator_limit_is_enforced() {
    let mut content = b"BT /F1 12 Tf 72 720 Td (early) Tj ET ".to_vec();
    for _ in 0..5000 {
        content.extend_from_slice(b"q Q ");
    }
    content.extend_from_slice(b"BT /F1 12 Tf 72 700 Td (late) Tj ET");
    let limits = Limits {
        max_ops_per_page: 1000,
        ..Limits::default()
    };
    let doc = read_with(&make_pdf(&[content], false), &limits).expect("reads");
    assert!(doc.warnings.iter().any(|w| w.message.contains("operators")));
    assert!(text_of(&doc).contains("early") && !text_of(&doc).contains("late"));
}

#[test]
fn no_text_and_no_images_is_an_error() {
    let empty = make_pdf(&[b"0 0 m 10 10 l S".to_vec(), Vec::new()], false);
    assert_eq!(read(&empty), Err(ReadError::NoText));
}

#[test]
fn deeply_nested_operands_do_not_overflow() {
    let mut content = b"BT /F1 12 Tf 72 700 Td (ok) Tj ET ".to_vec();
    content.extend(std::iter::repeat_n(b'[', 100_000));
    content.extend(std::iter::repeat_n(b'<', 50_000));
    let _ = read(&make_pdf(&[content], false)).expect("reads");
}

#[test]
fn a_dense_drawing_is_not_a_table_and_stays_fast() {
    let mut content = String::from("BT /F1 12 Tf 72 800 Td (Drawing) Tj ET\n0.1 w\n");
    for k in 0..3000 {
        let v = 10.0 + k as f32 * 0.25;
        content.push_str(&format!("10 {v} m 580 {v} l S {v} 10 m {v} 830 l S\n"));
    }
    let t = Instant::now();
    let doc = read(&make_pdf(&[content.into_bytes()], false)).expect("reads");
    assert!(t.elapsed() < Duration::from_secs(20));
    assert!(text_of(&doc).contains("Drawing"));
}
