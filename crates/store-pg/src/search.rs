//! Searching tasks: matched and scored in the database, ranked as the
//! embedded index ranks them.
//!
//! The words of each task are stored by position per field
//! ([`kehoach_index::ranking::task_fields`]). A search becomes one SQL
//! query: the GIN index over every task's words finds the tasks having the
//! words of each clause; the filters and exclusions narrow them; for the
//! rest, each scoring part's frequency is counted in its field (a phrase
//! by its positions, [`kehoach_phrase_freq`]) and the BM25 score summed in
//! single precision, part by part in the index's order, with weights and
//! length norms computed from the statistics in `term_stats` exactly as the
//! index computes them. Equal scores rank in import order.

use crate::error::{Error, Result};
use crate::PgStore;
use kehoach_index::ranking::{bm25_norms, plan_query, Bm25, Part, QueryPlan, TextField};
use kehoach_index::{
    snippet, top_facet_values, FacetCount, Hit, HitPlan, SearchRequest, SearchResults, TrackTotal,
    FACETS,
};
use kehoach_plan::{Meta, Source, Task};
use postgres::types::ToSql;
use std::collections::{BTreeMap, HashMap};

/// A query being built: its text and its parameters.
struct Sql {
    params: Vec<Box<dyn ToSql + Sync>>,
}

impl Sql {
    /// Adds a parameter; returns its placeholder.
    fn p(&mut self, v: impl ToSql + Sync + 'static) -> String {
        self.params.push(Box::new(v));
        format!("${}", self.params.len())
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params
            .iter()
            .map(|p| &**p as &(dyn ToSql + Sync))
            .collect()
    }
}

fn words_column(f: TextField) -> &'static str {
    match f {
        TextField::TextExact => "t.w_text_exact",
        TextField::TextFold => "t.w_text_fold",
        TextField::MoreExact => "t.w_more_exact",
        TextField::MoreFold => "t.w_more_fold",
    }
}

fn norm_column(f: TextField) -> &'static str {
    match f {
        TextField::TextExact => "t.n_text_exact",
        TextField::TextFold => "t.n_text_fold",
        TextField::MoreExact => "t.n_more_exact",
        TextField::MoreFold => "t.n_more_fold",
    }
}

/// How often `words` (one word, or a phrase) occur in the array `column`.
fn freq(sql: &mut Sql, column: &str, words: &[String]) -> String {
    match words {
        [one] => format!(
            "coalesce(cardinality(array_positions({column}, {}::text)), 0)",
            sql.p(one.clone())
        ),
        many => format!(
            "kehoach_phrase_freq({column}, {}::text[])",
            sql.p(many.to_vec())
        ),
    }
}

/// Whether `words` occur in the array `column`.
fn has(sql: &mut Sql, column: &str, words: &[String]) -> String {
    match words {
        [one] => format!("{}::text = ANY({column})", sql.p(one.clone())),
        many => format!(
            "kehoach_phrase_freq({column}, {}::text[]) > 0",
            sql.p(many.to_vec())
        ),
    }
}

/// A `tsquery` literal of one word.
fn lexeme(w: &str) -> String {
    format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''"))
}

