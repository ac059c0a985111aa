//! Searching task records.

use crate::engine::{QuerySpec, QuerySpecBuilder, SegmentMatcher, Windows};
use crate::error::{Error, Result};
use crate::ranking::{self, TextField};
use crate::schema::KIND_TASK;
use crate::snippet::snippet;
use crate::store::Store;
use kehoach_plan::{Meta, Source, Task};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashSet};
use std::ops::Bound;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering as AtomicOrdering};
use tantivy::collector::{Count, FacetCollector};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring, Explanation, Occur, PhraseQuery,
    Query, RangeQuery, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, SegmentReader, Term, TERMINATED};

/// Matches counted exactly by default ([`TrackTotal::UpTo`]); past it a
/// search reports this number as a lower bound (`total_exact` false).
pub const TOTAL_CAP: u64 = 10_000;

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

/// The values a facet shows: most tasks first (ties by value), at most 50.
/// Every store orders and cuts its facet counts this way.
pub fn top_facet_values(mut values: Vec<FacetCount>) -> Vec<FacetCount> {
    values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    values.truncate(50);
    values
}

/// A search.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// Words, `"phrases"`, `-exclusions` (see [`crate::parse_query`]) and
    /// `cites:NUMBER` filters (see [`crate::links`]); empty
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

/// An exclusion: a query whose documents are tested one by one, guarded so
/// that a test never seeks backwards (a phrase scorer alone in an exclusion
/// would be asked about documents before its current one).
#[derive(Debug)]
struct Excluded(Box<dyn Query>);

impl Clone for Excluded {
    fn clone(&self) -> Self {
        Excluded(self.0.box_clone())
    }
}

impl Query for Excluded {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ExcludedWeight(self.0.weight(scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct ExcludedWeight(Box<dyn Weight>);

impl Weight for ExcludedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: f32) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ExcludedScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

/// A scorer answering membership tests (`seek_danger`) by the checked
/// default: never seeking before the current document.
struct ExcludedScorer(Box<dyn Scorer>);

impl DocSet for ExcludedScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.0.doc();
        if doc >= target {
            doc
        } else {
            self.0.seek(target)
        }
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl Scorer for ExcludedScorer {
    fn score(&mut self) -> f32 {
        self.0.score()
    }
}

/// Adds a filter: to the tantivy query (scoring 0) and to the filter list.
fn add_filter(
    subs: &mut Vec<(Occur, Box<dyn Query>)>,
    filters: &mut Vec<Box<dyn Query>>,
    q: Box<dyn Query>,
) {
    filters.push(q.box_clone());
    subs.push((Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0))));
}

/// A scoring part of a query: words (one word, or a phrase) in one field,
/// boosted (see [`crate::engine`]).
#[derive(Clone)]
struct Part {
    field: Field,
    words: Vec<String>,
    boost: f32,
}

/// A request turned into queries.
struct Prepared {
    /// What a task must match (as a tantivy query: facets and unscored
    /// searches run it).
    base: Box<dyn Query>,
    /// The positive clauses: their parts in scoring order, and whether each
    /// decides the match.
    clauses: Vec<Vec<(Part, bool)>>,
    /// The loose words found together (added to the score of the tasks having them).
    proximity: Vec<Part>,
    /// The filters (year, issuer, lead, deadline, kind, place).
    filters: Vec<Box<dyn Query>>,
    /// The negated clauses.
    exclusions: Vec<Box<dyn Query>>,
    /// Whether any clause scores (otherwise every match scores 0).
    scored: bool,
    /// Folded words to highlight.
    highlight: HashSet<String>,
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

/// How a segment's matches of a scored query are read. Searches choose
/// (`Auto`); the tests force each of the others and compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(test), allow(dead_code))]
enum Strategy {
    /// As the posting list lengths suggest.
    Auto,
    /// Candidate by candidate, moving every posting list to each.
    Leapfrog,
    /// Term at a time, a window of documents at a time.
    Windows,
    /// The leapfrog for this many candidates, then windows.
    SwitchAfter(u32),
}

/// What one segment found.
struct SegmentTop {
    /// Its best `k` matches.
    best: Vec<Candidate>,
    /// Matches counted.
    count: u64,
    /// Whether counting stopped past the cap (`count` is then a lower bound).
    capped: bool,
}

/// Matches a segment counts before adding them to the shared count.
const COUNT_BATCH: u64 = 1024;

/// Counts matches up to the cap of a search, shared by its segments.
struct Counter<'a> {
    cap: Option<u64>,
    counted: &'a AtomicU64,
    /// Matches counted here.
    count: u64,
    /// Matches counted here and not yet added to `counted`.
    unshared: u64,
    /// Whether counting stopped past the cap (`count` is then a lower bound).
    capped: bool,
}

