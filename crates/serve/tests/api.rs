//! The router answered in-process: JSON shapes, bounds, escaping, no file access.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{fill, id_of, import_all, CANARY, SCRIPT};
use kehoach_index::{PlanStore, SearchRequest};
use kehoach_serve::{router, AppState};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

struct Fixture {
    _dir: tempfile::TempDir,
    state: Arc<AppState>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        // The same tests on a PostgreSQL database when one is named.
        let state = match std::env::var("KEHOACH_SERVE_TEST_DB") {
            Ok(db) if !db.is_empty() => {
                // The database client blocks: set up outside the test's runtime.
                let store = std::thread::spawn(move || {
                    let schema = format!("kh_serve_{}", std::process::id());
                    kehoach_store_pg::PgStore::drop_schema(&db, &schema).expect("drop schema");
                    let store = kehoach_store_pg::PgStore::connect_in_schema(&db, &schema)
                        .expect("database");
                    kehoach_store_pg::init(&store, false).expect("db init");
                    fill(&store);
                    store
                })
                .join()
                .expect("database set-up");
                AppState::new(store)
            }
            _ => AppState::new(import_all(dir.path())),
        };
        Fixture {
            _dir: dir,
            state: Arc::new(state),
        }
    })
}

fn store() -> &'static dyn PlanStore {
    fixture().state.store()
}

/// Runs a library call on a thread of its own (outside the test's runtime:
/// the database client blocks).
fn lib<T: Send>(f: impl FnOnce(&dyn PlanStore) -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(|| f(store())).join().expect("library call"))
}

async fn get(uri: &str) -> (StatusCode, String, String) {
    let app = router(Arc::clone(&fixture().state));
    let res = app
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    let ctype = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .expect("body");
    (status, ctype, String::from_utf8_lossy(&body).into_owned())
}

async fn get_json(uri: &str) -> (StatusCode, serde_json::Value) {
    let (status, ctype, body) = get(uri).await;
    assert!(ctype.starts_with("application/json"), "{uri}: {ctype}");
    (status, serde_json::from_str(&body).expect("JSON body"))
}

#[tokio::test]
async fn search_api_has_the_cli_shape() {
    let (status, v) = get_json("/api/search?q=ho+so+truc+tuyen&facets=1&limit=3").await;
    assert_eq!(status, StatusCode::OK);
    let lib = lib(|store| {
        store.search(&SearchRequest {
            query: "ho so truc tuyen".into(),
            limit: 3,
            facets: true,
            snippet_chars: 200,
            ..Default::default()
        })
    })
    .expect("search");
    // Compared as text round trips (scores are f32).
    let cli: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&lib).expect("json")).expect("json");
    assert_eq!(v, cli);
    assert!(v["total"].as_u64().unwrap_or(0) >= 3);
    assert!(v["hits"][0]["snippet"]
        .as_str()
        .unwrap_or("")
        .contains("<b>"));
    assert!(v["facets"]["year"].is_array());
    // Without facets=1 there are none, as on the CLI.
    let (_, v) = get_json("/api/search?q=ho+so").await;
    assert!(v.get("facets").is_none());
    assert_eq!(v["hits"].as_array().map(Vec::len), Some(10));
    // A small corpus is counted exactly, with or without exact_total=1.
    assert_eq!(v["total_exact"], true);
    let (status, e) = get_json("/api/search?q=ho+so&exact_total=1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(e["total"], v["total"]);
    assert_eq!(e["total_exact"], true);
    assert_eq!(e["hits"], v["hits"]);
}

#[tokio::test]
async fn filters_narrow_the_search() {
    let (_, all) = get_json("/api/search?q=ho+so&limit=1").await;
    let (_, y) = get_json("/api/search?q=ho+so&year=2024&limit=1").await;
    let (_, place) = get_json("/api/search?q=ho+so&place=B%E1%BA%AFc%20Giang&limit=100").await;
    let n = |v: &serde_json::Value| v["total"].as_u64().unwrap_or(0);
    assert!(n(&y) > 0 && n(&y) < n(&all));
    assert!(n(&place) > 0 && n(&place) < n(&all));
    for h in place["hits"].as_array().into_iter().flatten() {
        assert_eq!(h["plan"]["meta"]["place"], "Bắc Giang");
    }
}

