//! Exports of the gold plans, read back with independent readers.

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use kehoach_export::{series, TaskRecord, COLUMNS};
use kehoach_plan::{Plan, Task};
use std::io::Cursor;

fn gold_plans() -> Vec<Plan> {
    let dir = format!("{}/../../fixtures/gold", env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("gold dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            serde_json::from_str(&std::fs::read_to_string(p).expect("readable")).expect("a plan")
        })
        .collect()
}

fn records(plans: &[Plan]) -> Vec<TaskRecord<'_>> {
    plans
        .iter()
        .flat_map(|p| TaskRecord::of_plan(p, None))
        .collect()
}

fn col(name: &str) -> usize {
    COLUMNS.iter().position(|c| *c == name).expect("column")
}

#[test]
fn xlsx_cells_read_back() {
    let plans = gold_plans();
    let recs = records(&plans);
    let mut buf = Cursor::new(Vec::new());
    let n = kehoach_export::write_xlsx(&mut buf, recs.iter().copied()).expect("xlsx");
    assert_eq!(n, recs.len());
    buf.set_position(0);
    let mut book: Xlsx<_> = open_workbook_from_rs(buf).expect("an XLSX file");
    let range = book.worksheet_range("tasks").expect("sheet tasks");
    assert_eq!(range.get_size(), (recs.len() + 1, COLUMNS.len()));
    for (c, name) in COLUMNS.iter().enumerate() {
        assert_eq!(
            range.get_value((0, c as u32)),
            Some(&Data::String(name.to_string()))
        );
    }
    // The satisfaction task of Sở Y tế 2024: Vietnamese text intact, target value a number.
    let (row, rec) = recs
        .iter()
        .enumerate()
        .find(|(_, r)| {
            r.meta.issuer.as_deref() == Some("Sở Y tế")
                && r.task
                    .content
                    .as_deref()
                    .is_some_and(|c| c.starts_with("Mức độ hài lòng"))
        })
        .expect("the task");
    let row = row as u32 + 1;
    let cell = |name: &str| range.get_value((row, col(name) as u32)).cloned();
    assert_eq!(
        cell("content"),
        Some(Data::String(rec.task.content.clone().unwrap_or_default()))
    );
    assert_eq!(cell("issuer"), Some(Data::String("Sở Y tế".into())));
    assert_eq!(cell("target_value"), Some(Data::Float(90.0)));
    assert_eq!(cell("target_op"), Some(Data::String(">=".into())));
    assert_eq!(cell("year"), Some(Data::Float(2024.0)));
    assert_eq!(
        cell("lead_units"),
        Some(Data::String("Các phòng, đơn vị; BP Một cửa của sở".into()))
    );
    // Empty values stay empty.
    assert!(matches!(
        range.get_value((1, col("target_metric") as u32)),
        None | Some(Data::Empty)
    ));
}

#[test]
fn csv_round_trips() {
    let plans = gold_plans();
    let recs = records(&plans);
    let mut buf = Vec::new();
    kehoach_export::write_csv(&mut buf, recs.iter().copied()).expect("csv");
    assert!(
        buf.starts_with("\u{feff}".as_bytes()),
        "UTF-8 byte-order mark first"
    );
    let text = std::str::from_utf8(&buf).expect("utf-8");
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header, COLUMNS);
    let rows: Vec<csv::StringRecord> = r.records().collect::<Result<_, _>>().expect("valid CSV");
    assert_eq!(rows.len(), recs.len());
    for (row, rec) in rows.iter().zip(&recs) {
        let expected = kehoach_export::flat_row(rec);
        assert_eq!(
            row.iter().collect::<Vec<_>>(),
            expected.iter().map(String::as_str).collect::<Vec<_>>()
        );
    }
    // Multi-target tasks list every target and the first one in its own columns.
    let multi = rows
        .iter()
        .find(|r| &r[col("target_count")] == "3")
        .expect("a task with three targets");
    assert_eq!(multi[col("targets")].matches("; ").count(), 2);
    assert_eq!(&multi[col("target_value")], "100");
}

