//! `kehoach db`: the PostgreSQL store's schema.

use crate::EXIT_OK;
use anyhow::Context;
use std::io::Write;

/// Arguments of `kehoach db`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: DbCommand,
}

/// What `kehoach db` does.
#[derive(clap::Subcommand, Debug)]
pub enum DbCommand {
    /// Create or upgrade the kehoach schema in a PostgreSQL database.
    #[command(after_help = "\
Applies the schema migrations the database does not have yet (plans, tasks, targets, warnings,
the search statistics, the views tasks_flat and targets_by_year), each once, in one transaction;
running it again does nothing. Several at once are safe. The database must exist and allow the
unaccent extension (Debian: postgresql-contrib). --distributed also spreads the tables over a
Citus cluster (the citus extension must be available): tasks, targets and warnings by plan id,
co-located with plans; the small tables copied to every node (docs/postgres.md has the SQL).

Exit status:
  0  the schema is up to date
  2  the database could not be reached or changed

Examples:
  kehoach db init --db 'host=127.0.0.1 dbname=kehoach user=kh'
  KEHOACH_DB=postgres://kh@db.local/kehoach kehoach db init
  kehoach db init --distributed --db postgres://kh@coordinator/kehoach")]
    Init {
        /// The database: a libpq connection string.
        #[arg(long, value_name = "CONNINFO", env = kehoach_store_pg::DB_ENV, hide_env_values = true)]
        db: String,
        /// Distribute the tables with Citus.
        #[arg(long)]
        distributed: bool,
        /// Print what was done as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<u8> {
    match args.command {
        DbCommand::Init {
            db,
            distributed,
            json,
        } => {
            let shown = kehoach_store_pg::PgStore::shown_conn(&db);
            let store = kehoach_store_pg::PgStore::connect(&db)
                .with_context(|| format!("cannot open the database {shown}"))?;
            let report = kehoach_store_pg::init(&store, distributed)
                .with_context(|| format!("cannot initialise the database {shown}"))?;
            let mut out = std::io::stdout().lock();
            if json {
                serde_json::to_writer_pretty(&mut out, &report)?;
                writeln!(out)?;
            } else {
                if report.applied.is_empty() {
                    writeln!(
                        out,
                        "{shown}: schema version {} (up to date)",
                        report.version
                    )?;
                } else {
                    writeln!(
                        out,
                        "{shown}: schema version {} (applied {})",
                        report.version,
                        report.applied.join(", ")
                    )?;
                }
                if report.distributed {
                    writeln!(out, "tables distributed with Citus")?;
                }
            }
            Ok(EXIT_OK)
        }
    }
}
