//! The scoring engine: the matching tasks of one segment, scored, read
//! straight from the postings.
//!
//! A query is a conjunction of clauses. A clause (a word or a phrase) is a
//! disjunction of *parts*: its words in one field (exact or folded task text,
//! exact or folded other columns), each with a boost. Some parts decide
//! whether the clause matches; others are only scored where present (the
//! exact spelling of a phrase, the loose words standing together).
//!
//! Matching runs as a leapfrog over the clauses: each clause answers "the
//! first task at or after this one that has all the words of one of my
//! parts", without reading positions. A task every clause (and the filters)
//! agrees on is a candidate. A candidate's score is the sum of the BM25
//! scores of its parts, a phrase scored by how often it occurs. Before a
//! candidate's phrases are checked (positions are the expensive read), its
//! score is bounded from the words' frequencies alone (a phrase occurs at
//! most as often as its rarest word): a candidate whose bound cannot enter
//! the best hits is dropped without reading positions. The bound is computed
//! in the same order as the score, with frequencies at least as large, so it
//! is never below the score, and equal to it when every phrase occurs as
//! often as its rarest word.

use std::collections::HashMap;
use std::sync::Arc;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::TermInfo;
use tantivy::postings::{BlockSegmentPostings, Postings, SegmentPostings};
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::InvertedIndexReader;
use tantivy::{DocId, DocSet, Searcher, SeekDangerResult, SegmentReader, Term, TERMINATED};

/// A word in one field.
struct TermSpec {
    term: Term,
    /// Whether a phrase part needs its positions.
    positions: bool,
}

/// A scoring part: words in one field (one word, or a phrase), boosted.
struct PartSpec {
    field: Field,
    /// Indices into [`QuerySpec::terms`], in phrase order.
    terms: Vec<usize>,
    /// The part's BM25 weight, boosted (a phrase's weight for a phrase).
    bm25: Bm25Weight,
    /// Whether a match of this part makes its clause match.
    matching: bool,
    /// Its score by field norm and frequency, for frequencies below
    /// [`TABLE_TF`] (the values of `bm25.score`).
    table: Vec<f32>,
}

/// What the engine needs of a query, independent of segments.
pub(crate) struct QuerySpec {
    terms: Vec<TermSpec>,
    parts: Vec<PartSpec>,
    /// Per clause, its parts (indices into `parts`) in scoring order.
    clauses: Vec<Vec<usize>>,
    /// Parts scored where present, outside any clause.
    bonuses: Vec<usize>,
    /// Every filter together (scores ignored).
    filter: Option<Box<dyn Weight>>,
    /// Tasks matching one of these are excluded.
    exclusions: Vec<Box<dyn Weight>>,
}

/// The searcher's statistics, each read once per query (parts share words).
struct Stats<'s> {
    searcher: &'s Searcher,
    docs: std::cell::Cell<Option<u64>>,
    tokens: std::cell::RefCell<HashMap<Field, u64>>,
    freqs: std::cell::RefCell<HashMap<Term, u64>>,
}

impl Bm25StatisticsProvider for Stats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if let Some(&n) = self.tokens.borrow().get(&field) {
            return Ok(n);
        }
        let n = self.searcher.total_num_tokens(field)?;
        self.tokens.borrow_mut().insert(field, n);
        Ok(n)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        if let Some(n) = self.docs.get() {
            return Ok(n);
        }
        let n = Bm25StatisticsProvider::total_num_docs(self.searcher)?;
        self.docs.set(Some(n));
        Ok(n)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if let Some(&n) = self.freqs.borrow().get(term) {
            return Ok(n);
        }
        let n = Bm25StatisticsProvider::doc_freq(self.searcher, term)?;
        self.freqs.borrow_mut().insert(term.clone(), n);
        Ok(n)
    }
}

/// Builds a [`QuerySpec`].
pub(crate) struct QuerySpecBuilder<'s> {
    stats: Stats<'s>,
    spec: QuerySpec,
    index: HashMap<Term, usize>,
}

