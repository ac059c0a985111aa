//! Field-by-field agreement between two plans: a hand-checked record and an
//! extraction of the same document. Text is compared after normalisation (so
//! `hoá` equals `hóa`); tasks are paired in order.

use crate::{Plan, Task};
use kehoach_text::{fold, normalize};

/// The outcome of [`compare`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Agreement {
    /// Task pairs compared (the shorter of the two task lists).
    pub tasks: usize,
    /// Task fields compared.
    pub fields: usize,
    /// One line per disagreement: `seq 12: lead: gold="…" ours="…"`.
    pub mismatches: Vec<String>,
}

impl Agreement {
    /// Share of task fields that agree (1.0 when nothing was compared).
    pub fn field_accuracy(&self) -> f64 {
        let task_misses = self
            .mismatches
            .iter()
            .filter(|m| m.starts_with("seq "))
            .count();
        if self.fields == 0 {
            1.0
        } else {
            1.0 - task_misses as f64 / self.fields as f64
        }
    }

    /// Whether the two plans agree on everything compared.
    pub fn is_exact(&self) -> bool {
        self.mismatches.is_empty()
    }
}

fn n(s: &Option<String>) -> String {
    s.as_deref().map(normalize).unwrap_or_default()
}

fn task_fields(g: &Task, p: &Task) -> Vec<(&'static str, String, String)> {
    let due = |t: &Task| format!("{:?}", t.due.as_ref().map(|d| (d.kind, d.by.clone())));
    let targets = |t: &Task| {
        let mut v: Vec<(&str, u64)> = t
            .targets
            .iter()
            .map(|x| (x.op.as_str(), x.value.to_bits()))
            .collect();
        v.sort();
        format!("{v:?}")
    };
    vec![
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
        ("due", due(g), due(p)),
        ("targets", targets(g), targets(p)),
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
    ]
}

/// Compares `pred` with `gold`: task count, every task field the contract's
/// scorer reads (plus units and targets), and the metadata. The issuer agrees
/// when one folded name contains the other, as the contract's scorer counts it.
pub fn compare(gold: &Plan, pred: &Plan) -> Agreement {
    let mut a = Agreement::default();
    if gold.tasks.len() != pred.tasks.len() {
        a.mismatches.push(format!(
            "{} tasks, gold has {}",
            pred.tasks.len(),
            gold.tasks.len()
        ));
    }
    for (g, p) in gold.tasks.iter().zip(&pred.tasks) {
        a.tasks += 1;
        for (field, gv, pv) in task_fields(g, p) {
            a.fields += 1;
            if gv != pv {
                a.mismatches
                    .push(format!("seq {}: {field}: gold={gv:?} ours={pv:?}", g.seq));
            }
        }
    }
    let (gm, pm) = (&gold.meta, &pred.meta);
    for (field, gv, pv) in [
        ("number", n(&gm.number), n(&pm.number)),
        ("issuer_code", n(&gm.issuer_code), n(&pm.issuer_code)),
        ("place", n(&gm.place), n(&pm.place)),
        ("date", n(&gm.date), n(&pm.date)),
        ("year", format!("{:?}", gm.year), format!("{:?}", pm.year)),
        ("title", n(&gm.title), n(&pm.title)),
        (
            "signer",
            format!("{:?}", gm.signer),
            format!("{:?}", pm.signer),
        ),
    ] {
        if gv != pv {
            a.mismatches
                .push(format!("meta.{field}: gold={gv:?} ours={pv:?}"));
        }
    }
    let issuer_ok = match (&gm.issuer, &pm.issuer) {
        (Some(g), Some(p)) => {
            let (g, p) = (fold(g), fold(p));
            g.contains(&p) || p.contains(&g)
        }
        (None, None) => true,
        _ => false,
    };
    if !issuer_ok {
        a.mismatches.push(format!(
            "meta.issuer: gold={:?} ours={:?}",
            gm.issuer, pm.issuer
        ));
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gold() -> Plan {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/gold/000_9b75833fe1e96175.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).expect("gold")).expect("plan")
    }

    #[test]
    fn a_plan_agrees_with_itself_and_differences_are_named() {
        let g = gold();
        assert!(compare(&g, &g).is_exact());
        let mut p = g.clone();
        p.tasks[1].lead = Some("Phòng khác".into());
        p.tasks[2].content = p.tasks[2].content.as_ref().map(|c| c.replace("hóa", "hoá"));
        let a = compare(&g, &p);
        assert_eq!(a.mismatches.len(), 1, "{:?}", a.mismatches);
        assert!(a.mismatches[0].starts_with("seq 2: lead"));
        assert!(a.field_accuracy() < 1.0);
    }
}
