//! Helpers: DOCX packages built in memory.

#![allow(dead_code)]

use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

/// A zip with the given entries (deflated).
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(
            *name,
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated),
        )
        .expect("start entry");
        w.write_all(data).expect("write entry");
    }
    w.finish().expect("finish zip").into_inner()
}

pub const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;

/// A DOCX whose body is `body` (WordprocessingML, `w:` prefix), with optional styles.
pub fn docx(body: &str, styles: Option<&str>) -> Vec<u8> {
    docx_with(body, styles, None)
}

/// [`docx`] with optional list definitions (the content of `w:numbering`).
pub fn docx_with(body: &str, styles: Option<&str>, numbering: Option<&str>) -> Vec<u8> {
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}</w:body></w:document>"#
    );
    let mut entries: Vec<(&str, Vec<u8>)> = vec![
        ("[Content_Types].xml", b"<Types/>".to_vec()),
        ("word/document.xml", doc.into_bytes()),
    ];
    if let Some(s) = styles {
        entries.push((
            "word/styles.xml",
            format!(r#"<?xml version="1.0"?><w:styles {W}>{s}</w:styles>"#).into_bytes(),
        ));
    }
    if let Some(n) = numbering {
        entries.push((
            "word/numbering.xml",
            format!(r#"<?xml version="1.0"?><w:numbering {W}>{n}</w:numbering>"#).into_bytes(),
        ));
    }
    let refs: Vec<(&str, &[u8])> = entries.iter().map(|(n, d)| (*n, d.as_slice())).collect();
    zip_of(&refs)
}

/// A paragraph of one run.
pub fn p(text: &str) -> String {
    format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
}

/// A table cell holding `inner` (paragraphs), with `tcpr` properties.
pub fn tc(tcpr: &str, inner: &str) -> String {
    format!("<w:tc><w:tcPr>{tcpr}</w:tcPr>{inner}</w:tc>")
}
