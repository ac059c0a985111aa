//! Searching task records.

use crate::error::{Error, Result};
use crate::query::parse_query;
use crate::schema::{date_key, fold_nfc, tokens, words_analyzer, KIND_TASK};
use crate::snippet::snippet;
use crate::store::Store;
use kehoach_plan::{Meta, Source, Task};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashSet};
use std::ops::Bound;
use std::sync::atomic::{AtomicU32, Ordering as AtomicOrdering};
use tantivy::collector::{Count, FacetCollector};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{BlockSegmentPostings, Postings, SegmentPostings};
use tantivy::query::{
    Bm25Weight, BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring, Occur, PhraseQuery,
    Query, RangeQuery, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, DocId, DocSet, Searcher, SegmentReader, Term, TERMINATED};

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

/// Matches counted exactly by default ([`TrackTotal::UpTo`]); past it a
/// search reports this number as a lower bound (`total_exact` false).
pub const TOTAL_CAP: u64 = 10_000;

/// A block upper bound is inflated by this factor before it is compared:
/// the scores it bounds are sums of the same terms, added in another order.
const BOUND_SLACK: f32 = 1.0 + 1e-4;

/// How far a search counts its matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackTotal {
    /// Count every match (reads every match: slow on broad queries).
    Exact,
    /// Count exactly up to this many matches; past it, report this number
    /// as a lower bound and skip the matches that cannot make the best hits.
    UpTo(u64),
}

impl Default for TrackTotal {
    fn default() -> Self {
        TrackTotal::UpTo(TOTAL_CAP)
    }
}

/// Year ranges shorter than this are matched as a union of year terms.
const YEAR_TERMS: i64 = 16;

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
    /// Plans whose place (`meta.place`) is exactly this (a `place` facet value).
    pub place: Option<String>,
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
            place: None,
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
    /// Matching tasks in all; when `total_exact` is false, a lower bound (the
    /// cap of [`TrackTotal::UpTo`]).
    pub total: u64,
    /// Whether `total` is the exact number of matches.
    pub total_exact: bool,
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

/// A scoring part of a query: words (one word, or a phrase) in one field,
/// boosted. Used for bonuses (scored only for tasks that may make the best
/// hits) and for the block upper bounds of every scoring part.
#[derive(Clone)]
struct Part {
    field: Field,
    words: Vec<String>,
    boost: f32,
}

/// One clause turned into a query.
struct ClauseQuery {
    /// What a task must match (`None`: the clause has no words).
    query: Option<Box<dyn Query>>,
    /// The exact words.
    exact: Vec<String>,
    /// The folded words.
    folded: Vec<String>,
    /// The scoring parts of `query`.
    parts: Vec<Part>,
    /// Parts scored as bonuses: phrases in the exact fields (a task has the
    /// exact phrase only where it has the folded one, so only the folded
    /// fields' positions decide the match).
    bonuses: Vec<Part>,
}

/// A request turned into queries.
struct Prepared {
    /// What a task must match, and its score without the proximity bonus.
    base: Box<dyn Query>,
    /// Bonuses: exact phrases and the loose words found together (added to
    /// the score of the tasks having them).
    bonuses: Vec<Part>,
    /// Every scoring part (of `base` and of the bonuses), for block upper bounds.
    parts: Vec<Part>,
    /// Whether any clause scores (otherwise every match scores 0).
    scored: bool,
    /// Folded words to highlight.
    highlight: HashSet<String>,
}

/// A proximity bonus ready to run: the boosted phrase query's weight, and its
/// BM25 weight, which bounds the bonus from the words' frequencies without
/// reading positions.
struct ProximityWeight {
    field: Field,
    terms: Vec<Term>,
    weight: Box<dyn Weight>,
    bm25: Bm25Weight,
}

impl ProximityWeight {
    fn new(searcher: &Searcher, p: &Part) -> tantivy::Result<ProximityWeight> {
        let terms: Vec<Term> = p
            .words
            .iter()
            .map(|w| Term::from_field_text(p.field, w))
            .collect();
        let query = BoostQuery::new(Box::new(PhraseQuery::new(terms.clone())), p.boost);
        let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
        // The phrase scorer's own weight: the same statistics, boosted the same way.
        let bm25 = Bm25Weight::for_terms(searcher, &terms)?.boost_by(p.boost);
        Ok(ProximityWeight {
            field: p.field,
            terms,
            weight,
            bm25,
        })
    }

