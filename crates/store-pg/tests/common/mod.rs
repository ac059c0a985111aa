//! Shared by the PostgreSQL store's tests: the test database, scratch
//! schemas, and the plans of the corpus and fixtures.
#![allow(dead_code)]

use kehoach_plan::Plan;
use kehoach_store_pg::PgStore;
use std::path::{Path, PathBuf};

/// The environment variable holding the test database's connection string.
pub const TEST_DB: &str = "KEHOACH_TEST_PG";

/// The test database, or `None` after saying why the test is skipped.
pub fn test_db(test: &str) -> Option<String> {
    match std::env::var(TEST_DB) {
        Ok(db) if !db.trim().is_empty() => Some(db),
        _ => {
            eprintln!(
                "skipped {test}: {TEST_DB} is not set (a PostgreSQL connection string; \
                 scripts/test.sh starts a server and sets it)"
            );
            None
        }
    }
}

/// A schema of its own for one test, initialised; dropped at the end.
pub struct Scratch {
    pub db: String,
    pub schema: String,
    pub store: PgStore,
}

impl Scratch {
    pub fn new(db: &str, name: &str) -> Scratch {
        let schema = format!("kh_{name}_{}", std::process::id());
        PgStore::drop_schema(db, &schema).expect("drop old schema");
        let store = PgStore::connect_in_schema(db, &schema).expect("connect");
        kehoach_store_pg::init(&store, false).expect("db init");
        Scratch {
            db: db.to_string(),
            schema,
            store,
        }
    }

    /// Another connection to the same schema (another importer or reader).
    pub fn reopen(&self) -> PgStore {
        PgStore::connect_in_schema(&self.db, &self.schema).expect("connect")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = PgStore::drop_schema(&self.db, &self.schema);
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files(dir: &str, exts: &[&str]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .expect("fixture dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| exts.contains(&x))
        })
        .collect();
    out.sort();
    out
}

/// The plans of the corpus and the text, DOCX, PDF and JSON fixtures (each
/// content once), then varied copies of the hand-checked plans: (path,
/// sha256, plan), in import order.
pub fn plans() -> Vec<(String, String, Plan)> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut inputs = files("corpus", &["txt"]);
    for dir in ["fixtures/plans", "fixtures/variants"] {
        inputs.extend(files(dir, &["txt"]));
    }
    inputs.extend(files("fixtures/docx", &["docx"]));
    inputs.extend(files("fixtures/pdf", &["pdf"]));
    inputs.extend(files("fixtures/gold", &["json"]));
    for path in inputs {
        let bytes = std::fs::read(&path).expect("fixture");
        let sha = kehoach_pipeline::sha256_hex(&bytes);
        if !seen.insert(sha.clone()) {
            continue;
        }
        let name = path
            .strip_prefix(root())
            .unwrap_or(&path)
            .display()
            .to_string();
        let plan = match kehoach_pipeline::plan_json(&bytes) {
            Some(Ok(p)) => p,
            Some(Err(_)) => continue,
            None => match kehoach_pipeline::plan_from_path(&path) {
                Ok(p) if !p.tasks.is_empty() => p,
                _ => continue,
            },
        };
        out.push((name, sha, plan));
    }
    // Copies of the hand-checked plans with words repeated and texts cut:
    // varied lengths and frequencies for the ranking.
    let gold: Vec<Plan> = files("fixtures/gold", &["json"])
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).expect("gold")).expect("plan"))
        .collect();
    let extra = [
        "",
        " hồ sơ hồ sơ",
        " một cửa và liên thông",
        " thanh toán trực tuyến, thanh toán",
    ];
    for i in 0..12 {
        for (j, base) in gold.iter().enumerate() {
            let mut p = base.clone();
            let n = i * gold.len() + j;
            p.source.path = format!("copies/{n:05}.txt");
            p.source.sha256 = format!("{n:016x}{}", "0".repeat(48));
            for (t, task) in p.tasks.iter_mut().enumerate() {
                if let Some(c) = task.content.as_mut() {
                    match (t + i) % 4 {
                        0 => c.push_str(extra[(t + i) % extra.len()]),
                        1 => *c = c.chars().take(30 + (t * 7 + i) % 50).collect(),
                        _ => {}
                    }
                }
            }
            out.push((p.source.path.clone(), p.source.sha256.clone(), p));
        }
    }
    out
}

/// Writes `plans` through the store interface, one commit at the end.
pub fn fill(store: &dyn kehoach_index::PlanStore, plans: &[(String, String, Plan)]) {
    let mut w = store
        .plan_writer(kehoach_index::WriterOptions {
            threads: 1,
            memory_bytes: 64 << 20,
        })
        .expect("writer");
    for (path, sha, plan) in plans {
        w.add_plan(path, sha, plan).expect("add plan");
    }
    w.finish().expect("finish");
    store.reload().expect("reload");
}
