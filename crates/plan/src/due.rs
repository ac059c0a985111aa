//! Deadline parsing: the deadline column's text → [`Due`].
//!
//! The text is folded (no diacritics, lower case) before matching, so OCR
//! output that lost its diacritics (`Truoc ngay 25/01/2024`, `Quy II/2020`)
//! parses like the original.
//!
//! The parser works in passes over the folded text: references to other
//! documents (`Quyết định số 1085/QĐ-TTg ngày 15/9/2022`) are blanked first,
//! then full dates, `6 tháng đầu năm`, quarters, months, month/year pairs,
//! day/month pairs and years are read in that order, each pass blanking what
//! it consumed so later passes do not read it again. The candidate with the
//! latest day wins.

use crate::date::Date;
use crate::{Due, DueKind, Every};
use regex::{Captures, Regex};
use std::sync::LazyLock;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("constant deadline pattern compiles")
}

/// Document numbers (`1085/qd-ttg`, `45/2020/nd-cp`), with the date of the
/// document when one follows; also `iso 9001:2015`.
static DOC_REF: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b\d+(?:/\d+)*/[a-z][a-z0-9&]*(?:-[a-z0-9&]+)*(?:\s*,?\s*ngay\s+\d{1,2}\s*(?:[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}|thang\s+\d{1,2}\s+nam\s+\d{4}))?|\biso\s*\d+(?:\s*:\s*\d{4})?",
    )
});

/// `25/01/2024`, `25-01-2024`, `25.01.2024`, `25/01/24`.
static FULL_DATE: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})\b"));

/// `ngày 15 tháng 3 năm 2024` (the year may be missing).
static VERBOSE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\bngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\b(?:\s*(?:,\s*)?nam\s+(\d{4})\b)?")
});

/// `6 tháng đầu năm 2024`, `6 tháng cuối năm`.
static PART_YEAR: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(\d{1,2})\s+thang\s+(dau|cuoi)\s+nam\b(?:\s*(\d{4})\b)?"));

/// `quý II/2020`, `quý I, II/2024`, `quý 2 năm 2024`.
static QUARTER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bqu[yi]\s+((?:iv|i{1,3}|[1-4])\b(?:\s*(?:,|;|&|-|–|va|den)\s*(?:qu[yi]\s+)?(?:iv|i{1,3}|[1-4])\b)*)(?:\s*(?:/|-|–|,|nam)\s*(\d{4})\b)?",
    )
});

/// `tháng 7/2024`, `tháng 3, 6, 9, 12/2024`, `tháng 12 năm 2024`, `các tháng 3, 6`.
static MONTHS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bthang\s+(\d{1,2}\b(?:\s*(?:,|;|&|-|–|va|den)\s*(?:thang\s+)?\d{1,2}\b)*)(?:\s*(?:/|-|–|,|nam)\s*(\d{4})\b)?",
    )
});

/// `10/2023` without `tháng`.
static MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| re(r"\b(\d{1,2})\s*[/.\-]\s*(\d{4})\b"));

/// `31/12` without a year.
static DAY_MONTH: LazyLock<Regex> = LazyLock::new(|| re(r"\b(\d{1,2})\s*[/.\-]\s*(\d{1,2})\b"));

/// `năm 2025`, `năm 2024-2025`, `2024 - 2025`, `2025`.
static YEARS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:nam\s+)?((?:19|20|21)\d{2})\b(?:\s*(?:-|–|den|va|,)\s*(?:nam\s+)?((?:19|20|21)\d{2})\b)?",
    )
});

/// `trong năm`, `cả năm`, `cuối năm` without a year: the plan's year.
static THIS_YEAR: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?:trong|ca|cuoi|het)\s+nam\b"));

