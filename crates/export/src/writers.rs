//! CSV, XLSX, JSON Lines and bulk NDJSON writers.

use crate::{Error, Result, TaskRecord};
use kehoach_diff::fmt_num;
use kehoach_plan::Target;
use serde_json::json;
use std::io::Write;

/// The flat columns of CSV, XLSX and Parquet exports, in order.
pub const COLUMNS: &[&str] = &[
    "plan_id",
    "path",
    "plan_number",
    "doc_type",
    "issuer",
    "issuer_code",
    "place",
    "year",
    "date",
    "title",
    "seq",
    "number",
    "section",
    "level",
    "parent",
    "appendix",
    "content",
    "lead",
    "support",
    "lead_units",
    "support_units",
    "deadline",
    "due_kind",
    "due_by",
    "product",
    "targets",
    "target_count",
    "target_metric",
    "target_op",
    "target_value",
    "target_unit",
];

/// Columns holding numbers (written as numbers in XLSX).
const NUMERIC: &[&str] = &[
    "year",
    "seq",
    "level",
    "parent",
    "target_count",
    "target_value",
];

/// `mức độ hài lòng >= 90%`.
pub(crate) fn target_text(t: &Target) -> String {
    // `90%`, but `5 kịch bản`.
    let gap = if t.unit == "%" { "" } else { " " };
    format!(
        "{} {} {}{gap}{}",
        t.metric,
        t.op.as_str(),
        fmt_num(t.value),
        t.unit
    )
}

/// The flat cells of one record, in [`COLUMNS`] order (empty for missing values).
pub fn flat_row(r: &TaskRecord<'_>) -> Vec<String> {
    let (m, t) = (r.meta, r.task);
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let first = t.targets.first();
    vec![
        r.id(),
        r.source.path.clone(),
        s(&m.number),
        s(&m.doc_type),
        s(&m.issuer),
        s(&m.issuer_code),
        s(&m.place),
        m.year.map(|y| y.to_string()).unwrap_or_default(),
        s(&m.date),
        s(&m.title),
        t.seq.to_string(),
        s(&t.number),
        s(&t.section),
        t.level.to_string(),
        t.parent.map(|p| p.to_string()).unwrap_or_default(),
        s(&t.appendix),
        s(&t.content),
        s(&t.lead),
        s(&t.support),
        t.lead_units.join("; "),
        t.support_units.join("; "),
        s(&t.deadline),
        t.due
            .as_ref()
            .map(|d| d.kind.as_str().to_string())
            .unwrap_or_default(),
        t.due
            .as_ref()
            .and_then(|d| d.by.clone())
            .unwrap_or_default(),
        s(&t.product),
        t.targets
            .iter()
            .map(target_text)
            .collect::<Vec<_>>()
            .join("; "),
        t.targets.len().to_string(),
        first.map(|g| g.metric.clone()).unwrap_or_default(),
        first.map(|g| g.op.as_str().to_string()).unwrap_or_default(),
        first.map(|g| fmt_num(g.value)).unwrap_or_default(),
        first.map(|g| g.unit.clone()).unwrap_or_default(),
    ]
}

/// Writes one CSV row per record (RFC 4180, CRLF line ends), preceded by a
/// UTF-8 byte-order mark and a header row. Returns the number of rows.
pub fn write_csv<'a, W: Write>(
    out: W,
    records: impl IntoIterator<Item = TaskRecord<'a>>,
) -> Result<usize> {
    let mut out = out;
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(COLUMNS)?;
    let mut n = 0;
    for r in records {
        w.write_record(flat_row(&r))?;
        n += 1;
    }
    w.flush()?;
    Ok(n)
}

/// Excel's limit on the characters of one cell.
const XLSX_CELL_MAX: usize = 32_767;
/// Excel's limit on the rows of one sheet (the header takes one).
const XLSX_ROWS_MAX: usize = 1_048_575;