    /// The bonus's scorer in one segment (`None` when a word is absent there).
    fn for_segment(&self, seg: &SegmentReader) -> tantivy::Result<Option<ProximityScorer<'_>>> {
        let inverted = seg.inverted_index(self.field)?;
        let mut postings = Vec::with_capacity(self.terms.len());
        for term in &self.terms {
            match inverted.read_postings(term, IndexRecordOption::WithFreqs)? {
                Some(p) => postings.push(p),
                None => return Ok(None),
            }
        }
        let norms = match seg.fieldnorms_readers().get_field(self.field)? {
            Some(n) => n,
            None => FieldNormReader::constant(seg.max_doc(), 1),
        };
        Ok(Some(ProximityScorer {
            bm25: &self.bm25,
            phrase: self.weight.scorer(seg, 1.0)?,
            postings,
            norms,
        }))
    }
}

/// A proximity bonus in one segment.
struct ProximityScorer<'a> {
    bm25: &'a Bm25Weight,
    phrase: Box<dyn Scorer>,
    postings: Vec<SegmentPostings>,
    norms: FieldNormReader,
}

impl ProximityScorer<'_> {
    /// An upper bound of the bonus of `doc` (`None`: it cannot have the phrase).
    /// A phrase occurs at most as often as its rarest word, and BM25 grows
    /// with the frequency; when the phrase occurs that often, the bound is the
    /// bonus exactly.
    fn bound(&mut self, doc: DocId) -> Option<f32> {
        let mut freq = u32::MAX;
        for p in &mut self.postings {
            if p.doc() < doc {
                p.seek(doc);
            }
            if p.doc() != doc {
                return None;
            }
            freq = freq.min(p.term_freq());
        }
        Some(self.bm25.score(self.norms.fieldnorm_id(doc), freq))
    }

    /// The bonus of `doc`, if it has the phrase.
    fn score(&mut self, doc: DocId) -> Option<f32> {
        if self.phrase.doc() < doc {
            self.phrase.seek(doc);
        }
        (self.phrase.doc() == doc).then(|| self.phrase.score())
    }
}

/// A scored match. Ordered best first: higher score, then lower address
/// (the order of tantivy's `TopDocs`).
#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: f32,
    addr: DocAddress,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then_with(|| self.addr.cmp(&other.addr))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

