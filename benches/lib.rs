//! Shared helpers for the benchmarks: loading the bundled corpus and fixtures.

use std::path::{Path, PathBuf};

// The allocator the `kehoach` binary and the Python module use, so that the
// figures are theirs.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The workspace directory `rel` (e.g. `corpus`, `fixtures/pdf/lo`).
pub fn workspace_dir(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

/// Every file ending in `.ext` directly in workspace directory `rel`, as
/// (name, bytes), sorted by name.
pub fn files(rel: &str, ext: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(workspace_dir(rel))
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == ext))
                .filter_map(|e| {
                    Some((
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read(e.path()).ok()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Every text plan in `corpus/`, as (name, bytes), sorted by name.
pub fn corpus_texts() -> Vec<(String, Vec<u8>)> {
    files("corpus", "txt")
}
