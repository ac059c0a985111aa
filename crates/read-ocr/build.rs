//! The reader's build id (`KEHOACH_OCR_BUILD`): a hash of the sources that
//! decide what the OCR reader returns (this crate, the PDF reader, the
//! document model, text normalisation) and of the dependency lock file, so
//! that OCR results cached by another build are never taken for this one's.

use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let mut hasher = DefaultHasher::new();
    hasher.write(
        std::env::var("CARGO_PKG_VERSION")
            .unwrap_or_default()
            .as_bytes(),
    );
    let sources = [
        root.join("src"),
        root.join("data"),
        root.join("../read-pdf/src"),
        root.join("../doc/src"),
        root.join("../text/src"),
        root.join("../../Cargo.lock"),
    ];
    for s in &sources {
        println!("cargo:rerun-if-changed={}", s.display());
        let mut found = Vec::new();
        if s.is_dir() {
            files(s, &mut found);
        } else {
            found.push(s.clone());
        }
        found.sort();
        for f in found {
            if let Ok(bytes) = std::fs::read(&f) {
                let name = f.strip_prefix(&root).unwrap_or(&f);
                hasher.write(name.to_string_lossy().as_bytes());
                hasher.write(&bytes);
            }
        }
    }
    println!("cargo:rustc-env=KEHOACH_OCR_BUILD={:016x}", hasher.finish());
}
