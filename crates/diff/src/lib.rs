//! Compares two plans (`kehoach diff A B`).
//!
//! [`diff`] aligns the task records of two plans one-to-one (see [`align`])
//! and reports, for each aligned pair, what changed: targets (metric, old and
//! new comparator and value, raised or lowered), the deadline (with the shift
//! in days), the lead/support units, and the wording. Tasks without a
//! counterpart are reported as added or removed; unchanged pairs are counted.
//!
//! The result, [`PlanDiff`], serialises to the JSON shape of `kehoach diff --json`:
//!
//! ```json
//! {"a": {…plan meta…}, "b": {…}, "unchanged": 30,
//!  "changes": [{"kind": "target_changed", "a_seq": 29, "b_seq": 23, "similarity": 0.93,
//!               "metric": "…", "from": {"op": ">=", "value": 90.0}, "to": {"op": ">=", "value": 95.0},
//!               "direction": "raised"}]}
//! ```

pub mod align;
pub mod sim;

use kehoach_plan::date::{days_between, Date};
use kehoach_plan::{DueKind, Meta, Op, Plan, Target, Task};
use serde::{Deserialize, Serialize};
use sim::{masked_tokens, similarity, wording_key, Interner, Profile};

/// Options of [`diff`].
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Minimum content similarity for two tasks to be aligned.
    pub threshold: f64,
    /// Also list aligned pairs without changes (kind `unchanged`).
    pub include_unchanged: bool,
    /// Compare deadlines relative to each plan's year, so that `Tháng 12/2024`
    /// in a 2024 plan and `Tháng 12/2025` in a 2025 plan are the same deadline.
    pub year_relative: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold: 0.5,
            include_unchanged: false,
            year_relative: true,
        }
    }
}

/// One side of a diff: the plan's metadata, where it came from, and its size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSide {
    /// The plan's header metadata.
    #[serde(flatten)]
    pub meta: Meta,
    /// The plan's source path.
    pub path: String,
    /// Number of task records.
    pub tasks: usize,
}

impl PlanSide {
    /// The side of `plan`.
    pub fn of(plan: &Plan) -> PlanSide {
        PlanSide {
            meta: plan.meta.clone(),
            path: plan.source.path.clone(),
            tasks: plan.tasks.len(),
        }
    }
}

/// The result of comparing two plans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanDiff {
    /// The old plan.
    pub a: PlanSide,
    /// The new plan.
    pub b: PlanSide,
    /// Aligned task pairs.
    pub aligned: usize,
    /// Aligned pairs with no change.
    pub unchanged: usize,
    /// One entry per changed attribute of an aligned pair, and one per added or removed task.
    pub changes: Vec<Change>,
}

impl PlanDiff {
    /// Number of changes of `kind`.
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }

    /// Changes other than `unchanged` entries.
    pub fn real_changes(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| c.kind != ChangeKind::Unchanged)
    }
}

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A target's comparator or value changed.
    TargetChanged,
    /// The deadline changed.
    DeadlineChanged,
    /// The lead or support units changed.
    UnitsChanged,
    /// The task's wording changed beyond its numbers.
    Reworded,
    /// A task only the new plan has.
    Added,
    /// A task only the old plan has.
    Removed,
    /// An aligned pair without changes (listed only on request).
    Unchanged,
}

impl ChangeKind {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::TargetChanged => "target_changed",
            ChangeKind::DeadlineChanged => "deadline_changed",
            ChangeKind::UnitsChanged => "units_changed",
            ChangeKind::Reworded => "reworded",
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Unchanged => "unchanged",
        }
    }
}

/// Which way a value moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A target's bound went up.
    Raised,
    /// A target's bound went down.
    Lowered,
    /// A deadline moved later.
    Later,
    /// A deadline moved earlier.
    Earlier,
    /// Changed without a clear direction.
    Changed,
}

