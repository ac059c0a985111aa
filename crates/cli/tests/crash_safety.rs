//! Crash-safe import: imports killed (SIGKILL) at seeded random points, many
//! times; after each kill the index opens, `kehoach verify` finds it
//! consistent and every plan it lists is whole; a final re-run ends with the
//! counts of a clean import. Also: a second concurrent import gets the lock
//! error, and searches work while an import runs. (The single-kill case with
//! JSON records is in import_search.rs.)

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{run, BIN};

const PLANS: usize = 120;
const KILLS: usize = 12;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// xorshift64*: deterministic, seeded.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0.0..1.0`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Writes `n` distinct text plans: the plans of corpus/ with a varied closing note.
fn write_plans(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let mut sources: Vec<PathBuf> = std::fs::read_dir(root().join("corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    sources.sort();
    let texts: Vec<String> = sources
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    for i in 0..n {
        let text = format!("{}\n\nBản sao số {i}.\n", texts[i % texts.len()]);
        std::fs::write(dir.join(format!("{i:04}.txt")), text).unwrap();
    }
}

fn import(input: &Path, data: &Path, commit_every: usize) -> Child {
    Command::new(BIN)
        .args(["import", "--quiet", "--jobs", "2", "--commit-every"])
        .arg(commit_every.to_string())
        .arg(input)
        .arg("--data")
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kehoach runs")
}

/// file path → task count of every listed plan; panics on duplicates.
fn listed(data: &Path) -> BTreeMap<String, u64> {
    let out = run(&["plans", "--json"], data);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut map = BTreeMap::new();
    for p in list.as_array().unwrap() {
        let file = p["file_path"].as_str().unwrap().to_string();
        let tasks = p["tasks"].as_u64().unwrap();
        assert!(
            map.insert(file.clone(), tasks).is_none(),
            "{file} listed twice"
        );
    }
    map
}

/// The index opens, verifies, and holds only whole plans of the clean import.
fn check_consistent(data: &Path, clean: &BTreeMap<String, u64>, label: &str) -> usize {
    if !data.join("index/meta.json").exists() {
        return 0;
    }
    let out = run(&["verify", "--json"], data);
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{label}: verify: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(out.status.code(), Some(0), "{label}: {report}");
    let plans = listed(data);
    for (file, tasks) in &plans {
        assert_eq!(clean.get(file), Some(tasks), "{label}: {file} is not whole");
    }
    // Every task of every listed plan is searchable through its plan.
    let out = run(&["search", "thủ tục", "--json", "--limit", "1"], data);
    assert!(out.status.success(), "{label}: search failed");
    let tasks: u64 = plans.values().sum();
    assert_eq!(report["tasks"].as_u64(), Some(tasks), "{label}: {report}");
    plans.len()
}

#[test]
fn imports_killed_at_random_points_leave_whole_plans_and_complete_on_rerun() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write_plans(&input, PLANS);

    let clean_dir = tmp.path().join("clean");
    let started = Instant::now();
    let out = run(
        &["import", input.to_str().unwrap(), "--json", "--quiet"],
        &clean_dir,
    );
    let clean_secs = started.elapsed().as_secs_f64();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let clean = listed(&clean_dir);
    assert_eq!(clean.len(), PLANS);
    let clean_tasks: u64 = clean.values().sum();
    // The same paths in every data directory: compare by file name.
    let clean: BTreeMap<String, u64> = clean.into_iter().collect();

    let mut rng = Rng(0x6b65_686f_6163_6821);
    let dirs: Vec<PathBuf> = (0..3)
        .map(|i| tmp.path().join(format!("data{i}")))
        .collect();
    let mut seen = Vec::new();
    for k in 0..KILLS {
        let data = &dirs[k % dirs.len()];
        let commit_every = [1, 3, 7, 25][k % 4];
        let delay = Duration::from_secs_f64(0.02 + rng.unit() * clean_secs * 0.9);
        let mut child = import(&input, data, commit_every);
        std::thread::sleep(delay);
        let finished = matches!(child.try_wait(), Ok(Some(_)));
        let _ = child.kill();
        let _ = child.wait();
        let n = check_consistent(data, &clean, &format!("kill {k}"));
        seen.push(format!(
            "kill {k}: after {:.0} ms (commit every {commit_every}){}: {n} plans",
            delay.as_secs_f64() * 1e3,
            if finished { ", already finished" } else { "" }
        ));
    }
    eprintln!("clean import {clean_secs:.1} s\n{}", seen.join("\n"));

    for data in &dirs {
        let out = run(
            &["import", input.to_str().unwrap(), "--json", "--quiet"],
            data,
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let sum: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(sum["failed"], 0);
        assert_eq!(sum["index_plans"].as_u64(), Some(PLANS as u64));
        assert_eq!(sum["index_tasks"].as_u64(), Some(clean_tasks));
        assert_eq!(listed(data), clean);
        assert_eq!(check_consistent(data, &clean, "after re-run"), PLANS);
    }
}

#[test]
fn a_concurrent_import_is_locked_out_and_searches_keep_working() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write_plans(&input, 60);
    let other = tmp.path().join("other");
    write_plans(&other, 3);

    let mut locked_seen = false;
    let mut searched_during = 0;
    for attempt in 0..5 {
        let data = tmp.path().join(format!("data{attempt}"));
        let mut child = import(&input, &data, 1);
        // Wait until the first import holds the writer.
        let t = Instant::now();
        while !data.join("index/meta.json").exists() && t.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(100));
        let second = run(&["import", other.to_str().unwrap()], &data);
        let search = run(&["search", "thủ tục hành chính", "--json"], &data);
        let still_running = matches!(child.try_wait(), Ok(None));
        let status = child.wait().unwrap();
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            use std::io::Read;
            e.read_to_string(&mut err).ok();
        }
        assert!(status.success(), "{err}");
        if !still_running {
            continue;
        }
        // The second writer is refused with a clear message, and changes nothing.
        assert_eq!(second.status.code(), Some(2));
        let msg = String::from_utf8_lossy(&second.stderr);
        assert!(msg.contains("index is locked by another import"), "{msg}");
        locked_seen = true;
        // The search ran against the last commit.
        assert!(
            search.status.success(),
            "{}",
            String::from_utf8_lossy(&search.stderr)
        );
        let res: Value = serde_json::from_slice(&search.stdout).unwrap();
        assert!(res["hits"].is_array());
        searched_during += 1;
        assert_eq!(listed(&data).len(), 60);
        break;
    }
    assert!(locked_seen, "the first import always finished too soon");
    assert_eq!(searched_during, 1);
}
