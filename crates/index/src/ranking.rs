//! The ranking rules of a search, independent of the tantivy index, so that
//! another store (the PostgreSQL store) matches and scores tasks exactly as
//! the embedded index does.
//!
//! A task has four scored text fields ([`TextField`]): the task content
//! exact and folded, and the other columns (product, lead, support,
//! deadline) exact and folded. [`task_fields`] gives the words of each at
//! their index positions (a gap between the values of a field, as the index
//! leaves one) and its length; [`plan_query`] turns a search into clauses of
//! scored parts, bonuses, exclusions and filters; [`Bm25`] is the index's
//! BM25 weight of a part, computed from the same statistics (documents in
//! the index, plans included; tokens per field; documents per word).

use crate::error::{Error, Result};
use crate::query::parse_query;
use crate::schema::{date_key, fold_nfc, words_analyzer};
use crate::search::SearchRequest;
use kehoach_plan::{Plan, Task};
use std::collections::HashSet;
use tantivy::tokenizer::TextAnalyzer;

/// Boost of a match in the exact (diacritics kept) task text.
pub(crate) const BOOST_EXACT: f32 = 2.0;
/// Boost of a match in the folded task text.
pub(crate) const BOOST_FOLD: f32 = 1.0;
/// Boost of a match in the other columns (product, lead, support, deadline), exact.
pub(crate) const BOOST_MORE_EXACT: f32 = 0.5;
/// Boost of a match in the other columns, folded.
pub(crate) const BOOST_MORE_FOLD: f32 = 0.25;
/// Boost of the loose query words found together, in order (a phrase).
pub(crate) const BOOST_PROXIMITY: f32 = 1.5;

/// The deadline kinds a `kind` filter accepts.
pub const KINDS: &[&str] = &[
    "date",
    "month",
    "months",
    "quarter",
    "year",
    "continuous",
    "periodic",
    "conditional",
];

/// The scored text fields of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TextField {
    /// Task content, lower-cased, diacritics kept.
    TextExact,
    /// Task content, folded.
    TextFold,
    /// Product, lead, support and deadline, exact.
    MoreExact,
    /// Product, lead, support and deadline, folded.
    MoreFold,
}

impl TextField {
    /// Every field, in the order of [`task_fields`].
    pub const ALL: [TextField; 4] = [
        TextField::TextExact,
        TextField::TextFold,
        TextField::MoreExact,
        TextField::MoreFold,
    ];

    /// The field's number: its place in [`TextField::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A scoring part: words (one, or a phrase) in one field, boosted.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The field.
    pub field: TextField,
    /// The words, in phrase order.
    pub words: Vec<String>,
    /// The boost.
    pub boost: f32,
    /// Whether a match of this part makes its clause match (otherwise it
    /// only scores where present).
    pub matching: bool,
}

/// The issuer filter: the issuer code, or the issuer's name words.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuerFilter {
    /// The code as given, upper case (`SYT`).
    pub code: String,
    /// The folded words of the name (a phrase in the folded issuer name).
    pub words: Vec<String>,
}

/// The filters of a search (they do not score).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// The plan's year is in this inclusive range.
    pub years: Option<(i32, i32)>,
    /// The plan's issuer.
    pub issuer: Option<IssuerFilter>,
    /// The folded words of a lead unit (a phrase within one unit).
    pub lead: Option<Vec<String>>,
    /// The deadline (`YYYYMMDD`) is on or before this.
    pub due_by_max: Option<i64>,
    /// The deadline kind.
    pub kind: Option<String>,
    /// The plan's place, exactly (NFC, trimmed).
    pub place: Option<String>,
    /// `cites:NUMBER`: numbers (link keys, see [`crate::links::number_key`])
    /// the plan's basis or the task's references must cite, each.
    pub cites: Vec<String>,
}

impl Filters {
    /// Whether any filter is set.
    pub fn any(&self) -> bool {
        self.years.is_some()
            || self.issuer.is_some()
            || self.lead.is_some()
            || self.due_by_max.is_some()
            || self.kind.is_some()
            || self.place.is_some()
            || !self.cites.is_empty()
    }
}

