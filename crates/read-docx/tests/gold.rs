//! DOCX renderings of the seed plans (`fixtures/docx`, made by
//! `scripts/render_docx.py`) against the hand-checked records
//! (`fixtures/gold`): the same agreement as the text path. The TCVN3 and VNI
//! renderings of a plan must give the same records after conversion.

use kehoach_plan::{Format, Plan, Source};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn extract_docx(path: &Path) -> Plan {
    let bytes = std::fs::read(path).expect("fixture is readable");
    let doc = kehoach_read_docx::read(&bytes).expect("fixture is a DOCX");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    kehoach_extract::extract(
        &doc,
        Source {
            path: name,
            sha256: String::new(),
            format: Format::Docx,
            pages: None,
        },
    )
}

fn gold(stem: &str) -> Plan {
    let path = root().join("fixtures/gold").join(format!("{stem}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("gold readable"))
        .expect("gold is a plan")
}

fn stems() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join("fixtures/gold"))
        .expect("gold dir")
        .flatten()
        .filter_map(|e| {
            e.path()
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
        .collect();
    out.sort();
    assert_eq!(out.len(), 5, "five gold plans");
    out
}

fn check(files: &[(String, PathBuf)], max_share: f64) {
    let mut all = Vec::new();
    let mut total = 0;
    for (stem, path) in files {
        let pred = extract_docx(path);
        let name = path
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let agreement = kehoach_plan::agreement::compare(&gold(stem), &pred);
        total += agreement.fields;
        all.extend(agreement.mismatches.iter().map(|m| format!("{name} {m}")));
    }
    let share = all.len() as f64 / total.max(1) as f64;
    assert!(
        share <= max_share,
        "{} of {total} fields differ:\n{}",
        all.len(),
        all.join("\n")
    );
}

#[test]
fn docx_renderings_match_gold() {
    let files: Vec<_> = stems()
        .into_iter()
        .map(|s| {
            (
                s.clone(),
                root().join("fixtures/docx").join(format!("{s}.docx")),
            )
        })
        .collect();
    check(&files, 0.0);
}

#[test]
fn legacy_font_renderings_match_gold() {
    let stem = "000_9b75833fe1e96175".to_string();
    for enc in ["tcvn3", "vni"] {
        let path = root()
            .join("fixtures/docx")
            .join(format!("{stem}.{enc}.docx"));
        let doc = kehoach_read_docx::read(&std::fs::read(&path).expect("fixture")).expect("reads");
        assert!(
            doc.warnings.iter().any(|w| w.code == "legacy_encoding"),
            "{enc}: legacy_encoding warning"
        );
        check(&[(stem.clone(), path)], 0.0);
    }
}

#[test]
fn contract_scorer_thresholds_hold() {
    let out = tempfile::tempdir().expect("tempdir");
    let legacy = out.path().join("legacy");
    std::fs::create_dir_all(&legacy).expect("mkdir");
    for stem in stems() {
        let plan = extract_docx(&root().join("fixtures/docx").join(format!("{stem}.docx")));
        std::fs::write(
            out.path().join(format!("{stem}.json")),
            serde_json::to_string(&plan).expect("json"),
        )
        .expect("write");
    }
    for enc in ["tcvn3", "vni"] {
        let stem = "000_9b75833fe1e96175";
        let plan = extract_docx(
            &root()
                .join("fixtures/docx")
                .join(format!("{stem}.{enc}.docx")),
        );
        let dir = legacy.join(enc);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(
            dir.join(format!("{stem}.json")),
            serde_json::to_string(&plan).expect("json"),
        )
        .expect("write");
    }
    let score = |gold: &Path, pred: &Path| {
        std::process::Command::new("python3")
            .arg(root().join("scripts/score.py"))
            .arg(gold)
            .arg(pred)
            .args(["--min-row-f1", "0.99", "--min-field-acc", "0.98"])
            .status()
            .expect("python3 runs the contract scorer (scripts/score.py)")
            .success()
    };
    assert!(
        score(&root().join("fixtures/gold"), out.path()),
        "DOCX: scripts/score.py thresholds not met"
    );
    for enc in ["tcvn3", "vni"] {
        let gold = root().join("fixtures/gold/000_9b75833fe1e96175.json");
        let pred = legacy.join(enc).join("000_9b75833fe1e96175.json");
        assert!(
            score(&gold, &pred),
            "{enc}: scripts/score.py thresholds not met"
        );
    }
}

/// The TCVN3 text file of a plan, through the text reader: detected,
/// converted, and scored with the contract's thresholds. (TCVN3 has no codes
/// for toned capitals, so a word like `Ủy` comes back as `ủy`; fields stay
/// within the thresholds.)
#[test]
fn legacy_text_file_scores_like_the_unicode_one() {
    let stem = "000_9b75833fe1e96175";
    let bytes = std::fs::read(
        root()
            .join("fixtures/docx")
            .join(format!("{stem}.tcvn3.txt")),
    )
    .expect("fixture");
    assert!(std::str::from_utf8(&bytes).is_err(), "the fixture is 8-bit");
    let doc = kehoach_read_text::read(&bytes).expect("TCVN3 text is read");
    assert!(doc.warnings.iter().any(|w| w.code == "legacy_encoding"));
    let plan = kehoach_extract::extract(
        &doc,
        Source {
            path: format!("{stem}.txt"),
            sha256: String::new(),
            format: Format::Text,
            pages: None,
        },
    );
    assert_eq!(plan.tasks.len(), gold(stem).tasks.len());
    let out = tempfile::tempdir().expect("tempdir");
    let pred = out.path().join(format!("{stem}.json"));
    std::fs::write(&pred, serde_json::to_string(&plan).expect("json")).expect("write");
    let ok = std::process::Command::new("python3")
        .arg(root().join("scripts/score.py"))
        .arg(root().join("fixtures/gold").join(format!("{stem}.json")))
        .arg(&pred)
        .args([
            "--min-row-f1",
            "0.99",
            "--min-field-acc",
            "0.98",
            "--min-meta-acc",
            "0.95",
        ])
        .status()
        .expect("python3 runs the contract scorer")
        .success();
    assert!(ok, "TCVN3 text: scripts/score.py thresholds not met");
}
