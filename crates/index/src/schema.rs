//! The tantivy schema and the tokenizer of kehoach's index.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer};

/// The name the word tokenizer is registered under.
pub(crate) const WORDS: &str = "kh_words";

/// `doc_kind` of a plan document.
pub(crate) const KIND_PLAN: &str = "plan";
/// `doc_kind` of a task document.
pub(crate) const KIND_TASK: &str = "task";

/// The word tokenizer: runs of letters and digits, lower-cased, diacritics
/// kept. Text must be NFC before it gets here (NFD combining marks are not
/// alphanumeric and would split words).
pub(crate) fn words_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .build()
}

/// Handles on every field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// `plan` or `task`.
    pub doc_kind: Field,
    /// The plan id (16 hex digits), on both kinds.
    pub plan_id: Field,
    /// The imported file's path (plan documents).
    pub file_path: Field,
    /// The imported file's path, indexed on both kinds (replacing and removing by path).
    pub path_key: Field,
    /// The imported file's SHA-256 (plan documents).
    pub file_sha: Field,
    /// Contract JSON: the plan without tasks, or one task.
    pub record: Field,
    /// Number of tasks (plan documents).
    pub task_count: Field,
    /// Task `seq`.
    pub seq: Field,
    /// Task content, exact.
    pub text_exact: Field,
    /// Task content, folded.
    pub text_fold: Field,
    /// Product, lead, support and deadline, exact.
    pub more_exact: Field,
    /// Product, lead, support and deadline, folded.
    pub more_fold: Field,
    /// The plan's year.
    pub year: Field,
    /// The issuer's name, folded (filter).
    pub issuer_fold: Field,
    /// The issuer code, upper case (filter).
    pub issuer_code: Field,
    /// The lead units, folded, one value per unit (filter).
    pub lead_fold: Field,
    /// The deadline kind.
    pub due_kind: Field,
    /// The deadline date as `YYYYMMDD`.
    pub due_by: Field,
    /// Facets: `/year/…`, `/issuer/…`, `/code/…`, `/place/…`, `/lead/…`, `/kind/…`, `/due/YYYY-MM`.
    pub facets: Field,
    /// The numbers the plan's basis and (on task documents) the task's
    /// references cite, as link keys (filter `cites:`); on both kinds.
    /// `None` in indexes made before links were indexed.
    pub cites: Option<Field>,
    /// The plan's own number as a link key (plan documents); `None` as above.
    pub number_key: Option<Field>,
}

fn text(stored: bool) -> TextOptions {
    let idx = TextFieldIndexing::default()
        .set_tokenizer(WORDS)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let opts = TextOptions::default().set_indexing_options(idx);
    if stored {
        opts.set_stored()
    } else {
        opts
    }
}

/// Builds the schema.
pub(crate) fn build() -> (Schema, Fields) {
    build_with(true)
}

/// Builds the schema, with the link fields (`cites`, `number_key`) or, as
/// indexes made before them have it, without.
pub(crate) fn build_with(links: bool) -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        doc_kind: b.add_text_field("doc_kind", STRING),
        plan_id: b.add_text_field("plan_id", STRING | STORED),
        file_path: b.add_text_field("file_path", STRING | STORED),
        path_key: b.add_text_field("path_key", STRING),
        file_sha: b.add_text_field("file_sha", STRING | STORED),
        record: b.add_text_field("record", STORED),
        task_count: b.add_u64_field("task_count", STORED),
        seq: b.add_u64_field("seq", STORED | FAST),
        text_exact: b.add_text_field("text_exact", text(false)),
        text_fold: b.add_text_field("text_fold", text(false)),
        more_exact: b.add_text_field("more_exact", text(false)),
        more_fold: b.add_text_field("more_fold", text(false)),
        year: b.add_i64_field("year", INDEXED | FAST),
        issuer_fold: b.add_text_field("issuer_fold", text(false)),
        issuer_code: b.add_text_field("issuer_code", STRING | FAST),
        lead_fold: b.add_text_field("lead_fold", text(false)),
        due_kind: b.add_text_field("due_kind", STRING | FAST),
        due_by: b.add_i64_field("due_by", INDEXED | FAST),
        facets: b.add_facet_field("facets", tantivy::schema::FacetOptions::default()),
        cites: None,
        number_key: None,
    };
    let fields = if links {
        Fields {
            cites: Some(b.add_text_field("cites", STRING)),
            number_key: Some(b.add_text_field("number_key", STRING)),
            ..fields
        }
    } else {
        fields
    };
    (b.build(), fields)
}

/// NFC, then [`kehoach_text::fold`].
pub(crate) fn fold_nfc(s: &str) -> String {
    kehoach_text::fold(&kehoach_text::nfc(s))
}

/// Runs the word tokenizer over `text`.
pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// `YYYY-MM-DD` → `YYYYMMDD` as a number.
pub(crate) fn date_key(iso: &str) -> Option<i64> {
    let d = kehoach_plan::date::Date::parse_iso(iso)?;
    Some(i64::from(d.year) * 10_000 + i64::from(d.month) * 100 + i64::from(d.day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_keeps_diacritics_and_folds_separately() {
        let mut a = words_analyzer();
        assert_eq!(
            tokens(&mut a, "Hồ sơ TRỰC TUYẾN (VP-TK)"),
            vec!["hồ", "sơ", "trực", "tuyến", "vp", "tk"]
        );
        assert_eq!(
            tokens(&mut a, &fold_nfc("Hồ sơ ĐIỆN tử")),
            vec!["ho", "so", "dien", "tu"]
        );
        // NFD input is composed first.
        assert_eq!(
            tokens(&mut a, &kehoach_text::nfc("ho\u{0302}\u{0300} so\u{031B}")),
            vec!["hồ", "sơ"]
        );
    }

    #[test]
    fn date_keys() {
        assert_eq!(date_key("2024-02-01"), Some(20_240_201));
        assert_eq!(date_key("2024-13-01"), None);
    }
}
