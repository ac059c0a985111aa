//! Results against a plan: a report's table of planned and achieved figures
//! (`Chỉ tiêu | Kế hoạch năm 2023 | Kết quả đạt được | Đánh giá`) gives
//! [`ResultRecord`]s, never tasks.
//!
//! Columns are found by their header words, in any order: the indicator
//! (`Chỉ tiêu`, `Nội dung`, `Tên chỉ tiêu`), the planned figure (`Kế hoạch …`,
//! `Chỉ tiêu kế hoạch`, `Mục tiêu`, `KH`), the achieved figure (`Kết quả …`,
//! `Thực hiện …`, `Đạt được`, `Ước thực hiện`), and optionally the
//! assessment (`Đánh giá`), the unit (`Đơn vị tính`, `ĐVT`) and the number
//! (`TT`, `STT`). A ratio column (`Tỷ lệ`, `So với kế hoạch`) is not a figure.

use kehoach_doc::{Document, Row};
use kehoach_plan::target::parse_targets;
use kehoach_plan::{
    refs::met, Achieved, Op, Planned, ResultRecord, TaskSource, Warning, WarningCode,
};
use kehoach_text::{fold, normalize};

/// What a results table column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    Metric,
    Planned,
    Achieved,
    Assessment,
    Unit,
    /// A ratio, a note or anything else.
    Other,
    /// A column that assigns work (lead, support, deadline): not a results table.
    Work,
}