/// `hàng tháng`, `hằng quý`, `mỗi năm`, `định kỳ 6 tháng`, `6 tháng/lần`.
static PERIODIC: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:(?:hang|moi)\s+(tuan|thang|quy|nam)\b|dinh\s*ky(?:\s+(?:hang\s+)?(tuan|thang|quy|nam|(\d{1,2})\s*thang)\b)?|(\d{1,2})\s*thang\s*(?:/|mot|1)\s*lan\b)",
    )
});

/// `thường xuyên`, `liên tục`, `hàng ngày`.
static CONTINUOUS: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:thuong\s+xuyen|lien\s+tuc|(?:hang|moi)\s+ngay)\b"));

/// `trước ngày 05 của tháng liền kề`: a day of every next month (a monthly report).
static NEXT_PERIOD: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:cua\s+)?(thang|quy)\s+(?:lien\s+ke|tiep\s+theo|ke\s+tiep)\b"));

/// `năm liền kề`, `năm sau`: the year after the plan's.
static NEXT_YEAR: LazyLock<Regex> =
    LazyLock::new(|| re(r"\bnam\s+(?:lien\s+ke|sau|tiep\s+theo|ke\s+tiep)\b"));

/// Leading verbs that do not change the deadline (`Thực hiện thường xuyên`).
static LEADING_VERB: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^[^\p{L}\p{N}]*(?:(?:thuc\s+hien|trien\s+khai|to\s+chuc|duy\s+tri|hoan\s+thanh)\s+)+")
});

/// Texts that make the deadline depend on something else.
static CONDITIONAL_START: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^[^\p{L}\p{N}]*(?:sau|khi|neu|tuy|theo|ngay\s+sau|trong\s+truong\s+hop)\b")
});

/// A condition after `thường xuyên` (`… khi có yêu cầu`).
static CONDITION_AFTER: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[\s,;]*(?:khi|neu|sau\s+khi|theo\s+yeu\s+cau)\b"));

/// A `theo …` text that still states its own deadline.
static EXPLICIT: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?:truoc|cham\s+nhat|han)\b"));

/// Parses a deadline cell. `plan_year` supplies a missing year.
///
/// Returns `None` for empty text; any other text yields a [`Due`] (text that
/// names no deadline is [`DueKind::Conditional`]).
///
/// ```
/// use kehoach_plan::{due::parse_due, DueKind};
/// let due = parse_due("Quý II/2020", None).unwrap();
/// assert_eq!(due.kind, DueKind::Quarter);
/// assert_eq!(due.by.as_deref(), Some("2020-06-30"));
/// ```
pub fn parse_due(text: &str, plan_year: Option<i32>) -> Option<Due> {
    let folded = kehoach_text::fold(text.trim());
    let folded = folded.trim();
    if folded.is_empty() {
        return None;
    }

    // "Thực hiện thường xuyên …" reads like "Thường xuyên …".
    let body = LEADING_VERB
        .find(folded)
        .map_or(folded, |m| &folded[m.end()..]);
    let continuous = CONTINUOUS.find(body);
    let leading = |pos: usize| !body[..pos].chars().any(char::is_alphanumeric);
    if let Some(m) = continuous {
        if leading(m.start()) {
            // "Thường xuyên khi có yêu cầu": the condition decides.
            if CONDITION_AFTER.is_match(&body[m.end()..]) {
                return Some(simple(DueKind::Conditional));
            }
            return Some(simple(DueKind::Continuous));
        }
    }

    let periodic_match = PERIODIC.captures(body);
    let periodic = periodic_match.as_ref().map(every_of);
    if let Some(Some(every)) = periodic {
        return Some(Due {
            kind: DueKind::Periodic,
            by: None,
            dates: None,
            every: Some(every),
        });
    }
    // "Định kỳ …" before anything else: periodic, whatever follows (the
    // first term decides).
    if let Some(c) = &periodic_match {
        let first = c.get(0).map_or(0, |m| m.start());
        let before_others = continuous.is_none_or(|m| m.start() > first)
            && !body[..first].chars().any(|ch| ch.is_ascii_digit());
        if before_others {
            return Some(simple(DueKind::Periodic));
        }
    }
    // "Trước ngày 05 của tháng liền kề": every month.
    if let Some(c) = NEXT_PERIOD.captures(body) {
        let every = match c.get(1).map(|m| m.as_str()) {
            Some("quy") => Every::Quarter,
            _ => Every::Month,
        };
        return Some(Due {
            kind: DueKind::Periodic,
            by: None,
            dates: None,
            every: Some(every),
        });
    }
    // "Trước ngày 31/01 năm liền kề": the year after the plan's.
    let plan_year = if NEXT_YEAR.is_match(body) {
        plan_year.map(|y| y + 1)
    } else {
        plan_year
    };

    if CONDITIONAL_START.is_match(folded)
        && !(folded.starts_with("theo") && EXPLICIT.is_match(folded))
    {
        return Some(simple(DueKind::Conditional));
    }

    let found = candidates(folded, plan_year);
    // Several milestones that are all months ("trong tháng 01/2026, … tháng
    // 6/2026 và … tháng 8/2026"): `months` with every month's date.
    if found.all.len() > 1 && found.all.iter().all(|(k, _)| *k == DueKind::Month) {
        let mut days: Vec<Date> = found.all.iter().flat_map(|(_, d)| d.clone()).collect();
        days.sort();
        days.dedup();
        if days.len() > 1 {
            return Some(
                Candidate {
                    kind: DueKind::Months,
                    days,
                }
                .into_due(),
            );
        }
    }
    if let Some(best) = found.best {
        return Some(best.into_due());
    }
    if periodic.is_some() {
        return Some(simple(DueKind::Periodic));
    }
    if continuous.is_some() {
        return Some(simple(DueKind::Continuous));
    }
    if let Some(kind) = found.yearless {
        return Some(simple(kind));
    }
    Some(simple(DueKind::Conditional))
}

