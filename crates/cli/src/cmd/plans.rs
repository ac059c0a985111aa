//! `kehoach plans`: the imported plans.

use crate::output::{clip, table};
use crate::EXIT_OK;
use std::io::Write;

/// Arguments of `kehoach plans`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Lists every imported plan: its id (use it with `kehoach show` and `kehoach remove`), the
imported file, number, year, issuer and task count. --json prints an array of
{\"id\", \"file_path\", \"file_sha256\", \"tasks\", \"head\": {schema, source, meta, warnings}}.

Exit status:
  0  listed
  2  no index in the data directory

Examples:
  kehoach plans
  kehoach plans --data /srv/kehoach --json")]
pub struct Args {
    #[command(flatten)]
    pub store: crate::store::StoreArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let store = args.store.open()?;
    let plans = store.plans()?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &plans)?;
        writeln!(out)?;
    } else {
        let rows: Vec<Vec<String>> = plans
            .iter()
            .map(|p| {
                let m = &p.head.meta;
                vec![
                    p.id.clone(),
                    clip(&p.file_path, 40),
                    m.number.clone().unwrap_or_else(|| "—".into()),
                    m.year.map_or_else(|| "—".into(), |y| y.to_string()),
                    clip(m.issuer.as_deref().unwrap_or("—"), 30),
                    p.tasks.to_string(),
                ]
            })
            .collect();
        write!(
            out,
            "{}",
            table(&["id", "file", "number", "year", "issuer", "tasks"], &rows)
        )?;
        let tasks: u64 = plans.iter().map(|p| p.tasks).sum();
        writeln!(out, "{} plan(s), {} task(s)", plans.len(), tasks)?;
    }
    out.flush()?;
    Ok(EXIT_OK)
}
