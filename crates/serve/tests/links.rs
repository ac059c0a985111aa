//! Plans in context through the router: `/api/links/{id}`, the plan page's
//! "implements" and "implemented by" sections and a report's planned
//! against achieved table, the targets page's cascade.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::import_links;
use kehoach_index::Store;
use kehoach_serve::{router, AppState};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

struct Fixture {
    _dir: tempfile::TempDir,
    state: Arc<AppState>,
    ids: BTreeMap<String, String>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_or_create(dir.path()).expect("data dir");
        let ids = import_links(&store);
        Fixture {
            _dir: dir,
            state: Arc::new(AppState::new(store)),
            ids,
        }
    })
}

async fn get(uri: &str) -> (StatusCode, String) {
    let app = router(Arc::clone(&fixture().state));
    let res = app
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn id(name: &str) -> &'static str {
    &fixture().ids[name]
}

#[tokio::test]
async fn api_links_has_the_cli_shape() {
    let (status, body) = get(&format!("/api/links/{}", id("l2"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(v["plan"]["id"], id("l2"));
    assert_eq!(v["depth"], 3);
    let up = &v["implements"][0];
    assert_eq!(up["status"], "resolved");
    assert_eq!(up["plan"]["id"], id("l1"));
    assert_eq!(up["reference"]["number"], "25/KH-UBND");
    let down: Vec<&str> = v["implemented_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["plan"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(down, [id("l3"), id("l4")]);
    assert_eq!(v["reports"][0]["plan"]["id"], id("l5"));

    let (_, body) = get(&format!("/api/links/{}?depth=1", id("l1"))).await;
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(v["implemented_by"].as_array().unwrap().len(), 1);
    let (status, _) = get("/api/links/ffffffffffffffff").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&format!("/api/links/{}?depth=x", id("l1"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn plan_pages_show_both_directions_and_results() {
    let (status, html) = get(&format!("/plan/{}", id("l2"))).await;
    assert_eq!(status, StatusCode::OK);
    let section = |id: &str| {
        let start = html
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("#{id}"));
        let end = html[start..].find("</section>").unwrap() + start;
        html[start..end].to_string()
    };
    let up = section("implements");
    assert!(up.contains(&format!("href=\"/plan/{}\"", id("l1"))), "{up}");
    assert!(up.contains("25/KH-UBND"));
    let down = section("implemented-by");
    for c in ["l3", "l4"] {
        assert!(
            down.contains(&format!("href=\"/plan/{}\"", id(c))),
            "{down}"
        );
    }
    assert!(section("reports").contains(&format!("href=\"/plan/{}\"", id("l5"))));
    assert!(!html.contains("id=\"results\""));

    let (status, html) = get(&format!("/plan/{}", id("l5"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"results-table\""), "{html}");
    assert!(html.contains(&format!("href=\"/plan/{}\"", id("l2"))));
    let rows = html.matches("data-met=").count();
    assert_eq!(rows, 5, "one row per result");
    assert!(html.contains("data-met=\"false\"") && html.contains("data-met=\"true\""));
    assert!(!html.contains("Không có bảng nhiệm vụ"));
}

#[tokio::test]
async fn targets_cascade_on_page_and_api() {
    let (status, body) = get("/api/targets?q=h%C3%A0i+l%C3%B2ng&cascade=1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let levels: Vec<(u64, f64, Option<&str>)> = v["cascades"][0]["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["level"].as_u64().unwrap(),
                l["value"].as_f64().unwrap(),
                l["compared"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        levels,
        [
            (0, 90.0, None),
            (1, 90.0, Some("equal")),
            (2, 92.0, Some("stricter")),
            (2, 90.0, Some("equal")),
        ]
    );
    let (status, html) = get("/targets?q=%C4%91%C3%BAng+h%E1%BA%A1n&cascade=1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"cascade-table\""), "{html}");
    assert!(html.contains("data-compared=\"looser\""));
    assert!(html.contains(" checked"));
}
