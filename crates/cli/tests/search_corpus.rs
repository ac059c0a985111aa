//! Relevance on the sample corpus: `kehoach import corpus/` (the text reader and
//! extractor), then queries whose expected hits come from the gold records.

use kehoach_plan::Plan;
use serde_json::Value;
use std::path::{Path, PathBuf};

mod common;
use common::{has_phrase, json, root, run};

fn gold() -> Vec<Plan> {
    common::gold_files()
        .into_iter()
        .map(|(_, _, p)| p)
        .collect()
}

/// The corpus file stem of a hit (`000_9b75833fe1e96175`).
fn stem(hit: &Value) -> String {
    let path = hit["plan"]["source"]["path"].as_str().unwrap_or("");
    Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn imported_corpus(tmp: &Path) -> PathBuf {
    let data = tmp.join("data");
    let out = run(
        &["import", root().join("corpus").to_str().unwrap(), "--json"],
        &data,
    );
    let sum = json(&out);
    assert_eq!(sum["failed"], 0, "{sum}");
    assert_eq!(sum["imported"], 5);
    data
}

#[test]
fn corpus_import_matches_the_gold_task_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let data = imported_corpus(tmp.path());
    let plans = json(&run(&["plans", "--json"], &data));
    let gold_total: u64 = gold().iter().map(|p| p.tasks.len() as u64).sum();
    let total: u64 = plans
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["tasks"].as_u64().unwrap())
        .sum();
    assert_eq!(total, gold_total);
}

#[test]
fn online_payment_tasks_of_every_plan_are_in_the_top_10() {
    let tmp = tempfile::tempdir().unwrap();
    let data = imported_corpus(tmp.path());
    let res = json(&run(
        &["search", "thanh toan truc tuyen", "--json", "--limit", "10"],
        &data,
    ));
    for g in gold() {
        let want = g
            .tasks
            .iter()
            .filter(|t| has_phrase(t.content.as_deref().unwrap_or(""), "thanh toán trực tuyến"))
            .count();
        let gstem = Path::new(&g.source.path)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let got = res["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| stem(h) == gstem)
            .filter(|h| {
                has_phrase(
                    h["task"]["content"].as_str().unwrap_or(""),
                    "thanh toán trực tuyến",
                )
            })
            .count();
        assert_eq!(got, want, "{gstem}");
    }
}

#[test]
fn phrase_and_year_return_only_that_year() {
    let tmp = tempfile::tempdir().unwrap();
    let data = imported_corpus(tmp.path());
    let res = json(&run(
        &[
            "search",
            "\"một cửa liên thông\"",
            "--year",
            "2024",
            "--json",
            "--limit",
            "200",
        ],
        &data,
    ));
    let want: usize = gold()
        .iter()
        .filter(|p| p.meta.year == Some(2024))
        .flat_map(|p| &p.tasks)
        .filter(|t| has_phrase(t.content.as_deref().unwrap_or(""), "một cửa liên thông"))
        .count();
    assert_eq!(res["total"].as_u64(), Some(want as u64));
    assert_eq!(res["total_exact"], true);
    assert!(res["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["plan"]["meta"]["year"] == 2024));
    // --exact-total counts every match: the same answer on a small corpus.
    let exact = json(&run(
        &[
            "search",
            "\"một cửa liên thông\"",
            "--year",
            "2024",
            "--json",
            "--limit",
            "200",
            "--exact-total",
        ],
        &data,
    ));
    assert_eq!(exact["total"], res["total"]);
    assert_eq!(exact["total_exact"], true);
    assert_eq!(exact["hits"], res["hits"]);
}

#[test]
fn unit_and_deadline_filters_are_exact() {
    let tmp = tempfile::tempdir().unwrap();
    let data = imported_corpus(tmp.path());
    let gold = gold();
    let tasks: Vec<_> = gold.iter().flat_map(|p| &p.tasks).collect();
    let want = tasks
        .iter()
        .filter(|t| {
            t.lead_units
                .iter()
                .any(|u| has_phrase(u, "Công chức VP-TK"))
        })
        .count();
    let res = json(&run(
        &["search", "", "--lead", "Công chức VP-TK", "--json"],
        &data,
    ));
    assert_eq!(res["total"].as_u64(), Some(want as u64));
    let want = tasks
        .iter()
        .filter(|t| {
            t.due
                .as_ref()
                .and_then(|d| d.by.as_deref())
                .is_some_and(|b| b <= "2024-06-30")
        })
        .count();
    let res = json(&run(
        &["search", "", "--due-before", "2024-06-30", "--json"],
        &data,
    ));
    assert_eq!(res["total"].as_u64(), Some(want as u64));
    let want = tasks
        .iter()
        .filter(|t| {
            t.due
                .as_ref()
                .is_some_and(|d| d.kind.as_str() == "periodic")
        })
        .count();
    let res = json(&run(&["search", "", "--kind", "periodic", "--json"], &data));
    assert_eq!(res["total"].as_u64(), Some(want as u64));
}
