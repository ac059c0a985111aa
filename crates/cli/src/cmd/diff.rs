//! `kehoach diff A B`: what changed from one plan to another.

use crate::output::{clip, table};
use crate::EXIT_OK;
use anyhow::{bail, Context};
use kehoach_diff::{fmt_num, Change, ChangeKind, Direction, PlanDiff, Value};
use kehoach_pipeline::plan_from_path;
use kehoach_plan::Plan;
use std::io::Write;
use std::path::Path;

/// Arguments of `kehoach diff`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
A and B are plan files (text exports, or kehoach/plan@1 JSON as printed by `kehoach extract
--json`), or ids of plans in the index (`kehoach plans` lists them; a unique prefix of at least 4
hex digits or the imported file path also works).

Tasks are aligned one-to-one by content (numbers masked, diacritics ignored). For every aligned
pair the output lists changed targets (raised/lowered), deadlines (with the shift in days; dates
are compared relative to each plan's year, so 'Tháng 12/2024' in a 2024 plan and 'Tháng 12/2025'
in a 2025 plan are the same deadline), lead/support units, and wording. Tasks without a
counterpart are added or removed. Unchanged tasks are counted, not listed (unless --all).

Output: a readable table (coloured on a terminal unless NO_COLOR is set), --json (the full
diff), --csv (one row per change), --markdown (a table for reports).

Examples:
  kehoach diff plan-2024.txt plan-2025.txt
  kehoach diff 39456b49d95a0e63 0d47e3459e23ee36 --json
  kehoach diff a.txt b.txt --markdown > changes.md")]
pub struct Args {
    /// The old plan: a file, or a plan id in the index.
    #[arg(value_name = "A")]
    pub a: String,
    /// The new plan: a file, or a plan id in the index.
    #[arg(value_name = "B")]
    pub b: String,
    /// Print the diff as JSON.
    #[arg(long, group = "fmt")]
    pub json: bool,
    /// Print one CSV row per change.
    #[arg(long, group = "fmt")]
    pub csv: bool,
    /// Print a Markdown table.
    #[arg(long, group = "fmt")]
    pub markdown: bool,
    /// Also list the aligned tasks that did not change.
    #[arg(long)]
    pub all: bool,
    /// Minimum content similarity (0..1) for two tasks to be aligned.
    #[arg(long, default_value_t = 0.5, value_name = "X")]
    pub threshold: f64,
    /// Compare deadline dates as they are, not relative to each plan's year.
    #[arg(long)]
    pub absolute_dates: bool,
    #[command(flatten)]
    pub store: crate::store::StoreArgs,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<u8> {
    if !(0.0..=1.0).contains(&args.threshold) {
        bail!(
            "--threshold must be between 0 and 1, not {}",
            args.threshold
        );
    }
    let a = load(&args.a, &args.store)?;
    let b = load(&args.b, &args.store)?;
    for (name, p) in [(&args.a, &a), (&args.b, &b)] {
        if p.tasks.is_empty() {
            eprintln!("kehoach: note: {name} has no task records (no appendix table was found)");
        }
    }
    let opts = kehoach_diff::Options {
        threshold: args.threshold,
        include_unchanged: args.all,
        year_relative: !args.absolute_dates,
    };
    let d = kehoach_diff::diff(&a, &b, &opts);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &d)?;
        writeln!(out)?;
    } else if args.csv {
        write_csv(&mut out, &d)?;
    } else if args.markdown {
        write_markdown(&mut out, &d)?;
    } else {
        let colour = crate::output::stdout_is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        write_human(&mut out, &d, colour)?;
    }
    out.flush()?;
    Ok(EXIT_OK)
}

/// Loads a plan from a file (text export or plan JSON) or from the index by id.
fn load(key: &str, data: &crate::store::StoreArgs) -> anyhow::Result<Plan> {
    let path = Path::new(key);
    if path.is_file() {
        let bytes = std::fs::read(path).with_context(|| format!("{key}: cannot read"))?;
        if let Some(plan) = plan_json(&bytes) {
            return Ok(plan);
        }
        return plan_from_path(path).with_context(|| key.to_string());
    }
    if path.is_dir() {
        bail!("{key} is a directory; give one plan file or plan id");
    }
    plan_by_id(key, data)
}

