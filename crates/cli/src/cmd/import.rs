//! `kehoach import`: files, directories and zip archives → the search index.

use crate::output::stderr_is_terminal;
use crate::{EXIT_OK, EXIT_PARTIAL};
use anyhow::Context;
use kehoach_pipeline::import::{
    import, import_shards, shard_files, ImportOptions, Skipped, Summary,
};
use kehoach_pipeline::{detect, is_office_document, Detected, Limits};
use rayon::prelude::*;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};
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
(or remove) can write to a data directory at a time. With --db CONNINFO (or KEHOACH_DB) the
plans go into a PostgreSQL database instead (`kehoach db init` first): batches of whole plans,
one transaction each, and any number of importers at once (docs/postgres.md).

Every document is read in isolation, under limits: files up to 256 MiB (text up to 32 MiB),
archive entries checked for their size and compression ratio before they are expanded
(1 GiB per archive), at most 2000 pages, 50000 table rows, 1000000 cells and 256 KiB per cell
per document, and --timeout seconds (default 120; 60 s more per page read by OCR). A document
over a limit, one that times out and one on which a reader fails is reported with the reason;
the others are imported.

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
  kehoach import . --dry-run                   what would be read and skipped
  kehoach import --from-shards out/            records of a cluster import (docs/cluster.md)
  kehoach import corpus/ --db 'host=db.local dbname=kehoach user=kh'
                                               into a PostgreSQL database (after `kehoach db init`;
                                               several importers may write it at once; docs/postgres.md)")]
pub struct Args {
    /// Files, directories or .zip archives to import.
    #[arg(required_unless_present = "from_shards", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Import the plan records of the NDJSON shards in DIR (as
    /// `python -m kehoach.cluster import` writes them) without reading the
    /// documents again; each record is imported under its source.path and
    /// source.sha256.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["paths", "dry_run"])]
    pub from_shards: Option<PathBuf>,
    #[command(flatten)]
    pub store: crate::store::StoreArgs,
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
    /// Time budget of one document (reading and extraction), in seconds, and
    /// 60 s more for each page read by OCR; a document that takes longer is
    /// reported as timed out and skipped.
    #[arg(long, value_name = "SECS", default_value_t = 120.0)]
    pub timeout: f64,
    /// List what would be read (by format, with counts and sizes) and what
    /// would be skipped and why; the index is not opened or created.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub ocr: crate::walk::OcrArgs,
    #[command(flatten)]
    pub walk: crate::walk::WalkArgs,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let mut walk_opts = args.walk.options();
    if args.store.db.is_none() {
        walk_opts.skip_dirs.push(args.store.data.clone());
    }
    if args.dry_run {
        return dry_run(&args, &walk_opts);
    }
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        anyhow::bail!("--timeout must be a positive number of seconds");
    }
    let store = args.store.open_for_import()?;
    let opts = ImportOptions {
        limits: Limits {
            time_budget: Duration::from_secs_f64(args.timeout.min(1e9)),
            ocr_cache: args.ocr.ocr_cache.clone(),
            ..Limits::default()
        },
        threads: args.jobs.unwrap_or(0),
        commit_every: args.commit_every,
        memory_bytes: args.memory_mb << 20,
    };
    let sum = if let Some(dir) = &args.from_shards {
        let shards = shard_files(dir)
            .with_context(|| format!("cannot list the shards in {}", dir.display()))?;
        let progress = Progress::new(shards.len() as u64, args.quiet);
        let sum = import_shards(&*store, &shards, &opts, &mut |s| progress.file_done(s))?;
        progress.finish();
        sum
    } else {
        let inputs = crate::walk::walk(&args.paths, &walk_opts)?;
        let progress = Progress::new(inputs.files.len() as u64, args.quiet);
        let sum = import(&*store, inputs, &opts, &mut |s| progress.file_done(s))?;
        progress.finish();
        sum
    };

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &sum)?;
        writeln!(out)?;
    } else {
        write_summary(&mut out, &sum, &args.store.shown())?;
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

fn write_summary(out: &mut impl Write, s: &Summary, data: &str) -> std::io::Result<()> {
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
        data,
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

/// A file a dry run could not look at.
#[derive(Debug, serde::Serialize)]
struct Unreadable {
    file: String,
    reason: String,
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
    failures: Vec<Unreadable>,
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
        skipped: walked
            .skipped
            .iter()
            .map(|(p, r)| Skipped {
                path: p.display().to_string(),
                reason: r.to_string(),
            })
            .collect(),
        rule_files: walked
            .rule_files
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        failures: walked
            .unreadable
            .iter()
            .map(|(p, r)| Unreadable {
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
            Err(reason) => report.failures.push(Unreadable {
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
            args.store.shown()
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
