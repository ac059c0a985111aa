//! `kehoach import`: files, directories and zip archives → the search index.

use crate::guard::{self, Limits};
use crate::output::stderr_is_terminal;
use crate::pipeline::{detect, plan_from_bytes_with, sha256_hex, Detected};
use crate::{EXIT_OK, EXIT_PARTIAL};
use anyhow::Context;
use kehoach_index::{Store, WriterOptions, DEFAULT_DATA_DIR};
use kehoach_plan::Plan;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::time::{Duration, Instant};

/// How deep archives inside archives are opened.
const MAX_ZIP_DEPTH: u32 = 2;
/// Commit at least this often (pending documents).
const COMMIT_DOCS: u64 = 400_000;
/// Commit at least this often (time).
const COMMIT_INTERVAL: Duration = Duration::from_secs(30);
/// Progress log interval when stderr is not a terminal.
const LOG_INTERVAL: Duration = Duration::from_secs(5);

/// Arguments of `kehoach import`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Inputs: plan files in any supported format (detected from content, not the extension),
directories (searched recursively), .zip archives (entries are read
in memory and named ARCHIVE.zip!/inner/path; nothing is unpacked to disk) and kehoach/plan@1
JSON records as written by `kehoach extract --json/--out`.

Directories are walked depth first, sorted by name. Links are followed, each real folder
once (a link back to a parent is skipped, not followed forever). Hidden entries (.name) are
skipped unless --include-hidden; --exclude GLOB (repeatable) and a .kehoachignore file
(gitignore syntax) in any walked folder leave out what they match. The data directory, and
any other kehoach data directory among the inputs, is never read: `kehoach import .` with
the default ./kehoach-data is safe. A document given twice in one run (the same bytes under
two names or through two links) is read once; the summary names the repeats.
--dry-run lists what would be read (by format, with counts and sizes) and what would be
skipped and why, without opening or creating the index.

The index and plan store live in the data directory (--data, default ./kehoach-data);
no server is needed. Import is incremental: a file whose bytes (SHA-256) are already
imported is skipped as unchanged; a file at an already imported path with new bytes
replaces its old records. Commits are atomic: an interrupted import leaves the last
committed state, and running it again completes it without duplicates. Only one import
(or remove) can write to a data directory at a time.

Every document is read in isolation, under limits: files up to 256 MiB (text up to 32 MiB),
archive entries checked for their size and compression ratio before they are expanded
(1 GiB per archive), at most 2000 pages, 50000 table rows, 1000000 cells and 256 KiB per cell
per document, and --timeout seconds (default 120). A document over a limit, one that times
out and one on which a reader fails is reported with the reason; the others are imported.

Exit status:
  0  every file was imported or unchanged
  1  some files failed (each is listed with the reason; the others were imported)
  2  the import could not run (unusable data directory, index locked by another import)

