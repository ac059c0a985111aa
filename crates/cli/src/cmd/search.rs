//! `kehoach search`: tasks across every imported plan.

use crate::output::{clip, stdout_is_terminal, table};
use crate::EXIT_OK;
use anyhow::Context;
use kehoach_index::{PlanStore, SearchRequest, SearchResults, TrackTotal, TOTAL_CAP};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `kehoach search`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Query syntax: words (every word must match), \"a phrase\" (words adjacent, in order),
-word or -\"a phrase\" (exclude). Diacritics are optional: 'ho so truc tuyen' finds
'hồ sơ trực tuyến'; a query typed with diacritics ranks the exact spelling first.
An empty query ('') with filters lists every matching task.
cites:NUMBER keeps the tasks of plans whose preamble cites that document number, and tasks
citing it themselves (case, spaces and Đ/D ignored; see `kehoach links`).

Output: a table (plan id, plan number, year, task number, lead unit, deadline, snippet).
Matches are counted exactly up to 10,000: past that the count shows as \"10,000+\"
(--exact-total counts them all, which is slower on broad queries).
--json prints {\"total\": N, \"total_exact\": true|false (false: N is the lower bound 10000), \"hits\": [{\"score\", \"plan\": {id, source, meta},
\"task\": {the kehoach/plan@1 task record}, \"snippet\": \"… <b>hồ sơ</b> …\"}],
\"facets\": {\"year\": [{\"value\", \"count\"}], …}} (facets with --facets, which also count
every match).

Exit status:
  0  the search ran (also when nothing matched)
  2  it could not run (no index in the data directory, invalid filter)

Examples:
  kehoach search 'thanh toan truc tuyen'
  kehoach search '\"một cửa liên thông\"' --year 2024
  kehoach search 'hồ sơ -\"bưu chính\"' --year 2020..2025 --issuer 'Sở Y tế'
  kehoach search '' --lead 'Văn phòng Sở' --due-before 2024-06-30 --kind date
  kehoach search 'cites:15/KH-UBND' --year 2024
  kehoach search 'kiểm soát TTHC' --facets --json
  kehoach search 'ho so' --db postgres://kh@db.local/kehoach   a PostgreSQL store (or KEHOACH_DB)")]
pub struct Args {
    /// The query: words, "phrases", -exclusions.
    #[arg(value_name = "QUERY", default_value = "")]
    pub query: String,
    #[command(flatten)]
    pub store: crate::store::StoreArgs,
    /// Year, issuer, lead unit and deadline filters.
    #[command(flatten)]
    pub filters: crate::cmd::export::Filters,
    /// Number of hits to show.
    #[arg(long, short = 'n', value_name = "N", default_value_t = 10)]
    pub limit: usize,
    /// Hits to skip (paging).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub offset: usize,
    /// Count matching tasks by year, issuer, issuer code, place, lead unit, deadline kind and month.
    #[arg(long)]
    pub facets: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Count every matching task (by default the count is exact up to 10,000, then "10,000+").
    #[arg(long)]
    pub exact_total: bool,
    /// Benchmark: run every query of FILE (JSON lines: {"q": "…", "year": "2024", "issuer", "lead",
    /// "due_before", "kind"}) against one opened index and print latency percentiles.
    #[arg(long, value_name = "FILE", hide = true)]
    pub bench_queries: Option<PathBuf>,
    /// Benchmark rounds over the query file.
    #[arg(long, value_name = "N", default_value_t = 20, hide = true)]
    pub bench_rounds: usize,
}

/// Parses `2024` or `2020..2025` (also `2020-2025`).
pub fn parse_years(s: &str) -> anyhow::Result<(i32, i32)> {
    let s = s.trim();
    let (a, b) = match s.split_once("..").or_else(|| s.split_once('-')) {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (s, s),
    };
    let a: i32 = a
        .parse()
        .with_context(|| format!("--year {s:?}: expected YEAR or YEAR..YEAR"))?;
    let b: i32 = b
        .parse()
        .with_context(|| format!("--year {s:?}: expected YEAR or YEAR..YEAR"))?;
    anyhow::ensure!(a <= b, "--year {s:?}: the range is empty");
    Ok((a, b))
}