/// A search as clauses, bonuses, exclusions and filters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryPlan {
    /// The positive clauses, each its parts in scoring order: a task
    /// matches a clause when one of its matching parts is present.
    pub clauses: Vec<Vec<Part>>,
    /// Parts scored where present (the loose words standing together).
    pub proximity: Vec<Part>,
    /// The negated clauses (their matching parts): a task matching one is left out.
    pub exclusions: Vec<Vec<Part>>,
    /// The filters.
    pub filters: Filters,
    /// Folded words to highlight.
    pub highlight: HashSet<String>,
}

impl QueryPlan {
    /// Whether the search scores (has a positive clause); otherwise every match scores 0.
    pub fn scored(&self) -> bool {
        !self.clauses.is_empty()
    }

    /// Every part that scores, in the order the index adds their scores:
    /// the clauses' parts, then the bonuses.
    pub fn scoring_parts(&self) -> impl Iterator<Item = &Part> {
        self.clauses.iter().flatten().chain(self.proximity.iter())
    }
}

/// Runs the word tokenizer over `text`: the tokens with their positions.
fn positioned(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        out.push((t.position, t.text.clone()));
    }
    out
}

/// The words of a search text (NFC, lower case, diacritics kept).
pub fn exact_words(text: &str) -> Vec<String> {
    crate::schema::tokens(&mut words_analyzer(), &kehoach_text::nfc(text))
}

/// The folded words of a search text.
pub fn folded_words(text: &str) -> Vec<String> {
    crate::schema::tokens(&mut words_analyzer(), &fold_nfc(text))
}

/// The words of one field of a document at their index positions: element
/// `i` is the word at position `i`, or `""` where there is none (between
/// values, where a too long word was dropped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldWords {
    /// Words by position.
    pub words: Vec<String>,
    /// Number of words (the field's length for BM25).
    pub len: u32,
    /// Where the next value starts.
    next: usize,
}

impl FieldWords {
    /// Adds one value of a multi-valued field: it starts one position past
    /// the end of the previous value, as in the index.
    fn add(&mut self, analyzer: &mut TextAnalyzer, value: &str) {
        let base = self.next;
        let mut end = base;
        for (pos, word) in positioned(analyzer, value) {
            let at = base + pos;
            while self.words.len() < at {
                self.words.push(String::new());
            }
            self.words.push(word);
            end = end.max(at + 1);
            self.len += 1;
        }
        self.next = end + 1;
    }

    /// The field's length as the index stores it (quantized, 0–255).
    pub fn norm_id(&self) -> u8 {
        tantivy::fieldnorm::FieldNormReader::fieldnorm_to_id(self.len)
    }
}

/// The four scored fields of a task, in [`TextField::ALL`] order.
pub fn task_fields(task: &Task) -> [FieldWords; 4] {
    let mut a = words_analyzer();
    let mut out: [FieldWords; 4] = Default::default();
    if let Some(content) = &task.content {
        out[0].add(&mut a, &kehoach_text::nfc(content));
        out[1].add(&mut a, &fold_nfc(content));
    }
    for more in [&task.product, &task.lead, &task.support, &task.deadline]
        .into_iter()
        .flatten()
    {
        out[2].add(&mut a, &kehoach_text::nfc(more));
        out[3].add(&mut a, &fold_nfc(more));
    }
    for f in &mut out {
        trim_gaps(&mut f.words);
    }
    out
}

fn trim_gaps(words: &mut Vec<String>) {
    while words.last().is_some_and(String::is_empty) {
        words.pop();
    }
}

/// The lead units of a task as the index files them: the trimmed
/// `lead_units` (or the `lead` column when there are none), NFC, repeats
/// next to each other dropped. These are the `lead` facet values.
pub fn lead_units(task: &Task) -> Vec<String> {
    let mut units: Vec<&str> = task
        .lead_units
        .iter()
        .map(String::as_str)
        .filter(|u| !u.trim().is_empty())
        .collect();
    if units.is_empty() {
        units.extend(task.lead.as_deref());
    }
    units.dedup();
    units
        .into_iter()
        .map(|u| kehoach_text::nfc(u).into_owned())
        .collect()
}