/// Writes an XLSX workbook with one sheet `tasks`: a bold, frozen header row
/// with filters, then one row per record ([`COLUMNS`]; numbers as numbers).
/// Returns the number of rows.
pub fn write_xlsx<'a, W: Write + Send>(
    out: W,
    records: impl IntoIterator<Item = TaskRecord<'a>>,
) -> Result<usize> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let header = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("tasks")?;
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, col(c)?, *name, &header)?;
    }
    let mut n = 0usize;
    for r in records {
        if n >= XLSX_ROWS_MAX {
            return Err(Error::Unsupported(format!(
                "more than {XLSX_ROWS_MAX} tasks do not fit in one XLSX sheet; export to CSV instead"
            )));
        }
        let row = u32::try_from(n + 1)
            .map_err(|_| Error::Unsupported("too many rows for XLSX".into()))?;
        for (c, cell) in flat_row(&r).into_iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let cc = col(c)?;
            match cell.parse::<f64>() {
                Ok(v) if NUMERIC.contains(&COLUMNS[c]) => {
                    sheet.write_number(row, cc, v)?;
                }
                _ => {
                    let text: String = if cell.chars().count() > XLSX_CELL_MAX {
                        cell.chars()
                            .take(XLSX_CELL_MAX - 1)
                            .chain(std::iter::once('…'))
                            .collect()
                    } else {
                        cell
                    };
                    sheet.write_string(row, cc, text)?;
                }
            }
        }
        n += 1;
    }
    let last_col = col(COLUMNS.len() - 1)?;
    let last_row = u32::try_from(n).unwrap_or(u32::MAX);
    sheet.autofilter(0, 0, last_row, last_col)?;
    sheet.set_freeze_panes(1, 0)?;
    for (c, name) in COLUMNS.iter().enumerate() {
        let width = match *name {
            "content" | "title" | "targets" => 60.0,
            "issuer" | "lead" | "support" | "lead_units" | "support_units" | "product"
            | "target_metric" => 30.0,
            "path" | "deadline" => 24.0,
            _ => 12.0,
        };
        sheet.set_column_width(col(c)?, width)?;
    }
    book.save_to_writer(out)?;
    Ok(n)
}

fn col(c: usize) -> Result<u16> {
    u16::try_from(c).map_err(|_| Error::Unsupported("too many columns".into()))
}

/// Writes one JSON object per line: `{"plan_id", "source", "meta", "task"}`
/// (the task as a contract record). Returns the number of lines.
pub fn write_jsonl<'a, W: Write>(
    mut out: W,
    records: impl IntoIterator<Item = TaskRecord<'a>>,
) -> Result<usize> {
    let mut n = 0;
    for r in records {
        let v = json!({"plan_id": r.id(), "source": r.source, "meta": r.meta, "task": r.task});
        serde_json::to_writer(&mut out, &v)?;
        out.write_all(b"\n")?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}

/// Options of [`write_bulk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkOptions {
    /// The target index name.
    pub index: String,
}

impl Default for BulkOptions {
    fn default() -> Self {
        BulkOptions {
            index: "kehoach-tasks".to_string(),
        }
    }
}

/// The flat search document of a record for [`write_bulk`].
fn bulk_doc(r: &TaskRecord<'_>) -> serde_json::Value {
    let (m, t) = (r.meta, r.task);
    let content = t.content.as_deref().unwrap_or("");
    json!({
        "plan_id": r.id(),
        "path": r.source.path,
        "plan_number": m.number,
        "doc_type": m.doc_type,
        "issuer": m.issuer,
        "issuer_code": m.issuer_code,
        "place": m.place,
        "year": m.year,
        "date": m.date,
        "title": m.title,
        "seq": t.seq,
        "number": t.number,
        "section": t.section,
        "level": t.level,
        "parent": t.parent,
        "appendix": t.appendix,
        "content": t.content,
        "content_folded": kehoach_text::fold(content),
        "lead": t.lead,
        "support": t.support,
        "lead_units": t.lead_units,
        "support_units": t.support_units,
        "deadline": t.deadline,
        "due_kind": t.due.as_ref().map(|d| d.kind.as_str()),
        "due_by": t.due.as_ref().and_then(|d| d.by.clone()),
        "product": t.product,
        "targets": t.targets.iter().map(|g| json!({
            "metric": g.metric, "op": g.op.as_str(), "value": g.value, "unit": g.unit, "text": g.text
        })).collect::<Vec<_>>(),
    })
}

/// Writes Elasticsearch / Quickwit `_bulk` NDJSON: for each record an action
/// line `{"index": {"_index": …, "_id": "<plan id>-<seq>"}}` and a flat
/// document line. Returns the number of documents.
pub fn write_bulk<'a, W: Write>(
    mut out: W,
    records: impl IntoIterator<Item = TaskRecord<'a>>,
    opts: &BulkOptions,
) -> Result<usize> {
    let mut n = 0;
    for r in records {
        let action =
            json!({"index": {"_index": opts.index, "_id": format!("{}-{}", r.id(), r.task.seq)}});
        serde_json::to_writer(&mut out, &action)?;
        out.write_all(b"\n")?;
        serde_json::to_writer(&mut out, &bulk_doc(&r))?;
        out.write_all(b"\n")?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}