fn request(args: &Args) -> anyhow::Result<SearchRequest> {
    Ok(SearchRequest {
        query: args.query.clone(),
        years: args.filters.year.as_deref().map(parse_years).transpose()?,
        issuer: args.filters.issuer.clone(),
        lead: args.filters.lead.clone(),
        due_before: args.filters.due_before.clone(),
        kind: args.filters.kind.clone(),
        place: None,
        limit: args.limit,
        offset: args.offset,
        facets: args.facets,
        snippet_chars: if args.json { 200 } else { 90 },
    })
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let store = args.store.open()?;
    if let Some(file) = &args.bench_queries {
        return bench(
            &*store,
            file,
            args.bench_rounds,
            args.json,
            track(args.exact_total),
        );
    }
    let req = request(&args)?;
    let res = store.search_tracking(&req, track(args.exact_total))?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &res)?;
        writeln!(out)?;
    } else {
        write_human(&mut out, &res, &req)?;
    }
    out.flush()?;
    Ok(EXIT_OK)
}

/// How far `kehoach search` counts matches.
fn track(exact_total: bool) -> TrackTotal {
    if exact_total {
        TrackTotal::Exact
    } else {
        TrackTotal::UpTo(TOTAL_CAP)
    }
}

/// A match count for people: `1,234`, or `10,000+` when it is a lower bound.
pub fn total_label(total: u64, exact: bool) -> String {
    let digits = total.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if !exact {
        out.push('+');
    }
    out
}

/// Renders a snippet for a terminal: bold on a terminal, `*word*` elsewhere; entities decoded.
fn render_snippet(s: &str, tty: bool) -> String {
    let (on, off) = if tty {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("*", "*")
    };
    s.replace("<b>", on)
        .replace("</b>", off)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn write_human(
    out: &mut impl Write,
    res: &SearchResults,
    req: &SearchRequest,
) -> std::io::Result<()> {
    let tty = stdout_is_terminal();
    let rows: Vec<Vec<String>> = res
        .hits
        .iter()
        .map(|h| {
            vec![
                h.plan.id.clone(),
                h.plan.meta.number.clone().unwrap_or_else(|| "—".into()),
                h.plan
                    .meta
                    .year
                    .map_or_else(|| "—".into(), |y| y.to_string()),
                h.task
                    .number
                    .clone()
                    .unwrap_or_else(|| format!("#{}", h.task.seq)),
                clip(h.task.lead.as_deref().unwrap_or(""), 26),
                clip(h.task.deadline.as_deref().unwrap_or(""), 22),
                render_snippet(&h.snippet, tty),
            ]
        })
        .collect();
    let shown = res.hits.len();
    writeln!(
        out,
        "{} matching task(s){}",
        if res.total_exact {
            res.total.to_string()
        } else {
            total_label(res.total, false)
        },
        if (shown as u64) < res.total {
            format!(", showing {}–{}", req.offset + 1, req.offset + shown)
        } else {
            String::new()
        }
    )?;
    if !rows.is_empty() {
        write!(
            out,
            "{}",
            table(
                &["plan", "number", "year", "no", "lead", "deadline", "snippet"],
                &rows
            )
        )?;
    }
    for (name, values) in &res.facets {
        let list: Vec<String> = values
            .iter()
            .take(12)
            .map(|v| format!("{} ({})", v.value, v.count))
            .collect();
        writeln!(out, "{name}: {}", list.join(", "))?;
    }
    Ok(())
}

/// CPU time used by the process so far (every thread), in milliseconds.
#[cfg(unix)]
fn process_cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0.0;
    }
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6
}

/// CPU time is not measured on this platform.
#[cfg(not(unix))]
fn process_cpu_ms() -> f64 {
    0.0
}

/// A benchmark query in one line: its text and filters.
fn describe(r: &SearchRequest) -> String {
    let mut s = format!("{:?}", r.query);
    if let Some((a, b)) = r.years {
        s.push_str(&format!(" year {a}..{b}"));
    }
    for (name, v) in [
        ("issuer", &r.issuer),
        ("lead", &r.lead),
        ("due<=", &r.due_before),
        ("kind", &r.kind),
    ] {
        if let Some(v) = v {
            s.push_str(&format!(" {name} {v:?}"));
        }
    }
    s
}

