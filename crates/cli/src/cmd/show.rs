//! `kehoach show`: one imported plan with its records.

use crate::EXIT_OK;
use kehoach_index::{PlanStore, PlanSummary};
use std::io::Write;

/// Arguments of `kehoach show`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
PLAN is a plan id as `kehoach plans` lists it, a unique prefix of one (4 hex digits or
more), or the path the plan was imported from. --json prints the kehoach/plan@1 record.

Exit status:
  0  shown
  2  no such plan, an ambiguous prefix, or no index in the data directory

Examples:
  kehoach show 9b75833fe1e96175
  kehoach show 9b75 --json > plan.json
  kehoach show corpus/000_9b75833fe1e96175.txt")]
pub struct Args {
    /// Plan id, id prefix or imported path.
    #[arg(value_name = "PLAN")]
    pub plan: String,
    #[command(flatten)]
    pub store: crate::store::StoreArgs,
    /// Print the plan record as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Resolves PLAN to exactly one imported plan.
pub fn resolve(store: &dyn PlanStore, key: &str) -> anyhow::Result<PlanSummary> {
    let mut found = store.find(key)?;
    match found.len() {
        0 => anyhow::bail!("no imported plan matches {key:?} (see `kehoach plans`)"),
        1 => Ok(found.remove(0)),
        n => {
            let ids: Vec<String> = found
                .iter()
                .take(8)
                .map(|p| format!("{} ({})", p.id, p.file_path))
                .collect();
            anyhow::bail!("{key:?} matches {n} plans: {}", ids.join(", "))
        }
    }
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let store = args.store.open()?;
    let summary = resolve(&*store, &args.plan)?;
    let plan = store
        .plan(&summary.id)?
        .ok_or_else(|| anyhow::anyhow!("plan {} was removed meanwhile", summary.id))?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &plan)?;
        writeln!(out)?;
    } else {
        let label = format!("{}  {}", summary.id, summary.file_path);
        crate::output::write_plan(&mut out, &label, &plan)?;
    }
    out.flush()?;
    Ok(EXIT_OK)
}
