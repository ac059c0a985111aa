//! The gold records rendered into other text layouts (`scripts/render_variants.py`:
//! tab/markdown/HTML tables, permuted columns, other header words, page
//! breaks with repeated headers and split rows, NFD text) must come back out
//! of the extractor unchanged.

use kehoach_plan::{Format, Plan, Source};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn n(s: &Option<String>) -> String {
    s.as_deref().map(kehoach_text::normalize).unwrap_or_default()
}

#[test]
fn variants_recover_the_gold_tasks() {
    let dir = root().join("fixtures/variants");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).expect("manifest"))
            .expect("manifest json");
    let entries = manifest.as_array().expect("manifest is a list");
    assert!(entries.len() >= 15);
    let mut problems = Vec::new();
    let mut checked = 0;
    for e in entries {
        let file = e["file"].as_str().expect("file");
        let gold: Plan = serde_json::from_str(
            &std::fs::read_to_string(root().join("fixtures/gold").join(e["gold"].as_str().expect("gold")))
                .expect("gold readable"),
        )
        .expect("gold plan");
        let bytes = std::fs::read(dir.join(file)).expect("variant readable");
        let doc = kehoach_read_text::read(&bytes).expect("variant is text");
        let src = Source { path: file.into(), sha256: String::new(), format: Format::Text, pages: None };
        let pred = kehoach_extract::extract(&doc, src);
        if pred.tasks.len() != gold.tasks.len() {
            problems.push(format!("{file}: {} tasks, gold {}", pred.tasks.len(), gold.tasks.len()));
            continue;
        }
        for (g, p) in gold.tasks.iter().zip(&pred.tasks) {
            checked += 1;
            let fields = [
                ("number", n(&g.number), n(&p.number)),
                ("section", n(&g.section), n(&p.section)),
                ("level", g.level.to_string(), p.level.to_string()),
                ("parent", format!("{:?}", g.parent), format!("{:?}", p.parent)),
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
                    "targets",
                    format!("{:?}", g.targets.iter().map(|t| (t.op, t.value)).collect::<Vec<_>>()),
                    format!("{:?}", p.targets.iter().map(|t| (t.op, t.value)).collect::<Vec<_>>()),
                ),
            ];
            for (f, gv, pv) in fields {
                if gv != pv {
                    problems.push(format!("{file} seq {}: {f}: gold={gv:?} ours={pv:?}", g.seq));
                }
            }
        }
        let (gm, pm) = (&gold.meta, &pred.meta);
        for (f, gv, pv) in [
            ("number", n(&gm.number), n(&pm.number)),
            ("title", n(&gm.title), n(&pm.title)),
            ("year", format!("{:?}", gm.year), format!("{:?}", pm.year)),
            ("date", n(&gm.date), n(&pm.date)),
            ("place", n(&gm.place), n(&pm.place)),
            ("signer", format!("{:?}", gm.signer), format!("{:?}", pm.signer)),
        ] {
            if gv != pv {
                problems.push(format!("{file} meta.{f}: gold={gv:?} ours={pv:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "{} problem(s) over {checked} tasks:\n{}", problems.len(), problems.join("\n"));
}
