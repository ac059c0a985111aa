//! Bytes to plan: the library every kehoach front end (the command line, the
//! Python package, cluster workers) reads documents through.
//!
//! - [`detect`] tells the format from content, [`read_document`] runs the
//!   reader of that format into the document model, [`plan_from_bytes`] adds
//!   the extractor: a `kehoach/plan@1` record.
//! - [`Limits`] bound the work one document may cause; [`isolated`] runs one
//!   document on a thread of its own with its panics contained and a time
//!   budget, so that one bad file fails alone ([`Failure`]) and the batch
//!   goes on.
//! - [`Batch`] extracts many inputs in parallel and hands the results back
//!   in input order, with memory bounded by a window of documents.
//! - [`walk`] turns files and directory trees into the list of inputs;
//!   [`import`] reads them (zip archives entry by entry) into a
//!   [`kehoach_index::Store`].
//!
//! ```no_run
//! let bytes = std::fs::read("corpus/plan.txt")?;
//! let plan = kehoach_pipeline::plan_from_bytes("plan.txt", &bytes)?;
//! println!("{} tasks", plan.tasks.len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod archive;
mod batch;
mod detect;
pub mod import;
mod isolate;
mod limits;
pub mod ocr_cache;
mod read;
pub mod walk;

pub use archive::{for_each_document, is_archive, is_office_document, Entry, MAX_ZIP_DEPTH};
pub use batch::{Batch, BatchOptions, Extracted, Input, Outcome};
pub use detect::{detect, sha256_file, sha256_hex, Detected};
pub use isolate::{
    check_deadline, install_quiet_panic_hook, isolated, panic_message, plan_from_bytes_isolated,
    Deadline,
};
pub use limits::{read_file, Limits};
pub use read::{
    is_a_plan, plan_from_bytes, plan_from_bytes_with, plan_from_path, plan_json, read_document,
};

/// What kind of failure kept a document from being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The file could not be opened or read.
    Io,
    /// Over a limit (size, pages, rows, cells, archive expansion).
    Limit,
    /// Not read within the time budget.
    TimedOut,
    /// The reader of its format refused it (damaged, unsupported, not a document).
    Reader,
    /// A reader failed unexpectedly (a contained panic).
    Panic,
    /// Read, but nothing of a plan was found in it (import only).
    NotAPlan,
}

impl FailureKind {
    /// The kind's name as JSON and Python show it (`io`, `limit`, `timed_out`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Io => "io",
            FailureKind::Limit => "limit",
            FailureKind::TimedOut => "timed_out",
            FailureKind::Reader => "reader",
            FailureKind::Panic => "panic",
            FailureKind::NotAPlan => "not_a_plan",
        }
    }
}

/// Why one document could not be read: its kind and a message for people
/// (without the document's name, which the caller holds).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Failure {
    /// What kind of failure.
    pub kind: FailureKind,
    /// What went wrong, for people.
    pub reason: String,
}

impl Failure {
    /// A failure of `kind` with `reason`.
    pub fn new(kind: FailureKind, reason: impl Into<String>) -> Failure {
        Failure {
            kind,
            reason: reason.into(),
        }
    }

    /// A reader's error, with its chain of causes joined by `: `.
    pub fn reader(err: &(dyn std::error::Error + 'static)) -> Failure {
        let mut reason = err.to_string();
        let mut source = err.source();
        while let Some(s) = source {
            let msg = s.to_string();
            if !reason.contains(&msg) {
                reason.push_str(": ");
                reason.push_str(&msg);
            }
            source = s.source();
        }
        Failure::new(FailureKind::Reader, reason)
    }
}

/// Errors of a whole operation (not of one document: those are [`Failure`]s).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An `--exclude` pattern that is not a valid glob.
    #[error("--exclude {glob}: {message}")]
    Glob {
        /// The pattern as given.
        glob: String,
        /// What is wrong with it.
        message: String,
    },
    /// The index or plan store failed.
    #[error(transparent)]
    Index(#[from] kehoach_index::Error),
    /// Worker threads could not be started.
    #[error("cannot start the extraction threads: {0}")]
    Threads(String),
    /// Bad options.
    #[error("{0}")]
    Options(String),
}