/// Looks a plan up in the index by id, id prefix or imported path.
fn plan_by_id(key: &str, data: &crate::store::StoreArgs) -> anyhow::Result<Plan> {
    let store = match data.open() {
        Ok(s) => s,
        Err(e)
            if data.db.is_none()
                && matches!(e.downcast_ref(), Some(kehoach_index::Error::NotFound(_))) =>
        {
            bail!(
                "no such file or plan id: {key} (and no index in {} to look the id up)",
                data.shown()
            )
        }
        Err(e) => {
            return Err(e)
                .with_context(|| format!("{key}: cannot open the index in {}", data.shown()))
        }
    };
    let found = store.find(key)?;
    match found.as_slice() {
        [] => bail!(
            "no such file or plan id: {key} (`kehoach plans {}` lists the ids)",
            data.lister()
        ),
        [one] => store
            .plan(&one.id)?
            .with_context(|| format!("plan {} vanished from the index", one.id)),
        many => {
            let ids: Vec<String> = many
                .iter()
                .take(10)
                .map(|p| format!("{} ({})", p.id, p.file_path))
                .collect();
            bail!(
                "{key} matches {} plans: {}; give more of the id",
                many.len(),
                ids.join(", ")
            )
        }
    }
}

/// A plan record if `bytes` are kehoach/plan@1 JSON.
fn plan_json(bytes: &[u8]) -> Option<Plan> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if !text.starts_with('{') {
        return None;
    }
    serde_json::from_str::<Plan>(text)
        .ok()
        .filter(|p| p.schema == kehoach_plan::SCHEMA)
}

/// `29 (1.2)`: seq and printed number.
fn task_ref(seq: Option<u32>, number: Option<&str>) -> String {
    match (seq, number) {
        (Some(s), Some(n)) => format!("{s} ({n})"),
        (Some(s), None) => s.to_string(),
        (None, _) => "—".to_string(),
    }
}

fn side_line(label: &str, s: &kehoach_diff::PlanSide) -> String {
    let m = &s.meta;
    format!(
        "{label}: {}  {}  {}  {}  ({} tasks)",
        s.path,
        m.number.as_deref().unwrap_or("(no number)"),
        m.issuer.as_deref().unwrap_or("(no issuer)"),
        m.year
            .map_or_else(|| "(no year)".to_string(), |y| y.to_string()),
        s.tasks
    )
}

/// The signed change of a target's value: `+5`, `-2.5`.
fn target_delta(c: &Change) -> Option<String> {
    match (&c.from, &c.to) {
        (Some(Value::Target(x)), Some(Value::Target(y))) => {
            let d = y.value - x.value;
            Some(if d == 0.0 {
                String::new()
            } else if d > 0.0 {
                format!("+{}", fmt_num(d))
            } else {
                fmt_num(d)
            })
        }
        _ => None,
    }
}

