//! Targets down the hierarchy: one metric followed from a plan to the
//! imported plans implementing it ([`kehoach_index::links`]), level by level,
//! each level's figure compared with the one above.

use crate::series::{Point, SAME_METRIC};
use kehoach_diff::sim::text_similarity;
use kehoach_index::links::{citing, LinkedPlan, Resolver};
use kehoach_index::{PlanStore, PlanSummary};
use kehoach_plan::{Op, Plan, Target};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// How a level's figure stands to the level above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strictness {
    /// Harder to reach (higher for `≥`, `>` and `=` goals; lower for `≤`, `<`).
    Stricter,
    /// The same figure.
    Equal,
    /// Easier to reach.
    Looser,
    /// Not comparable: the comparators or the units differ.
    Different,
}

impl Strictness {
    /// `stricter`, `equal`, `looser`, `different`.
    pub fn as_str(self) -> &'static str {
        match self {
            Strictness::Stricter => "stricter",
            Strictness::Equal => "equal",
            Strictness::Looser => "looser",
            Strictness::Different => "different",
        }
    }
}

/// Compares a target with the one of the level above.
///
/// ```
/// use kehoach_export::cascade::{compare, Strictness};
/// use kehoach_plan::Op;
/// assert_eq!(compare((Op::Ge, 95.0, "%"), (Op::Ge, 92.0, "%")), Strictness::Looser);
/// assert_eq!(compare((Op::Le, 5.0, "%"), (Op::Le, 3.0, "%")), Strictness::Stricter);
/// ```
pub fn compare(above: (Op, f64, &str), this: (Op, f64, &str)) -> Strictness {
    let upward = |op: Op| matches!(op, Op::Ge | Op::Gt | Op::Eq);
    let unit = |u: &str| kehoach_text::fold(u.trim());
    if unit(above.2) != unit(this.2) || upward(above.0) != upward(this.0) {
        return Strictness::Different;
    }
    const EPS: f64 = 1e-9;
    let (a, b) = (above.1, this.1);
    if (a - b).abs() < EPS {
        if above.0 == this.0 {
            return Strictness::Equal;
        }
        // `> 90` is stricter than `≥ 90`, `< 5` than `≤ 5`.
        let strict = |op: Op| matches!(op, Op::Gt | Op::Lt);
        return match (strict(above.0), strict(this.0)) {
            (false, true) => Strictness::Stricter,
            (true, false) => Strictness::Looser,
            _ => Strictness::Equal,
        };
    }
    if (b > a) == upward(this.0) {
        Strictness::Stricter
    } else {
        Strictness::Looser
    }
}

/// One plan's figure in a cascade.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Level {
    /// 0 for the plan the cascade starts from, 1 for the plans implementing it, …
    pub level: u32,
    /// Index in [`Cascade::levels`] of the level above (`None` at the top).
    pub parent: Option<usize>,
    /// The plan.
    pub plan: LinkedPlan,
    /// The task's `seq`.
    pub seq: u32,
    /// The target as this plan words it (flattened: the same JSON fields
    /// as a task's target).
    #[serde(flatten)]
    pub target: Target,
    /// How it stands to the level above (`None` at the top).
    pub compared: Option<Strictness>,
}

impl Level {
    /// `≥ 95%`.
    pub fn display(&self) -> String {
        crate::series::target_display(&self.target)
    }
}

/// One metric followed down the plans implementing the top one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cascade {
    /// The metric as the top plan words it.
    pub metric: String,
    /// The top plan's figure first, then depth first, each plan's implementers
    /// in file path order.
    pub levels: Vec<Level>,
}

