//! The HTML pages: search, plans, one plan, compare, targets.

use crate::html::{esc, href, notice, page, snippet_html, Nav};
use crate::params::{
    DiffParams, SearchParams, TargetParams, MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS, PAGE_SIZE,
};
use crate::work::{self, blocking, Failure};
use crate::Shared;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kehoach_diff::{Change, ChangeKind, Direction, PlanDiff, Value};
use kehoach_export::cascade::{Cascade, Strictness};
use kehoach_export::series::{op_symbol, Series};
use kehoach_index::links::{LinkedPlan, Links, Status};
use kehoach_index::{FacetCount, PlanSummary, SearchResults};
use kehoach_plan::{Meta, Plan, Relation, Target, Task};
use std::fmt::Write;

/// The page routes.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(search_page))
        .route("/plans", get(plans_page))
        .route("/plan/{id}", get(plan_page))
        .route("/compare", get(compare_page))
        .route("/targets", get(targets_page))
        .route("/chart.svg", get(chart))
}

/// A whole HTML response.
fn respond(status: StatusCode, title: &str, nav: Nav, body: &str) -> Response {
    (status, Html(page(title, nav, body))).into_response()
}

/// An error page.
fn error_page(f: &Failure, nav: Nav) -> Response {
    let body = format!(
        "<h1>Không thực hiện được</h1>{}",
        notice("error", &f.message)
    );
    respond(f.status, "Lỗi", nav, &body)
}

/// The answer to an unknown address.
pub async fn not_found() -> Response {
    error_page(
        &Failure::not_found("Không có trang này. Trở về trang tìm kiếm."),
        Nav::None,
    )
}

fn params<T: Default>(q: Result<Query<T>, QueryRejection>) -> Result<T, Failure> {
    q.map(|Query(v)| v)
        .map_err(|e| Failure::bad(format!("Tham số không hợp lệ: {}", e.body_text())))
}

// ---------------------------------------------------------------- search

/// Facets shown on the search page: (facet, filter parameter, heading).
const FACETS: &[(&str, &str, &str)] = &[
    ("year", "year", "Năm"),
    ("issuer", "issuer", "Cơ quan ban hành"),
    ("place", "place", "Địa danh"),
    ("lead", "lead", "Đơn vị chủ trì"),
    ("kind", "kind", "Loại thời hạn"),
];

/// Facet values listed before "more".
const FACET_SHOWN: usize = 8;

fn filter_label(name: &str) -> &'static str {
    match name {
        "year" => "Năm",
        "issuer" => "Cơ quan",
        "place" => "Địa danh",
        "lead" => "Chủ trì",
        "kind" => "Thời hạn",
        "due_before" => "Hạn trước",
        _ => "Lọc",
    }
}

/// The Vietnamese name of a deadline kind.
fn kind_label(kind: &str) -> &str {
    match kind {
        "date" => "Ngày cụ thể",
        "month" => "Trong tháng",
        "months" => "Nhiều tháng",
        "quarter" => "Theo quý",
        "year" => "Trong năm",
        "continuous" => "Thường xuyên",
        "periodic" => "Định kỳ",
        "conditional" => "Khi phát sinh",
        other => other,
    }
}

/// The URL of the search page for `p` changed by: a filter set (or
/// toggled off when already set to that value), a filter removed, a page.
fn search_url(
    p: &SearchParams,
    set: Option<(&str, &str)>,
    remove: Option<&str>,
    page_no: Option<usize>,
) -> String {
    let mut pairs: Vec<(&str, String)> = vec![("q", p.query().to_string())];
    let mut set_done = false;
    for (name, value) in p.active_filters() {
        if remove == Some(name) {
            continue;
        }
        match set {
            Some((n, v)) if n == name => {
                set_done = true;
                if v != value {
                    pairs.push((name, v.to_string()));
                }
            }
            _ => pairs.push((name, value.to_string())),
        }
    }
    if let (Some((n, v)), false) = (set, set_done) {
        pairs.push((n, v.to_string()));
    }
    if let Some(l) = p.limit.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        pairs.push(("limit", l.to_string()));
    }
    if let Some(n) = page_no.filter(|n| *n > 1) {
        pairs.push(("page", n.to_string()));
    }
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    href("/", &refs)
}

async fn search_page(
    State(state): State<Shared>,
    q: Result<Query<SearchParams>, QueryRejection>,
) -> Response {
    let p = match params(q) {
        Ok(p) => p,
        Err(f) => return error_page(&f, Nav::Search),
    };
    let run = p.clone();
    let res = blocking(&state, move |store| {
        work::search(store, &run, PAGE_SIZE, true, true)
    })
    .await;
    let status = match &res {
        Ok(_) => StatusCode::OK,
        Err(f) => f.status,
    };
    let title = if p.query().is_empty() {
        "Tìm kiếm nhiệm vụ".to_string()
    } else {
        format!("“{}”", p.query())
    };
    respond(status, &title, Nav::Search, &search_body(&p, &res))
}

fn search_body(p: &SearchParams, res: &Result<SearchResults, Failure>) -> String {
    let mut b = String::new();
    // The query box keeps the active filters.
    let _ = write!(
        b,
        "<form class=\"searchbar\" action=\"/\" method=\"get\" role=\"search\">\
<input type=\"search\" id=\"q\" name=\"q\" value=\"{}\" maxlength=\"{MAX_QUERY_CHARS}\" \
placeholder=\"Tìm nhiệm vụ, ví dụ: ho so truc tuyen (dấu không bắt buộc)\" aria-label=\"Từ khóa\" autocomplete=\"off\">",
        esc(p.query())
    );
    for (name, value) in p.active_filters() {
        let _ = write!(
            b,
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            esc(value)
        );
    }
    b.push_str("<button type=\"submit\" id=\"search-button\">Tìm</button></form>\n");
    let active = p.active_filters();
    if !active.is_empty() {
        b.push_str("<ul class=\"chips\" id=\"active-filters\">");
        for (name, value) in &active {
            let shown = if *name == "kind" {
                kind_label(value).to_string()
            } else {
                (*value).to_string()
            };
            let _ = write!(
                b,
                "<li><a class=\"chip\" data-filter=\"{name}\" href=\"{}\" title=\"Bỏ bộ lọc này\">{}: {} <span aria-hidden=\"true\">×</span></a></li>",
                search_url(p, None, Some(name), None),
                filter_label(name),
                esc(&shown)
            );
        }
        let _ = writeln!(
            b,
            "<li><a class=\"chip clear\" href=\"{}\">Bỏ tất cả bộ lọc</a></li></ul>",
            href("/", &[("q", p.query())])
        );
    }
    let res = match res {
        Ok(r) => r,
        Err(f) => {
            b.push_str(&notice("error", &f.message));
            return b;
        }
    };
    let limit = p
        .limit
        .as_deref()
        .and_then(|l| l.trim().parse::<usize>().ok())
        .unwrap_or(PAGE_SIZE)
        .clamp(1, MAX_LIMIT);
    let page_no = p.page().unwrap_or(1);
    b.push_str("<div class=\"search-layout\">\n");
    b.push_str(&facets_html(p, res));
    b.push_str("<section class=\"results\" aria-label=\"Kết quả\">\n");
    let pages = pages_of(res.total, limit);
    let _ = writeln!(
        b,
        "<p class=\"result-count\" id=\"result-count\" data-total=\"{total}\" data-total-exact=\"{exact}\"><strong>{shown}</strong> nhiệm vụ phù hợp{}</p>",
        if pages > 1 {
            format!(" · trang {page_no}/{pages}")
        } else {
            String::new()
        },
        total = res.total,
        exact = res.total_exact,
        shown = if res.total_exact {
            res.total.to_string()
        } else {
            format!("{}+", thousands(res.total))
        }
    );
    if res.hits.is_empty() {
        b.push_str(&notice(
            "empty",
            if res.total > 0 {
                "Không còn kết quả ở trang này."
            } else {
                "Không tìm thấy nhiệm vụ nào. Thử bớt từ hoặc bỏ bộ lọc."
            },
        ));
    } else {
        let offset = (page_no - 1) * limit;
        let _ = writeln!(b, "<ol class=\"hits\" start=\"{}\">", offset + 1);
        for h in &res.hits {
            b.push_str(&hit_html(h));
        }
        b.push_str("</ol>\n");
    }
    b.push_str(&pager(p, page_no, pages));
    b.push_str("</section>\n</div>\n");
    b
}

