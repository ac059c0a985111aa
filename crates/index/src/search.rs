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
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering as AtomicOrdering};
use tantivy::collector::{Count, FacetCollector};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{BlockSegmentPostings, Postings, SegmentPostings};
use tantivy::query::{
    Bm25Weight, BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring, Explanation, Occur,
    PhraseQuery, Query, RangeQuery, Scorer, TermQuery, Weight,
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

/// A scoring part's weight, for block upper bounds.
struct BoundWeight {
    field: Field,
    terms: Vec<Term>,
    /// The part's BM25 weight (a phrase's weight for a phrase): applied to a
    /// word's frequency, it bounds the part's score (a phrase occurs at most
    /// as often as each of its words).
    bm25: Bm25Weight,
}

impl BoundWeight {
    fn new(searcher: &Searcher, p: &Part) -> tantivy::Result<BoundWeight> {
        let terms: Vec<Term> = p
            .words
            .iter()
            .map(|w| Term::from_field_text(p.field, w))
            .collect();
        let bm25 = Bm25Weight::for_terms(searcher, &terms)?.boost_by(p.boost);
        Ok(BoundWeight {
            field: p.field,
            terms,
            bm25,
        })
    }
}

/// One word of a scoring part, read block by block.
struct BlockCursor {
    postings: BlockSegmentPostings,
    /// The first posting at or after the last target (in the current block).
    first: DocId,
    /// The last posting of the current block.
    last: DocId,
    /// The part's score bound over the current block.
    max: f32,
    /// No posting at or after the last target.
    done: bool,
    /// Not positioned yet.
    fresh: bool,
}

impl BlockCursor {
    /// Moves to the block holding the first posting at or after `doc`.
    fn position(&mut self, doc: DocId, norms: &FieldNormReader, bm25: &Bm25Weight) {
        if self.done || (!self.fresh && self.last >= doc) {
            return;
        }
        self.fresh = false;
        let idx = self.postings.seek(doc);
        let docs = self.postings.docs();
        match docs.get(idx) {
            Some(&d) if d != TERMINATED => {
                self.first = d;
                self.last = docs
                    .iter()
                    .rev()
                    .copied()
                    .find(|d| *d != TERMINATED)
                    .unwrap_or(d);
                self.max = self.postings.block_max_score(norms, bm25);
            }
            _ => self.done = true,
        }
    }
}

/// A scoring part in one segment: its words' cursors.
struct BlockPart<'a> {
    bm25: &'a Bm25Weight,
    norms: FieldNormReader,
    words: Vec<BlockCursor>,
}

/// Upper bounds of the scores in windows of documents, from the block
/// maxima of every scoring part's words (block-max pruning).
struct BlockBounds<'a> {
    parts: Vec<BlockPart<'a>>,
}

impl<'a> BlockBounds<'a> {
    fn new(weights: &'a [BoundWeight], seg: &SegmentReader) -> tantivy::Result<BlockBounds<'a>> {
        let mut parts = Vec::with_capacity(weights.len());
        'parts: for w in weights {
            let inverted = seg.inverted_index(w.field)?;
            let mut words = Vec::with_capacity(w.terms.len());
            for term in &w.terms {
                match inverted.read_block_postings(term, IndexRecordOption::WithFreqs)? {
                    Some(postings) => words.push(BlockCursor {
                        postings,
                        first: 0,
                        last: 0,
                        max: 0.0,
                        done: false,
                        fresh: true,
                    }),
                    // The part cannot match in this segment.
                    None => continue 'parts,
                }
            }
            let norms = match seg.fieldnorms_readers().get_field(w.field)? {
                Some(n) => n,
                None => FieldNormReader::constant(seg.max_doc(), 1),
            };
            parts.push(BlockPart {
                bm25: &w.bm25,
                norms,
                words,
            });
        }
        Ok(BlockBounds { parts })
    }