impl<'s> QuerySpecBuilder<'s> {
    /// A builder reading term statistics from `searcher`.
    pub(crate) fn new(searcher: &'s Searcher) -> Self {
        QuerySpecBuilder {
            stats: Stats {
                searcher,
                docs: std::cell::Cell::new(None),
                tokens: std::cell::RefCell::new(HashMap::new()),
                freqs: std::cell::RefCell::new(HashMap::new()),
            },
            spec: QuerySpec {
                terms: Vec::new(),
                parts: Vec::new(),
                clauses: Vec::new(),
                bonuses: Vec::new(),
                filter: None,
                exclusions: Vec::new(),
            },
            index: HashMap::new(),
        }
    }

    fn part(
        &mut self,
        field: Field,
        words: &[String],
        boost: f32,
        matching: bool,
    ) -> tantivy::Result<usize> {
        let terms: Vec<Term> = words
            .iter()
            .map(|w| Term::from_field_text(field, w))
            .collect();
        let bm25 = Bm25Weight::for_terms(&self.stats, &terms)?.boost_by(boost);
        let phrase = terms.len() > 1;
        // A phrase deciding a match is moved from candidate to candidate on
        // its own (a conjunction overshoots the documents it skips): its
        // words get posting lists of their own. Other parts share theirs.
        let shared = !(phrase && matching);
        let mut ids = Vec::with_capacity(terms.len());
        for term in terms {
            let id = match self.index.get(&term).filter(|_| shared) {
                Some(&id) => id,
                None => {
                    let id = self.spec.terms.len();
                    if shared {
                        self.index.insert(term.clone(), id);
                    }
                    self.spec.terms.push(TermSpec {
                        term,
                        positions: false,
                    });
                    id
                }
            };
            self.spec.terms[id].positions |= phrase;
            ids.push(id);
        }
        let table = (0..=255u8)
            .flat_map(|norm| (0..TABLE_TF as u32).map(move |tf| (norm, tf)))
            .map(|(norm, tf)| bm25.score(norm, tf))
            .collect();
        self.spec.parts.push(PartSpec {
            field,
            terms: ids,
            bm25,
            matching,
            table,
        });
        Ok(self.spec.parts.len() - 1)
    }

    /// Adds a clause: its parts `(field, words, boost, matching)` in scoring
    /// order. At least one part should be matching.
    pub(crate) fn clause(
        &mut self,
        parts: &[(Field, &[String], f32, bool)],
    ) -> tantivy::Result<()> {
        let mut ids = Vec::with_capacity(parts.len());
        for (field, words, boost, matching) in parts {
            if !words.is_empty() {
                ids.push(self.part(*field, words, *boost, *matching)?);
            }
        }
        self.spec.clauses.push(ids);
        Ok(())
    }

    /// Adds a part scored wherever it is present.
    pub(crate) fn bonus(
        &mut self,
        field: Field,
        words: &[String],
        boost: f32,
    ) -> tantivy::Result<()> {
        if !words.is_empty() {
            let id = self.part(field, words, boost, false)?;
            self.spec.bonuses.push(id);
        }
        Ok(())
    }

    /// Sets the filter every task must match.
    pub(crate) fn filter(&mut self, weight: Box<dyn Weight>) {
        self.spec.filter = Some(weight);
    }

    /// Adds an exclusion.
    pub(crate) fn exclude(&mut self, weight: Box<dyn Weight>) {
        self.spec.exclusions.push(weight);
    }

    /// The spec.
    pub(crate) fn build(self) -> QuerySpec {
        self.spec
    }
}

/// A part in one segment.
struct SegPart<'q> {
    /// Indices into [`SegmentMatcher::postings`]; empty when a word is
    /// absent from the segment (the part never matches there).
    terms: Vec<usize>,
    norms: FieldNormReader,
    bm25: &'q Bm25Weight,
    table: &'q [f32],
    matching: bool,
}

/// A query in one segment.
pub(crate) struct SegmentMatcher<'q> {
    postings: Vec<Option<SegmentPostings>>,
    /// Where each word's postings are (for [`Windows`]).
    infos: Vec<Option<(Arc<InvertedIndexReader>, TermInfo)>>,
    max_doc: DocId,
    /// The end of the documents read (a segment may be read in ranges).
    end: DocId,
    parts: Vec<SegPart<'q>>,
    /// Per clause, its parts in scoring order.
    clauses: Vec<Vec<usize>>,
    /// Per clause, its matching parts, most frequent first (a candidate is
    /// most often found in them).
    matching: Vec<Vec<usize>>,
    /// Clause indices, rarest first (the leapfrog's order).
    order: Vec<usize>,
    bonuses: Vec<usize>,
    filter: Option<Probe>,
    exclusions: Vec<Probe>,
    /// Scratch position lists.
    pos: Vec<u32>,
    next: Vec<u32>,
}

