//! References between documents and results against a plan.
//!
//! [`Reference`] is a document another one cites: in the preamble
//! (`meta.basis`, with a [`Relation`]) or in a task's text (`task.refs`).
//! [`ResultRecord`] is one row of a report's table of planned against
//! achieved figures (`meta.results`), with [`met`] deciding whether the
//! plan's figure was reached.

use crate::Op;
use serde::{Deserialize, Serialize};

/// How a plan stands to a document its preamble cites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// `Thực hiện …`, `Triển khai …`: the plan carries the document out.
    Implements,
    /// `Căn cứ …`, `Xét đề nghị …`: the document is a ground for the plan.
    BasedOn,
}

impl Relation {
    /// The contract name (`implements`, `based_on`).
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Implements => "implements",
            Relation::BasedOn => "based_on",
        }
    }
}

/// A document cited by another one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Reference {
    /// For `meta.basis` only: how the plan stands to the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<Relation>,
    /// The document kind (`KH`, `QĐ`, `NQ`, `NĐ`, `TT`, `CT`, `CTr`, `CV`,
    /// `TTr`, `Luật`, …), from the number's kind part, else the leading word.
    pub doc_type: Option<String>,
    /// The number, spaces removed (`152/KH- UBND` → `152/KH-UBND`).
    pub number: Option<String>,
    /// The ISO date of the document, when printed.
    pub date: Option<String>,
    /// Who issued it, as printed after `của` (`Chủ tịch UBND huyện Tân Yên`).
    pub issuer: Option<String>,
    /// The citation as printed, from the kind word to the end of the issuer.
    #[serde(default)]
    pub text: String,
}

/// A planned figure: the plan's goal in a results table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Planned {
    /// The comparator (`>=` for `tối thiểu 95%`, `=` for a bare `95%`).
    pub op: Op,
    /// The number.
    pub value: f64,
    /// The unit (`%`, `hồ sơ`), or `None`.
    pub unit: Option<String>,
}

/// An achieved figure in a results table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Achieved {
    /// The number.
    pub value: f64,
    /// The unit, or `None`.
    pub unit: Option<String>,
}

/// One row of a report's results table (`Chỉ tiêu | Kế hoạch | Kết quả | Đánh giá`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ResultRecord {
    /// The number cell as printed (`1`, `2.1`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// What is measured (the indicator cell).
    pub metric: String,
    /// The planned figure, when the cell holds a number.
    pub planned: Option<Planned>,
    /// The achieved figure, when the cell holds a number.
    pub achieved: Option<Achieved>,
    /// The printed assessment, read as `Đạt` or `Chưa đạt`.
    pub assessment: Option<String>,
    /// Whether the achieved figure meets the planned one ([`met`]).
    pub met: Option<bool>,
    /// Where the row starts.
    #[serde(default)]
    pub source: crate::TaskSource,
}

/// Whether `achieved` meets `planned`: `>=` and `=` (a goal to reach) need
/// at least the value, `>` more, `<=` at most, `<` less. `None` when the
/// units differ (a missing unit matches any).
pub fn met(planned: &Planned, achieved: &Achieved) -> Option<bool> {
    if let (Some(a), Some(b)) = (&planned.unit, &achieved.unit) {
        if !a.eq_ignore_ascii_case(b) && kehoach_text::fold(a) != kehoach_text::fold(b) {
            return None;
        }
    }
    const EPS: f64 = 1e-9;
    let (p, a) = (planned.value, achieved.value);
    Some(match planned.op {
        Op::Ge | Op::Eq => a + EPS >= p,
        Op::Gt => a > p + EPS,
        Op::Le => a <= p + EPS,
        Op::Lt => a + EPS < p,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(op: Op, value: f64) -> Planned {
        Planned {
            op,
            value,
            unit: Some("%".into()),
        }
    }
    fn a(value: f64) -> Achieved {
        Achieved {
            value,
            unit: Some("%".into()),
        }
    }

    #[test]
    fn comparisons() {
        assert_eq!(met(&p(Op::Ge, 95.0), &a(95.0)), Some(true));
        assert_eq!(met(&p(Op::Ge, 95.0), &a(94.9)), Some(false));
        assert_eq!(met(&p(Op::Eq, 100.0), &a(100.0)), Some(true));
        assert_eq!(met(&p(Op::Eq, 100.0), &a(98.0)), Some(false));
        assert_eq!(met(&p(Op::Gt, 60.0), &a(60.0)), Some(false));
        assert_eq!(met(&p(Op::Le, 5.0), &a(5.0)), Some(true));
        assert_eq!(met(&p(Op::Lt, 5.0), &a(5.0)), Some(false));
        let other = Achieved {
            value: 3.0,
            unit: Some("hồ sơ".into()),
        };
        assert_eq!(met(&p(Op::Ge, 1.0), &other), None);
        let bare = Achieved {
            value: 96.0,
            unit: None,
        };
        assert_eq!(met(&p(Op::Ge, 95.0), &bare), Some(true));
    }

    #[test]
    fn reference_json_shape() {
        let r = Reference {
            relation: Some(Relation::Implements),
            doc_type: Some("KH".into()),
            number: Some("15/KH-UBND".into()),
            date: Some("2024-01-19".into()),
            issuer: Some("Chủ tịch UBND huyện Tân Yên".into()),
            text: "Kế hoạch số 15/KH-UBND ngày 19/01/2024 của Chủ tịch UBND huyện Tân Yên".into(),
        };
        let v = serde_json::to_value(&r).expect("serialises");
        assert_eq!(v["relation"], "implements");
        let task_ref = Reference {
            relation: None,
            ..r
        };
        let v = serde_json::to_value(&task_ref).expect("serialises");
        assert!(v.get("relation").is_none());
    }
}
