//! `kehoach extract --out` and directory inputs: repeated file stems get
//! their own output files; entries that cannot be read are reported.

mod common;

use common::{root, BIN};
use std::process::Command;

fn first_seed() -> std::path::PathBuf {
    let mut seeds: Vec<_> = std::fs::read_dir(root().join("corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    seeds.sort();
    seeds.remove(0)
}

#[test]
fn repeated_stems_do_not_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let seed = first_seed();
    // Two different documents with the same stem (the same bytes would be
    // read once).
    let bytes = std::fs::read(&seed).unwrap();
    for (d, tail) in [("a", ""), ("b", "\n")] {
        std::fs::create_dir_all(tmp.path().join(d)).unwrap();
        let mut b = bytes.clone();
        b.extend_from_slice(tail.as_bytes());
        std::fs::write(tmp.path().join(d).join("plan.txt"), b).unwrap();
    }
    let out_dir = tmp.path().join("out");
    let out = Command::new(BIN)
        .arg("extract")
        .arg(tmp.path().join("a"))
        .arg(tmp.path().join("b"))
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["plan-2.json", "plan.json"]);
    for n in names {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out_dir.join(n)).unwrap()).unwrap();
        assert!(!v["tasks"].as_array().unwrap().is_empty());
    }
}

#[cfg(unix)]
#[test]
fn unreadable_entries_fail_the_batch_not_silently() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(first_seed(), dir.join("plan.txt")).unwrap();
    std::os::unix::fs::symlink(dir.join("gone"), dir.join("dangling.txt")).unwrap();
    let dir_arg = dir.to_str().unwrap();
    let out = common::run(
        &["import", dir_arg, "--quiet", "--json"],
        &tmp.path().join("data"),
    );
    // 1: some files failed; the good plan is imported.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["imported"], 1);
    assert_eq!(v["failed"], 1);
    let failures = v["failures"].to_string();
    assert!(
        failures.contains("dangling.txt") && failures.contains("broken link"),
        "{failures}"
    );
}