/// The "Δ" cell: how much and which way.
fn delta(c: &Change) -> String {
    let dir = c.direction.map(Direction::as_str).unwrap_or("");
    match c.kind {
        ChangeKind::TargetChanged => {
            let d = target_delta(c).unwrap_or_default();
            if d.is_empty() {
                dir.to_string()
            } else {
                format!("{dir} {d}")
            }
        }
        ChangeKind::DeadlineChanged => match c.relative_shift_days.or(c.shift_days) {
            Some(days) => format!("{dir} {days:+} d"),
            None => String::new(),
        },
        ChangeKind::Reworded => c
            .similarity
            .map(|s| format!("sim {s:.2}"))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The "what" cell: the metric, roles or task text.
fn what(c: &Change) -> String {
    match c.kind {
        ChangeKind::TargetChanged => c.metric.clone().unwrap_or_default(),
        ChangeKind::UnitsChanged => {
            let roles: Vec<&str> = c
                .roles
                .iter()
                .map(|r| match r {
                    kehoach_diff::Role::Lead => "lead",
                    kehoach_diff::Role::Support => "support",
                })
                .collect();
            format!(
                "[{}] {}",
                roles.join("+"),
                c.content.as_deref().unwrap_or("")
            )
        }
        _ => c.content.clone().unwrap_or_default(),
    }
}

fn value(v: Option<&Value>) -> String {
    v.map(Value::display).unwrap_or_default()
}

/// The text of a units change for one side: only the roles that changed.
fn units_cell(c: &Change, v: Option<&Value>) -> String {
    match v {
        Some(Value::Units(u)) => {
            let mut parts = Vec::new();
            for r in &c.roles {
                match r {
                    kehoach_diff::Role::Lead => {
                        parts.push(format!("lead: {}", join_or_dash(&u.lead)))
                    }
                    kehoach_diff::Role::Support => {
                        parts.push(format!("support: {}", join_or_dash(&u.support)))
                    }
                }
            }
            parts.join(" | ")
        }
        other => value(other),
    }
}

fn join_or_dash(v: &[String]) -> String {
    if v.is_empty() {
        "—".to_string()
    } else {
        v.join("; ")
    }
}

fn from_to(c: &Change) -> (String, String) {
    if c.kind == ChangeKind::UnitsChanged {
        (units_cell(c, c.from.as_ref()), units_cell(c, c.to.as_ref()))
    } else {
        (value(c.from.as_ref()), value(c.to.as_ref()))
    }
}

fn summary(d: &PlanDiff) -> String {
    let mut parts = vec![
        format!("{} aligned", d.aligned),
        format!("{} unchanged", d.unchanged),
    ];
    for k in [
        ChangeKind::TargetChanged,
        ChangeKind::DeadlineChanged,
        ChangeKind::UnitsChanged,
        ChangeKind::Reworded,
        ChangeKind::Added,
        ChangeKind::Removed,
    ] {
        let n = d.count(k);
        if n > 0 {
            parts.push(format!("{n} {}", k.as_str()));
        }
    }
    parts.join(", ")
}

fn colour_of(c: &Change) -> &'static str {
    match (c.kind, c.direction) {
        (ChangeKind::Added, _) | (ChangeKind::TargetChanged, Some(Direction::Raised)) => "\x1b[32m",
        (ChangeKind::Removed, _) | (ChangeKind::TargetChanged, Some(Direction::Lowered)) => {
            "\x1b[31m"
        }
        (ChangeKind::TargetChanged, _) => "\x1b[33m",
        (ChangeKind::DeadlineChanged, _) => "\x1b[36m",
        (ChangeKind::Unchanged, _) => "\x1b[2m",
        _ => "",
    }
}

/// The changes grouped by kind (targets first), each group in document order.
fn for_reading(d: &PlanDiff) -> Vec<&Change> {
    let mut v: Vec<&Change> = d.changes.iter().collect();
    v.sort_by_key(|c| c.kind);
    v
}

fn write_human(out: &mut impl Write, d: &PlanDiff, colour: bool) -> std::io::Result<()> {
    writeln!(out, "{}", side_line("A", &d.a))?;
    writeln!(out, "{}", side_line("B", &d.b))?;
    if d.a.tasks == 0 && d.b.tasks == 0 {
        writeln!(out, "neither plan has task records; nothing to compare")?;
        return Ok(());
    }
    if d.real_changes().next().is_none() {
        writeln!(out, "no changes: {}", summary(d))?;
        if d.changes.is_empty() {
            return Ok(());
        }
    }
    let changes = for_reading(d);
    let rows: Vec<Vec<String>> = changes
        .iter()
        .map(|c| {
            let (from, to) = from_to(c);
            let width = if c.kind == ChangeKind::Reworded {
                40
            } else {
                28
            };
            vec![
                c.kind.as_str().to_string(),
                task_ref(c.a_seq, c.a_number.as_deref()),
                task_ref(c.b_seq, c.b_number.as_deref()),
                clip(&what(c), 48),
                clip(&from, width),
                clip(&to, width),
                delta(c),
            ]
        })
        .collect();
    let text = table(&["change", "A", "B", "what", "from", "to", "Δ"], &rows);
    for (k, line) in text.lines().enumerate() {
        // Lines 0 and 1 are the header and its rule; rows follow in order.
        let code = match k.checked_sub(2).and_then(|i| changes.get(i)) {
            Some(c) if colour => colour_of(c),
            _ if colour && k < 2 => "\x1b[1m",
            _ => "",
        };
        if code.is_empty() {
            writeln!(out, "{line}")?;
        } else {
            writeln!(out, "{code}{line}\x1b[0m")?;
        }
    }
    writeln!(out, "{}", summary(d))
}

/// CSV columns of `--csv`.
const CSV_HEADER: &[&str] = &[
    "kind",
    "a_seq",
    "b_seq",
    "a_number",
    "b_number",
    "similarity",
    "metric",
    "from",
    "to",
    "direction",
    "delta",
    "shift_days",
    "relative_shift_days",
    "content",
];

fn csv_row(c: &Change) -> Vec<String> {
    let (from, to) = from_to(c);
    vec![
        c.kind.as_str().to_string(),
        c.a_seq.map(|x| x.to_string()).unwrap_or_default(),
        c.b_seq.map(|x| x.to_string()).unwrap_or_default(),
        c.a_number.clone().unwrap_or_default(),
        c.b_number.clone().unwrap_or_default(),
        c.similarity.map(|x| x.to_string()).unwrap_or_default(),
        c.metric.clone().unwrap_or_default(),
        from,
        to,
        c.direction
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        target_delta(c).unwrap_or_default(),
        c.shift_days.map(|x| x.to_string()).unwrap_or_default(),
        c.relative_shift_days
            .map(|x| x.to_string())
            .unwrap_or_default(),
        c.content.clone().unwrap_or_default(),
    ]
}

fn write_csv(out: &mut impl Write, d: &PlanDiff) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER)?;
    for c in &d.changes {
        w.write_record(csv_row(c))?;
    }
    w.flush()?;
    Ok(())
}

