//! `kehoach remove`: delete imported plans from the index.

use crate::EXIT_OK;
use kehoach_index::{Store, WriterOptions, DEFAULT_DATA_DIR};
use std::path::PathBuf;

/// Arguments of `kehoach remove`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
PLAN is a plan id, a unique id prefix or the imported path (see `kehoach plans`). Every
named plan is removed in one atomic commit; importing the same file again re-adds it.

Exit status:
  0  removed
  2  no such plan, an ambiguous prefix, no index, or the index is locked by an import

Examples:
  kehoach remove 9b75833fe1e96175
  kehoach remove corpus/000_9b75833fe1e96175.txt --data /srv/kehoach")]
pub struct Args {
    /// Plan ids, id prefixes or imported paths.
    #[arg(required = true, value_name = "PLAN")]
    pub plans: Vec<String>,
    /// The data directory.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_DATA_DIR)]
    pub data: PathBuf,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let store = Store::open(&args.data)?;
    let mut writer = store.writer(WriterOptions {
        threads: 1,
        memory_bytes: 32 << 20,
    })?;
    let mut found = Vec::new();
    for key in &args.plans {
        found.push(super::show::resolve(&store, key)?);
    }
    for p in &found {
        writer.remove_plan(&p.id);
    }
    writer.finish()?;
    for p in &found {
        println!("removed {} ({}, {} tasks)", p.id, p.file_path, p.tasks);
    }
    Ok(EXIT_OK)
}