fn simple(kind: DueKind) -> Due {
    Due {
        kind,
        by: None,
        dates: None,
        every: None,
    }
}

/// The first period a periodic phrase names.
fn every_of(c: &Captures<'_>) -> Option<Every> {
    if let Some(word) = c.get(1).or_else(|| c.get(2)) {
        return match word.as_str() {
            "tuan" => Some(Every::Week),
            "thang" => Some(Every::Month),
            "quy" => Some(Every::Quarter),
            "nam" => Some(Every::Year),
            _ => c.get(3).and_then(|n| every_months(n.as_str())),
        };
    }
    c.get(4).and_then(|n| every_months(n.as_str()))
}

fn every_months(n: &str) -> Option<Every> {
    match n.parse::<u32>().ok()? {
        1 => Some(Every::Month),
        3 => Some(Every::Quarter),
        6 => Some(Every::HalfYear),
        12 => Some(Every::Year),
        _ => None,
    }
}

/// One deadline read from the text.
struct Candidate {
    kind: DueKind,
    /// The days it names, in text order (one per month for `months`).
    days: Vec<Date>,
}

impl Candidate {
    fn by(&self) -> Option<Date> {
        self.days.iter().max().copied()
    }

    fn into_due(self) -> Due {
        let by = self.by().map(|d| d.iso());
        let dates = if self.kind == DueKind::Months {
            Some(self.days.iter().map(Date::iso).collect())
        } else {
            None
        };
        Due {
            kind: self.kind,
            by,
            dates,
            every: None,
        }
    }
}

#[derive(Default)]
struct Found {
    best: Option<Candidate>,
    /// A kind that was recognised but had no year to place it in.
    yearless: Option<DueKind>,
    /// Every dated candidate, in the order the passes found them.
    all: Vec<(DueKind, Vec<Date>)>,
}

impl Found {
    fn push(&mut self, c: Candidate) {
        let Some(by) = c.by() else { return };
        self.all.push((c.kind, c.days.clone()));
        let better = match &self.best {
            None => true,
            Some(b) => match b.by() {
                Some(old) => by > old,
                None => true,
            },
        };
        if better {
            self.best = Some(c);
        }
    }

