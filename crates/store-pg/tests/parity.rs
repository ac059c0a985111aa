//! The PostgreSQL store answers as the embedded index: the same plans,
//! the same searches (totals, facets, the best hits in the same order with
//! the same scores), diffs, target series and exports. Needs a database
//! (`KEHOACH_TEST_PG`); skipped, saying so, without one.

mod common;

use common::{fill, plans, test_db, Scratch};
use kehoach_index::{Hit, PlanStore, SearchRequest, SearchResults, Store, TrackTotal};
use std::collections::HashMap;

/// The searches of the benchmark's query mix, and more.
fn requests() -> Vec<SearchRequest> {
    let mix = include_str!("../../../benches/queries.jsonl");
    let mut out = Vec::new();
    for line in mix.lines().filter(|l| l.trim_start().starts_with('{')) {
        let v: serde_json::Value = serde_json::from_str(line).expect("query line");
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let years = s("year").map(|y| match y.split_once("..") {
            Some((a, b)) => (a.parse().expect("year"), b.parse().expect("year")),
            None => {
                let y: i32 = y.parse().expect("year");
                (y, y)
            }
        });
        out.push(SearchRequest {
            query: s("q").unwrap_or_default(),
            years,
            issuer: s("issuer"),
            lead: s("lead"),
            due_before: s("due_before"),
            kind: s("kind"),
            ..Default::default()
        });
    }
    for q in [
        "hồ sơ hồ sơ",
        "\"một cửa\" cửa liên",
        "cải cách -\"hành chính\"",
        "\"bưu chính công ích\" báo cáo",
        "xyzzy hồ sơ",
        "UBND -xã",
        "Sở Y tế",
        "2024",
        "",
        "cites:766/QĐ-TTg",
        "cites:5392/kh-ubnd hồ sơ",
        "cites:61/2018/ND-CP",
    ] {
        out.push(SearchRequest {
            query: q.into(),
            ..Default::default()
        });
    }
    out.push(SearchRequest {
        query: "báo cáo".into(),
        place: Some("Hà Nội".into()),
        ..Default::default()
    });
    out
}

fn key(h: &Hit) -> (String, u32) {
    (h.plan.id.clone(), h.task.seq)
}

/// Same total, facets and top hits (scores bit for bit; tasks of equal
/// score may come in another order, the last ones of the page may be other
/// tasks of that score).
fn same_results(what: &str, ours: &SearchResults, theirs: &SearchResults, all: &SearchResults) {
    assert_eq!(ours.total, theirs.total, "{what}: total");
    assert_eq!(ours.total_exact, theirs.total_exact, "{what}: total_exact");
    assert_eq!(ours.facets, theirs.facets, "{what}: facets");
    assert_eq!(ours.hits.len(), theirs.hits.len(), "{what}: hits");
    let scores =
        |r: &SearchResults| -> Vec<u32> { r.hits.iter().map(|h| h.score.to_bits()).collect() };
    assert_eq!(scores(ours), scores(theirs), "{what}: scores in order");
    let by_key: HashMap<(String, u32), f32> = all.hits.iter().map(|h| (key(h), h.score)).collect();
    for h in &ours.hits {
        assert_eq!(
            by_key.get(&key(h)).map(|s| s.to_bits()),
            Some(h.score.to_bits()),
            "{what}: {:?} scores {} here",
            key(h),
            h.score
        );
        let twin = theirs.hits.iter().find(|t| key(t) == key(h));
        if let Some(t) = twin {
            assert_eq!(
                (&t.plan, &t.task, &t.snippet),
                (&h.plan, &h.task, &h.snippet),
                "{what}"
            );
        }
    }
    if let Some(last) = theirs.hits.last() {
        let above = |r: &SearchResults| {
            let mut v: Vec<_> = r
                .hits
                .iter()
                .filter(|h| h.score > last.score)
                .map(key)
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            above(ours),
            above(theirs),
            "{what}: the tasks above the last score"
        );
    }
}

