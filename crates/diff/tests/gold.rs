//! Diffs of the hand-checked gold plans.

use kehoach_diff::{diff, ChangeKind, Direction, Options, Value};
use kehoach_plan::{Op, Plan};

fn gold(stem: &str) -> Plan {
    let path = format!(
        "{}/../../fixtures/gold/{stem}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const SYT_2024: &str = "003_39456b49d95a0e63";
const SCT_2025: &str = "001_0d47e3459e23ee36";

/// (folded metric fragment, op, from, to) of each target change.
fn target_changes(d: &kehoach_diff::PlanDiff) -> Vec<(String, Op, f64, Op, f64)> {
    d.changes
        .iter()
        .filter(|c| c.kind == ChangeKind::TargetChanged)
        .filter_map(|c| match (&c.from, &c.to) {
            (Some(Value::Target(x)), Some(Value::Target(y))) => Some((
                kehoach_text::fold(c.metric.as_deref().unwrap_or("")),
                x.op,
                x.value,
                y.op,
                y.value,
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn syt_2024_to_sct_2025_reports_the_raised_targets_only() {
    let d = diff(&gold(SYT_2024), &gold(SCT_2025), &Options::default());
    let got = target_changes(&d);
    for (frag, op, from, to) in [
        ("muc do hai long", Op::Ge, 90.0, 95.0),
        ("giai quyet", Op::Gt, 90.0, 95.0),
        (
            "thanh toan truc tuyen tren cong dich vu cong quoc gia tren tong so giao dich",
            Op::Gt,
            60.0,
            80.0,
        ),
    ] {
        assert!(
            got.iter().any(|(m, o1, f, o2, t)| m.contains(frag)
                && *o1 == op
                && *o2 == op
                && *f == from
                && *t == to),
            "missing {frag} {from} -> {to} in {got:#?}"
        );
    }
    for frag in [
        "hoan toan truc tuyen",
        "truc tuyen tu xa",
        "nghia vu tai chinh",
    ] {
        assert!(
            !got.iter().any(|(m, ..)| m.contains(frag)),
            "{frag} reported as changed: {got:#?}"
        );
    }
    assert_eq!(got.len(), 3, "{got:#?}");
    for c in d
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::TargetChanged)
    {
        assert_eq!(c.direction, Some(Direction::Raised));
    }
}

#[test]
fn json_shape() {
    let d = diff(&gold(SYT_2024), &gold(SCT_2025), &Options::default());
    let v = serde_json::to_value(&d).expect("serialises");
    assert_eq!(v["a"]["issuer"], "Sở Y tế");
    assert_eq!(v["b"]["year"], 2025);
    assert!(v["unchanged"].as_u64().is_some());
    let changes = v["changes"].as_array().expect("changes");
    let t = changes
        .iter()
        .find(|c| c["kind"] == "target_changed")
        .expect("a target change");
    assert!(t["a_seq"].is_u64() && t["b_seq"].is_u64());
    assert!(t["from"]["op"].is_string() && t["to"]["value"].is_f64());
    assert!(
        t.get("shift_days").is_none(),
        "fields that do not apply are omitted"
    );
    let added = changes.iter().find(|c| c["kind"] == "added");
    if let Some(added) = added {
        assert!(added["a_seq"].is_null());
    }
    let back: kehoach_diff::PlanDiff = serde_json::from_value(v).expect("deserialises");
    assert_eq!(back, d);
}

#[test]
fn identical_plans_have_no_changes() {
    for stem in [
        "000_9b75833fe1e96175",
        SCT_2025,
        "002_c5764e0b3762d723",
        SYT_2024,
        "004_290b44cb7c4c376c",
    ] {
        let p = gold(stem);
        let d = diff(&p, &p, &Options::default());
        assert!(d.changes.is_empty(), "{stem}: {:#?}", d.changes);
        assert_eq!(d.unchanged, p.tasks.len());
    }
}

#[test]
fn empty_plan_gives_all_added_or_removed() {
    let p = gold(SYT_2024);
    let mut empty = p.clone();
    empty.tasks.clear();
    let d = diff(&empty, &p, &Options::default());
    assert_eq!(d.count(ChangeKind::Added), p.tasks.len());
    assert_eq!(d.changes.len(), p.tasks.len());
    let d = diff(&p, &empty, &Options::default());
    assert_eq!(d.count(ChangeKind::Removed), p.tasks.len());
    assert_eq!(d.unchanged, 0);
    let d = diff(&empty, &empty, &Options::default());
    assert!(d.changes.is_empty());
}

#[test]
fn unrelated_plans_align_little() {
    // Vĩnh Cửu 2020 and Kon Rẫy 2023 use different templates.
    let d = diff(
        &gold("002_c5764e0b3762d723"),
        &gold("004_290b44cb7c4c376c"),
        &Options::default(),
    );
    assert!(d.aligned < 20, "aligned {}", d.aligned);
}

#[test]
fn include_unchanged_lists_every_aligned_pair() {
    let d = diff(
        &gold(SYT_2024),
        &gold(SCT_2025),
        &Options {
            include_unchanged: true,
            ..Options::default()
        },
    );
    assert_eq!(d.count(ChangeKind::Unchanged), d.unchanged);
}

/// Next year's copy of `a`: years, dates and deadline texts moved by one year.
fn next_year(a: &Plan) -> Plan {
    let mut b = a.clone();
    b.meta.year = a.meta.year.map(|y| y + 1);
    for t in &mut b.tasks {
        if let Some(d) = &mut t.due {
            d.by = d.by.as_deref().and_then(|s| {
                let y: i32 = s.get(..4)?.parse().ok()?;
                Some(format!("{}{}", y + 1, s.get(4..)?))
            });
        }
        if let Some(d) = &mut t.deadline {
            *d = d.replace("2024", "2025");
        }
    }
    b
}

#[test]
fn built_in_changes_are_found_exactly() {
    let a = gold("000_9b75833fe1e96175");
    let mut b = next_year(&a);
    let sat = b
        .tasks
        .iter()
        .position(|t| t.targets.iter().any(|g| g.value == 90.0))
        .expect("a 90% target");
    for g in &mut b.tasks[sat].targets {
        if g.value == 90.0 {
            g.value = 92.0;
        }
    }
    if let Some(c) = &mut b.tasks[sat].content {
        *c = c.replace("90%", "92%");
    }
    let moved = b
        .tasks
        .iter()
        .position(|t| t.due.as_ref().is_some_and(|d| d.by.is_some()))
        .expect("a dated task");
    if let Some(d) = &mut b.tasks[moved].due {
        d.by = Some("2025-09-30".into());
        d.kind = kehoach_plan::DueKind::Quarter;
    }
    b.tasks[moved].deadline = Some("Quý III/2025".into());
    let removed_seq = b.tasks[5].seq;
    b.tasks.remove(5);
    let d = diff(&a, &b, &Options::default());
    let kinds: Vec<(ChangeKind, Option<u32>)> =
        d.changes.iter().map(|c| (c.kind, c.a_seq)).collect();
    assert_eq!(d.count(ChangeKind::TargetChanged), 1, "{kinds:?}");
    assert_eq!(d.count(ChangeKind::DeadlineChanged), 1, "{kinds:?}");
    assert_eq!(d.count(ChangeKind::Removed), 1, "{kinds:?}");
    assert_eq!(d.count(ChangeKind::Reworded), 0, "{kinds:?}");
    assert_eq!(d.changes.len(), 3, "{kinds:?}");
    assert!(d
        .changes
        .iter()
        .any(|c| c.kind == ChangeKind::Removed && c.a_seq == Some(removed_seq)));
}

#[test]
fn next_year_copy_is_unchanged_even_without_plan_years() {
    let a = gold("000_9b75833fe1e96175");
    let mut b = next_year(&a);
    assert!(diff(&a, &b, &Options::default()).changes.is_empty());
    b.meta.year = None;
    let mut a2 = a.clone();
    a2.meta.year = None;
    a2.meta.date = None;
    b.meta.date = None;
    let d = diff(&a2, &b, &Options::default());
    assert!(d.changes.is_empty(), "{:#?}", d.changes);
}

#[test]
fn a_replaced_task_is_removed_and_added_not_reworded() {
    let a = gold("000_9b75833fe1e96175");
    let mut b = next_year(&a);
    // Put a task of another plan of the same template in place of one of ours.
    let other = gold(SYT_2024);
    let foreign = other
        .tasks
        .iter()
        .find(|t| {
            t.content
                .as_deref()
                .is_some_and(|c| c.starts_with("Tổ chức đối thoại"))
        })
        .expect("task");
    let k = b
        .tasks
        .iter()
        .position(|t| {
            t.content
                .as_deref()
                .is_some_and(|c| c.starts_with("Triển khai"))
        })
        .unwrap_or(20);
    let seq = b.tasks[k].seq;
    b.tasks[k] = kehoach_plan::Task {
        seq,
        ..foreign.clone()
    };
    let d = diff(&a, &b, &Options::default());
    let kinds: Vec<(ChangeKind, Option<u32>, Option<u32>)> = d
        .changes
        .iter()
        .map(|c| (c.kind, c.a_seq, c.b_seq))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ChangeKind::Removed, Some(seq), None),
            (ChangeKind::Added, None, Some(seq))
        ]
    );
}
