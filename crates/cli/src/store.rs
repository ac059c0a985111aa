//! Which store a command reads: the data directory (embedded index) or a
//! PostgreSQL database (`--db`, or `KEHOACH_DB`).

use anyhow::Context;
use kehoach_index::{PlanStore, Store, DEFAULT_DATA_DIR};
use std::path::PathBuf;

/// The store options every reading command takes.
#[derive(clap::Args, Debug, Clone)]
pub struct StoreArgs {
    /// The data directory (the embedded index).
    #[arg(long, value_name = "DIR", default_value = DEFAULT_DATA_DIR)]
    pub data: PathBuf,
    /// Read a PostgreSQL database instead of the data directory: a libpq
    /// connection string (`host=db.local dbname=kehoach user=kh` or
    /// `postgres://kh@db.local/kehoach`); see `kehoach db init`.
    #[arg(long, value_name = "CONNINFO", env = kehoach_store_pg::DB_ENV, hide_env_values = true)]
    pub db: Option<String>,
}

impl StoreArgs {
    /// Opens the store to read.
    pub fn open(&self) -> anyhow::Result<Box<dyn PlanStore>> {
        match &self.db {
            Some(db) => Ok(Box::new(open_db(db)?)),
            None => Ok(Box::new(Store::open(&self.data)?)),
        }
    }

    /// Opens the store to write (a data directory is created when missing).
    pub fn open_for_import(&self) -> anyhow::Result<Box<dyn PlanStore>> {
        match &self.db {
            Some(db) => Ok(Box::new(open_db(db)?)),
            None => Ok(Box::new(Store::open_or_create(&self.data).with_context(
                || format!("cannot open the data directory {}", self.data.display()),
            )?)),
        }
    }

    /// The store option as `kehoach plans` takes it, for messages.
    pub fn lister(&self) -> String {
        match &self.db {
            Some(_) => "--db …".to_string(),
            None => format!("--data {}", self.data.display()),
        }
    }

    /// What the store is called in messages.
    pub fn shown(&self) -> String {
        match &self.db {
            Some(db) => kehoach_store_pg::PgStore::shown_conn(db),
            None => self.data.display().to_string(),
        }
    }
}

fn open_db(db: &str) -> anyhow::Result<kehoach_store_pg::PgStore> {
    kehoach_store_pg::PgStore::open(db).with_context(|| {
        format!(
            "cannot open the database {}",
            kehoach_store_pg::PgStore::shown_conn(db)
        )
    })
}
