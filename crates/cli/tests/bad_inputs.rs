//! The bad-input corpus (fixtures/bad/, written by scripts/make_bad_corpus.py)
//! plus large cases generated here, imported next to the good plans of
//! corpus/: no panic, every bad file reported with its reason, every good
//! plan imported whole, nothing written outside the data directory, and
//! peak memory under a stated bound.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_kehoach");

/// Peak resident memory allowed for the whole import of the bad corpus.
const MEMORY_BOUND_KB: u64 = 1 << 20; // 1 GiB

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every file under `dir` with its size, relative to `dir`, skipping `skip`.
fn tree(dir: &Path, skip: &Path) -> BTreeMap<PathBuf, u64> {
    fn walk(dir: &Path, base: &Path, skip: &Path, out: &mut BTreeMap<PathBuf, u64>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p == skip {
                continue;
            }
            match e.metadata() {
                Ok(m) if m.is_dir() => walk(&p, base, skip, out),
                Ok(m) => {
                    out.insert(p.strip_prefix(base).unwrap().to_path_buf(), m.len());
                }
                Err(_) => {}
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, skip, &mut out);
    out
}

/// The large cases, generated rather than committed. Returns (file name, expected reason).
fn write_large(dir: &Path) -> Vec<(&'static str, &'static str)> {
    std::fs::create_dir_all(dir).unwrap();
    // 100 MB of plan-like text.
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("big_100mb.txt")).unwrap());
    let line = "1\tRà soát, đơn giản hóa thủ tục hành chính trong lĩnh vực đất đai\tVăn phòng\tQuý II/2024\n";
    let mut written = 0;
    while written < 100_000_000 {
        f.write_all(line.as_bytes()).unwrap();
        written += line.len();
    }
    f.flush().unwrap();
    // A table with 100,000 rows.
    let mut t = String::from("Số: 12/KH-UBND\n\nKẾ HOẠCH\n\nTT\tNội dung\tChủ trì\tThời gian\n");
    for i in 1..=100_000 {
        t.push_str(&format!(
            "{i}\tRà soát thủ tục nhóm {i}\tVăn phòng\tQuý II/2024\n"
        ));
    }
    std::fs::write(dir.join("table_100k_rows.txt"), t).unwrap();
    // A cell with 1 MB of text.
    let cell = "Nội dung rất dài ".repeat(1_000_000 / 20 + 1);
    std::fs::write(
        dir.join("cell_1mb.txt"),
        format!("KẾ HOẠCH\n\nTT\tNội dung\tChủ trì\n1\t{cell}\tVăn phòng\n"),
    )
    .unwrap();
    // A 4 MiB line without a line break.
    std::fs::write(
        dir.join("long_line.txt"),
        "không xuống dòng ".repeat(4 << 16),
    )
    .unwrap();
    vec![
        ("big_100mb.txt", "too large"),
        ("table_100k_rows.txt", "too many table rows"),
        ("cell_1mb.txt", "table cell too large"),
        ("long_line.txt", ""),
    ]
}