/// Moves `p` to the first document at or after `target`.
#[inline]
fn seek(p: &mut SegmentPostings, target: DocId) -> DocId {
    let d = p.doc();
    if d >= target {
        d
    } else {
        p.seek(target)
    }
}

/// Membership tests against a scorer, documents in increasing order. A
/// test checks only the document asked about (`seek_danger`: a phrase is
/// checked there, not searched for further on).
struct Probe {
    scorer: Box<dyn Scorer>,
    /// No member before this document.
    next: DocId,
    /// A document known to be a member.
    at: Option<DocId>,
}

impl Probe {
    fn new(scorer: Box<dyn Scorer>) -> Probe {
        let doc = scorer.doc();
        Probe {
            scorer,
            next: doc,
            at: (doc != TERMINATED).then_some(doc),
        }
    }

    /// Whether `doc` is a member; tests must not go backwards.
    fn contains(&mut self, doc: DocId) -> bool {
        if doc < self.next || self.next == TERMINATED {
            return false;
        }
        if self.at == Some(doc) {
            return true;
        }
        match self.scorer.seek_danger(doc) {
            SeekDangerResult::Found => {
                self.at = Some(doc);
                self.next = doc;
                true
            }
            SeekDangerResult::SeekLowerBound(lower) => {
                self.at = None;
                self.next = lower.max(doc.saturating_add(1));
                false
            }
        }
    }

    /// The first possible member at or after `doc`: `doc` itself if it is one.
    fn next_from(&mut self, doc: DocId) -> DocId {
        if self.contains(doc) {
            doc
        } else {
            self.next.max(doc.saturating_add(1))
        }
    }
}

