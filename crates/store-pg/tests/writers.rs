//! Importers writing into the database: several at once lose nothing,
//! importing again replaces (idempotent by SHA-256), an unfinished batch
//! leaves nothing behind. Needs a database (`KEHOACH_TEST_PG`); skipped,
//! saying so, without one.

mod common;

use common::{plans, test_db, Scratch};
use kehoach_index::{PlanStore, SearchRequest};
use kehoach_plan::Plan;
use kehoach_store_pg::PgStore;

type Stats = Vec<(i16, String, i64)>;

/// The search statistics (rows of `term_stats` with a count).
fn stats(store: &PgStore, db: &str, schema: &str) -> Stats {
    let _ = store;
    let mut c = postgres::Client::connect(db, postgres::NoTls).expect("connect");
    c.query(
        &format!("SELECT field, term, n FROM {schema}.term_stats WHERE n <> 0 ORDER BY field, term COLLATE \"C\""),
        &[],
    )
    .expect("stats")
    .into_iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect()
}

/// Every plan has all its tasks, and the statistics count what is stored.
fn whole(db: &str, schema: &str) {
    let mut c = postgres::Client::connect(db, postgres::NoTls).expect("connect");
    let broken: i64 = c
        .query_one(
            &format!(
                "SELECT count(*) FROM {schema}.plans p WHERE p.task_count <> \
                 (SELECT count(*) FROM {schema}.tasks t WHERE t.plan_id = p.id)"
            ),
            &[],
        )
        .expect("check")
        .get(0);
    assert_eq!(broken, 0, "plans without all their tasks");
    let (docs, counted): (i64, i64) = {
        let r = c
            .query_one(
                &format!(
                    "SELECT (SELECT count(*) FROM {schema}.plans) + (SELECT count(*) FROM {schema}.tasks), \
                     coalesce((SELECT n FROM {schema}.term_stats WHERE field = -1 AND term = ''), 0)"
                ),
                &[],
            )
            .expect("docs");
        (r.get(0), r.get(1))
    };
    assert_eq!(docs, counted, "documents in the statistics");
}

/// What a scratch schema holds: its counts and its search statistics.
fn stored(s: &Scratch) -> ((u64, u64), Stats) {
    (
        s.store.counts().expect("counts"),
        stats(&s.store, &s.db, &s.schema),
    )
}

fn write(store: &PgStore, plans: &[(String, String, Plan)], every: usize) {
    let mut w = store.writer().expect("writer");
    for (i, (path, sha, plan)) in plans.iter().enumerate() {
        w.add(path, sha, plan).expect("add");
        if (i + 1) % every == 0 {
            w.flush().expect("flush");
        }
    }
    w.flush().expect("flush");
}

