//! `kehoach targets [QUERY]`: target timelines by year and issuer.

use crate::cmd::export::{matching_tasks, record, Filters};
use crate::output::{clip, table};
use crate::EXIT_OK;
use kehoach_export::cascade;
use kehoach_export::series::{self, Point, Series};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `kehoach targets`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Lists every target in the index whose metric contains the words of QUERY (diacritics optional,
any order), as one series per issuer and metric, by year. --chart FILE.svg draws the series over
the years, one labelled line per issuer.

--cascade follows each matching target from its plan down to the imported plans implementing
that plan (see `kehoach links`), --depth levels deep: each level's plan, its figure for the same
metric (worded alike, same unit) and whether it is stricter, equal or looser than the level above
(for ≥ targets higher is stricter, for ≤ targets lower). A plan implementing another matching plan
shows only under it.

Examples:
  kehoach targets 'hài lòng'
  kehoach targets 'dung han' --issuer SYT --json
  kehoach targets 'hài lòng' --chart hai-long.svg
  kehoach targets 'đúng hạn' --cascade
  kehoach targets 'hài lòng' --cascade --depth 1 --json")]
pub struct Args {
    /// Words the target's metric must contain; every target when empty.
    #[arg(value_name = "QUERY", default_value = "")]
    pub query: String,
    /// Print the series as JSON.
    #[arg(long, group = "fmt")]
    pub json: bool,
    /// Print one CSV row per target.
    #[arg(long, group = "fmt")]
    pub csv: bool,
    /// Also draw the series into FILE (.svg).
    #[arg(long, value_name = "FILE", conflicts_with = "cascade")]
    pub chart: Option<PathBuf>,
    /// Follow each target down to the plans implementing its plan.
    #[arg(long, conflicts_with = "csv")]
    pub cascade: bool,
    /// With --cascade: levels followed down (at least 1).
    #[arg(long, value_name = "N", default_value_t = 3, requires = "cascade")]
    pub depth: u32,
    #[command(flatten)]
    pub store: crate::store::StoreArgs,
    #[command(flatten)]
    pub filters: Filters,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<u8> {
    // Fail on a bad chart path before the work.
    if let Some(path) = &args.chart {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if ext.as_deref() != Some("svg") {
            kehoach_export::chart::write_chart(path, &[], "")?;
        }
    }
    let store = args.store.open()?;
    // The index narrows to tasks holding the words; the metric test is exact.
    let search_query: String = args.query.replace('"', " ");
    let hits = matching_tasks(&*store, &search_query, &args.filters)?;
    let points = series::collect(hits.iter().map(record), &args.query);
    if args.cascade {
        return run_cascade(&*store, &points, &args);
    }
    let groups = series::group(&points);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(
            &mut out,
            &serde_json::json!({"query": args.query, "series": groups}),
        )?;
        writeln!(out)?;
    } else if args.csv {
        write_csv(&mut out, &groups)?;
    } else {
        write_human(&mut out, &groups, &args.query)?;
    }
    out.flush()?;
    if let Some(path) = &args.chart {
        if groups.is_empty() {
            anyhow::bail!("no target matched {:?}; no chart written", args.query);
        }
        let title = if args.query.trim().is_empty() {
            "Chỉ tiêu theo năm".to_string()
        } else {
            format!("Chỉ tiêu “{}” theo năm", args.query.trim())
        };
        kehoach_export::chart::write_chart(path, &groups, &title)?;
        eprintln!("kehoach: chart written to {}", path.display());
    }
    Ok(EXIT_OK)
}

fn run_cascade(
    store: &dyn kehoach_index::PlanStore,
    points: &[Point],
    args: &Args,
) -> anyhow::Result<u8> {
    if args.depth == 0 {
        anyhow::bail!("--depth must be at least 1");
    }
    let found = cascade::cascades(store, points, args.depth)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(
            &mut out,
            &serde_json::json!({"query": args.query, "depth": args.depth, "cascades": found}),
        )?;
        writeln!(out)?;
    } else if found.is_empty() {
        writeln!(out, "no target matched {:?}", args.query)?;
    } else {
        for (i, c) in found.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            writeln!(out, "{}", c.metric)?;
            let rows: Vec<Vec<String>> = c
                .levels
                .iter()
                .map(|l| {
                    vec![
                        l.level.to_string(),
                        format!(
                            "{}{}",
                            "  ".repeat(l.level as usize),
                            clip(&l.plan.label(), 60)
                        ),
                        l.display(),
                        l.compared.map_or("—", |c| c.as_str()).to_string(),
                        format!("{}#{}", l.plan.id, l.seq),
                    ]
                })
                .collect();
            write!(
                out,
                "{}",
                table(&["level", "plan", "target", "vs above", "task"], &rows)
            )?;
        }
    }
    out.flush()?;
    Ok(EXIT_OK)
}

fn year(p: &Point) -> String {
    p.year.map_or_else(|| "—".to_string(), |y| y.to_string())
}

fn write_human(out: &mut impl Write, groups: &[Series], query: &str) -> std::io::Result<()> {
    if groups.is_empty() {
        return writeln!(out, "no target matched {query:?}");
    }
    for s in groups {
        let line: Vec<String> = s
            .points
            .iter()
            .map(|p| format!("{} {}", year(p), p.display()))
            .collect();
        writeln!(out, "{}: {}", s.label, line.join(", "))?;
    }
    writeln!(out)?;
    let rows: Vec<Vec<String>> = groups
        .iter()
        .flat_map(|s| s.points.iter())
        .map(|p| {
            vec![
                year(p),
                clip(&p.issuer, 28),
                p.display(),
                clip(&p.target.metric, 70),
                format!("{}#{}", p.plan_id, p.seq),
            ]
        })
        .collect();
    write!(
        out,
        "{}",
        table(&["year", "issuer", "target", "metric", "task"], &rows)
    )
}

fn write_csv(out: &mut impl Write, groups: &[Series]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "series", "year", "issuer", "metric", "op", "value", "unit", "plan_id", "seq", "path",
        "text",
    ])?;
    for s in groups {
        for p in &s.points {
            w.write_record([
                s.label.clone(),
                p.year.map(|y| y.to_string()).unwrap_or_default(),
                p.issuer.clone(),
                p.target.metric.clone(),
                p.target.op.as_str().to_string(),
                kehoach_diff::fmt_num(p.target.value),
                p.target.unit.clone(),
                p.plan_id.clone(),
                p.seq.to_string(),
                p.path.clone(),
                p.target.text.clone(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}