/// The best `k` matches of one segment and the number of matches.
///
/// Every match is counted and its base score read; the proximity bonus (a
/// phrase match, which reads positions) is computed only for tasks that can
/// still enter the best `k` with it. `floor` is the lowest score of a full
/// best-`k` list in any segment so far: tasks scoring below it cannot make
/// the overall list.
fn top_in_segment(
    base: &dyn Weight,
    proximity: &[ProximityWeight],
    scored: bool,
    k: usize,
    ord: u32,
    seg: &SegmentReader,
    floor: &AtomicU32,
) -> tantivy::Result<(Vec<Candidate>, u64)> {
    let mut scorer = base.scorer(seg, 1.0)?;
    let alive = seg.alive_bitset();
    let mut bonuses = Vec::with_capacity(proximity.len());
    for p in proximity {
        if let Some(s) = p.for_segment(seg)? {
            bonuses.push(s);
        }
    }
    let bonus_max: f32 = bonuses.iter().map(|b| b.bm25.max_score()).sum();
    let mut bounds: Vec<Option<f32>> = vec![None; bonuses.len()];
    let mut heap: BinaryHeap<Candidate> = BinaryHeap::with_capacity(k + 1);
    let mut count = 0u64;
    let mut doc = scorer.doc();
    while doc != TERMINATED {
        if !scored && heap.len() >= k {
            // Every score is 0 and the list is full: only the count is left.
            count += u64::from(match alive {
                Some(a) => scorer.count(a),
                None => scorer.count_including_deleted(),
            });
            break;
        }
        if alive.is_none_or(|a| a.is_alive(doc)) {
            count += 1;
            let local = if heap.len() >= k {
                heap.peek().map(|w| w.score)
            } else {
                None
            };
            let global = f32::from_bits(floor.load(AtomicOrdering::Relaxed));
            // Ties lose to the earlier address, which is already listed here.
            let may_enter = |bound: f32| bound >= global && local.is_none_or(|l| bound > l);
            let base_score = scorer.score();
            let total = if bonuses.is_empty() {
                Some(base_score).filter(|s| may_enter(*s))
            } else if !may_enter(base_score + bonus_max) {
                None
            } else {
                let mut bound = 0.0f32;
                for (b, s) in bounds.iter_mut().zip(bonuses.iter_mut()) {
                    *b = s.bound(doc);
                    bound += b.unwrap_or(0.0);
                }
                if may_enter(base_score + bound) {
                    // Summed as tantivy sums optional clauses: in order, from 0.
                    let mut bonus = 0.0f32;
                    let mut any = false;
                    for (b, s) in bounds.iter().zip(bonuses.iter_mut()) {
                        if b.is_some() {
                            if let Some(x) = s.score(doc) {
                                bonus += x;
                                any = true;
                            }
                        }
                    }
                    Some(if any { base_score + bonus } else { base_score })
                } else {
                    None
                }
            };
            if let Some(score) = total {
                let cand = Candidate {
                    score,
                    addr: DocAddress::new(ord, doc),
                };
                if heap.len() < k {
                    heap.push(cand);
                } else if heap.peek().is_some_and(|w| cand < *w) {
                    heap.pop();
                    heap.push(cand);
                }
                if heap.len() >= k {
                    if let Some(w) = heap.peek() {
                        // Scores are never negative, so their bits order like them.
                        if w.score >= 0.0 && w.score.is_finite() {
                            floor.fetch_max(w.score.to_bits(), AtomicOrdering::Relaxed);
                        }
                    }
                }
            }
        }
        doc = scorer.advance();
    }
    Ok((heap.into_vec(), count))
}

