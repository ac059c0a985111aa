//! `kehoach extract`: plan files → task records.

use crate::output::{clip, table};
use crate::{EXIT_OK, EXIT_PARTIAL};
use anyhow::Context;
use kehoach_export::TaskRecord;
use kehoach_pipeline::{
    install_quiet_panic_hook, read_document, Batch, BatchOptions, Input, Limits, Outcome,
};
use kehoach_plan::Plan;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `kehoach extract`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Output: a readable table by default; --json prints the kehoach/plan@1 object (an array when
several files are given), --jsonl one compact object per line, --csv one row per task (the columns of `kehoach export --format csv`).
--out DIR writes DIR/<stem>.json for every input (<stem>-2.json, … when stems repeat) and prints a summary instead.

Examples:
  kehoach extract plan.txt
  kehoach extract plan.txt --json > plan.json
  kehoach extract corpus/ --out out/
  kehoach extract corpus/ --exclude 'drafts/' --exclude '*.pdf'
  kehoach extract scan.pdf --model | jq .

Directories are walked depth first, sorted by name; links are followed, each real folder
once (a link back to a parent is skipped, not followed forever). Hidden entries (.name) are
skipped unless --include-hidden; --exclude GLOB and a .kehoachignore file (gitignore syntax)
in any walked folder leave out what they match; kehoach data directories are never read.
A document given twice (the same bytes under two names) is read once; the repeat is named
on stderr.")]
pub struct Args {
    /// Plan files, or directories to search recursively.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Print the plan record(s) as JSON.
    #[arg(long, group = "fmt")]
    pub json: bool,
    /// Print one compact JSON plan per line.
    #[arg(long, group = "fmt")]
    pub jsonl: bool,
    /// Print one CSV row per task.
    #[arg(long, group = "fmt")]
    pub csv: bool,
    /// Write DIR/<stem>.json per input instead of printing records (<stem>-2.json, … when
    /// several inputs share a stem).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the document model the reader made of each file (pages, paragraphs,
    /// tables, cells with positions) as JSON lines, instead of plan records: for
    /// checking what a reader saw.
    #[arg(long, group = "fmt")]
    pub model: bool,
    #[command(flatten)]
    pub ocr: crate::walk::OcrArgs,
    #[command(flatten)]
    pub walk: crate::walk::WalkArgs,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let inputs = crate::walk::walk(&args.files, &args.walk.options())?;
    let files = inputs.files;
    install_quiet_panic_hook();
    let limits = Limits {
        ocr_cache: args.ocr.ocr_cache.clone(),
        ..Limits::default()
    };
    if args.model {
        return print_models(&files, &limits);
    }
    let mut failed = inputs.unreadable.len();
    for (path, reason) in &inputs.unreadable {
        eprintln!("kehoach: {}: {reason}", path.display());
    }
    let opts = BatchOptions {
        limits,
        read_once: true,
        ..BatchOptions::default()
    };
    let single = files.len() == 1;
    let batch = Batch::start(files.iter().cloned().map(Input::Path).collect(), &opts)?;
    // The plans in input order, each failure and repeat reported as it comes.
    let mut plans = batch.filter_map(|e| match e.outcome {
        Outcome::Plan(plan) => Some((files[e.index].clone(), *plan)),
        Outcome::Failed(f) => {
            failed += 1;
            eprintln!("kehoach: {}: {f}", e.name);
            None
        }
        Outcome::Duplicate(first) => {
            eprintln!(
                "kehoach: {}: same bytes as {}; read once",
                e.name,
                files[first].display()
            );
            None
        }
    });
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        // Inputs sharing a file stem get `<stem>-2.json`, `<stem>-3.json`, …
        let mut used = std::collections::HashSet::new();
        let mut rows = Vec::new();
        for (path, plan) in plans.by_ref() {
            let stem = path
                .file_stem()
                .map_or_else(|| "plan".into(), |s| s.to_string_lossy().into_owned());
            let mut name = format!("{stem}.json");
            let mut n = 1;
            while !used.insert(name.clone()) {
                n += 1;
                name = format!("{stem}-{n}.json");
            }
            let target = dir.join(name);
            let json = serde_json::to_string_pretty(&plan)?;
            std::fs::write(&target, json + "\n")
                .with_context(|| format!("cannot write {}", target.display()))?;
            rows.push(summary_row(&path, &plan));
        }
        writeln!(out, "{}", summary(&rows))?;
        writeln!(out, "wrote {} file(s) to {}", rows.len(), dir.display())?;
    } else if args.json {
        let all: Vec<Plan> = plans.by_ref().map(|(_, p)| p).collect();
        if all.len() == 1 && single {
            serde_json::to_writer_pretty(&mut out, &all[0])?;
        } else {
            serde_json::to_writer_pretty(&mut out, &all)?;
        }
        writeln!(out)?;
    } else if args.jsonl {
        for (_, plan) in plans.by_ref() {
            serde_json::to_writer(&mut out, &plan)?;
            writeln!(out)?;
        }
    } else if args.csv {
        // The flat columns of `kehoach export --format csv` (UTF-8 BOM, RFC 4180).
        let all: Vec<Plan> = plans.by_ref().map(|(_, p)| p).collect();
        kehoach_export::write_csv(
            &mut out,
            all.iter().flat_map(|p| TaskRecord::of_plan(p, None)),
        )?;
    } else {
        for (path, plan) in plans.by_ref() {
            write_human(&mut out, &path, &plan)?;
        }
    }
    drop(plans);
    out.flush()?;
    Ok(if failed > 0 { EXIT_PARTIAL } else { EXIT_OK })
}

/// `--model`: one JSON document model per line, in input order.
fn print_models(files: &[PathBuf], limits: &Limits) -> anyhow::Result<u8> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = 0;
    for f in files {
        let read = std::fs::read(f)
            .map_err(|e| anyhow::anyhow!("cannot read: {e}"))
            .and_then(|bytes| read_document(&bytes, limits).map_err(anyhow::Error::new));
        match read {
            Ok((doc, _)) => {
                serde_json::to_writer(&mut out, &doc)?;
                writeln!(out)?;
            }
            Err(e) => {
                failed += 1;
                eprintln!("kehoach: {}: {e:#}", f.display());
            }
        }
    }
    out.flush()?;
    Ok(if failed > 0 { EXIT_PARTIAL } else { EXIT_OK })
}

/// One line of the `--out` summary table.
fn summary_row(path: &Path, p: &Plan) -> Vec<String> {
    vec![
        path.file_name()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
        p.meta.number.clone().unwrap_or_else(|| "—".into()),
        p.meta.year.map_or_else(|| "—".into(), |y| y.to_string()),
        clip(p.meta.issuer.as_deref().unwrap_or("—"), 28),
        p.tasks.len().to_string(),
        p.tasks
            .iter()
            .map(|t| t.targets.len())
            .sum::<usize>()
            .to_string(),
        p.warnings.len().to_string(),
    ]
}

fn summary(rows: &[Vec<String>]) -> String {
    table(
        &[
            "file", "number", "year", "issuer", "tasks", "targets", "warnings",
        ],
        rows,
    )
}

fn write_human(out: &mut impl Write, path: &Path, plan: &Plan) -> std::io::Result<()> {
    crate::output::write_plan(out, &path.display().to_string(), plan)?;
    writeln!(out)
}
