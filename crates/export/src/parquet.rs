//! Parquet writer: the flat columns of the CSV export, each with its own type.

use crate::writers::{target_text, COLUMNS};
use crate::{Error, Result, TaskRecord};
use ::parquet::arrow::ArrowWriter;
use ::parquet::basic::Compression;
use ::parquet::errors::ParquetError;
use ::parquet::file::properties::WriterProperties;
use arrow_array::builder::{
    Date32Builder, Float64Builder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use kehoach_plan::date::Date;
use std::io::Write;
use std::sync::Arc;

/// Rows per row group of [`ParquetOptions::default`].
pub const PARQUET_ROW_GROUP_ROWS: usize = 8192;

/// Options of [`write_parquet`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParquetOptions {
    /// Rows per row group. The writer holds at most this many records' cells
    /// in memory: each full batch is encoded and written out as one row group
    /// before the next record is read.
    pub row_group_rows: usize,
}

impl Default for ParquetOptions {
    fn default() -> Self {
        ParquetOptions {
            row_group_rows: PARQUET_ROW_GROUP_ROWS,
        }
    }
}

/// The Arrow type of one column and whether it can hold nulls.
fn column_type(name: &str) -> (DataType, bool) {
    let list = DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, false)));
    match name {
        // Always present: the plan id (or the source hash) and the source path.
        "plan_id" | "path" => (DataType::Utf8, false),
        "seq" | "level" | "target_count" => (DataType::Int64, false),
        "year" | "parent" => (DataType::Int64, true),
        "target_value" => (DataType::Float64, true),
        "date" | "due_by" => (DataType::Date32, true),
        "lead_units" | "support_units" | "targets" => (list, false),
        _ => (DataType::Utf8, true),
    }
}

