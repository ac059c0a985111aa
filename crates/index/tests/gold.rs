//! The index against the hand-checked gold plans.

use kehoach_index::{Error, PlanStore, SearchRequest, Store, WriterOptions};
use kehoach_plan::{Plan, Task};
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

fn opts() -> WriterOptions {
    WriterOptions {
        threads: 1,
        memory_bytes: 32 << 20,
    }
}

/// A store holding the five gold plans.
fn gold_store(dir: &Path) -> (Store, Vec<Plan>) {
    let plans = gold();
    let store = Store::open_or_create(dir).unwrap();
    let mut w = store.writer(opts()).unwrap();
    for p in &plans {
        w.add_plan(&p.source.path, &p.source.sha256, p).unwrap();
    }
    w.finish().unwrap();
    store.reload().unwrap();
    (store, plans)
}

fn words(s: &str) -> Vec<String> {
    kehoach_text::fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether `text` contains the words of `phrase` adjacent and in order (diacritics ignored).
fn has_phrase(text: &str, phrase: &str) -> bool {
    let (t, p) = (words(text), words(phrase));
    !p.is_empty() && t.windows(p.len()).any(|w| w == p.as_slice())
}

fn all_tasks(plans: &[Plan]) -> Vec<(&Plan, &Task)> {
    plans
        .iter()
        .flat_map(|p| p.tasks.iter().map(move |t| (p, t)))
        .collect()
}

fn req(query: &str) -> SearchRequest {
    SearchRequest {
        query: query.into(),
        limit: 1000,
        ..Default::default()
    }
}

fn key(plan_sha: &str, seq: u32) -> (String, u32) {
    (plan_sha[..16].to_string(), seq)
}

#[test]
fn stores_and_returns_whole_plans() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, plans) = gold_store(tmp.path());
    let total: usize = plans.iter().map(|p| p.tasks.len()).sum();
    assert_eq!(store.counts().unwrap(), (5, total as u64));
    for p in &plans {
        let back = store
            .plan(&p.source.sha256[..16])
            .unwrap()
            .expect("imported");
        assert_eq!(&back, p);
    }
    let listed = store.plans().unwrap();
    assert_eq!(listed.len(), 5);
    assert_eq!(listed.iter().map(|s| s.tasks).sum::<u64>(), total as u64);
    assert_eq!(store.find(&plans[0].source.sha256[..8]).unwrap().len(), 1);
    assert_eq!(store.find(&plans[0].source.path).unwrap().len(), 1);
}

#[test]
fn folded_query_finds_every_online_payment_task_in_the_top_10() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, plans) = gold_store(tmp.path());
    let expected: Vec<(String, u32)> = all_tasks(&plans)
        .into_iter()
        .filter(|(_, t)| has_phrase(t.content.as_deref().unwrap_or(""), "thanh toán trực tuyến"))
        .map(|(p, t)| key(&p.source.sha256, t.seq))
        .collect();
    assert_eq!(expected.len(), 9);
    for query in [
        "thanh toan truc tuyen",
        "thanh toán trực tuyến",
        "THANH TOÁN trực tuyến",
    ] {
        let res = store
            .search(&SearchRequest {
                query: query.into(),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        let got: Vec<(String, u32)> = res
            .hits
            .iter()
            .map(|h| (h.plan.id.clone(), h.task.seq))
            .collect();
        for e in &expected {
            assert!(
                got.contains(e),
                "{query}: {e:?} missing from the top 10 {got:?}"
            );
        }
        assert!(
            res.hits[0].snippet.contains("<b>"),
            "{}",
            res.hits[0].snippet
        );
    }
}

#[test]
fn phrase_with_year_filter_returns_only_that_year() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, plans) = gold_store(tmp.path());
    let expected = all_tasks(&plans)
        .into_iter()
        .filter(|(p, t)| {
            p.meta.year == Some(2024)
                && has_phrase(t.content.as_deref().unwrap_or(""), "một cửa liên thông")
        })
        .count();
    let res = store
        .search(&SearchRequest {
            years: Some((2024, 2024)),
            ..req("\"một cửa liên thông\"")
        })
        .unwrap();
    assert!(expected > 0);
    assert_eq!(res.total as usize, expected);
    assert!(res.hits.iter().all(|h| h.plan.meta.year == Some(2024)));
    // Folded phrase, range of years.
    let all = store
        .search(&SearchRequest {
            years: Some((2020, 2025)),
            ..req("\"mot cua lien thong\"")
        })
        .unwrap();
    let every = all_tasks(&plans)
        .into_iter()
        .filter(|(_, t)| has_phrase(t.content.as_deref().unwrap_or(""), "một cửa liên thông"))
        .count();
    assert_eq!(all.total as usize, every);
    let none = store
        .search(&SearchRequest {
            years: Some((2026, 2030)),
            ..req("\"mot cua lien thong\"")
        })
        .unwrap();
    assert_eq!(none.total, 0);
}

