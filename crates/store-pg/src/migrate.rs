//! The schema: migrations kept in the repository, applied in order by
//! `kehoach db init`, each once (recorded in `kehoach_schema`).

use crate::error::{Error, Result};
use crate::PgStore;

/// The migrations, in order: (version, name, SQL).
pub const MIGRATIONS: &[(i32, &str, &str)] = &[
    (
        1,
        "001_schema.sql",
        include_str!("../migrations/001_schema.sql"),
    ),
    (2, "002_lz4.sql", include_str!("../migrations/002_lz4.sql")),
];

/// The advisory lock key `db init` holds while it applies migrations.
const INIT_LOCK: i64 = 0x6b65_686f_6163_6801;

/// The SQL that spreads the tables over a Citus cluster: plans by id, the
/// tables of each plan's rows by plan id on the same nodes (co-located, so
/// the joins and cascades of a plan stay on one node), and the small tables
/// copied to every node.
pub const CITUS_SQL: &str = include_str!("../migrations/citus.sql");

/// What [`init`] did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InitReport {
    /// Migrations applied now (names).
    pub applied: Vec<String>,
    /// The schema version after.
    pub version: i32,
    /// Whether the tables are distributed over a Citus cluster.
    pub distributed: bool,
}

/// Creates or upgrades the kehoach schema in the database of `store`
/// (several `init` at once are safe: they wait for each other). With
/// `distributed`, the tables are also distributed with Citus (an error when
/// the `citus` extension is not available).
pub fn init(store: &PgStore, distributed: bool) -> Result<InitReport> {
    let mut c = store.conn()?;
    let mut tx = c.transaction().map_err(Error::db("starting db init"))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&INIT_LOCK])
        .map_err(Error::db("locking the schema"))?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS kehoach_schema (
             version integer PRIMARY KEY,
             name text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now())",
    )
    .map_err(Error::db("creating kehoach_schema"))?;
    let current: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM kehoach_schema", &[])
        .map_err(Error::db("reading the schema version"))?
        .get(0);
    let mut applied = Vec::new();
    for (version, name, sql) in MIGRATIONS {
        if *version <= current {
            continue;
        }
        tx.batch_execute(sql)
            .map_err(Error::db(&format!("applying migration {name}")))?;
        tx.execute(
            "INSERT INTO kehoach_schema (version, name) VALUES ($1, $2)",
            &[version, name],
        )
        .map_err(Error::db("recording the migration"))?;
        applied.push((*name).to_string());
    }
    let version = MIGRATIONS.last().map_or(0, |m| m.0).max(current);
    let mut is_distributed = distributed_now(&mut tx)?;
    if distributed && !is_distributed {
        let available = tx
            .query_opt(
                "SELECT 1 FROM pg_available_extensions WHERE name = 'citus'",
                &[],
            )
            .map_err(Error::db("looking for the citus extension"))?
            .is_some();
        if !available {
            return Err(Error::Schema(
                "--distributed needs the citus extension, which this PostgreSQL server does not have \
                 (see docs/postgres.md)"
                    .into(),
            ));
        }
        tx.batch_execute(CITUS_SQL)
            .map_err(Error::db("distributing the tables with Citus"))?;
        is_distributed = true;
    }
    tx.commit().map_err(Error::db("committing db init"))?;
    Ok(InitReport {
        applied,
        version,
        distributed: is_distributed,
    })
}

/// Whether the plans table is distributed by Citus.
fn distributed_now(tx: &mut postgres::Transaction<'_>) -> Result<bool> {
    let citus = tx
        .query_opt("SELECT 1 FROM pg_extension WHERE extname = 'citus'", &[])
        .map_err(Error::db("looking for the citus extension"))?
        .is_some();
    if !citus {
        return Ok(false);
    }
    Ok(tx
        .query_opt(
            "SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'plans'::regclass",
            &[],
        )
        .map_err(Error::db("reading Citus metadata"))?
        .is_some())
}

/// Checks that the database holds a kehoach schema this version reads.
pub(crate) fn check(c: &mut postgres::Client) -> Result<()> {
    let exists: bool = c
        .query_one("SELECT to_regclass('kehoach_schema') IS NOT NULL", &[])
        .map_err(Error::db("reading the schema version"))?
        .get(0);
    if !exists {
        return Err(Error::Schema(
            "the database has no kehoach schema: run `kehoach db init --db …` first".into(),
        ));
    }
    let version: i32 = c
        .query_one("SELECT coalesce(max(version), 0) FROM kehoach_schema", &[])
        .map_err(Error::db("reading the schema version"))?
        .get(0);
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    if version < known {
        return Err(Error::Schema(format!(
            "the database has kehoach schema version {version}, this kehoach needs {known}: \
             run `kehoach db init --db …` to upgrade it"
        )));
    }
    if version > known {
        return Err(Error::Schema(format!(
            "the database has kehoach schema version {version}, newer than this kehoach reads ({known})"
        )));
    }
    Ok(())
}