/// One benchmark query.
#[derive(Debug, serde::Deserialize)]
struct BenchQuery {
    q: String,
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    lead: Option<String>,
    #[serde(default)]
    due_before: Option<String>,
    #[serde(default)]
    kind: Option<String>,
}

fn bench(
    store: &dyn PlanStore,
    file: &std::path::Path,
    rounds: usize,
    json: bool,
    track: TrackTotal,
) -> anyhow::Result<u8> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut reqs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let q: BenchQuery = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a query object", file.display(), i + 1))?;
        reqs.push(SearchRequest {
            query: q.q,
            years: q.year.as_deref().map(parse_years).transpose()?,
            issuer: q.issuer,
            lead: q.lead,
            due_before: q.due_before,
            kind: q.kind,
            limit: 10,
            ..Default::default()
        });
    }
    anyhow::ensure!(!reqs.is_empty(), "{}: no queries", file.display());
    // Warm up: every query once.
    let mut hits_total = 0u64;
    for r in &reqs {
        hits_total += store.search_tracking(r, track)?.total;
    }
    let mut lat = Vec::with_capacity(reqs.len() * rounds.max(1));
    let mut per_query: Vec<Vec<(f64, f64)>> = vec![Vec::with_capacity(rounds.max(1)); reqs.len()];
    for _ in 0..rounds.max(1) {
        for (r, mine) in reqs.iter().zip(per_query.iter_mut()) {
            let cpu = process_cpu_ms();
            let t = Instant::now();
            let res = store.search_tracking(r, track)?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            lat.push(ms);
            mine.push((ms, process_cpu_ms() - cpu));
            std::hint::black_box(res);
        }
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p).round() as usize];
    let mean = lat.iter().sum::<f64>() / lat.len() as f64;
    let (p50, p90, p99, max) = (pct(0.5), pct(0.9), pct(0.99), pct(1.0));
    if json {
        let v = serde_json::json!({"queries": reqs.len(), "runs": lat.len(), "matches": hits_total,
            "p50_ms": p50, "p90_ms": p90, "p99_ms": p99, "max_ms": max, "mean_ms": mean});
        println!("{v}");
    } else {
        println!(
            "{} queries x {} rounds = {} runs: p50 {p50:.2} ms, p90 {p90:.2} ms, p99 {p99:.2} ms, max {max:.2} ms, mean {mean:.2} ms",
            reqs.len(),
            rounds.max(1),
            lat.len()
        );
        // CPU time (all threads) varies less than wall time with the load.
        println!("  median ms  cpu ms  query");
        for (r, mine) in reqs.iter().zip(per_query) {
            let mut wall: Vec<f64> = mine.iter().map(|m| m.0).collect();
            let mut cpu: Vec<f64> = mine.iter().map(|m| m.1).collect();
            wall.sort_by(|a, b| a.total_cmp(b));
            cpu.sort_by(|a, b| a.total_cmp(b));
            println!(
                "  {:9.2}  {:6.2}  {}",
                wall[wall.len() / 2],
                cpu[cpu.len() / 2],
                describe(r)
            );
        }
    }
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years() {
        assert_eq!(parse_years("2024").unwrap(), (2024, 2024));
        assert_eq!(parse_years("2020..2025").unwrap(), (2020, 2025));
        assert_eq!(parse_years("2020-2025").unwrap(), (2020, 2025));
        assert!(parse_years("2025..2020").is_err());
        assert!(parse_years("x").is_err());
    }

    #[test]
    fn totals_for_people() {
        assert_eq!(total_label(10_000, false), "10,000+");
        assert_eq!(total_label(1_234_567, true), "1,234,567");
        assert_eq!(total_label(999, true), "999");
    }

    #[test]
    fn snippets_render() {
        assert_eq!(
            render_snippet("a <b>hồ sơ</b> &amp; &lt;x&gt;", false),
            "a *hồ sơ* & <x>"
        );
        assert_eq!(
            render_snippet("UBND x&#39;s &amp;#39;", false),
            "UBND x's &#39;"
        );
    }
}