/// `10000` as `10,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Number of pages served for `total` hits (deep pages are not served).
fn pages_of(total: u64, limit: usize) -> usize {
    let all = usize::try_from(total).unwrap_or(usize::MAX).div_ceil(limit);
    all.min(MAX_OFFSET / limit + 1)
}

fn plan_title(meta: &Meta, fallback: &str) -> String {
    let mut parts = Vec::new();
    parts.push(
        meta.issuer
            .clone()
            .or_else(|| meta.issuer_code.clone())
            .unwrap_or_else(|| fallback.to_string()),
    );
    if let Some(n) = &meta.number {
        parts.push(format!("số {n}"));
    }
    if let Some(y) = meta.year {
        parts.push(y.to_string());
    }
    parts.join(" · ")
}

fn hit_html(h: &kehoach_index::Hit) -> String {
    let t = &h.task;
    let mut b = String::new();
    let _ = write!(
        b,
        "<li class=\"hit\"><div class=\"hit-top\"><a class=\"hit-plan\" href=\"/plan/{id}#t{seq}\">{plan}</a>",
        id = esc(&h.plan.id),
        seq = t.seq,
        plan = esc(&plan_title(&h.plan.meta, &h.plan.source.path))
    );
    if let Some(place) = &h.plan.meta.place {
        let _ = write!(b, " <span class=\"place\">{}</span>", esc(place));
    }
    let _ = write!(
        b,
        "</div>\n<p class=\"snippet\">{}</p>\n<div class=\"hit-meta\">",
        snippet_html(&h.snippet)
    );
    let _ = write!(
        b,
        "<span class=\"num\">Mục {}</span>",
        esc(&t.number.clone().unwrap_or_else(|| format!("#{}", t.seq)))
    );
    if let Some(lead) = &t.lead {
        let _ = write!(b, "<span class=\"lead\">Chủ trì: {}</span>", esc(lead));
    }
    if t.deadline.is_some() || t.due.is_some() {
        let _ = write!(
            b,
            "<span class=\"deadline\">Thời hạn: {}</span>",
            due_html(t)
        );
    }
    b.push_str("</div></li>\n");
    b
}

/// A task's deadline as printed, with its parsed kind and date.
fn due_html(t: &Task) -> String {
    let mut b = String::new();
    if let Some(d) = &t.deadline {
        b.push_str(&esc(d));
    }
    if let Some(due) = &t.due {
        let label = kind_label(due.kind.as_str());
        // "Thường xuyên" needs no "Thường xuyên" badge.
        let same = t
            .deadline
            .as_deref()
            .is_some_and(|d| d.trim().eq_ignore_ascii_case(label));
        if same && due.by.is_none() {
            return b;
        }
        let _ = write!(
            b,
            " <span class=\"due kind-{k}\" title=\"{k}\">{}",
            esc(label),
            k = due.kind.as_str()
        );
        if let Some(by) = &due.by {
            let _ = write!(
                b,
                " · đến <time datetime=\"{}\">{}</time>",
                esc(by),
                esc(&vn_date(by))
            );
        }
        b.push_str("</span>");
    }
    b
}

/// `2024-01-20` → `20/01/2024` (other text unchanged).
fn vn_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [y, m, d] => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}

fn facets_html(p: &SearchParams, res: &SearchResults) -> String {
    let mut b = String::new();
    b.push_str(
        "<details class=\"facet-box\" id=\"facets\" open><summary>Bộ lọc</summary><div class=\"facet-groups\">\n",
    );
    for (facet, param, heading) in FACETS {
        let Some(values) = res.facets.get(*facet) else {
            continue;
        };
        let mut values: Vec<&FacetCount> = values.iter().filter(|v| !v.value.is_empty()).collect();
        if values.is_empty() {
            continue;
        }
        if *facet == "year" {
            values.sort_by(|a, b| b.value.cmp(&a.value));
        }
        let selected = p.filter(param);
        let _ = write!(
            b,
            "<section class=\"facet\" data-facet=\"{facet}\"><h2>{heading}</h2><ul>"
        );
        let item = |v: &FacetCount| {
            let is_sel = selected == Some(v.value.as_str());
            let label = if *facet == "kind" {
                kind_label(&v.value).to_string()
            } else {
                v.value.clone()
            };
            format!(
                "<li><a class=\"facet-link{}\" data-value=\"{}\" href=\"{}\"{}><span class=\"fv\">{}</span><span class=\"count\">{}</span></a></li>",
                if is_sel { " selected" } else { "" },
                esc(&v.value),
                search_url(p, Some((param, &v.value)), None, None),
                if is_sel { " aria-current=\"true\" title=\"Bỏ bộ lọc này\"" } else { "" },
                esc(&label),
                v.count
            )
        };
        for v in values.iter().take(FACET_SHOWN) {
            b.push_str(&item(v));
        }
        b.push_str("</ul>");
        if values.len() > FACET_SHOWN {
            let _ = write!(
                b,
                "<details class=\"more\"><summary>Thêm {}</summary><ul>",
                values.len() - FACET_SHOWN
            );
            for v in values.iter().skip(FACET_SHOWN) {
                b.push_str(&item(v));
            }
            b.push_str("</ul></details>");
        }
        b.push_str("</section>\n");
    }
    b.push_str("</div></details>\n");
    b
}

fn pager(p: &SearchParams, current: usize, pages: usize) -> String {
    if pages <= 1 {
        return String::new();
    }
    let mut b = String::from("<nav class=\"pager\" aria-label=\"Trang\">");
    if current > 1 {
        let _ = write!(
            b,
            "<a rel=\"prev\" href=\"{}\">‹ Trước</a>",
            search_url(p, None, None, Some(current - 1))
        );
    }
    let mut last = 0;
    for n in 1..=pages {
        let near = n == 1 || n == pages || n.abs_diff(current) <= 2;
        if !near {
            continue;
        }
        if last != 0 && n > last + 1 {
            b.push_str("<span class=\"gap\">…</span>");
        }
        if n == current {
            let _ = write!(
                b,
                "<span class=\"current\" aria-current=\"page\">{n}</span>"
            );
        } else {
            let _ = write!(
                b,
                "<a href=\"{}\">{n}</a>",
                search_url(p, None, None, Some(n))
            );
        }
        last = n;
    }
    if current < pages {
        let _ = write!(
            b,
            "<a rel=\"next\" href=\"{}\">Sau ›</a>",
            search_url(p, None, None, Some(current + 1))
        );
    }
    b.push_str("</nav>\n");
    b
}