impl Direction {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Raised => "raised",
            Direction::Lowered => "lowered",
            Direction::Later => "later",
            Direction::Earlier => "earlier",
            Direction::Changed => "changed",
        }
    }
}

/// A target's comparator and value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetValue {
    /// The comparator.
    pub op: Op,
    /// The number.
    pub value: f64,
    /// The unit (`%`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl TargetValue {
    fn of(t: &Target) -> TargetValue {
        TargetValue {
            op: t.op,
            value: t.value,
            unit: Some(t.unit.clone()).filter(|u| !u.is_empty()),
        }
    }

    /// `>= 90%`.
    pub fn display(&self) -> String {
        format!(
            "{} {}{}",
            self.op.as_str(),
            fmt_num(self.value),
            self.unit.as_deref().unwrap_or("")
        )
    }
}

/// A target that only one side of an aligned pair has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoneTarget {
    /// What it measures.
    pub metric: String,
    /// The comparator.
    pub op: Op,
    /// The number.
    pub value: f64,
    /// The unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl LoneTarget {
    fn of(t: &Target) -> LoneTarget {
        LoneTarget {
            metric: t.metric.clone(),
            op: t.op,
            value: t.value,
            unit: Some(t.unit.clone()).filter(|u| !u.is_empty()),
        }
    }
}

/// A deadline as printed and as parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadlineValue {
    /// The deadline cell as printed.
    pub text: Option<String>,
    /// The parsed kind.
    pub kind: Option<DueKind>,
    /// The last day allowed (ISO).
    pub by: Option<String>,
}

impl DeadlineValue {
    fn of(t: &Task) -> DeadlineValue {
        DeadlineValue {
            text: t.deadline.clone(),
            kind: t.due.as_ref().map(|d| d.kind),
            by: t.due.as_ref().and_then(|d| d.by.clone()),
        }
    }

    /// The printed text, else the parsed date, else `—`.
    pub fn display(&self) -> String {
        self.text
            .clone()
            .or_else(|| self.by.clone())
            .unwrap_or_else(|| "—".to_string())
    }
}

/// The lead and support units of a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitsValue {
    /// Lead units.
    pub lead: Vec<String>,
    /// Support units.
    pub support: Vec<String>,
}

/// The old or new value of a changed attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// A target's comparator and value.
    Target(TargetValue),
    /// Lead and support units.
    Units(UnitsValue),
    /// A deadline.
    Deadline(DeadlineValue),
    /// A task's text.
    Text(String),
}

impl Value {
    /// A one-line rendering for tables.
    pub fn display(&self) -> String {
        match self {
            Value::Target(t) => t.display(),
            Value::Deadline(d) => d.display(),
            Value::Units(u) => {
                let mut parts = Vec::new();
                if !u.lead.is_empty() {
                    parts.push(u.lead.join("; "));
                }
                if !u.support.is_empty() {
                    parts.push(format!("(+ {})", u.support.join("; ")));
                }
                if parts.is_empty() {
                    "—".to_string()
                } else {
                    parts.join(" ")
                }
            }
            Value::Text(s) => s.clone(),
        }
    }
}

/// Which unit role changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The lead (chủ trì) units.
    Lead,
    /// The support (phối hợp) units.
    Support,
}

/// One changed attribute of an aligned pair, or an added/removed task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// The old task's `seq` (null for added tasks).
    pub a_seq: Option<u32>,
    /// The new task's `seq` (null for removed tasks).
    pub b_seq: Option<u32>,
    /// The old task's number as printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a_number: Option<String>,
    /// The new task's number as printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b_number: Option<String>,
    /// Content similarity of the aligned pair (rounded to 3 decimals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f64>,
    /// The task's content (the new one when there is one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// For target changes: what the target measures (the new wording).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// The old value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Value>,
    /// The new value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Value>,
    /// Which way a target or deadline moved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Days from the old to the new deadline, when both have a date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift_days: Option<i64>,
    /// [`Change::shift_days`] less the years between the plans (`Tháng 6/2024` in a
    /// 2024 plan → `Tháng 7/2025` in a 2025 plan is +31), when the plan years differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relative_shift_days: Option<i64>,
    /// For unit changes: the roles whose units changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    /// For rewordings: targets only the old task has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed_targets: Vec<LoneTarget>,
    /// For rewordings: targets only the new task has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added_targets: Vec<LoneTarget>,
}

