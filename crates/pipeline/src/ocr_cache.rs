//! OCR results kept on disk, so that reading a scan again (a new import of
//! the same archive, another extractor version, another machine sharing the
//! directory) costs no OCR.
//!
//! One JSON file of the document model per scanned input, named by the
//! SHA-256 of the input's bytes together with
//! [`kehoach_read_ocr::engine::reader_id`] (the reader's build and the
//! engine's version): a result made by another reader build or engine is
//! never used. Files are written whole (a temporary name, then a rename),
//! so that readers never see half a file; an unreadable file is read again
//! by OCR. A failure to write is not the document's failure: the result is
//! kept in memory and the import goes on.

use crate::detect::sha256_hex;
use kehoach_doc::Document;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The file that holds (or would hold) the OCR result of the input whose
/// bytes have SHA-256 `sha256`.
pub fn entry_path(dir: &Path, sha256: &str) -> PathBuf {
    static ID: OnceLock<String> = OnceLock::new();
    let id = ID.get_or_init(kehoach_read_ocr::engine::reader_id);
    let key = sha256_hex(format!("{id}\n{sha256}").as_bytes());
    dir.join(&key[..2]).join(format!("{key}.json"))
}

/// The OCR result kept for these bytes, if any (and readable).
pub fn get(dir: &Path, sha256: &str) -> Option<Document> {
    let bytes = std::fs::read(entry_path(dir, sha256)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Keeps `doc`, the OCR result of the bytes with SHA-256 `sha256`.
pub fn put(dir: &Path, sha256: &str, doc: &Document) -> std::io::Result<()> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let path = entry_path(dir, sha256);
    let parent = path.parent().unwrap_or(dir);
    std::fs::create_dir_all(parent)?;
    let json = serde_json::to_vec(doc).map_err(std::io::Error::other)?;
    let tmp = parent.join(format!(
        ".{}.{}.{}.tmp",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&tmp, json)?;
    std::fs::rename(&tmp, &path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// The OCR result of an input: the one kept in `dir` for its bytes (SHA-256
/// from `sha256`, worked out only with a cache) when there is one, else
/// what `read` gives, then kept for the next reading. `read` giving `None`
/// (nothing was read by OCR) keeps nothing. Without a directory, `read`.
pub(crate) fn through<E>(
    dir: Option<&Path>,
    sha256: impl FnOnce() -> String,
    read: impl FnOnce() -> Result<Option<Document>, E>,
) -> Result<Option<Document>, E> {
    let Some(dir) = dir else {
        return read();
    };
    let sha = sha256();
    if let Some(doc) = get(dir, &sha) {
        return Ok(Some(doc));
    }
    let doc = read()?;
    if let Some(doc) = &doc {
        // Not keeping it costs the next reading, not this one.
        let _ = put(dir, &sha, doc);
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kehoach_doc::{Block, Page, Paragraph, Pos, SourceFormat};

    fn doc(text: &str) -> Document {
        let mut d = Document::new(SourceFormat::Ocr);
        d.pages.push(Page {
            number: Some(1),
            blocks: vec![Block::Paragraph(Paragraph {
                text: text.into(),
                pos: Pos::line(1),
                bold: false,
            })],
        });
        d
    }

    #[test]
    fn kept_results_come_back_and_damaged_ones_do_not() {
        let dir = tempfile::tempdir().expect("temp dir");
        let sha = sha256_hex(b"scan bytes");
        assert!(get(dir.path(), &sha).is_none());
        put(dir.path(), &sha, &doc("Kế hoạch")).expect("written");
        assert_eq!(get(dir.path(), &sha), Some(doc("Kế hoạch")));
        // Other bytes have another entry.
        assert!(get(dir.path(), &sha256_hex(b"other bytes")).is_none());
        // A damaged file is not a result.
        std::fs::write(entry_path(dir.path(), &sha), b"{\"pages\": [").expect("write");
        assert!(get(dir.path(), &sha).is_none());
        // No temporary files are left.
        let names: Vec<String> =
            std::fs::read_dir(entry_path(dir.path(), &sha).parent().expect("dir"))
                .expect("list")
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn through_reads_once_and_keeps_only_results() {
        let dir = tempfile::tempdir().expect("temp dir");
        let sha = || sha256_hex(b"scan bytes");
        let reads = std::cell::Cell::new(0);
        let read = |text: Option<&str>| {
            reads.set(reads.get() + 1);
            Ok::<_, ()>(text.map(doc))
        };
        // Nothing read by OCR: nothing kept, read again next time.
        assert_eq!(through(Some(dir.path()), sha, || read(None)), Ok(None));
        assert_eq!(
            through(Some(dir.path()), sha, || read(Some("Kế hoạch"))),
            Ok(Some(doc("Kế hoạch")))
        );
        assert_eq!(reads.get(), 2);
        // Kept: not read again.
        assert_eq!(
            through(Some(dir.path()), sha, || read(Some("other"))),
            Ok(Some(doc("Kế hoạch")))
        );
        assert_eq!(reads.get(), 2);
        // Without a directory, always read, and no hash is worked out.
        let no_sha = || -> String { panic!("hashed without a cache") };
        assert_eq!(
            through(None, no_sha, || read(Some("x"))),
            Ok(Some(doc("x")))
        );
        assert_eq!(reads.get(), 3);
    }
}