/// The folded words of the lead units at their positions (the `lead` filter's field).
pub fn lead_words(units: &[String]) -> Vec<String> {
    let mut a = words_analyzer();
    let mut f = FieldWords::default();
    for u in units {
        f.add(&mut a, &fold_nfc(u));
    }
    trim_gaps(&mut f.words);
    f.words
}

/// Plan-level values every task is filed under, as the index files them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanKeys {
    /// `meta.year`.
    pub year: Option<i32>,
    /// The issuer's name, trimmed, NFC (the `issuer` facet value).
    pub issuer: Option<String>,
    /// The folded words of the issuer's name (the `issuer` filter's field).
    pub issuer_words: Vec<String>,
    /// The issuer code, trimmed, NFC, upper case.
    pub issuer_code: Option<String>,
    /// The place, trimmed, NFC.
    pub place: Option<String>,
}

/// The plan-level values of `plan`.
pub fn plan_keys(plan: &Plan) -> PlanKeys {
    let clean = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| kehoach_text::nfc(s).into_owned())
    };
    let issuer = clean(&plan.meta.issuer);
    let issuer_words = issuer
        .as_deref()
        .map(|i| {
            let mut f = FieldWords::default();
            f.add(&mut words_analyzer(), &fold_nfc(i));
            trim_gaps(&mut f.words);
            f.words
        })
        .unwrap_or_default();
    PlanKeys {
        year: plan.meta.year,
        issuer,
        issuer_words,
        issuer_code: clean(&plan.meta.issuer_code).map(|c| c.to_uppercase()),
        place: clean(&plan.meta.place),
    }
}

/// The deadline of a task as a `YYYYMMDD` number, when it has a valid date.
pub fn due_key(task: &Task) -> Option<i64> {
    task.due
        .as_ref()
        .and_then(|d| d.by.as_deref())
        .and_then(date_key)
}

/// One clause's words and parts.
pub(crate) struct ClausePlan {
    pub exact: Vec<String>,
    pub folded: Vec<String>,
    pub parts: Vec<Part>,
}

/// One clause (a word or a phrase) over the exact and folded fields. A
/// phrase matches on the folded fields only (their positions decide); its
/// matches in the exact fields are bonuses.
pub(crate) fn clause_plan(analyzer: &mut TextAnalyzer, text: &str) -> ClausePlan {
    let exact = crate::schema::tokens(analyzer, &kehoach_text::nfc(text));
    let folded = crate::schema::tokens(analyzer, &fold_nfc(text));
    let mut parts = Vec::new();
    if !folded.is_empty() {
        let phrase = folded.len() >= 2;
        for (field, is_exact, boost) in [
            (TextField::TextExact, true, BOOST_EXACT),
            (TextField::TextFold, false, BOOST_FOLD),
            (TextField::MoreExact, true, BOOST_MORE_EXACT),
            (TextField::MoreFold, false, BOOST_MORE_FOLD),
        ] {
            let words = if is_exact { &exact } else { &folded };
            if words.is_empty() {
                continue;
            }
            parts.push(Part {
                field,
                words: words.clone(),
                boost,
                matching: !(is_exact && phrase && words.len() >= 2),
            });
        }
    }
    ClausePlan {
        exact,
        folded,
        parts,
    }
}

/// The number of a `cites:NUMBER` word (prefix in any case), if the clause is one.
fn cites_value(clause: &crate::query::Clause) -> Option<&str> {
    if clause.phrase {
        return None;
    }
    let head = clause.text.get(..6)?;
    head.eq_ignore_ascii_case("cites:")
        .then(|| &clause.text[6..])
}