#[test]
fn exclusion_removes_matches() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, _) = gold_store(tmp.path());
    let with = store.search(&req("\"một cửa\"")).unwrap();
    let without = store.search(&req("\"một cửa\" -\"bưu chính\"")).unwrap();
    assert!(without.total < with.total);
    assert!(without
        .hits
        .iter()
        .all(|h| !has_phrase(h.task.content.as_deref().unwrap_or(""), "bưu chính")));
    assert!(with
        .hits
        .iter()
        .any(|h| has_phrase(h.task.content.as_deref().unwrap_or(""), "bưu chính")));
}

#[test]
fn exact_diacritics_rank_first() {
    let tmp = tempfile::tempdir().unwrap();
    let mut plan = gold().remove(0);
    plan.tasks.truncate(2);
    plan.tasks[0].content = Some("So hoa ho so truc tuyen cua xa".into());
    plan.tasks[1].content = Some("Số hóa hồ sơ trực tuyến của xã".into());
    let store = Store::open_or_create(tmp.path()).unwrap();
    let mut w = store.writer(opts()).unwrap();
    w.add_plan("x.txt", &plan.source.sha256, &plan).unwrap();
    w.commit().unwrap();
    store.reload().unwrap();
    let res = store.search(&req("hồ sơ trực tuyến")).unwrap();
    assert_eq!(res.total, 2);
    assert_eq!(res.hits[0].task.seq, plan.tasks[1].seq);
    assert!(res.hits[0].score > res.hits[1].score);
    assert_eq!(
        res.hits[0].snippet,
        "<b>Số</b> hóa <b>hồ sơ trực tuyến</b> của xã"
    );
    let folded = store.search(&req("ho so truc tuyen")).unwrap();
    assert_eq!(folded.total, 2);
}

#[test]
fn unit_deadline_and_issuer_filters_are_exact() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, plans) = gold_store(tmp.path());
    let tasks = all_tasks(&plans);

    let lead = tasks
        .iter()
        .filter(|(_, t)| {
            t.lead_units
                .iter()
                .any(|u| has_phrase(u, "Công chức VP-TK"))
        })
        .count();
    let res = store
        .search(&SearchRequest {
            lead: Some("cong chuc VP-TK".into()),
            ..req("")
        })
        .unwrap();
    assert_eq!(res.total as usize, lead);
    assert!(lead >= 14);

    let periodic = tasks
        .iter()
        .filter(|(_, t)| t.due.as_ref().map(|d| d.kind.as_str()) == Some("periodic"))
        .count();
    let res = store
        .search(&SearchRequest {
            kind: Some("periodic".into()),
            ..req("")
        })
        .unwrap();
    assert_eq!(res.total as usize, periodic);

    let before = tasks
        .iter()
        .filter(|(_, t)| {
            t.due
                .as_ref()
                .and_then(|d| d.by.as_deref())
                .is_some_and(|by| by <= "2024-02-01")
        })
        .count();
    let res = store
        .search(&SearchRequest {
            due_before: Some("2024-02-01".into()),
            ..req("")
        })
        .unwrap();
    assert_eq!(res.total as usize, before);
    assert!(res
        .hits
        .iter()
        .all(|h| h.task.due.as_ref().and_then(|d| d.by.as_deref()).unwrap() <= "2024-02-01"));

    let syt = store
        .search(&SearchRequest {
            issuer: Some("So Y te".into()),
            ..req("")
        })
        .unwrap();
    assert_eq!(syt.total as usize, plans[3].tasks.len());
    let sct = store
        .search(&SearchRequest {
            issuer: Some("sct".into()),
            ..req("")
        })
        .unwrap();
    assert_eq!(sct.total as usize, plans[1].tasks.len());

    let bad = store.search(&SearchRequest {
        due_before: Some("2024-13-40".into()),
        ..req("")
    });
    assert!(matches!(bad, Err(Error::InvalidQuery(_))));
    let bad = store.search(&SearchRequest {
        kind: Some("weekly".into()),
        ..req("")
    });
    assert!(matches!(bad, Err(Error::InvalidQuery(_))));
}

