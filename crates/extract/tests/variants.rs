//! The gold records rendered into other text layouts (`scripts/render_variants.py`:
//! tab/markdown/HTML tables, permuted columns, other header words, page
//! breaks with repeated headers and split rows, NFD text) must come back out
//! of the extractor unchanged.

use kehoach_plan::{Format, Plan, Source};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn variants_recover_the_gold_tasks() {
    let dir = root().join("fixtures/variants");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("manifest.json")).expect("manifest"),
    )
    .expect("manifest json");
    let entries = manifest.as_array().expect("manifest is a list");
    assert!(entries.len() >= 15);
    let mut problems = Vec::new();
    let mut checked = 0;
    for e in entries {
        let file = e["file"].as_str().expect("file");
        let gold: Plan = serde_json::from_str(
            &std::fs::read_to_string(
                root()
                    .join("fixtures/gold")
                    .join(e["gold"].as_str().expect("gold")),
            )
            .expect("gold readable"),
        )
        .expect("gold plan");
        let bytes = std::fs::read(dir.join(file)).expect("variant readable");
        let doc = kehoach_read_text::read(&bytes).expect("variant is text");
        let src = Source {
            path: file.into(),
            sha256: String::new(),
            format: Format::Text,
            pages: None,
        };
        let pred = kehoach_extract::extract(&doc, src);
        let agreement = kehoach_plan::agreement::compare(&gold, &pred);
        checked += agreement.tasks;
        problems.extend(agreement.mismatches.iter().map(|m| format!("{file} {m}")));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) over {checked} tasks:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
