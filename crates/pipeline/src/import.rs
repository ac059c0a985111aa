//! Import into a data directory: walked inputs → plans → the index.
//!
//! Files are read in parallel (each document isolated, see
//! [`crate::isolated`]); zip archives of plans are read entry by entry
//! (`ARCHIVE!/inner`, see [`crate::Entry`]); `kehoach/plan@1` JSON records
//! are imported as they are. Import is incremental: bytes already in the
//! store are unchanged and not read again; a path imported before with new
//! bytes replaces its old records; the same bytes given twice in one run are
//! read once. Commits are atomic and made by size and time (or every
//! [`ImportOptions::commit_every`] plans).

use crate::archive::{for_each_document, Entry};
use crate::walk::{SkipReason, Walked};
use crate::{
    install_quiet_panic_hook, is_a_plan, isolated, plan_from_bytes_with, plan_json, read_file,
    sha256_hex, Error, Failure, Limits,
};
use kehoach_index::{PlanStore, PlanWriter, WriterOptions};
use kehoach_plan::Plan;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::time::{Duration, Instant};

/// Commit at least this often (pending documents).
const COMMIT_DOCS: u64 = 400_000;
/// Commit at least this often (time).
const COMMIT_INTERVAL: Duration = Duration::from_secs(30);

/// How an import runs.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The limits and time budget of each document.
    pub limits: Limits,
    /// Extraction threads (0: one per core).
    pub threads: usize,
    /// Commit after every N imported plans (0: by size and time).
    pub commit_every: usize,
    /// The index writer's memory budget, in bytes.
    pub memory_bytes: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            limits: Limits::default(),
            threads: 0,
            commit_every: 0,
            memory_bytes: 384 << 20,
        }
    }
}

/// Counters and lists of one import (the JSON `kehoach import --json` prints).
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Summary {
    /// Documents seen (files and archive entries).
    pub files_seen: u64,
    /// Plans added to the index.
    pub imported: u64,
    /// Of those, plans that replaced older bytes at the same path.
    pub replaced: u64,
    /// Documents whose bytes were already imported (or repeated in this run).
    pub unchanged: u64,
    /// Documents that could not be imported.
    pub failed: u64,
    /// Plans added.
    pub plans: u64,
    /// Tasks added.
    pub tasks: u64,
    /// Plans in the index after the import.
    pub index_plans: u64,
    /// Tasks in the index after the import.
    pub index_tasks: u64,
    /// Bytes of the input files read.
    pub bytes_read: u64,
    /// Wall-clock seconds.
    pub elapsed_s: f64,
    /// Input megabytes per second.
    pub mb_per_s: f64,
    /// Tasks per second.
    pub tasks_per_s: f64,
    /// The data directory's size on disk.
    pub index_bytes: u64,
    /// Each failed document with the reason.
    pub failures: Vec<Failed>,
    /// Documents with the same bytes as another one of this run (read once).
    pub duplicates: Vec<Duplicate>,
    /// Entries the walk left out on purpose.
    pub skipped: Vec<Skipped>,
}

/// A document given twice.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Duplicate {
    /// The repeat.
    pub file: String,
    /// The document read instead.
    pub same_as: String,
}

/// An entry the walk left out.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Skipped {
    /// Its path.
    pub path: String,
    /// Why (`hidden`, `excluded by --exclude GLOB`, …).
    pub reason: String,
}

/// A document that could not be imported.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Failed {
    /// Its name (a path, or `ARCHIVE!/entry`).
    pub file: String,
    /// Why.
    pub reason: String,
    /// The kind of failure.
    pub kind: crate::FailureKind,
}

/// What happened to one document.
enum Event {
    Plan {
        name: String,
        sha: String,
        plan: Box<Plan>,
    },
    Unchanged,
    Duplicate {
        name: String,
        first: String,
    },
    Failed {
        name: String,
        failure: Failure,
    },
    /// One input file (with all its entries) is done.
    FileDone,
}

/// Shared state of the extraction workers.
struct Ctx<'a> {
    known_shas: &'a HashSet<String>,
    /// Contents (SHA-256) read in this run, with the first document's name.
    claimed: &'a std::sync::Mutex<HashMap<String, String>>,
    bytes_read: &'a AtomicU64,
    limits: &'a Limits,
}