impl<'q> SegmentMatcher<'q> {
    /// The query in one segment; `None` when no task of the segment can match.
    pub(crate) fn new(
        spec: &'q QuerySpec,
        seg: &SegmentReader,
        end: DocId,
    ) -> tantivy::Result<Option<Self>> {
        let mut postings = Vec::with_capacity(spec.terms.len());
        let mut infos = Vec::with_capacity(spec.terms.len());
        for t in &spec.terms {
            let option = if t.positions {
                IndexRecordOption::WithFreqsAndPositions
            } else {
                IndexRecordOption::WithFreqs
            };
            let inverted = seg.inverted_index(t.term.field())?;
            match inverted.get_term_info(&t.term)? {
                Some(info) => {
                    postings.push(Some(inverted.read_postings_from_terminfo(&info, option)?));
                    infos.push(Some((inverted, info)));
                }
                None => {
                    postings.push(None);
                    infos.push(None);
                }
            }
        }
        let mut parts = Vec::with_capacity(spec.parts.len());
        for p in &spec.parts {
            let present = p.terms.iter().all(|&t| postings[t].is_some());
            let norms = match seg.fieldnorms_readers().get_field(p.field)? {
                Some(n) => n,
                None => FieldNormReader::constant(seg.max_doc(), 1),
            };
            parts.push(SegPart {
                terms: if present { p.terms.clone() } else { Vec::new() },
                norms,
                bm25: &p.bm25,
                table: &p.table,
                matching: p.matching,
            });
        }
        let freq = |parts: &[SegPart<'_>], postings: &[Option<SegmentPostings>], part: usize| {
            parts[part]
                .terms
                .iter()
                .filter_map(|&t| postings[t].as_ref().map(|p| p.doc_freq()))
                .min()
                .unwrap_or(0)
        };
        let mut matching = Vec::with_capacity(spec.clauses.len());
        let mut sizes = Vec::with_capacity(spec.clauses.len());
        for clause in &spec.clauses {
            let mut m: Vec<usize> = clause
                .iter()
                .copied()
                .filter(|&p| parts[p].matching && !parts[p].terms.is_empty())
                .collect();
            if m.is_empty() {
                return Ok(None);
            }
            m.sort_by_key(|&p| std::cmp::Reverse(freq(&parts, &postings, p)));
            sizes.push(
                m.iter()
                    .map(|&p| u64::from(freq(&parts, &postings, p)))
                    .sum::<u64>(),
            );
            matching.push(m);
        }
        let mut order: Vec<usize> = (0..spec.clauses.len()).collect();
        order.sort_by_key(|&c| sizes[c]);
        let filter = match &spec.filter {
            Some(w) => Some(Probe::new(w.scorer(seg, 1.0)?)),
            None => None,
        };

        let exclusions = spec
            .exclusions
            .iter()
            .map(|w| w.scorer(seg, 1.0).map(Probe::new))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Some(SegmentMatcher {
            postings,
            infos,
            max_doc: seg.max_doc(),
            end: end.min(seg.max_doc()),
            parts,
            clauses: spec.clauses.clone(),
            matching,
            order,
            bonuses: spec.bonuses.clone(),
            filter,
            exclusions,
            pos: Vec::new(),
            next: Vec::new(),
        }))
    }

    /// The first task at or after `target` having every word of part `p`.
    fn part_seek(&mut self, p: usize, mut target: DocId) -> DocId {
        let terms = &self.parts[p].terms;
        if terms.is_empty() {
            return TERMINATED;
        }
        'outer: loop {
            for &t in terms {
                let Some(post) = self.postings[t].as_mut() else {
                    return TERMINATED;
                };
                let d = seek(post, target);
                if d != target {
                    if d == TERMINATED {
                        return TERMINATED;
                    }
                    target = d;
                    continue 'outer;
                }
            }
            return target;
        }
    }

    /// Whether every word of part `p` is in `doc`. Moves no posting list
    /// past `doc`: lists shared between parts stay valid for `doc`.
    fn part_at(&mut self, p: usize, doc: DocId) -> bool {
        let terms = &self.parts[p].terms;
        !terms.is_empty()
            && terms.iter().all(|&t| {
                self.postings[t]
                    .as_mut()
                    .is_some_and(|post| seek(post, doc) == doc)
            })
    }

    /// The first task at or after `target` having every word of one of the
    /// matching parts of clause `c`.
    fn clause_seek(&mut self, c: usize, target: DocId) -> DocId {
        let mut best = TERMINATED;
        for i in 0..self.matching[c].len() {
            let p = self.matching[c][i];
            let d = self.part_seek(p, target);
            if d == target {
                return d;
            }
            best = best.min(d);
        }
        best
    }

    /// The first candidate at or after `target`: a task where every clause
    /// has the words of one of its matching parts and the filter matches.
    /// Phrases and exclusions are not checked yet.
    pub(crate) fn next_candidate(&mut self, mut target: DocId) -> DocId {
        'outer: loop {
            if target >= self.end {
                return TERMINATED;
            }
            for i in 0..self.order.len() {
                let c = self.order[i];
                let d = self.clause_seek(c, target);
                if d != target {
                    target = d;
                    continue 'outer;
                }
            }
            // The filter is only asked about candidates: a membership test
            // gives a lower bound of its next member, not the member.
            if let Some(f) = self.filter.as_mut() {
                let d = f.next_from(target);
                if d != target {
                    target = d;
                    continue 'outer;
                }
            }
            return target;
        }
    }

    /// Whether an exclusion matches candidate `doc` (candidates in order).
    pub(crate) fn excluded(&mut self, doc: DocId) -> bool {
        self.exclusions.iter_mut().any(|p| p.contains(doc))
    }

    /// How often phrase part `p` occurs in `doc` (its words are all there).
    fn phrase_freq(&mut self, p: usize) -> u32 {
        let terms = &self.parts[p].terms;
        self.pos.clear();
        if let Some(first) = self.postings[terms[0]].as_mut() {
            first.positions(&mut self.pos);
        }
        for (offset, &t) in terms.iter().enumerate().skip(1) {
            if self.pos.is_empty() {
                return 0;
            }
            self.next.clear();
            if let Some(post) = self.postings[t].as_mut() {
                post.positions(&mut self.next);
            }
            // Keep the starts `s` with word `offset` at `s + offset`.
            let offset = offset as u32;
            let (mut i, mut j, mut kept) = (0, 0, 0);
            while i < self.pos.len() && j < self.next.len() {
                let want = self.pos[i] + offset;
                match want.cmp(&self.next[j]) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        self.pos[kept] = self.pos[i];
                        kept += 1;
                        i += 1;
                        j += 1;
                    }
                }
            }
            self.pos.truncate(kept);
        }
        self.pos.len() as u32
    }

    /// The score of part `p` in `doc`, or `None` when it is absent. With
    /// `exact` false a phrase is counted as often as its rarest word (a bound).
    fn part_score(&mut self, p: usize, doc: DocId, exact: bool) -> Option<f32> {
        if !self.part_at(p, doc) {
            return None;
        }
        let terms = &self.parts[p].terms;
        let freq = if terms.len() == 1 {
            self.postings[terms[0]]
                .as_ref()
                .map_or(0, |t| t.term_freq())
        } else if exact {
            self.phrase_freq(p)
        } else {
            terms
                .iter()
                .filter_map(|&t| self.postings[t].as_ref().map(|t| t.term_freq()))
                .min()
                .unwrap_or(0)
        };
        if freq == 0 {
            return None;
        }
        let part = &self.parts[p];
        Some(part.bm25.score(part.norms.fieldnorm_id(doc), freq))
    }

    /// The score of candidate `doc` (`exact`), or a bound of it (`!exact`);
    /// `None` when, exactly, a clause does not match. The parts' scores are
    /// added one by one in the spec's order (the order [`Windows`] adds them
    /// in, so both compute the same bound).
    pub(crate) fn score(&mut self, doc: DocId, exact: bool) -> Option<f32> {
        let mut total = 0.0f32;
        for c in 0..self.clauses.len() {
            let mut matched = false;
            for i in 0..self.clauses[c].len() {
                let p = self.clauses[c][i];
                if let Some(s) = self.part_score(p, doc, exact) {
                    total += s;
                    matched |= self.parts[p].matching;
                }
            }
            if !matched {
                return None;
            }
        }
        for i in 0..self.bonuses.len() {
            if let Some(s) = self.part_score(self.bonuses[i], doc, exact) {
                total += s;
            }
        }
        Some(total)
    }

    /// Whether candidate `doc` matches exactly: every clause has one of its
    /// matching parts there (a phrase checked by its positions).
    pub(crate) fn matches(&mut self, doc: DocId) -> bool {
        for c in 0..self.matching.len() {
            let mut found = false;
            for i in 0..self.matching[c].len() {
                let p = self.matching[c][i];
                if self.part_at(p, doc)
                    && (self.parts[p].terms.len() == 1 || self.phrase_freq(p) > 0)
                {
                    found = true;
                    break;
                }
            }
            if !found {
                return false;
            }
        }
        true
    }

    /// Whether a clause matches by a phrase (a match needs positions).
    pub(crate) fn has_phrase_clauses(&self) -> bool {
        self.matching
            .iter()
            .flatten()
            .any(|&p| self.parts[p].terms.len() > 1)
    }

    /// Whether term-at-a-time windows ([`Windows`]) should beat the
    /// leapfrog for the rest of the range, after the leapfrog found `seen`
    /// candidates from document `from` to `doc`. The leapfrog
    /// costs a seek per live posting list per candidate; windows read every
    /// posting (several times cheaper each) and clear every window.
    pub(crate) fn windows_pay(&self, seen: u32, from: DocId, doc: DocId) -> bool {
        let live: Vec<u64> = self
            .postings
            .iter()
            .flatten()
            .map(|p| u64::from(p.doc_freq()))
            .collect();
        // Costs over the rest of the range, per document.
        let span = u64::from(doc.saturating_sub(from).max(1));
        let rest = u64::from(self.end.saturating_sub(doc));
        let leapfrog = u64::from(seen) * live.len() as u64 * 5 * rest / span;
        let postings = live.iter().sum::<u64>() * rest / u64::from(self.max_doc.max(1));
        let windows = 2 * postings + rest / 2;
        leapfrog > windows
    }

    /// Whether a part is a phrase (its exact score needs positions).
    pub(crate) fn has_phrases(&self) -> bool {
        self.parts.iter().any(|p| p.terms.len() > 1)
    }

    /// Whether `doc` passes the filter (candidates in order).
    pub(crate) fn filtered_in(&mut self, doc: DocId) -> bool {
        self.filter.as_mut().is_none_or(|f| f.contains(doc))
    }
}