#[test]
fn facet_counts_cover_all_matches() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, plans) = gold_store(tmp.path());
    let res = store
        .search(&SearchRequest {
            facets: true,
            limit: 3,
            ..req("")
        })
        .unwrap();
    let total: usize = plans.iter().map(|p| p.tasks.len()).sum();
    assert_eq!(res.total as usize, total);
    assert_eq!(res.hits.len(), 3);
    let years = &res.facets["year"];
    assert_eq!(years.iter().map(|f| f.count).sum::<u64>() as usize, total);
    let y2024: usize = plans
        .iter()
        .filter(|p| p.meta.year == Some(2024))
        .map(|p| p.tasks.len())
        .sum();
    assert_eq!(
        years.iter().find(|f| f.value == "2024").map(|f| f.count),
        Some(y2024 as u64)
    );
    assert!(res.facets["lead"]
        .iter()
        .any(|f| f.value == "Công chức VP-TK"));
    assert!(res.facets["kind"].iter().any(|f| f.value == "periodic"));
    let json = serde_json::to_value(&res).unwrap();
    assert!(json["hits"][0]["plan"]["meta"].is_object());
    assert!(json["hits"][0]["task"]["seq"].is_u64());
    assert!(json["facets"]["issuer"].is_array());
}

#[test]
fn changed_file_replaces_and_remove_deletes() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, plans) = gold_store(tmp.path());
    let total: u64 = plans.iter().map(|p| p.tasks.len() as u64).sum();
    let mut changed = plans[0].clone();
    changed.tasks.truncate(5);
    let new_sha = "ab".repeat(32);
    let mut w = store.writer(opts()).unwrap();
    w.add_plan(&plans[0].source.path, &new_sha, &changed)
        .unwrap();
    w.commit().unwrap();
    store.reload().unwrap();
    let after = total - plans[0].tasks.len() as u64 + 5;
    assert_eq!(store.counts().unwrap(), (5, after));
    assert!(store.plan(&plans[0].source.sha256[..16]).unwrap().is_none());
    assert_eq!(
        store.plan(&new_sha[..16]).unwrap().map(|p| p.tasks.len()),
        Some(5)
    );

    w.remove_plan(&plans[1].source.sha256[..16]);
    w.commit().unwrap();
    drop(w);
    store.reload().unwrap();
    assert_eq!(
        store.counts().unwrap(),
        (4, after - plans[1].tasks.len() as u64)
    );
}

#[test]
fn uncommitted_plans_are_never_visible() {
    let tmp = tempfile::tempdir().unwrap();
    let plans = gold();
    {
        let store = Store::open_or_create(tmp.path()).unwrap();
        let mut w = store.writer(opts()).unwrap();
        w.add_plan("a.txt", &plans[0].source.sha256, &plans[0])
            .unwrap();
        w.commit().unwrap();
        w.add_plan("b.txt", &plans[1].source.sha256, &plans[1])
            .unwrap();
        // Dropped without a commit, as a killed import would be.
    }
    let store = Store::open(tmp.path()).unwrap();
    assert_eq!(store.counts().unwrap(), (1, plans[0].tasks.len() as u64));
}