impl Ctx<'_> {
    fn file(&self, path: &std::path::Path, tx: &SyncSender<Event>) {
        // The receiver only goes away on a fatal error; nothing more to do then.
        let name = path.display().to_string();
        match read_file(path, self.limits) {
            Ok(bytes) => {
                self.bytes_read
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
                for_each_document(&name, bytes, self.limits, &mut |e| {
                    let _ = tx.send(self.entry(e));
                });
            }
            Err(failure) => {
                let _ = tx.send(Event::Failed { name, failure });
            }
        }
        let _ = tx.send(Event::FileDone);
    }

    fn entry(&self, e: Entry) -> Event {
        let name = e.name;
        let bytes = match e.bytes {
            Ok(b) => b,
            Err(failure) => return Event::Failed { name, failure },
        };
        let sha = sha256_hex(&bytes);
        if self.known_shas.contains(&sha) {
            return Event::Unchanged;
        }
        let first = {
            let mut claimed = self.claimed.lock().unwrap_or_else(|e| e.into_inner());
            match claimed.get(&sha) {
                Some(first) => Some(first.clone()),
                None => {
                    claimed.insert(sha.clone(), name.clone());
                    None
                }
            }
        };
        if let Some(first) = first {
            return Event::Duplicate { name, first };
        }
        match extract(&name, bytes, &sha, self.limits) {
            Ok(plan) => Event::Plan {
                name,
                sha,
                plan: Box::new(plan),
            },
            Err(failure) => Event::Failed { name, failure },
        }
    }
}

/// Reads one document into a plan, isolated: a reader's panic, a limit or
/// the time budget fails only this document. A plan JSON record is taken as
/// it is; a document without anything of a plan is refused.
fn extract(name: &str, bytes: Vec<u8>, sha: &str, limits: &Limits) -> Result<Plan, Failure> {
    let name = name.to_string();
    let sha = sha.to_string();
    let lim = limits.clone();
    isolated(limits, move |deadline| {
        if let Some(res) = plan_json(&bytes) {
            return res;
        }
        plan_from_bytes_with(&name, &bytes, &sha, &lim, Some(&deadline)).and_then(is_a_plan)
    })
}

/// The walk's skipped entries as the summary lists them.
fn skipped(walked: &[(PathBuf, SkipReason)]) -> Vec<Skipped> {
    walked
        .iter()
        .map(|(p, r)| Skipped {
            path: p.display().to_string(),
            reason: r.to_string(),
        })
        .collect()
}

/// The writing side of an import: the index writer, what the index holds
/// already, and when to commit.
struct Indexer<'a> {
    writer: Box<dyn PlanWriter + 'a>,
    known_shas: HashSet<String>,
    known_paths: HashMap<String, String>,
    opts: &'a ImportOptions,
    since_commit: usize,
    last_commit: Instant,
}

impl<'a> Indexer<'a> {
    /// Opens `store`'s writer (`threads` indexing threads) and reads what it holds.
    fn open(
        store: &'a dyn PlanStore,
        threads: usize,
        opts: &'a ImportOptions,
    ) -> Result<Self, Error> {
        let writer = store.plan_writer(WriterOptions {
            threads,
            memory_bytes: opts.memory_bytes,
        })?;
        let known = store.plans()?;
        let known_shas = known.iter().map(|p| p.file_sha256.clone()).collect();
        let known_paths = known
            .into_iter()
            .map(|p| (p.file_path, p.file_sha256))
            .collect();
        Ok(Indexer {
            writer,
            known_shas,
            known_paths,
            opts,
            since_commit: 0,
            last_commit: Instant::now(),
        })
    }

    /// Adds one plan, counts it, and commits when one is due.
    fn add(&mut self, sum: &mut Summary, name: &str, sha: &str, plan: &Plan) -> Result<(), Error> {
        self.writer.add_plan(name, sha, plan)?;
        if self.known_paths.get(name).is_some_and(|old| old != sha) {
            sum.replaced += 1;
        }
        sum.imported += 1;
        sum.plans += 1;
        sum.tasks += plan.tasks.len() as u64;
        self.since_commit += 1;
        let due = (self.opts.commit_every > 0 && self.since_commit >= self.opts.commit_every)
            || self.writer.pending_docs() >= COMMIT_DOCS
            || self.last_commit.elapsed() >= COMMIT_INTERVAL;
        if due {
            self.writer.commit()?;
            self.since_commit = 0;
            self.last_commit = Instant::now();
        }
        Ok(())
    }