impl Change {
    fn new(kind: ChangeKind, a: Option<&Task>, b: Option<&Task>) -> Change {
        Change {
            kind,
            a_seq: a.map(|t| t.seq),
            b_seq: b.map(|t| t.seq),
            a_number: a.and_then(|t| t.number.clone()),
            b_number: b.and_then(|t| t.number.clone()),
            similarity: None,
            content: b.or(a).map(align::task_text).filter(|s| !s.is_empty()),
            metric: None,
            from: None,
            to: None,
            direction: None,
            shift_days: None,
            relative_shift_days: None,
            roles: Vec::new(),
            removed_targets: Vec::new(),
            added_targets: Vec::new(),
        }
    }
}

/// Formats a number without a needless `.0`.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Compares plan `a` (old) with plan `b` (new).
pub fn diff(a: &Plan, b: &Plan, opts: &Options) -> PlanDiff {
    let pairs = align::align(&a.tasks, &b.tasks, opts.threshold);
    let year_offset = if opts.year_relative {
        year_offset(a, b, &pairs)
    } else {
        0
    };
    let mut paired_a = vec![None; a.tasks.len()];
    let mut paired_b = vec![false; b.tasks.len()];
    // (position key, changes) so the output follows the new plan's order.
    let mut keyed: Vec<((usize, u8, usize), Change)> = Vec::new();
    let mut unchanged = 0;
    for p in &pairs {
        paired_a[p.a] = Some(p.b);
        paired_b[p.b] = true;
        let (ta, tb) = (&a.tasks[p.a], &b.tasks[p.b]);
        let changes = compare_pair(ta, tb, p.similarity, year_offset);
        if changes.is_empty() {
            unchanged += 1;
            if opts.include_unchanged {
                let mut c = Change::new(ChangeKind::Unchanged, Some(ta), Some(tb));
                c.similarity = Some(round3(p.similarity));
                keyed.push(((p.b, 0, p.a), c));
            }
        }
        for c in changes {
            keyed.push(((p.b, 0, p.a), c));
        }
    }
    for (j, t) in b.tasks.iter().enumerate() {
        if !paired_b[j] {
            keyed.push((
                (j, 0, usize::MAX),
                Change::new(ChangeKind::Added, None, Some(t)),
            ));
        }
    }
    // A removed task goes after the new position of the nearest earlier aligned task.
    let mut anchor: usize = 0;
    let mut before_any = true;
    for (i, t) in a.tasks.iter().enumerate() {
        match paired_a[i] {
            Some(j) => {
                anchor = j;
                before_any = false;
            }
            None => {
                let key = if before_any {
                    (0, 0, i)
                } else {
                    (anchor, 1, i)
                };
                keyed.push((key, Change::new(ChangeKind::Removed, Some(t), None)));
            }
        }
    }
    keyed.sort_by(|x, y| x.0.cmp(&y.0).then(x.1.kind.cmp(&y.1.kind)));
    PlanDiff {
        a: PlanSide::of(a),
        b: PlanSide::of(b),
        aligned: pairs.len(),
        unchanged,
        changes: keyed.into_iter().map(|(_, c)| c).collect(),
    }
}

/// A plan's year: the year it covers, else its date's year.
fn plan_year(p: &Plan) -> Option<i32> {
    p.meta.year.or_else(|| {
        p.meta
            .date
            .as_deref()
            .and_then(Date::parse_iso)
            .map(|d| d.year)
    })
}

