//! `kehoach import`, `search`, `plans`, `show` and `remove` end to end, on the
//! gold plan records (kehoach/plan@1 JSON, which `import` accepts as they are).

use kehoach_plan::Plan;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

mod common;
use common::{gold_files as gold, has_phrase, json, run, BIN};

/// Writes the gold plans into `dir` and returns them.
fn gold_dir(dir: &Path) -> Vec<Plan> {
    std::fs::create_dir_all(dir).unwrap();
    gold()
        .into_iter()
        .map(|(name, bytes, plan)| {
            std::fs::write(dir.join(name), bytes).unwrap();
            plan
        })
        .collect()
}

fn total_tasks(data: &Path) -> (usize, u64) {
    let plans = json(&run(&["plans", "--json"], data));
    let list = plans.as_array().unwrap();
    (
        list.len(),
        list.iter().map(|p| p["tasks"].as_u64().unwrap()).sum(),
    )
}

#[test]
fn import_then_search_plans_show_remove() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let plans = gold_dir(&tmp.path().join("in"));
    let all: u64 = plans.iter().map(|p| p.tasks.len() as u64).sum();

    let out = run(
        &["import", tmp.path().join("in").to_str().unwrap(), "--json"],
        &data,
    );
    let sum = json(&out);
    assert_eq!(sum["imported"], 5);
    assert_eq!(sum["failed"], 0);
    assert_eq!(sum["index_tasks"].as_u64(), Some(all));
    assert_eq!(total_tasks(&data), (5, all));

    // Every online-payment task of every plan in the top 10, typed without diacritics.
    let expected: Vec<(Option<String>, u32)> = plans
        .iter()
        .flat_map(|p| p.tasks.iter().map(move |t| (p, t)))
        .filter(|(_, t)| has_phrase(t.content.as_deref().unwrap_or(""), "thanh toán trực tuyến"))
        .map(|(p, t)| (p.meta.title.clone(), t.seq))
        .collect();
    assert_eq!(expected.len(), 9);
    let res = json(&run(
        &["search", "thanh toan truc tuyen", "--json", "--limit", "10"],
        &data,
    ));
    let hits = res["hits"].as_array().unwrap();
    let got: Vec<(Option<String>, u32)> = hits
        .iter()
        .map(|h| {
            (
                h["plan"]["meta"]["title"].as_str().map(String::from),
                h["task"]["seq"].as_u64().unwrap() as u32,
            )
        })
        .collect();
    for e in &expected {
        assert!(got.contains(e), "{e:?} not in the top 10");
    }
    assert!(hits[0]["snippet"].as_str().unwrap().contains("<b>"));
    assert!(hits[0]["score"].as_f64().unwrap() > 0.0);

    // A phrase limited to one year returns only that year's plans.
    let res = json(&run(
        &[
            "search",
            "\"một cửa liên thông\"",
            "--year",
            "2024",
            "--json",
            "--limit",
            "100",
        ],
        &data,
    ));
    let expected_2024 = plans
        .iter()
        .filter(|p| p.meta.year == Some(2024))
        .flat_map(|p| &p.tasks)
        .filter(|t| has_phrase(t.content.as_deref().unwrap_or(""), "một cửa liên thông"))
        .count();
    assert_eq!(res["total"].as_u64(), Some(expected_2024 as u64));
    assert!(res["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["plan"]["meta"]["year"] == 2024));

    // Unit and deadline filters are exact; facets count every match.
    let lead = plans
        .iter()
        .flat_map(|p| &p.tasks)
        .filter(|t| t.lead_units.iter().any(|u| has_phrase(u, "Văn phòng Sở")))
        .count();
    let res = json(&run(
        &["search", "", "--lead", "Van phong So", "--json", "--facets"],
        &data,
    ));
    assert_eq!(res["total"].as_u64(), Some(lead as u64));
    assert!(res["facets"]["year"].is_array());
    let periodic = plans
        .iter()
        .flat_map(|p| &p.tasks)
        .filter(|t| {
            t.due
                .as_ref()
                .is_some_and(|d| d.kind.as_str() == "periodic")
        })
        .count();
    let res = json(&run(&["search", "", "--kind", "periodic", "--json"], &data));
    assert_eq!(res["total"].as_u64(), Some(periodic as u64));
    let before = plans
        .iter()
        .flat_map(|p| &p.tasks)
        .filter(|t| {
            t.due
                .as_ref()
                .and_then(|d| d.by.as_deref())
                .is_some_and(|b| b <= "2024-03-31")
        })
        .count();
    let res = json(&run(
        &["search", "", "--due-before", "2024-03-31", "--json"],
        &data,
    ));
    assert_eq!(res["total"].as_u64(), Some(before as u64));

    // The human table.
    let out = run(&["search", "hồ sơ", "--year", "2020..2025"], &data);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("matching task(s)"));

    // show returns the contract record as imported.
    let listed = json(&run(&["plans", "--json"], &data));
    let first = &listed[0];
    let shown: Plan = serde_json::from_value(json(&run(
        &["show", first["id"].as_str().unwrap(), "--json"],
        &data,
    )))
    .unwrap();
    assert!(plans.contains(&shown));

    // Re-import: unchanged. remove: gone.
    let sum = json(&run(
        &["import", tmp.path().join("in").to_str().unwrap(), "--json"],
        &data,
    ));
    assert_eq!(
        (sum["imported"].as_u64(), sum["unchanged"].as_u64()),
        (Some(0), Some(5))
    );
    let out = run(&["remove", first["id"].as_str().unwrap()], &data);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(total_tasks(&data), (4, all - shown.tasks.len() as u64));
    let out = run(&["show", first["id"].as_str().unwrap()], &data);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn changed_file_replaces_its_records() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let (_, bytes, mut plan) = gold().remove(0);
    let file = tmp.path().join("plan.json");
    std::fs::write(&file, &bytes).unwrap();
    json(&run(&["import", file.to_str().unwrap(), "--json"], &data));
    plan.tasks.truncate(3);
    std::fs::write(&file, serde_json::to_vec(&plan).unwrap()).unwrap();
    let sum = json(&run(&["import", file.to_str().unwrap(), "--json"], &data));
    assert_eq!(
        (sum["imported"].as_u64(), sum["replaced"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(total_tasks(&data), (1, 3));
}

#[test]
fn zip_archives_are_read_in_memory() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let zpath = tmp.path().join("archive.bin"); // detected from content, not the extension
    let mut zw = zip::ZipWriter::new(std::fs::File::create(&zpath).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let plans = gold();
    for (name, bytes, _) in &plans[..3] {
        zw.start_file(format!("../../escape/{name}"), opts).unwrap();
        zw.write_all(bytes).unwrap();
    }
    zw.start_file("notes/readme.txt", opts).unwrap();
    zw.write_all("chỉ là ghi chú".as_bytes()).unwrap();
    zw.finish().unwrap();

    let out = run(&["import", zpath.to_str().unwrap(), "--json"], &data);
    assert_eq!(out.status.code(), Some(1), "the readme is not a plan");
    let sum: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sum["imported"], 3);
    assert_eq!(sum["failed"], 1);
    assert!(sum["failures"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with("archive.bin!/notes/readme.txt"));
    assert!(!tmp.path().join("escape").exists() && !data.join("escape").exists());
    let listed = json(&run(&["plans", "--json"], &data));
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["file_path"].as_str().unwrap().contains("archive.bin!/")));
}

#[test]
fn bad_inputs_are_reported_and_nothing_is_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let plans = gold_dir(&tmp.path().join("good"));
    let all: u64 = plans.iter().map(|p| p.tasks.len() as u64).sum();
    json(&run(
        &[
            "import",
            tmp.path().join("good").to_str().unwrap(),
            "--json",
        ],
        &data,
    ));

    let bad = tmp.path().join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(
        bad.join("corrupt.zip"),
        b"PK\x03\x04 this is not really a zip archive",
    )
    .unwrap();
    std::fs::write(
        bad.join("letter.txt"),
        "Kính gửi các đồng chí.\nXin cảm ơn.\n",
    )
    .unwrap();
    std::fs::write(
        bad.join("broken.json"),
        "{\"schema\": \"kehoach/plan@1\", \"tasks\": [",
    )
    .unwrap();
    let missing = tmp.path().join("does-not-exist.txt");
    let out = Command::new(BIN)
        .args(["import", "--json"])
        .arg(&bad)
        .arg(&missing)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "exit 1 = some files failed");
    let sum: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sum["failed"], 4, "{sum}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for name in [
        "corrupt.zip",
        "letter.txt",
        "broken.json",
        "does-not-exist.txt",
    ] {
        assert!(stderr.contains(name), "{name} not reported: {stderr}");
    }
    assert_eq!(total_tasks(&data), (5, all));
}