#[test]
fn the_database_answers_as_the_embedded_index() {
    let Some(db) = test_db("the_database_answers_as_the_embedded_index") else {
        return;
    };
    let plans = plans();
    assert!(plans.len() > 80, "{} plans", plans.len());
    let tmp = tempfile::tempdir().expect("tempdir");
    let index = Store::open_or_create(tmp.path()).expect("index");
    fill(&index, &plans);
    let scratch = Scratch::new(&db, "parity");
    let pg = &scratch.store;
    fill(pg, &plans);

    assert_eq!(
        pg.counts().expect("counts"),
        index.counts().expect("counts")
    );
    let listed = pg.plans().expect("plans");
    assert_eq!(listed, index.plans().expect("plans"));
    for p in &listed {
        assert_eq!(
            PlanStore::plan(pg, &p.id).expect("plan"),
            index.plan(&p.id).expect("plan"),
            "{}",
            p.id
        );
        assert_eq!(
            PlanStore::find(pg, &p.id[..6]).expect("find"),
            index.find(&p.id[..6]).expect("find")
        );
    }
    assert_eq!(
        PlanStore::find(pg, &listed[0].file_path).expect("find"),
        index.find(&listed[0].file_path).expect("find")
    );

    for (n, req) in requests().into_iter().enumerate() {
        let what = format!("query {n} {:?} {:?}", req.query, req.years);
        for (offset, limit, facets) in [(0, 10, true), (0, 25, false), (7, 5, false)] {
            let req = SearchRequest {
                offset,
                limit,
                facets,
                ..req.clone()
            };
            let all = index
                .search(&SearchRequest {
                    limit: 100_000,
                    offset: 0,
                    facets: false,
                    ..req.clone()
                })
                .expect("search");
            for track in [TrackTotal::Exact, TrackTotal::UpTo(20)] {
                let theirs = index.search_tracking(&req, track).expect("index search");
                let ours = pg.search_tracking(&req, track).expect("database search");
                same_results(
                    &format!("{what} {offset}+{limit} {track:?}"),
                    &ours,
                    &theirs,
                    &all,
                );
            }
        }
        // Every match, in archive order (what targets and export read).
        let strip = |hits: Vec<Hit>| -> Vec<(String, u32, String)> {
            hits.into_iter()
                .map(|h| (h.plan.id, h.task.seq, h.snippet))
                .collect()
        };
        assert_eq!(
            strip(pg.search_all(&req, None).expect("all")),
            strip(index.search_all(&req, None).expect("all")),
            "{what}: search_all"
        );
    }

    // Errors alike.
    let bad = SearchRequest {
        kind: Some("weekly".into()),
        ..Default::default()
    };
    assert!(matches!(
        pg.search(&bad),
        Err(kehoach_index::Error::InvalidQuery(_))
    ));

    // Diffs, target series and exports.
    let a = PlanStore::plan(pg, &listed[0].id)
        .expect("plan")
        .expect("a");
    let b = PlanStore::plan(pg, &listed[1].id)
        .expect("plan")
        .expect("b");
    let ia = index.plan(&listed[0].id).expect("plan").expect("a");
    let ib = index.plan(&listed[1].id).expect("plan").expect("b");
    let opts = kehoach_diff::Options::default();
    assert_eq!(
        serde_json::to_value(kehoach_diff::diff(&a, &b, &opts)).expect("json"),
        serde_json::to_value(kehoach_diff::diff(&ia, &ib, &opts)).expect("json")
    );
    let series = |store: &dyn PlanStore, q: &str| {
        let hits = store
            .search_all(
                &SearchRequest {
                    query: q.into(),
                    ..Default::default()
                },
                None,
            )
            .expect("targets");
        let points = kehoach_export::series::collect(
            hits.iter().map(|h| kehoach_export::TaskRecord {
                plan_id: Some(&h.plan.id),
                source: &h.plan.source,
                meta: &h.plan.meta,
                task: &h.task,
            }),
            q,
        );
        serde_json::to_value(kehoach_export::series::group(&points)).expect("json")
    };
    for q in ["hài lòng", "hồ sơ trực tuyến", "tỷ lệ"] {
        let s = series(pg, q);
        assert_eq!(s, series(&index, q), "targets {q}");
    }
    let export = |store: &dyn PlanStore| {
        let hits = store
            .search_all(&SearchRequest::default(), None)
            .expect("export");
        let records = || {
            hits.iter().map(|h| kehoach_export::TaskRecord {
                plan_id: Some(&h.plan.id),
                source: &h.plan.source,
                meta: &h.plan.meta,
                task: &h.task,
            })
        };
        let (mut csv, mut jsonl) = (Vec::new(), Vec::new());
        let n = kehoach_export::write_csv(&mut csv, records()).expect("csv");
        kehoach_export::write_jsonl(&mut jsonl, records()).expect("jsonl");
        (n, csv, jsonl)
    };
    let rows = export(pg);
    assert_eq!(rows.0 as u64, index.counts().expect("counts").1);
    assert_eq!(rows, export(&index));
}
