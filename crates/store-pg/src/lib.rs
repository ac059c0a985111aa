//! The PostgreSQL plan store of kehoach.
//!
//! One database that many importers write and many web servers read, for
//! an archive shared by a whole province, and SQL for analysts. [`PgStore`]
//! implements [`kehoach_index::PlanStore`], so every front end (search,
//! plans, show, diff, targets, export, the web server) works on it as on
//! the embedded index:
//!
//! * the schema (plans, tasks, targets, warnings; typed columns; the plan
//!   and task records as `jsonb`; views for analysts) is applied by
//!   [`init`] from the migrations kept in `migrations/`;
//! * importers ([`PgStore::plan_writer`]) write batches of whole plans, one
//!   transaction each, with `COPY`; a plan replaces what was imported from
//!   its path or with its id before, so importing again is idempotent, and
//!   several importers may write at once (per-plan advisory locks);
//! * searches match in the database (a GIN index over the words of each
//!   task as a `tsvector`, diacritics folded as the embedded index folds
//!   them) and score in the database with the embedded index's BM25 (the
//!   same fields, boosts, field lengths and statistics, in single
//!   precision), so the hits come in the same order.

mod copy;
mod error;
mod migrate;
mod search;
mod writer;

pub use error::{Error, Result};
pub use migrate::{init, InitReport, CITUS_SQL, MIGRATIONS};
pub use writer::PgWriter;

use kehoach_index::{
    PlanHead, PlanStore, PlanSummary, PlanWriter, SearchRequest, SearchResults, TrackTotal,
    WriterOptions,
};
use kehoach_plan::{Plan, Task};
use postgres::{Client, NoTls};
use std::sync::Mutex;

/// The environment variable naming the database when `--db` is not given.
pub const DB_ENV: &str = "KEHOACH_DB";

/// Idle connections kept for reuse, at most.
const IDLE_CONNECTIONS: usize = 8;

/// A PostgreSQL database holding kehoach plans (see the crate documentation).
pub struct PgStore {
    config: postgres::Config,
    /// What to print for the store: the connection string without its password.
    shown: String,
    idle: Mutex<Vec<Client>>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("db", &self.shown)
            .finish_non_exhaustive()
    }
}

/// A connection borrowed from the store; returned to it when dropped.
pub(crate) struct Conn<'a> {
    store: &'a PgStore,
    client: Option<Client>,
}

impl std::ops::Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("a connection until dropped")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("a connection until dropped")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            if client.is_closed() {
                return;
            }
            if let Ok(mut idle) = self.store.idle.lock() {
                if idle.len() < IDLE_CONNECTIONS {
                    idle.push(client);
                }
            }
        }
    }
}

/// The connection string without a password, for messages.
fn shown(conn: &str) -> String {
    if conn.contains("://") {
        // postgres://user:secret@host/db → postgres://user@host/db
        if let Some((scheme, rest)) = conn.split_once("://") {
            if let Some((auth, host)) = rest.split_once('@') {
                let user = auth.split(':').next().unwrap_or("");
                return format!("{scheme}://{user}@{host}");
            }
        }
        return conn.to_string();
    }
    conn.split_whitespace()
        .filter(|kv| !kv.starts_with("password="))
        .collect::<Vec<_>>()
        .join(" ")
}

impl PgStore {
    /// Opens the database named by a libpq connection string
    /// (`host=… dbname=…` or `postgres://user@host/db`) and checks that
    /// `kehoach db init` was run on it.
    pub fn open(conn: &str) -> Result<PgStore> {
        let store = PgStore::connect(conn)?;
        let mut c = store.conn()?;
        migrate::check(&mut c)?;
        drop(c);
        Ok(store)
    }

    /// Connects without checking the schema (for [`init`]).
    pub fn connect(conn: &str) -> Result<PgStore> {
        let config: postgres::Config = conn.parse().map_err(|e| Error::Config {
            conn: shown(conn),
            source: e,
        })?;
        let store = PgStore {
            config,
            shown: shown(conn),
            idle: Mutex::new(Vec::new()),
        };
        drop(store.conn()?);
        Ok(store)
    }

    /// Connects with `schema` first on the search path, creating the schema
    /// when missing: a separate set of kehoach tables in one database (for
    /// tests and trials). `schema` is a lower-case identifier.
    pub fn connect_in_schema(conn: &str, schema: &str) -> Result<PgStore> {
        check_identifier(schema)?;
        let admin = PgStore::connect(conn)?;
        admin
            .conn()?
            .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .map_err(Error::db("creating a schema"))?;
        let mut store = admin;
        store.idle = Mutex::new(Vec::new());
        store.config.options(&format!("-c search_path={schema}"));
        drop(store.conn()?);
        Ok(store)
    }

    /// Drops `schema` and everything in it (see [`PgStore::connect_in_schema`]).
    pub fn drop_schema(conn: &str, schema: &str) -> Result<()> {
        check_identifier(schema)?;
        PgStore::connect(conn)?
            .conn()?
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .map_err(Error::db("dropping a schema"))
    }

    /// A new connection of its own (not from the idle ones), for a thread
    /// that keeps it.
    pub(crate) fn owned_conn(&self) -> Result<postgres::Client> {
        self.config.connect(NoTls).map_err(|e| Error::Db {
            what: format!("cannot connect to {}", self.shown),
            source: e,
        })
    }