/// The conditions every matching task meets, without the clauses' exact
/// test: the GIN prefilter, the filters and the exclusions.
fn conditions(sql: &mut Sql, plan: &QueryPlan) -> Vec<String> {
    let mut conds = Vec::new();
    if !plan.clauses.is_empty() {
        // Per clause: the words of one of its matching parts.
        let q: Vec<String> = plan
            .clauses
            .iter()
            .map(|parts| {
                let alts: Vec<String> = parts
                    .iter()
                    .filter(|p| p.matching)
                    .map(|p| {
                        let mut ws: Vec<&String> = p.words.iter().collect();
                        ws.sort();
                        ws.dedup();
                        let and: Vec<String> = ws.iter().map(|w| lexeme(w)).collect();
                        format!("({})", and.join(" & "))
                    })
                    .collect();
                format!("({})", alts.join(" | "))
            })
            .collect();
        conds.push(format!(
            "array_to_tsvector(t.words) @@ {}::text::tsquery",
            sql.p(q.join(" & "))
        ));
    }
    let f = &plan.filters;
    if let Some((a, b)) = f.years {
        conds.push(format!("p.year BETWEEN {} AND {}", sql.p(a), sql.p(b)));
    }
    if let Some(issuer) = &f.issuer {
        let mut either = vec![format!("p.issuer_code = {}", sql.p(issuer.code.clone()))];
        if !issuer.words.is_empty() {
            either.push(has(sql, "p.issuer_words", &issuer.words));
        }
        conds.push(format!("({})", either.join(" OR ")));
    }
    if let Some(words) = &f.lead {
        conds.push(has(sql, "t.lead_words", words));
    }
    if let Some(key) = f.due_by_max {
        let date = format!(
            "{:04}-{:02}-{:02}",
            key / 10_000,
            key / 100 % 100,
            key % 100
        );
        conds.push(format!("t.due_by <= {}::text::date", sql.p(date)));
    }
    if let Some(kind) = &f.kind {
        conds.push(format!("t.due_kind = {}", sql.p(kind.clone())));
    }
    if let Some(place) = &f.place {
        conds.push(format!("p.place = {}", sql.p(place.clone())));
    }
    for key in &f.cites {
        // The link key in SQL: spaces removed, `đ` as `d`, upper case (the
        // numbers cited are ASCII but for `Đ`).
        let norm =
            |x: &str| format!("upper(translate(regexp_replace({x}, '\\s', '', 'g'), 'đĐ', 'dD'))");
        let k = sql.p(key.clone());
        conds.push(format!(
            "(EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(p.record->'meta'->'basis', '[]'::jsonb)) r \
               WHERE {} = {k}) \
             OR EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(t.record->'refs', '[]'::jsonb)) r \
               WHERE {} = {k}))",
            norm("r->>'number'"),
            norm("r->>'number'"),
        ));
    }
    for parts in &plan.exclusions {
        let any: Vec<String> = parts
            .iter()
            .map(|p| has(sql, words_column(p.field), &p.words))
            .collect();
        if !any.is_empty() {
            conds.push(format!("NOT ({})", any.join(" OR ")));
        }
    }
    conds
}

/// The statistics the weights need: documents per word and field, words
/// per field, documents.
struct Stats {
    docs: u64,
    norms: [[f32; 256]; 4],
    freqs: HashMap<(i16, String), u64>,
}

fn stats(c: &mut postgres::Client, plan: &QueryPlan) -> Result<Stats> {
    let mut fields: Vec<i16> = vec![-1, 0, 1, 2, 3];
    let mut terms: Vec<String> = vec![String::new(); 5];
    for p in plan.scoring_parts() {
        for w in &p.words {
            fields.push(p.field.index() as i16);
            terms.push(w.clone());
        }
    }
    let rows = c
        .query(
            "SELECT s.field, s.term, s.n FROM term_stats s \
             JOIN unnest($1::smallint[], $2::text[]) AS u(f, t) ON s.field = u.f AND s.term = u.t",
            &[&fields, &terms],
        )
        .map_err(Error::db("reading the search statistics"))?;
    let mut freqs = HashMap::new();
    for row in rows {
        let n: i64 = row.get(2);
        freqs.insert((row.get(0), row.get(1)), u64::try_from(n).unwrap_or(0));
    }
    let docs = freqs.get(&(-1, String::new())).copied().unwrap_or(0);
    let mut norms = [[0.0f32; 256]; 4];
    for (i, n) in norms.iter_mut().enumerate() {
        let tokens = freqs.get(&(i as i16, String::new())).copied().unwrap_or(0);
        *n = bm25_norms(tokens, docs);
    }
    Ok(Stats { docs, norms, freqs })
}

