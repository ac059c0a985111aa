//! `kehoach` on a PostgreSQL database: `db init`, `import --from-shards
//! --db` killed in the middle leaves whole plans only and completes when
//! run again; the reading commands answer as on the data directory. Needs a
//! database (`KEHOACH_TEST_PG`); skipped, saying so, without one.

use kehoach_plan::Plan;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kehoach");

fn test_db(test: &str) -> Option<String> {
    match std::env::var("KEHOACH_TEST_PG") {
        Ok(db) if !db.trim().is_empty() => Some(db),
        _ => {
            eprintln!(
                "skipped {test}: KEHOACH_TEST_PG is not set (a PostgreSQL connection string; \
                 scripts/test.sh starts a server and sets it)"
            );
            None
        }
    }
}

/// A schema of its own: the connection string reaching it, dropped at the end.
struct Schema {
    db: String,
    name: String,
}

impl Schema {
    fn new(db: &str, name: &str) -> Schema {
        let name = format!("kh_cli_{name}_{}", std::process::id());
        let mut c = postgres::Client::connect(db, postgres::NoTls).expect("connect");
        c.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"
        ))
        .expect("schema");
        Schema {
            db: db.to_string(),
            name,
        }
    }

    fn conn(&self) -> String {
        format!("{} options='-c search_path={}'", self.db, self.name)
    }

    fn count(&self, sql: &str) -> i64 {
        let mut c = postgres::Client::connect(&self.conn(), postgres::NoTls).expect("connect");
        c.query_one(sql, &[]).expect("query").get(0)
    }

    /// Every plan has all its tasks; the statistics count what is stored.
    fn assert_whole(&self) {
        assert_eq!(
            self.count(
                "SELECT count(*) FROM plans p WHERE p.task_count <> \
                 (SELECT count(*) FROM tasks t WHERE t.plan_id = p.id)"
            ),
            0,
            "plans without all their tasks"
        );
        assert_eq!(
            self.count("SELECT (SELECT count(*) FROM plans) + (SELECT count(*) FROM tasks)"),
            self.count(
                "SELECT coalesce((SELECT n FROM term_stats WHERE field = -1 AND term = ''), 0)"
            ),
        );
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.db, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

fn kehoach(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().expect("run kehoach")
}

/// Shards of `n` copies of the hand-checked plans, each copy its own plan.
fn shards(dir: &std::path::Path, n: usize) {
    let gold = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/gold");
    let mut base: Vec<Plan> = std::fs::read_dir(gold)
        .expect("gold")
        .flatten()
        .map(|e| {
            serde_json::from_str(&std::fs::read_to_string(e.path()).expect("read")).expect("plan")
        })
        .collect();
    base.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    for s in 0..4 {
        let mut f = std::fs::File::create(dir.join(format!("part-{s}.ndjson"))).expect("shard");
        for i in (s..n).step_by(4) {
            let mut p = base[i % base.len()].clone();
            p.source.path = format!("archive/{i:05}.txt");
            p.source.sha256 = format!("{:016x}{}", i + 1, "0".repeat(48));
            writeln!(f, "{}", serde_json::to_string(&p).expect("json")).expect("write");
        }
    }
}

#[test]
fn a_killed_import_leaves_whole_plans_and_completes_when_run_again() {
    let Some(db) = test_db("a_killed_import_leaves_whole_plans_and_completes_when_run_again")
    else {
        return;
    };
    let schema = Schema::new(&db, "kill");
    let conn = schema.conn();
    let out = kehoach(&["db", "init", "--db", &conn]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let n = 600;
    shards(tmp.path(), n);
    let dir = tmp.path().to_string_lossy().to_string();
    let args = [
        "import",
        "--from-shards",
        &dir,
        "--db",
        &conn,
        "--commit-every",
        "10",
        "--quiet",
    ];
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("import");
    let start = Instant::now();
    while schema.count("SELECT count(*) FROM plans") == 0
        && start.elapsed() < Duration::from_secs(120)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(150));
    child.kill().expect("kill");
    let _ = child.wait();
    let got = schema.count("SELECT count(*) FROM plans");
    assert!(got > 0, "nothing was imported before the kill");
    schema.assert_whole();
    eprintln!("killed after {got} of {n} plans");

    let out = Command::new(BIN).args(args).output().expect("import again");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(schema.count("SELECT count(*) FROM plans"), n as i64);
    schema.assert_whole();

    // The reading commands on the database.
    let out = kehoach(&["plans", "--db", &conn, "--json"]);
    assert!(out.status.success());
    let plans: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(plans.as_array().map(Vec::len), Some(n));
    let out = kehoach(&["search", "hồ sơ", "--db", &conn, "--json", "--facets"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let res: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(res["total"].as_u64().is_some_and(|t| t > 0));
    let out = kehoach(&["show", "archive/00003.txt", "--db", &conn, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(BIN)
        .args(["search", "hồ sơ", "--json"])
        .env("KEHOACH_DB", &conn)
        .output()
        .expect("search");
    assert!(
        out.status.success(),
        "KEHOACH_DB: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_database_without_the_schema_is_refused_by_name() {
    let Some(db) = test_db("a_database_without_the_schema_is_refused_by_name") else {
        return;
    };
    let schema = Schema::new(&db, "none");
    let out = kehoach(&["plans", "--db", &schema.conn()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("kehoach db init"), "{err}");
    assert!(!err.contains("password"), "{err}");
}