    /// A window `doc..=end` and an upper bound of the score of every task in it.
    fn window(&mut self, doc: DocId) -> (DocId, f32) {
        let mut end = TERMINATED - 1;
        for part in &mut self.parts {
            for w in &mut part.words {
                w.position(doc, &part.norms, part.bm25);
                if !w.done {
                    end = end.min(w.last);
                }
            }
        }
        let mut bound = 0.0f32;
        for part in &self.parts {
            let mut best = f32::INFINITY;
            for w in &part.words {
                if w.done || w.first > end {
                    // A word is absent from the window: so is the part.
                    best = 0.0;
                    break;
                }
                best = best.min(w.max);
            }
            if best.is_finite() {
                bound += best;
            }
        }
        (end, bound * BOUND_SLACK)
    }
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

/// Windows bounded before bounding stops in a segment where fewer than one
/// in eight is skipped.
const BOUND_TRIES: u32 = 64;

/// Matches a segment counts before adding them to the shared count.
const COUNT_BATCH: u64 = 1024;

/// The best `k` matches of one segment and the number of matches.
///
/// Matches are counted and scored one by one until the matches counted in
/// all segments (`counted`, shared) pass the cap of `track`; past it, windows of documents whose block upper bound cannot enter the best
/// `k` are skipped. The bonuses (phrase matches, which read positions) are
/// computed only for tasks that can still enter the best `k` with them.
/// `floor` is the lowest score of a full best-`k` list in any segment so
/// far: tasks scoring below it cannot make the overall list.
#[allow(clippy::too_many_arguments)]
fn top_in_segment(
    base: &dyn Weight,
    proximity: &[ProximityWeight],
    bound_weights: &[BoundWeight],
    scored: bool,
    k: usize,
    track: TrackTotal,
    ord: u32,
    seg: &SegmentReader,
    floor: &AtomicU32,
    counted: &AtomicU64,
) -> tantivy::Result<SegmentTop> {
    let mut scorer = base.scorer(seg, 1.0)?;
    let alive = seg.alive_bitset();
    let mut bonuses = Vec::with_capacity(proximity.len());
    for p in proximity {
        if let Some(s) = p.for_segment(seg)? {
            bonuses.push(s);
        }
    }
    let cap = match track {
        TrackTotal::Exact => None,
        TrackTotal::UpTo(cap) => Some(cap),
    };
    let mut blocks: Option<BlockBounds<'_>> = None;
    // Windows bounded and skipped: bounding stops when it rarely skips.
    let (mut windows, mut skipped) = (0u32, 0u32);
    // The current window of the block bounds and its bound.
    let mut window: Option<(DocId, f32)> = None;
    let bonus_max: f32 = bonuses.iter().map(|b| b.bm25.max_score()).sum();
    let mut bounds: Vec<Option<f32>> = vec![None; bonuses.len()];
    let mut heap: BinaryHeap<Candidate> = BinaryHeap::with_capacity(k + 1);
    let mut count = 0u64;
    // Matches counted here and not yet added to `counted`.
    let mut unshared = 0u64;
    let mut capped = false;
    let past_cap = |count: u64, unshared: &mut u64| -> bool {
        let Some(cap) = cap else { return false };
        if *unshared >= COUNT_BATCH {
            counted.fetch_add(*unshared, AtomicOrdering::Relaxed);
            *unshared = 0;
        }
        count > cap || counted.load(AtomicOrdering::Relaxed) + *unshared > cap
    };
    let mut doc = scorer.doc();
    while doc != TERMINATED {
        if !scored && heap.len() >= k {
            // Every score is 0 and the list is full: only the count is left.
            match cap {
                None => {
                    count += u64::from(match alive {
                        Some(a) => scorer.count(a),
                        None => scorer.count_including_deleted(),
                    });
                    break;
                }
                Some(_) if past_cap(count, &mut unshared) => {
                    capped = true;
                    break;
                }
                Some(_) => {}
            }
        }
        let local = if heap.len() >= k {
            heap.peek().map(|w| w.score)
        } else {
            None
        };
        let global = f32::from_bits(floor.load(AtomicOrdering::Relaxed));
        // Ties lose to the earlier address, which is already listed here.
        let may_enter = |bound: f32| bound >= global && local.is_none_or(|l| bound > l);
        if scored && (capped || past_cap(count, &mut unshared)) {
            capped = true;
            if blocks.is_none() && windows < BOUND_TRIES {
                blocks = Some(BlockBounds::new(bound_weights, seg)?);
            }
            if windows >= BOUND_TRIES && skipped < windows / 8 {
                // The bounds are too loose here: reading them costs more than they save.
                blocks = None;
            }
            if let Some(b) = blocks.as_mut() {
                let (end, bound) = match window {
                    Some((end, bound)) if end >= doc => (end, bound),
                    _ => {
                        windows = windows.saturating_add(1);
                        b.window(doc)
                    }
                };
                window = Some((end, bound));
                if !may_enter(bound) {
                    skipped = skipped.saturating_add(1);
                    doc = if end >= TERMINATED - 1 {
                        TERMINATED
                    } else {
                        scorer.seek(end + 1)
                    };
                    continue;
                }
            }
        }
        if alive.is_none_or(|a| a.is_alive(doc)) {
            if !capped {
                count += 1;
                unshared += 1;
            }
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
    Ok(SegmentTop {
        best: heap.into_vec(),
        count,
        capped,
    })
}

impl Store {
    /// One clause (a word or a phrase) over the exact and folded fields.
    ///
    /// A phrase matches on the folded fields only (their positions decide);
    /// its matches in the exact fields are bonuses.
    fn clause_query(&self, analyzer: &mut TextAnalyzer, text: &str) -> ClauseQuery {
        let f = &self.fields;
        let exact = tokens(analyzer, &kehoach_text::nfc(text));
        let folded = tokens(analyzer, &fold_nfc(text));
        let mut out = ClauseQuery {
            query: None,
            exact,
            folded,
            parts: Vec::new(),
            bonuses: Vec::new(),
        };
        if out.folded.is_empty() {
            return out;
        }
        let phrase = out.folded.len() >= 2;
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, exact, boost) in [
            (f.text_exact, true, BOOST_EXACT),
            (f.text_fold, false, BOOST_FOLD),
            (f.more_exact, true, BOOST_MORE_EXACT),
            (f.more_fold, false, BOOST_MORE_FOLD),
        ] {
            let words = if exact { &out.exact } else { &out.folded };
            if words.is_empty() {
                continue;
            }
            let part = Part {
                field,
                words: words.clone(),
                boost,
            };
            if exact && phrase && words.len() >= 2 {
                out.bonuses.push(part);
            } else if let Some(q) = boosted(term_or_phrase(field, words), boost) {
                should.push((Occur::Should, q));
                out.parts.push(part);
            }
        }
        out.query = Some(Box::new(BooleanQuery::new(should)));
        out
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
        let (mut parts, mut bonuses) = (Vec::new(), Vec::new());
        for clause in parse_query(&req.query) {
            let c = self.clause_query(&mut analyzer, &clause.text);
            let Some(q) = c.query else { continue };
            if clause.negated {
                subs.push((Occur::MustNot, Box::new(Excluded(q))));
            } else {
                subs.push((Occur::Must, q));
                tasks_only = true;
                scored = true;
                if !clause.phrase {
                    loose_exact.extend(c.exact);
                    loose_fold.extend(c.folded.iter().cloned());
                }
                highlight.extend(c.folded);
                parts.extend(c.parts);
                bonuses.extend(c.bonuses);
            }
        }
        // Tasks where the loose words stand together, in order, rank higher.
        if loose_fold.len() >= 2 {
            bonuses.push(Part {
                field: f.text_fold,
                words: loose_fold,
                boost: BOOST_PROXIMITY,
            });
            if loose_exact.len() >= 2 {
                bonuses.push(Part {
                    field: f.text_exact,
                    words: loose_exact,
                    boost: BOOST_PROXIMITY,
                });
            }
        }
        parts.extend(bonuses.iter().cloned());
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
            bonuses,
            parts,
            scored,
            highlight,
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
    /// counted and those that cannot make the best hits are skipped a block
    /// at a time: `total` is then the cap and `total_exact` false. With
    /// facets, every match is read anyway and the total is exact.
    pub fn search_tracking(&self, req: &SearchRequest, track: TrackTotal) -> Result<SearchResults> {
        let prepared = self.prepare(req)?;
        let searcher = self.searcher();
        let base = prepared
            .base
            .weight(EnableScoring::enabled_from_searcher(&searcher))?;
        let proximity = prepared
            .bonuses
            .iter()
            .map(|p| ProximityWeight::new(&searcher, p))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let bound_weights = match track {
            TrackTotal::Exact => Vec::new(),
            TrackTotal::UpTo(_) => prepared
                .parts
                .iter()
                .map(|p| BoundWeight::new(&searcher, p))
                .collect::<tantivy::Result<Vec<_>>>()?,
        };
        // Facets read every match: they give the exact count.
        let track = if req.facets { TrackTotal::Exact } else { track };
        let k = req.offset.saturating_add(req.limit.max(1));
        let floor = AtomicU32::new(0);
        let counted = AtomicU64::new(0);
        let run = |(ord, seg): (usize, &SegmentReader)| {
            let ord = u32::try_from(ord)
                .map_err(|_| tantivy::TantivyError::InternalError("too many segments".into()))?;
            top_in_segment(
                &*base,
                &proximity,
                &bound_weights,
                prepared.scored,
                k,
                track,
                ord,
                seg,
                &floor,
                &counted,
            )
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
            total_exact,
            hits,
            facets,
        })
    }
}
