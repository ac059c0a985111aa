//! `kehoach`: turn archives of Vietnamese government plans into searchable,
//! comparable data.

mod cmd;
mod output;
mod store;
mod walk;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

// Extraction makes many short strings: mimalloc takes a sixth off its time
// against the system allocator (benches/extract.rs uses it too).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit status: everything worked.
pub const EXIT_OK: u8 = 0;
/// Exit status: some inputs failed (each is reported on stderr); the others were processed.
pub const EXIT_PARTIAL: u8 = 1;
/// Exit status: the command could not run (bad arguments, unusable data directory, …).
pub const EXIT_FATAL: u8 = 2;

const AFTER_HELP: &str = "\
Exit status:
  0  success
  1  some input files failed (each is reported on stderr; the others were processed)
  2  the command could not run (bad arguments, unreadable data directory, locked index)

Examples:
  kehoach extract corpus/*.txt                 readable table of every task
  kehoach extract plan.txt --json              the kehoach/plan@1 record
  kehoach extract corpus/ --out out/           one out/<stem>.json per plan";

/// Turn archives of Vietnamese government plans (Kế hoạch) into searchable, comparable data.
#[derive(Parser, Debug)]
#[command(name = "kehoach", version, about, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Extract task records from plan files (text exports).
    Extract(cmd::extract::Args),
    /// Import files, directories and .zip archives into the search index (--data DIR).
    Import(cmd::import::Args),
    /// Search tasks across every imported plan, with or without diacritics.
    Search(cmd::search::Args),
    /// List the imported plans.
    Plans(cmd::plans::Args),
    /// Show one imported plan and its task records.
    Show(cmd::show::Args),
    /// What a plan implements and which imported plans implement it (and reports on it), with depth.
    Links(cmd::links::Args),
    /// Remove imported plans from the index.
    Remove(cmd::remove::Args),
    /// Compare two plans: changed targets, deadlines, units and wording; added and removed tasks.
    Diff(cmd::diff::Args),
    /// Target timelines: every target whose metric matches QUERY, by year and issuer (--chart FILE.svg).
    Targets(cmd::targets::Args),
    /// Export task records from the index as JSON Lines, CSV, XLSX, Parquet or Elasticsearch bulk NDJSON.
    Export(cmd::export::Args),
    /// Serve the search, plan, compare and target pages and the JSON API over HTTP (read-only).
    Serve(cmd::serve::Args),
    /// Check the index against the plan store: every plan whole, no orphan tasks, hashes as recorded.
    Verify(cmd::verify::Args),
    /// The PostgreSQL store: `kehoach db init --db CONNINFO` creates or upgrades its schema.
    Db(cmd::db::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Extract(args) => cmd::extract::run(args),
        Command::Import(args) => cmd::import::run(args),
        Command::Search(args) => cmd::search::run(args),
        Command::Plans(args) => cmd::plans::run(args),
        Command::Show(args) => cmd::show::run(args),
        Command::Links(args) => cmd::links::run(args),
        Command::Remove(args) => cmd::remove::run(args),
        Command::Diff(args) => cmd::diff::run(args),
        Command::Targets(args) => cmd::targets::run(args),
        Command::Export(args) => cmd::export::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Verify(args) => cmd::verify::run(args),
        Command::Db(args) => cmd::db::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // Output into a closed pipe (`kehoach extract corpus/ --json | head`):
        // the reader has what it wanted; end quietly, as ripgrep does.
        Err(err) if is_broken_pipe(&err) => ExitCode::from(EXIT_OK),
        Err(err) => {
            eprintln!("kehoach: {err:#}");
            ExitCode::from(EXIT_FATAL)
        }
    }
}

/// Whether `err` comes from writing into a pipe whose reader has gone.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || e
                .downcast_ref::<serde_json::Error>()
                .and_then(|j| j.io_error_kind())
                == Some(std::io::ErrorKind::BrokenPipe)
            || e.downcast_ref::<csv::Error>().is_some_and(|c| {
                matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            })
    })
}