/// The scored query's parts: frequency columns and the match test of each
/// clause (their parameters first), then the score expression (its
/// parameters after: the counts leave them out).
fn scoring(
    sql: &mut Sql,
    plan: &QueryPlan,
    stats: &Stats,
) -> (Vec<String>, Vec<String>, usize, String) {
    let parts: Vec<&Part> = plan.scoring_parts().collect();
    let mut freqs = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        freqs.push(format!(
            "{} AS f{i}",
            freq(sql, words_column(p.field), &p.words)
        ));
    }
    let mut matches = Vec::new();
    let mut i = 0usize;
    for clause in &plan.clauses {
        let mut any = Vec::new();
        for p in clause {
            if p.matching {
                any.push(format!("f.f{i} > 0"));
            }
            i += 1;
        }
        matches.push(format!("({})", any.join(" OR ")));
    }
    let matching_params = sql.params.len();
    let mut norm_params: HashMap<TextField, String> = HashMap::new();
    let mut score = String::from("0::real");
    for (i, p) in parts.iter().enumerate() {
        let dfs: Vec<u64> = p
            .words
            .iter()
            .map(|w| {
                stats
                    .freqs
                    .get(&(p.field.index() as i16, w.clone()))
                    .copied()
                    .unwrap_or(0)
            })
            .collect();
        let weight = Bm25::new(&dfs, stats.docs, p.boost).weight;
        let norms = norm_params
            .entry(p.field)
            .or_insert_with(|| sql.p(stats.norms[p.field.index()].to_vec()))
            .clone();
        let w = sql.p(weight);
        score = format!(
            "({score} + {w}::real * (f.f{i}::real / (f.f{i}::real + ({norms}::real[])[{} + 1])))",
            norm_column(p.field)
        );
    }
    (freqs, matches, matching_params, score)
}

/// One search (see the module documentation).
pub(crate) fn search(
    store: &PgStore,
    req: &SearchRequest,
    track: TrackTotal,
) -> Result<SearchResults> {
    let plan = plan_query(req)?;
    let mut c = store.conn()?;
    let mut sql = Sql { params: Vec::new() };
    let conds = conditions(&mut sql, &plan);
    let (from, order, score, n_match) = if plan.scored() {
        let stats = stats(&mut c, &plan)?;
        let (freqs, matches, n_match, score) = scoring(&mut sql, &plan, &stats);
        let mut all = conds.clone();
        all.extend(matches);
        let from = format!(
            "tasks t JOIN plans p ON p.id = t.plan_id \
             CROSS JOIN LATERAL (SELECT {}) f WHERE {}",
            freqs.join(", "),
            all.join(" AND ")
        );
        (from, "score DESC, p.ord, t.seq", score, n_match)
    } else {
        let where_ = if conds.is_empty() {
            "TRUE".to_string()
        } else {
            conds.join(" AND ")
        };
        (
            format!("tasks t JOIN plans p ON p.id = t.plan_id WHERE {where_}"),
            "p.ord, t.seq",
            "0::real".to_string(),
            sql.params.len(),
        )
    };
    let params = sql.refs();
    // The counts use the matching parameters only.
    let match_params = &params[..n_match];
    // The page of hits (only the keys go through the sort), with the number
    // of matches.
    let mut page: Vec<(f32, String, i32)> = Vec::new();
    let mut counted = None;
    if req.limit > 0 {
        let rows = c
            .query(
                &format!(
                    "SELECT ({score})::real AS score, t.plan_id, t.seq, count(*) OVER () \
                     FROM {from} ORDER BY {order} LIMIT {} OFFSET {}",
                    req.limit, req.offset
                ),
                &params,
            )
            .map_err(Error::db("searching tasks"))?;
        for row in &rows {
            page.push((row.get(0), row.get(1), row.get(2)));
            counted = Some(row.get::<_, i64>(3));
        }
    }
    let n = match (counted, track) {
        (Some(n), _) => n as u64,
        (None, TrackTotal::Exact) => {
            let n: i64 = c
                .query_one(&format!("SELECT count(*) FROM {from}"), match_params)
                .map_err(Error::db("counting matches"))?
                .get(0);
            n as u64
        }
        (None, TrackTotal::UpTo(cap)) => {
            let n: i64 = c
                .query_one(
                    &format!(
                        "SELECT count(*) FROM (SELECT 1 FROM {from} LIMIT {}) s",
                        cap.saturating_add(1).min(i64::MAX as u64)
                    ),
                    match_params,
                )
                .map_err(Error::db("counting matches"))?
                .get(0);
            n as u64
        }
    };
    let (mut total, mut total_exact) = match track {
        TrackTotal::UpTo(cap) if n > cap => (cap, false),
        _ => (n, true),
    };
    // The records of the page.
    let mut hits = Vec::new();
    if !page.is_empty() {
        let ids: Vec<&str> = page.iter().map(|p| p.1.as_str()).collect();
        let seqs: Vec<i32> = page.iter().map(|p| p.2).collect();
        let rows = c
            .query(
                "SELECT t.plan_id, t.seq, p.record->>'source', p.record->>'meta', t.record::text \
                 FROM unnest($1::text[], $2::integer[]) AS k(plan_id, seq) \
                 JOIN tasks t ON t.plan_id = k.plan_id AND t.seq = k.seq \
                 JOIN plans p ON p.id = t.plan_id",
                &[&ids, &seqs],
            )
            .map_err(Error::db("reading the hits"))?;
        let mut records: HashMap<(String, i32), postgres::Row> = HashMap::new();
        for row in rows {
            records.insert((row.get(0), row.get(1)), row);
        }
        for (score, id, seq) in page {
            let row = records
                .get(&(id.clone(), seq))
                .ok_or_else(|| Error::Corrupt(format!("task {seq} of plan {id} vanished")))?;
            let corrupt = |e: serde_json::Error| Error::Corrupt(format!("plan {id}: {e}"));
            let source: Source = serde_json::from_str(row.get::<_, &str>(2)).map_err(corrupt)?;
            let meta: Meta = serde_json::from_str(row.get::<_, &str>(3)).map_err(corrupt)?;
            let task: Task = serde_json::from_str(row.get::<_, &str>(4)).map_err(corrupt)?;
            let text = task
                .content
                .as_deref()
                .or(task.product.as_deref())
                .unwrap_or("");
            let snip = snippet(text, &plan.highlight, req.snippet_chars);
            hits.push(Hit {
                score,
                plan: HitPlan { id, source, meta },
                task,
                snippet: snip,
            });
        }
    }
    // The facets.
    let mut facets = BTreeMap::new();
    if req.facets {
        let rows = c
            .query(
                &format!("{FACETS_SQL_HEAD} FROM {from}{FACETS_SQL_TAIL}"),
                match_params,
            )
            .map_err(Error::db("counting facets"))?;
        let mut by: BTreeMap<String, Vec<FacetCount>> = BTreeMap::new();
        for row in rows {
            let facet: String = row.get(0);
            let value: Option<String> = row.get(1);
            let count: i64 = row.get(2);
            if facet == "total" {
                total = count as u64;
                total_exact = true;
                continue;
            }
            if let Some(value) = value {
                by.entry(facet).or_default().push(FacetCount {
                    value,
                    count: count as u64,
                });
            }
        }
        for root in FACETS {
            let values = by.remove(*root).unwrap_or_default();
            facets.insert((*root).to_string(), top_facet_values(values));
        }
    }
    Ok(SearchResults {
        total,
        total_exact,
        hits,
        facets,
    })
}

