//! Searching task records.

use crate::error::{Error, Result};
use crate::query::parse_query;
use crate::schema::{date_key, fold_nfc, tokens, words_analyzer, KIND_TASK};
use crate::snippet::snippet;
use crate::store::Store;
use kehoach_plan::{Meta, Source, Task};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;

/// Boost of a match in the exact (diacritics kept) task text.
const BOOST_EXACT: f32 = 2.0;
/// Boost of a match in the folded task text.
const BOOST_FOLD: f32 = 1.0;
/// Boost of a match in the other columns (product, lead, support, deadline), exact.
const BOOST_MORE_EXACT: f32 = 0.5;
/// Boost of a match in the other columns, folded.
const BOOST_MORE_FOLD: f32 = 0.25;

/// Boost of the loose query words found together, in order (a phrase).
const BOOST_PROXIMITY: f32 = 1.5;

/// The facets counted by [`SearchRequest::facets`], in output order.
pub const FACETS: &[&str] = &["year", "issuer", "code", "place", "lead", "kind", "due"];

/// The deadline kinds `kind` accepts.
const KINDS: &[&str] = &[
    "date",
    "month",
    "months",
    "quarter",
    "year",
    "continuous",
    "periodic",
    "conditional",
];

/// A search.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// Words, `"phrases"` and `-exclusions` (see [`crate::parse_query`]); empty
    /// matches every task (the filters still apply).
    pub query: String,
    /// Plans whose year is in this inclusive range.
    pub years: Option<(i32, i32)>,
    /// Plans whose issuer name contains these words (diacritics optional),
    /// or whose issuer code is this (`SYT`).
    pub issuer: Option<String>,
    /// Tasks with a lead unit containing these words (diacritics optional).
    pub lead: Option<String>,
    /// Tasks whose deadline (`due.by`) is on or before this ISO date.
    pub due_before: Option<String>,
    /// Tasks whose deadline kind (`due.kind`) is this.
    pub kind: Option<String>,
    /// Hits to return.
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
    /// Whether to count facets.
    pub facets: bool,
    /// Snippet length in characters.
    pub snippet_chars: usize,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            years: None,
            issuer: None,
            lead: None,
            due_before: None,
            kind: None,
            limit: 10,
            offset: 0,
            facets: false,
            snippet_chars: 160,
        }
    }
}

/// The plan a hit belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HitPlan {
    /// The plan id.
    pub id: String,
    /// The plan's source.
    pub source: Source,
    /// The plan's metadata.
    pub meta: Meta,
}

/// One matching task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Relevance.
    pub score: f32,
    /// The plan.
    pub plan: HitPlan,
    /// The task record.
    pub task: Task,
    /// HTML-escaped task text with `<b>` around matched words.
    pub snippet: String,
}

/// A facet value and how many matching tasks have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The value (`2024`, `UBND xã An Dương`).
    pub value: String,
    /// Matching tasks.
    pub count: u64,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// Matching tasks in all.
    pub total: u64,
    /// The best `limit` of them.
    pub hits: Vec<Hit>,
    /// Facet counts over all matching tasks (when asked for), most frequent first.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub facets: BTreeMap<String, Vec<FacetCount>>,
}

fn term_or_phrase(field: Field, words: &[String]) -> Option<Box<dyn Query>> {
    match words {
        [] => None,
        [one] => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, one),
            IndexRecordOption::WithFreqs,
        ))),
        many => Some(Box::new(PhraseQuery::new(
            many.iter()
                .map(|w| Term::from_field_text(field, w))
                .collect(),
        ))),
    }
}

fn boosted(q: Option<Box<dyn Query>>, boost: f32) -> Option<Box<dyn Query>> {
    q.map(|q| Box::new(BoostQuery::new(q, boost)) as Box<dyn Query>)
}

fn filter(q: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
}

impl Store {
    /// One clause (a word or a phrase) over the exact and folded fields.
    fn clause_query(
        &self,
        analyzer: &mut TextAnalyzer,
        text: &str,
    ) -> (Option<Box<dyn Query>>, Vec<String>) {
        let f = &self.fields;
        let exact = tokens(analyzer, &kehoach_text::nfc(text));
        let folded = tokens(analyzer, &fold_nfc(text));
        if folded.is_empty() {
            return (None, folded);
        }
        let parts: Vec<(Occur, Box<dyn Query>)> = [
            boosted(term_or_phrase(f.text_exact, &exact), BOOST_EXACT),
            boosted(term_or_phrase(f.text_fold, &folded), BOOST_FOLD),
            boosted(term_or_phrase(f.more_exact, &exact), BOOST_MORE_EXACT),
            boosted(term_or_phrase(f.more_fold, &folded), BOOST_MORE_FOLD),
        ]
        .into_iter()
        .flatten()
        .map(|q| (Occur::Should, q))
        .collect();
        (Some(Box::new(BooleanQuery::new(parts))), folded)
    }

