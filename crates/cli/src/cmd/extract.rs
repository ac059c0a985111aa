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
  kehoach extract scan.pdf --model | jq .")]
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
}

/// Files found under the inputs, and the directories that could not be listed.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Files, in argument order; a directory's files sorted.
    pub files: Vec<PathBuf>,
    /// Directories (or entries) that could not be read, with the reason.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Expands directories into the files below them (sorted), keeping file
/// arguments as given. Hidden entries (`.name`) are skipped; a directory
/// that cannot be listed is reported, not skipped silently.
pub fn expand_inputs(inputs: &[PathBuf]) -> Inputs {
    let mut out = Inputs::default();
    for p in inputs {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found, &mut out.unreadable);
            found.sort();
            out.files.extend(found);
        } else {
            out.files.push(p.clone());
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, unreadable: &mut Vec<(PathBuf, String)>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            unreadable.push((dir.to_path_buf(), format!("cannot list directory: {e}")));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                unreadable.push((dir.to_path_buf(), format!("cannot list directory: {e}")));
                continue;
            }
        };
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, out, unreadable),
            Ok(t) if t.is_file() => out.push(path),
            // A symbolic link: followed to a file or a directory.
            Ok(t) if t.is_symlink() => match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => out.push(path),
                Ok(m) if m.is_dir() => walk(&path, out, unreadable),
                Ok(_) => {}
                Err(e) => unreadable.push((path, format!("broken link: {e}"))),
            },
            Ok(_) => {}
            Err(e) => unreadable.push((path, format!("cannot read entry: {e}"))),
        }
    }
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let inputs = expand_inputs(&args.files);
    let files = inputs.files;
    guard::install_quiet_panic_hook();
    let limits = Limits::default();
    if args.model {
        return print_models(&files, &limits);
    }
    let results: Vec<(PathBuf, Result<Plan, String>)> = files
        .par_iter()
        .map(|f| (f.clone(), guard::plan_from_path(f, &limits)))
        .collect();
    let mut failed = inputs.unreadable.len();
    for (path, reason) in &inputs.unreadable {
        eprintln!("kehoach: {}: {reason}", path.display());
    }
    let mut plans = Vec::new();
    for (path, res) in results {
        match res {
            Ok(plan) => plans.push((path, plan)),
            Err(e) => {
                failed += 1;
                eprintln!("kehoach: {}: {e}", path.display());
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_expand_and_report_what_cannot_be_read() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        std::fs::write(root.join("b/c/2.txt"), "x").unwrap();
        std::fs::write(root.join("a.txt"), "x").unwrap();
        std::fs::write(root.join(".hidden.txt"), "x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("missing.txt"), root.join("dangling.txt")).unwrap();
        let inputs = expand_inputs(&[root.to_path_buf(), root.join("given.txt")]);
        assert_eq!(
            inputs.files,
            vec![
                root.join("a.txt"),
                root.join("b/c/2.txt"),
                root.join("given.txt")
            ]
        );
        #[cfg(unix)]
        {
            assert_eq!(inputs.unreadable.len(), 1, "{:?}", inputs.unreadable);
            assert_eq!(inputs.unreadable[0].0, root.join("dangling.txt"));
            assert!(inputs.unreadable[0].1.contains("broken link"));
        }
    }
}
