//! Human-readable output helpers.

use std::io::IsTerminal;

/// Whether stdout is a terminal.
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// Whether stderr is a terminal (progress bars go there only then).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Cuts `s` to at most `width` characters, ending with `…` when cut.
pub fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Renders rows as an aligned text table with a header line.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>, out: &mut String| {
        let n = cells.len();
        for (i, cell) in cells.into_iter().enumerate() {
            out.push_str(&cell);
            if i + 1 < n {
                let pad = widths[i].saturating_sub(cell.chars().count()) + 2;
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        let kept = out.trim_end_matches(' ').len();
        out.truncate(kept);
        out.push('\n');
    };
    line(header.iter().map(|s| s.to_string()).collect(), &mut out);
    line(widths.iter().map(|w| "─".repeat(*w)).collect(), &mut out);
    for row in rows {
        line(row.clone(), &mut out);
    }
    out
}

/// One task as a row of the plan table, indented by its level.
fn task_row(t: &kehoach_plan::Task) -> Vec<String> {
    let indent = "  ".repeat(t.level as usize);
    vec![
        t.seq.to_string(),
        format!("{indent}{}", t.number.as_deref().unwrap_or("·")),
        clip(
            &format!("{indent}{}", t.content.as_deref().unwrap_or("")),
            70,
        ),
        clip(t.lead.as_deref().unwrap_or(""), 28),
        clip(t.deadline.as_deref().unwrap_or(""), 24),
        t.due
            .as_ref()
            .map(|d| d.kind.as_str().to_string())
            .unwrap_or_default(),
        t.targets
            .iter()
            .map(|g| {
                let gap = if g.unit == "%" { "" } else { " " };
                format!("{}{}{gap}{}", g.op.as_str(), g.value, g.unit)
            })
            .collect::<Vec<_>>()
            .join(" "),
    ]
}

/// Writes a plan for people: a header line (`label`, kind, number, issuer,
/// date), the title, the task tables under their captions with the
/// hierarchy indented, and the warnings.
pub fn write_plan(
    out: &mut impl std::io::Write,
    label: &str,
    plan: &kehoach_plan::Plan,
) -> std::io::Result<()> {
    let m = &plan.meta;
    writeln!(
        out,
        "{label}  {}  {}  {}  {}",
        m.doc_type.as_deref().unwrap_or("(kind?)"),
        m.number.as_deref().unwrap_or("(no number)"),
        m.issuer.as_deref().unwrap_or("(no issuer)"),
        m.date
            .as_deref()
            .or(m.date_raw.as_deref())
            .unwrap_or("(no date)")
    )?;
    if let Some(title) = &m.title {
        writeln!(out, "{title}")?;
    }
    for r in &m.basis {
        writeln!(
            out,
            "{}: {}",
            r.relation.map_or("cites", |x| x.as_str()),
            r.text
        )?;
    }
    // Each task table under its caption (`[Phụ lục I]`, `[body]` for a
    // table in the body of the document).
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut caption: Option<Option<&str>> = None;
    for t in &plan.tasks {
        if caption != Some(t.appendix.as_deref()) {
            caption = Some(t.appendix.as_deref());
            rows.push(vec![
                String::new(),
                String::new(),
                format!("[{}]", t.appendix.as_deref().unwrap_or("body")),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        rows.push(task_row(t));
    }
    if rows.len() == plan.tasks.len() + 1 && plan.tasks.iter().all(|t| t.appendix.is_none()) {
        // One table in the body: no caption line.
        rows.remove(0);
    }
    write!(
        out,
        "{}",
        table(
            &["seq", "no", "content", "lead", "deadline", "kind", "targets"],
            &rows
        )
    )?;
    if !m.results.is_empty() {
        let figure = |v: f64, u: &Option<String>| {
            let u = u.as_deref().unwrap_or("");
            let sep = if u == "%" || u.is_empty() { "" } else { " " };
            format!("{v}{sep}{u}")
        };
        let rows: Vec<Vec<String>> = m
            .results
            .iter()
            .map(|r| {
                vec![
                    r.number.clone().unwrap_or_default(),
                    clip(&r.metric, 60),
                    r.planned.as_ref().map_or(String::new(), |p| {
                        format!("{} {}", p.op.as_str(), figure(p.value, &p.unit))
                    }),
                    r.achieved
                        .as_ref()
                        .map_or(String::new(), |a| figure(a.value, &a.unit)),
                    r.assessment.clone().unwrap_or_default(),
                    r.met
                        .map_or(String::new(), |x| if x { "met" } else { "not met" }.into()),
                ]
            })
            .collect();
        write!(
            out,
            "{}",
            table(
                &[
                    "no",
                    "metric",
                    "planned",
                    "achieved",
                    "assessment",
                    "figures"
                ],
                &rows
            )
        )?;
    }
    for w in &plan.warnings {
        let code = serde_json::to_value(w.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        writeln!(out, "warning[{code}]: {}", w.message)?;
    }
    writeln!(
        out,
        "{} task(s), {} warning(s)",
        plan.tasks.len(),
        plan.warnings.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_and_aligns() {
        assert_eq!(clip("abcdef", 4), "abc…");
        let t = table(&["a", "bb"], &[vec!["xyz".into(), "1".into()]]);
        assert!(t.starts_with("a    bb\n"));
        assert!(t.contains("xyz  1"));
    }
}
