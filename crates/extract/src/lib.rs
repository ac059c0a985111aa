//! From the document model to plan records (`kehoach/plan@1`).
//!
//! [`extract`] takes the [`Document`] any reader produced and returns a
//! [`Plan`]: header metadata, one task record per logical appendix row (with
//! hierarchy, parsed deadline and targets), and warnings. The steps:
//!
//! 1. [`appendix`]: find the task tables by their header words, stitch them
//!    across page breaks, drop repeated headers, merge continuation rows,
//!    split number+text cells;
//! 2. [`meta`]: number, issuer, place, date, year, title, signer and the
//!    appendix caption, from the running text;
//! 3. here: fused-cell repair, levels/parents/sections, deadlines, targets,
//!    units and the contract's warnings.

#![warn(missing_docs)]

mod appendix;
mod columns;
mod meta;
mod number;
mod refs;
mod results;

pub use columns::{classify as classify_header, Col};

use appendix::{describe, RawTask};
use kehoach_doc::Document;
use kehoach_plan::due::parse_due;
use kehoach_plan::target::parse_targets;
use kehoach_plan::units::split_units;
use kehoach_plan::{Due, Meta, Plan, Source, Task, TaskSource, Warning, WarningCode};
use kehoach_text::{canon_tones, fold, ToneStyle};
use number::{parse_num, Num};

/// Extraction options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Tone-mark style of every text value.
    pub tone_style: ToneStyle,
}

/// Extracts a plan from a document with default options. `source` is copied into the plan.
pub fn extract(doc: &Document, source: Source) -> Plan {
    extract_with(doc, source, &Options::default())
}

/// Extracts a plan from a document.
pub fn extract_with(doc: &Document, source: Source, opts: &Options) -> Plan {
    let app = appendix::assemble(doc);
    let lines = meta::lines(doc, &app.task_blocks);
    let caption = meta::caption(&lines);
    let mut meta = meta::extract_meta(&lines, caption.as_ref());
    meta.basis = refs::basis(doc, &app.task_blocks);

    let mut warnings: Vec<Warning> = Vec::new();
    for w in &doc.warnings {
        if let Some(code) = WarningCode::parse(&w.code) {
            warnings.push(Warning {
                code,
                message: w.message.clone(),
                seq: None,
            });
        }
    }
    if let Some(c) = &caption {
        caption_warnings(c, &meta, &mut warnings);
    }
    // A report's figures against its plan.
    if meta.doc_type.as_deref() == Some("BC") {
        let (results, result_warnings) = results::results(doc);
        meta.results = results;
        warnings.extend(result_warnings);
    }

    let mut rows = app.rows;
    for (i, row) in rows.iter_mut().enumerate() {
        if let Some(msg) = split_fused(row) {
            warnings.push(Warning {
                code: WarningCode::FusedCell,
                message: msg,
                seq: Some(i as u32 + 1),
            });
        }
    }
    // Numbering, parents and sections restart in each task table.
    let tables: Vec<usize> = rows.iter().map(|r| r.table).collect();
    let agency: Vec<bool> = rows.iter().map(|r| r.agency).collect();
    // Deadline texts repeat from row to row ("Thường xuyên"): parse each once.
    let mut dues = DueCache::default();
    let mut tasks: Vec<Task> = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| to_task(i, r, meta.year, &mut dues))
        .collect();
    for w in app.warnings {
        warnings.push(Warning {
            code: w.code,
            message: w.message,
            seq: w.row.map(|r| r as u32 + 1),
        });
    }
    let mut start = 0;
    while start < tasks.len() {
        let end = (start..tasks.len())
            .find(|&i| tables[i] != tables[start])
            .unwrap_or(tasks.len());
        hierarchy(
            &mut tasks[start..end],
            &agency[start..end],
            start,
            &mut warnings,
        );
        start = end;
    }
    for t in &tasks {
        year_warning(t, meta.year, &mut warnings);
    }
    if tasks.is_empty() {
        warnings.push(Warning {
            code: WarningCode::NoAppendix,
            message:
                "no appendix table with task columns (content, lead unit, deadline …) was found"
                    .into(),
            seq: None,
        });
    }
    warnings.sort_by_key(|w| w.seq.unwrap_or(0));
    let mut plan = Plan {
        schema: kehoach_plan::SCHEMA.into(),
        source,
        meta,
        tasks,
        warnings,
    };
    if opts.tone_style != ToneStyle::default() {
        restyle(&mut plan, opts.tone_style);
    }
    plan
}