impl<'a> Counter<'a> {
    fn new(track: TrackTotal, counted: &'a AtomicU64) -> Self {
        Counter {
            cap: match track {
                TrackTotal::Exact => None,
                TrackTotal::UpTo(cap) => Some(cap),
            },
            counted,
            count: 0,
            unshared: 0,
            capped: false,
        }
    }

    fn add(&mut self) {
        self.count += 1;
        self.unshared += 1;
    }

    /// Whether the matches counted in all segments passed the cap (then
    /// counting stops for good).
    fn past_cap(&mut self) -> bool {
        if self.capped {
            return true;
        }
        let Some(cap) = self.cap else { return false };
        if self.unshared >= COUNT_BATCH {
            self.counted
                .fetch_add(self.unshared, AtomicOrdering::Relaxed);
            self.unshared = 0;
        }
        self.capped =
            self.count > cap || self.counted.load(AtomicOrdering::Relaxed) + self.unshared > cap;
        self.capped
    }
}

/// The best `k` matches of a segment, as a heap whose top is the worst.
struct Best<'a> {
    heap: BinaryHeap<Candidate>,
    k: usize,
    ord: u32,
    /// The lowest score of a full best-`k` list in any segment so far.
    floor: &'a AtomicU32,
}

impl<'a> Best<'a> {
    fn new(k: usize, ord: u32, floor: &'a AtomicU32) -> Self {
        Best {
            heap: BinaryHeap::with_capacity(k + 1),
            k,
            ord,
            floor,
        }
    }

    /// The score to beat here (a tie loses to the earlier address, listed
    /// already), once the list is full.
    fn local(&self) -> Option<f32> {
        if self.heap.len() >= self.k {
            self.heap.peek().map(|w| w.score)
        } else {
            None
        }
    }

    /// The lowest score that can still make the overall list.
    fn global(&self) -> f32 {
        f32::from_bits(self.floor.load(AtomicOrdering::Relaxed))
    }

    /// Whether a task scoring `score` (or at most `score`) may enter.
    fn may_enter(&self, score: f32) -> bool {
        score >= self.global() && self.local().is_none_or(|l| score > l)
    }

    fn push(&mut self, score: f32, doc: DocId) {
        let cand = Candidate {
            score,
            addr: DocAddress::new(self.ord, doc),
        };
        if self.heap.len() < self.k {
            self.heap.push(cand);
        } else if self.heap.peek().is_some_and(|w| cand < *w) {
            self.heap.pop();
            self.heap.push(cand);
        } else {
            return;
        }
        if self.heap.len() >= self.k {
            if let Some(w) = self.heap.peek() {
                // Scores are never negative, so their bits order like them.
                if w.score >= 0.0 && w.score.is_finite() {
                    self.floor
                        .fetch_max(w.score.to_bits(), AtomicOrdering::Relaxed);
                }
            }
        }
    }
}

