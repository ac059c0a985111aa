//! Parquet exports of real plan records, read back with the parquet crate's
//! Arrow reader and compared cell by cell with the CSV export of the same
//! records.

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use kehoach_export::{Error, ParquetOptions, TaskRecord, COLUMNS};
use kehoach_plan::{Due, DueKind, Format, Meta, Op, Plan, Source, Target, Task};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The plans of the text files in `corpus/`, `fixtures/plans` and
/// `fixtures/variants`, extracted as `kehoach extract` does, each named by its
/// path from the repository root.
fn text_plans() -> Vec<(String, Plan)> {
    let mut out = Vec::new();
    for dir in ["corpus", "fixtures/plans", "fixtures/variants"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .expect("fixture dir")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).expect("readable");
            let doc = kehoach_read_text::read(&bytes).expect("a text file");
            let name = format!(
                "{dir}/{}",
                path.file_name().expect("a file name").to_string_lossy()
            );
            let plan = kehoach_extract::extract(
                &doc,
                Source {
                    path: name.clone(),
                    sha256: String::new(),
                    format: Format::Text,
                    pages: None,
                },
            );
            out.push((name, plan));
        }
    }
    out
}

/// The hand-checked records of `fixtures/gold` and `fixtures/real/gold`
/// (read from DOCX, PDF and scans).
fn gold_plans() -> Vec<Plan> {
    let mut out = Vec::new();
    for dir in ["fixtures/gold", "fixtures/real/gold"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .expect("gold dir")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p).expect("readable");
            out.push(serde_json::from_str(&text).expect("a plan"));
        }
    }
    out
}

/// The Arrow type and nullability each column must have.
fn expected_type(name: &str) -> (DataType, bool) {
    match name {
        "plan_id" | "path" => (DataType::Utf8, false),
        "seq" | "level" | "target_count" => (DataType::Int64, false),
        "year" | "parent" => (DataType::Int64, true),
        "target_value" => (DataType::Float64, true),
        "date" | "due_by" => (DataType::Date32, true),
        "lead_units" | "support_units" | "targets" => {
            (DataType::new_list(DataType::Utf8, false), false)
        }
        _ => (DataType::Utf8, true),
    }
}

