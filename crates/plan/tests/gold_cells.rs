//! Every deadline cell of every hand-checked record (the seeds' and the real
//! documents') parses to the `due` its gold record gives, with the plan's
//! year as the missing year; every content and product cell gives the
//! targets (comparator and value) its gold record lists.

use kehoach_plan::due::parse_due;
use kehoach_plan::target::parse_targets;
use kehoach_plan::Plan;
use std::path::Path;

fn gold_plans() -> Vec<(String, Plan)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut out = Vec::new();
    for dir in ["gold", "real/gold"] {
        let mut entries: Vec<_> = std::fs::read_dir(root.join(dir))
            .expect("gold directory")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        entries.sort();
        for p in entries {
            let text = std::fs::read_to_string(&p).expect("gold readable");
            let plan: Plan = serde_json::from_str(&text).expect("gold is a plan");
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push((name, plan));
        }
    }
    assert!(out.len() >= 18, "seed and real gold records");
    out
}

#[test]
fn every_gold_deadline_parses_to_its_due() {
    let mut wrong = Vec::new();
    let mut n = 0;
    for (name, plan) in gold_plans() {
        for t in &plan.tasks {
            let Some(text) = t.deadline.as_deref() else {
                continue;
            };
            n += 1;
            let got = parse_due(text, plan.meta.year);
            if got != t.due {
                wrong.push(format!(
                    "{name} seq {}: {text:?}\n   gold {:?}\n   ours {:?}",
                    t.seq, t.due, got
                ));
            }
        }
    }
    assert!(n > 200, "only {n} deadlines");
    assert!(
        wrong.is_empty(),
        "{} of {n} deadlines differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn every_gold_target_is_found() {
    let mut wrong = Vec::new();
    let mut n = 0;
    for (name, plan) in gold_plans() {
        for t in &plan.tasks {
            let mut got = parse_targets(t.content.as_deref().unwrap_or(""));
            got.extend(parse_targets(t.product.as_deref().unwrap_or("")));
            let got: Vec<(&str, f64)> = got.iter().map(|g| (g.op.as_str(), g.value)).collect();
            let want: Vec<(&str, f64)> =
                t.targets.iter().map(|g| (g.op.as_str(), g.value)).collect();
            n += want.len();
            if got != want {
                wrong.push(format!(
                    "{name} seq {}: {:?}\n   gold {want:?}\n   ours {got:?}",
                    t.seq,
                    t.content.as_deref().unwrap_or("")
                ));
            }
        }
    }
    assert!(n > 60, "only {n} targets");
    assert!(
        wrong.is_empty(),
        "{} rows differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
