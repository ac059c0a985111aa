//! The input walk of `extract` and `import` on folders as archivists keep
//! them: the data directory inside the imported folder, links back to a
//! parent, excludes and `.kehoachignore`, documents given twice, `--dry-run`,
//! and output into a closed pipe.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;
use common::{json, root, BIN};

/// The corpus plans (`corpus/*.txt`), sorted.
fn corpus() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    v.sort();
    v
}

/// Copies the first `n` corpus plans into `dir` and returns their names.
fn plans_into(dir: &Path, n: usize) -> Vec<String> {
    std::fs::create_dir_all(dir).unwrap();
    corpus()
        .iter()
        .take(n)
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            std::fs::copy(p, dir.join(&name)).unwrap();
            name
        })
        .collect()
}

/// Runs `kehoach ARGS` in `cwd`.
fn run_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("kehoach runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn import_dot_twice_reads_no_index_file_and_imports_nothing_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    plans_into(dir, 3);
    // The default data directory, ./kehoach-data, is inside the folder imported.
    let first = json(&run_in(dir, &["import", ".", "--json", "-q"]));
    assert_eq!(first["imported"], 3, "{first}");
    assert_eq!(first["failed"], 0, "{first}");
    assert!(dir.join("kehoach-data/FORMAT").is_file());
    let second = run_in(dir, &["import", ".", "--json", "-q"]);
    assert!(stderr(&second).is_empty(), "{}", stderr(&second));
    let second = json(&second);
    assert_eq!(second["imported"], 0, "{second}");
    assert_eq!(second["unchanged"], 3, "{second}");
    assert_eq!(second["failed"], 0, "{second}");
    assert_eq!(second["index_plans"], 3, "{second}");
    let skipped = second["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{second}");
    assert_eq!(skipped[0]["path"], "./kehoach-data");
    assert_eq!(skipped[0]["reason"], "kehoach data directory");
}

#[cfg(unix)]
#[test]
fn a_link_to_the_parent_is_walked_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("archive");
    plans_into(&dir.join("a"), 2);
    std::os::unix::fs::symlink("..", dir.join("a/up")).unwrap();
    // extract: each plan read once, no failure.
    let out = run_in(&dir, &["extract", ".", "--jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    // import: the same, and the loop is named as skipped.
    let data = tmp.path().join("data");
    let out = run_in(
        &dir,
        &[
            "import",
            ".",
            "--json",
            "-q",
            "--data",
            data.to_str().unwrap(),
        ],
    );
    let sum = json(&out);
    assert_eq!(sum["imported"], 2, "{sum}");
    assert_eq!(sum["files_seen"], 2, "{sum}");
    assert_eq!(sum["failed"], 0, "{sum}");
    let skipped = sum["skipped"].to_string();
    assert!(skipped.contains("link loop back to"), "{skipped}");
}

#[test]
fn excludes_and_kehoachignore_are_honoured() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let names = plans_into(&dir.join("keep"), 1);
    plans_into(&dir.join("drafts"), 1);
    plans_into(&dir.join("old"), 2);
    std::fs::write(dir.join("old/.kehoachignore"), format!("{}\n", names[0])).unwrap();
    std::fs::write(dir.join("notes.tmp"), "not a plan").unwrap();
    std::fs::write(dir.join(".hidden.txt"), "not a plan").unwrap();
    let out = run_in(
        dir,
        &[
            "extract",
            ".",
            "--jsonl",
            "--exclude",
            "drafts/",
            "--exclude",
            "*.tmp",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let sources: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["source"]["path"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    // keep/<first>, and old/<second> (old/<first> is in old/.kehoachignore).
    assert_eq!(sources.len(), 2, "{sources:?}");
    assert!(sources[0].starts_with("./keep/"), "{sources:?}");
    assert!(sources[1].starts_with("./old/"), "{sources:?}");
    assert!(!sources[1].ends_with(&names[0]), "{sources:?}");
    // --include-hidden walks the hidden file too; rules files are never read.
    let v = json(&run_in(
        dir,
        &["import", ".", "--dry-run", "--json", "--include-hidden"],
    ));
    let read: Vec<&str> = v["read"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert!(read.contains(&"./.hidden.txt"), "{read:?}");
    assert!(
        !read.iter().any(|r| r.ends_with(".kehoachignore")),
        "{read:?}"
    );
    assert_eq!(read.len(), 5, "{read:?}");
}

#[test]
fn dry_run_lists_what_would_be_read_and_skipped_without_an_index() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    plans_into(&dir.join("plans"), 2);
    plans_into(&dir.join("drafts"), 1);
    std::fs::write(dir.join(".DS_Store"), "x").unwrap();
    std::fs::create_dir_all(dir.join("old-data/index")).unwrap();
    std::fs::write(dir.join("old-data/index/meta.json"), "{}").unwrap();
    let out = run_in(dir, &["import", ".", "--dry-run", "--exclude", "drafts/"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!dir.join("kehoach-data").exists(), "the index was created");
    let text = String::from_utf8_lossy(&out.stdout);
    let bytes: u64 = corpus()
        .iter()
        .take(2)
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    assert!(text.contains("dry run: nothing is imported"), "{text}");
    assert!(text.contains("would read 2 file(s)"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("text") && l.contains("2 file(s)")),
        "{text}"
    );
    assert!(
        text.contains("  ./drafts: excluded by --exclude drafts/"),
        "{text}"
    );
    assert!(
        text.contains("  ./old-data: kehoach data directory"),
        "{text}"
    );
    assert!(text.contains("  1 hidden entry"), "{text}");
    // The JSON form: counts, sizes and reasons.
    let v = json(&run_in(
        dir,
        &["import", ".", "--dry-run", "--json", "--exclude", "drafts/"],
    ));
    assert_eq!(v["files"], 2);
    assert_eq!(v["bytes"].as_u64(), Some(bytes));
    assert_eq!(v["formats"]["text"]["files"], 2);
    assert_eq!(v["read"].as_array().unwrap().len(), 2);
    let reasons: Vec<&str> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        vec![
            "hidden",
            "excluded by --exclude drafts/",
            "kehoach data directory"
        ]
    );
    assert!(!dir.join("kehoach-data").exists());
}

#[test]
fn documents_given_twice_are_read_once_and_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let names = plans_into(&dir.join("a"), 2);
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::copy(dir.join("a").join(&names[0]), dir.join("b/copy.txt")).unwrap();
    let out = run_in(dir, &["extract", "a", "b", "--jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("b/copy.txt: same bytes as a/{}", names[0])),
        "{err}"
    );
    let data = tmp.path().join("data");
    let sum = json(&run_in(
        dir,
        &[
            "import",
            "a",
            "b",
            "--json",
            "-q",
            "--data",
            data.to_str().unwrap(),
        ],
    ));
    assert_eq!(sum["imported"], 2, "{sum}");
    assert_eq!(sum["failed"], 0, "{sum}");
    let dups = sum["duplicates"].as_array().unwrap();
    assert_eq!(dups.len(), 1, "{sum}");
    let pair = [
        dups[0]["file"].as_str().unwrap(),
        dups[0]["same_as"].as_str().unwrap(),
    ];
    assert!(pair.contains(&"b/copy.txt"), "{sum}");
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let mut child = Command::new(BIN)
        .args(["extract", "--json"])
        .arg(root().join("corpus"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read 10 bytes, then close the pipe, like `| head -c 10`.
    {
        use std::io::Read;
        let mut stdout = child.stdout.take().unwrap();
        let mut buf = [0u8; 10];
        stdout.read_exact(&mut buf).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?} {}", out.status, stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}