/// The best `k` matches of one segment of a scored query, and the number
/// of matches.
///
/// Candidates come from the leapfrog over the clauses, or, when the words
/// are frequent, from term-at-a-time windows ([`Windows`]). Each is bounded
/// from its words' frequencies first: it is counted (phrases checked) until
/// the matches counted in all segments (`counted`, shared) pass the cap of
/// `track`, and scored exactly only when the bound may enter the best `k`.
/// `floor` is the lowest score of a full best-`k` list in any segment so far.
#[allow(clippy::too_many_arguments)]
fn top_scored(
    spec: &QuerySpec,
    mut strategy: Strategy,
    k: usize,
    track: TrackTotal,
    ord: u32,
    seg: &SegmentReader,
    range: std::ops::Range<DocId>,
    floor: &AtomicU32,
    counted: &AtomicU64,
) -> tantivy::Result<SegmentTop> {
    let counter = Counter::new(track, counted);
    let best = Best::new(k, ord, floor);
    let Some(mut m) = SegmentMatcher::new(spec, seg, range.end)? else {
        return Ok(SegmentTop {
            best: Vec::new(),
            count: 0,
            capped: false,
        });
    };
    let alive = seg.alive_bitset();
    let mut step = Step {
        phrases: m.has_phrases(),
        verify: m.has_phrase_clauses(),
        counter,
        best,
    };
    let mut doc = match strategy {
        Strategy::Windows => range.start,
        _ => m.next_candidate(range.start),
    };
    // Candidates read by the leapfrog so far.
    let mut seen = 0u32;
    while doc != TERMINATED {
        let switch = match strategy {
            Strategy::Windows => true,
            Strategy::Leapfrog => false,
            Strategy::SwitchAfter(n) => seen == n,
            // After a sample, the candidates' density tells which costs less.
            Strategy::Auto => seen == SAMPLE && m.windows_pay(seen, range.start, doc),
        };
        if switch {
            match Windows::new(&m, doc)? {
                Some(windows) => {
                    run_windows(&mut step, &mut m, windows, alive);
                    return Ok(step.finish(counted));
                }
                // Too many clauses for windows: the leapfrog goes on (from a
                // candidate: `Strategy::Windows` starts at the range start).
                None if strategy == Strategy::Windows => {
                    strategy = Strategy::Leapfrog;
                    doc = m.next_candidate(doc);
                    continue;
                }
                None => {}
            }
        }
        seen = seen.saturating_add(1);
        if alive.is_none_or(|a| a.is_alive(doc)) {
            // The leapfrog checked the filter.
            step.consider(&mut m, doc, None, true);
        }
        doc = m.next_candidate(doc.saturating_add(1));
    }
    Ok(step.finish(counted))
}

/// Segments of at least this many documents are read in two ranges by a
/// scored search.
const SPLIT_DOCS: DocId = 32_768;

/// Candidates the leapfrog reads before [`Strategy::Auto`] decides.
const SAMPLE: u32 = 512;

/// The rest of a segment, a window at a time.
fn run_windows(
    step: &mut Step<'_>,
    m: &mut SegmentMatcher<'_>,
    mut windows: Windows,
    alive: Option<&tantivy::fastfield::AliveBitSet>,
) {
    let mut found = Vec::new();
    loop {
        let counting = !step.counter.past_cap();
        // The bar only rises during a window: this keeps a superset.
        let (global, local) = (step.best.global(), step.best.local());
        let keep = |b: f32| counting || (b >= global && local.is_none_or(|l| b > l));
        if !windows.next_window(m, keep, &mut found) {
            return;
        }
        for &(doc, bound) in &found {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                step.consider(m, doc, Some(bound), false);
            }
        }
    }
}

/// What a segment's search does with one candidate.
struct Step<'a> {
    /// Whether a part is a phrase (exact scores need positions).
    phrases: bool,
    /// Whether a clause matches by a phrase (matches need positions).
    verify: bool,
    counter: Counter<'a>,
    best: Best<'a>,
}

