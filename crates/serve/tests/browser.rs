//! End to end in a real browser: headless Chromium driven through chromedriver.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`scripts/test.sh` installs them when
//! missing); without them this test fails with a message saying so. Everything runs on
//! loopback: the server on an ephemeral port, chromedriver on another, and the browser is
//! started with background networking, component updates and sync switched off.
//! Screenshots are written to `<target>/tmp/kehoach-serve-screens/`.

mod common;

use common::{id_of, import_all, import_links, CANARY, SCRIPT};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use kehoach_index::SearchRequest;
use kehoach_serve::AppState;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The first of `candidates` that exists, else the first `names` entry found on PATH.
fn find_program(env: &str, candidates: &[&str], names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env).map(PathBuf::from) {
        return p.is_file().then_some(p);
    }
    for c in candidates {
        let p = Path::new(c);
        if p.is_file() {
            return Some(p.to_path_buf());
        }
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Kills chromedriver (and so the browser it started) however the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn wait_for_port(addr: SocketAddr, within: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < within {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

fn screens_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kehoach-serve-screens");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    let path = screens_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write screenshot");
    eprintln!("screenshot: {}", path.display());
}

async fn find(c: &Client, css: &str) -> Element {
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css:?}: {e}"))
}

/// Waits until the first element matching `css` has attribute `name` equal
/// to `want` (a page being replaced by the next one can hand out an element
/// that goes stale before it is read: it is looked up again).
async fn wait_attr(c: &Client, css: &str, name: &str, want: &str, what: &str) {
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < Duration::from_secs(15) {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            match el.attr(name).await {
                Ok(Some(v)) if v == want => return,
                Ok(v) => last = format!("{v:?}"),
                Err(e) => last = e.to_string(),
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: {css} {name} is {last}, expected {want:?}");
}

async fn text_of(c: &Client, css: &str) -> String {
    find(c, css).await.text().await.expect("text")
}

async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.expect("script runs")
}

/// Fails when an alert (a script that ran) is open.
async fn assert_no_alert(c: &Client) {
    if let Ok(text) = c.get_alert_text().await {
        panic!("a script ran: alert({text:?})");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_plan_compare_targets_in_chromium() {
    let chromium = find_program(
        "KEHOACH_CHROMIUM",
        &["/usr/lib/chromium/chromium"],
        &["chromium", "chromium-browser"],
    );
    let chromedriver = find_program(
        "KEHOACH_CHROMEDRIVER",
        &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"],
        &["chromedriver"],
    );
    let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
        panic!(
            "the browser test needs Chromium and chromedriver: install Debian's packages with \
             `apt-get install -y chromium chromium-driver` (scripts/test.sh does this when run as root), \
             or point KEHOACH_CHROMIUM and KEHOACH_CHROMEDRIVER at them"
        );
    };

    // Data: the sample corpus plus a plan whose task text holds a script tag.
    let data = tempfile::tempdir().expect("temp dir");
    let store = import_all(data.path());
    let links = import_links(&store);
    let expect_total = |query: &str, years: Option<(i32, i32)>| {
        store
            .search(&SearchRequest {
                query: query.into(),
                years,
                limit: 1,
                ..Default::default()
            })
            .expect("search")
            .total
    };
    let all_total = expect_total("ho so truc tuyen", None);
    let total_2024 = expect_total("ho so truc tuyen", Some((2024, 2024)));
    assert!(total_2024 > 0 && total_2024 < all_total);
    let syt = id_of(&store, "003_39456b49d95a0e63");
    let sct = id_of(&store, "001_0d47e3459e23ee36");

    // The server, on an ephemeral loopback port.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = Arc::new(AppState::new(store));
    tokio::spawn(kehoach_serve::serve(listener, state));

    // chromedriver on another loopback port.
    let port = free_port();
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
    let _driver = Driver(child);
    let driver_addr: SocketAddr = ([127, 0, 0, 1], port).into();
    assert!(
        wait_for_port(driver_addr, Duration::from_secs(20)),
        "chromedriver did not start"
    );

    let profile = tempfile::tempdir().expect("profile dir");
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium.to_string_lossy(),
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!("capabilities are an object")
    };
    let c = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://{driver_addr}"))
        .await
        .expect("a WebDriver session with headless Chromium");

    let result = tokio::time::timeout(
        Duration::from_secs(240),
        steps(&c, &base, all_total, total_2024, &syt, &sct, &links),
    )
    .await;
    let _ = c.close().await;
    result.expect("the browser steps finished in time");
}

async fn steps(
    c: &Client,
    base: &str,
    all_total: u64,
    total_2024: u64,
    syt: &str,
    sct: &str,
    links: &std::collections::BTreeMap<String, String>,
) {
    c.set_window_size(1280, 900).await.expect("window size");

    // 1. Search: type a query without diacritics.
    c.goto(&format!("{base}/")).await.expect("search page");
    assert!(c.title().await.expect("title").contains("kehoach"));
    let q = find(c, "#q").await;
    q.send_keys("ho so truc tuyen").await.expect("type");
    find(c, "#search-button")
        .await
        .click()
        .await
        .expect("submit");
    wait_attr(
        c,
        "#result-count",
        "data-total",
        &all_total.to_string(),
        "result count",
    )
    .await;
    let url = c.current_url().await.expect("url");
    assert!(
        url.query().unwrap_or("").contains("q=ho+so+truc+tuyen"),
        "the URL holds the query: {url}"
    );

    // 2. Click the 2024 year facet.
    find(
        c,
        "section[data-facet=year] a.facet-link[data-value='2024']",
    )
    .await
    .click()
    .await
    .expect("click facet");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(
            "section[data-facet=year] a.facet-link.selected[data-value='2024']",
        ))
        .await
        .expect("the year facet is selected");
    wait_attr(
        c,
        "#result-count",
        "data-total",
        &total_2024.to_string(),
        "result count after the year facet",
    )
    .await;
    let url = c.current_url().await.expect("url");
    assert!(url.query().unwrap_or("").contains("year=2024"), "{url}");
    // A highlighted snippet: the words as printed, with diacritics.
    let marks = js(
        c,
        "return Array.from(document.querySelectorAll('.snippet mark')).map(m => m.textContent);",
    )
    .await;
    let marks: Vec<String> = marks
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_lowercase))
        .collect();
    assert!(
        marks
            .iter()
            .any(|m| m.contains("hồ sơ") || m.contains("trực tuyến")),
        "highlighted words: {marks:?}"
    );
    let bg = js(
        c,
        "return getComputedStyle(document.querySelector('.snippet mark')).backgroundColor;",
    )
    .await;
    assert_ne!(bg.as_str(), Some("rgba(0, 0, 0, 0)"), "marks are coloured");
    shot(c, "search-laptop").await;
    c.set_window_size(390, 844).await.expect("phone width");
    c.refresh().await.expect("reload at phone width");
    find(c, "#result-count").await;
    let overflow = js(
        c,
        "return document.documentElement.scrollWidth > window.innerWidth + 1;",
    )
    .await;
    assert_eq!(
        overflow,
        serde_json::Value::Bool(false),
        "no sideways scrolling on a phone"
    );
    shot(c, "search-phone").await;
    c.set_window_size(1280, 900).await.expect("laptop width");

    c.refresh().await.expect("reload at laptop width");
    find(c, "#result-count").await;

    // 3. Open a plan from a hit.
    find(c, "ol.hits .hit-plan")
        .await
        .click()
        .await
        .expect("open plan");
    find(c, "#tasks").await;
    let title = text_of(c, "#plan-title").await;
    assert!(!title.trim().is_empty());
    let meta = text_of(c, "#plan-meta").await;
    assert!(meta.contains("2024"), "{meta}");
    let sections = c
        .find_all(Locator::Css("#tasks tr.section"))
        .await
        .expect("rows");
    assert!(!sections.is_empty(), "section rows");
    let nested = c
        .find_all(Locator::Css("#tasks tr.lvl-2"))
        .await
        .expect("rows");
    assert!(!nested.is_empty(), "indented sub-tasks");
    let dues = c
        .find_all(Locator::Css("#tasks .due time"))
        .await
        .expect("dues");
    assert!(!dues.is_empty(), "parsed deadlines");
    shot(c, "plan-laptop").await;

    // 4. Compare the two Bắc Giang plans: the satisfaction target 90% → 95%.
    c.goto(&format!("{base}/compare")).await.expect("compare");
    find(c, "#plan-a")
        .await
        .select_by_value(syt)
        .await
        .expect("pick A");
    find(c, "#plan-b")
        .await
        .select_by_value(sct)
        .await
        .expect("pick B");
    find(c, "#compare-button")
        .await
        .click()
        .await
        .expect("compare");
    find(c, "#target-changes").await;
    let rows = c
        .find_all(Locator::Css("#target-changes tbody tr"))
        .await
        .expect("rows");
    let mut seen = false;
    for row in rows {
        let text = row.text().await.expect("row text");
        if !text.to_lowercase().contains("hài lòng") {
            continue;
        }
        let from = row
            .find(Locator::Css("td.from"))
            .await
            .expect("from")
            .text()
            .await
            .expect("text");
        let to = row
            .find(Locator::Css("td.to"))
            .await
            .expect("to")
            .text()
            .await
            .expect("text");
        assert!(from.contains("90%"), "from {from:?}");
        assert!(to.contains("95%"), "to {to:?}");
        assert_eq!(
            row.attr("class").await.expect("class").as_deref(),
            Some("raised")
        );
        let colour = row
            .find(Locator::Css("td.to"))
            .await
            .expect("to")
            .css_value("color")
            .await
            .expect("colour");
        assert_eq!(colour, "rgba(19, 115, 51, 1)", "raised targets are green");
        seen = true;
    }
    assert!(seen, "the satisfaction target is listed");
    assert!(!c
        .find_all(Locator::Css("#added li"))
        .await
        .expect("added")
        .is_empty());
    shot(c, "compare-laptop").await;
    c.set_window_size(390, 844).await.expect("phone width");
    shot(c, "compare-phone").await;
    c.set_window_size(1280, 900).await.expect("laptop width");

    // 5. Target timeline: chart and table.
    c.goto(&format!("{base}/targets")).await.expect("targets");
    find(c, "#tq")
        .await
        .send_keys("hai long\n")
        .await
        .expect("type");
    find(c, "#series").await;
    let chart_ok = c
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("#chart"))
        .await
        .expect("chart");
    let loaded = js(
        c,
        "const i = document.getElementById('chart'); return i.complete && i.naturalWidth > 0;",
    )
    .await;
    assert_eq!(
        loaded,
        serde_json::Value::Bool(true),
        "the chart image loads"
    );
    drop(chart_ok);
    assert!(text_of(c, "#series").await.contains("95%"));
    shot(c, "targets-laptop").await;

    // 6. Hostile text shows as text and runs nothing.
    c.goto(&format!("{base}/?q={CANARY}"))
        .await
        .expect("search");
    let snippet = text_of(c, "ol.hits .snippet").await;
    assert!(
        snippet.contains(SCRIPT),
        "the script tag shows as text: {snippet:?}"
    );
    assert_no_alert(c).await;
    let scripts = js(c, "return document.scripts.length;").await;
    assert_eq!(scripts, serde_json::json!(1), "only the page's own script");
    let imgs = js(c, "return document.querySelectorAll('img[src=x]').length;").await;
    assert_eq!(imgs, serde_json::json!(0));
    find(c, "ol.hits .hit-plan")
        .await
        .click()
        .await
        .expect("open");
    find(c, "#tasks").await;
    assert_no_alert(c).await;
    let table = text_of(c, "#tasks").await;
    assert!(table.contains(SCRIPT), "the plan page shows the text");
    let scripts = js(c, "return document.scripts.length;").await;
    assert_eq!(scripts, serde_json::json!(1));
    shot(c, "hostile-plan").await;

    // 7. Plans in context: the district plan shows what it implements and
    // what implements it; its report shows planned against achieved.
    c.goto(&format!("{base}/plan/{}", links["l2"]))
        .await
        .expect("district plan");
    let up = text_of(c, "#implements").await;
    assert!(up.contains("25/KH-UBND"), "{up}");
    let down = text_of(c, "#implemented-by").await;
    assert!(
        down.contains("08/KH-UBND") && down.contains("11/KH-UBND"),
        "{down}"
    );
    shot(c, "plan-links").await;
    find(c, "#reports a")
        .await
        .click()
        .await
        .expect("open the report");
    find(c, "#results-table").await;
    let rows = js(
        c,
        "return Array.from(document.querySelectorAll('#results-table tbody tr')).map(r => r.querySelector('[data-met]').dataset.met);",
    )
    .await;
    let rows: Vec<String> = rows
        .as_array()
        .expect("rows")
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert!(rows.iter().any(|m| m == "false") && rows.iter().any(|m| m == "true"));
    // The report links back to the plan it reports on.
    let back = js(
        c,
        &format!(
            "return document.querySelector('#implements a[href=\"/plan/{}\"]') !== null;",
            links["l2"]
        ),
    )
    .await;
    assert_eq!(back, serde_json::json!(true));
    shot(c, "report-results").await;
    assert_no_alert(c).await;
}
