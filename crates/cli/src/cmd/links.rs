//! `kehoach links PLAN`: what a plan implements and what implements it.

use crate::output::clip;
use crate::EXIT_OK;
use kehoach_index::links::{self, LinkedPlan, Links, Status};
use std::io::Write;

/// Arguments of `kehoach links`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
PLAN is a plan id as `kehoach plans` lists it, a unique prefix of one, or the path it was
imported from. The documents its preamble cites (`Thực hiện …`, `Căn cứ …`) are matched with the
imported plans: by number; where several imported plans share the number (every district has a
15/KH-UBND), by the cited date, then by the cited issuer; a draft without number by its issuer,
title words and year. Citations no imported plan answers are listed as not imported (or
ambiguous). \"Implemented by\" lists the imported plans whose preamble resolves to PLAN, and the
plans implementing those, --depth levels deep (3 by default: enough from a ministry's plan down
to the communes); reports (BC) on the plan are listed apart.

Examples:
  kehoach links 9b75833fe1e96175
  kehoach links 9b75 --depth 1
  kehoach links fixtures/links/l2_huyen_kh15_kstthc_2024.txt --json
  kehoach search 'cites:15/KH-UBND'      (the tasks of the plans citing a number)")]
pub struct Args {
    /// Plan id, id prefix or imported path.
    #[arg(value_name = "PLAN")]
    pub plan: String,
    /// Levels followed each way (at least 1).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub depth: u32,
    /// Print the links as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub store: crate::store::StoreArgs,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<u8> {
    if args.depth == 0 {
        anyhow::bail!("--depth must be at least 1");
    }
    let store = args.store.open()?;
    let summary = crate::cmd::show::resolve(&*store, &args.plan)?;
    let found = links::links(&*store, &summary.id, args.depth)?
        .ok_or_else(|| anyhow::anyhow!("plan {} was removed meanwhile", summary.id))?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &found)?;
        writeln!(out)?;
    } else {
        write_human(&mut out, &found)?;
    }
    out.flush()?;
    Ok(EXIT_OK)
}

fn plan_line(p: &LinkedPlan) -> String {
    let title = p.title.as_deref().map(|t| clip(t, 60)).unwrap_or_default();
    format!("{}  {}  [{}]", p.label(), title, p.id)
}

/// The readable form: the plan, then each direction as an indented tree.
pub fn write_human(out: &mut impl Write, l: &Links) -> std::io::Result<()> {
    writeln!(out, "{}", plan_line(&l.plan))?;
    writeln!(out, "  {}", l.plan.file_path)?;
    writeln!(out)?;
    let head = if l.plan.is_report() {
        "Reports on / implements"
    } else {
        "Implements"
    };
    writeln!(out, "{head}:")?;
    if l.implements.is_empty() {
        writeln!(out, "  (the preamble cites no document)")?;
    }
    for c in &l.implements {
        let indent = "  ".repeat(c.level as usize);
        let rel = c.reference.relation.map_or("cites", |r| r.as_str());
        let what = match (&c.plan, c.status) {
            (Some(p), _) => plan_line(p),
            (None, Status::Ambiguous) => format!(
                "{}  (ambiguous: {} imported plans have this number)",
                clip(&c.reference.text, 90),
                c.candidates
            ),
            (None, _) => format!("{}  (not imported)", clip(&c.reference.text, 90)),
        };
        writeln!(out, "{indent}{rel:<11} {what}")?;
    }
    writeln!(out)?;
    writeln!(out, "Implemented by:")?;
    if l.implemented_by.is_empty() {
        writeln!(out, "  (no imported plan)")?;
    }
    for c in &l.implemented_by {
        let indent = "  ".repeat(c.level as usize);
        writeln!(out, "{indent}{}", plan_line(&c.plan))?;
    }
    if !l.reports.is_empty() {
        writeln!(out)?;
        writeln!(out, "Reports:")?;
        for c in &l.reports {
            let on = if c.to == l.plan.id {
                String::new()
            } else {
                format!("  (on {})", c.to)
            };
            writeln!(out, "  {}{on}", plan_line(&c.plan))?;
        }
    }
    Ok(())
}