impl Store {
    /// One clause (a word or a phrase) over the exact and folded fields.
    fn clause_query(
        &self,
        analyzer: &mut TextAnalyzer,
        text: &str,
    ) -> (Option<Box<dyn Query>>, Vec<String>, Vec<String>) {
        let f = &self.fields;
        let exact = tokens(analyzer, &kehoach_text::nfc(text));
        let folded = tokens(analyzer, &fold_nfc(text));
        if folded.is_empty() {
            return (None, exact, folded);
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
        (Some(Box::new(BooleanQuery::new(parts))), exact, folded)
    }

    /// Builds the queries of a request and the folded words to highlight.
    ///
    /// A task's score is the sum of its clauses' scores (each over the exact
    /// and folded fields) and of the proximity bonuses; filters score 0.
    fn prepare(&self, req: &SearchRequest) -> Result<Prepared> {
        let f = &self.fields;
        let mut analyzer = words_analyzer();
        let mut subs: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut highlight = HashSet::new();
        // Whether something restricts the matches to task documents already
        // (only task documents have text and filter fields).
        let mut tasks_only = false;
        let mut scored = false;
        // The loose words in order, for the proximity bonus.
        let (mut loose_exact, mut loose_fold) = (Vec::new(), Vec::new());
        for clause in parse_query(&req.query) {
            let (q, exact, words) = self.clause_query(&mut analyzer, &clause.text);
            let Some(q) = q else { continue };
            if clause.negated {
                subs.push((Occur::MustNot, q));
            } else {
                subs.push((Occur::Must, q));
                tasks_only = true;
                scored = true;
                if !clause.phrase {
                    loose_exact.extend(exact);
                    loose_fold.extend(words.iter().cloned());
                }
                highlight.extend(words);
            }
        }
        // Tasks where the loose words stand together, in order, rank higher.
        let mut proximity = Vec::new();
        if loose_fold.len() >= 2 {
            proximity.push(Proximity {
                field: f.text_fold,
                words: loose_fold,
            });
            if loose_exact.len() >= 2 {
                proximity.push(Proximity {
                    field: f.text_exact,
                    words: loose_exact,
                });
            }
        }
        if let Some((a, b)) = req.years {
            if a > b {
                return Err(Error::InvalidQuery(format!("empty year range {a}..{b}")));
            }
            // A few years are looked up as terms (postings seek cheaply when
            // another clause leads the intersection); a long range is scanned.
            let q: Box<dyn Query> = if i64::from(b) - i64::from(a) < YEAR_TERMS {
                Box::new(BooleanQuery::new(
                    (a..=b)
                        .map(|y| {
                            let t = Term::from_field_i64(f.year, i64::from(y));
                            let q: Box<dyn Query> =
                                Box::new(TermQuery::new(t, IndexRecordOption::Basic));
                            (Occur::Should, q)
                        })
                        .collect(),
                ))
            } else {
                Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_i64(f.year, i64::from(a))),
                    Bound::Included(Term::from_field_i64(f.year, i64::from(b))),
                ))
            };
            subs.push(filter(q));
            tasks_only = true;
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
            tasks_only = true;
        }
        if let Some(lead) = req.lead.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let words = tokens(&mut analyzer, &fold_nfc(lead));
            let q = term_or_phrase(f.lead_fold, &words)
                .ok_or_else(|| Error::InvalidQuery(format!("--lead {lead:?} has no words")))?;
            subs.push(filter(q));
            tasks_only = true;
        }
        if let Some(date) = req.due_before.as_deref() {
            let key = date_key(date.trim()).ok_or_else(|| {
                Error::InvalidQuery(format!("{date:?} is not a date (expected YYYY-MM-DD)"))
            })?;
            subs.push(filter(Box::new(RangeQuery::new(
                Bound::Unbounded,
                Bound::Included(Term::from_field_i64(f.due_by, key)),
            ))));
            tasks_only = true;
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
            tasks_only = true;
        }
        if let Some(place) = req
            .place
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let place = kehoach_text::nfc(place);
            subs.push(filter(Box::new(TermQuery::new(
                Term::from_facet(f.facets, &Facet::from_path(["place", place.as_ref()])),
                IndexRecordOption::Basic,
            ))));
            tasks_only = true;
        }
        if !tasks_only {
            subs.push(filter(self.kind_query(KIND_TASK)));
        }
        Ok(Prepared {
            base: Box::new(BooleanQuery::new(subs)),
            proximity,
            scored,
            highlight,
        })
    }

    /// Runs a search on the last commit.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let prepared = self.prepare(req)?;
        let searcher = self.searcher();
        let base = prepared
            .base
            .weight(EnableScoring::enabled_from_searcher(&searcher))?;
        let proximity = prepared
            .proximity
            .iter()
            .map(|p| ProximityWeight::new(&searcher, p))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let k = req.offset.saturating_add(req.limit.max(1));
        let floor = AtomicU32::new(0);
        let run = |(ord, seg): (usize, &SegmentReader)| {
            let ord = u32::try_from(ord)
                .map_err(|_| tantivy::TantivyError::InternalError("too many segments".into()))?;
            top_in_segment(&*base, &proximity, prepared.scored, k, ord, seg, &floor)
        };
        let segments = searcher.segment_readers();
        let parts = if segments.len() > 1 {
            self.executor().map(run, segments.iter().enumerate())?
        } else {
            segments
                .iter()
                .enumerate()
                .map(run)
                .collect::<tantivy::Result<Vec<_>>>()?
        };
        let mut total = 0u64;
        let mut best = Vec::new();
        for (cands, count) in parts {
            total += count;
            best.extend(cands);
        }
        best.sort_unstable();

        let mut hits = Vec::new();
        for cand in best.into_iter().skip(req.offset).take(req.limit) {
            let (id, task) = self.task_doc_at(&searcher, cand.addr)?;
            let plan = self.hit_plan(&searcher, &id)?;
            let text = task
                .content
                .as_deref()
                .or(task.product.as_deref())
                .unwrap_or("");
            let snip = snippet(text, &prepared.highlight, req.snippet_chars);
            hits.push(Hit {
                score: cand.score,
                plan,
                task,
                snippet: snip,
            });
        }
        let mut facets = BTreeMap::new();
        if req.facets {
            let mut fc = FacetCollector::for_field("facets");
            for root in FACETS {
                fc.add_facet(Facet::from_path([*root]));
            }
            let counts = searcher.search(&*prepared.base, &fc)?;
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
            total,
            hits,
            facets,
        })
    }
}