    /// A connection (reused when one is idle).
    pub(crate) fn conn(&self) -> Result<Conn<'_>> {
        let reused = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let client = match reused {
            Some(c) => c,
            None => self.config.connect(NoTls).map_err(|e| Error::Db {
                what: format!("cannot connect to {}", self.shown),
                source: e,
            })?,
        };
        Ok(Conn {
            store: self,
            client: Some(client),
        })
    }

    /// A connection string as shown in messages (without its password).
    pub fn shown_conn(conn: &str) -> String {
        shown(conn)
    }

    /// The connection string as shown in messages (no password).
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// A writer of batches of whole plans (see [`PgWriter`]).
    pub fn writer(&self) -> Result<PgWriter<'_>> {
        PgWriter::new(self)
    }

    fn summary_rows(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<PlanSummary>> {
        let mut c = self.conn()?;
        let rows = c.query(sql, params).map_err(Error::db("reading plans"))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let id: String = row.get(0);
            let record: String = row.get(4);
            let head: PlanHead = serde_json::from_str(&record)
                .map_err(|e| Error::Corrupt(format!("plan {id}: {e}")))?;
            out.push(PlanSummary {
                file_path: row.get(1),
                file_sha256: row.get(2),
                tasks: u64::try_from(row.get::<_, i32>(3)).unwrap_or(0),
                id,
                head,
            });
        }
        Ok(out)
    }
}

/// Accepts lower-case identifiers only (they are spliced into SQL).
fn check_identifier(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() < 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::Schema(format!(
            "{name:?} is not a schema name (lower-case letters, digits and _)"
        )))
    }
}

const SUMMARY_COLUMNS: &str = "id, file_path, file_sha256, task_count, record::text";

impl PlanStore for PgStore {
    fn location(&self) -> String {
        self.shown.clone()
    }

    fn search_tracking(
        &self,
        req: &SearchRequest,
        track: TrackTotal,
    ) -> kehoach_index::Result<SearchResults> {
        Ok(search::search(self, req, track)?)
    }

    fn plans(&self) -> kehoach_index::Result<Vec<PlanSummary>> {
        Ok(self.summary_rows(
            &format!(
                "SELECT {SUMMARY_COLUMNS} FROM plans ORDER BY file_path COLLATE \"C\", id COLLATE \"C\""
            ),
            &[],
        )?)
    }

    fn summary(&self, id: &str) -> kehoach_index::Result<Option<PlanSummary>> {
        Ok(self
            .summary_rows(
                &format!("SELECT {SUMMARY_COLUMNS} FROM plans WHERE id = $1"),
                &[&id],
            )?
            .pop())
    }

    fn plan(&self, id: &str) -> kehoach_index::Result<Option<Plan>> {
        let Some(summary) = PlanStore::summary(self, id)? else {
            return Ok(None);
        };
        let mut c = self.conn()?;
        let rows = c
            .query(
                "SELECT record::text FROM tasks WHERE plan_id = $1 ORDER BY seq",
                &[&id],
            )
            .map_err(Error::db("reading tasks"))?;
        let mut tasks = Vec::with_capacity(rows.len());
        for row in rows {
            let record: String = row.get(0);
            let task: Task = serde_json::from_str(&record)
                .map_err(|e| Error::Corrupt(format!("task of plan {id}: {e}")))?;
            tasks.push(task);
        }
        let h = summary.head;
        Ok(Some(Plan {
            schema: h.schema,
            source: h.source,
            meta: h.meta,
            tasks,
            warnings: h.warnings,
        }))
    }

    fn counts(&self) -> kehoach_index::Result<(u64, u64)> {
        let mut c = self.conn()?;
        let row = c
            .query_one(
                "SELECT (SELECT count(*) FROM plans), (SELECT count(*) FROM tasks)",
                &[],
            )
            .map_err(Error::db("counting plans"))?;
        let n = |i: usize| u64::try_from(row.get::<_, i64>(i)).unwrap_or(0);
        Ok((n(0), n(1)))
    }

    fn reload(&self) -> kehoach_index::Result<()> {
        // Every read sees the last committed state already.
        Ok(())
    }

    fn disk_size(&self) -> u64 {
        let Ok(mut c) = self.conn() else { return 0 };
        c.query_one(
            "SELECT coalesce(sum(pg_total_relation_size(t)), 0)::bigint FROM \
             unnest(ARRAY['plans', 'tasks', 'targets', 'warnings', 'term_stats']::regclass[]) t",
            &[],
        )
        .ok()
        .and_then(|r| u64::try_from(r.get::<_, i64>(0)).ok())
        .unwrap_or(0)
    }

    fn plan_writer(&self, _opts: WriterOptions) -> kehoach_index::Result<Box<dyn PlanWriter + '_>> {
        Ok(Box::new(self.writer()?))
    }
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            shown("postgres://kh:secret@db.local:5432/plans"),
            "postgres://kh@db.local:5432/plans"
        );
        assert_eq!(
            shown("host=db password=secret dbname=plans"),
            "host=db dbname=plans"
        );
    }
}