// ---------------------------------------------------------------- plans

/// Plans per page of the plan list.
const PLANS_PER_PAGE: usize = 100;

#[derive(Debug, Default, serde::Deserialize)]
struct ListParams {
    page: Option<String>,
}

async fn plans_page(
    State(state): State<Shared>,
    q: Result<Query<ListParams>, QueryRejection>,
) -> Response {
    let page_no = match params(q) {
        Ok(p) => p
            .page
            .as_deref()
            .and_then(|s| s.trim().parse::<usize>().ok())
            .unwrap_or(1)
            .max(1),
        Err(f) => return error_page(&f, Nav::Plans),
    };
    let plans = match blocking(&state, |store| Ok(store.plans()?)).await {
        Ok(p) => p,
        Err(f) => return error_page(&f, Nav::Plans),
    };
    let mut b = String::from("<h1>Kế hoạch đã nhập</h1>\n");
    let tasks: u64 = plans.iter().map(|p| p.tasks).sum();
    let _ = writeln!(
        b,
        "<p class=\"lede\" id=\"plan-count\">{} kế hoạch, {} nhiệm vụ. <a href=\"/compare\">So sánh hai kế hoạch</a></p>",
        plans.len(),
        tasks
    );
    let pages = plans.len().div_ceil(PLANS_PER_PAGE).max(1);
    let page_no = page_no.min(pages);
    b.push_str(
        "<div class=\"table-wrap\"><table class=\"plans\"><thead><tr><th>Cơ quan ban hành</th><th>Số</th><th>Năm</th><th>Địa danh</th><th>Nhiệm vụ</th><th>Cảnh báo</th><th>Tệp</th></tr></thead><tbody>\n",
    );
    for s in plans
        .iter()
        .skip((page_no - 1) * PLANS_PER_PAGE)
        .take(PLANS_PER_PAGE)
    {
        let m = &s.head.meta;
        let _ = writeln!(
            b,
            "<tr><td data-label=\"Cơ quan\"><a href=\"/plan/{id}\">{issuer}</a></td><td data-label=\"Số\">{number}</td><td data-label=\"Năm\">{year}</td><td data-label=\"Địa danh\">{place}</td><td data-label=\"Nhiệm vụ\">{tasks}</td><td data-label=\"Cảnh báo\">{warn}</td><td data-label=\"Tệp\" class=\"path\">{path}</td></tr>",
            id = esc(&s.id),
            issuer = esc(m.issuer.as_deref().or(m.issuer_code.as_deref()).unwrap_or("(không rõ cơ quan)")),
            number = esc(m.number.as_deref().unwrap_or("—")),
            year = m.year.map_or_else(|| "—".to_string(), |y| y.to_string()),
            place = esc(m.place.as_deref().unwrap_or("—")),
            tasks = s.tasks,
            warn = s.head.warnings.len(),
            path = esc(&s.file_path),
        );
    }
    b.push_str("</tbody></table></div>\n");
    if pages > 1 {
        b.push_str("<nav class=\"pager\" aria-label=\"Trang\">");
        for n in 1..=pages {
            if n == page_no {
                let _ = write!(b, "<span class=\"current\">{n}</span>");
            } else {
                let _ = write!(b, "<a href=\"/plans?page={n}\">{n}</a>");
            }
        }
        b.push_str("</nav>\n");
    }
    respond(StatusCode::OK, "Kế hoạch", Nav::Plans, &b)
}

// ---------------------------------------------------------------- one plan

/// Levels of links the plan page follows each way.
const PAGE_LINK_DEPTH: u32 = 3;

async fn plan_page(State(state): State<Shared>, Path(id): Path<String>) -> Response {
    let found = blocking(&state, move |store| {
        let (summary, plan) = work::plan(store, &id)?;
        let links = work::links(store, &summary.id, PAGE_LINK_DEPTH)?;
        Ok((summary, plan, links))
    })
    .await;
    match found {
        Ok((summary, plan, links)) => {
            let title = plan
                .meta
                .title
                .clone()
                .unwrap_or_else(|| plan_title(&plan.meta, &summary.file_path));
            respond(
                StatusCode::OK,
                &title,
                Nav::Plans,
                &plan_body(&summary, &plan, &links),
            )
        }
        Err(f) => error_page(&f, Nav::Plans),
    }
}

fn plan_body(s: &PlanSummary, plan: &Plan, links: &Links) -> String {
    let m = &plan.meta;
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<p class=\"kicker\">{}</p><h1 id=\"plan-title\">{}</h1>",
        esc(&plan_title(m, &s.file_path)),
        esc(m.title.as_deref().unwrap_or("Kế hoạch"))
    );
    b.push_str("<dl class=\"meta\" id=\"plan-meta\">");
    let mut row = |k: &str, v: String| {
        if !v.is_empty() {
            let _ = write!(b, "<div><dt>{k}</dt><dd>{v}</dd></div>");
        }
    };
    row("Loại văn bản", esc(&doc_kind(m.doc_type.as_deref())));
    row("Số", esc(m.number.as_deref().unwrap_or("")));
    let issuer = match (&m.issuer, &m.issuer_code) {
        (Some(i), Some(c)) => format!("{} ({})", esc(i), esc(c)),
        (Some(i), None) => esc(i),
        (None, Some(c)) => esc(c),
        (None, None) => String::new(),
    };
    row("Cơ quan ban hành", issuer);
    row("Địa danh", esc(m.place.as_deref().unwrap_or("")));
    row(
        "Ngày",
        esc(m
            .date
            .as_deref()
            .map(vn_date)
            .or_else(|| m.date_raw.clone())
            .as_deref()
            .unwrap_or("")),
    );
    row("Năm", m.year.map(|y| y.to_string()).unwrap_or_default());
    if let Some(signer) = &m.signer {
        let v = [signer.position.as_deref(), signer.name.as_deref()]
            .into_iter()
            .flatten()
            .map(esc)
            .collect::<Vec<_>>()
            .join(" — ");
        row("Người ký", v);
    }
    row(
        "Tệp nguồn",
        format!(
            "<span class=\"path\">{}</span> ({}{})",
            esc(&s.file_path),
            plan.source.format.as_str(),
            plan.source
                .pages
                .map(|p| format!(", {p} trang"))
                .unwrap_or_default()
        ),
    );
    row("Mã", format!("<code>{}</code>", esc(&s.id)));
    row("Nhiệm vụ", plan.tasks.len().to_string());
    b.push_str("</dl>\n");
    let _ = writeln!(
        b,
        "<p class=\"actions\"><a class=\"button\" href=\"/compare?a={id}\">So sánh với kế hoạch khác</a> <a href=\"/api/plans/{id}\">JSON</a></p>",
        id = esc(&s.id)
    );
    if !plan.warnings.is_empty() {
        let _ = write!(
            b,
            "<section class=\"warnings\" id=\"warnings\"><h2>Cảnh báo khi trích xuất ({})</h2><ul>",
            plan.warnings.len()
        );
        for w in &plan.warnings {
            let code = serde_json::to_value(w.code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let at = w
                .seq
                .map(|q| format!(" <a href=\"#t{q}\">dòng {q}</a>"))
                .unwrap_or_default();
            let _ = write!(
                b,
                "<li><code>{}</code> {}{at}</li>",
                esc(&code),
                esc(&w.message)
            );
        }
        b.push_str("</ul></section>\n");
    }
    b.push_str(&links_html(links));
    b.push_str(&results_html(plan));
    if plan.tasks.is_empty() {
        if !plan.meta.results.is_empty() {
            return b;
        }
        b.push_str(&notice(
            "empty",
            "Không có bảng nhiệm vụ (không tìm thấy phụ lục).",
        ));
        return b;
    }
    b.push_str("<h2>Nhiệm vụ</h2>\n<div class=\"table-wrap\"><table class=\"tasks\" id=\"tasks\"><thead><tr><th>Số</th><th>Nội dung</th><th>Chủ trì</th><th>Phối hợp</th><th>Thời hạn</th><th>Sản phẩm</th></tr></thead><tbody>\n");
    // Each task table under its caption ("Phụ lục I"), or "Trong văn bản"
    // for a table in the body, when the plan has more than one.
    let several = plan
        .tasks
        .windows(2)
        .any(|w| w[0].appendix != w[1].appendix)
        || plan.tasks.first().is_some_and(|t| t.appendix.is_some());
    let mut caption: Option<Option<&str>> = None;
    for t in &plan.tasks {
        if several && caption != Some(t.appendix.as_deref()) {
            caption = Some(t.appendix.as_deref());
            let _ = writeln!(
                b,
                "<tr class=\"appendix\"><th colspan=\"6\">{}</th></tr>",
                esc(t.appendix.as_deref().unwrap_or("Trong văn bản"))
            );
        }
        b.push_str(&task_row(t));
    }
    b.push_str("</tbody></table></div>\n");
    b
}

