//! Capped match counts: exact below the cap, a lower bound above it, and the
//! same best hits as a full count.

use kehoach_index::{SearchRequest, SearchResults, Store, TrackTotal, WriterOptions};
use kehoach_plan::Plan;
use std::path::Path;

fn gold() -> Vec<Plan> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/gold");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
}

/// A store holding `copies` varied copies of the gold plans, committed in
/// several segments. Copies differ in their task texts (some words repeated,
/// some tasks shortened), so scores spread and tie alike.
fn big_store(dir: &Path, copies: usize) -> Store {
    let plans = gold();
    let store = Store::open_or_create(dir).unwrap();
    let mut w = store
        .writer(WriterOptions {
            threads: 1,
            memory_bytes: 32 << 20,
        })
        .unwrap();
    let extra = [
        "",
        " báo cáo",
        " hồ sơ trực tuyến",
        " một cửa liên thông báo cáo",
    ];
    for i in 0..copies {
        for (j, base) in plans.iter().enumerate() {
            let mut p = base.clone();
            let n = i * plans.len() + j;
            p.source.path = format!("copies/{n:05}.txt");
            p.source.sha256 = format!("{n:016x}{}", "0".repeat(48));
            for (t, task) in p.tasks.iter_mut().enumerate() {
                if let Some(c) = task.content.as_mut() {
                    match (t + i) % 5 {
                        0 => c.push_str(extra[i % extra.len()]),
                        1 => {
                            let short: String = c.chars().take(40 + i % 30).collect();
                            *c = short;
                        }
                        _ => {}
                    }
                }
            }
            w.add_plan(&p.source.path, &p.source.sha256, &p).unwrap();
        }
        if i % 7 == 6 {
            w.commit().unwrap();
        }
    }
    w.finish().unwrap();
    store.reload().unwrap();
    store
}

type Ranked = Vec<(String, u32, u32)>;

fn ranked(res: &SearchResults) -> Ranked {
    res.hits
        .iter()
        .map(|h| (h.plan.id.clone(), h.task.seq, h.score.to_bits()))
        .collect()
}

const QUERIES: &[&str] = &[
    "bao cao",
    "báo cáo",
    "hồ sơ",
    "ho so truc tuyen",
    "thanh toan truc tuyen",
    "\"một cửa liên thông\"",
    "\"mot cua lien thong\" -\"buu chinh\"",
    "kiểm soát thủ tục hành chính",
    "cải cách hành chính",
    "\"bưu chính công ích\"",
    "",
];

#[test]
fn capped_totals_keep_the_best_hits() {
    let tmp = tempfile::tempdir().unwrap();
    let store = big_store(tmp.path(), 24);
    let mut above = 0;
    let mut below = 0;
    for (cap, q) in [50, 1_000_000]
        .into_iter()
        .flat_map(|cap| QUERIES.iter().map(move |q| (cap, q)))
    {
        for years in [None, Some((2024, 2025))] {
            for (offset, limit) in [(0, 10), (0, 1), (5, 20), (40, 7)] {
                let req = SearchRequest {
                    query: (*q).into(),
                    years,
                    offset,
                    limit,
                    ..Default::default()
                };
                let exact = store.search(&req).unwrap();
                assert!(exact.total_exact);
                let capped = store.search_tracking(&req, TrackTotal::UpTo(cap)).unwrap();
                if exact.total > cap {
                    above += 1;
                    assert_eq!(capped.total, cap, "{q} {years:?}");
                    assert!(!capped.total_exact, "{q} {years:?}");
                } else {
                    below += 1;
                    assert_eq!(capped.total, exact.total, "{q} {years:?}");
                    assert!(capped.total_exact, "{q} {years:?}");
                }
                assert_eq!(
                    ranked(&capped),
                    ranked(&exact),
                    "{q} {years:?} {offset} {limit}"
                );
                let snippets = |r: &SearchResults| -> Vec<String> {
                    r.hits.iter().map(|h| h.snippet.clone()).collect()
                };
                assert_eq!(snippets(&capped), snippets(&exact), "{q}");
                // Facets count every match: the total is exact again.
                let faceted = store
                    .search_tracking(
                        &SearchRequest {
                            facets: true,
                            ..req.clone()
                        },
                        TrackTotal::UpTo(cap),
                    )
                    .unwrap();
                assert_eq!(faceted.total, exact.total);
                assert!(faceted.total_exact);
            }
        }
    }
    assert!(above > 0 && below > 0, "{above} {below}");
}

#[test]
fn totals_at_and_below_the_cap_are_exact() {
    let tmp = tempfile::tempdir().unwrap();
    let store = big_store(tmp.path(), 3);
    let req = SearchRequest {
        query: "hồ sơ".into(),
        ..Default::default()
    };
    let exact = store.search(&req).unwrap();
    assert!(exact.total > 1);
    for cap in [exact.total, exact.total + 1, 10_000] {
        let r = store.search_tracking(&req, TrackTotal::UpTo(cap)).unwrap();
        assert_eq!((r.total, r.total_exact), (exact.total, true), "{cap}");
    }
    let r = store
        .search_tracking(&req, TrackTotal::UpTo(exact.total - 1))
        .unwrap();
    assert_eq!((r.total, r.total_exact), (exact.total - 1, false));
    // The default cap is 10,000.
    assert_eq!(TrackTotal::default(), TrackTotal::UpTo(10_000));
}