const FACETS_SQL_HEAD: &str = "WITH m AS MATERIALIZED (SELECT p.year, p.issuer, p.issuer_code, \
    p.place, t.lead_facets, t.due_kind, t.due_by";
const FACETS_SQL_TAIL: &str = ")
    SELECT 'total', NULL, count(*) FROM m
    UNION ALL SELECT 'year', year::text, count(*) FROM m WHERE year IS NOT NULL GROUP BY 2
    UNION ALL SELECT 'issuer', issuer, count(*) FROM m WHERE issuer IS NOT NULL GROUP BY 2
    UNION ALL SELECT 'code', issuer_code, count(*) FROM m WHERE issuer_code IS NOT NULL GROUP BY 2
    UNION ALL SELECT 'place', place, count(*) FROM m WHERE place IS NOT NULL GROUP BY 2
    UNION ALL SELECT 'lead', u, count(*) FROM m, LATERAL (SELECT DISTINCT x FROM unnest(m.lead_facets) x) d(u) GROUP BY 2
    UNION ALL SELECT 'kind', due_kind, count(*) FROM m WHERE due_kind IS NOT NULL GROUP BY 2
    UNION ALL SELECT 'due', to_char(due_by, 'YYYY-MM'), count(*) FROM m WHERE due_by IS NOT NULL GROUP BY 2";