/// Frequencies below this are scored from a table per part (by field norm).
const TABLE_TF: usize = 4;

/// Documents scored a window at a time.
const WINDOW: u32 = 4096;

/// One word's postings read a block at a time, for [`Windows`].
struct TermBlocks {
    postings: BlockSegmentPostings,
    /// The next posting in the current block.
    idx: usize,
    started: bool,
    done: bool,
}

impl TermBlocks {
    /// Collects the postings in `lo..hi` as (offset from `lo`, frequency).
    /// Windows must come in order.
    fn fill(&mut self, lo: DocId, hi: DocId, out: &mut Vec<(u32, u32)>) {
        out.clear();
        if self.done {
            return;
        }
        if !self.started {
            self.idx = self.postings.seek(lo);
            self.started = true;
        }
        loop {
            let len = self.postings.block_len();
            if len == 0 {
                self.done = true;
                return;
            }
            let docs = self.postings.docs();
            let freqs = self.postings.freqs();
            while self.idx < len {
                let d = docs[self.idx];
                if d >= hi {
                    if d == TERMINATED {
                        self.done = true;
                    }
                    return;
                }
                if d >= lo {
                    out.push((d - lo, freqs.get(self.idx).copied().unwrap_or(1)));
                }
                self.idx += 1;
            }
            self.postings.advance();
            self.idx = 0;
        }
    }
}