/// Years from plan `a` to plan `b`: from their years when both are known, else
/// the most common year difference between the deadlines of aligned tasks.
fn year_offset(a: &Plan, b: &Plan, pairs: &[align::Pair]) -> i32 {
    if let (Some(x), Some(y)) = (plan_year(a), plan_year(b)) {
        return y - x;
    }
    let mut counts: std::collections::BTreeMap<i32, usize> = std::collections::BTreeMap::new();
    for p in pairs {
        let by = |t: &Task| {
            t.due
                .as_ref()
                .and_then(|d| d.by.as_deref())
                .and_then(Date::parse_iso)
        };
        if let (Some(x), Some(y)) = (by(&a.tasks[p.a]), by(&b.tasks[p.b])) {
            *counts.entry(y.year - x.year).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|x, y| x.1.cmp(&y.1).then(y.0.abs().cmp(&x.0.abs())))
        .map_or(0, |(k, _)| k)
}

/// The changes between two aligned tasks (empty when nothing changed).
pub fn compare_pair(a: &Task, b: &Task, sim: f64, year_offset: i32) -> Vec<Change> {
    let mut out = Vec::new();
    let simr = Some(round3(sim));

    // Targets.
    let (pairs, lone_a, lone_b) = pair_targets(&a.targets, &b.targets);
    for (i, j) in pairs {
        let (x, y) = (&a.targets[i], &b.targets[j]);
        let unit_changed = kehoach_text::fold(x.unit.trim()) != kehoach_text::fold(y.unit.trim());
        if x.op == y.op && (x.value - y.value).abs() < 1e-9 && !unit_changed {
            continue;
        }
        let mut c = Change::new(ChangeKind::TargetChanged, Some(a), Some(b));
        c.similarity = simr;
        c.metric = Some(y.metric.clone());
        c.from = Some(Value::Target(TargetValue::of(x)));
        c.to = Some(Value::Target(TargetValue::of(y)));
        c.direction = Some(if unit_changed {
            Direction::Changed
        } else {
            target_direction(x, y)
        });
        out.push(c);
    }

    // Deadline.
    if let Some(c) = deadline_change(a, b, year_offset) {
        let mut c = c;
        c.similarity = simr;
        out.push(c);
    }

    // Units.
    let (la, lb) = (
        units_of(&a.lead_units, a.lead.as_deref()),
        units_of(&b.lead_units, b.lead.as_deref()),
    );
    let (sa, sb) = (
        units_of(&a.support_units, a.support.as_deref()),
        units_of(&b.support_units, b.support.as_deref()),
    );
    let mut roles = Vec::new();
    if unit_set(&la) != unit_set(&lb) {
        roles.push(Role::Lead);
    }
    if unit_set(&sa) != unit_set(&sb) {
        roles.push(Role::Support);
    }
    if !roles.is_empty() {
        let mut c = Change::new(ChangeKind::UnitsChanged, Some(a), Some(b));
        c.similarity = simr;
        c.from = Some(Value::Units(UnitsValue {
            lead: la,
            support: sa,
        }));
        c.to = Some(Value::Units(UnitsValue {
            lead: lb,
            support: sb,
        }));
        c.roles = roles;
        out.push(c);
    }

    // Wording (numbers and comparators aside, which target changes cover).
    let (xa, xb) = (align::task_text(a), align::task_text(b));
    if wording_key(&xa) != wording_key(&xb) {
        let mut c = Change::new(ChangeKind::Reworded, Some(a), Some(b));
        c.similarity = simr;
        c.from = Some(Value::Text(xa));
        c.to = Some(Value::Text(xb));
        c.removed_targets = lone_a
            .iter()
            .map(|&i| LoneTarget::of(&a.targets[i]))
            .collect();
        c.added_targets = lone_b
            .iter()
            .map(|&j| LoneTarget::of(&b.targets[j]))
            .collect();
        out.push(c);
    }
    out
}

/// The effective bound of a target, for comparing `> 90` with `>= 90`.
fn bound(t: &Target) -> (f64, i8) {
    let nudge = match t.op {
        Op::Gt => 1,
        Op::Lt => -1,
        Op::Ge | Op::Eq | Op::Le => 0,
    };
    (t.value, nudge)
}

fn target_direction(a: &Target, b: &Target) -> Direction {
    let (va, na) = bound(a);
    let (vb, nb) = bound(b);
    if (vb - va).abs() >= 1e-9 {
        if vb > va {
            Direction::Raised
        } else {
            Direction::Lowered
        }
    } else if nb > na {
        Direction::Raised
    } else if nb < na {
        Direction::Lowered
    } else {
        Direction::Changed
    }
}

/// Pairs the targets of two aligned tasks by metric similarity (numbers masked),
/// then leftover targets by order. Returns the pairs and the unpaired indexes
/// of each side.
pub fn pair_targets(a: &[Target], b: &[Target]) -> (Vec<(usize, usize)>, Vec<usize>, Vec<usize>) {
    let mut interner = Interner::default();
    let pa: Vec<Profile> = a
        .iter()
        .map(|t| Profile::new(&masked_tokens(&t.metric), &mut interner))
        .collect();
    let pb: Vec<Profile> = b
        .iter()
        .map(|t| Profile::new(&masked_tokens(&t.metric), &mut interner))
        .collect();
    let mut cands = Vec::new();
    for (i, x) in pa.iter().enumerate() {
        for (j, y) in pb.iter().enumerate() {
            let s = similarity(x, y);
            if s >= 0.3 {
                cands.push((s, i, j));
            }
        }
    }
    cands.sort_by(|x, y| {
        y.0.total_cmp(&x.0)
            .then(
                (x.1 as i64 - x.2 as i64)
                    .abs()
                    .cmp(&(y.1 as i64 - y.2 as i64).abs()),
            )
            .then(x.1.cmp(&y.1))
    });
    let mut used_a = vec![false; a.len()];
    let mut used_b = vec![false; b.len()];
    let mut pairs = Vec::new();
    for (_, i, j) in cands {
        if !used_a[i] && !used_b[j] {
            used_a[i] = true;
            used_b[j] = true;
            pairs.push((i, j));
        }
    }
    // Leftovers: when both sides have the same number left, pair them in order
    // if their metrics share anything at all and their units agree.
    let left_a: Vec<usize> = (0..a.len()).filter(|&i| !used_a[i]).collect();
    let left_b: Vec<usize> = (0..b.len()).filter(|&j| !used_b[j]).collect();
    if !left_a.is_empty() && left_a.len() == left_b.len() {
        for (&i, &j) in left_a.iter().zip(&left_b) {
            let same_unit =
                kehoach_text::fold(a[i].unit.trim()) == kehoach_text::fold(b[j].unit.trim());
            if same_unit && similarity(&pa[i], &pb[j]) >= 0.1 {
                used_a[i] = true;
                used_b[j] = true;
                pairs.push((i, j));
            }
        }
    }
    pairs.sort_unstable();
    let lone_a = (0..a.len()).filter(|&i| !used_a[i]).collect();
    let lone_b = (0..b.len()).filter(|&j| !used_b[j]).collect();
    (pairs, lone_a, lone_b)
}

/// Adds `years` to an ISO date (29 February becomes 28 February when needed).
fn shift_years(iso: &str, years: i32) -> Option<String> {
    let d = Date::parse_iso(iso)?;
    let y = d.year + years;
    Date::new(y, d.month, d.day)
        .or_else(|| Date::month_end(y, d.month))
        .map(|d| d.iso())
}

/// A deadline text with years masked, for comparing unparsed deadlines.
fn deadline_key(text: Option<&str>) -> Vec<String> {
    text.map(|t| {
        kehoach_text::fold(&kehoach_text::normalize(t))
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| {
                if w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()) {
                    "Y".to_string()
                } else {
                    w.to_string()
                }
            })
            .collect()
    })
    .unwrap_or_default()
}

