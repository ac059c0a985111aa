//! `kehoach extract`: plan files → task records.

use crate::guard::{self, Limits};
use crate::output::{clip, table};
use crate::{EXIT_OK, EXIT_PARTIAL};
use anyhow::Context;
use kehoach_export::TaskRecord;
use kehoach_plan::Plan;
use rayon::prelude::*;
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
    pub walk: crate::walk::WalkArgs,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let inputs = crate::walk::walk(&args.files, &args.walk.options())?;
    let files = inputs.files;
    guard::install_quiet_panic_hook();
    let limits = Limits::default();
    if args.model {
        return print_models(&files, &limits);
    }
    let results = read_once(&files, &limits);
    let mut failed = inputs.unreadable.len();
    for (path, reason) in &inputs.unreadable {
        eprintln!("kehoach: {}: {reason}", path.display());
    }
    let mut plans = Vec::new();
    for (path, res) in results {
        match res {
            Read::Plan(plan) => plans.push((path, *plan)),
            Read::Failed(e) => {
                failed += 1;
                eprintln!("kehoach: {}: {e}", path.display());
            }
            Read::Duplicate(first) => eprintln!(
                "kehoach: {}: same bytes as {}; read once",
                path.display(),
                first.display()
            ),
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        // Inputs sharing a file stem get `<stem>-2.json`, `<stem>-3.json`, …
        let mut used = std::collections::HashSet::new();
        for (path, plan) in &plans {
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
            let json = serde_json::to_string_pretty(plan)?;
            std::fs::write(&target, json + "\n")
                .with_context(|| format!("cannot write {}", target.display()))?;
        }
        writeln!(out, "{}", summary(&plans))?;
        writeln!(out, "wrote {} file(s) to {}", plans.len(), dir.display())?;
    } else if args.json {
        if plans.len() == 1 && files.len() == 1 {
            serde_json::to_writer_pretty(&mut out, &plans[0].1)?;
        } else {
            let all: Vec<&Plan> = plans.iter().map(|(_, p)| p).collect();
            serde_json::to_writer_pretty(&mut out, &all)?;
        }
        writeln!(out)?;
    } else if args.jsonl {
        for (_, plan) in &plans {
            serde_json::to_writer(&mut out, plan)?;
            writeln!(out)?;
        }
    } else if args.csv {
        // The flat columns of `kehoach export --format csv` (UTF-8 BOM, RFC 4180).
        kehoach_export::write_csv(
            &mut out,
            plans.iter().flat_map(|(_, p)| TaskRecord::of_plan(p, None)),
        )?;
    } else {
        for (path, plan) in &plans {
            write_human(&mut out, path, plan)?;
        }
    }
    out.flush()?;
    Ok(if failed > 0 { EXIT_PARTIAL } else { EXIT_OK })
}

/// What became of one input file.
enum Read {
    Plan(Box<Plan>),
    Failed(String),
    /// The same bytes as this earlier input.
    Duplicate(PathBuf),
}

/// Reads every file (in parallel), each distinct content once: a file whose
/// bytes (SHA-256) equal an earlier input's is a [`Read::Duplicate`] of the
/// earliest. The outcome does not depend on the order the threads run in.
fn read_once(files: &[PathBuf], limits: &Limits) -> Vec<(PathBuf, Read)> {
    use std::collections::HashMap;
    use std::sync::Mutex;
    // The lowest input index seen so far for each content.
    let claims: Mutex<HashMap<String, usize>> = Mutex::new(HashMap::new());
    let read: Vec<(Option<String>, Read)> = files
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let bytes = match guard::read_file(f, limits) {
                Ok(b) => b,
                Err(e) => return (None, Read::Failed(e)),
            };
            let sha = crate::pipeline::sha256_hex(&bytes);
            let earlier = {
                let mut c = claims.lock().unwrap_or_else(|e| e.into_inner());
                let slot = c.entry(sha.clone()).or_insert(i);
                let earlier = (*slot < i).then_some(*slot);
                *slot = (*slot).min(i);
                earlier
            };
            if let Some(j) = earlier {
                return (Some(sha), Read::Duplicate(files[j].clone()));
            }
            let res = guard::plan_from_bytes(f, bytes, sha.clone(), limits);
            let res = res.map_or_else(Read::Failed, |p| Read::Plan(Box::new(p)));
            (Some(sha), res)
        })
        .collect();
    // A later input may have been read before an earlier one with the same
    // bytes claimed them: the earliest one wins.
    let mut first: HashMap<String, usize> = HashMap::new();
    read.into_iter()
        .enumerate()
        .map(|(i, (sha, res))| {
            let path = files[i].clone();
            let Some(sha) = sha else {
                return (path, res);
            };
            let owner = *first.entry(sha).or_insert(i);
            if owner < i {
                (path, Read::Duplicate(files[owner].clone()))
            } else {
                (path, res)
            }
        })
        .collect()
}

/// `--model`: one JSON document model per line, in input order.
fn print_models(files: &[PathBuf], limits: &Limits) -> anyhow::Result<u8> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = 0;
    for f in files {
        let read = std::fs::read(f)
            .map_err(|e| anyhow::anyhow!("cannot read: {e}"))
            .and_then(|bytes| crate::pipeline::read_document(&bytes, limits));
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

fn summary(plans: &[(PathBuf, Plan)]) -> String {
    let rows: Vec<Vec<String>> = plans
        .iter()
        .map(|(path, p)| {
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
        })
        .collect();
    table(
        &[
            "file", "number", "year", "issuer", "tasks", "targets", "warnings",
        ],
        &rows,
    )
}

fn write_human(out: &mut impl Write, path: &Path, plan: &Plan) -> std::io::Result<()> {
    crate::output::write_plan(out, &path.display().to_string(), plan)?;
    writeln!(out)
}