/// Term-at-a-time scoring of windows of [`WINDOW`] documents: every part's
/// postings in the window are read in one pass and their scores added into
/// an array, phrases bounded by their rarest word. Cheaper than moving every
/// posting list to every candidate when the words are frequent.
pub(crate) struct Windows {
    terms: Vec<Option<TermBlocks>>,
    bufs: Vec<Vec<(u32, u32)>>,
    /// Per part, its documents in the window (phrases only).
    lists: Vec<Vec<(u32, u32)>>,
    /// Scratch: a part's words, shortest list first.
    terms_buf: Vec<usize>,
    score: Vec<f32>,
    mask: Vec<u64>,
    /// The next window's first document.
    lo: DocId,
    max_doc: DocId,
}

impl Windows {
    /// Windows of `m`'s documents from `doc` to the end of its range;
    /// `None` when the query has too many clauses for the clause mask.
    pub(crate) fn new(m: &SegmentMatcher<'_>, doc: DocId) -> tantivy::Result<Option<Windows>> {
        if m.clauses.len() > 64 {
            return Ok(None);
        }
        let mut terms = Vec::with_capacity(m.infos.len());
        for info in &m.infos {
            terms.push(match info {
                Some((inverted, info)) => Some(TermBlocks {
                    postings: inverted
                        .read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?,
                    idx: 0,
                    started: false,
                    done: false,
                }),
                None => None,
            });
        }
        Ok(Some(Windows {
            bufs: vec![Vec::new(); terms.len()],
            terms,
            lists: vec![Vec::new(); m.parts.len()],
            terms_buf: Vec::new(),
            score: vec![0.0; WINDOW as usize],
            mask: vec![0; WINDOW as usize],
            lo: doc,
            max_doc: m.end,
        }))
    }

    /// Collects into `lists[p]` the documents of the window having every
    /// word of part `p` (a phrase: with its rarest word's frequency).
    /// With `only`, just the documents whose clause mask is `only`.
    fn join(&mut self, m: &SegmentMatcher<'_>, p: usize, only: Option<u64>) {
        let mut joined = std::mem::take(&mut self.lists[p]);
        joined.clear();
        // The shortest list first; every other one is searched for its entries.
        let mut terms = std::mem::take(&mut self.terms_buf);
        terms.clear();
        terms.extend_from_slice(&m.parts[p].terms);
        terms.sort_by_key(|&t| self.bufs[t].len());
        if let Some((&first, rest)) = terms.split_first() {
            match only {
                Some(full) => joined.extend(
                    self.bufs[first]
                        .iter()
                        .filter(|(off, _)| self.mask.get(*off as usize) == Some(&full)),
                ),
                None => joined.extend_from_slice(&self.bufs[first]),
            }
            for &t in rest {
                let other: &[(u32, u32)] = &self.bufs[t];
                let mut kept = 0;
                if other.len() > 16 * joined.len() {
                    // Galloping pays when the other list is much longer.
                    let mut rest: &[(u32, u32)] = other;
                    for i in 0..joined.len() {
                        let (a, fa) = joined[i];
                        let mut step = 1;
                        while step < rest.len() && rest[step].0 < a {
                            step *= 2;
                        }
                        let end = (step + 1).min(rest.len());
                        rest = &rest[rest[..end].partition_point(|e| e.0 < a)..];
                        match rest.first() {
                            Some(&(b, fb)) if b == a => {
                                joined[kept] = (a, fa.min(fb));
                                kept += 1;
                            }
                            Some(_) => {}
                            None => break,
                        }
                    }
                } else {
                    let (mut i, mut j) = (0, 0);
                    while i < joined.len() && j < other.len() {
                        let (a, fa) = joined[i];
                        let (b, fb) = other[j];
                        if a < b {
                            i += 1;
                        } else if a > b {
                            j += 1;
                        } else {
                            joined[kept] = (a, fa.min(fb));
                            kept += 1;
                            i += 1;
                            j += 1;
                        }
                    }
                }
                joined.truncate(kept);
            }
        }
        self.terms_buf = terms;
        self.lists[p] = joined;
    }