#[tokio::test]
async fn plans_plan_diff_and_targets() {
    let (status, v) = get_json("/api/plans").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        v,
        serde_json::to_value(lib(|s| s.plans()).expect("plans")).expect("json")
    );
    assert_eq!(v.as_array().map(Vec::len), Some(6));

    let syt = lib(|s| id_of(s, "003_39456b49d95a0e63"));
    let sct = lib(|s| id_of(s, "001_0d47e3459e23ee36"));
    let (status, v) = get_json(&format!("/api/plans/{syt}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["schema"], "kehoach/plan@1");
    assert_eq!(v["tasks"].as_array().map(Vec::len), Some(45));
    // A unique prefix works too.
    let (status, _) = get_json(&format!("/api/plans/{}", &syt[..8])).await;
    assert_eq!(status, StatusCode::OK);

    let (status, d) = get_json(&format!("/api/diff?a={syt}&b={sct}")).await;
    assert_eq!(status, StatusCode::OK);
    let satisfaction = d["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| {
            c["kind"] == "target_changed"
                && c["metric"].as_str().is_some_and(|m| m.contains("hài lòng"))
        })
        .expect("the satisfaction target changed");
    assert_eq!(satisfaction["from"]["value"], 90.0);
    assert_eq!(satisfaction["to"]["value"], 95.0);
    assert_eq!(satisfaction["direction"], "raised");

    let (status, t) = get_json("/api/targets?q=hai+long").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(t["query"], "hai long");
    assert!(!t["series"].as_array().is_none_or(Vec::is_empty));
}

#[tokio::test]
async fn bad_requests_are_refused_not_crashed() {
    let long = "a".repeat(501);
    for uri in [
        format!("/api/search?q={long}"),
        "/api/search?limit=101".into(),
        "/api/search?limit=abc".into(),
        "/api/search?offset=10001".into(),
        "/api/search?year=20x4".into(),
        "/api/search?kind=never".into(),
        "/api/search?due_before=yesterday".into(),
        "/api/diff?a=1234".into(),
        "/api/plans/..%2F..%2Fetc%2Fpasswd".into(),
        "/api/plans/corpus%2F003_39456b49d95a0e63.txt".into(),
    ] {
        let (status, ctype, body) = get(&uri).await;
        assert!(status.is_client_error(), "{uri}: {status} {body}");
        assert!(ctype.starts_with("application/json"), "{uri}: {ctype}");
    }
    // Bytes that are not UTF-8 are read lossily, never a crash.
    let (status, _, _) = get("/api/search?q=%FF%FE").await;
    assert!(!status.is_server_error());
    let (status, v) = get_json("/api/plans/ffffffffffffffff").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(v["error"].is_string());
    // Paths never reach the file system: a traversal is just an unknown page.
    let (status, _, _) = get("/static/../Cargo.toml").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get("/plan/..%2F..%2Fetc%2Fpasswd").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn pages_escape_document_text() {
    let (status, ctype, html) = get(&format!("/?q={CANARY}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("text/html; charset=utf-8"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains(SCRIPT));
    assert!(!html.contains("<img src=x"));
    assert_eq!(html.matches("<script").count(), 1, "only app.js");
    // The plan page too.
    let id = lib(|s| s.find("generated/hostile.txt"))
        .expect("find")
        .first()
        .map(|p| p.id.clone())
        .expect("hostile plan");
    let (status, _, html) = get(&format!("/plan/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(html.matches("<script").count(), 1);
    // A hostile query is echoed escaped.
    let (_, _, html) = get("/?q=%22%3E%3Cscript%3Ealert(3)%3C%2Fscript%3E").await;
    assert!(!html.contains("<script>alert(3)"));
    assert!(html.contains("&quot;&gt;&lt;script&gt;alert(3)"));
}

#[tokio::test]
async fn pages_render() {
    let syt = lib(|s| id_of(s, "003_39456b49d95a0e63"));
    let sct = lib(|s| id_of(s, "001_0d47e3459e23ee36"));
    for (uri, needle) in [
        ("/".to_string(), "result-count"),
        ("/?q=ho+so+truc+tuyen&year=2024".to_string(), "<mark>"),
        ("/plans".to_string(), "plan-count"),
        (format!("/plan/{syt}"), "id=\"tasks\""),
        (format!("/compare?a={syt}&b={sct}"), "target-changes"),
        ("/compare".to_string(), "compare-form"),
        ("/targets?q=hai+long".to_string(), "chart.svg"),
        ("/targets".to_string(), "tq"),
    ] {
        let (status, _, html) = get(&uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(html.contains(needle), "{uri} lacks {needle}");
        assert!(html.contains("<meta charset=\"utf-8\">"));
    }
    let (status, ctype, svg) = get("/chart.svg?q=hai+long").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("image/svg+xml"));
    assert!(svg.contains("<svg"));
    let (status, ctype, _) = get("/static/style.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("text/css"));
    let (status, _, _) = get("/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_response_carries_a_strict_policy() {
    let app = router(Arc::clone(&fixture().state));
    let res = app
        .oneshot(Request::get("/").body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let csp = res
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(
        res.headers()
            .get("x-content-type-options")
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
}