/// Escapes a Markdown table cell.
fn md(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
}

fn write_markdown(out: &mut impl Write, d: &PlanDiff) -> std::io::Result<()> {
    let title = |s: &kehoach_diff::PlanSide| {
        format!(
            "{} {} ({})",
            s.meta.issuer.as_deref().unwrap_or("?"),
            s.meta
                .year
                .map_or_else(|| "?".to_string(), |y| y.to_string()),
            s.path
        )
    };
    writeln!(out, "## {} → {}", md(&title(&d.a)), md(&title(&d.b)))?;
    writeln!(out)?;
    writeln!(out, "{}", summary(d))?;
    if d.changes.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "| change | A | B | what | from | to | Δ |")?;
    writeln!(out, "|---|---|---|---|---|---|---|")?;
    for c in for_reading(d) {
        let (from, to) = from_to(c);
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            c.kind.as_str(),
            task_ref(c.a_seq, c.a_number.as_deref()),
            task_ref(c.b_seq, c.b_number.as_deref()),
            md(&what(c)),
            md(&from),
            md(&to),
            md(&delta(c))
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gold(stem: &str) -> Plan {
        let path = format!(
            "{}/../../fixtures/gold/{stem}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).unwrap_or_default();
        plan_json(&bytes).unwrap_or_else(|| panic!("{path} is a plan"))
    }

    fn gold_diff() -> PlanDiff {
        kehoach_diff::diff(
            &gold("003_39456b49d95a0e63"),
            &gold("001_0d47e3459e23ee36"),
            &kehoach_diff::Options::default(),
        )
    }

    #[test]
    fn human_output_lists_target_changes() {
        let mut buf = Vec::new();
        write_human(&mut buf, &gold_diff(), false).unwrap_or_default();
        let text = String::from_utf8(buf).unwrap_or_default();
        assert!(text.contains(">= 90%") && text.contains(">= 95%"), "{text}");
        assert!(text.contains("raised +5"));
        assert!(!text.contains('\x1b'));
        let mut buf = Vec::new();
        write_human(&mut buf, &gold_diff(), true).unwrap_or_default();
        assert!(String::from_utf8(buf)
            .unwrap_or_default()
            .contains("\x1b[32m"));
    }

    #[test]
    fn csv_and_markdown_have_a_row_per_change() {
        let d = gold_diff();
        let mut buf = Vec::new();
        write_csv(&mut buf, &d).unwrap_or_default();
        let mut r = csv::Reader::from_reader(buf.as_slice());
        assert_eq!(r.records().count(), d.changes.len());
        let mut buf = Vec::new();
        write_markdown(&mut buf, &d).unwrap_or_default();
        let text = String::from_utf8(buf).unwrap_or_default();
        assert_eq!(
            text.lines().filter(|l| l.starts_with("| ")).count(),
            d.changes.len() + 1
        );
    }

    #[test]
    fn identical_plans_say_no_changes() {
        let p = gold("003_39456b49d95a0e63");
        let d = kehoach_diff::diff(&p, &p, &kehoach_diff::Options::default());
        let mut buf = Vec::new();
        write_human(&mut buf, &d, false).unwrap_or_default();
        assert!(String::from_utf8(buf)
            .unwrap_or_default()
            .contains("no changes: 45 aligned, 45 unchanged"));
    }
}