    /// Builds the tantivy query of a request and the folded words to highlight.
    fn build_query(&self, req: &SearchRequest) -> Result<(Box<dyn Query>, HashSet<String>)> {
        let f = &self.fields;
        let mut analyzer = words_analyzer();
        let mut subs: Vec<(Occur, Box<dyn Query>)> = vec![filter(self.kind_query(KIND_TASK))];
        let mut highlight = HashSet::new();
        // The loose words in order, for the proximity bonus.
        let (mut loose_exact, mut loose_fold) = (Vec::new(), Vec::new());
        for clause in parse_query(&req.query) {
            let (q, words) = self.clause_query(&mut analyzer, &clause.text);
            let Some(q) = q else { continue };
            if clause.negated {
                subs.push((Occur::MustNot, q));
            } else {
                subs.push((Occur::Must, q));
                if !clause.phrase {
                    loose_exact.extend(tokens(&mut analyzer, &kehoach_text::nfc(&clause.text)));
                    loose_fold.extend(words.iter().cloned());
                }
                highlight.extend(words);
            }
        }
        // Tasks where the loose words stand together, in order, rank higher.
        if loose_fold.len() >= 2 {
            subs.extend(
                boosted(term_or_phrase(f.text_fold, &loose_fold), BOOST_PROXIMITY)
                    .map(|q| (Occur::Should, q)),
            );
            if loose_exact.len() >= 2 {
                subs.extend(
                    boosted(term_or_phrase(f.text_exact, &loose_exact), BOOST_PROXIMITY)
                        .map(|q| (Occur::Should, q)),
                );
            }
        }
        if let Some((a, b)) = req.years {
            if a > b {
                return Err(Error::InvalidQuery(format!("empty year range {a}..{b}")));
            }
            subs.push(filter(Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_i64(f.year, i64::from(a))),
                Bound::Included(Term::from_field_i64(f.year, i64::from(b))),
            ))));
        }
        if let Some(issuer) = req
            .issuer
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let words = tokens(&mut analyzer, &fold_nfc(issuer));
            let mut either: Vec<(Occur, Box<dyn Query>)> = vec![(
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.issuer_code, &issuer.to_uppercase()),
                    IndexRecordOption::Basic,
                )),
            )];
            either.extend(term_or_phrase(f.issuer_fold, &words).map(|q| (Occur::Should, q)));
            subs.push(filter(Box::new(BooleanQuery::new(either))));
        }
        if let Some(lead) = req.lead.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let words = tokens(&mut analyzer, &fold_nfc(lead));
            let q = term_or_phrase(f.lead_fold, &words)
                .ok_or_else(|| Error::InvalidQuery(format!("--lead {lead:?} has no words")))?;
            subs.push(filter(q));
        }
        if let Some(date) = req.due_before.as_deref() {
            let key = date_key(date.trim()).ok_or_else(|| {
                Error::InvalidQuery(format!("{date:?} is not a date (expected YYYY-MM-DD)"))
            })?;
            subs.push(filter(Box::new(RangeQuery::new(
                Bound::Unbounded,
                Bound::Included(Term::from_field_i64(f.due_by, key)),
            ))));
        }
        if let Some(kind) = req.kind.as_deref() {
            let kind = kind.trim().to_ascii_lowercase();
            if !KINDS.contains(&kind.as_str()) {
                return Err(Error::InvalidQuery(format!(
                    "unknown deadline kind {kind:?} (one of {})",
                    KINDS.join(", ")
                )));
            }
            subs.push(filter(Box::new(TermQuery::new(
                Term::from_field_text(f.due_kind, &kind),
                IndexRecordOption::Basic,
            ))));
        }
        Ok((Box::new(BooleanQuery::new(subs)), highlight))
    }

    /// Runs a search on the last commit.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let (query, highlight) = self.build_query(req)?;
        let searcher = self.searcher();
        let top = TopDocs::with_limit(req.limit.max(1))
            .and_offset(req.offset)
            .order_by_score();
        let (top_docs, total, facet_counts) = if req.facets {
            let mut fc = FacetCollector::for_field("facets");
            for root in FACETS {
                fc.add_facet(Facet::from_path([*root]));
            }
            let (t, n, c) = searcher.search(&*query, &(top, Count, fc))?;
            (t, n, Some(c))
        } else {
            let (t, n) = searcher.search(&*query, &(top, Count))?;
            (t, n, None)
        };
        let mut plans: HashMap<String, HitPlan> = HashMap::new();
        let mut hits = Vec::new();
        for (score, addr) in top_docs.into_iter().take(req.limit) {
            let (id, task) = self.task_doc_at(&searcher, addr)?;
            let plan = match plans.get(&id) {
                Some(p) => p.clone(),
                None => {
                    let s = self
                        .summary(&id)?
                        .ok_or_else(|| Error::Corrupt(format!("task of missing plan {id}")))?;
                    let p = HitPlan {
                        id: id.clone(),
                        source: s.head.source,
                        meta: s.head.meta,
                    };
                    plans.insert(id, p.clone());
                    p
                }
            };
            let text = task
                .content
                .as_deref()
                .or(task.product.as_deref())
                .unwrap_or("");
            let snip = snippet(text, &highlight, req.snippet_chars);
            hits.push(Hit {
                score,
                plan,
                task,
                snippet: snip,
            });
        }
        let mut facets = BTreeMap::new();
        if let Some(counts) = facet_counts {
            for root in FACETS {
                let mut values: Vec<FacetCount> = counts
                    .get(Facet::from_path([*root]))
                    .map(|(facet, count)| FacetCount {
                        value: facet
                            .to_path()
                            .last()
                            .map_or_else(String::new, |s| s.to_string()),
                        count,
                    })
                    .collect();
                values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
                values.truncate(50);
                facets.insert((*root).to_string(), values);
            }
        }
        Ok(SearchResults {
            total: total as u64,
            hits,
            facets,
        })
    }
}
