//! `kehoach db init --distributed`: with Citus, the tables are distributed
//! (tasks, targets and warnings co-located with plans by plan id) and the
//! store works as before; without it, the request is refused by name. Needs
//! a database (`KEHOACH_TEST_PG`); the distributed path is skipped, saying
//! so, where the server has no `citus` extension.

mod common;

use common::{fill, plans, test_db};
use kehoach_index::{PlanStore, SearchRequest};
use kehoach_store_pg::{init, Error, PgStore};

#[test]
fn distributed_where_citus_is_available_refused_by_name_elsewhere() {
    let Some(db) = test_db("distributed_where_citus_is_available_refused_by_name_elsewhere") else {
        return;
    };
    let mut c = postgres::Client::connect(&db, postgres::NoTls).expect("connect");
    let citus = c
        .query_opt(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'citus'",
            &[],
        )
        .expect("extensions")
        .is_some();
    let schema = format!("kh_citus_{}", std::process::id());
    PgStore::drop_schema(&db, &schema).expect("drop");
    let store = PgStore::connect_in_schema(&db, &schema).expect("connect");
    let res = init(&store, true);
    if !citus {
        match res {
            Err(Error::Schema(m)) => assert!(m.contains("citus"), "{m}"),
            other => panic!("expected a refusal naming citus, got {other:?}"),
        }
        eprintln!(
            "skipped the distributed path: this PostgreSQL server has no citus extension \
             (the refusal was checked)"
        );
        PgStore::drop_schema(&db, &schema).expect("drop");
        return;
    }
    let report = res.expect("distributed init");
    assert!(report.distributed);
    let colocated: i64 = c
        .query_one(
            &format!(
                "SELECT count(DISTINCT colocationid) FROM pg_dist_partition WHERE logicalrelid IN \
                 ('{schema}.plans'::regclass, '{schema}.tasks'::regclass, \
                  '{schema}.targets'::regclass, '{schema}.warnings'::regclass)"
            ),
            &[],
        )
        .expect("colocation")
        .get(0);
    assert_eq!(
        colocated, 1,
        "plans, tasks, targets and warnings co-located"
    );
    // Again: nothing to do.
    assert!(init(&store, true).expect("again").applied.is_empty());
    let all = plans();
    fill(&store, &all[..20]);
    assert_eq!(store.plans().expect("plans").len(), 20);
    let res = store
        .search(&SearchRequest {
            query: "hồ sơ".into(),
            facets: true,
            ..Default::default()
        })
        .expect("search");
    assert!(res.total > 0);
    PgStore::drop_schema(&db, &schema).expect("drop");
}