#[test]
fn jsonl_and_bulk_lines() {
    let plans = gold_plans();
    let recs = records(&plans);
    let mut buf = Vec::new();
    kehoach_export::write_jsonl(&mut buf, recs.iter().copied()).expect("jsonl");
    let lines: Vec<&str> = std::str::from_utf8(&buf).expect("utf-8").lines().collect();
    assert_eq!(lines.len(), recs.len());
    for (line, rec) in lines.iter().zip(&recs) {
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        let task: Task = serde_json::from_value(v["task"].clone()).expect("a task record");
        assert_eq!(&task, rec.task);
        assert_eq!(v["plan_id"].as_str().map(str::len), Some(16));
    }

    let mut buf = Vec::new();
    let opts = kehoach_export::BulkOptions {
        index: "plans".into(),
    };
    kehoach_export::write_bulk(&mut buf, recs.iter().copied(), &opts).expect("bulk");
    let text = std::str::from_utf8(&buf).expect("utf-8");
    assert!(text.ends_with('\n'));
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 2 * recs.len());
    let mut ids = std::collections::HashSet::new();
    for (pair, rec) in lines.chunks(2).zip(&recs) {
        assert_eq!(pair[0]["index"]["_index"], "plans");
        assert!(
            ids.insert(pair[0]["index"]["_id"].as_str().expect("an id").to_string()),
            "ids are unique"
        );
        assert_eq!(pair[1]["seq"], rec.task.seq);
        assert_eq!(pair[1]["issuer"].as_str(), rec.meta.issuer.as_deref());
        assert!(pair[1]["targets"].is_array());
    }
}

#[test]
fn satisfaction_timeline_and_chart() {
    let plans = gold_plans();
    let points = series::collect(records(&plans), "hài lòng");
    assert!(points.len() >= 4, "{points:#?}");
    assert!(points
        .iter()
        .all(|p| kehoach_text::fold(&p.target.metric).contains("hai long")));
    let s = series::group(&points);
    let sct = s
        .iter()
        .find(|s| s.issuer == "Sở Công Thương")
        .expect("Sở Công Thương");
    assert_eq!(sct.points[0].year, Some(2025));
    assert_eq!(sct.points[0].display(), "≥ 95%");

    let svg = kehoach_export::chart::svg(&s, "Chỉ tiêu: hài lòng").expect("svg");
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{}",
        &svg[..100.min(svg.len())]
    );
    // One line per series, and readable axes and labels.
    assert!(svg.matches("<polyline").count() >= s.len(), "{svg}");
    for text in [
        "Năm",
        "Chỉ tiêu (%)",
        "2024",
        "2025",
        "Sở Công Thương",
        "Sở Y tế",
        "≥95",
    ] {
        assert!(svg.contains(text), "missing {text}");
    }
    let dir = std::env::temp_dir().join(format!("kehoach-export-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("chart.svg");
    kehoach_export::chart::write_chart(&path, &s, "hài lòng").expect("written");
    assert!(std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) > 2000);
    let png = kehoach_export::chart::write_chart(&dir.join("chart.png"), &s, "hài lòng");
    assert!(matches!(png, Err(kehoach_export::Error::Unsupported(m)) if m.contains(".svg")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn empty_inputs_write_headers_only() {
    let mut buf = Vec::new();
    assert_eq!(
        kehoach_export::write_csv(&mut buf, std::iter::empty()).expect("csv"),
        0
    );
    assert_eq!(std::str::from_utf8(&buf).expect("utf-8").lines().count(), 1);
    let mut buf = Cursor::new(Vec::new());
    assert_eq!(
        kehoach_export::write_xlsx(&mut buf, std::iter::empty()).expect("xlsx"),
        0
    );
    assert!(series::group(&series::collect(std::iter::empty(), "x")).is_empty());
}