/// A linked plan: its number, date and issuer, linking to its page.
fn linked_plan_html(p: &LinkedPlan) -> String {
    let title = p
        .title
        .as_deref()
        .map(|t| format!(" <span class=\"muted\">{}</span>", esc(t)))
        .unwrap_or_default();
    format!(
        "<a href=\"/plan/{}\">{}</a>{title}",
        esc(&p.id),
        esc(&p.label())
    )
}

/// The plan in context: what it implements (each citation resolved or
/// not), the imported plans implementing it, the reports on it.
fn links_html(l: &Links) -> String {
    let mut b = String::new();
    let report = l.plan.is_report();
    let _ = write!(
        b,
        "<section class=\"links\" id=\"implements\"><h2>{}</h2>",
        if report {
            "Báo cáo về / Thực hiện (implements)"
        } else {
            "Thực hiện (implements)"
        }
    );
    if l.implements.is_empty() {
        b.push_str("<p class=\"muted\">Phần mở đầu không dẫn văn bản nào.</p>");
    } else {
        b.push_str("<ul class=\"links-tree\">");
        for c in &l.implements {
            let rel = match c.reference.relation {
                Some(Relation::Implements) => "Thực hiện",
                Some(Relation::BasedOn) => "Căn cứ",
                None => "Dẫn",
            };
            let what = match (&c.plan, c.status) {
                (Some(p), _) => linked_plan_html(p),
                (None, Status::Ambiguous) => format!(
                    "{} <span class=\"muted\">(nhiều văn bản đã nhập cùng số: {})</span>",
                    esc(&c.reference.text),
                    c.candidates
                ),
                (None, _) => format!(
                    "{} <span class=\"muted\">(chưa nhập)</span>",
                    esc(&c.reference.text)
                ),
            };
            let _ = write!(
                b,
                "<li class=\"level-{} {}\">{rel}: {what}</li>",
                c.level.min(6),
                c.status.as_str(),
            );
        }
        b.push_str("</ul>");
    }
    b.push_str("</section>\n<section class=\"links\" id=\"implemented-by\"><h2>Được thực hiện bởi (implemented by)</h2>");
    if l.implemented_by.is_empty() {
        b.push_str("<p class=\"muted\">Chưa có kế hoạch đã nhập nào thực hiện văn bản này.</p>");
    } else {
        b.push_str("<ul class=\"links-tree\">");
        for c in &l.implemented_by {
            let _ = write!(
                b,
                "<li class=\"level-{}\">{}</li>",
                c.level.min(6),
                linked_plan_html(&c.plan)
            );
        }
        b.push_str("</ul>");
    }
    b.push_str("</section>\n");
    if !l.reports.is_empty() {
        b.push_str("<section class=\"links\" id=\"reports\"><h2>Báo cáo kết quả</h2><ul>");
        for c in &l.reports {
            let _ = write!(b, "<li>{}</li>", linked_plan_html(&c.plan));
        }
        b.push_str("</ul></section>\n");
    }
    b
}

/// A report's planned-against-achieved table.
fn results_html(plan: &Plan) -> String {
    let results = &plan.meta.results;
    if results.is_empty() {
        return String::new();
    }
    let mut b = String::from(
        "<section id=\"results\"><h2>Kết quả so với kế hoạch</h2><div class=\"table-wrap\"><table class=\"results\" id=\"results-table\"><thead><tr><th>TT</th><th>Chỉ tiêu</th><th>Kế hoạch</th><th>Kết quả</th><th>Đánh giá</th><th>Đạt</th></tr></thead><tbody>\n",
    );
    for r in results {
        let planned = r.planned.as_ref().map_or_else(String::new, |p| {
            format!(
                "{} {}{}",
                op_symbol(p.op),
                kehoach_diff::fmt_num(p.value),
                unit_suffix(p.unit.as_deref())
            )
        });
        let achieved = r.achieved.as_ref().map_or_else(String::new, |a| {
            format!(
                "{}{}",
                kehoach_diff::fmt_num(a.value),
                unit_suffix(a.unit.as_deref())
            )
        });
        let met = match r.met {
            Some(true) => "<span class=\"met yes\">đạt</span>",
            Some(false) => "<span class=\"met no\">chưa đạt</span>",
            None => "—",
        };
        let _ = writeln!(
            b,
            "<tr><td data-label=\"TT\">{}</td><td data-label=\"Chỉ tiêu\">{}</td><td class=\"tv\" data-label=\"Kế hoạch\">{}</td><td class=\"tv\" data-label=\"Kết quả\">{}</td><td data-label=\"Đánh giá\">{}</td><td data-label=\"Đạt\" data-met=\"{}\">{met}</td></tr>",
            esc(r.number.as_deref().unwrap_or("")),
            esc(&r.metric),
            esc(&planned),
            esc(&achieved),
            esc(r.assessment.as_deref().unwrap_or("")),
            r.met.map_or("", |m| if m { "true" } else { "false" }),
        );
    }
    b.push_str("</tbody></table></div></section>\n");
    b
}