/// A unique path in the temporary directory.
fn temp_file(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "kehoach-parquet-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Writes `recs` as Parquet to a file and reads it back: the batches and the
/// row counts of the row groups.
fn round_trip(recs: &[TaskRecord<'_>], opts: &ParquetOptions) -> (Vec<RecordBatch>, Vec<i64>) {
    let path = temp_file("tasks.parquet");
    let file = std::fs::File::create(&path).expect("temp file");
    let n =
        kehoach_export::write_parquet(std::io::BufWriter::new(file), recs.iter().copied(), opts)
            .expect("parquet");
    assert_eq!(n, recs.len());
    let file = std::fs::File::open(&path).expect("written");
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("a Parquet file");
    let groups = builder
        .metadata()
        .row_groups()
        .iter()
        .map(|g| g.num_rows())
        .collect();
    let batches = builder
        .build()
        .expect("reader")
        .collect::<Result<Vec<_>, _>>()
        .expect("batches");
    let _ = std::fs::remove_file(&path);
    (batches, groups)
}

/// The CSV export of `recs`, parsed: header and rows.
fn csv_rows(recs: &[TaskRecord<'_>]) -> Vec<Vec<String>> {
    let mut buf = Vec::new();
    kehoach_export::write_csv(&mut buf, recs.iter().copied()).expect("csv");
    let text = String::from_utf8(buf).expect("utf-8");
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(
        r.headers().expect("header").iter().collect::<Vec<_>>(),
        COLUMNS
    );
    r.records()
        .map(|row| row.expect("a CSV row").iter().map(str::to_string).collect())
        .collect()
}

/// One Parquet cell in the CSV's text form; `None` for a null.
fn cell_text(col: &ArrayRef, row: usize) -> Option<String> {
    if col.is_null(row) {
        return None;
    }
    Some(match col.data_type() {
        DataType::Utf8 => col.as_string::<i32>().value(row).to_string(),
        DataType::Int64 => col.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::Float64 => kehoach_diff::fmt_num(col.as_primitive::<Float64Type>().value(row)),
        // Formatted by chrono, independently of the writer's own day count.
        DataType::Date32 => col
            .as_primitive::<Date32Type>()
            .value_as_date(row)
            .expect("a calendar date")
            .format("%Y-%m-%d")
            .to_string(),
        DataType::List(_) => {
            let items = col.as_list::<i32>().value(row);
            let items = items.as_string::<i32>();
            assert_eq!(items.null_count(), 0, "list items are never null");
            items.iter().flatten().collect::<Vec<_>>().join("; ")
        }
        other => panic!("unexpected column type {other}"),
    })
}

/// Every column of every row of `batches` against the CSV export of `recs`.
/// Returns the number of cells compared.
fn assert_same_as_csv(recs: &[TaskRecord<'_>], batches: &[RecordBatch]) -> usize {
    let rows = csv_rows(recs);
    assert_eq!(
        batches.iter().map(RecordBatch::num_rows).sum::<usize>(),
        rows.len()
    );
    let mut checked = 0;
    let mut row_no = 0;
    for batch in batches {
        let schema = batch.schema();
        for row in 0..batch.num_rows() {
            let csv = &rows[row_no];
            for (c, name) in COLUMNS.iter().enumerate() {
                let field = schema.field(c);
                assert_eq!(field.name(), name);
                let cell = cell_text(batch.column(c), row);
                let is_list = matches!(field.data_type(), DataType::List(_));
                match cell {
                    None => {
                        assert!(field.is_nullable(), "{name} is null in row {row_no}");
                        assert_eq!(csv[c], "", "{name}, row {row_no}: null but CSV has text");
                    }
                    Some(text) => {
                        assert_eq!(text, csv[c], "{name}, row {row_no}");
                        // An empty CSV cell is a null, except for an empty list.
                        assert!(
                            !text.is_empty() || is_list || !field.is_nullable(),
                            "{name}, row {row_no}: empty text instead of null"
                        );
                    }
                }
                checked += 1;
            }
            row_no += 1;
        }
    }
    checked
}

fn assert_schema(batches: &[RecordBatch]) {
    let schema = batches.first().expect("a batch").schema();
    assert_eq!(schema.fields().len(), COLUMNS.len());
    for (field, name) in schema.fields().iter().zip(COLUMNS) {
        let (ty, nullable) = expected_type(name);
        assert_eq!(field.name(), name);
        assert_eq!(field.data_type(), &ty, "type of {name}");
        assert_eq!(field.is_nullable(), nullable, "nullability of {name}");
    }
}

#[test]
fn extracted_text_plans_read_back_as_their_csv() {
    let plans = text_plans();
    assert!(plans.len() >= 25, "{} plans", plans.len());
    let recs: Vec<TaskRecord<'_>> = plans
        .iter()
        .flat_map(|(name, p)| TaskRecord::of_plan(p, Some(name.as_str())))
        .collect();
    assert!(recs.len() > 500, "{} records", recs.len());
    let (batches, groups) = round_trip(&recs, &ParquetOptions::default());
    assert_schema(&batches);
    assert_eq!(
        groups,
        vec![recs.len() as i64],
        "one row group under 8192 rows"
    );
    let cells = assert_same_as_csv(&recs, &batches);
    assert_eq!(cells, recs.len() * COLUMNS.len());
    // The values are really there, typed: dates, lists and numbers.
    let col = |b: &RecordBatch, name: &str| {
        b.column(COLUMNS.iter().position(|c| *c == name).expect("column"))
            .clone()
    };
    let present = |name: &str| -> usize {
        batches
            .iter()
            .map(|b| b.num_rows() - col(b, name).null_count())
            .sum()
    };
    assert!(present("date") > 0 && present("due_by") > 0 && present("target_value") > 0);
    assert!(
        batches.iter().any(|b| {
            let units = col(b, "lead_units");
            let units = units.as_list::<i32>();
            (0..units.len()).any(|i| units.value(i).len() >= 2)
        }),
        "a task with two lead units"
    );
}

#[test]
fn gold_plans_in_small_row_groups_read_back_as_their_csv() {
    let plans = gold_plans();
    let recs: Vec<TaskRecord<'_>> = plans
        .iter()
        .flat_map(|p| TaskRecord::of_plan(p, None))
        .collect();
    assert!(recs.len() > 300, "{} records", recs.len());
    let opts = ParquetOptions { row_group_rows: 37 };
    let (batches, groups) = round_trip(&recs, &opts);
    assert_schema(&batches);
    assert_eq!(groups.len(), recs.len().div_ceil(37));
    assert!(groups[..groups.len() - 1].iter().all(|&n| n == 37));
    assert_eq!(groups.iter().sum::<i64>(), recs.len() as i64);
    assert_eq!(
        assert_same_as_csv(&recs, &batches),
        recs.len() * COLUMNS.len()
    );
    // The plan id is the source hash's first 16 hex digits, as in the CSV.
    let ids = batches[0].column(0).as_string::<i32>();
    assert_eq!(ids.value(0).len(), 16);
}

fn task(seq: u32) -> Task {
    Task {
        seq,
        level: 1,
        ..Task::default()
    }
}

fn source() -> Source {
    Source {
        path: "made/up.txt".into(),
        sha256: "0123456789abcdef0123456789abcdef".into(),
        format: Format::Text,
        pages: Some(3),
    }
}

#[test]
fn edge_values_read_back_as_their_csv() {
    let meta = Meta {
        number: Some(String::new()),
        issuer: Some("Sở Y tế".into()),
        date: Some("1900-01-01".into()),
        year: Some(1900),
        ..Meta::default()
    };
    let mut a = task(1);
    a.content = Some(String::new());
    a.lead_units = vec!["Sở Y tế".into(), "UBND các xã; phường".into()];
    a.due = Some(Due {
        kind: DueKind::Date,
        by: Some("2200-12-31".into()),
        dates: None,
        every: None,
    });
    a.targets = vec![
        Target {
            metric: "kịch bản".into(),
            op: Op::Ge,
            value: 5.0,
            unit: String::new(),
            text: "ít nhất 5 kịch bản".into(),
        },
        Target {
            metric: "tỷ lệ hồ sơ".into(),
            op: Op::Eq,
            value: 99.5,
            unit: "%".into(),
            text: "99,5%".into(),
        },
    ];
    let mut b = task(2);
    b.parent = Some(1);
    b.due = Some(Due {
        kind: DueKind::Continuous,
        by: None,
        dates: None,
        every: None,
    });
    let c = task(3);
    let tasks = [a, b, c];
    let src = source();
    let recs: Vec<TaskRecord<'_>> = tasks
        .iter()
        .map(|task| TaskRecord {
            plan_id: None,
            source: &src,
            meta: &meta,
            task,
        })
        .collect();
    let (batches, _) = round_trip(&recs, &ParquetOptions { row_group_rows: 2 });
    assert_schema(&batches);
    assert_same_as_csv(&recs, &batches);
    let b0 = &batches[0];
    let col = |name: &str| b0.column(COLUMNS.iter().position(|c| *c == name).expect("column"));
    assert_eq!(col("date").as_primitive::<Date32Type>().value(0), -25_567);
    assert_eq!(col("due_by").as_primitive::<Date32Type>().value(0), 84_370);
    // Empty text is null, as the CSV cell is empty.
    assert!(col("plan_number").is_null(0) && col("content").is_null(0));
    assert!(col("target_unit").is_null(0), "5 kịch bản has no unit");
    assert_eq!(
        col("target_value").as_primitive::<Float64Type>().value(0),
        5.0
    );
    // A unit holding "; " stays one item.
    assert_eq!(col("lead_units").as_list::<i32>().value(0).len(), 2);
    assert_eq!(col("targets").as_list::<i32>().value(1).len(), 0);
    assert!(col("due_by").is_null(1) && !col("due_kind").is_null(1));
}

#[test]
fn dates_that_are_not_calendar_dates_are_refused() {
    let src = source();
    for bad in ["2024-02-30", "2024-1-5", "31/12/2024", "soon"] {
        let meta = Meta {
            date: Some(bad.into()),
            ..Meta::default()
        };
        let t = task(4);
        let rec = TaskRecord {
            plan_id: Some("p1"),
            source: &src,
            meta: &meta,
            task: &t,
        };
        let err = kehoach_export::write_parquet(Vec::new(), [rec], &ParquetOptions::default())
            .expect_err("refused");
        assert!(
            matches!(&err, Error::InvalidDate { plan, seq: 4, column: "date", value } if plan == "p1" && value == bad),
            "{err}"
        );
        assert!(err.to_string().contains("YYYY-MM-DD"), "{err}");
    }
}

#[test]
fn no_records_is_a_file_with_the_schema_and_no_rows() {
    let path = temp_file("empty.parquet");
    let file = std::fs::File::create(&path).expect("temp file");
    let n = kehoach_export::write_parquet(file, std::iter::empty(), &ParquetOptions::default())
        .expect("parquet");
    assert_eq!(n, 0);
    let file = std::fs::File::open(&path).expect("written");
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("a Parquet file");
    let schema = builder.schema().clone();
    assert_eq!(builder.metadata().file_metadata().num_rows(), 0);
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, COLUMNS);
    for (field, name) in schema.fields().iter().zip(COLUMNS) {
        assert_eq!(
            (field.data_type().clone(), field.is_nullable()),
            expected_type(name)
        );
    }
    let _ = std::fs::remove_file(&path);
    assert!(matches!(
        kehoach_export::write_parquet(
            Vec::new(),
            std::iter::empty(),
            &ParquetOptions { row_group_rows: 0 }
        ),
        Err(Error::Unsupported(_))
    ));
}

/// Counts the bytes written through it.
struct Counting(Arc<AtomicUsize>);

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(buf.len(), Ordering::SeqCst);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn row_groups_are_written_while_records_are_still_coming() {
    let plans = gold_plans();
    let recs: Vec<TaskRecord<'_>> = plans
        .iter()
        .flat_map(|p| TaskRecord::of_plan(p, None))
        .collect();
    let rows = 50;
    let written = Arc::new(AtomicUsize::new(0));
    let seen = written.clone();
    let mut last = 0;
    let mut grew = 0;
    // 40 row groups from the real records, repeated.
    let total = 40 * rows;
    let stream = recs
        .iter()
        .copied()
        .cycle()
        .take(total)
        .enumerate()
        .map(|(i, r)| {
            if i > 0 && i % rows == 0 {
                // The previous batch is out before the next record is asked for.
                let now = seen.load(Ordering::SeqCst);
                assert!(
                    now > last,
                    "record {i}: nothing written since the last row group"
                );
                last = now;
                grew += 1;
            }
            r
        });
    let n = kehoach_export::write_parquet(
        Counting(written.clone()),
        stream,
        &ParquetOptions {
            row_group_rows: rows,
        },
    )
    .expect("parquet");
    assert_eq!(n, total);
    assert_eq!(grew, 39);
    assert!(written.load(Ordering::SeqCst) > last);
}

/// A pipe whose reader has gone.
struct Closed;

impl Write for Closed {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
}

#[test]
fn output_errors_are_io_errors() {
    let plans = gold_plans();
    let recs = plans.iter().flat_map(|p| TaskRecord::of_plan(p, None));
    let err = kehoach_export::write_parquet(Closed, recs, &ParquetOptions::default())
        .expect_err("a closed pipe");
    assert!(
        matches!(&err, Error::Io(e) if e.kind() == std::io::ErrorKind::BrokenPipe),
        "{err:?}"
    );
}