/// Follows the targets of `points` (the targets matching a query) down the
/// plans implementing theirs, `depth` levels deep. A point whose plan
/// implements the plan of another point starts no cascade of its own (it
/// appears in that one's). A metric is found in an implementing plan when a
/// target there is worded alike (similarity at least that of one series, the
/// same unit); the most similar one is taken.
pub fn cascades(
    store: &dyn PlanStore,
    points: &[Point],
    depth: u32,
) -> kehoach_index::Result<Vec<Cascade>> {
    let mut resolver = Resolver::new(store);
    let mut summaries: HashMap<String, PlanSummary> = HashMap::new();
    for p in points {
        if !summaries.contains_key(&p.plan_id) {
            if let Some(s) = store.summary(&p.plan_id)? {
                summaries.insert(p.plan_id.clone(), s);
            }
        }
    }
    // Plans of points whose basis resolves to the plan of another point.
    let with_points: HashSet<&str> = points.iter().map(|p| p.plan_id.as_str()).collect();
    let mut below: HashSet<String> = HashSet::new();
    for (id, s) in &summaries {
        for r in &s.head.meta.basis {
            let res = resolver.resolve(r, id)?;
            if res
                .plan
                .as_ref()
                .is_some_and(|q| with_points.contains(q.id.as_str()))
            {
                below.insert(id.clone());
            }
        }
    }
    let mut plans: HashMap<String, Option<Plan>> = HashMap::new();
    let mut out = Vec::new();
    for p in points.iter().filter(|p| !below.contains(&p.plan_id)) {
        let Some(top) = summaries.get(&p.plan_id) else {
            continue;
        };
        let mut levels = vec![Level {
            level: 0,
            parent: None,
            plan: LinkedPlan::of(top),
            seq: p.seq,
            target: p.target.clone(),
            compared: None,
        }];
        let mut seen = HashSet::from([top.id.clone()]);
        follow(
            store,
            &mut resolver,
            &mut plans,
            top,
            0,
            depth,
            &mut seen,
            &mut levels,
        )?;
        out.push(Cascade {
            metric: p.target.metric.clone(),
            levels,
        });
    }
    Ok(out)
}

/// The target of `plan` worded most like `metric`, in `unit`.
fn best_target<'a>(plan: &'a Plan, metric: &str, unit: &str) -> Option<(u32, &'a Target)> {
    let unit = kehoach_text::fold(unit.trim());
    let mut best: Option<(f64, u32, &Target)> = None;
    for task in &plan.tasks {
        for t in &task.targets {
            if kehoach_text::fold(t.unit.trim()) != unit {
                continue;
            }
            let s = text_similarity(metric, &t.metric);
            if s >= SAME_METRIC && best.as_ref().is_none_or(|b| s > b.0) {
                best = Some((s, task.seq, t));
            }
        }
    }
    best.map(|(_, seq, t)| (seq, t))
}

#[allow(clippy::too_many_arguments)]
fn follow(
    store: &dyn PlanStore,
    resolver: &mut Resolver<'_>,
    plans: &mut HashMap<String, Option<Plan>>,
    above: &PlanSummary,
    at: usize,
    depth: u32,
    seen: &mut HashSet<String>,
    levels: &mut Vec<Level>,
) -> kehoach_index::Result<()> {
    let level = levels[at].level + 1;
    if level > depth {
        return Ok(());
    }
    for (child, _) in citing(resolver, above)? {
        if child.head.meta.doc_type.as_deref() == Some("BC") || !seen.insert(child.id.clone()) {
            continue;
        }
        if !plans.contains_key(&child.id) {
            plans.insert(child.id.clone(), store.plan(&child.id)?);
        }
        let Some(Some(plan)) = plans.get(&child.id) else {
            continue;
        };
        let a = &levels[at];
        let a = &a.target;
        let Some((seq, t)) = best_target(plan, &a.metric, &a.unit) else {
            continue;
        };
        let compared = compare((a.op, a.value, &a.unit), (t.op, t.value, &t.unit));
        levels.push(Level {
            level,
            parent: Some(at),
            plan: LinkedPlan::of(&child),
            seq,
            target: t.clone(),
            compared: Some(compared),
        });
        let here = levels.len() - 1;
        follow(store, resolver, plans, &child, here, depth, seen, levels)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictness_by_direction() {
        assert_eq!(
            compare((Op::Ge, 90.0, "%"), (Op::Ge, 92.0, "%")),
            Strictness::Stricter
        );
        assert_eq!(
            compare((Op::Ge, 90.0, "%"), (Op::Ge, 90.0, "%")),
            Strictness::Equal
        );
        assert_eq!(
            compare((Op::Eq, 100.0, "%"), (Op::Eq, 100.0, "%")),
            Strictness::Equal
        );
        assert_eq!(
            compare((Op::Le, 5.0, "%"), (Op::Le, 7.0, "%")),
            Strictness::Looser
        );
        assert_eq!(
            compare((Op::Ge, 90.0, "%"), (Op::Gt, 90.0, "%")),
            Strictness::Stricter
        );
        assert_eq!(
            compare((Op::Ge, 90.0, "%"), (Op::Le, 90.0, "%")),
            Strictness::Different
        );
        assert_eq!(
            compare((Op::Ge, 90.0, "%"), (Op::Ge, 90.0, "hồ sơ")),
            Strictness::Different
        );
    }
}