    /// The final commit, and the summary's index figures and rates.
    fn finish(
        self,
        store: &dyn PlanStore,
        mut sum: Summary,
        start: Instant,
    ) -> Result<Summary, Error> {
        self.writer.finish()?;
        store.reload()?;
        let (plans, tasks) = store.counts()?;
        sum.index_plans = plans;
        sum.index_tasks = tasks;
        sum.elapsed_s = start.elapsed().as_secs_f64();
        let secs = sum.elapsed_s.max(1e-6);
        sum.mb_per_s = sum.bytes_read as f64 / 1e6 / secs;
        sum.tasks_per_s = sum.tasks as f64 / secs;
        sum.index_bytes = store.disk_size();
        sum.failures.sort_by(|a, b| a.file.cmp(&b.file));
        sum.duplicates.sort_by(|a, b| a.file.cmp(&b.file));
        Ok(sum)
    }
}

/// Counts a document that could not be imported.
fn fail(sum: &mut Summary, file: String, failure: Failure) {
    sum.failed += 1;
    sum.failures.push(Failed {
        file,
        reason: failure.reason,
        kind: failure.kind,
    });
}

/// Imports the walked inputs into `store`. `on_file` is called (on the
/// calling thread) after every input file with the counts so far: for
/// progress. Fails only when the index cannot be written; every document
/// that cannot be read is a failure in the summary.
pub fn import(
    store: &dyn PlanStore,
    inputs: Walked,
    opts: &ImportOptions,
    on_file: &mut dyn FnMut(&Summary),
) -> Result<Summary, Error> {
    let start = Instant::now();
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        opts.threads
    };
    let mut index = Indexer::open(store, threads.min(2), opts)?;
    install_quiet_panic_hook();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("kehoach-extract-{i}"))
        .build()
        .map_err(|e| Error::Threads(e.to_string()))?;
    let bytes_read = AtomicU64::new(0);
    let mut sum = Summary {
        skipped: skipped(&inputs.skipped),
        ..Summary::default()
    };
    // Directories that could not be listed fail like unreadable files.
    for (path, reason) in &inputs.unreadable {
        sum.failed += 1;
        sum.failures.push(Failed {
            file: path.display().to_string(),
            reason: reason.clone(),
            kind: crate::FailureKind::Io,
        });
    }
    let claimed = std::sync::Mutex::new(HashMap::new());
    let (tx, rx) = sync_channel::<Event>(256);
    // The workers skip what the index holds; the writer no longer needs it.
    let known_shas = std::mem::take(&mut index.known_shas);
    let files = &inputs.files;
    let result: Result<(), Error> = std::thread::scope(|scope| {
        let ctx = Ctx {
            known_shas: &known_shas,
            claimed: &claimed,
            bytes_read: &bytes_read,
            limits: &opts.limits,
        };
        let pool = &pool;
        scope.spawn(move || {
            pool.install(|| files.par_iter().for_each_with(tx, |tx, f| ctx.file(f, tx)));
        });
        for event in rx {
            match event {
                Event::FileDone => {
                    on_file(&sum);
                    continue;
                }
                Event::Unchanged => {
                    sum.files_seen += 1;
                    sum.unchanged += 1;
                }
                Event::Duplicate { name, first } => {
                    sum.files_seen += 1;
                    sum.unchanged += 1;
                    sum.duplicates.push(Duplicate {
                        file: name,
                        same_as: first,
                    });
                }
                Event::Failed { name, failure } => {
                    sum.files_seen += 1;
                    fail(&mut sum, name, failure);
                }
                Event::Plan { name, sha, plan } => {
                    sum.files_seen += 1;
                    index.add(&mut sum, &name, &sha, &plan)?;
                }
            }
        }
        Ok(())
    });
    result?;
    sum.bytes_read = bytes_read.load(Ordering::Relaxed);
    index.finish(store, sum, start)
}

/// The shard files of a directory, sorted by name: its `*.ndjson` files
/// (hidden files, such as shards still being written, are left out).
pub fn shard_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut shards = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !name.starts_with('.') && name.ends_with(SHARD_EXT) && path.is_file() {
            shards.push(path);
        }
    }
    shards.sort();
    Ok(shards)
}

/// The extension of shard files: one `kehoach/plan@1` record per line.
pub const SHARD_EXT: &str = ".ndjson";

