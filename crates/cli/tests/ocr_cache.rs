//! `--ocr-cache DIR`: a scan whose OCR result is kept is not read by OCR
//! again. The engine here is a stand-in that gives its version and fails to
//! read anything, so the only way to a plan is the kept result.

mod common;

use common::{root, BIN};
use kehoach_plan::Plan;
use std::process::Command;

#[cfg(unix)]
#[test]
fn a_kept_result_is_used_instead_of_ocr() {
    use std::os::unix::fs::PermissionsExt;
    let cache = tempfile::tempdir().expect("temp dir");
    // The engine's version is part of a kept result's name: the stand-in
    // names one, and this process (which keeps the result) uses it too.
    let engine = cache.path().join("engine");
    std::fs::write(
        &engine,
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'tesseract 5.3.0'; exit 0; fi\nexit 1\n",
    )
    .expect("engine script");
    std::fs::set_permissions(&engine, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::env::set_var("KEHOACH_TESSERACT", &engine);
    // A scanned PDF (image pages only) and the text plan it was printed from.
    let scan = root().join("fixtures/scans/ccitt/001_0d47e3459e23ee36.pdf");
    let text = root().join("corpus/001_0d47e3459e23ee36.txt");
    let bytes = std::fs::read(&scan).expect("scan fixture");
    let sha = kehoach_pipeline::sha256_hex(&bytes);
    let limits = kehoach_pipeline::Limits::default();
    let (doc, _) = kehoach_pipeline::read_document(&std::fs::read(&text).expect("text"), &limits)
        .expect("the text plan reads");
    kehoach_pipeline::ocr_cache::put(cache.path(), &sha, &doc).expect("kept");

    let extract = |with_cache: bool| {
        let mut cmd = Command::new(BIN);
        cmd.arg("extract").arg(&scan).arg("--json");
        if with_cache {
            cmd.arg("--ocr-cache").arg(cache.path());
        }
        cmd.env("KEHOACH_TESSERACT", &engine)
            .env_remove("KEHOACH_OCR_CACHE")
            .output()
            .expect("kehoach runs")
    };
    // Without the kept result the scan cannot be read: the engine reads nothing.
    let run = extract(false);
    assert!(!run.status.success(), "read without an engine?");
    // With it, the plan is the kept document's.
    let run = extract(true);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let plan: Plan = serde_json::from_slice(&run.stdout).expect("a plan record");
    let from_text: Plan = serde_json::from_slice(
        &Command::new(BIN)
            .arg("extract")
            .arg(&text)
            .arg("--json")
            .output()
            .expect("kehoach runs")
            .stdout,
    )
    .expect("a plan record");
    assert!(!plan.tasks.is_empty());
    assert_eq!(plan.tasks, from_text.tasks);
    assert_eq!(plan.meta, from_text.meta);
    assert_eq!(plan.source.sha256, sha);
}
