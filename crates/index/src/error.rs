//! The index's error type.

use std::path::PathBuf;

/// What can go wrong with a data directory.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another process holds the writer lock of the index.
    #[error("index is locked by another import ({0}); wait for it to finish and run again")]
    Locked(PathBuf),
    /// The data directory holds no index yet.
    #[error("no index in {0}: run `kehoach import` first (or pass --data DIR)")]
    NotFound(PathBuf),
    /// The data directory was written by an incompatible version.
    #[error("{path}: the index was created by an incompatible version of kehoach ({detail})")]
    Incompatible {
        /// The data directory.
        path: PathBuf,
        /// What differs.
        detail: String,
    },
    /// A file system operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// tantivy reported an error.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// A stored record could not be read back.
    #[error("corrupt stored record ({0})")]
    Corrupt(String),
    /// A database store failed (what was being done, and why).
    #[error("database: {0}")]
    Database(String),
    /// A search request is not valid.
    #[error("invalid search: {0}")]
    InvalidQuery(String),

    /// [`crate::PlanStore::search_all`] matched more tasks than its caller reads.
    #[error("{total} tasks match; at most {max} are read at once: add words or filters")]
    TooManyMatches {
        /// Matching tasks.
        total: u64,
        /// The most the caller reads.
        max: u64,
    },
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Maps tantivy's lock failure to [`Error::Locked`].
    pub(crate) fn from_writer(err: tantivy::TantivyError, dir: &std::path::Path) -> Error {
        match err {
            tantivy::TantivyError::LockFailure(..) => Error::Locked(dir.to_path_buf()),
            other => Error::Tantivy(other),
        }
    }
}