/// A unit after a number: `%` glued, words after a space.
fn unit_suffix(unit: Option<&str>) -> String {
    match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some("%") => "%".to_string(),
        Some(u) => format!(" {u}"),
        None => String::new(),
    }
}

/// The document kind in words (`KH` → `Kế hoạch (KH)`).
fn doc_kind(code: Option<&str>) -> String {
    let Some(code) = code else {
        return String::new();
    };
    let name = match code {
        "KH" => "Kế hoạch",
        "QĐ" => "Quyết định",
        "CTr" => "Chương trình",
        "BC" => "Báo cáo",
        "TB" => "Thông báo",
        "NQ" => "Nghị quyết",
        "CT" => "Chỉ thị",
        "ĐA" => "Đề án",
        "TTr" => "Tờ trình",
        "HD" => "Hướng dẫn",
        _ => return code.to_string(),
    };
    format!("{name} ({code})")
}

fn task_row(t: &Task) -> String {
    let lvl = t.level.min(5);
    let number = esc(t.number.as_deref().unwrap_or(""));
    let content = esc(t.content.as_deref().unwrap_or(""));
    if t.is_heading() && t.targets.is_empty() {
        let class = if t.level == 0 { "section" } else { "group" };
        return format!(
            "<tr id=\"t{seq}\" class=\"{class} lvl-{lvl}\"><td class=\"no\">{number}</td><td class=\"content\" colspan=\"5\"><div class=\"indent\">{content}</div></td></tr>\n",
            seq = t.seq
        );
    }
    let mut b = format!(
        "<tr id=\"t{seq}\" class=\"task lvl-{lvl}\"><td class=\"no\" data-label=\"Số\">{number}</td><td class=\"content\" data-label=\"Nội dung\"><div class=\"indent\">{content}",
        seq = t.seq
    );
    if !t.targets.is_empty() {
        b.push_str("<ul class=\"targets\">");
        for tg in &t.targets {
            let _ = write!(
                b,
                "<li><span class=\"tv\">{}</span> {}</li>",
                esc(&target_value(tg)),
                esc(&tg.metric)
            );
        }
        b.push_str("</ul>");
    }
    let _ = writeln!(
        b,
        "</div></td><td data-label=\"Chủ trì\">{}</td><td data-label=\"Phối hợp\">{}</td><td data-label=\"Thời hạn\">{}</td><td data-label=\"Sản phẩm\">{}</td></tr>",
        esc(t.lead.as_deref().unwrap_or("")),
        esc(t.support.as_deref().unwrap_or("")),
        due_html(t),
        esc(t.product.as_deref().unwrap_or(""))
    );
    b
}

fn target_value(t: &Target) -> String {
    format!(
        "{} {}{}",
        op_symbol(t.op),
        kehoach_diff::fmt_num(t.value),
        t.unit
    )
}

// ---------------------------------------------------------------- compare

async fn compare_page(
    State(state): State<Shared>,
    q: Result<Query<DiffParams>, QueryRejection>,
) -> Response {
    let p = match params(q) {
        Ok(p) => p,
        Err(f) => return error_page(&f, Nav::Compare),
    };
    let a = p.a.clone().unwrap_or_default().trim().to_string();
    let b = p.b.clone().unwrap_or_default().trim().to_string();
    let all = p.all();
    let (aa, bb) = (a.clone(), b.clone());
    let res = blocking(&state, move |store| {
        let plans = store.plans()?;
        let diff = if aa.is_empty() || bb.is_empty() {
            None
        } else {
            Some(work::diff(store, &aa, &bb, all))
        };
        Ok((plans, diff))
    })
    .await;
    let (plans, diff) = match res {
        Ok(x) => x,
        Err(f) => return error_page(&f, Nav::Compare),
    };
    let mut body = String::from("<h1>So sánh hai kế hoạch</h1>\n");
    body.push_str(&compare_form(&plans, &a, &b));
    let status = match diff {
        None => {
            body.push_str(&notice(
                "hint",
                "Chọn kế hoạch cũ (A) và kế hoạch mới (B): chỉ tiêu tăng/giảm, thời hạn dời, nhiệm vụ thêm/bỏ.",
            ));
            StatusCode::OK
        }
        Some(Ok(d)) => {
            body.push_str(&diff_html(&d, &plans, &a, &b));
            StatusCode::OK
        }
        Some(Err(f)) => {
            body.push_str(&notice("error", &f.message));
            f.status
        }
    };
    respond(status, "So sánh", Nav::Compare, &body)
}

fn compare_form(plans: &[PlanSummary], a: &str, b: &str) -> String {
    let mut sorted: Vec<&PlanSummary> = plans.iter().collect();
    sorted.sort_by(|x, y| {
        let (mx, my) = (&x.head.meta, &y.head.meta);
        mx.issuer
            .cmp(&my.issuer)
            .then(mx.year.cmp(&my.year))
            .then(x.file_path.cmp(&y.file_path))
    });
    let options = |selected: &str| {
        let mut o = String::from("<option value=\"\">— chọn kế hoạch —</option>");
        for s in &sorted {
            let is_sel = !selected.is_empty() && s.id.starts_with(&selected.to_ascii_lowercase());
            let _ = write!(
                o,
                "<option value=\"{}\"{}>{}</option>",
                esc(&s.id),
                if is_sel { " selected" } else { "" },
                esc(&format!(
                    "{} ({})",
                    plan_title(&s.head.meta, &s.file_path),
                    &s.id[..s.id.len().min(8)]
                ))
            );
        }
        o
    };
    format!(
        "<form class=\"compare-form\" id=\"compare-form\" action=\"/compare\" method=\"get\">\
<label>A (cũ)<select name=\"a\" id=\"plan-a\" required>{}</select></label>\
<button type=\"button\" class=\"swap\" id=\"swap\" title=\"Đổi chỗ A và B\" aria-label=\"Đổi chỗ A và B\">⇄</button>\
<label>B (mới)<select name=\"b\" id=\"plan-b\" required>{}</select></label>\
<button type=\"submit\" id=\"compare-button\">So sánh</button></form>\n",
        options(a),
        options(b)
    )
}

fn side_html(label: &str, side: &kehoach_diff::PlanSide, id: Option<&str>) -> String {
    let title = esc(&plan_title(&side.meta, &side.path));
    let link = match id {
        Some(id) => format!("<a href=\"/plan/{}\">{title}</a>", esc(id)),
        None => title,
    };
    format!(
        "<div class=\"side\"><span class=\"side-label\">{label}</span> {link}<br><small>{} · {} nhiệm vụ</small></div>",
        esc(&side.path),
        side.tasks
    )
}

fn task_ref(plan: Option<&str>, seq: Option<u32>, number: Option<&str>) -> String {
    let Some(seq) = seq else {
        return "—".to_string();
    };
    let label = match number {
        Some(n) => esc(n),
        None => format!("#{seq}"),
    };
    match plan {
        Some(id) => format!("<a href=\"/plan/{}#t{seq}\">{label}</a>", esc(id)),
        None => label,
    }
}