fn words(h: &str) -> String {
    fold(h)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn has(f: &str, phrase: &str) -> bool {
    let b = f.as_bytes();
    f.match_indices(phrase).any(|(at, _)| {
        let end = at + phrase.len();
        (at == 0 || b.get(at - 1) == Some(&b' ')) && (end == b.len() || b.get(end) == Some(&b' '))
    })
}

fn classify(header: &str) -> Option<Kind> {
    let f = words(header);
    if f.is_empty() {
        return None;
    }
    Some(if matches!(f.as_str(), "tt" | "stt" | "so tt" | "thu tu") {
        Kind::Number
    } else if has(&f, "don vi tinh") || f == "dvt" || f == "don vi" {
        Kind::Unit
    } else if has(&f, "danh gia") {
        Kind::Assessment
    } else if has(&f, "ty le") || has(&f, "so voi") || has(&f, "ghi chu") {
        Kind::Other
    } else if has(&f, "chu tri")
        || has(&f, "phoi hop")
        || has(&f, "thoi gian")
        || has(&f, "thoi han")
        || has(&f, "co quan")
        || has(&f, "don vi thuc hien")
        || has(&f, "trach nhiem")
    {
        Kind::Work
    } else if has(&f, "ke hoach")
        || has(&f, "kh")
        || has(&f, "muc tieu")
        || has(&f, "chi tieu giao")
    {
        Kind::Planned
    } else if has(&f, "ket qua")
        || has(&f, "dat duoc")
        || f == "thuc hien"
        || f.starts_with("thuc hien nam")
        || f.starts_with("thuc hien 2")
        || has(&f, "uoc thuc hien")
        || has(&f, "uoc dat")
    {
        Kind::Achieved
    } else if has(&f, "chi tieu") || has(&f, "noi dung") || f.starts_with("ten ") {
        Kind::Metric
    } else {
        Kind::Other
    })
}

/// The column layout of a results table.
#[derive(Debug, Clone)]
struct Layout {
    metric: usize,
    planned: usize,
    achieved: usize,
    number: Option<usize>,
    assessment: Option<usize>,
    unit: Option<usize>,
}

fn layout(cells: &[&str]) -> Option<Layout> {
    if cells.iter().any(|c| {
        c.len() > 160
            || c.trim().starts_with(|ch: char| ch.is_ascii_digit())
                && !c.contains(['(', '['])
                && c.trim().len() < 8
    }) {
        return None;
    }
    let kinds: Vec<Option<Kind>> = cells.iter().map(|c| classify(c)).collect();
    if kinds.contains(&Some(Kind::Work)) {
        return None;
    }
    let first = |k: Kind| kinds.iter().position(|x| *x == Some(k));
    Some(Layout {
        metric: first(Kind::Metric)?,
        planned: first(Kind::Planned)?,
        achieved: first(Kind::Achieved)?,
        number: first(Kind::Number),
        assessment: first(Kind::Assessment),
        unit: first(Kind::Unit),
    })
}

/// Whether a table header row is that of a results table (its rows are
/// results, not tasks).
pub fn is_results_header(cells: &[&str]) -> bool {
    layout(cells).is_some()
}

/// The results of every results table of `doc`, and a warning for each
/// printed assessment that disagrees with the figures.
pub fn results(doc: &Document) -> (Vec<ResultRecord>, Vec<Warning>) {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for table in doc.tables() {
        let Some((h, lay)) = table
            .rows
            .iter()
            .take(3)
            .enumerate()
            .find_map(|(i, r)| layout(&r.grid()).map(|l| (i, l)))
        else {
            continue;
        };
        for row in table.rows.iter().skip(h + 1) {
            if let Some(rec) = record(row, &lay) {
                if let (Some(a), Some(m)) = (rec.assessment.as_deref(), rec.met) {
                    if (a == "Đạt") != m {
                        warnings.push(Warning {
                            code: WarningCode::AssessmentMismatch,
                            message: format!(
                                "result '{}': printed '{a}' but the figures say {}",
                                rec.metric,
                                if m { "met" } else { "not met" }
                            ),
                            seq: None,
                        });
                    }
                }
                out.push(rec);
            }
        }
    }
    (out, warnings)
}

fn record(row: &Row, lay: &Layout) -> Option<ResultRecord> {
    let grid = row.grid();
    let cell = |i: usize| grid.get(i).map(|c| normalize(c)).unwrap_or_default();
    let metric = cell(lay.metric);
    // A row of column numbers, a repeated header or a section row.
    if metric.is_empty()
        || layout(&grid).is_some()
        || classify(&metric) == Some(Kind::Metric) && metric.len() < 12
    {
        return None;
    }
    let unit = lay.unit.map(cell).filter(|u| !u.is_empty());
    let planned = planned(&cell(lay.planned), unit.as_deref());
    let achieved = achieved(&cell(lay.achieved), unit.as_deref());
    if planned.is_none() && achieved.is_none() {
        return None;
    }
    let assessment = lay.assessment.and_then(|i| assessment(&cell(i)));
    let met = match (&planned, &achieved) {
        (Some(p), Some(a)) => met(p, a),
        _ => None,
    };
    let number = lay
        .number
        .map(cell)
        .map(|n| n.trim_end_matches('.').to_string())
        .filter(|n| !n.is_empty());
    Some(ResultRecord {
        number,
        metric,
        planned,
        achieved,
        assessment,
        met,
        source: TaskSource {
            page: row.pos.page,
            line: row.pos.line,
        },
    })
}

/// `Đạt`, `Vượt`, `Hoàn thành` → `Đạt`; `Chưa đạt`, `Không đạt`, `Chưa hoàn thành` → `Chưa đạt`.
fn assessment(text: &str) -> Option<String> {
    let f = words(text);
    let not = [
        "chua dat",
        "khong dat",
        "chua hoan thanh",
        "khong hoan thanh",
    ];
    let yes = ["dat", "vuot", "hoan thanh"];
    if not.iter().any(|p| f.starts_with(p)) {
        Some("Chưa đạt".into())
    } else if yes
        .iter()
        .any(|p| f == *p || f.starts_with(&format!("{p} ")))
    {
        Some("Đạt".into())
    } else {
        None
    }
}

/// A planned figure: the target parser's reading (`tối thiểu 95%`, `100%`,
/// `ít nhất 20 mô hình`), else a comparator sign or word and a number.
fn planned(text: &str, unit_col: Option<&str>) -> Option<Planned> {
    if text.is_empty() {
        return None;
    }
    if let Some(t) = parse_targets(text).into_iter().next() {
        let unit = (!t.unit.is_empty()).then_some(t.unit);
        return Some(Planned {
            op: t.op,
            value: t.value,
            unit: unit.or_else(|| unit_col.map(str::to_string)),
        });
    }
    let f = fold(text);
    let (op, rest) = leading_op(text, &f);
    let (value, unit) = figure(rest)?;
    Some(Planned {
        op,
        value,
        unit: unit.or_else(|| unit_col.map(str::to_string)),
    })
}

/// A comparator at the start of a cell: `≥`, `>=`, `trên`, `tối thiểu`, … (default `=`).
fn leading_op<'a>(text: &'a str, folded: &str) -> (Op, &'a str) {
    let signs: &[(&str, Op)] = &[
        ("≥", Op::Ge),
        (">=", Op::Ge),
        ("≤", Op::Le),
        ("<=", Op::Le),
        (">", Op::Gt),
        ("<", Op::Lt),
        ("=", Op::Eq),
    ];
    let t = text.trim_start();
    for (s, op) in signs {
        if let Some(rest) = t.strip_prefix(s) {
            return (*op, rest);
        }
    }
    let words: &[(&str, Op)] = &[
        ("toi thieu", Op::Ge),
        ("it nhat", Op::Ge),
        ("khong duoi", Op::Ge),
        ("tren", Op::Gt),
        ("duoi", Op::Lt),
        ("toi da", Op::Le),
        ("khong qua", Op::Le),
    ];
    let f = folded.trim_start();
    for (w, op) in words {
        if f.starts_with(w) {
            let n = w.chars().count();
            let rest: &str = t
                .char_indices()
                .nth(n)
                .map_or("", |(i, _)| t.get(i..).unwrap_or(""));
            return (*op, rest);
        }
    }
    (Op::Eq, text)
}