impl Step<'_> {
    /// A candidate (alive; every clause has the words of a matching part),
    /// with its bound when already known, and whether the filter passed it
    /// already. Counted (up to the cap) if it
    /// matches, listed if it scores high enough. Positions are read only
    /// to count a phrase match, or to score a task whose bound may enter.
    fn consider(
        &mut self,
        m: &mut SegmentMatcher<'_>,
        doc: DocId,
        bound: Option<f32>,
        filtered: bool,
    ) {
        let counting = !self.counter.past_cap();
        let bound = match bound {
            Some(b) => b,
            None => match m.score(doc, false) {
                Some(b) => b,
                None => return,
            },
        };
        let enters = self.best.may_enter(bound);
        if !counting && !enters {
            return;
        }
        if !(filtered || m.filtered_in(doc)) || m.excluded(doc) {
            return;
        }
        if counting {
            if self.verify && !m.matches(doc) {
                return;
            }
            self.counter.add();
        }
        if !enters {
            return;
        }
        // The bound is computed like the score, with frequencies at least as
        // large; without phrases it is the score.
        let score = if self.phrases {
            m.score(doc, true)
        } else {
            Some(bound)
        };
        if let Some(score) = score.filter(|s| self.best.may_enter(*s)) {
            self.best.push(score, doc);
        }
    }

    fn finish(self, counted: &AtomicU64) -> SegmentTop {
        if self.counter.unshared > 0 && !self.counter.capped {
            counted.fetch_add(self.counter.unshared, AtomicOrdering::Relaxed);
        }
        SegmentTop {
            best: self.best.heap.into_vec(),
            count: self.counter.count,
            capped: self.counter.capped,
        }
    }
}

/// The first `k` matches of one segment of an unscored query (every match
/// scores 0), and the number of matches.
fn top_unscored(
    base: &dyn Weight,
    k: usize,
    track: TrackTotal,
    ord: u32,
    seg: &SegmentReader,
    floor: &AtomicU32,
    counted: &AtomicU64,
) -> tantivy::Result<SegmentTop> {
    let mut scorer = base.scorer(seg, 1.0)?;
    let alive = seg.alive_bitset();
    let mut counter = Counter::new(track, counted);
    let mut best = Best::new(k, ord, floor);
    let mut doc = scorer.doc();
    while doc != TERMINATED {
        if best.heap.len() >= k {
            // The list is full: only the count is left.
            if counter.cap.is_none() {
                counter.count += u64::from(match alive {
                    Some(a) => scorer.count(a),
                    None => scorer.count_including_deleted(),
                });
                break;
            }
            if counter.past_cap() {
                break;
            }
        }
        if alive.is_none_or(|a| a.is_alive(doc)) {
            counter.add();
            best.push(0.0, doc);
        }
        doc = scorer.advance();
    }
    Ok(SegmentTop {
        best: best.heap.into_vec(),
        count: counter.count,
        capped: counter.capped,
    })
}

impl Store {
    /// The index field of a scored text field.
    fn text_field(&self, field: TextField) -> Field {
        let f = &self.fields;
        match field {
            TextField::TextExact => f.text_exact,
            TextField::TextFold => f.text_fold,
            TextField::MoreExact => f.more_exact,
            TextField::MoreFold => f.more_fold,
        }
    }

    /// A clause's query: one of its matching parts.
    fn clause_query(&self, parts: &[ranking::Part]) -> Box<dyn Query> {
        let should: Vec<(Occur, Box<dyn Query>)> = parts
            .iter()
            .filter(|p| p.matching)
            .filter_map(|p| {
                boosted(term_or_phrase(self.text_field(p.field), &p.words), p.boost)
                    .map(|q| (Occur::Should, q))
            })
            .collect();
        Box::new(BooleanQuery::new(should))
    }

    fn part(&self, p: &ranking::Part) -> Part {
        Part {
            field: self.text_field(p.field),
            words: p.words.clone(),
            boost: p.boost,
        }
    }