fn refs(c: &Change, a: Option<&str>, b: Option<&str>) -> String {
    format!(
        "{} → {}",
        task_ref(a, c.a_seq, c.a_number.as_deref()),
        task_ref(b, c.b_seq, c.b_number.as_deref())
    )
}

fn value_html(v: Option<&Value>) -> String {
    match v {
        Some(Value::Target(t)) => esc(&format!(
            "{} {}{}",
            op_symbol(t.op),
            kehoach_diff::fmt_num(t.value),
            t.unit.as_deref().unwrap_or("")
        )),
        Some(other) => esc(&other.display()),
        None => String::new(),
    }
}

fn direction_label(d: Option<Direction>) -> &'static str {
    match d {
        Some(Direction::Raised) => "tăng",
        Some(Direction::Lowered) => "giảm",
        Some(Direction::Later) => "lùi",
        Some(Direction::Earlier) => "sớm hơn",
        Some(Direction::Changed) | None => "đổi",
    }
}

fn diff_html(d: &PlanDiff, plans: &[PlanSummary], a: &str, b: &str) -> String {
    let id_of = |key: &str| {
        plans
            .iter()
            .find(|p| p.id.starts_with(&key.to_ascii_lowercase()))
            .map(|p| p.id.clone())
    };
    let (ida, idb) = (id_of(a), id_of(b));
    let (ida, idb) = (ida.as_deref(), idb.as_deref());
    let mut h = String::from("<section class=\"diff\" id=\"diff\">\n<div class=\"sides\">");
    h.push_str(&side_html("A", &d.a, ida));
    h.push_str(&side_html("B", &d.b, idb));
    h.push_str("</div>\n");
    let count = |k| d.count(k);
    let raised = d
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::TargetChanged && c.direction == Some(Direction::Raised))
        .count();
    let lowered = d
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::TargetChanged && c.direction == Some(Direction::Lowered))
        .count();
    let _ = writeln!(
        h,
        "<ul class=\"summary\" id=\"diff-summary\"><li>{} cặp nhiệm vụ khớp, {} không đổi</li>\
<li class=\"raised\">{} chỉ tiêu tăng</li><li class=\"lowered\">{} chỉ tiêu giảm</li>\
<li>{} thời hạn đổi</li><li>{} đơn vị đổi</li><li>{} diễn đạt lại</li>\
<li class=\"added\">{} thêm</li><li class=\"removed\">{} bỏ</li></ul>",
        d.aligned,
        d.unchanged,
        raised,
        lowered,
        count(ChangeKind::DeadlineChanged),
        count(ChangeKind::UnitsChanged),
        count(ChangeKind::Reworded),
        count(ChangeKind::Added),
        count(ChangeKind::Removed),
    );
    let _ = writeln!(
        h,
        "<p class=\"actions\"><a href=\"/compare?a={}&amp;b={}\">Đổi chiều so sánh</a> · <a href=\"/api/diff?a={}&amp;b={}\">JSON</a></p>",
        esc(&crate::html::url_encode(b)),
        esc(&crate::html::url_encode(a)),
        esc(&crate::html::url_encode(a)),
        esc(&crate::html::url_encode(b)),
    );
    if d.a.tasks == 0 && d.b.tasks == 0 {
        h.push_str(&notice(
            "empty",
            "Cả hai kế hoạch đều không có bảng nhiệm vụ; không có gì để so sánh.",
        ));
        h.push_str("</section>\n");
        return h;
    }
    let of = |k: ChangeKind| -> Vec<&Change> { d.changes.iter().filter(|c| c.kind == k).collect() };

    let targets = of(ChangeKind::TargetChanged);
    if !targets.is_empty() {
        h.push_str("<h2>Chỉ tiêu thay đổi</h2><div class=\"table-wrap\"><table class=\"changes targets-changed\" id=\"target-changes\"><thead><tr><th>Nhiệm vụ A → B</th><th>Chỉ tiêu</th><th>Trước</th><th></th><th>Sau</th><th>Thay đổi</th></tr></thead><tbody>\n");
        for c in targets {
            let dir = c.direction.map_or("changed", Direction::as_str);
            let delta = match (&c.from, &c.to) {
                (Some(Value::Target(x)), Some(Value::Target(y))) => {
                    let v = y.value - x.value;
                    if v > 0.0 {
                        format!("+{}", kehoach_diff::fmt_num(v))
                    } else if v < 0.0 {
                        kehoach_diff::fmt_num(v)
                    } else {
                        String::new()
                    }
                }
                _ => String::new(),
            };
            let _ = writeln!(
                h,
                "<tr class=\"{dir}\"><td data-label=\"Nhiệm vụ\">{}</td><td data-label=\"Chỉ tiêu\">{}</td><td class=\"from\" data-label=\"Trước\">{}</td><td class=\"arrow\" aria-hidden=\"true\">→</td><td class=\"to\" data-label=\"Sau\">{}</td><td class=\"delta\" data-label=\"Thay đổi\">{} {}</td></tr>",
                refs(c, ida, idb),
                esc(c.metric.as_deref().unwrap_or("")),
                value_html(c.from.as_ref()),
                value_html(c.to.as_ref()),
                direction_label(c.direction),
                esc(&delta)
            );
        }
        h.push_str("</tbody></table></div>\n");
    }

    let deadlines = of(ChangeKind::DeadlineChanged);
    if !deadlines.is_empty() {
        h.push_str("<h2>Thời hạn thay đổi</h2><div class=\"table-wrap\"><table class=\"changes\" id=\"deadline-changes\"><thead><tr><th>Nhiệm vụ A → B</th><th>Nội dung</th><th>Trước</th><th></th><th>Sau</th><th>Dời</th></tr></thead><tbody>\n");
        for c in deadlines {
            let dir = c.direction.map_or("changed", Direction::as_str);
            let shift = c
                .relative_shift_days
                .or(c.shift_days)
                .map(|d| format!("{} {d:+} ngày", direction_label(c.direction)))
                .unwrap_or_else(|| direction_label(c.direction).to_string());
            let _ = writeln!(
                h,
                "<tr class=\"{dir}\"><td data-label=\"Nhiệm vụ\">{}</td><td data-label=\"Nội dung\">{}</td><td class=\"from\" data-label=\"Trước\">{}</td><td class=\"arrow\" aria-hidden=\"true\">→</td><td class=\"to\" data-label=\"Sau\">{}</td><td class=\"delta\" data-label=\"Dời\">{}</td></tr>",
                refs(c, ida, idb),
                esc(c.content.as_deref().unwrap_or("")),
                value_html(c.from.as_ref()),
                value_html(c.to.as_ref()),
                esc(&shift)
            );
        }
        h.push_str("</tbody></table></div>\n");
    }

    let units = of(ChangeKind::UnitsChanged);
    if !units.is_empty() {
        h.push_str("<h2>Đơn vị chủ trì / phối hợp thay đổi</h2><div class=\"table-wrap\"><table class=\"changes\" id=\"unit-changes\"><thead><tr><th>Nhiệm vụ A → B</th><th>Nội dung</th><th>Trước</th><th></th><th>Sau</th></tr></thead><tbody>\n");
        for c in units {
            let _ = writeln!(
                h,
                "<tr class=\"changed\"><td data-label=\"Nhiệm vụ\">{}</td><td data-label=\"Nội dung\">{}</td><td class=\"from\" data-label=\"Trước\">{}</td><td class=\"arrow\" aria-hidden=\"true\">→</td><td class=\"to\" data-label=\"Sau\">{}</td></tr>",
                refs(c, ida, idb),
                esc(c.content.as_deref().unwrap_or("")),
                value_html(c.from.as_ref()),
                value_html(c.to.as_ref()),
            );
        }
        h.push_str("</tbody></table></div>\n");
    }

    let reworded = of(ChangeKind::Reworded);
    if !reworded.is_empty() {
        h.push_str("<h2>Diễn đạt lại</h2><div class=\"table-wrap\"><table class=\"changes\" id=\"reworded\"><thead><tr><th>Nhiệm vụ A → B</th><th>Trước</th><th>Sau</th><th>Giống</th></tr></thead><tbody>\n");
        for c in reworded {
            let mut extra = String::new();
            for t in &c.removed_targets {
                let _ = write!(
                    extra,
                    "<div class=\"lowered\">− {} {}{} {}</div>",
                    esc(op_symbol(t.op)),
                    esc(&kehoach_diff::fmt_num(t.value)),
                    esc(t.unit.as_deref().unwrap_or("")),
                    esc(&t.metric)
                );
            }
            for t in &c.added_targets {
                let _ = write!(
                    extra,
                    "<div class=\"raised\">+ {} {}{} {}</div>",
                    esc(op_symbol(t.op)),
                    esc(&kehoach_diff::fmt_num(t.value)),
                    esc(t.unit.as_deref().unwrap_or("")),
                    esc(&t.metric)
                );
            }
            let _ = writeln!(
                h,
                "<tr><td data-label=\"Nhiệm vụ\">{}</td><td class=\"from\" data-label=\"Trước\">{}</td><td class=\"to\" data-label=\"Sau\">{}{extra}</td><td data-label=\"Giống\">{}</td></tr>",
                refs(c, ida, idb),
                value_html(c.from.as_ref()),
                value_html(c.to.as_ref()),
                c.similarity.map(|s| format!("{:.0}%", s * 100.0)).unwrap_or_default()
            );
        }
        h.push_str("</tbody></table></div>\n");
    }

    for (kind, title, id, class, side) in [
        (
            ChangeKind::Added,
            "Nhiệm vụ mới (chỉ có ở B)",
            "added",
            "added",
            idb,
        ),
        (
            ChangeKind::Removed,
            "Nhiệm vụ bị bỏ (chỉ có ở A)",
            "removed",
            "removed",
            ida,
        ),
    ] {
        let list = of(kind);
        if list.is_empty() {
            continue;
        }
        let _ = write!(
            h,
            "<h2>{title} ({})</h2><ul class=\"task-list {class}\" id=\"{id}\">",
            list.len()
        );
        for c in list {
            let (seq, num) = if kind == ChangeKind::Added {
                (c.b_seq, c.b_number.as_deref())
            } else {
                (c.a_seq, c.a_number.as_deref())
            };
            let _ = write!(
                h,
                "<li><span class=\"ref\">{}</span> {}</li>",
                task_ref(side, seq, num),
                esc(c.content.as_deref().unwrap_or(""))
            );
        }
        h.push_str("</ul>\n");
    }
    if d.real_changes().next().is_none() {
        h.push_str(&notice("empty", "Không có thay đổi."));
    }
    h.push_str("</section>\n");
    h
}