    fn yearless(&mut self, kind: DueKind) {
        self.yearless.get_or_insert(kind);
    }
}

/// Replaces every match of `re` in `s` with spaces (byte lengths preserved),
/// calling `f` on each match first.
fn consume(s: &mut String, re: &Regex, mut f: impl FnMut(&Captures<'_>)) {
    let mut spans = Vec::new();
    for c in re.captures_iter(s) {
        f(&c);
        if let Some(m) = c.get(0) {
            spans.push(m.range());
        }
    }
    if spans.is_empty() {
        return;
    }
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    for span in spans {
        out.push_str(&s[at..span.start]);
        out.push_str(&" ".repeat(span.end - span.start));
        at = span.end;
    }
    out.push_str(&s[at..]);
    *s = out;
}

fn num(c: &Captures<'_>, i: usize) -> Option<u32> {
    c.get(i)?.as_str().parse().ok()
}

fn year_of(c: &Captures<'_>, i: usize, plan_year: Option<i32>) -> Option<i32> {
    match c.get(i) {
        Some(m) => {
            let y: i32 = m.as_str().parse().ok()?;
            Some(if m.as_str().len() == 2 { 2000 + y } else { y })
        }
        None => plan_year,
    }
}

/// A day, or the end of its month when the day does not exist (`31/02`).
fn day_or_month_end(year: i32, month: u32, day: u32) -> Option<Date> {
    Date::new(year, month, day).or_else(|| Date::month_end(year, month))
}

/// Numbers and Roman numerals 1..=4 in a quarter list.
fn quarters(list: &str) -> Vec<u32> {
    list.split(|c: char| !c.is_ascii_alphanumeric())
        .filter_map(|t| match t {
            "i" | "1" => Some(1),
            "ii" | "2" => Some(2),
            "iii" | "3" => Some(3),
            "iv" | "4" => Some(4),
            _ => None,
        })
        .collect()
}

fn numbers(list: &str) -> Vec<u32> {
    list.split(|c: char| !c.is_ascii_digit())
        .filter_map(|t| t.parse().ok())
        .collect()
}

fn candidates(folded: &str, plan_year: Option<i32>) -> Found {
    let mut found = Found::default();
    let mut s = folded.to_string();
    consume(&mut s, &DOC_REF, |_| {});

    consume(&mut s, &FULL_DATE, |c| {
        if let (Some(d), Some(m), Some(y)) = (num(c, 1), num(c, 2), year_of(c, 3, None)) {
            if let Some(date) = day_or_month_end(y, m, d) {
                found.push(Candidate {
                    kind: DueKind::Date,
                    days: vec![date],
                });
            }
        }
    });
    consume(&mut s, &VERBOSE_DATE, |c| {
        match (num(c, 1), num(c, 2), year_of(c, 3, plan_year)) {
            (Some(d), Some(m), Some(y)) => {
                if let Some(date) = day_or_month_end(y, m, d) {
                    found.push(Candidate {
                        kind: DueKind::Date,
                        days: vec![date],
                    });
                }
            }
            _ => found.yearless(DueKind::Date),
        }
    });
    consume(&mut s, &PART_YEAR, |c| {
        let Some(y) = year_of(c, 3, plan_year) else {
            found.yearless(DueKind::Month);
            return;
        };
        let month = match c.get(2).map(|m| m.as_str()) {
            Some("dau") => num(c, 1).unwrap_or(12),
            _ => 12,
        };
        if let Some(date) = Date::month_end(y, month) {
            found.push(Candidate {
                kind: DueKind::Month,
                days: vec![date],
            });
        }
    });
    consume(&mut s, &QUARTER, |c| {
        let Some(y) = year_of(c, 2, plan_year) else {
            found.yearless(DueKind::Quarter);
            return;
        };
        let days: Vec<Date> = c
            .get(1)
            .map(|l| quarters(l.as_str()))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|q| Date::quarter_end(y, q))
            .collect();
        found.push(Candidate {
            kind: DueKind::Quarter,
            days,
        });
    });
    consume(&mut s, &MONTHS, |c| {
        let list = c.get(1).map(|l| numbers(l.as_str())).unwrap_or_default();
        let kind = if list.len() > 1 {
            DueKind::Months
        } else {
            DueKind::Month
        };
        let Some(y) = year_of(c, 2, plan_year) else {
            found.yearless(kind);
            return;
        };
        let days: Vec<Date> = list
            .into_iter()
            .filter_map(|m| Date::month_end(y, m))
            .collect();
        let kind = if days.len() > 1 {
            DueKind::Months
        } else {
            DueKind::Month
        };
        found.push(Candidate { kind, days });
    });
    consume(&mut s, &MONTH_YEAR, |c| {
        if let (Some(m), Some(y)) = (num(c, 1), year_of(c, 2, None)) {
            if let Some(date) = Date::month_end(y, m) {
                found.push(Candidate {
                    kind: DueKind::Month,
                    days: vec![date],
                });
            }
        }
    });
    consume(&mut s, &DAY_MONTH, |c| {
        match (num(c, 1), num(c, 2), plan_year) {
            (Some(d), Some(m), Some(y)) => {
                if let Some(date) = day_or_month_end(y, m, d) {
                    found.push(Candidate {
                        kind: DueKind::Date,
                        days: vec![date],
                    });
                }
            }
            (Some(_), Some(m), None) if (1..=12).contains(&m) => found.yearless(DueKind::Date),
            _ => {}
        }
    });
    consume(&mut s, &YEARS, |c| {
        let days: Vec<Date> = [1, 2]
            .into_iter()
            .filter_map(|i| year_of(c, i, None).filter(|_| c.get(i).is_some()))
            .filter_map(|y| Date::month_end(y, 12))
            .collect();
        found.push(Candidate {
            kind: DueKind::Year,
            days,
        });
    });
    if found.best.is_none() && THIS_YEAR.is_match(&s) {
        match plan_year.and_then(|y| Date::month_end(y, 12)) {
            Some(date) => found.push(Candidate {
                kind: DueKind::Year,
                days: vec![date],
            }),
            None => found.yearless(DueKind::Year),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn due(text: &str, year: Option<i32>) -> (DueKind, Option<String>) {
        let d = parse_due(text, year).expect("non-empty text parses");
        (d.kind, d.by)
    }

    fn check(text: &str, year: Option<i32>, kind: DueKind, by: Option<&str>) {
        assert_eq!(due(text, year), (kind, by.map(str::to_string)), "{text:?}");
    }

    #[test]
    fn relative_periods_and_first_terms() {
        let d = parse_due("Trước ngày 05 của tháng liền kề", Some(2026)).expect("due");
        assert_eq!((d.kind, d.every), (DueKind::Periodic, Some(Every::Month)));
        check(
            "Trước ngày 31/01 năm liền kề",
            Some(2026),
            DueKind::Date,
            Some("2027-01-31"),
        );
        check("Quí IV-2025", None, DueKind::Quarter, Some("2025-12-31"));
        check(
            "Thực hiện thường xuyên khi có yêu cầu của bộ",
            Some(2026),
            DueKind::Conditional,
            None,
        );
        check(
            "Thực hiện thường xuyên trong năm",
            Some(2026),
            DueKind::Continuous,
            None,
        );
        check(
            "Báo cáo định kỳ theo thời gian quy định; thực hiện thường xuyên trong năm",
            Some(2026),
            DueKind::Periodic,
            None,
        );
        let d = parse_due(
            "Ban hành trong tháng 01/2026, kiểm tra chậm nhất trong tháng 6/2026",
            Some(2026),
        )
        .expect("due");
        assert_eq!(d.kind, DueKind::Months);
        assert_eq!(
            d.dates,
            Some(vec!["2026-01-31".to_string(), "2026-06-30".to_string()])
        );
    }

    #[test]
    fn empty_is_none() {
        assert_eq!(parse_due("", Some(2024)), None);
        assert_eq!(parse_due("   ", Some(2024)), None);
    }

    #[test]
    fn dates() {
        use DueKind::Date as D;
        check("Trước ngày 25/01/2024", Some(2024), D, Some("2024-01-25"));
        check("Trước 15/12/2024", Some(2024), D, Some("2024-12-15"));
        check("Trước ngày 10/3/2023", Some(2024), D, Some("2023-03-10"));
        check(
            "ngày 15 tháng 3 năm 2024",
            Some(2020),
            D,
            Some("2024-03-15"),
        );
        check("Trước ngày 15 tháng 3", Some(2020), D, Some("2020-03-15"));
        check("Trước 31/12", Some(2024), D, Some("2024-12-31"));
        check(
            "Từ ngày 01/3/2024 đến 30/6/2024",
            Some(2024),
            D,
            Some("2024-06-30"),
        );
        check("Trước 15/12/24", None, D, Some("2024-12-15"));
        check("Trước 15-12-2024", None, D, Some("2024-12-15"));
        check("Trước 15.12.2024", None, D, Some("2024-12-15"));
        check("Truoc ngay 25/01/2024", None, D, Some("2024-01-25"));
        check("TRƯỚC NGÀY 25/01/2024", None, D, Some("2024-01-25"));
    }

    #[test]
    fn invalid_dates_fall_back() {
        check("Trước 31/02/2024", None, DueKind::Date, Some("2024-02-29"));
        check("Trước 31/02/2023", None, DueKind::Date, Some("2023-02-28"));
        check("Trước 31/13/2024", None, DueKind::Conditional, None);
        check("Trước 00/00/0000", None, DueKind::Conditional, None);
    }

    #[test]
    fn months() {
        use DueKind::Month as M;
        check("Tháng 7/2024", Some(2020), M, Some("2024-07-31"));
        check("Trong tháng 10/2023", None, M, Some("2023-10-31"));
        check("Tháng 01/2020", None, M, Some("2020-01-31"));
        check("Tháng 12 năm 2024", None, M, Some("2024-12-31"));
        check("Tháng 2/2024", None, M, Some("2024-02-29"));
        check("6 tháng đầu năm 2024", None, M, Some("2024-06-30"));
        check("6 tháng cuối năm", Some(2023), M, Some("2023-12-31"));
        check("Thang 7/2024", None, M, Some("2024-07-31"));
        check("10/2023", None, M, Some("2023-10-31"));
    }

    #[test]
    fn month_lists() {
        let d = parse_due("Tháng 3, 6, 9, 12/2024", Some(2024)).expect("parses");
        assert_eq!(d.kind, DueKind::Months);
        assert_eq!(d.by.as_deref(), Some("2024-12-31"));
        assert_eq!(
            d.dates,
            Some(vec![
                "2024-03-31".into(),
                "2024-06-30".into(),
                "2024-09-30".into(),
                "2024-12-31".into()
            ])
        );
        let d = parse_due("Các tháng 3, 6, 9, 12", Some(2023)).expect("parses");
        assert_eq!(d.kind, DueKind::Months);
        assert_eq!(d.by.as_deref(), Some("2023-12-31"));
        assert_eq!(d.dates.map(|v| v.len()), Some(4));
        let d = parse_due("Tháng 6 và tháng 12/2024", None).expect("parses");
        assert_eq!(d.kind, DueKind::Months);
        assert_eq!(
            d.dates,
            Some(vec!["2024-06-30".into(), "2024-12-31".into()])
        );
    }

    #[test]
    fn quarters_and_years() {
        use DueKind::{Quarter as Q, Year as Y};
        check("Quý II/2020", None, Q, Some("2020-06-30"));
        check("Chậm nhất trong quý III/2020", None, Q, Some("2020-09-30"));
        check("Quý I, II/2024", None, Q, Some("2024-06-30"));
        check("Quý 2/2024", None, Q, Some("2024-06-30"));
        check("Quý IV năm 2024", None, Q, Some("2024-12-31"));
        check("Quý IV", Some(2021), Q, Some("2021-12-31"));
        check("Quy II/2020", None, Q, Some("2020-06-30"));
        check("năm 2025", None, Y, Some("2025-12-31"));
        check("Năm 2023", Some(2020), Y, Some("2023-12-31"));
        check("Năm 2024-2025", None, Y, Some("2025-12-31"));
        check("2024 - 2025", None, Y, Some("2025-12-31"));
        check("Giai đoạn 2021–2025", None, Y, Some("2025-12-31"));
        check("Trong năm", Some(2024), Y, Some("2024-12-31"));
    }

    #[test]
    fn continuous_and_periodic() {
        check("Thường xuyên", None, DueKind::Continuous, None);
        check("Thường xuyên, liên tục", None, DueKind::Continuous, None);
        check("Thuong xuyen", None, DueKind::Continuous, None);
        let every = |t: &str| {
            let d = parse_due(t, Some(2024)).expect("parses");
            assert_eq!(
                (d.kind, d.by.as_deref()),
                (DueKind::Periodic, None),
                "{t:?}"
            );
            d.every
        };
        assert_eq!(every("Hàng tháng"), Some(Every::Month));
        assert_eq!(every("Hằng tháng"), Some(Every::Month));
        assert_eq!(
            every("Hàng quý, năm và đột xuất khi có yêu cầu"),
            Some(Every::Quarter)
        );
        assert_eq!(every("Hàng năm"), Some(Every::Year));
        assert_eq!(every("Trước 30/6 hàng năm"), Some(Every::Year));
        assert_eq!(every("Định kỳ 6 tháng"), Some(Every::HalfYear));
        assert_eq!(every("Định kỳ hàng quý"), Some(Every::Quarter));
        assert_eq!(every("06 tháng/lần"), Some(Every::HalfYear));
        assert_eq!(every("Hàng tuần"), Some(Every::Week));
        assert_eq!(every("Báo cáo định kỳ"), None);
    }

    #[test]
    fn conditional() {
        use DueKind::Conditional as C;
        for t in [
            "Khi có phát sinh",
            "Theo kế hoạch riêng",
            "Theo Kế hoạch riêng",
            "Sau khi kết thúc kiểm tra tại cơ quan, đơn vị",
            "Theo Quyết định số 1085/QĐ-TTg ngày 15/9/2022 của Thủ tướng Chính phủ; Kế hoạch số 175/KH-UBND ngày 14/12/2022 của UBND huyện",
            "Thực hiện theo Nghị định số 45/2020/NĐ-CP",
            "Theo tiến độ phê duyệt",
            "Thực hiện lồng ghép với công tác kiểm tra cải cách hành chính, chuyển đổi số, ISO của xã",
            "Triển khai thực hiện sau khi có Văn bản của UBND tỉnh",
            "Theo Luật Ngân sách năm 2015",
            "Trong 3 tháng",
        ] {
            check(t, Some(2024), C, None);
        }
    }

    #[test]
    fn more_variants() {
        check(
            "Trước 15/12/2024 (theo Kế hoạch số 12/KH-UBND ngày 05/01/2024)",
            None,
            DueKind::Date,
            Some("2024-12-15"),
        );
        check(
            "Quý I/2024 (trước 31/3)",
            Some(2024),
            DueKind::Quarter,
            Some("2024-03-31"),
        );
        check(
            "Chậm nhất ngày 30/6/2024",
            None,
            DueKind::Date,
            Some("2024-06-30"),
        );
        check("Tháng 12", Some(2022), DueKind::Month, Some("2022-12-31"));
        check(
            "Quý III - IV/2024",
            None,
            DueKind::Quarter,
            Some("2024-12-31"),
        );
        check("Đột xuất", Some(2024), DueKind::Conditional, None);
        let periodic = |t: &str| parse_due(t, Some(2024)).and_then(|d| d.every);
        assert_eq!(periodic("Quý I hàng năm"), Some(Every::Year));
        assert_eq!(periodic("Trước ngày 20 hằng tháng"), Some(Every::Month));
        assert_eq!(periodic("Hang thang"), Some(Every::Month));
    }

    #[test]
    fn theo_with_explicit_deadline() {
        check(
            "Theo tiến độ, chậm nhất trước 30/6/2024",
            None,
            DueKind::Date,
            Some("2024-06-30"),
        );
    }

    #[test]
    fn missing_plan_year() {
        let d = parse_due("Các tháng 3, 6, 9, 12", None).expect("parses");
        assert_eq!((d.kind, d.by), (DueKind::Months, None));
        check("Quý IV", None, DueKind::Quarter, None);
        check("Trước 31/12", None, DueKind::Date, None);
    }

    #[derive(serde::Deserialize)]
    struct GoldPlan {
        meta: crate::Meta,
        tasks: Vec<crate::Task>,
    }

    #[test]
    fn gold_deadlines() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/gold");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .expect("fixtures/gold exists")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        assert!(!paths.is_empty());
        let (mut total, mut bad) = (0, Vec::new());
        for path in &paths {
            let text = std::fs::read_to_string(path).expect("readable gold file");
            let plan: GoldPlan = serde_json::from_str(&text).expect("gold parses");
            for task in &plan.tasks {
                total += 1;
                let got = task
                    .deadline
                    .as_deref()
                    .and_then(|d| parse_due(d, plan.meta.year));
                if got != task.due {
                    bad.push(format!(
                        "{} seq {}: {:?}\n  want {:?}\n  got  {:?}",
                        path.display(),
                        task.seq,
                        task.deadline,
                        task.due,
                        got
                    ));
                }
            }
        }
        eprintln!(
            "due: {} of {total} deadlines agree with gold",
            total - bad.len()
        );
        assert!(
            bad.is_empty(),
            "{} of {total} deadlines differ:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("Trước ngày".to_string()),
            Just("tháng".to_string()),
            Just("Quý".to_string()),
            Just("năm".to_string()),
            Just("hàng".to_string()),
            Just("định kỳ".to_string()),
            Just("/".to_string()),
            Just(",".to_string()),
            "[0-9]{1,5}",
            "[IVX]{1,4}",
            "[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}",
            ".{0,6}",
        ]
    }

    proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 512,
            rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x6475_655f_7061_7273),
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        })]

        #[test]
        fn never_panics(s in ".{0,80}", year in proptest::option::of(-5000i32..5000)) {
            if let Some(d) = parse_due(&s, year) {
                if let Some(by) = &d.by {
                    prop_assert!(Date::parse_iso(by).is_some(), "{by}");
                }
                for x in d.dates.iter().flatten() {
                    prop_assert!(Date::parse_iso(x).is_some(), "{x}");
                }
            }
        }

        #[test]
        fn structured_inputs(parts in proptest::collection::vec(fragment(), 0..8), year in proptest::option::of(1800i32..2300)) {
            let s = parts.join(" ");
            if let Some(d) = parse_due(&s, year) {
                if let Some(by) = &d.by {
                    prop_assert!(Date::parse_iso(by).is_some(), "{by}");
                }
                for x in d.dates.iter().flatten() {
                    prop_assert!(Date::parse_iso(x).is_some(), "{x}");
                }
                if d.kind == DueKind::Months && d.by.is_some() {
                    prop_assert!(d.dates.is_some());
                }
            }
        }
    }
}