#[test]
fn two_importers_at_once_lose_nothing_and_importing_again_replaces() {
    let Some(db) = test_db("two_importers_at_once_lose_nothing_and_importing_again_replaces")
    else {
        return;
    };
    let all = plans();
    // The reference: one importer, every plan once.
    let one = Scratch::new(&db, "one");
    write(&one.store, &all, 7);
    let want = stats(&one.store, &db, &one.schema);
    whole(&db, &one.schema);

    // Two importers at once, each with two thirds of the plans (a third in both).
    let two = Scratch::new(&db, "two");
    let n = all.len();
    let a: Vec<_> = all[..n * 2 / 3].to_vec();
    let mut b: Vec<_> = all[n / 3..].to_vec();
    b.reverse();
    std::thread::scope(|s| {
        let (sa, sb) = (two.reopen(), two.reopen());
        let ta = s.spawn(move || write(&sa, &a, 3));
        let tb = s.spawn(move || write(&sb, &b, 4));
        ta.join().expect("importer a");
        tb.join().expect("importer b");
    });
    whole(&db, &two.schema);
    assert_eq!(
        two.store.counts().expect("counts"),
        one.store.counts().expect("counts")
    );
    assert_eq!(
        two.store.plans().expect("plans"),
        one.store.plans().expect("plans")
    );
    assert_eq!(stats(&two.store, &db, &two.schema), want);
    let req = SearchRequest {
        query: "hồ sơ trực tuyến".into(),
        facets: true,
        ..Default::default()
    };
    let strip = |r: kehoach_index::SearchResults| {
        (
            r.total,
            r.facets,
            r.hits.iter().map(|h| h.score.to_bits()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        strip(two.store.search(&req).expect("search")),
        strip(one.store.search(&req).expect("search"))
    );

    // Everything again: nothing changes.
    write(&two.store, &all, 50);
    whole(&db, &two.schema);
    assert_eq!(stats(&two.store, &db, &two.schema), want);
    assert_eq!(
        two.store.plans().expect("plans"),
        one.store.plans().expect("plans")
    );

    // New bytes at a path replace the plan imported from it.
    let (path, _, plan) = &all[0];
    let mut changed = plan.clone();
    changed.tasks.truncate(1);
    let sha = "f".repeat(64);
    write(
        &two.store,
        &[(path.clone(), sha.clone(), changed.clone())],
        1,
    );
    whole(&db, &two.schema);
    let listed = two.store.plans().expect("plans");
    assert_eq!(listed.len(), all.len());
    let at: Vec<_> = listed.iter().filter(|p| &p.file_path == path).collect();
    assert_eq!(at.len(), 1);
    assert_eq!((at[0].file_sha256.as_str(), at[0].tasks), (sha.as_str(), 1));
    // The statistics are those of a fresh import of the same plans.
    let fresh = Scratch::new(&db, "fresh");
    let mut now = all.clone();
    now[0] = (path.clone(), sha, changed);
    write(&fresh.store, &now, 7);
    assert_eq!(
        stats(&two.store, &db, &two.schema),
        stats(&fresh.store, &db, &fresh.schema)
    );
}

#[test]
fn a_batch_cut_off_leaves_nothing() {
    let Some(db) = test_db("a_batch_cut_off_leaves_nothing") else {
        return;
    };
    let all = plans();
    let s = Scratch::new(&db, "cut");
    write(&s.store, &all[..10], 5);
    let before = stored(&s);
    // A connection dies in the middle of a batch: the rows it copied go with it.
    {
        let mut c = postgres::Client::connect(&db, postgres::NoTls).expect("connect");
        let mut tx = c.transaction().expect("tx");
        tx.batch_execute(&format!("SET LOCAL search_path = {}, public", s.schema))
            .expect("path");
        tx.execute(
            "INSERT INTO plans (id, file_path, file_sha256, task_count, schema, issuer_words, record) \
             VALUES ('00000000deadbeef', 'cut.txt', 'x', 3, 'kehoach/plan@1', '{}', '{}')",
            &[],
        )
        .expect("insert");
        drop(tx);
        drop(c);
    }
    whole(&db, &s.schema);
    assert_eq!(stored(&s), before);
}

#[test]
fn batches_written_in_the_background_keep_each_path_in_order_and_report_failures() {
    let Some(db) =
        test_db("batches_written_in_the_background_keep_each_path_in_order_and_report_failures")
    else {
        return;
    };
    let all = plans();
    // Three versions of every plan (one task fewer each time, new bytes), all
    // through one writer without waiting: each repeat of a path hands the
    // batch before it to a background writer, and the next batch, sharing
    // its paths, must not overtake it.
    let version = |round: usize| -> Vec<(String, String, Plan)> {
        all.iter()
            .map(|(path, sha, plan)| {
                let mut p = plan.clone();
                p.tasks.truncate(plan.tasks.len().saturating_sub(round));
                (path.clone(), format!("{round}{}", &sha[1..]), p)
            })
            .collect()
    };
    let s = Scratch::new(&db, "bg");
    let mut w = s.store.writer().expect("writer");
    for round in 0..3 {
        for (path, sha, plan) in version(round) {
            w.add(&path, &sha, &plan).expect("add");
        }
    }
    w.flush().expect("flush");
    drop(w);
    whole(&db, &s.schema);
    let last = version(2);
    let listed = s.store.plans().expect("plans");
    assert_eq!(listed.len(), all.len());
    for (path, sha, plan) in &last {
        let at: Vec<_> = listed.iter().filter(|p| &p.file_path == path).collect();
        assert_eq!(at.len(), 1, "{path}");
        assert_eq!(
            (at[0].file_sha256.as_str(), at[0].tasks),
            (sha.as_str(), plan.tasks.len() as u64),
            "{path}: the last version"
        );
    }
    let fresh = Scratch::new(&db, "bgfresh");
    write(&fresh.store, &last, 1000);
    assert_eq!(
        stats(&s.store, &db, &s.schema),
        stats(&fresh.store, &db, &fresh.schema)
    );

    // A batch the database refuses: the flush reports it, naming what
    // failed, and nothing of it is stored.
    let before = stored(&s);
    let mut c = postgres::Client::connect(&db, postgres::NoTls).expect("connect");
    c.batch_execute(&format!(
        "ALTER TABLE {}.tasks ADD CONSTRAINT refuse CHECK (seq < 0) NOT VALID",
        s.schema
    ))
    .expect("constraint");
    let mut w = s.store.writer().expect("writer");
    for (path, sha, plan) in version(3) {
        w.add(&path, &sha, &plan).expect("add");
    }
    let err = w.flush().expect_err("the database refuses the tasks");
    assert!(err.to_string().contains("copying tasks"), "{err}");
    drop(w);
    whole(&db, &s.schema);
    assert_eq!(stored(&s), before);
}

#[test]
fn wide_columns_are_compressed_with_lz4_where_the_server_has_it() {
    let Some(db) = test_db("wide_columns_are_compressed_with_lz4_where_the_server_has_it") else {
        return;
    };
    let s = Scratch::new(&db, "lz4");
    let mut c = postgres::Client::connect(&db, postgres::NoTls).expect("connect");
    // lz4 is there when the server accepts it as the default.
    let has_lz4 = c
        .batch_execute("SET default_toast_compression = 'lz4'")
        .is_ok();
    let rows = c
        .query(
            "SELECT a.attrelid::regclass::text || '.' || a.attname, a.attcompression::text \
             FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = r.relnamespace \
             WHERE n.nspname = $1 AND r.relname IN ('tasks', 'plans') \
             AND a.attname IN ('record', 'w_text_fold', 'words') ORDER BY 1",
            &[&s.schema],
        )
        .expect("columns");
    assert_eq!(rows.len(), 4);
    for row in rows {
        let (column, method): (String, String) = (row.get(0), row.get(1));
        let want = if has_lz4 { "l" } else { "" };
        assert_eq!(method, want, "{column}");
    }
    // Applying the migrations again changes nothing.
    let again = kehoach_store_pg::init(&s.store, false).expect("init again");
    assert!(again.applied.is_empty(), "{:?}", again.applied);
    assert_eq!(again.version, 2);
}

#[test]
fn nul_characters_are_dropped_not_refused() {
    let Some(db) = test_db("nul_characters_are_dropped_not_refused") else {
        return;
    };
    let all = plans();
    let (path, sha, plan) = all
        .iter()
        .find(|(_, _, p)| !p.tasks.is_empty())
        .expect("a plan with tasks");
    // NUL in a task's content and in the plan's title: PostgreSQL text and
    // jsonb hold no NUL (jsonb refuses `\u0000`), so they are dropped.
    let mut p = plan.clone();
    p.tasks[0].content = Some("Rà\0 soát\0".into());
    p.meta.title = Some("Kế\0 hoạch".into());
    let s = Scratch::new(&db, "nul");
    let mut w = s.store.writer().expect("writer");
    let id = w.add(path, sha, &p).expect("add");
    w.flush().expect("a plan with NUL characters is written");
    drop(w);
    whole(&db, &s.schema);
    let stored = s.store.plan(&id).expect("read").expect("stored");
    assert_eq!(stored.tasks[0].content.as_deref(), Some("Rà soát"));
    assert_eq!(stored.meta.title.as_deref(), Some("Kế hoạch"));
    assert_eq!(stored.tasks.len(), p.tasks.len());
}