// ---------------------------------------------------------------- targets

fn target_pairs(p: &TargetParams) -> Vec<(&'static str, String)> {
    let mut v = vec![("q", p.query().to_string())];
    for (k, val) in [
        ("year", &p.year),
        ("issuer", &p.issuer),
        ("lead", &p.lead),
        ("kind", &p.kind),
        ("due_before", &p.due_before),
    ] {
        if let Some(x) = val.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            v.push((k, x.to_string()));
        }
    }
    v
}

async fn targets_page(
    State(state): State<Shared>,
    q: Result<Query<TargetParams>, QueryRejection>,
) -> Response {
    let p = match params(q) {
        Ok(p) => p,
        Err(f) => return error_page(&f, Nav::Targets),
    };
    let mut b = String::from("<h1>Chỉ tiêu theo năm</h1>\n");
    let _ = writeln!(
        b,
        "<form class=\"searchbar\" action=\"/targets\" method=\"get\" role=\"search\">\
<input type=\"search\" id=\"tq\" name=\"q\" value=\"{}\" maxlength=\"{MAX_QUERY_CHARS}\" placeholder=\"Chỉ tiêu, ví dụ: hai long\" aria-label=\"Chỉ tiêu\" autocomplete=\"off\">\
<input type=\"text\" name=\"issuer\" value=\"{}\" placeholder=\"Cơ quan (tùy chọn)\" aria-label=\"Cơ quan\" class=\"narrow\">\
<input type=\"text\" name=\"year\" value=\"{}\" placeholder=\"Năm, ví dụ 2020..2025\" aria-label=\"Năm\" class=\"narrow\">\
<label class=\"check\"><input type=\"checkbox\" id=\"cascade\" name=\"cascade\" value=\"1\"{}> Theo cấp thực hiện</label>\
<button type=\"submit\">Xem</button></form>",
        esc(p.query()),
        esc(p.issuer.as_deref().unwrap_or("")),
        esc(p.year.as_deref().unwrap_or("")),
        if p.cascade() { " checked" } else { "" }
    );
    if p.q.is_none() {
        b.push_str(&notice(
            "hint",
            "Nhập tên chỉ tiêu (dấu không bắt buộc) để xem giá trị qua các năm của từng cơ quan.",
        ));
        return respond(StatusCode::OK, "Chỉ tiêu", Nav::Targets, &b);
    }
    if p.cascade() {
        let run = p.clone();
        let res = blocking(&state, move |store| work::cascades(store, &run)).await;
        let status = match res {
            Ok(cascades) => {
                b.push_str(&cascades_html(&p, &cascades));
                StatusCode::OK
            }
            Err(f) => {
                b.push_str(&notice("error", &f.message));
                f.status
            }
        };
        return respond(status, "Chỉ tiêu", Nav::Targets, &b);
    }
    let run = p.clone();
    let res = blocking(&state, move |store| work::targets(store, &run)).await;
    let status = match res {
        Ok(series) => {
            b.push_str(&targets_html(&p, &series));
            StatusCode::OK
        }
        Err(f) => {
            b.push_str(&notice("error", &f.message));
            f.status
        }
    };
    respond(status, "Chỉ tiêu", Nav::Targets, &b)
}

/// Rows of the target table at most (the JSON has them all).
const TABLE_POINTS: usize = 1000;