    /// Builds the queries of a request (see [`ranking::plan_query`]) and the
    /// folded words to highlight.
    ///
    /// A task's score is the sum of its clauses' scores (each over the exact
    /// and folded fields) and of the proximity bonuses; filters score 0.
    fn prepare(&self, req: &SearchRequest) -> Result<Prepared> {
        let plan = ranking::plan_query(req)?;
        let f = &self.fields;
        let mut subs: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // Whether something restricts the matches to task documents already
        // (only task documents have text and filter fields).
        let mut tasks_only = false;
        let (mut clauses, mut exclusions) = (Vec::new(), Vec::new());
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        for parts in &plan.clauses {
            subs.push((Occur::Must, self.clause_query(parts)));
            clauses.push(
                parts
                    .iter()
                    .map(|p| (self.part(p), p.matching))
                    .collect::<Vec<_>>(),
            );
            tasks_only = true;
        }
        for parts in &plan.exclusions {
            let q = self.clause_query(parts);
            exclusions.push(q.box_clone());
            subs.push((Occur::MustNot, Box::new(Excluded(q))));
        }
        // Tasks where the loose words stand together, in order, rank higher.
        let proximity: Vec<Part> = plan.proximity.iter().map(|p| self.part(p)).collect();
        let fl = &plan.filters;
        if let Some((a, b)) = fl.years {
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
            add_filter(&mut subs, &mut filters, q);
            tasks_only = true;
        }
        if let Some(issuer) = &fl.issuer {
            let mut either: Vec<(Occur, Box<dyn Query>)> = vec![(
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.issuer_code, &issuer.code),
                    IndexRecordOption::Basic,
                )),
            )];
            either.extend(term_or_phrase(f.issuer_fold, &issuer.words).map(|q| (Occur::Should, q)));
            add_filter(&mut subs, &mut filters, Box::new(BooleanQuery::new(either)));
            tasks_only = true;
        }
        if let Some(words) = &fl.lead {
            if let Some(q) = term_or_phrase(f.lead_fold, words) {
                add_filter(&mut subs, &mut filters, q);
                tasks_only = true;
            }
        }
        if let Some(key) = fl.due_by_max {
            add_filter(
                &mut subs,
                &mut filters,
                Box::new(RangeQuery::new(
                    Bound::Unbounded,
                    Bound::Included(Term::from_field_i64(f.due_by, key)),
                )),
            );
            tasks_only = true;
        }
        if let Some(kind) = &fl.kind {
            add_filter(
                &mut subs,
                &mut filters,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.due_kind, kind),
                    IndexRecordOption::Basic,
                )),
            );
            tasks_only = true;
        }
        if let Some(place) = &fl.place {
            add_filter(
                &mut subs,
                &mut filters,
                Box::new(TermQuery::new(
                    Term::from_facet(f.facets, &Facet::from_path(["place", place.as_str()])),
                    IndexRecordOption::Basic,
                )),
            );
            tasks_only = true;
        }
        if !fl.cites.is_empty() {
            // Plan documents carry the field too (link look-ups): the task
            // kind is still required below.
            let field = f.cites.ok_or_else(|| {
                Error::InvalidQuery(
                    "this index was made before cited numbers were indexed: import again to search with cites:"
                        .into(),
                )
            })?;
            for key in &fl.cites {
                add_filter(
                    &mut subs,
                    &mut filters,
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, key),
                        IndexRecordOption::Basic,
                    )),
                );
            }
        }
        if !tasks_only {
            add_filter(&mut subs, &mut filters, self.kind_query(KIND_TASK));
        }
        let scored = plan.scored();
        Ok(Prepared {
            base: Box::new(BooleanQuery::new(subs)),
            clauses,
            proximity,
            filters,
            exclusions,
            scored,
            highlight: plan.highlight,
        })
    }

    /// Runs a search on the last commit, counting every match
    /// ([`TrackTotal::Exact`]; see [`Store::search_tracking`]).
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        self.search_tracking(req, TrackTotal::Exact)
    }

    /// Runs a search on the last commit, counting matches as `track` says.
    ///
    /// With [`TrackTotal::UpTo`], the hits are the same as with
    /// [`TrackTotal::Exact`], but past the cap the matches are no longer
    /// counted (phrases are no longer checked for tasks that cannot make the
    /// best hits): `total` is then the cap and `total_exact` false. With
    /// facets, the facet counts read every match and the total is exact.
    pub fn search_tracking(&self, req: &SearchRequest, track: TrackTotal) -> Result<SearchResults> {
        self.search_with(req, track, Strategy::Auto, SPLIT_DOCS)
    }

    /// [`Store::search_tracking`], reading the matches as `strategy` says,
    /// segments of `split_docs` documents or more in two ranges.
    fn search_with(
        &self,
        req: &SearchRequest,
        track: TrackTotal,
        strategy: Strategy,
        split_docs: DocId,
    ) -> Result<SearchResults> {
        let prepared = self.prepare(req)?;
        let searcher = self.searcher();
        let spec = if prepared.scored {
            let mut b = QuerySpecBuilder::new(&searcher);
            for clause in &prepared.clauses {
                let parts: Vec<(Field, &[String], f32, bool)> = clause
                    .iter()
                    .map(|(p, matching)| (p.field, p.words.as_slice(), p.boost, *matching))
                    .collect();
                b.clause(&parts)?;
            }
            for p in &prepared.proximity {
                b.bonus(p.field, &p.words, p.boost)?;
            }
            if !prepared.filters.is_empty() {
                let all = BooleanQuery::new(
                    prepared
                        .filters
                        .iter()
                        .map(|q| (Occur::Must, q.box_clone()))
                        .collect(),
                );
                b.filter(all.weight(EnableScoring::disabled_from_searcher(&searcher))?);
            }
            for q in &prepared.exclusions {
                b.exclude(q.weight(EnableScoring::disabled_from_searcher(&searcher))?);
            }
            Some(b.build())
        } else {
            None
        };
        // Unscored searches run the tantivy query itself.
        let base = match spec {
            Some(_) => None,
            None => Some(
                prepared
                    .base
                    .weight(EnableScoring::enabled_from_searcher(&searcher))?,
            ),
        };
        let k = req.offset.saturating_add(req.limit.max(1));
        let floor = AtomicU32::new(0);
        let counted = AtomicU64::new(0);
        let segments = searcher.segment_readers();
        // Scored searches read large segments in ranges, so that the threads
        // share the work evenly.
        let mut tasks = Vec::new();
        for (ord, seg) in segments.iter().enumerate() {
            let max = seg.max_doc();
            let pieces = if spec.is_some() && segments.len() > 1 && max >= split_docs {
                2
            } else {
                1
            };
            for i in 0..pieces {
                tasks.push((
                    ord,
                    seg,
                    max / pieces * i..if i + 1 == pieces {
                        max
                    } else {
                        max / pieces * (i + 1)
                    },
                ));
            }
        }
        let run = |(ord, seg, range): (usize, &SegmentReader, std::ops::Range<DocId>)| {
            let ord = u32::try_from(ord)
                .map_err(|_| tantivy::TantivyError::InternalError("too many segments".into()))?;
            match &spec {
                Some(spec) => {
                    top_scored(spec, strategy, k, track, ord, seg, range, &floor, &counted)
                }
                None => match &base {
                    Some(base) => top_unscored(&**base, k, track, ord, seg, &floor, &counted),
                    None => Ok(SegmentTop {
                        best: Vec::new(),
                        count: 0,
                        capped: false,
                    }),
                },
            }
        };
        let parts = if tasks.len() > 1 {
            self.executor().map(run, tasks.into_iter())?
        } else {
            tasks
                .into_iter()
                .map(run)
                .collect::<tantivy::Result<Vec<_>>>()?
        };
        let mut total = 0u64;
        let mut capped = false;
        let mut best = Vec::new();
        for part in parts {
            total += part.count;
            capped |= part.capped;
            best.extend(part.best);
        }
        let mut total_exact = true;
        if let TrackTotal::UpTo(cap) = track {
            if capped || total > cap {
                total = cap;
                total_exact = false;
            }
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
            let (count, counts) = searcher.search(&*prepared.base, &(Count, fc))?;
            total = count as u64;
            total_exact = true;
            for root in FACETS {
                let values: Vec<FacetCount> = counts
                    .get(Facet::from_path([*root]))
                    .map(|(facet, count)| FacetCount {
                        value: facet
                            .to_path()
                            .last()
                            .map_or_else(String::new, |s| s.to_string()),
                        count,
                    })
                    .collect();
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
}

#[cfg(test)]
mod tests_support {
    use crate::{Store, WriterOptions};
    use kehoach_plan::Plan;

    /// A store with varied copies of the gold plans in several segments.
    pub(super) fn store(dir: &std::path::Path) -> Store {
        let gold = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/gold");
        let mut paths: Vec<_> = std::fs::read_dir(gold)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        let plans: Vec<Plan> = paths
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect();
        let store = Store::open_or_create(dir).unwrap();
        let mut w = store
            .writer(WriterOptions {
                threads: 1,
                memory_bytes: 32 << 20,
            })
            .unwrap();
        let extra = [
            "",
            " hồ sơ hồ sơ",
            " một cửa và liên thông",
            " thanh toán trực tuyến, thanh toán",
        ];
        for i in 0..12 {
            for (j, base) in plans.iter().enumerate() {
                let mut p = base.clone();
                let n = i * plans.len() + j;
                p.source.path = format!("copies/{n:05}.txt");
                p.source.sha256 = format!("{n:016x}{}", "0".repeat(48));
                for (t, task) in p.tasks.iter_mut().enumerate() {
                    if let Some(c) = task.content.as_mut() {
                        match (t + i) % 4 {
                            0 => c.push_str(extra[(t + i) % extra.len()]),
                            1 => *c = c.chars().take(30 + (t * 7 + i) % 50).collect(),
                            _ => {}
                        }
                    }
                }
                w.add_plan(&p.source.path, &p.source.sha256, &p).unwrap();
            }
            if i % 4 == 3 {
                w.commit().unwrap();
            }
        }
        w.finish().unwrap();
        store.reload().unwrap();
        store
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::store;
    use super::*;
    use std::collections::HashMap;
    use tantivy::collector::TopDocs;

    const QUERIES: &[&str] = &[
        "hồ sơ",
        "hồ sơ hồ sơ",
        "\"một cửa\" cửa liên",
        "ho so truc tuyen",
        "thanh toán trực tuyến",
        "\"một cửa liên thông\"",
        "\"mot cua\" lien thong",
        "cải cách -\"hành chính\"",
        "\"bưu chính công ích\" báo cáo",
        "kiem soat thu tuc hanh chinh",
        "xyzzy hồ sơ",
    ];

    /// Every match and its score, keyed by (plan, seq).
    fn all(res: &SearchResults) -> HashMap<(String, u32), f32> {
        res.hits
            .iter()
            .map(|h| ((h.plan.id.clone(), h.task.seq), h.score))
            .collect()
    }

    #[test]
    fn engine_agrees_with_tantivy() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store(tmp.path());
        let searcher = store.searcher();
        let filters = [
            (None, None),
            (Some((2020, 2021)), None),
            (None, Some("UBND cấp xã")),
        ];
        for q in QUERIES {
            for (years, lead) in filters {
                let req = SearchRequest {
                    query: (*q).into(),
                    years,
                    lead: lead.map(String::from),
                    limit: 100_000,
                    ..Default::default()
                };
                // The reference: tantivy's boolean query, with every bonus an
                // optional clause (the same sums, added in another order).
                let prepared = store.prepare(&req).unwrap();
                let mut subs: Vec<(Occur, Box<dyn Query>)> =
                    vec![(Occur::Must, prepared.base.box_clone())];
                let bonuses = prepared
                    .clauses
                    .iter()
                    .flatten()
                    .filter(|(_, matching)| !matching)
                    .map(|(p, _)| p)
                    .chain(prepared.proximity.iter());
                for p in bonuses {
                    let q = boosted(term_or_phrase(p.field, &p.words), p.boost).unwrap();
                    subs.push((Occur::Should, q));
                }
                let reference = searcher
                    .search(
                        &BooleanQuery::new(subs),
                        &TopDocs::with_limit(100_000).order_by_score(),
                    )
                    .unwrap();
                let expected: HashMap<(String, u32), f32> = reference
                    .iter()
                    .map(|(score, addr)| {
                        let (id, task) = store.task_doc_at(&searcher, *addr).unwrap();
                        ((id, task.seq), *score)
                    })
                    .collect();
                for strategy in [
                    Strategy::Leapfrog,
                    Strategy::Windows,
                    Strategy::SwitchAfter(5),
                ] {
                    let got = store
                        .search_with(&req, TrackTotal::Exact, strategy, 1)
                        .unwrap();
                    assert_eq!(
                        got.total,
                        expected.len() as u64,
                        "{q} {years:?} {strategy:?}"
                    );
                    let got = all(&got);
                    assert_eq!(got.len(), expected.len(), "{q} {years:?} {strategy:?}");
                    for (key, want) in &expected {
                        let have = got[key];
                        assert!(
                            (have - want).abs() <= want.abs() * 1e-5,
                            "{q} {years:?} {strategy:?} {key:?}: {have} vs {want}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn strategies_and_caps_give_the_same_hits() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store(tmp.path());
        let ranked = |r: &SearchResults| -> Vec<(String, u32, u32)> {
            r.hits
                .iter()
                .map(|h| (h.plan.id.clone(), h.task.seq, h.score.to_bits()))
                .collect()
        };
        for q in QUERIES {
            for (offset, limit) in [(0, 10), (3, 1), (20, 15)] {
                let req = SearchRequest {
                    query: (*q).into(),
                    offset,
                    limit,
                    ..Default::default()
                };
                let want = store
                    .search_with(&req, TrackTotal::Exact, Strategy::Leapfrog, DocId::MAX)
                    .unwrap();
                for strategy in [
                    Strategy::Leapfrog,
                    Strategy::Windows,
                    Strategy::SwitchAfter(7),
                    Strategy::Auto,
                ] {
                    for track in [TrackTotal::Exact, TrackTotal::UpTo(30)] {
                        for split in [DocId::MAX, 1] {
                            let got = store.search_with(&req, track, strategy, split).unwrap();
                            let what = format!("{q} {strategy:?} {track:?} split {split}");
                            assert_eq!(ranked(&got), ranked(&want), "{what}");
                            if track == TrackTotal::Exact || want.total <= 30 {
                                assert_eq!(got.total, want.total, "{what}");
                            } else {
                                assert_eq!((got.total, got.total_exact), (30, false), "{what}");
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod many_clauses {
    use super::tests_support::store;
    use super::*;

    #[test]
    fn queries_past_the_window_mask_fall_back_to_the_leapfrog() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store(tmp.path());
        // 70 clauses: more than the 64 bits of a window's clause mask.
        let req = SearchRequest {
            query: "hồ sơ ".repeat(35),
            ..Default::default()
        };
        let want = store
            .search_with(&req, TrackTotal::Exact, Strategy::Leapfrog, DocId::MAX)
            .unwrap();
        assert!(want.total > 0);
        for strategy in [Strategy::Windows, Strategy::SwitchAfter(3), Strategy::Auto] {
            let got = store
                .search_with(&req, TrackTotal::Exact, strategy, 1)
                .unwrap();
            assert_eq!(got, want, "{strategy:?}");
        }
    }
}

#[cfg(test)]
mod all_matches {
    use super::tests_support::store;
    use super::*;
    use crate::PlanStore;

    #[test]
    fn search_all_reads_every_match_in_archive_order() {
        let tmp = tempfile::tempdir().unwrap();
        let store = store(tmp.path());
        let req = SearchRequest {
            query: "hồ sơ".into(),
            limit: 3,
            offset: 2,
            ..Default::default()
        };
        let total = store.search(&req).unwrap().total;
        let all = store.search_all(&req, None).unwrap();
        assert_eq!(all.len() as u64, total);
        let keys: Vec<(String, String, u32)> = all
            .iter()
            .map(|h| (h.plan.source.path.clone(), h.plan.id.clone(), h.task.seq))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(
            store.search_all(&req, Some(total)).unwrap().len(),
            all.len()
        );
        match store.search_all(&req, Some(total - 1)) {
            Err(Error::TooManyMatches { total: t, max }) => {
                assert_eq!((t, max), (total, total - 1))
            }
            other => panic!(
                "expected too many matches, got {:?}",
                other.map(|h| h.len())
            ),
        }
        let none = SearchRequest {
            query: "xyzzy".into(),
            ..Default::default()
        };
        assert!(store.search_all(&none, Some(0)).unwrap().is_empty());
    }
}
