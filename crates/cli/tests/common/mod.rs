//! Helpers shared by the CLI integration tests: running the binary against a
//! data directory, reading its JSON, the workspace fixtures.
#![allow(dead_code)] // each test file uses a different subset

use kehoach_plan::Plan;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `kehoach` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_kehoach");

/// Where the tests that read the real set keep OCR results, so that its
/// scans are read by OCR once per build of the reader, not once per test.
pub fn ocr_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("ocr-cache")
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The gold records (`fixtures/gold`), sorted by name, as (file name, bytes, plan).
pub fn gold_files() -> Vec<(String, Vec<u8>, Plan)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/gold"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap();
            let plan: Plan = serde_json::from_slice(&bytes).unwrap();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                bytes,
                plan,
            )
        })
        .collect()
}

/// Runs `kehoach ARGS --data DATA`.
pub fn run(args: &[&str], data: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .expect("kehoach runs")
}

/// The JSON a successful command printed.
pub fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// Folded words of a text.
pub fn words(s: &str) -> Vec<String> {
    kehoach_text::fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// Whether `text` holds `phrase` as consecutive folded words.
pub fn has_phrase(text: &str, phrase: &str) -> bool {
    let (t, p) = (words(text), words(phrase));
    t.windows(p.len()).any(|w| w == p.as_slice())
}