fn opt(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn to_task(i: usize, r: RawTask, year: Option<i32>, dues: &mut DueCache) -> Task {
    // A year in the deadline column's header is the missing year of its cells.
    let year = r.header_year.or(year);
    let due = if r.deadline.is_empty() {
        None
    } else {
        dues.parse(&r.deadline, year)
    };
    let mut targets = parse_targets(&r.content);
    targets.extend(parse_targets(&r.product));
    let refs = task_refs(&r);
    let confidence = (!r.confidences.is_empty())
        .then(|| r.confidences.iter().sum::<f32>() / r.confidences.len() as f32);
    Task {
        seq: i as u32 + 1,
        number: r.number,
        section: None,
        level: 0,
        parent: None,
        lead_units: split_units(&r.lead),
        support_units: split_units(&r.support),
        content: opt(r.content),
        lead: opt(r.lead),
        support: opt(r.support),
        deadline: opt(r.deadline),
        product: opt(r.product),
        due,
        targets,
        extra: r.extra,
        appendix: r.appendix,
        source: TaskSource {
            page: r.pos.page,
            line: r.pos.line,
        },
        confidence,
        refs,
    }
}

/// Deadlines parsed so far in a document, by cell text and default year.
/// A plan has a few distinct deadline texts, repeated from row to row: a
/// short list searched newest first beats hashing every cell.
#[derive(Default)]
struct DueCache {
    seen: Vec<(String, Option<i32>, Option<Due>)>,
}

impl DueCache {
    /// The deadline `text` gives with default year `year`, parsed once.
    fn parse(&mut self, text: &str, year: Option<i32>) -> Option<Due> {
        if let Some((_, _, due)) = self
            .seen
            .iter()
            .rev()
            .find(|(t, y, _)| *y == year && t == text)
        {
            return due.clone();
        }
        let due = parse_due(text, year);
        self.seen.push((text.to_string(), year, due.clone()));
        due
    }
}

/// The documents a task's content, product and deadline cells cite.
fn task_refs(r: &RawTask) -> Vec<kehoach_plan::Reference> {
    let mut out: Vec<kehoach_plan::Reference> = Vec::new();
    for text in [&r.content, &r.product, &r.deadline] {
        for c in refs::cite(text) {
            if !out
                .iter()
                .any(|o| o.number == c.number && o.doc_type == c.doc_type && o.date == c.date)
            {
                out.push(c);
            }
        }
    }
    out
}

/// Splits a deadline cell the converter fused with the product cell, when
/// the product cell repeats the text. Returns a warning message when it did.
fn split_fused(r: &mut RawTask) -> Option<String> {
    let (d, p) = (r.deadline.clone(), r.product.clone());
    if d.is_empty() || p.is_empty() || d.len() < 4 {
        return None;
    }
    let what = r
        .number
        .clone()
        .map_or_else(|| describe(&r.pos), |n| format!("row {n}"));
    if d == p {
        // Both cells hold "deadline product": split at the cell's own line
        // break, else after a deadline phrase before a capitalised word.
        let by_break = r
            .deadline_raw
            .split_once('\n')
            .map(|(a, b)| (kehoach_text::normalize(a), kehoach_text::normalize(b)))
            .filter(|(a, b)| !a.is_empty() && !b.is_empty() && is_deadline_phrase(a));
        let split = by_break.or_else(|| split_after_deadline_phrase(&d))?;
        r.deadline = split.0;
        r.product = split.1;
    } else if d.len() > p.len() && d.ends_with(&p) {
        let head = d[..d.len() - p.len()].trim().to_string();
        if !is_deadline_phrase(&head) {
            return None;
        }
        r.deadline = head;
    } else if p.len() > d.len()
        && p.starts_with(&d)
        && p[d.len()..].starts_with(' ')
        && is_deadline_phrase(&d)
    {
        r.product = p[d.len()..].trim().to_string();
    } else {
        return None;
    }
    Some(format!(
        "{what}: the deadline cell also held the product text; split into deadline '{}' and product '{}'",
        r.deadline, r.product
    ))
}

/// Words that open a deadline phrase.
const DEADLINE_OPENERS: &[&str] = &[
    "khi ",
    "theo ",
    "sau ",
    "truoc ",
    "trong ",
    "thuong xuyen",
    "hang ",
    "hang thang",
    "dinh ky",
    "cham nhat",
    "thang ",
    "quy ",
    "nam ",
    "ngay ",
    "tu ngay",
    "den ",
    "dau nam",
    "cuoi nam",
    "6 thang",
    "giai doan",
];

fn is_deadline_phrase(s: &str) -> bool {
    let f = fold(s);
    let word_count = s.split_whitespace().count();
    word_count <= 12
        && (DEADLINE_OPENERS
            .iter()
            .any(|o| f.starts_with(o) || f == o.trim())
            || parse_due(s, None).is_some_and(|d| d.kind != kehoach_plan::DueKind::Conditional))
}

/// "Khi có phát sinh Văn bản tham gia ý kiến" → ("Khi có phát sinh", "Văn bản tham gia ý kiến").
fn split_after_deadline_phrase(s: &str) -> Option<(String, String)> {
    let words: Vec<&str> = s.split(' ').collect();
    for k in 1..words.len() {
        let next = words[k];
        if !next.chars().next().is_some_and(char::is_uppercase) {
            continue;
        }
        let head = words[..k].join(" ");
        if is_deadline_phrase(&head) {
            return Some((head, words[k..].join(" ")));
        }
    }
    None
}

/// Sets level, parent and section of every task, and reports number gaps.
/// `tasks` is one table's records; `offset` is the number of records before it.
/// `agency` marks the agency rows grouping the rows under them (level 0).
fn hierarchy(tasks: &mut [Task], agency: &[bool], offset: usize, warnings: &mut Vec<Warning>) {
    let nums: Vec<Option<Num>> = tasks
        .iter()
        .map(|t| t.number.as_deref().and_then(parse_num))
        .collect();
    let mut section: Option<String> = None;
    for i in 0..tasks.len() {
        if agency.get(i).copied().unwrap_or(false) {
            let t = &mut tasks[i];
            t.level = 0;
            t.parent = None;
            t.section = None;
            section = None;
            continue;
        }
        let (level, parent) = match &nums[i] {
            Some(n) => match n.level() {
                Some(level) => {
                    let parent = if level == 0 {
                        None
                    } else {
                        (0..i)
                            .rev()
                            .find(|&j| tasks[j].level + 1 == level)
                            .or_else(|| (0..i).rev().find(|&j| tasks[j].level < level))
                    };
                    (level, parent)
                }
                None => {
                    // A letter item: under the nearest preceding numbered row.
                    let parent = (0..i)
                        .rev()
                        .find(|&j| matches!(nums[j], Some(ref n) if n.level().is_some()));
                    (parent.map_or(1, |p| tasks[p].level + 1), parent)
                }
            },
            None => {
                // Unnumbered: under the previous record when it is a heading, else its sibling.
                let parent = if i == 0 {
                    None
                } else if tasks[i - 1].is_heading() {
                    Some(i - 1)
                } else {
                    tasks[i - 1]
                        .parent
                        .and_then(|p| (p as usize).checked_sub(offset + 1))
                };
                (
                    parent.map_or(if i == 0 { 0 } else { 1 }, |p| tasks[p].level + 1),
                    parent,
                )
            }
        };
        if level == 0 && tasks[i].number.is_some() {
            section = match &nums[i] {
                Some(Num::Roman(r, _)) => Some(r.clone()),
                // A letter part (`A.`) above Roman sections is no section itself.
                Some(Num::UpperLetter(_)) => None,
                _ => tasks[i].number.clone(),
            };
        }
        let t = &mut tasks[i];
        t.level = level;
        t.parent = parent.map(|p| (p + offset) as u32 + 1);
        t.section = section.clone();
    }
    number_gaps(tasks, &nums, warnings);
}

/// Reports numbers that skip or repeat among siblings.
fn number_gaps(tasks: &[Task], nums: &[Option<Num>], warnings: &mut Vec<Warning>) {
    use std::collections::HashMap;
    // Sections restart under each letter part (`A.`, `B.`).
    let mut last: HashMap<(Option<u32>, u8, usize), u32> = HashMap::new();
    let mut part = 0usize;
    for (t, n) in tasks.iter().zip(nums) {
        let Some(n) = n else { continue };
        if matches!(n, Num::UpperLetter(_)) {
            part += 1;
        }
        let kind = match n {
            Num::Roman(_, p) if p.is_empty() => 0u8,
            Num::Roman(..) | Num::Arabic(_) => 1,
            Num::UpperLetter(_) => 2,
            Num::Letter(_) => 3,
        };
        let Some(v) = n.last() else { continue };
        let key = (t.parent, kind, if kind == 2 { 0 } else { part });
        let expected = last.get(&key).map_or(1, |p| p + 1);
        if v != expected {
            let label = t.number.as_deref().unwrap_or("?");
            let msg = if v + 1 == expected {
                format!("number {label} repeats the previous number")
            } else {
                format!(
                    "number {label} follows {} (expected {expected})",
                    expected.saturating_sub(1)
                )
            };
            warnings.push(Warning {
                code: WarningCode::NumberGap,
                message: msg,
                seq: Some(t.seq),
            });
        }
        last.insert(key, v);
    }
}

fn year_warning(t: &Task, year: Option<i32>, warnings: &mut Vec<Warning>) {
    let (Some(year), Some(due)) = (year, &t.due) else {
        return;
    };
    let Some(by) = due.by.as_deref() else { return };
    let Some(due_year) = by.get(..4).and_then(|y| y.parse::<i32>().ok()) else {
        return;
    };
    // A deadline early in the following year is normal for year-end reporting.
    if due_year < year || due_year > year + 1 {
        let label = t
            .number
            .as_deref()
            .map_or_else(|| format!("seq {}", t.seq), |n| format!("row {n}"));
        warnings.push(Warning {
            code: WarningCode::YearMismatch,
            message: format!(
                "{label} deadline '{}' is dated {due_year} in a {year} plan",
                t.deadline.as_deref().unwrap_or_default()
            ),
            seq: Some(t.seq),
        });
    }
}

fn caption_warnings(c: &meta::Caption, meta: &Meta, warnings: &mut Vec<Warning>) {
    let mut diffs = Vec::new();
    if let (Some(cn), Some(mn)) = (&c.number, &meta.number) {
        if fold(cn) != fold(mn) {
            diffs.push(format!("number {cn} (the plan's is {mn})"));
        }
    }
    if let (Some(d), Some(m), Some(y), Some(date)) = (c.day, c.month, c.year, &meta.date) {
        let cap = kehoach_plan::date::Date::new(y, m, d).map(|x| x.iso());
        if cap.as_deref() != Some(date.as_str()) {
            diffs.push(format!("date {d:02}/{m:02}/{y} (the plan is dated {date})"));
        }
    }
    if !diffs.is_empty() {
        warnings.push(Warning {
            code: WarningCode::CaptionMismatch,
            message: format!("the appendix caption cites {}", diffs.join(" and ")),
            seq: None,
        });
    }
    if let (Some(cy), Some(y)) = (c.year, meta.year) {
        if cy != y {
            warnings.push(Warning {
                code: WarningCode::YearMismatch,
                message: format!("the appendix caption year {cy} disagrees with the plan year {y}"),
                seq: None,
            });
        }
    }
}

/// Re-applies a non-default tone style to every text value.
fn restyle(plan: &mut Plan, style: ToneStyle) {
    let f = |s: &mut Option<String>| {
        if let Some(v) = s {
            *v = canon_tones(v, style);
        }
    };
    let m = &mut plan.meta;
    for s in [&mut m.issuer, &mut m.place, &mut m.date_raw, &mut m.title] {
        f(s);
    }
    if let Some(sg) = &mut m.signer {
        f(&mut sg.name);
        f(&mut sg.position);
    }
    let refs = |r: &mut kehoach_plan::Reference| {
        r.text = canon_tones(&r.text, style);
        if let Some(i) = &mut r.issuer {
            *i = canon_tones(i, style);
        }
    };
    m.basis.iter_mut().for_each(refs);
    for r in &mut m.results {
        r.metric = canon_tones(&r.metric, style);
    }
    plan.tasks
        .iter_mut()
        .flat_map(|t| t.refs.iter_mut())
        .for_each(refs);
    for t in &mut plan.tasks {
        for s in [
            &mut t.content,
            &mut t.lead,
            &mut t.support,
            &mut t.deadline,
            &mut t.product,
        ] {
            f(s);
        }
        for u in t.lead_units.iter_mut().chain(t.support_units.iter_mut()) {
            *u = canon_tones(u, style);
        }
        for g in &mut t.targets {
            g.metric = canon_tones(&g.metric, style);
            g.text = canon_tones(&g.text, style);
        }
        for v in t.extra.values_mut() {
            *v = canon_tones(v, style);
        }
    }
}
