//! `kehoach export`: task records from the index as JSON Lines, CSV, XLSX, Parquet or bulk NDJSON.

use crate::EXIT_OK;
use anyhow::Context;
use kehoach_export::{BulkOptions, ParquetOptions, TaskRecord};
use kehoach_index::{Hit, PlanStore, SearchRequest};
use std::io::Write;
use std::path::PathBuf;

/// The filters `export` and `targets` share with `search`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Filters {
    /// Plans of this year, or of a range of years (2020..2025, inclusive).
    #[arg(long, value_name = "YEAR[..YEAR]")]
    pub year: Option<String>,
    /// Plans whose issuer name contains these words, or whose issuer code is this (SYT, UBND).
    #[arg(long, value_name = "ISSUER")]
    pub issuer: Option<String>,
    /// Tasks with a lead unit containing these words (diacritics optional).
    #[arg(long, value_name = "UNIT")]
    pub lead: Option<String>,
    /// Tasks whose deadline is on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub due_before: Option<String>,
    /// Tasks with this deadline kind: date, month, months, quarter, year, continuous, periodic, conditional.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
}

/// Every task matching `query` and `filters`, ordered by plan path, plan id and `seq`.
pub fn matching_tasks(
    store: &dyn PlanStore,
    query: &str,
    filters: &Filters,
) -> anyhow::Result<Vec<Hit>> {
    let req = SearchRequest {
        query: query.to_string(),
        years: filters
            .year
            .as_deref()
            .map(crate::cmd::search::parse_years)
            .transpose()?,
        issuer: filters.issuer.clone(),
        lead: filters.lead.clone(),
        due_before: filters.due_before.clone(),
        kind: filters.kind.clone(),
        place: None,
        limit: 1,
        offset: 0,
        facets: false,
        snippet_chars: 16,
    };
    Ok(store.search_all(&req, None)?)
}

/// The export record of a search hit.
pub fn record(h: &Hit) -> TaskRecord<'_> {
    TaskRecord {
        plan_id: Some(&h.plan.id),
        source: &h.plan.source,
        meta: &h.plan.meta,
        task: &h.task,
    }
}

/// Output formats of `kehoach export`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per line: plan id, source, meta and the task record.
    Jsonl,
    /// One flat row per task, UTF-8 with a byte-order mark (opens in Excel and LibreOffice).
    Csv,
    /// An Excel workbook with one flat row per task.
    Xlsx,
    /// Elasticsearch / Quickwit `_bulk` lines: an action line and a flat document per task.
    NdjsonBulk,
    /// The CSV columns in a Parquet file, typed: numbers, dates, lists of units and targets.
    Parquet,
}

impl ExportFormat {
    /// Binary formats are not written to a terminal.
    fn is_binary(self) -> bool {
        matches!(self, ExportFormat::Xlsx | ExportFormat::Parquet)
    }
}

/// Arguments of `kehoach export`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Exports every task record in the index, or those matching QUERY and the filters (the same as
`kehoach search`). CSV and XLSX are flat: one row per task, units joined by '; ', all targets as
text plus the first target's metric/op/value/unit in their own columns.

Parquet has the same columns in the same order, typed: year, seq, level, parent and target_count
are Int64, target_value Float64, date and due_by Date32, lead_units, support_units and targets
lists of strings (the items the CSV joins with '; '); the other columns are strings. A cell that
is empty in the CSV is null in Parquet (an empty list for the list columns). Rows are written in
row groups of 8192 as they come. XLSX and Parquet are binary: give -o FILE on a terminal.

Examples:
  kehoach export --format xlsx -o tasks.xlsx
  kehoach export --format parquet -o tasks.parquet
  duckdb -c \"select issuer, count(*) from 'tasks.parquet' group by issuer\"
  kehoach export 'hài lòng' --year 2024..2025 --format csv -o hai-long.csv
  kehoach export --format ndjson-bulk --index-name plans > bulk.ndjson
  curl -H 'Content-Type: application/x-ndjson' --data-binary @bulk.ndjson localhost:9200/_bulk")]
pub struct Args {
    /// Only tasks matching this query (words, \"phrases\", -exclusions); all when empty.
    #[arg(value_name = "QUERY", default_value = "")]
    pub query: String,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "jsonl")]
    pub format: ExportFormat,
    /// Write to FILE instead of standard output (required for xlsx and parquet on a terminal).
    #[arg(long, short = 'o', visible_alias = "out", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Index name in the action lines of ndjson-bulk.
    #[arg(long, value_name = "NAME", default_value = "kehoach-tasks")]
    pub index_name: String,
    #[command(flatten)]
    pub store: crate::store::StoreArgs,
    #[command(flatten)]
    pub filters: Filters,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<u8> {
    if args.format.is_binary() && args.output.is_none() && crate::output::stdout_is_terminal() {
        let (name, ext) = match args.format {
            ExportFormat::Parquet => ("Parquet", "parquet"),
            _ => ("XLSX", "xlsx"),
        };
        anyhow::bail!(
            "{name} is binary: give -o FILE.{ext} (or redirect standard output to a file)"
        );
    }
    let store = args.store.open()?;
    let hits = matching_tasks(&*store, &args.query, &args.filters)?;
    let records = hits.iter().map(record);
    let n = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let n = write(std::io::BufWriter::new(file), records, &args)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("kehoach: wrote {n} task(s) to {}", path.display());
            n
        }
        None => write(std::io::BufWriter::new(std::io::stdout()), records, &args)?,
    };
    if n == 0 {
        eprintln!("kehoach: no task matched");
    }
    Ok(EXIT_OK)
}

fn write<'a, W: Write + Send>(
    mut out: W,
    records: impl Iterator<Item = TaskRecord<'a>>,
    args: &Args,
) -> anyhow::Result<usize> {
    let n = match args.format {
        ExportFormat::Jsonl => kehoach_export::write_jsonl(&mut out, records)?,
        ExportFormat::Csv => kehoach_export::write_csv(&mut out, records)?,
        ExportFormat::Xlsx => kehoach_export::write_xlsx(&mut out, records)?,
        ExportFormat::NdjsonBulk => kehoach_export::write_bulk(
            &mut out,
            records,
            &BulkOptions {
                index: args.index_name.clone(),
            },
        )?,
        ExportFormat::Parquet => {
            kehoach_export::write_parquet(&mut out, records, &ParquetOptions::default())?
        }
    };
    out.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Parser, Debug)]
    struct Cmd {
        #[command(flatten)]
        args: Args,
    }

    #[test]
    fn parquet_is_a_binary_format_written_to_a_file() {
        let cmd = Cmd::try_parse_from(["export", "--format", "parquet", "--out", "t.parquet"])
            .expect("valid arguments");
        assert_eq!(cmd.args.format, ExportFormat::Parquet);
        assert_eq!(cmd.args.output, Some(PathBuf::from("t.parquet")));
        assert!(ExportFormat::Parquet.is_binary() && ExportFormat::Xlsx.is_binary());
        assert!(!ExportFormat::Csv.is_binary());
        let help = Cmd::command().render_long_help().to_string();
        assert!(
            help.contains("parquet") && help.contains("Date32"),
            "{help}"
        );
    }
}
