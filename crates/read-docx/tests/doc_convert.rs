//! A Word 97 file converted through LibreOffice gives the same records as
//! the DOCX. Skipped (with a note) where LibreOffice is not installed.

use kehoach_plan::{Format, Source};
use std::path::Path;
use std::process::Command;

#[test]
fn word97_file_reads_like_docx() {
    if Command::new("soffice").arg("--version").output().is_err() {
        eprintln!("note: soffice not installed; Word 97 conversion not exercised");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().expect("tempdir");
    let docx = root.join("fixtures/docx/001_0d47e3459e23ee36.docx");
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.path().join("profile").display()
    );
    let status = Command::new("soffice")
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "doc:MS Word 97",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(&docx)
        .output()
        .expect("soffice runs");
    assert!(status.status.success());
    let doc_bytes =
        std::fs::read(dir.path().join("001_0d47e3459e23ee36.doc")).expect("a .doc was written");
    assert!(doc_bytes.starts_with(b"\xD0\xCF\x11\xE0"));
    let src = || Source {
        path: "x".into(),
        sha256: String::new(),
        format: Format::Docx,
        pages: None,
    };
    let from_doc = kehoach_extract::extract(
        &kehoach_read_docx::read_doc(&doc_bytes).expect("converted"),
        src(),
    );
    let from_docx = kehoach_extract::extract(
        &kehoach_read_docx::read(&std::fs::read(&docx).expect("fixture")).expect("reads"),
        src(),
    );
    assert_eq!(from_doc.tasks.len(), from_docx.tasks.len());
    for (a, b) in from_doc.tasks.iter().zip(&from_docx.tasks) {
        assert_eq!(
            (&a.number, &a.content, &a.lead, &a.deadline),
            (&b.number, &b.content, &b.lead, &b.deadline)
        );
    }
}