fn targets_html(p: &TargetParams, series: &[Series]) -> String {
    if series.is_empty() {
        return notice("empty", "Không có chỉ tiêu nào khớp.");
    }
    let points: usize = series.iter().map(|s| s.points.len()).sum();
    let pairs = target_pairs(p);
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut b = format!(
        "<p class=\"result-count\" id=\"target-count\">{} chuỗi, {points} chỉ tiêu · <a href=\"{}\">JSON</a></p>\n",
        series.len(),
        href("/api/targets", &refs)
    );
    let _ = writeln!(
        b,
        "<figure class=\"chart\"><img id=\"chart\" src=\"{}\" alt=\"Biểu đồ chỉ tiêu theo năm\"></figure>",
        href("/chart.svg", &refs)
    );
    b.push_str("<div class=\"table-wrap\"><table class=\"series\" id=\"series\"><thead><tr><th>Năm</th><th>Cơ quan</th><th>Chỉ tiêu</th><th>Nội dung</th><th>Nhiệm vụ</th></tr></thead><tbody>\n");
    let mut shown = 0usize;
    for s in series {
        if shown >= TABLE_POINTS {
            break;
        }
        let _ = writeln!(
            b,
            "<tr class=\"series-head\"><th colspan=\"5\">{}</th></tr>",
            esc(&s.label)
        );
        for pt in s.points.iter().take(TABLE_POINTS - shown) {
            shown += 1;
            let _ = writeln!(
                b,
                "<tr><td data-label=\"Năm\">{}</td><td data-label=\"Cơ quan\">{}</td><td class=\"tv\" data-label=\"Chỉ tiêu\">{}</td><td data-label=\"Nội dung\">{}</td><td data-label=\"Nhiệm vụ\"><a href=\"/plan/{}#t{}\">#{}</a></td></tr>",
                pt.year.map_or_else(|| "—".to_string(), |y| y.to_string()),
                esc(&pt.issuer),
                esc(&pt.display()),
                esc(&pt.target.metric),
                esc(&pt.plan_id),
                pt.seq,
                pt.seq
            );
        }
    }
    b.push_str("</tbody></table></div>\n");
    if shown < points {
        b.push_str(&notice(
            "hint",
            &format!("Bảng hiện {shown} trong {points} chỉ tiêu; thu hẹp bằng cơ quan hoặc năm, hoặc xem đủ ở JSON."),
        ));
    }
    b
}

/// The cascades: each metric from the top plan down the plans implementing it.
fn cascades_html(p: &TargetParams, cascades: &[Cascade]) -> String {
    if cascades.is_empty() {
        return notice("empty", "Không có chỉ tiêu nào khớp.");
    }
    let mut pairs = target_pairs(p);
    pairs.push(("cascade", "1".to_string()));
    pairs.push(("depth", p.depth().to_string()));
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut b = format!(
        "<p class=\"result-count\" id=\"cascade-count\">{} chỉ tiêu theo cấp · <a href=\"{}\">JSON</a></p>\n",
        cascades.len(),
        href("/api/targets", &refs)
    );
    b.push_str("<div class=\"table-wrap\"><table class=\"cascade\" id=\"cascade-table\"><thead><tr><th>Cấp</th><th>Kế hoạch</th><th>Chỉ tiêu</th><th>So với cấp trên</th><th>Nhiệm vụ</th></tr></thead><tbody>\n");
    for c in cascades.iter().take(TABLE_POINTS) {
        let _ = writeln!(
            b,
            "<tr class=\"series-head\"><th colspan=\"5\">{}</th></tr>",
            esc(&c.metric)
        );
        for l in &c.levels {
            let vs = match l.compared {
                None => "—",
                Some(Strictness::Stricter) => "chặt hơn (stricter)",
                Some(Strictness::Equal) => "bằng (equal)",
                Some(Strictness::Looser) => "thấp hơn (looser)",
                Some(Strictness::Different) => "khác cách đo",
            };
            let _ = writeln!(
                b,
                "<tr class=\"level-{lv}\" data-compared=\"{}\"><td data-label=\"Cấp\">{lv}</td><td class=\"plan-cell\" data-label=\"Kế hoạch\"><a href=\"/plan/{}\">{}</a></td><td class=\"tv\" data-label=\"Chỉ tiêu\">{}</td><td data-label=\"So với cấp trên\">{vs}</td><td data-label=\"Nhiệm vụ\"><a href=\"/plan/{}#t{}\">#{}</a></td></tr>",
                l.compared.map_or("", |c| c.as_str()),
                esc(&l.plan.id),
                esc(&l.plan.label()),
                esc(&l.display()),
                esc(&l.plan.id),
                l.seq,
                l.seq,
                lv = l.level.min(6),
            );
        }
    }
    b.push_str("</tbody></table></div>\n");
    b
}

/// `GET /chart.svg?q=`: the timeline chart (served as an image, never inlined).
async fn chart(
    State(state): State<Shared>,
    q: Result<Query<TargetParams>, QueryRejection>,
) -> Response {
    let p = match params(q) {
        Ok(p) => p,
        Err(f) => return (f.status, f.message).into_response(),
    };
    let run = p.clone();
    let res = blocking(&state, move |store| {
        let series = work::targets(store, &run)?;
        let title = if run.query().is_empty() {
            "Chỉ tiêu theo năm".to_string()
        } else {
            format!("Chỉ tiêu “{}” theo năm", run.query())
        };
        kehoach_export::chart::svg(&series, &title).map_err(|e| Failure::not_found(e.to_string()))
    })
    .await;
    match res {
        Ok(svg) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            svg,
        )
            .into_response(),
        Err(f) => (f.status, f.message).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kehoach_plan::DueKind;

    #[test]
    fn facet_links_toggle_and_keep_the_query() {
        let p = SearchParams {
            q: Some("hồ sơ".into()),
            year: Some("2024".into()),
            ..Default::default()
        };
        assert_eq!(
            search_url(&p, Some(("place", "Bắc Giang")), None, None),
            "/?q=h%E1%BB%93%20s%C6%A1&amp;year=2024&amp;place=B%E1%BA%AFc%20Giang"
        );
        // Clicking the selected year removes it.
        assert_eq!(
            search_url(&p, Some(("year", "2024")), None, None),
            "/?q=h%E1%BB%93%20s%C6%A1"
        );
        assert_eq!(
            search_url(&p, None, None, Some(3)),
            "/?q=h%E1%BB%93%20s%C6%A1&amp;year=2024&amp;page=3"
        );
    }

    #[test]
    fn deep_pages_are_not_offered() {
        assert_eq!(pages_of(0, 20), 0);
        assert_eq!(pages_of(41, 20), 3);
        assert_eq!(pages_of(1_000_000, 20), MAX_OFFSET / 20 + 1);
    }

    #[test]
    fn task_rows_escape_content() {
        let t = Task {
            seq: 3,
            level: 1,
            content: Some("<script>alert(1)</script>".into()),
            lead: Some("<b>x</b>".into()),
            ..Default::default()
        };
        let row = task_row(&t);
        assert!(
            row.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{row}"
        );
        assert!(!row.contains("<script>") && !row.contains("<b>x"));
    }

    #[test]
    fn dates_read_the_vietnamese_way() {
        assert_eq!(vn_date("2024-01-20"), "20/01/2024");
        assert_eq!(vn_date("x"), "x");
    }

    #[test]
    fn kinds_have_names() {
        for k in [
            DueKind::Date,
            DueKind::Month,
            DueKind::Months,
            DueKind::Quarter,
            DueKind::Year,
            DueKind::Continuous,
            DueKind::Periodic,
            DueKind::Conditional,
        ] {
            assert_ne!(kind_label(k.as_str()), k.as_str());
        }
    }
}