fn deadline_change(a: &Task, b: &Task, year_offset: i32) -> Option<Change> {
    let changed = match (&a.due, &b.due) {
        (Some(x), Some(y)) => {
            x.kind != y.kind
                || match (&x.by, &y.by) {
                    (Some(p), Some(q)) => {
                        shift_years(p, year_offset).as_deref() != Some(q.as_str())
                    }
                    (None, None) => false,
                    _ => true,
                }
        }
        (None, None) => deadline_key(a.deadline.as_deref()) != deadline_key(b.deadline.as_deref()),
        _ => deadline_key(a.deadline.as_deref()) != deadline_key(b.deadline.as_deref()),
    };
    if !changed {
        return None;
    }
    let mut c = Change::new(ChangeKind::DeadlineChanged, Some(a), Some(b));
    let (fa, fb) = (DeadlineValue::of(a), DeadlineValue::of(b));
    if let (Some(p), Some(q)) = (&fa.by, &fb.by) {
        c.shift_days = days_between(p, q);
        if year_offset != 0 {
            c.relative_shift_days = shift_years(p, year_offset).and_then(|p| days_between(&p, q));
        }
        let rel = c.relative_shift_days.or(c.shift_days);
        c.direction = match rel {
            Some(d) if d > 0 => Some(Direction::Later),
            Some(d) if d < 0 => Some(Direction::Earlier),
            _ => Some(Direction::Changed),
        };
    }
    c.from = Some(Value::Deadline(fa));
    c.to = Some(Value::Deadline(fb));
    Some(c)
}

