//! The PostgreSQL store's error type.

/// What can go wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The connection string could not be read.
    #[error("{conn}: not a PostgreSQL connection string ({source})")]
    Config {
        /// The connection string (without password).
        conn: String,
        /// Why.
        source: postgres::Error,
    },
    /// A database operation failed.
    #[error("{what}: {}", db_message(source))]
    Db {
        /// What was being done.
        what: String,
        /// The database's error.
        source: postgres::Error,
    },
    /// The database has no kehoach schema, or an incompatible one.
    #[error("{0}")]
    Schema(String),
    /// The background threads that write an import's batches stopped.
    #[error("the import's writer threads stopped: {0}")]
    Writer(String),
    /// A stored record could not be read back.
    #[error("corrupt stored record ({0})")]
    Corrupt(String),
    /// An index-side error (search syntax, too many matches).
    #[error(transparent)]
    Index(#[from] kehoach_index::Error),
}

/// The server's message when there is one (it names the table, column or constraint).
fn db_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(d) => format!("{} ({d})", db.message()),
            None => db.message().to_string(),
        },
        None => e.to_string(),
    }
}

impl Error {
    /// A mapper of `postgres::Error` naming what was being done.
    pub(crate) fn db(what: &str) -> impl Fn(postgres::Error) -> Error + '_ {
        move |source| Error::Db {
            what: what.to_string(),
            source,
        }
    }
}

impl From<Error> for kehoach_index::Error {
    fn from(e: Error) -> kehoach_index::Error {
        match e {
            Error::Index(inner) => inner,
            Error::Corrupt(m) => kehoach_index::Error::Corrupt(m),
            other => kehoach_index::Error::Database(other.to_string()),
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
