//! Target timelines: every target whose metric matches a query, by year and issuer.

use crate::TaskRecord;
use kehoach_diff::sim::text_similarity;
use kehoach_plan::date::Date;
use kehoach_plan::{Op, Target};
use serde::{Deserialize, Serialize};

/// One target of one plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// The year the plan covers (else its date's year).
    pub year: Option<i32>,
    /// The issuer (name, else code, else the plan's path).
    pub issuer: String,
    /// The plan id.
    pub plan_id: String,
    /// The plan's source path.
    pub path: String,
    /// The task's `seq`.
    pub seq: u32,
    /// The target: metric, comparator, number, unit and the text it was
    /// read from (flattened: the same JSON fields as a task's target).
    #[serde(flatten)]
    pub target: Target,
}

impl Point {
    /// `≥ 90%`.
    pub fn display(&self) -> String {
        target_display(&self.target)
    }
}

/// A target's comparator, number and unit: `≥ 90%`.
pub fn target_display(t: &Target) -> String {
    format!(
        "{} {}{}",
        op_symbol(t.op),
        kehoach_diff::fmt_num(t.value),
        t.unit
    )
}

/// The typographic symbol of a comparator (`≥`).
pub fn op_symbol(op: Op) -> &'static str {
    match op {
        Op::Gt => ">",
        Op::Ge => "≥",
        Op::Eq => "=",
        Op::Lt => "<",
        Op::Le => "≤",
    }
}

/// Whether `metric` matches `query`: every folded word of the query occurs
/// among the folded words of the metric, in any order. An empty query matches
/// everything.
///
/// ```
/// use kehoach_export::series::metric_matches;
/// assert!(metric_matches("Mức độ hài lòng của người dân", "hài lòng"));
/// assert!(metric_matches("Mức độ hài lòng của người dân", "HAI LONG"));
/// assert!(!metric_matches("Mức độ hài lòng", "đúng hạn"));
/// ```
pub fn metric_matches(metric: &str, query: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        kehoach_text::fold(&kehoach_text::normalize(s))
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let m = words(metric);
    words(query).iter().all(|q| m.contains(q))
}

/// Every target of `records` whose metric matches `query`, in input order.
pub fn collect<'a>(records: impl IntoIterator<Item = TaskRecord<'a>>, query: &str) -> Vec<Point> {
    let mut out = Vec::new();
    for r in records {
        for t in &r.task.targets {
            if !metric_matches(&t.metric, query) {
                continue;
            }
            let year = r.meta.year.or_else(|| {
                r.meta
                    .date
                    .as_deref()
                    .and_then(Date::parse_iso)
                    .map(|d| d.year)
            });
            let issuer = r
                .meta
                .issuer
                .clone()
                .or_else(|| r.meta.issuer_code.clone())
                .unwrap_or_else(|| r.source.path.clone());
            out.push(Point {
                year,
                issuer,
                plan_id: r.id(),
                path: r.source.path.clone(),
                seq: r.task.seq,
                target: t.clone(),
            });
        }
    }
    out
}

/// A timeline: the targets of one issuer for one metric, by year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// The line's label (the issuer, plus the metric when the issuer has several).
    pub label: String,
    /// The issuer.
    pub issuer: String,
    /// The metric as first seen.
    pub metric: String,
    /// The unit.
    pub unit: String,
    /// The targets, by year then value.
    pub points: Vec<Point>,
}

/// Metrics at least this similar (numbers masked, diacritics ignored) are one metric.
pub const SAME_METRIC: f64 = 0.6;

/// Groups points into one series per issuer and metric (similar wordings are
/// one metric) and unit. Series are ordered by issuer, then first year.
pub fn group(points: &[Point]) -> Vec<Series> {
    let mut series: Vec<Series> = Vec::new();
    for p in points {
        let found = series.iter_mut().find(|s| {
            s.issuer == p.issuer
                && s.unit == p.target.unit
                && (s.metric == p.target.metric
                    || text_similarity(&s.metric, &p.target.metric) >= SAME_METRIC)
        });
        match found {
            Some(s) => s.points.push(p.clone()),
            None => series.push(Series {
                label: p.issuer.clone(),
                issuer: p.issuer.clone(),
                metric: p.target.metric.clone(),
                unit: p.target.unit.clone(),
                points: vec![p.clone()],
            }),
        }
    }
    for s in &mut series {
        s.points.sort_by(|a, b| {
            a.year
                .cmp(&b.year)
                .then(a.target.value.total_cmp(&b.target.value))
        });
    }
    // Issuers with several metrics get the metric in their labels.
    let issuers: Vec<String> = series.iter().map(|s| s.issuer.clone()).collect();
    for s in &mut series {
        if issuers.iter().filter(|i| **i == s.issuer).count() > 1 {
            s.label = format!("{} — {}", s.issuer, clip(&s.metric, 40));
        }
    }
    series.sort_by(|a, b| {
        a.issuer.cmp(&b.issuer).then(
            a.points
                .first()
                .map(|p| p.year)
                .cmp(&b.points.first().map(|p| p.year)),
        )
    });
    series
}

/// Cuts `s` to `n` characters with `…`.
pub(crate) fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars()
            .take(n.saturating_sub(1))
            .chain(std::iter::once('…'))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(year: i32, issuer: &str, metric: &str, value: f64) -> Point {
        Point {
            year: Some(year),
            issuer: issuer.into(),
            plan_id: "p".into(),
            path: "p.txt".into(),
            seq: 1,
            target: Target {
                metric: metric.into(),
                op: Op::Ge,
                value,
                unit: "%".into(),
                text: String::new(),
            },
        }
    }

    #[test]
    fn groups_by_issuer_and_similar_metric() {
        let pts = vec![
            point(
                2025,
                "Sở A",
                "Mức độ hài lòng của người dân, doanh nghiệp",
                95.0,
            ),
            point(
                2024,
                "Sở A",
                "mức độ hài lòng của người dân và doanh nghiệp",
                90.0,
            ),
            point(
                2024,
                "Sở A",
                "mức độ hài lòng về giải quyết TTHC lĩnh vực đất đai, đầu tư",
                85.0,
            ),
            point(
                2024,
                "Sở B",
                "Mức độ hài lòng của người dân, doanh nghiệp",
                80.0,
            ),
        ];
        let s = group(&pts);
        assert_eq!(s.len(), 3);
        let a = s
            .iter()
            .find(|s| s.points.len() == 2)
            .expect("a two-year series");
        assert_eq!(
            a.points.iter().map(|p| p.year).collect::<Vec<_>>(),
            vec![Some(2024), Some(2025)]
        );
        assert!(a.label.starts_with("Sở A — "));
        assert_eq!(
            s.iter()
                .find(|s| s.issuer == "Sở B")
                .map(|s| s.label.as_str()),
            Some("Sở B")
        );
    }
}
