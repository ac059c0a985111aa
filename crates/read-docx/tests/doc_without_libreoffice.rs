//! A Word 97 file without LibreOffice: a clear error saying how to install it.

use kehoach_read_docx::{read_doc, ReadError};

#[test]
fn missing_soffice_is_a_clear_error() {
    // The only test of this binary: setting the variable races with nothing.
    std::env::set_var("KEHOACH_SOFFICE", "/nonexistent/soffice");
    let err =
        read_doc(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 not really a doc").expect_err("no converter");
    assert_eq!(err, ReadError::NoLibreOffice);
    let msg = err.to_string();
    assert!(
        msg.contains("LibreOffice") && msg.contains("install"),
        "{msg}"
    );
}
