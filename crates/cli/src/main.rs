//! `kehoach`: turn archives of Vietnamese government plans into searchable,
//! comparable data.

mod cmd;
mod output;
mod pipeline;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Extract(args) => cmd::extract::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("kehoach: {err:#}");
            ExitCode::from(EXIT_FATAL)
        }
    }
}