fn achieved(text: &str, unit_col: Option<&str>) -> Option<Achieved> {
    let (value, unit) = figure(text)?;
    Some(Achieved {
        value,
        unit: unit.or_else(|| unit_col.map(str::to_string)),
    })
}

/// The first number of a cell and the unit printed after it (`96,5%` →
/// 96.5 `%`; `1.200 hồ sơ` → 1200 `hồ sơ`). Decimal comma; a dot before
/// three digits groups thousands.
fn figure(text: &str) -> Option<(f64, Option<String>)> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    // A number inside words ("Quý 4", "năm 2023") is not the figure.
    let before = fold(&text[..start]);
    if before.trim_end().ends_with("nam") || before.trim_end().ends_with("quy") {
        return None;
    }
    let rest = &text[start..];
    let end = rest
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit()
                || (c == '.' || c == ',')
                    && rest[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
        })
        .map_or(rest.len(), |(i, _)| i);
    let raw = &rest[..end];
    let mut num = String::new();
    let parts: Vec<&str> = raw.split('.').collect();
    let thousands = parts.len() > 1
        && parts[1..]
            .iter()
            .all(|p| p.split(',').next().is_some_and(|q| q.len() == 3));
    for (i, p) in parts.iter().enumerate() {
        if i > 0 && !thousands {
            num.push('.');
        }
        num.push_str(p);
    }
    let value: f64 = num.replace(',', ".").parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    let after = rest[end..].trim();
    let unit = if after.starts_with(['%', '％']) {
        Some("%".to_string())
    } else {
        let u: String = after
            .split([';', '(', ',', '/'])
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        (!u.is_empty() && u.split_whitespace().count() <= 4).then_some(u)
    };
    Some((value, unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        assert!(is_results_header(&[
            "TT",
            "Chỉ tiêu",
            "Kế hoạch năm 2023",
            "Kết quả đạt được",
            "Đánh giá"
        ]));
        assert!(is_results_header(&[
            "Chỉ tiêu",
            "Chỉ tiêu kế hoạch",
            "Thực hiện",
            "Tỷ lệ (%)"
        ]));
        assert!(!is_results_header(&[
            "TT",
            "Nội dung",
            "Kế hoạch thực hiện",
            "Đơn vị thực hiện",
            "Thời gian"
        ]));
        assert!(!is_results_header(&[
            "STT",
            "Chỉ tiêu thống kê",
            "Đơn vị tính",
            "Số liệu"
        ]));
    }

    #[test]
    fn figures() {
        assert_eq!(figure("96,5%"), Some((96.5, Some("%".into()))));
        assert_eq!(figure("1.200 hồ sơ"), Some((1200.0, Some("hồ sơ".into()))));
        assert_eq!(figure("Chưa có"), None);
        let p = planned("Tối thiểu 95%", None).expect("planned");
        assert_eq!(
            (p.op, p.value, p.unit.as_deref()),
            (Op::Ge, 95.0, Some("%"))
        );
        let p = planned("100%", None).expect("planned");
        assert_eq!(p.op, Op::Eq);
        let p = planned("≥ 20", Some("mô hình")).expect("planned");
        assert_eq!(
            (p.op, p.value, p.unit.as_deref()),
            (Op::Ge, 20.0, Some("mô hình"))
        );
        assert_eq!(assessment("Chưa đạt").as_deref(), Some("Chưa đạt"));
        assert_eq!(assessment("Vượt kế hoạch").as_deref(), Some("Đạt"));
        assert_eq!(assessment("Đạt").as_deref(), Some("Đạt"));
        assert_eq!(assessment(""), None);
    }

    proptest::proptest! {
        #[test]
        fn figures_never_panic(s in "\\PC{0,60}") {
            let _ = figure(&s);
            let _ = planned(&s, Some("%"));
            let _ = assessment(&s);
        }
    }
}
