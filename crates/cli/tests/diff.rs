//! `kehoach diff` end to end.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn kehoach(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kehoach"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("kehoach runs")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// (folded metric, from op, from value, to op, to value) of every target change.
fn target_changes(v: &serde_json::Value) -> Vec<(String, String, f64, String, f64)> {
    v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["kind"] == "target_changed")
        .map(|c| {
            (
                kehoach_text::fold(c["metric"].as_str().unwrap_or("")),
                c["from"]["op"].as_str().unwrap_or("").to_string(),
                c["from"]["value"].as_f64().unwrap_or(f64::NAN),
                c["to"]["op"].as_str().unwrap_or("").to_string(),
                c["to"]["value"].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect()
}

fn check_syt_to_sct(v: &serde_json::Value) {
    let got = target_changes(v);
    for (frag, op, from, to) in [
        ("muc do hai long", ">=", 90.0, 95.0),
        ("dung han", ">", 90.0, 95.0),
        (
            "thanh toan truc tuyen tren cong dich vu cong quoc gia tren tong so",
            ">",
            60.0,
            80.0,
        ),
    ] {
        assert!(
            got.iter().any(|(m, o1, f, o2, t)| m.contains(frag)
                && o1 == op
                && o2 == op
                && *f == from
                && *t == to),
            "missing {frag}: {from} -> {to} in {got:#?}"
        );
    }
    for frag in [
        "hoan toan truc tuyen",
        "truc tuyen tu xa",
        "nghia vu tai chinh",
    ] {
        assert!(
            !got.iter().any(|(m, ..)| m.contains(frag)),
            "{frag} reported as changed: {got:#?}"
        );
    }
    assert_eq!(got.len(), 3, "{got:#?}");
}

/// Sở Y tế 2024 → Sở Công Thương 2025 (same provincial template), from the text exports.
#[test]
fn seeds_syt_2024_to_sct_2025() {
    let out = kehoach(&[
        "diff",
        "corpus/003_39456b49d95a0e63.txt",
        "corpus/001_0d47e3459e23ee36.txt",
        "--json",
    ]);
    check_syt_to_sct(&json(&out));
}

/// The same pair from the hand-checked plan records.
#[test]
fn gold_syt_2024_to_sct_2025() {
    let out = kehoach(&[
        "diff",
        "fixtures/gold/003_39456b49d95a0e63.json",
        "fixtures/gold/001_0d47e3459e23ee36.json",
        "--json",
    ]);
    let v = json(&out);
    check_syt_to_sct(&v);
    assert_eq!(v["a"]["issuer"], "Sở Y tế");
    assert_eq!(v["b"]["issuer"], "Sở Công Thương");
}

#[test]
fn table_csv_and_markdown() {
    let a = "fixtures/gold/003_39456b49d95a0e63.json";
    let b = "fixtures/gold/001_0d47e3459e23ee36.json";
    let table = String::from_utf8(kehoach(&["diff", a, b]).stdout).expect("utf-8");
    assert!(
        table.contains("target_changed") && table.contains(">= 95%"),
        "{table}"
    );
    assert!(!table.contains('\x1b'), "no colour when not a terminal");
    let csv = kehoach(&["diff", a, b, "--csv"]);
    let mut r = csv::Reader::from_reader(csv.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = r.records().collect::<Result<_, _>>().expect("valid CSV");
    assert_eq!(rows.iter().filter(|r| &r[0] == "target_changed").count(), 3);
    let md = String::from_utf8(kehoach(&["diff", a, b, "--markdown"]).stdout).expect("utf-8");
    assert!(md.starts_with("## Sở Y tế 2024"), "{md}");
    assert!(md.contains("| target_changed |"));
    let all = json(&kehoach(&["diff", a, b, "--json", "--all"]));
    let unchanged = all["changes"]
        .as_array()
        .map_or(0, |c| c.iter().filter(|c| c["kind"] == "unchanged").count());
    assert_eq!(Some(unchanged as u64), all["unchanged"].as_u64());
}

#[test]
fn identical_plans_have_no_changes() {
    let p = "corpus/003_39456b49d95a0e63.txt";
    let v = json(&kehoach(&["diff", p, p, "--json"]));
    assert_eq!(v["changes"].as_array().map(Vec::len), Some(0));
    let text = String::from_utf8(kehoach(&["diff", p, p]).stdout).expect("utf-8");
    assert!(text.contains("no changes"), "{text}");
}

#[test]
fn plan_without_tasks_and_missing_ids() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "Một văn bản không có bảng phụ lục.\n").expect("write");
    let gold = "fixtures/gold/004_290b44cb7c4c376c.json";
    let out = kehoach(&["diff", empty.to_str().expect("utf-8 path"), gold, "--json"]);
    let v = json(&out);
    let n = v["b"]["tasks"].as_u64().expect("task count");
    assert_eq!(v["changes"].as_array().map(|c| c.len() as u64), Some(n));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no task records"));

    let data = dir.path().join("no-data");
    let out = kehoach(&[
        "diff",
        "0123456789abcdef",
        gold,
        "--data",
        data.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no such file or plan id: 0123456789abcdef"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

/// Plans imported into an index can be diffed by id; `targets` and `export` read the same index.
#[test]
fn index_ids_targets_and_exports() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let data_s = data.to_str().expect("utf-8 path");
    let out = kehoach(&[
        "import",
        "--data",
        data_s,
        "corpus/003_39456b49d95a0e63.txt",
        "corpus/001_0d47e3459e23ee36.txt",
    ]);
    assert!(
        out.status.success(),
        "import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plans: Vec<(String, String)> = {
        let v = json(&kehoach(&["plans", "--data", data_s, "--json"]));
        let list = v
            .as_array()
            .cloned()
            .or_else(|| v["plans"].as_array().cloned())
            .unwrap_or_default();
        list.iter()
            .map(|p| {
                (
                    p["id"].as_str().unwrap_or("").to_string(),
                    p["file_path"]
                        .as_str()
                        .or(p["path"].as_str())
                        .unwrap_or("")
                        .to_string(),
                )
            })
            .collect()
    };
    let id = |stem: &str| {
        plans
            .iter()
            .find(|(_, p)| p.contains(stem))
            .map(|(i, _)| i.clone())
            .expect("imported")
    };
    let v = json(&kehoach(&[
        "diff",
        &id("003_"),
        &id("001_"),
        "--data",
        data_s,
        "--json",
    ]));
    check_syt_to_sct(&v);

    let v = json(&kehoach(&[
        "targets",
        "hài lòng",
        "--data",
        data_s,
        "--json",
    ]));
    let series = v["series"].as_array().expect("series");
    assert!(series.iter().any(|s| s["issuer"] == "Sở Y tế"), "{v}");
    let chart = dir.path().join("chart.svg");
    let out = kehoach(&[
        "targets",
        "hai long",
        "--data",
        data_s,
        "--chart",
        chart.to_str().expect("utf-8 path"),
    ]);
    assert!(out.status.success());
    let svg = std::fs::read_to_string(&chart).expect("chart written");
    assert!(svg.contains("<polyline") && svg.contains("Sở Công Thương") && svg.contains("Năm"));

    let csv_path = dir.path().join("tasks.csv");
    let out = kehoach(&[
        "export",
        "--data",
        data_s,
        "--format",
        "csv",
        "-o",
        csv_path.to_str().expect("utf-8 path"),
    ]);
    assert!(out.status.success());
    let bytes = std::fs::read(&csv_path).expect("csv written");
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(r.records().count(), 45 + 39);
    let out = kehoach(&[
        "export", "--data", data_s, "--issuer", "SYT", "--format", "jsonl",
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 45);
}
