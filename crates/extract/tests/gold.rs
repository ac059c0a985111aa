//! The seed plans against their hand-checked records (`fixtures/gold`).
//!
//! Two checks: a field-by-field comparison in Rust (every task field the
//! contract scores, exact after normalisation), and the contract's own scorer
//! (`scripts/score.py`) with the acceptance thresholds.

use kehoach_plan::{Format, Plan, Source};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn extract_file(path: &Path) -> Plan {
    let bytes = std::fs::read(path).expect("corpus file is readable");
    let doc = kehoach_read_text::read(&bytes).expect("corpus file is text");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    kehoach_extract::extract(
        &doc,
        Source {
            path: name,
            sha256: String::new(),
            format: Format::Text,
            pages: None,
        },
    )
}

fn gold_pairs() -> Vec<(PathBuf, Plan)> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(root().join("fixtures/gold"))
        .expect("gold dir")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let gold: Plan =
            serde_json::from_str(&std::fs::read_to_string(e.path()).expect("gold readable"))
                .expect("gold is a plan");
        let stem = e
            .path()
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push((root().join("corpus").join(format!("{stem}.txt")), gold));
    }
    assert_eq!(out.len(), 5, "five gold plans");
    out
}

#[test]
fn every_scored_field_matches_gold() {
    let mut problems = Vec::new();
    for (input, gold) in gold_pairs() {
        let pred = extract_file(&input);
        let name = input
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let agreement = kehoach_plan::agreement::compare(&gold, &pred);
        problems.extend(agreement.mismatches.iter().map(|m| format!("{name} {m}")));
        if gold.meta.date_raw != pred.meta.date_raw {
            problems.push(format!(
                "{name} meta.date_raw: gold={:?} ours={:?}",
                gold.meta.date_raw, pred.meta.date_raw
            ));
        }
        // Warning codes the gold names must be raised too.
        for w in &gold.warnings {
            if !pred
                .warnings
                .iter()
                .any(|x| x.code == w.code && (w.seq.is_none() || x.seq == w.seq))
            {
                problems.push(format!(
                    "{name}: missing warning {:?} (seq {:?})",
                    w.code, w.seq
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} mismatch(es):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn contract_scorer_thresholds_hold() {
    let out = tempfile::tempdir().expect("tempdir");
    for (input, _) in gold_pairs() {
        let plan = extract_file(&input);
        let stem = input
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        std::fs::write(
            out.path().join(format!("{stem}.json")),
            serde_json::to_string(&plan).expect("json"),
        )
        .expect("write");
    }
    let status = std::process::Command::new("python3")
        .arg(root().join("scripts/score.py"))
        .arg(root().join("fixtures/gold"))
        .arg(out.path())
        .args([
            "--min-row-f1",
            "0.99",
            "--min-field-acc",
            "0.98",
            "--min-meta-acc",
            "0.95",
        ])
        .status()
        .expect("python3 runs the contract scorer (scripts/score.py)");
    assert!(status.success(), "scripts/score.py thresholds not met");
}