#[test]
fn a_second_writer_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open_or_create(tmp.path()).unwrap();
    let _w = store.writer(opts()).unwrap();
    let other = Store::open(tmp.path()).unwrap();
    let err = other.writer(opts()).unwrap_err();
    assert!(matches!(err, Error::Locked(_)), "{err}");
    assert!(err
        .to_string()
        .contains("index is locked by another import"));
}

#[test]
fn missing_data_dir_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let err = Store::open(&tmp.path().join("nope")).unwrap_err();
    assert!(matches!(err, Error::NotFound(_)));
}

/// A store holding the five gold plans, one segment per plan.
fn gold_store_segmented(dir: &Path) -> (Store, Vec<Plan>) {
    let plans = gold();
    let store = Store::open_or_create(dir).unwrap();
    let mut w = store.writer(opts()).unwrap();
    for p in &plans {
        w.add_plan(&p.source.path, &p.source.sha256, p).unwrap();
        w.commit().unwrap();
    }
    w.finish().unwrap();
    store.reload().unwrap();
    (store, plans)
}

type Ranked = Vec<(String, u32, u32)>;

fn ranked(store: &Store, r: &SearchRequest) -> (u64, Ranked) {
    let res = store.search(r).unwrap();
    let hits = res
        .hits
        .iter()
        .map(|h| (h.plan.id.clone(), h.task.seq, h.score.to_bits()))
        .collect();
    (res.total, hits)
}

#[test]
fn short_pages_are_slices_of_the_full_ranking() {
    let queries = [
        "thanh toan truc tuyen",
        "hồ sơ trực tuyến",
        "\"một cửa liên thông\" -\"bưu chính\"",
        "kiểm soát thủ tục hành chính",
        "báo cáo",
        "",
    ];
    for segmented in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let (store, _) = if segmented {
            gold_store_segmented(tmp.path())
        } else {
            gold_store(tmp.path())
        };
        for q in queries {
            for years in [None, Some((2024, 2025))] {
                let full_req = SearchRequest { years, ..req(q) };
                let (total, full) = ranked(&store, &full_req);
                assert_eq!(full.len() as u64, total.min(1000), "{q}");
                for (offset, limit) in [(0, 1), (0, 3), (2, 5), (7, 4), (total as usize, 3)] {
                    let (t, page) = ranked(
                        &store,
                        &SearchRequest {
                            offset,
                            limit,
                            ..full_req.clone()
                        },
                    );
                    assert_eq!(t, total, "{q} {offset} {limit}");
                    let want: Ranked = full.iter().skip(offset).take(limit).cloned().collect();
                    assert_eq!(page, want, "{q} {years:?} {offset} {limit} {segmented}");
                }
            }
        }
    }
}

#[test]
fn segments_do_not_change_scores() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (one, _) = gold_store(a.path());
    let (many, _) = gold_store_segmented(b.path());
    for q in ["thanh toan truc tuyen", "\"dịch vụ công\"", "hồ sơ -điện"] {
        let (t1, mut r1) = ranked(&one, &req(q));
        let (t2, mut r2) = ranked(&many, &req(q));
        assert_eq!(t1, t2, "{q}");
        r1.sort();
        r2.sort();
        assert_eq!(r1, r2, "{q}");
    }
}

#[test]
fn place_filter_is_exact() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, plans) = gold_store(tmp.path());
    let want: u64 = plans
        .iter()
        .filter(|p| p.meta.place.as_deref() == Some("Bắc Giang"))
        .map(|p| p.tasks.len() as u64)
        .sum();
    assert!(want > 0);
    let res = store
        .search(&SearchRequest {
            place: Some("Bắc Giang".into()),
            ..req("")
        })
        .unwrap();
    assert_eq!(res.total, want);
    assert!(res
        .hits
        .iter()
        .all(|h| h.plan.meta.place.as_deref() == Some("Bắc Giang")));
}
