//! The embedded search index and plan store of kehoach.
//!
//! A data directory (`kehoach import --data DIR`) holds one tantivy index in
//! `DIR/index/` and a format marker `DIR/FORMAT`. Nothing else is needed: no
//! server, no second database. The index holds two kinds of documents:
//!
//! * one **plan document** per imported file: the imported file's path and
//!   SHA-256, the plan id (the first 16 hex digits of that SHA-256), the task
//!   count and the plan record without its tasks (`source`, `meta`,
//!   `warnings`) as contract JSON;
//! * one **task document** per task record: the task as contract JSON, the
//!   plan id, and the searchable fields. The task text is indexed twice:
//!   *exact* (lower-cased, diacritics kept) and *folded* (diacritics removed,
//!   `đ`→`d`, see [`kehoach_text::fold`]), so a query typed without
//!   diacritics finds the text with them, and a query typed with them ranks
//!   the exact spelling first. Year, issuer, issuer code, place, lead units,
//!   deadline kind and deadline date are facets and fast fields.
//!
//! A plan's documents are always added between two commits, so a reader sees
//! a plan either whole or not at all, and a killed import leaves the last
//! committed state. [`Store`] opens a data directory for reading;
//! [`Store::writer`] takes the single writer lock ([`Error::Locked`] when
//! another import holds it).

mod backend;
mod engine;
mod error;
pub mod links;
mod query;
pub mod ranking;
mod schema;
mod search;
mod snippet;
mod store;
mod verify;
mod writer;

pub use backend::{sort_archive_order, PlanStore, PlanWriter};
pub use error::{Error, Result};
pub use query::{parse_query, Clause};
pub use search::{
    top_facet_values, FacetCount, Hit, HitPlan, SearchRequest, SearchResults, TrackTotal, FACETS,
    TOTAL_CAP,
};
pub use snippet::{html_escape, snippet};
pub use store::{is_data_dir, PlanHead, PlanSummary, Store, DEFAULT_DATA_DIR};
pub use verify::{Problem, ProblemKind, StoredFile, VerifyReport};
pub use writer::{plan_id, Writer, WriterOptions};
