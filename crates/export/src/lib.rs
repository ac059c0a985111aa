//! Exports of task records and target timelines.
//!
//! Every writer takes an iterator of [`TaskRecord`]s (a task with the plan it
//! belongs to), so the same code serves plan files, search results and whole
//! indexes:
//!
//! * [`write_csv`]: one flat row per task, UTF-8 with a byte-order mark so that
//!   Excel and LibreOffice open Vietnamese text correctly;
//! * [`write_xlsx`]: the same columns in a real XLSX workbook;
//! * [`write_jsonl`]: one JSON object per line (plan id, source, meta, task);
//! * [`write_bulk`]: Elasticsearch / Quickwit `_bulk` NDJSON (an action line and
//!   a flat document per task);
//! * [`write_parquet`]: the CSV columns in a Parquet file, typed (integers,
//!   dates, lists of units), written in row groups as the records come.
//!
//! [`series`] gathers the targets whose metric matches a query into one
//! timeline per issuer, and [`chart`] draws those timelines as SVG.
//! [`cascade`] follows a target from a plan down to the plans implementing it.

pub mod cascade;
pub mod chart;
mod parquet;
pub mod series;
mod writers;

pub use parquet::{write_parquet, ParquetOptions, PARQUET_ROW_GROUP_ROWS};
pub use writers::{flat_row, write_bulk, write_csv, write_jsonl, write_xlsx, BulkOptions, COLUMNS};

use kehoach_plan::{Meta, Plan, Source, Task};

/// What can go wrong while exporting.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Writing the output failed.
    #[error("write error: {0}")]
    Io(#[from] std::io::Error),
    /// The CSV writer failed.
    #[error("CSV error: {0}")]
    Csv(#[from] csv::Error),
    /// The XLSX writer failed.
    #[error("XLSX error: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// A record could not be serialised.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// The Parquet writer failed.
    #[error("Parquet error: {0}")]
    Parquet(#[source] ::parquet::errors::ParquetError),
    /// A batch of Parquet columns could not be assembled.
    #[error("Arrow error: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    /// A date field is not a `YYYY-MM-DD` calendar date, so it has no Parquet date value.
    #[error("plan {plan}, task {seq}: {column} {value:?} is not a YYYY-MM-DD date")]
    InvalidDate {
        /// The plan's id.
        plan: String,
        /// The task's `seq`.
        seq: u32,
        /// The column (`date` or `due_by`).
        column: &'static str,
        /// The stored text.
        value: String,
    },
    /// The chart could not be drawn.
    #[error("chart error: {0}")]
    Chart(String),
    /// The requested output format is not available.
    #[error("{0}")]
    Unsupported(String),
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// A task with the plan it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct TaskRecord<'a> {
    /// The plan's id in the index, when it has one.
    pub plan_id: Option<&'a str>,
    /// Where the plan came from.
    pub source: &'a Source,
    /// The plan's header metadata.
    pub meta: &'a Meta,
    /// The task.
    pub task: &'a Task,
}

impl<'a> TaskRecord<'a> {
    /// Every task of `plan`, in order.
    pub fn of_plan(
        plan: &'a Plan,
        plan_id: Option<&'a str>,
    ) -> impl Iterator<Item = TaskRecord<'a>> + 'a {
        plan.tasks.iter().map(move |task| TaskRecord {
            plan_id,
            source: &plan.source,
            meta: &plan.meta,
            task,
        })
    }

    /// The plan id, else the first 16 hex digits of the source's SHA-256.
    pub fn id(&self) -> String {
        match self.plan_id {
            Some(id) => id.to_string(),
            None => self.source.sha256.chars().take(16).collect(),
        }
    }
}
