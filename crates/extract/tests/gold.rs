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

fn n(s: &Option<String>) -> String {
    s.as_deref()
        .map(kehoach_text::normalize)
        .unwrap_or_default()
}

#[test]
fn every_scored_field_matches_gold() {
    let mut mismatches = Vec::new();
    let mut total = 0;
    for (input, gold) in gold_pairs() {
        let pred = extract_file(&input);
        let name = input
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        assert_eq!(pred.tasks.len(), gold.tasks.len(), "{name}: task count");
        for (g, p) in gold.tasks.iter().zip(&pred.tasks) {
            total += 1;
            let pairs = [
                ("number", n(&g.number), n(&p.number)),
                ("section", n(&g.section), n(&p.section)),
                ("level", g.level.to_string(), p.level.to_string()),
                (
                    "parent",
                    format!("{:?}", g.parent),
                    format!("{:?}", p.parent),
                ),
                ("content", n(&g.content), n(&p.content)),
                ("lead", n(&g.lead), n(&p.lead)),
                ("support", n(&g.support), n(&p.support)),
                ("deadline", n(&g.deadline), n(&p.deadline)),
                ("product", n(&g.product), n(&p.product)),
                (
                    "due",
                    format!("{:?}", g.due.as_ref().map(|d| (d.kind, &d.by))),
                    format!("{:?}", p.due.as_ref().map(|d| (d.kind, &d.by))),
                ),
                (
                    "line",
                    format!("{:?}", g.source.line),
                    format!("{:?}", p.source.line),
                ),
                (
                    "lead_units",
                    format!("{:?}", g.lead_units),
                    format!("{:?}", p.lead_units),
                ),
                (
                    "support_units",
                    format!("{:?}", g.support_units),
                    format!("{:?}", p.support_units),
                ),
            ];
            for (field, gv, pv) in pairs {
                if gv != pv {
                    mismatches.push(format!(
                        "{name} seq {}: {field}: gold={gv:?} ours={pv:?}",
                        g.seq
                    ));
                }
            }
            let mut gt: Vec<_> = g
                .targets
                .iter()
                .map(|t| (t.op, t.value.to_bits()))
                .collect();
            let mut pt: Vec<_> = p
                .targets
                .iter()
                .map(|t| (t.op, t.value.to_bits()))
                .collect();
            gt.sort_by_key(|x| (x.0.as_str(), x.1));
            pt.sort_by_key(|x| (x.0.as_str(), x.1));
            if gt != pt {
                mismatches.push(format!("{name} seq {}: targets differ", g.seq));
            }
        }
        let (gm, pm) = (&gold.meta, &pred.meta);
        for (field, gv, pv) in [
            ("number", n(&gm.number), n(&pm.number)),
            ("issuer_code", n(&gm.issuer_code), n(&pm.issuer_code)),
            ("place", n(&gm.place), n(&pm.place)),
            ("date", n(&gm.date), n(&pm.date)),
            ("date_raw", n(&gm.date_raw), n(&pm.date_raw)),
            ("year", format!("{:?}", gm.year), format!("{:?}", pm.year)),
            ("title", n(&gm.title), n(&pm.title)),
            (
                "signer",
                format!("{:?}", gm.signer),
                format!("{:?}", pm.signer),
            ),
        ] {
            if gv != pv {
                mismatches.push(format!("{name} meta.{field}: gold={gv:?} ours={pv:?}"));
            }
        }
        let issuer_ok = match (&gm.issuer, &pm.issuer) {
            (Some(g), Some(p)) => {
                let (g, p) = (kehoach_text::fold(g), kehoach_text::fold(p));
                g.contains(&p) || p.contains(&g)
            }
            (None, None) => true,
            _ => false,
        };
        if !issuer_ok {
            mismatches.push(format!(
                "{name} meta.issuer: gold={:?} ours={:?}",
                gm.issuer, pm.issuer
            ));
        }
        // Warning codes the gold names must be raised too.
        for w in &gold.warnings {
            if !pred
                .warnings
                .iter()
                .any(|x| x.code == w.code && (w.seq.is_none() || x.seq == w.seq))
            {
                mismatches.push(format!(
                    "{name}: missing warning {:?} (seq {:?})",
                    w.code, w.seq
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatch(es) over {total} tasks:\n{}",
        mismatches.len(),
        mismatches.join("\n")
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