/// A task's units: the split list, else the raw cell split on `;`.
fn units_of(split: &[String], raw: Option<&str>) -> Vec<String> {
    if !split.is_empty() {
        return split.to_vec();
    }
    raw.map(kehoach_plan::units::split_units)
        .unwrap_or_default()
}

/// The comparable form of a unit list: folded names without trailing punctuation, as a set.
fn unit_set(units: &[String]) -> std::collections::BTreeSet<String> {
    units
        .iter()
        .map(|u| {
            let f = kehoach_text::fold(&kehoach_text::normalize(u));
            f.trim_matches(|c: char| c.is_whitespace() || matches!(c, ';' | ',' | '.' | ':'))
                .to_string()
        })
        .filter(|u| !u.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(metric: &str, op: Op, value: f64) -> Target {
        Target {
            metric: metric.into(),
            op,
            value,
            unit: "%".into(),
            text: String::new(),
        }
    }

    #[test]
    fn directions_follow_the_bound() {
        let d = |a, b| target_direction(&target("x", a, 90.0), &target("x", b, 90.0));
        assert_eq!(d(Op::Ge, Op::Gt), Direction::Raised);
        assert_eq!(d(Op::Gt, Op::Ge), Direction::Lowered);
        assert_eq!(d(Op::Ge, Op::Eq), Direction::Changed);
        assert_eq!(
            target_direction(&target("x", Op::Gt, 90.0), &target("x", Op::Ge, 95.0)),
            Direction::Raised
        );
    }

    #[test]
    fn targets_pair_by_metric_then_order() {
        let a = vec![
            target("hồ sơ giải quyết đúng hạn và trước hạn", Op::Gt, 90.0),
            target("hồ sơ giải quyết trước hạn", Op::Gt, 60.0),
        ];
        let b = vec![
            target("trả trước hạn", Op::Gt, 60.0),
            target("hồ sơ được giải quyết trước và đúng hạn", Op::Gt, 95.0),
        ];
        let (pairs, la, lb) = pair_targets(&a, &b);
        assert_eq!(pairs, vec![(0, 1), (1, 0)]);
        assert!(la.is_empty() && lb.is_empty());
    }

    #[test]
    fn shifts_years_safely() {
        assert_eq!(shift_years("2024-02-29", 1).as_deref(), Some("2025-02-28"));
        assert_eq!(shift_years("nonsense", 1), None);
    }
}