/// Runs `cmd` and returns its output and peak resident memory in kB: from
/// `/usr/bin/time -v` when it is installed, else by sampling the child's
/// VmHWM (a lower bound).
fn run_measured(args: &[&std::ffi::OsStr], cwd: &Path) -> (Output, Option<u64>) {
    let time = Path::new("/usr/bin/time");
    if time.exists() {
        let report = cwd.join("time.txt");
        let out = Command::new(time)
            .arg("-v")
            .arg("-o")
            .arg(&report)
            .arg(BIN)
            .args(args)
            .current_dir(cwd)
            .output()
            .expect("kehoach runs");
        let text = std::fs::read_to_string(&report).unwrap_or_default();
        std::fs::remove_file(&report).ok();
        let kb = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
            .and_then(|v| v.trim().parse().ok());
        return (out, kb);
    }
    let child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kehoach runs");
    let status = PathBuf::from(format!("/proc/{}/status", child.id()));
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let p = peak.clone();
    let sampler = std::thread::spawn(move || {
        while let Ok(s) = std::fs::read_to_string(&status) {
            if let Some(kb) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                p.fetch_max(kb, std::sync::atomic::Ordering::Relaxed);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    });
    let out = child.wait_with_output().expect("kehoach runs");
    sampler.join().ok();
    let kb = peak.load(std::sync::atomic::Ordering::Relaxed);
    (out, (kb > 0).then_some(kb))
}

fn plans_by_file(data: &Path) -> BTreeMap<String, u64> {
    let out = Command::new(BIN)
        .args(["plans", "--json", "--data"])
        .arg(data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["file_path"].as_str().unwrap().to_string(),
                p["tasks"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_bad_corpus_is_reported_and_the_good_plans_are_imported() {
    let root = root().canonicalize().unwrap();
    let bad = root.join("fixtures/bad");
    let corpus = root.join("corpus");
    let tmp = tempfile::tempdir().unwrap();
    let tmp_path = tmp.path().canonicalize().unwrap();
    let work = tmp_path.join("work/deeper");
    std::fs::create_dir_all(&work).unwrap();
    let large = tmp_path.join("large");
    let large_expected = write_large(&large);
    let data = work.join("data");

    // Expected task counts: the good plans imported alone.
    let clean = tmp_path.join("clean");
    let out = Command::new(BIN)
        .args(["import", "--quiet", "--json", "--data"])
        .arg(&clean)
        .arg(&corpus)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let good = plans_by_file(&clean);
    assert_eq!(good.len(), 5);

    let before_tmp = tree(&tmp_path, &data);
    let before_repo = (tree(&bad, &data), tree(&corpus, &data));

    let args: Vec<&std::ffi::OsStr> = vec![
        "import".as_ref(),
        "--quiet".as_ref(),
        "--json".as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
        bad.as_os_str(),
        large.as_os_str(),
        corpus.as_os_str(),
    ];
    let started = std::time::Instant::now();
    let (out, peak_kb) = run_measured(&args, &work);
    let secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "exit 1 = some files failed; stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "a panic escaped: {stderr}");
    let sum: Value = serde_json::from_slice(&out.stdout).expect("JSON summary");
    let failures: Vec<(String, String)> = sum["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();

    // No reader panicked, not even a contained panic.
    for (file, reason) in &failures {
        for sign in ["failed unexpectedly", "panic", "parser failed on this file"] {
            assert!(!reason.contains(sign), "{file}: {reason}");
        }
        assert!(!reason.trim().is_empty(), "{file}: empty reason");
    }

    // Every bad file is reported, with the expected reason.
    let expected_tsv = std::fs::read_to_string(root.join("fixtures/bad-expected.tsv")).unwrap();
    let mut expected: Vec<(PathBuf, String)> = expected_tsv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (name, word) = l.split_once('\t').unwrap_or((l, ""));
            (bad.join(name), word.to_string())
        })
        .collect();
    let listed: usize = std::fs::read_dir(&bad).unwrap().count();
    assert_eq!(
        expected.len(),
        listed,
        "fixtures/bad and fixtures/bad-expected.tsv differ"
    );
    expected.extend(
        large_expected
            .iter()
            .map(|(n, w)| (large.join(n), w.to_string())),
    );
    let mut report = Vec::new();
    for (path, word) in &expected {
        let p = path.display().to_string();
        let mine: Vec<&(String, String)> = failures
            .iter()
            .filter(|(f, _)| *f == p || f.starts_with(&format!("{p}!/")))
            .collect();
        assert!(!mine.is_empty(), "{p} not reported: {stderr}");
        assert!(stderr.contains(&p), "{p} not on stderr");
        assert!(
            mine.iter()
                .any(|(_, reason)| reason.to_lowercase().contains(&word.to_lowercase())),
            "{p}: no reason mentions {word:?}: {mine:?}"
        );
        report.push(format!(
            "  {}: {}",
            path.file_name().unwrap().to_string_lossy(),
            mine[0].1
        ));
    }
    eprintln!("bad inputs and their reasons:\n{}", report.join("\n"));

    // Every good plan imported whole; from the bad corpus, only the one real
    // plan stored under a hostile name inside traversal.zip.
    let imported = plans_by_file(&data);
    for (file, tasks) in &good {
        assert_eq!(imported.get(file), Some(tasks), "{file}");
    }
    let extra: Vec<&String> = imported.keys().filter(|f| !good.contains_key(*f)).collect();
    assert_eq!(
        extra,
        vec![&format!(
            "{}!/../../escaped_plan.txt",
            bad.join("traversal.zip").display()
        )]
    );
    assert_eq!(sum["index_plans"].as_u64(), Some(imported.len() as u64));

    // Nothing written outside the data directory: not in the temporary tree
    // (where `../` entry names would land), not next to the inputs, not at
    // the absolute names.
    assert_eq!(
        tree(&tmp_path, &data),
        before_tmp,
        "files appeared outside --data"
    );
    assert_eq!((tree(&bad, &data), tree(&corpus, &data)), before_repo);
    for p in ["/tmp/kehoach_escape.txt", "/etc/kehoach_passwd"] {
        assert!(!Path::new(p).exists(), "{p} was written");
    }

    // The index is consistent.
    let out = Command::new(BIN)
        .args(["verify", "--json", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    match peak_kb {
        Some(kb) => {
            eprintln!(
                "bad corpus: {} inputs failed as expected, {} plans imported, {secs:.1} s, peak memory {:.0} MB (bound {} MB)",
                failures.len(),
                imported.len(),
                kb as f64 / 1024.0,
                MEMORY_BOUND_KB / 1024
            );
            assert!(kb < MEMORY_BOUND_KB, "peak memory {kb} kB over the bound");
        }
        None => eprintln!("bad corpus: peak memory not measured (no /usr/bin/time, no /proc)"),
    }
}

#[test]
fn a_document_over_the_time_budget_is_reported_and_the_batch_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let mut t = String::from("Số: 12/KH-UBND\n\nKẾ HOẠCH\n\nTT\tNội dung\tChủ trì\tThời gian\n");
    for i in 1..=20_000 {
        t.push_str(&format!(
            "{i}\tRà soát thủ tục nhóm {i}\tVăn phòng\tQuý II/2024\n"
        ));
    }
    std::fs::write(input.join("slow.txt"), t).unwrap();
    let started = std::time::Instant::now();
    let out = Command::new(BIN)
        .args([
            "import",
            "--quiet",
            "--json",
            "--timeout",
            "0.001",
            "--data",
        ])
        .arg(tmp.path().join("data"))
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let sum: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reason = sum["failures"][0]["reason"].as_str().unwrap();
    assert!(reason.starts_with("timed out"), "{reason}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert_eq!(sum["index_plans"], 0);
}