/// Turns a search into clauses, bonuses, exclusions and filters, checking
/// the filters ([`Error::InvalidQuery`] for an empty year range, a lead
/// without words, a bad date or an unknown deadline kind).
pub fn plan_query(req: &SearchRequest) -> Result<QueryPlan> {
    let mut analyzer = words_analyzer();
    let mut plan = QueryPlan::default();
    let (mut loose_exact, mut loose_fold) = (Vec::new(), Vec::new());
    for clause in parse_query(&req.query) {
        if let Some(number) = cites_value(&clause) {
            if clause.negated {
                return Err(Error::InvalidQuery(
                    "-cites: is not supported; cites: selects, it does not exclude".into(),
                ));
            }
            let key = crate::links::number_key(number);
            if key.is_empty() {
                return Err(Error::InvalidQuery(
                    "cites: needs a document number (cites:15/KH-UBND)".into(),
                ));
            }
            if !plan.filters.cites.contains(&key) {
                plan.filters.cites.push(key);
            }
            continue;
        }
        let c = clause_plan(&mut analyzer, &clause.text);
        if c.parts.is_empty() {
            continue;
        }
        if clause.negated {
            plan.exclusions
                .push(c.parts.into_iter().filter(|p| p.matching).collect());
        } else {
            plan.clauses.push(c.parts);
            if !clause.phrase {
                loose_exact.extend(c.exact);
                loose_fold.extend(c.folded.iter().cloned());
            }
            plan.highlight.extend(c.folded);
        }
    }
    if loose_fold.len() >= 2 {
        plan.proximity.push(Part {
            field: TextField::TextFold,
            words: loose_fold,
            boost: BOOST_PROXIMITY,
            matching: false,
        });
        if loose_exact.len() >= 2 {
            plan.proximity.push(Part {
                field: TextField::TextExact,
                words: loose_exact,
                boost: BOOST_PROXIMITY,
                matching: false,
            });
        }
    }
    let f = &mut plan.filters;
    if let Some((a, b)) = req.years {
        if a > b {
            return Err(Error::InvalidQuery(format!("empty year range {a}..{b}")));
        }
        f.years = Some((a, b));
    }
    if let Some(issuer) = req
        .issuer
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        f.issuer = Some(IssuerFilter {
            code: issuer.to_uppercase(),
            words: crate::schema::tokens(&mut analyzer, &fold_nfc(issuer)),
        });
    }
    if let Some(lead) = req.lead.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let words = crate::schema::tokens(&mut analyzer, &fold_nfc(lead));
        if words.is_empty() {
            return Err(Error::InvalidQuery(format!("--lead {lead:?} has no words")));
        }
        f.lead = Some(words);
    }
    if let Some(date) = req.due_before.as_deref() {
        f.due_by_max = Some(date_key(date.trim()).ok_or_else(|| {
            Error::InvalidQuery(format!("{date:?} is not a date (expected YYYY-MM-DD)"))
        })?);
    }
    if let Some(kind) = req.kind.as_deref() {
        let kind = kind.trim().to_ascii_lowercase();
        if !KINDS.contains(&kind.as_str()) {
            return Err(Error::InvalidQuery(format!(
                "unknown deadline kind {kind:?} (one of {})",
                KINDS.join(", ")
            )));
        }
        f.kind = Some(kind);
    }
    if let Some(place) = req
        .place
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        f.place = Some(kehoach_text::nfc(place).into_owned());
    }
    Ok(plan)
}

const K1: f32 = 1.2;
const B: f32 = 0.75;

/// The BM25 weight of a part, as the index computes it (single precision):
/// `score = weight * tf / (tf + norm[field length id])`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bm25 {
    /// `idf * (1 + k1) * boost` (a phrase: the sum of its words' idf).
    pub weight: f32,
}

impl Bm25 {
    /// The weight of a part whose words are in `doc_freqs` documents each,
    /// in an index of `docs` documents (plans and tasks).
    pub fn new(doc_freqs: &[u64], docs: u64, boost: f32) -> Bm25 {
        let mut idf_sum = 0.0f32;
        for &n in doc_freqs {
            idf_sum += idf(n.min(docs), docs);
        }
        let mut weight = idf_sum * (1.0 + K1);
        if boost != 1.0 {
            weight *= boost;
        }
        Bm25 { weight }
    }