    /// Scores the next window; collects into `out` every document (with its
    /// bound) where each clause has the words of a matching part and `keep`
    /// accepts the bound, in order. Returns false when no window is left.
    pub(crate) fn next_window(
        &mut self,
        m: &SegmentMatcher<'_>,
        keep: impl Fn(f32) -> bool,
        out: &mut Vec<(DocId, f32)>,
    ) -> bool {
        out.clear();
        let lo = self.lo;
        if lo >= self.max_doc {
            return false;
        }
        let hi = lo.saturating_add(WINDOW).min(self.max_doc);
        self.lo = hi;
        for (t, buf) in self.terms.iter_mut().zip(self.bufs.iter_mut()) {
            match t {
                Some(t) => t.fill(lo, hi, buf),
                None => buf.clear(),
            }
        }
        // Phrases deciding a match are joined first; the others once the
        // matching tasks are known, for those tasks only.
        for p in 0..m.parts.len() {
            if m.parts[p].terms.len() > 1 && m.parts[p].matching {
                self.join(m, p, None);
            }
        }
        let n = (hi - lo) as usize;
        self.score[..n].fill(0.0);
        self.mask[..n].fill(0);
        // First which tasks every clause matches, then the scores of those
        // only, part by part in the spec's order.
        for (c, parts) in m.clauses.iter().enumerate() {
            for &p in parts.iter().filter(|&&p| m.parts[p].matching) {
                let list: &[(u32, u32)] = match m.parts[p].terms.as_slice() {
                    [] => &[],
                    [one] => &self.bufs[*one],
                    _ => &self.lists[p],
                };
                for &(off, _) in list {
                    if let Some(mk) = self.mask.get_mut(off as usize) {
                        *mk |= 1u64 << c;
                    }
                }
            }
        }
        let full = if m.clauses.len() == 64 {
            u64::MAX
        } else {
            (1u64 << m.clauses.len()) - 1
        };
        if !self.mask[..n].contains(&full) {
            return true;
        }
        for p in 0..m.parts.len() {
            if m.parts[p].terms.len() > 1 && !m.parts[p].matching {
                self.join(m, p, Some(full));
            }
        }
        let order = m.clauses.iter().flatten().chain(m.bonuses.iter());
        for &p in order {
            let part = &m.parts[p];
            let list: &[(u32, u32)] = match part.terms.as_slice() {
                [] => &[],
                [one] => &self.bufs[*one],
                _ => &self.lists[p],
            };
            let table = part.table;
            let mask = &self.mask[..n];
            let score = &mut self.score[..n];
            for &(off, freq) in list {
                let i = off as usize;
                if mask.get(i) == Some(&full) {
                    let norm = part.norms.fieldnorm_id(lo + off);
                    // The same value as `bm25.score`, looked up for small frequencies.
                    let add = match table.get(usize::from(norm) * TABLE_TF + freq as usize) {
                        Some(&v) if (freq as usize) < TABLE_TF => v,
                        _ => part.bm25.score(norm, freq),
                    };
                    if let Some(s) = score.get_mut(i) {
                        *s += add;
                    }
                }
            }
        }
        for (i, (&mk, &s)) in self.mask[..n].iter().zip(&self.score[..n]).enumerate() {
            if mk == full && keep(s) {
                out.push((lo + i as u32, s));
            }
        }
        true
    }
}
