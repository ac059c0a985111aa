//! `kehoach verify`: the index checked against the plan store.

use crate::{EXIT_OK, EXIT_PARTIAL};
use kehoach_index::{Problem, ProblemKind, Store, DEFAULT_DATA_DIR};
use kehoach_pipeline::sha256_hex;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `kehoach verify`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Reads every stored document of the last commit and checks that the index and the plan store
agree: every plan has exactly its recorded number of task records (a plan is there whole or
not at all), no task record lacks its plan, no plan or task is stored twice, every stored
record parses, and each plan's recorded SHA-256 matches its id and its source.sha256.
With --rehash, every imported file that still exists at its path is read again and its
SHA-256 compared with the recorded one (archive entries and missing files are skipped).

Exit status:
  0  consistent (and, with --rehash, no imported file has changed)
  1  differences found (each is listed)
  2  no index in the data directory, or it cannot be read

Examples:
  kehoach verify
  kehoach verify --data /srv/kehoach --json
  kehoach verify --rehash")]
pub struct Args {
    /// The data directory.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_DATA_DIR)]
    pub data: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also re-read imported files that still exist and compare their SHA-256.
    #[arg(long)]
    pub rehash: bool,
}

/// The report printed by `kehoach verify`.
#[derive(Debug, serde::Serialize)]
struct Report {
    consistent: bool,
    plans: u64,
    tasks: u64,
    rehashed: u64,
    problems: Vec<Problem>,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let store = Store::open(&args.data)?;
    let report = store.verify()?;
    let mut problems = report.problems;
    let mut rehashed = 0u64;
    if args.rehash {
        for f in &report.files {
            let path = Path::new(&f.file_path);
            if f.file_path.contains("!/") || !path.is_file() {
                continue;
            }
            rehashed += 1;
            let detail = match std::fs::read(path) {
                Ok(bytes) => {
                    let now = sha256_hex(&bytes);
                    if now.eq_ignore_ascii_case(&f.file_sha256) {
                        continue;
                    }
                    format!(
                        "the file has changed since it was imported (SHA-256 now {now}, recorded {})",
                        f.file_sha256
                    )
                }
                Err(e) => format!("cannot re-read the file: {e}"),
            };
            problems.push(Problem {
                kind: ProblemKind::ShaMismatch,
                plan_id: Some(f.id.clone()),
                file_path: Some(f.file_path.clone()),
                detail,
            });
        }
    }
    let out = Report {
        consistent: problems.is_empty(),
        plans: report.plans,
        tasks: report.tasks,
        rehashed,
        problems,
    };
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut w, &out)?;
        writeln!(w)?;
    } else {
        writeln!(
            w,
            "{} plans, {} task records checked{}",
            out.plans,
            out.tasks,
            if args.rehash {
                format!(", {rehashed} files re-hashed")
            } else {
                String::new()
            }
        )?;
        if out.consistent {
            writeln!(
                w,
                "consistent: every plan whole, no orphan tasks, hashes as recorded"
            )?;
        } else {
            writeln!(w, "{} difference(s):", out.problems.len())?;
            for p in &out.problems {
                let kind = serde_json::to_value(p.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                writeln!(
                    w,
                    "  {kind}: {} {}: {}",
                    p.plan_id.as_deref().unwrap_or("-"),
                    p.file_path.as_deref().unwrap_or("-"),
                    p.detail
                )?;
            }
        }
    }
    w.flush()?;
    Ok(if out.consistent {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    })
}