    /// The score of a part occurring `tf` times in a field of length id `norm_id`.
    pub fn score(&self, norms: &[f32; 256], norm_id: u8, tf: u32) -> f32 {
        let tf = tf as f32;
        self.weight * (tf / (tf + norms[usize::from(norm_id)]))
    }
}

fn idf(doc_freq: u64, docs: u64) -> f32 {
    let x = ((docs - doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
}

/// The length part of BM25 for every field length id, for a field holding
/// `tokens` words over `docs` documents.
pub fn bm25_norms(tokens: u64, docs: u64) -> [f32; 256] {
    let avg = tokens as f32 / docs.max(1) as f32;
    let mut out = [0.0f32; 256];
    for (id, v) in out.iter_mut().enumerate() {
        let len = tantivy::fieldnorm::FieldNormReader::id_to_fieldnorm(id as u8);
        *v = K1 * (1.0 - B + B * len as f32 / avg);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::Bm25Weight;

    #[test]
    fn bm25_is_the_index_formula() {
        for (df, docs, tokens, boost) in [(3u64, 100u64, 900u64, 2.0f32), (40, 5000, 77_000, 0.25)]
        {
            let avg = tokens as f32 / docs as f32;
            let theirs = Bm25Weight::for_one_term(df, docs, avg).boost_by(boost);
            let ours = Bm25::new(&[df], docs, boost);
            let norms = bm25_norms(tokens, docs);
            for norm in [0u8, 7, 40, 200] {
                for tf in [1u32, 2, 9] {
                    assert_eq!(
                        ours.score(&norms, norm, tf).to_bits(),
                        theirs.score(norm, tf).to_bits(),
                        "{df} {docs} {norm} {tf}"
                    );
                }
            }
        }
    }

    #[test]
    fn field_words_keep_the_index_positions() {
        let task = Task {
            content: Some("Hồ sơ, trực tuyến".into()),
            product: Some("Báo cáo".into()),
            lead: Some("Sở Y tế".into()),
            ..Task::default()
        };
        let f = task_fields(&task);
        assert_eq!(f[0].words, ["hồ", "sơ", "trực", "tuyến"]);
        assert_eq!(f[1].words, ["ho", "so", "truc", "tuyen"]);
        assert_eq!(f[3].words, ["bao", "cao", "", "so", "y", "te"]);
        assert_eq!((f[3].len, f[2].len), (5, 5));
        let long = format!("a {} b", "x".repeat(80));
        let t = Task {
            content: Some(long),
            ..Task::default()
        };
        assert_eq!(task_fields(&t)[0].words, ["a", "", "b"]);
        assert_eq!(task_fields(&t)[0].len, 2);
    }

    #[test]
    fn plans_check_filters() {
        let bad = SearchRequest {
            kind: Some("weekly".into()),
            ..Default::default()
        };
        assert!(matches!(plan_query(&bad), Err(Error::InvalidQuery(_))));
        let q = plan_query(&SearchRequest {
            query: "\"một cửa\" hồ sơ -bưu".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(q.clauses.len(), 3);
        assert!(!q.clauses[0][0].matching && q.clauses[0][1].matching);
        assert_eq!(q.proximity.len(), 2);
        assert_eq!(q.exclusions.len(), 1);
        assert!(q.filters.cites.is_empty());
    }

    #[test]
    fn cites_is_a_filter() {
        let q = plan_query(&SearchRequest {
            query: "hồ sơ cites:15/kh-ubnd CITES:15/KH-UBND".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(q.clauses.len(), 2);
        assert_eq!(q.filters.cites, ["15/KH-UBND"]);
        let q = plan_query(&SearchRequest {
            query: "cites:61/2018/NĐ-CP".into(),
            ..Default::default()
        })
        .unwrap();
        assert!(q.clauses.is_empty() && q.filters.any());
        assert_eq!(q.filters.cites, ["61/2018/ND-CP"]);
        for bad in ["cites:", "-cites:15/KH-UBND"] {
            let r = plan_query(&SearchRequest {
                query: bad.into(),
                ..Default::default()
            });
            assert!(matches!(r, Err(Error::InvalidQuery(_))), "{bad}");
        }
    }
}
