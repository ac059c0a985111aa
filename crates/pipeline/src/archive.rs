//! Zip archives of plans: the documents inside, taken out in memory.
//!
//! An archive entry is named `ARCHIVE!/inner/path`. Entries are checked
//! against the [`Limits`] before they are expanded (declared size,
//! compression ratio, the archive's total), and never trusted: at most one
//! byte more than declared is read. Archives inside archives are opened up to
//! [`MAX_ZIP_DEPTH`] levels. Office documents (DOCX) are zip containers too;
//! they are documents, not archives ([`is_office_document`]).

use crate::detect::{detect, Detected};
use crate::{Failure, FailureKind, Limits};
use std::io::Read;

/// How deep archives inside archives are opened.
pub const MAX_ZIP_DEPTH: u32 = 2;

/// One document to read: a file's bytes, or an archive entry's.
#[derive(Debug)]
pub struct Entry {
    /// The name for messages and provenance (`a.zip!/b/c.docx` for an entry).
    pub name: String,
    /// The bytes, or why they could not be taken out.
    pub bytes: Result<Vec<u8>, Failure>,
}

/// Whether a zip container is an office document (DOCX, …) rather than an archive of plans.
pub fn is_office_document(bytes: &[u8]) -> bool {
    match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(z) => z.file_names().any(|n| {
            matches!(
                n.as_deref(),
                Ok("[Content_Types].xml" | "word/document.xml")
            )
        }),
        Err(_) => false,
    }
}

/// Whether `bytes` are a zip archive of plans (a zip that is not an office document).
pub fn is_archive(bytes: &[u8]) -> bool {
    detect(bytes) == Detected::Zip && !is_office_document(bytes)
}

/// Calls `each` with every document `bytes` (named `name`) hold: the bytes
/// themselves, or for an archive of plans every entry, in archive order
/// (archives in archives opened up to [`MAX_ZIP_DEPTH`]). Entries that cannot
/// be taken out are passed with their failure; a damaged archive is one
/// failure under its own name.
pub fn for_each_document(name: &str, bytes: Vec<u8>, limits: &Limits, each: &mut dyn FnMut(Entry)) {
    documents(name, bytes, 0, limits, each);
}

fn documents(name: &str, bytes: Vec<u8>, depth: u32, limits: &Limits, each: &mut dyn FnMut(Entry)) {
    if !is_archive(&bytes) {
        each(Entry {
            name: name.to_string(),
            bytes: Ok(bytes),
        });
        return;
    }
    if depth >= MAX_ZIP_DEPTH {
        each(failed(
            name,
            FailureKind::Limit,
            "archive nested too deep".into(),
        ));
        return;
    }
    entries(name, &bytes, depth, limits, each);
}

fn failed(name: &str, kind: FailureKind, reason: String) -> Entry {
    Entry {
        name: name.to_string(),
        bytes: Err(Failure::new(kind, reason)),
    }
}

fn entries(name: &str, bytes: &[u8], depth: u32, limits: &Limits, each: &mut dyn FnMut(Entry)) {
    let mut zip = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => {
            each(failed(
                name,
                FailureKind::Reader,
                format!("corrupt zip archive: {e}"),
            ));
            return;
        }
    };
    let mut expanded = 0u64;
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                let reason = format!("unreadable archive entry #{i}: {e}");
                each(failed(name, FailureKind::Reader, reason));
                continue;
            }
        };
        let inner = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(e) => {
                let reason = format!("archive entry #{i} has an unreadable name: {e}");
                each(failed(name, FailureKind::Reader, reason));
                continue;
            }
        };
        let base = inner.rsplit(['/', '\\']).next().unwrap_or("");
        if entry.is_dir()
            || base.is_empty()
            || base.starts_with('.')
            || inner.starts_with("__MACOSX/")
        {
            continue;
        }
        let entry_name = format!("{name}!/{inner}");
        let declared = entry.size();
        if let Err(f) = limits.check_entry(declared, entry.compressed_size()) {
            each(Entry {
                name: entry_name,
                bytes: Err(f),
            });
            continue;
        }
        expanded = expanded.saturating_add(declared);
        if expanded > limits.max_archive_bytes {
            let reason = format!(
                "archive expands to more than {} bytes; this and the remaining entries are skipped",
                limits.max_archive_bytes
            );
            each(failed(&entry_name, FailureKind::Limit, reason));
            return;
        }
        // Never trust the declared size: read at most one byte more.
        let mut data = Vec::with_capacity(declared.min(1 << 20) as usize);
        let read = (&mut entry).take(declared + 1).read_to_end(&mut data);
        let problem = match read {
            Err(e) => Some(format!("cannot read archive entry: {e}")),
            Ok(_) if data.len() as u64 > declared => {
                Some("entry larger than its declared size".into())
            }
            Ok(n) if n as u64 != declared => {
                Some(format!("entry is {n} bytes, declared {declared}"))
            }
            Ok(_) => None,
        };
        match problem {
            Some(reason) => each(failed(&entry_name, FailureKind::Reader, reason)),
            None => documents(&entry_name, data, depth + 1, limits, each),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data) in entries {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .expect("start entry");
            w.write_all(data).expect("write entry");
        }
        w.finish().expect("finish zip").into_inner()
    }

    fn names(bytes: Vec<u8>) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        for_each_document("a.zip", bytes, &Limits::default(), &mut |e| {
            out.push((e.name, e.bytes.is_ok()))
        });
        out
    }

    #[test]
    fn entries_are_named_inside_their_archive() {
        let inner = zip_of(&[("c.txt", b"plan c")]);
        let outer = zip_of(&[
            ("x/b.txt", b"plan b"),
            (".hidden", b"x"),
            ("__MACOSX/x/._b.txt", b"x"),
            ("in.zip", &inner),
        ]);
        assert_eq!(
            names(outer),
            vec![
                ("a.zip!/x/b.txt".to_string(), true),
                ("a.zip!/in.zip!/c.txt".to_string(), true)
            ]
        );
    }

    #[test]
    fn nesting_and_damage_are_failures() {
        let deep = zip_of(&[("d.txt", b"d")]);
        let mid = zip_of(&[("deep.zip", &deep)]);
        let outer = zip_of(&[("mid.zip", &mid)]);
        assert_eq!(
            names(outer),
            vec![("a.zip!/mid.zip!/deep.zip".to_string(), false)]
        );
        assert_eq!(
            names(b"PK\x03\x04 damaged".to_vec()),
            vec![("a.zip".to_string(), false)]
        );
        assert_eq!(names(b"text".to_vec()), vec![("a.zip".to_string(), true)]);
    }
}