#[test]
fn a_second_import_is_refused_while_one_holds_the_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    gold_dir(&tmp.path().join("in"));
    let store = kehoach_index::Store::open_or_create(&data).unwrap();
    let writer = store
        .writer(kehoach_index::WriterOptions::default())
        .unwrap();
    let out = run(&["import", tmp.path().join("in").to_str().unwrap()], &data);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("index is locked by another import"));
    drop(writer);
    let out = run(&["import", tmp.path().join("in").to_str().unwrap()], &data);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn search_without_an_index_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&["search", "hồ sơ"], &tmp.path().join("none"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kehoach import"));
}

/// Writes `n` distinct plans (gold records with varied numbers) into `dir`.
fn many_plans(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let gold = gold();
    for i in 0..n {
        let (_, _, mut plan) = gold[i % gold.len()].clone();
        plan.meta.number = Some(format!("{}/KH-UBND", 1000 + i));
        plan.source.path = format!("generated/{i:04}.txt");
        std::fs::write(
            dir.join(format!("{i:04}.json")),
            serde_json::to_vec(&plan).unwrap(),
        )
        .unwrap();
    }
}

#[test]
fn a_killed_import_completes_on_rerun_without_duplicates() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    many_plans(&input, 400);
    let clean = tmp.path().join("clean");
    let sum = json(&run(&["import", input.to_str().unwrap(), "--json"], &clean));
    let expected = (400usize, sum["index_tasks"].as_u64().unwrap());

    let data = tmp.path().join("data");
    let mut child = Command::new(BIN)
        .args(["import", "--quiet", "--commit-every", "7"])
        .arg(&input)
        .arg("--data")
        .arg(&data)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    let _ = child.kill();
    let _ = child.wait();
    // Whatever was committed is readable.
    if data.join("index/meta.json").exists() {
        let (plans, _) = total_tasks(&data);
        assert!(plans <= 400);
    }
    let out = run(&["import", input.to_str().unwrap(), "--json"], &data);
    let sum = json(&out);
    assert_eq!(sum["failed"], 0);
    assert_eq!(total_tasks(&data), expected);
    // And once more: nothing changes.
    let sum = json(&run(&["import", input.to_str().unwrap(), "--json"], &data));
    assert_eq!(sum["imported"], 0);
    assert_eq!(total_tasks(&data), expected);
}