/// The schema of [`write_parquet`]: the [`COLUMNS`] of the CSV export, in order.
fn schema() -> SchemaRef {
    let fields: Vec<Field> = COLUMNS
        .iter()
        .map(|name| {
            let (ty, nullable) = column_type(name);
            Field::new(*name, ty, nullable)
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// The builders of one batch, one per column.
struct Batch {
    plan_id: StringBuilder,
    path: StringBuilder,
    plan_number: StringBuilder,
    doc_type: StringBuilder,
    issuer: StringBuilder,
    issuer_code: StringBuilder,
    place: StringBuilder,
    year: Int64Builder,
    date: Date32Builder,
    title: StringBuilder,
    seq: Int64Builder,
    number: StringBuilder,
    section: StringBuilder,
    level: Int64Builder,
    parent: Int64Builder,
    appendix: StringBuilder,
    content: StringBuilder,
    lead: StringBuilder,
    support: StringBuilder,
    lead_units: ListBuilder<StringBuilder>,
    support_units: ListBuilder<StringBuilder>,
    deadline: StringBuilder,
    due_kind: StringBuilder,
    due_by: Date32Builder,
    product: StringBuilder,
    targets: ListBuilder<StringBuilder>,
    target_count: Int64Builder,
    target_metric: StringBuilder,
    target_op: StringBuilder,
    target_value: Float64Builder,
    target_unit: StringBuilder,
    /// Rows appended since the last [`Batch::finish`].
    rows: usize,
}

/// A list builder of non-null strings (the item field of [`column_type`]).
fn list_builder(capacity: usize) -> ListBuilder<StringBuilder> {
    ListBuilder::with_capacity(StringBuilder::new(), capacity)
        .with_field(Arc::new(Field::new_list_field(DataType::Utf8, false)))
}

/// `Some(text)` unless the text is missing or empty: an empty CSV cell is a null.
fn text(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

/// Days since 1970-01-01 of an ISO date (`YYYY-MM-DD`, as the contract writes it).
fn date32(r: &TaskRecord<'_>, column: &'static str, v: Option<&str>) -> Result<Option<i32>> {
    let Some(s) = v.filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    Date::parse_iso(s)
        // Only the canonical form, so that the date reads back as the CSV text.
        .filter(|d| d.iso() == s)
        .and_then(|d| i32::try_from(d.days_since_epoch()).ok())
        .map(Some)
        .ok_or_else(|| Error::InvalidDate {
            plan: r.id(),
            seq: r.task.seq,
            column,
            value: s.to_string(),
        })
}

impl Batch {
    fn new(capacity: usize) -> Self {
        let s = || StringBuilder::with_capacity(capacity, capacity * 8);
        let i = || Int64Builder::with_capacity(capacity);
        let d = || Date32Builder::with_capacity(capacity);
        Batch {
            plan_id: s(),
            path: s(),
            plan_number: s(),
            doc_type: s(),
            issuer: s(),
            issuer_code: s(),
            place: s(),
            year: i(),
            date: d(),
            title: s(),
            seq: i(),
            number: s(),
            section: s(),
            level: i(),
            parent: i(),
            appendix: s(),
            content: s(),
            lead: s(),
            support: s(),
            lead_units: list_builder(capacity),
            support_units: list_builder(capacity),
            deadline: s(),
            due_kind: s(),
            due_by: d(),
            product: s(),
            targets: list_builder(capacity),
            target_count: i(),
            target_metric: s(),
            target_op: s(),
            target_value: Float64Builder::with_capacity(capacity),
            target_unit: s(),
            rows: 0,
        }
    }

    /// Appends one record, the cells of [`crate::flat_row`] with their types.
    fn push(&mut self, r: &TaskRecord<'_>) -> Result<()> {
        let (m, t) = (r.meta, r.task);
        // Checked first, so that a refused record leaves no partial row behind.
        let date = date32(r, "date", m.date.as_deref())?;
        let due_by = date32(r, "due_by", t.due.as_ref().and_then(|d| d.by.as_deref()))?;
        let first = t.targets.first();
        self.plan_id.append_value(r.id());
        self.path.append_value(&r.source.path);
        self.plan_number.append_option(text(&m.number));
        self.doc_type.append_option(text(&m.doc_type));
        self.issuer.append_option(text(&m.issuer));
        self.issuer_code.append_option(text(&m.issuer_code));
        self.place.append_option(text(&m.place));
        self.year.append_option(m.year.map(i64::from));
        self.date.append_option(date);
        self.title.append_option(text(&m.title));
        self.seq.append_value(i64::from(t.seq));
        self.number.append_option(text(&t.number));
        self.section.append_option(text(&t.section));
        self.level.append_value(i64::from(t.level));
        self.parent.append_option(t.parent.map(i64::from));
        self.appendix.append_option(text(&t.appendix));
        self.content.append_option(text(&t.content));
        self.lead.append_option(text(&t.lead));
        self.support.append_option(text(&t.support));
        self.lead_units
            .append_value(t.lead_units.iter().map(|u| Some(u.as_str())));
        self.support_units
            .append_value(t.support_units.iter().map(|u| Some(u.as_str())));
        self.deadline.append_option(text(&t.deadline));
        self.due_kind
            .append_option(t.due.as_ref().map(|d| d.kind.as_str()));
        self.due_by.append_option(due_by);
        self.product.append_option(text(&t.product));
        self.targets
            .append_value(t.targets.iter().map(|g| Some(target_text(g))));
        self.target_count
            .append_value(i64::try_from(t.targets.len()).unwrap_or(i64::MAX));
        self.target_metric
            .append_option(first.map(|g| g.metric.as_str()).filter(|s| !s.is_empty()));
        self.target_op.append_option(first.map(|g| g.op.as_str()));
        self.target_value.append_option(first.map(|g| g.value));
        self.target_unit
            .append_option(first.map(|g| g.unit.as_str()).filter(|s| !s.is_empty()));
        self.rows += 1;
        Ok(())
    }

    /// The appended rows as a record batch; the builders start over empty.
    fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.plan_id.finish()),
            Arc::new(self.path.finish()),
            Arc::new(self.plan_number.finish()),
            Arc::new(self.doc_type.finish()),
            Arc::new(self.issuer.finish()),
            Arc::new(self.issuer_code.finish()),
            Arc::new(self.place.finish()),
            Arc::new(self.year.finish()),
            Arc::new(self.date.finish()),
            Arc::new(self.title.finish()),
            Arc::new(self.seq.finish()),
            Arc::new(self.number.finish()),
            Arc::new(self.section.finish()),
            Arc::new(self.level.finish()),
            Arc::new(self.parent.finish()),
            Arc::new(self.appendix.finish()),
            Arc::new(self.content.finish()),
            Arc::new(self.lead.finish()),
            Arc::new(self.support.finish()),
            Arc::new(self.lead_units.finish()),
            Arc::new(self.support_units.finish()),
            Arc::new(self.deadline.finish()),
            Arc::new(self.due_kind.finish()),
            Arc::new(self.due_by.finish()),
            Arc::new(self.product.finish()),
            Arc::new(self.targets.finish()),
            Arc::new(self.target_count.finish()),
            Arc::new(self.target_metric.finish()),
            Arc::new(self.target_op.finish()),
            Arc::new(self.target_value.finish()),
            Arc::new(self.target_unit.finish()),
        ];
        self.rows = 0;
        Ok(RecordBatch::try_new(schema.clone(), columns)?)
    }
}

/// A Parquet error, with the output's I/O errors as [`Error::Io`] (a closed
/// pipe stays recognisable).
fn parquet_error(e: ParquetError) -> Error {
    match e {
        ParquetError::External(inner) => match inner.downcast::<std::io::Error>() {
            Ok(io) => Error::Io(*io),
            Err(other) => Error::Parquet(ParquetError::External(other)),
        },
        other => Error::Parquet(other),
    }
}

/// Writes a Parquet file (Snappy-compressed) with the [`COLUMNS`] of the CSV
/// export, in the same order, and one row per record. Returns the number of
/// rows.
///
/// Column types:
///
/// * `year`, `seq`, `level`, `parent`, `target_count`: `Int64`;
/// * `target_value`: `Float64`;
/// * `date`, `due_by`: `Date32`;
/// * `lead_units`, `support_units`, `targets`: `List<Utf8>` (the items the
///   CSV joins with `; `; an empty list where the CSV cell is empty);
/// * every other column: `Utf8`.
///
/// `plan_id`, `path`, `seq`, `level`, `target_count` and the lists are never
/// null; every other column is null exactly where the CSV cell is empty.
///
/// Records are written in row groups of [`ParquetOptions::row_group_rows`]
/// rows as they come, so memory does not grow with the number of records.
/// A `date` or `due_by` that is not a `YYYY-MM-DD` calendar date is refused
/// with [`Error::InvalidDate`].
pub fn write_parquet<'a, W: Write + Send>(
    out: W,
    records: impl IntoIterator<Item = TaskRecord<'a>>,
    opts: &ParquetOptions,
) -> Result<usize> {
    let rows = opts.row_group_rows;
    if rows == 0 {
        return Err(Error::Unsupported(
            "a Parquet row group needs at least one row".into(),
        ));
    }
    let schema = schema();
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(rows))
        .build();
    let mut writer =
        ArrowWriter::try_new(out, schema.clone(), Some(props)).map_err(parquet_error)?;
    let mut batch = Batch::new(rows.min(PARQUET_ROW_GROUP_ROWS));
    let mut n = 0usize;
    for r in records {
        batch.push(&r)?;
        n += 1;
        if batch.rows == rows {
            writer
                .write(&batch.finish(&schema)?)
                .map_err(parquet_error)?;
            writer.flush().map_err(parquet_error)?;
        }
    }
    if batch.rows > 0 {
        writer
            .write(&batch.finish(&schema)?)
            .map_err(parquet_error)?;
    }
    // Writes the footer and flushes the output through to `out`.
    writer.close().map_err(parquet_error)?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_follows_the_csv_columns() {
        let s = schema();
        let names: Vec<&str> = s.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, COLUMNS);
        assert_eq!(
            Batch::new(1).finish(&s).map(|b| b.num_columns()).ok(),
            Some(COLUMNS.len())
        );
    }
}