Examples:
  kehoach import corpus/                       import a directory tree
  kehoach import archive-2024.zip plans/*.txt  archives and files together
  kehoach import --data /srv/kehoach corpus/   a data directory elsewhere
  kehoach import corpus/ --json                the summary as JSON
  kehoach import . --exclude 'drafts/' --exclude '*.tmp'
  kehoach import . --dry-run                   what would be read and skipped")]
pub struct Args {
    /// Files, directories or .zip archives to import.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The data directory (index and plan store); created when missing.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_DATA_DIR)]
    pub data: PathBuf,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
    /// Extraction threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Commit after every N imported plans (default: by size and time).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub commit_every: usize,
    /// Index writer memory budget in MB.
    #[arg(long, value_name = "MB", default_value_t = 384)]
    pub memory_mb: usize,
    /// Time budget of one document (reading and extraction), in seconds; a
    /// document that takes longer is reported as timed out and skipped.
    #[arg(long, value_name = "SECS", default_value_t = 120.0)]
    pub timeout: f64,
    /// List what would be read (by format, with counts and sizes) and what
    /// would be skipped and why; the index is not opened or created.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub walk: crate::walk::WalkArgs,
}

/// What happened to one document (a file or an archive entry).
enum Outcome {
    /// Extracted; to be written.
    Plan {
        name: String,
        sha: String,
        plan: Box<Plan>,
    },
    /// Its bytes were already imported.
    Unchanged,
    /// The same bytes as another document of this run, which is read instead.
    Duplicate { name: String, first: String },
    /// It could not be imported.
    Failed { name: String, reason: String },
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
    fn send(&self, tx: &SyncSender<Outcome>, o: Outcome) {
        // The receiver only goes away on a fatal error; nothing more to do then.
        let _ = tx.send(o);
    }

    fn file(&self, path: &std::path::Path, tx: &SyncSender<Outcome>) {
        let name = path.display().to_string();
        match guard::read_file(path, self.limits) {
            Ok(bytes) => {
                self.bytes_read
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
                self.bytes(&name, bytes, 0, tx);
            }
            Err(reason) => self.send(tx, Outcome::Failed { name, reason }),
        }
        self.send(tx, Outcome::FileDone);
    }

    fn bytes(&self, name: &str, bytes: Vec<u8>, depth: u32, tx: &SyncSender<Outcome>) {
        if detect(&bytes) == Detected::Zip && !is_office_document(&bytes) {
            if depth >= MAX_ZIP_DEPTH {
                let reason = "archive nested too deep".to_string();
                self.send(
                    tx,
                    Outcome::Failed {
                        name: name.into(),
                        reason,
                    },
                );
            } else {
                self.archive(name, &bytes, depth, tx);
            }
            return;
        }
        let sha = sha256_hex(&bytes);
        if self.known_shas.contains(&sha) {
            self.send(tx, Outcome::Unchanged);
            return;
        }
        let first = {
            let mut claimed = self.claimed.lock().unwrap_or_else(|e| e.into_inner());
            match claimed.get(&sha) {
                Some(first) => Some(first.clone()),
                None => {
                    claimed.insert(sha.clone(), name.to_string());
                    None
                }
            }
        };
        if let Some(first) = first {
            let name = name.to_string();
            self.send(tx, Outcome::Duplicate { name, first });
            return;
        }
        let outcome = match extract(name, bytes, &sha, self.limits) {
            Ok(plan) => Outcome::Plan {
                name: name.into(),
                sha,
                plan: Box::new(plan),
            },
            Err(reason) => Outcome::Failed {
                name: name.into(),
                reason,
            },
        };
        self.send(tx, outcome);
    }

    fn archive(&self, name: &str, bytes: &[u8], depth: u32, tx: &SyncSender<Outcome>) {
        let mut zip = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
            Ok(z) => z,
            Err(e) => {
                let reason = format!("corrupt zip archive: {e}");
                self.send(
                    tx,
                    Outcome::Failed {
                        name: name.into(),
                        reason,
                    },
                );
                return;
            }
        };
        let mut expanded = 0u64;
        for i in 0..zip.len() {
            let mut entry = match zip.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    let reason = format!("unreadable archive entry #{i}: {e}");
                    self.send(
                        tx,
                        Outcome::Failed {
                            name: name.into(),
                            reason,
                        },
                    );
                    continue;
                }
            };
            let inner = match entry.name() {
                Ok(n) => n.into_owned(),
                Err(e) => {
                    let reason = format!("archive entry #{i} has an unreadable name: {e}");
                    self.send(
                        tx,
                        Outcome::Failed {
                            name: name.into(),
                            reason,
                        },
                    );
                    continue;
                }
            };
            let base = inner.rsplit(['/', '\\']).next().unwrap_or("");
            if entry.is_dir()
                || base.is_empty()
                || base.starts_with('.')
                || inner.starts_with("__MACOSX/")
            {
                continue;
            }
            let entry_name = format!("{name}!/{inner}");
            let declared = entry.size();
            if let Err(reason) = self.limits.check_entry(declared, entry.compressed_size()) {
                self.send(
                    tx,
                    Outcome::Failed {
                        name: entry_name,
                        reason,
                    },
                );
                continue;
            }
            expanded = expanded.saturating_add(declared);
            if expanded > self.limits.max_archive_bytes {
                let reason = format!(
                    "archive expands to more than {} bytes; this and the remaining entries are skipped",
                    self.limits.max_archive_bytes
                );
                self.send(
                    tx,
                    Outcome::Failed {
                        name: entry_name,
                        reason,
                    },
                );
                return;
            }
            // Never trust the declared size: read at most one byte more.
            let mut data = Vec::with_capacity(declared.min(1 << 20) as usize);
            let read = (&mut entry).take(declared + 1).read_to_end(&mut data);
            let problem = match read {
                Err(e) => Some(format!("cannot read archive entry: {e}")),
                Ok(_) if data.len() as u64 > declared => {
                    Some("entry larger than its declared size".into())
                }
                Ok(n) if n as u64 != declared => {
                    Some(format!("entry is {n} bytes, declared {declared}"))
                }
                Ok(_) => None,
            };
            match problem {
                Some(reason) => self.send(
                    tx,
                    Outcome::Failed {
                        name: entry_name,
                        reason,
                    },
                ),
                None => self.bytes(&entry_name, data, depth + 1, tx),
            }
        }
    }
}

/// Whether a zip container is an office document (DOCX, …) rather than an archive of plans.
fn is_office_document(bytes: &[u8]) -> bool {
    match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(z) => z.file_names().any(|n| {
            matches!(
                n.as_deref(),
                Ok("[Content_Types].xml" | "word/document.xml")
            )
        }),
        Err(_) => false,
    }
}

/// A kehoach/plan@1 JSON record, when `bytes` hold one.
fn plan_json(bytes: &[u8]) -> Option<Result<Plan, String>> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = text.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' {
        return None;
    }
    let head = &text[..text.len().min(4096)];
    if !head
        .windows(kehoach_plan::SCHEMA.len())
        .any(|w| w == kehoach_plan::SCHEMA.as_bytes())
    {
        return None;
    }
    Some(
        serde_json::from_slice::<Plan>(text)
            .map_err(|e| format!("not a valid {} record: {e}", kehoach_plan::SCHEMA))
            .and_then(|p| {
                if p.schema == kehoach_plan::SCHEMA {
                    Ok(p)
                } else {
                    Err(format!("unsupported schema {:?}", p.schema))
                }
            }),
    )
}

/// Reads one document into a plan, isolated (see [`guard::isolated`]): a
/// reader's panic, a limit or the time budget fails only this document.
fn extract(name: &str, bytes: Vec<u8>, sha: &str, limits: &Limits) -> Result<Plan, String> {
    let name = name.to_string();
    let sha = sha.to_string();
    let lim = limits.clone();
    guard::isolated(limits, move |deadline| {
        if let Some(res) = plan_json(&bytes) {
            return res;
        }
        plan_from_bytes_with(&name, &bytes, &sha, &lim, Some(deadline))
            .map_err(|e| format!("{e:#}"))
            .and_then(is_a_plan)
    })
}

/// Refuses a document in which nothing of a plan was found.
fn is_a_plan(plan: Plan) -> Result<Plan, String> {
    let m = &plan.meta;
    if plan.tasks.is_empty() && m.number.is_none() && m.title.is_none() && m.issuer.is_none() {
        return Err("not a plan: no number, title, issuer or task table found".into());
    }
    Ok(plan)
}

/// Counters of one import.
#[derive(Debug, Default, serde::Serialize)]
struct Summary {
    files_seen: u64,
    imported: u64,
    replaced: u64,
    unchanged: u64,
    failed: u64,
    plans: u64,
    tasks: u64,
    index_plans: u64,
    index_tasks: u64,
    bytes_read: u64,
    elapsed_s: f64,
    mb_per_s: f64,
    tasks_per_s: f64,
    index_bytes: u64,
    failures: Vec<Failure>,
    /// Documents with the same bytes as another one of this run (read once).
    duplicates: Vec<Duplicate>,
    /// Entries the walk left out on purpose.
    skipped: Vec<Skipped>,
}

#[derive(Debug, serde::Serialize)]
struct Duplicate {
    file: String,
    same_as: String,
}

#[derive(Debug, serde::Serialize)]
struct Skipped {
    path: String,
    reason: String,
}

fn skipped(walked: &crate::walk::Walked) -> Vec<Skipped> {
    walked
        .skipped
        .iter()
        .map(|(p, r)| Skipped {
            path: p.display().to_string(),
            reason: r.to_string(),
        })
        .collect()
}

#[derive(Debug, serde::Serialize)]
struct Failure {
    file: String,
    reason: String,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let start = Instant::now();
    let mut walk_opts = args.walk.options();
    walk_opts.skip_dirs.push(args.data.clone());
    if args.dry_run {
        return dry_run(&args, &walk_opts);
    }
    let store = Store::open_or_create(&args.data)
        .with_context(|| format!("cannot open the data directory {}", args.data.display()))?;
    let threads = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let mut writer = store.writer(WriterOptions {
        threads: threads.min(2),
        memory_bytes: args.memory_mb << 20,
    })?;
    let known = store.plans().context("cannot list the imported plans")?;
    let known_shas: HashSet<String> = known.iter().map(|p| p.file_sha256.clone()).collect();
    let known_paths: HashMap<String, String> = known
        .into_iter()
        .map(|p| (p.file_path, p.file_sha256))
        .collect();

    let inputs = crate::walk::walk(&args.paths, &walk_opts)?;
    let skipped_entries = skipped(&inputs);
    let files = inputs.files;
    let total_files = files.len() as u64;
    let bytes_read = AtomicU64::new(0);
    guard::install_quiet_panic_hook();
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        anyhow::bail!("--timeout must be a positive number of seconds");
    }
    let limits = Limits {
        time_budget: Duration::from_secs_f64(args.timeout.min(1e9)),
        ..Limits::default()
    };

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("kehoach-extract-{i}"))
        .build()
        .context("cannot start the extraction threads")?;
    let (tx, rx) = sync_channel::<Outcome>(256);
    let progress = Progress::new(total_files, args.quiet);
    let mut sum = Summary {
        skipped: skipped_entries,
        ..Summary::default()
    };
    let claimed = std::sync::Mutex::new(HashMap::new());
    // Directories that could not be listed fail like unreadable files.
    for (path, reason) in inputs.unreadable {
        sum.failed += 1;
        sum.failures.push(Failure {
            file: path.display().to_string(),
            reason,
        });
    }
    let mut since_commit_plans = 0usize;
    let mut last_commit = Instant::now();

    let result: anyhow::Result<()> = std::thread::scope(|scope| {
        let ctx = Ctx {
            known_shas: &known_shas,
            claimed: &claimed,
            bytes_read: &bytes_read,
            limits: &limits,
        };
        let files = &files;
        let pool = &pool;
        scope.spawn(move || {
            pool.install(|| files.par_iter().for_each_with(tx, |tx, f| ctx.file(f, tx)));
        });
        for outcome in rx {
            match outcome {
                Outcome::FileDone => {
                    progress.file_done(&sum);
                    continue;
                }
                Outcome::Unchanged => {
                    sum.files_seen += 1;
                    sum.unchanged += 1;
                }
                Outcome::Duplicate { name, first } => {
                    sum.files_seen += 1;
                    sum.unchanged += 1;
                    sum.duplicates.push(Duplicate {
                        file: name,
                        same_as: first,
                    });
                }
                Outcome::Failed { name, reason } => {
                    sum.files_seen += 1;
                    sum.failed += 1;
                    sum.failures.push(Failure { file: name, reason });
                }
                Outcome::Plan { name, sha, plan } => {
                    sum.files_seen += 1;
                    writer
                        .add_plan(&name, &sha, &plan)
                        .with_context(|| format!("{name}: cannot index"))?;
                    if known_paths.get(&name).is_some_and(|old| *old != sha) {
                        sum.replaced += 1;
                    }
                    sum.imported += 1;
                    sum.plans += 1;
                    sum.tasks += plan.tasks.len() as u64;
                    since_commit_plans += 1;
                    let due = (args.commit_every > 0 && since_commit_plans >= args.commit_every)
                        || writer.pending_docs() >= COMMIT_DOCS
                        || last_commit.elapsed() >= COMMIT_INTERVAL;
                    if due {
                        writer.commit().context("commit failed")?;
                        since_commit_plans = 0;
                        last_commit = Instant::now();
                    }
                }
            }
        }
        Ok(())
    });
    result?;
    writer.finish().context("final commit failed")?;
    progress.finish();

    store.reload()?;
    let (plans, tasks) = store.counts()?;
    sum.index_plans = plans;
    sum.index_tasks = tasks;
    sum.bytes_read = bytes_read.load(Ordering::Relaxed);
    sum.elapsed_s = start.elapsed().as_secs_f64();
    let secs = sum.elapsed_s.max(1e-6);
    sum.mb_per_s = sum.bytes_read as f64 / 1e6 / secs;
    sum.tasks_per_s = sum.tasks as f64 / secs;
    sum.index_bytes = store.disk_size();
    sum.failures.sort_by(|a, b| a.file.cmp(&b.file));
    sum.duplicates.sort_by(|a, b| a.file.cmp(&b.file));

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &sum)?;
        writeln!(out)?;
    } else {
        write_summary(&mut out, &sum, &args.data)?;
    }
    for f in &sum.failures {
        eprintln!("kehoach: {}: {}", f.file, f.reason);
    }
    Ok(if sum.failed > 0 {
        EXIT_PARTIAL
    } else {
        EXIT_OK
    })
}

fn write_summary(out: &mut impl Write, s: &Summary, data: &std::path::Path) -> std::io::Result<()> {
    writeln!(
        out,
        "files seen {}, imported {} ({} replaced), unchanged {}, failed {}",
        s.files_seen, s.imported, s.replaced, s.unchanged, s.failed
    )?;
    writeln!(
        out,
        "added {} plans, {} tasks in {:.1} s ({:.1} MB/s, {:.0} tasks/s)",
        s.plans, s.tasks, s.elapsed_s, s.mb_per_s, s.tasks_per_s
    )?;
    writeln!(
        out,
        "index {}: {} plans, {} tasks, {:.1} MB",
        data.display(),
        s.index_plans,
        s.index_tasks,
        s.index_bytes as f64 / 1e6
    )?;
    if !s.duplicates.is_empty() {
        writeln!(out, "read once, given twice ({}):", s.duplicates.len())?;
        for d in &s.duplicates {
            writeln!(out, "  {}: same bytes as {}", d.file, d.same_as)?;
        }
    }
    write_skipped(out, &s.skipped)?;
    if !s.failures.is_empty() {
        writeln!(out, "failed files ({}):", s.failures.len())?;
        for f in &s.failures {
            writeln!(out, "  {}: {}", f.file, f.reason)?;
        }
    }
    Ok(())
}

/// The entries the walk left out: each one named, hidden ones only counted.
fn write_skipped(out: &mut impl Write, skipped: &[Skipped]) -> std::io::Result<()> {
    if skipped.is_empty() {
        return Ok(());
    }
    let hidden = skipped.iter().filter(|k| k.reason == "hidden").count();
    writeln!(out, "skipped ({}):", skipped.len())?;
    for k in skipped.iter().filter(|k| k.reason != "hidden") {
        writeln!(out, "  {}: {}", k.path, k.reason)?;
    }
    if hidden > 0 {
        writeln!(
            out,
            "  {hidden} hidden entr{} (--include-hidden to read them)",
            if hidden == 1 { "y" } else { "ies" }
        )?;
    }
    Ok(())
}

/// One file a dry run would read.
#[derive(Debug, serde::Serialize)]
struct WouldRead {
    path: String,
    format: &'static str,
    bytes: u64,
}

/// Files and bytes of one format.
#[derive(Debug, Default, serde::Serialize)]
struct Tally {
    files: u64,
    bytes: u64,
}

/// What `import --dry-run` reports.
#[derive(Debug, serde::Serialize)]
struct DryRun {
    files: u64,
    bytes: u64,
    formats: std::collections::BTreeMap<&'static str, Tally>,
    read: Vec<WouldRead>,
    skipped: Vec<Skipped>,
    rule_files: Vec<String>,
    failures: Vec<Failure>,
}

/// The format of a file as the import would see it, from its first bytes
/// (and, for zip containers, its list of entries).
fn format_of(path: &std::path::Path) -> Result<(&'static str, u64), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot open: {e}"))?;
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(|e| format!("cannot read: {e}"))?;
    let format = match detect(&head) {
        Detected::Pdf => "pdf",
        Detected::Image => "image",
        Detected::Doc => "doc",
        Detected::Zip => {
            let office = std::fs::read(path).is_ok_and(|b| is_office_document(&b));
            if office {
                "docx"
            } else {
                "zip archive"
            }
        }
        Detected::Text if is_plan_json_head(&head) => "plan json",
        Detected::Text => "text",
    };
    Ok((format, meta.len()))
}

/// Whether the first bytes look like a kehoach/plan@1 record (the record may
/// be longer than the bytes looked at).
fn is_plan_json_head(head: &[u8]) -> bool {
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
        && text
            .windows(kehoach_plan::SCHEMA.len())
            .any(|w| w == kehoach_plan::SCHEMA.as_bytes())
}

/// `import --dry-run`: walks the inputs and reports, touching no index.
fn dry_run(args: &Args, opts: &crate::walk::Options) -> anyhow::Result<u8> {
    let walked = crate::walk::walk(&args.paths, opts)?;
    let mut report = DryRun {
        files: 0,
        bytes: 0,
        formats: Default::default(),
        read: Vec::new(),
        skipped: skipped(&walked),
        rule_files: walked
            .rule_files
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        failures: walked
            .unreadable
            .iter()
            .map(|(p, r)| Failure {
                file: p.display().to_string(),
                reason: r.clone(),
            })
            .collect(),
    };
    let formats: Vec<_> = walked.files.par_iter().map(|f| format_of(f)).collect();
    for (f, res) in walked.files.iter().zip(formats) {
        match res {
            Ok((format, bytes)) => {
                report.files += 1;
                report.bytes += bytes;
                let t = report.formats.entry(format).or_default();
                t.files += 1;
                t.bytes += bytes;
                report.read.push(WouldRead {
                    path: f.display().to_string(),
                    format,
                    bytes,
                });
            }
            Err(reason) => report.failures.push(Failure {
                file: f.display().to_string(),
                reason,
            }),
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "dry run: nothing is imported; the index {} is not opened",
            args.data.display()
        )?;
        writeln!(
            out,
            "would read {} file(s), {}",
            report.files,
            human_bytes(report.bytes)
        )?;
        for (format, t) in &report.formats {
            writeln!(
                out,
                "  {format:<12} {:>7} file(s) {:>10}",
                t.files,
                human_bytes(t.bytes)
            )?;
        }
        if !report.read.is_empty() {
            writeln!(out, "files:")?;
            for r in &report.read {
                writeln!(
                    out,
                    "  {}  ({}, {})",
                    r.path,
                    r.format,
                    human_bytes(r.bytes)
                )?;
            }
        }
        write_skipped(&mut out, &report.skipped)?;
        for r in &report.rule_files {
            writeln!(out, "rules applied from {r}")?;
        }
        if !report.failures.is_empty() {
            writeln!(out, "cannot read ({}):", report.failures.len())?;
            for f in &report.failures {
                writeln!(out, "  {}: {}", f.file, f.reason)?;
            }
        }
    }
    out.flush()?;
    Ok(if report.failures.is_empty() {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    })
}

/// `1234` → `1.2 kB`.
fn human_bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        _ => format!("{:.1} GB", n as f64 / 1e9),
    }
}

/// A progress bar on a terminal, a log line every few seconds otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    log: Option<std::sync::Mutex<(Instant, u64)>>,
    total: u64,
    start: Instant,
}

impl Progress {
    fn new(total: u64, quiet: bool) -> Progress {
        let start = Instant::now();
        if quiet {
            return Progress {
                bar: None,
                log: None,
                total,
                start,
            };
        }
        if stderr_is_terminal() {
            let bar = indicatif::ProgressBar::new(total);
            let style = indicatif::ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} files  {per_sec}  ETA {eta}  {msg}",
            )
            .map(|s| s.progress_chars("=> "));
            if let Ok(style) = style {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(200));
            Progress {
                bar: Some(bar),
                log: None,
                total,
                start,
            }
        } else {
            Progress {
                bar: None,
                log: Some(std::sync::Mutex::new((start, 0))),
                total,
                start,
            }
        }
    }

    fn file_done(&self, s: &Summary) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(format!(
                "{} plans, {} tasks, {} failed",
                s.plans, s.tasks, s.failed
            ));
        } else if let Some(log) = &self.log {
            if let Ok(mut state) = log.lock() {
                state.1 += 1;
                if state.0.elapsed() >= LOG_INTERVAL {
                    state.0 = Instant::now();
                    let secs = self.start.elapsed().as_secs_f64().max(1e-6);
                    let rate = state.1 as f64 / secs;
                    let left = self.total.saturating_sub(state.1);
                    let eta = if rate > 0.0 { left as f64 / rate } else { 0.0 };
                    eprintln!(
                        "kehoach import: {}/{} files ({rate:.1} files/s, ETA {eta:.0} s), {} plans, {} tasks, {} failed",
                        state.1, self.total, s.plans, s.tasks, s.failed
                    );
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_json_is_recognised() {
        assert!(plan_json(b"So: 1/KH-UBND").is_none());
        assert!(plan_json(b"{\"a\": 1}").is_none());
        let bad = plan_json(b"{\"schema\": \"kehoach/plan@1\"}");
        assert!(matches!(bad, Some(Err(_))));
    }
}