/// Longest line of a shard (one record).
const MAX_SHARD_LINE: u64 = 64 << 20;

/// One line of a shard as a plan with the name and SHA-256 it is imported
/// under (the record's `source.path` and `source.sha256`).
fn shard_record(line: &[u8]) -> Result<(String, String, Plan), Failure> {
    let bad = |reason: &str| Failure::new(crate::FailureKind::Reader, reason);
    let plan = match plan_json(line) {
        Some(res) => res?,
        None => return Err(bad("not a kehoach/plan@1 record")),
    };
    let sha = plan.source.sha256.to_ascii_lowercase();
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad("the record has no valid source.sha256"));
    }
    if plan.source.path.is_empty() {
        return Err(bad("the record has no source.path"));
    }
    Ok((plan.source.path.clone(), sha, plan))
}

/// Imports the plan records of NDJSON shard files (one `kehoach/plan@1`
/// record per line, as a cluster import writes them) into `store`, without
/// reading the documents again. Each record is imported under its
/// `source.path` and `source.sha256`; incremental like [`import`] (a SHA
/// already in the index is unchanged, the same SHA twice is imported once).
/// A line that is not a valid record is a failure named `SHARD:LINE`; a
/// shard that cannot be read is a failure named by its path; the other
/// records are imported. `on_file` is called after every shard. Fails only
/// when the index cannot be written.
pub fn import_shards(
    store: &dyn PlanStore,
    shards: &[PathBuf],
    opts: &ImportOptions,
    on_file: &mut dyn FnMut(&Summary),
) -> Result<Summary, Error> {
    use std::io::{BufRead, Read};
    let start = Instant::now();
    let mut index = Indexer::open(store, 1, opts)?;
    let mut claimed: HashMap<String, String> = HashMap::new();
    let mut sum = Summary::default();
    for shard in shards {
        let shard_name = shard.display().to_string();
        let file = match std::fs::File::open(shard) {
            Ok(f) => f,
            Err(e) => {
                let failure = Failure::new(crate::FailureKind::Io, format!("cannot open: {e}"));
                fail(&mut sum, shard_name, failure);
                on_file(&sum);
                continue;
            }
        };
        let mut reader = std::io::BufReader::new(file);
        let mut line = Vec::new();
        let mut number = 0u64;
        loop {
            line.clear();
            number += 1;
            let read = (&mut reader)
                .take(MAX_SHARD_LINE + 1)
                .read_until(b'\n', &mut line);
            let n = match read {
                Ok(n) => n,
                Err(e) => {
                    let failure = Failure::new(crate::FailureKind::Io, format!("cannot read: {e}"));
                    fail(&mut sum, format!("{shard_name}:{number}"), failure);
                    break;
                }
            };
            if n == 0 {
                break;
            }
            let name = format!("{shard_name}:{number}");
            if line.len() as u64 > MAX_SHARD_LINE {
                let failure = Failure::new(
                    crate::FailureKind::Limit,
                    format!("a line longer than {MAX_SHARD_LINE} bytes"),
                );
                fail(&mut sum, name, failure);
                // Skip the rest of the long line.
                let mut rest = Vec::new();
                if reader.read_until(b'\n', &mut rest).is_err() {
                    break;
                }
                continue;
            }
            if line.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            sum.files_seen += 1;
            sum.bytes_read += n as u64;
            let (path, sha, plan) = match shard_record(&line) {
                Ok(r) => r,
                Err(failure) => {
                    fail(&mut sum, name, failure);
                    continue;
                }
            };
            if index.known_shas.contains(&sha) {
                sum.unchanged += 1;
                continue;
            }
            if let Some(first) = claimed.get(&sha) {
                sum.unchanged += 1;
                sum.duplicates.push(Duplicate {
                    file: path,
                    same_as: first.clone(),
                });
                continue;
            }
            index.add(&mut sum, &path, &sha, &plan)?;
            claimed.insert(sha, path);
        }
        on_file(&sum);
    }
    index.finish(store, sum, start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kehoach_index::Store;

    #[test]
    fn a_broken_file_fails_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("in");
        std::fs::create_dir(&input).expect("mkdir");
        std::fs::write(
            input.join("a.txt"),
            "ỦY BAN NHÂN DÂN\nSố: 7/KH-UBND\nKẾ HOẠCH\nKiểm tra\n\n| STT | Nội dung | Chủ trì | Thời gian |\n| 1 | Rà soát hồ sơ | Sở Y tế | Quý I/2024 |\n",
        )
        .expect("write");
        std::fs::write(input.join("b.docx"), b"PK\x03\x04garbage").expect("write");
        std::fs::write(input.join("c.txt"), "hello").expect("write");
        let store = Store::open_or_create(&dir.path().join("data")).expect("store");
        let walked = crate::walk::walk(&[input], &crate::walk::Options::default()).expect("walk");
        let mut calls = 0;
        let sum = import(&store, walked, &ImportOptions::default(), &mut |_| {
            calls += 1
        })
        .expect("import");
        assert_eq!(calls, 3);
        assert_eq!((sum.imported, sum.failed, sum.tasks), (1, 2, 1));
        let kinds: Vec<_> = sum.failures.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            vec![crate::FailureKind::Reader, crate::FailureKind::NotAPlan]
        );
        assert_eq!(sum.index_plans, 1);
    }

    const PLAN_TEXT: &str = "ỦY BAN NHÂN DÂN\nSố: 7/KH-UBND\nKẾ HOẠCH\nKiểm tra\n\n| STT | Nội dung | Chủ trì | Thời gian |\n| 1 | Rà soát hồ sơ | Sở Y tế | Quý I/2024 |\n";

    fn record(name: &str, text: &str) -> String {
        let plan = crate::plan_from_bytes(name, text.as_bytes()).expect("plan");
        serde_json::to_string(&plan).expect("json")
    }

    #[test]
    fn shards_are_imported_without_reading_the_documents() {
        let dir = tempfile::tempdir().expect("tempdir");
        let shards = dir.path().join("shards");
        std::fs::create_dir(&shards).expect("mkdir");
        let a = record("in/a.txt", PLAN_TEXT);
        let b = record("in/b.txt", &PLAN_TEXT.replace("7/KH", "8/KH"));
        let again = record("in/a-copy.txt", PLAN_TEXT);
        std::fs::write(
            shards.join("1.ndjson"),
            format!("{a}\n{{\"schema\": \"kehoach/plan@1\"}}\n\n"),
        )
        .expect("write");
        std::fs::write(shards.join("2.ndjson"), format!("{b}\n{again}\nnot json\n"))
            .expect("write");
        // Shards being written and other files are not read.
        std::fs::write(shards.join(".tmp-3.ndjson"), "garbage\n").expect("write");
        std::fs::write(shards.join("manifest.jsonl"), "{}\n").expect("write");
        let files = shard_files(&shards).expect("list");
        assert_eq!(files.len(), 2);

        let store = Store::open_or_create(&dir.path().join("data")).expect("store");
        let mut calls = 0;
        let sum = import_shards(&store, &files, &ImportOptions::default(), &mut |_| {
            calls += 1
        })
        .expect("import");
        assert_eq!(calls, 2);
        assert_eq!(
            (sum.files_seen, sum.imported, sum.unchanged, sum.failed),
            (5, 2, 1, 2)
        );
        let failed: Vec<_> = sum.failures.iter().map(|f| f.file.clone()).collect();
        let one = files[0].display();
        let two = files[1].display();
        assert_eq!(failed, vec![format!("{one}:2"), format!("{two}:3")]);
        assert_eq!(sum.duplicates[0].same_as, "in/a.txt");
        let mut names: Vec<_> = store
            .plans()
            .expect("plans")
            .into_iter()
            .map(|p| (p.file_path, p.file_sha256))
            .collect();
        names.sort();
        let sha_a = sha256_hex(PLAN_TEXT.as_bytes());
        assert_eq!(names[0], ("in/a.txt".to_string(), sha_a));
        assert_eq!(names[1].0, "in/b.txt");
        assert_eq!(sum.index_plans, 2);

        // Again: every record is unchanged.
        let sum =
            import_shards(&store, &files, &ImportOptions::default(), &mut |_| {}).expect("import");
        assert_eq!((sum.imported, sum.unchanged, sum.failed), (0, 3, 2));
        assert_eq!(sum.index_plans, 2);
    }

    #[test]
    fn plan_json_is_recognised() {
        assert!(plan_json(b"So: 1/KH-UBND").is_none());
        assert!(plan_json(b"{\"a\": 1}").is_none());
        let bad = plan_json(b"{\"schema\": \"kehoach/plan@1\"}");
        assert!(matches!(bad, Some(Err(_))));
    }
}
