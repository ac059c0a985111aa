//! The JSON API under `/api/`: the shapes of the CLI's `--json`.

use crate::params::{DiffParams, SearchParams, TargetParams};
use crate::work::{self, blocking, Failure};
use crate::Shared;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

/// The API routes (mounted under `/api`).
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/search", get(search))
        .route("/plans", get(plans))
        .route("/plans/{id}", get(plan))
        .route("/diff", get(diff))
        .route("/targets", get(targets))
        .route("/links/{id}", get(links))
        .fallback(not_found)
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.message })),
        )
            .into_response()
    }
}

type ApiResult<T> = Result<Json<T>, Failure>;

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, Failure> {
    q.map(|Query(v)| v)
        .map_err(|e| Failure::bad(format!("bad query string: {}", e.body_text())))
}

/// `GET /api/search?q=&year=&issuer=&lead=&place=&kind=&due_before=&limit=&offset=&facets=1&exact_total=1`:
/// `kehoach search --json` (facets with `facets=1`; `total` is exact up to
/// 10,000 matches, then `total_exact` is false, unless `exact_total=1` or `facets=1`).
async fn search(
    State(state): State<Shared>,
    q: Result<Query<SearchParams>, QueryRejection>,
) -> ApiResult<kehoach_index::SearchResults> {
    let p = query(q)?;
    let facets = p.wants_facets();
    blocking(&state, move |store| {
        work::search(store, &p, 10, false, facets)
    })
    .await
    .map(Json)
}

/// `GET /api/plans`: `kehoach plans --json`.
async fn plans(State(state): State<Shared>) -> ApiResult<Vec<kehoach_index::PlanSummary>> {
    blocking(&state, |store| Ok(store.plans()?)).await.map(Json)
}

/// `GET /api/plans/{id}`: `kehoach show ID --json`.
async fn plan(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> ApiResult<kehoach_plan::Plan> {
    blocking(&state, move |store| work::plan(store, &id).map(|(_, p)| p))
        .await
        .map(Json)
}

/// `GET /api/diff?a=&b=[&all=1]`: `kehoach diff A B --json`.
async fn diff(
    State(state): State<Shared>,
    q: Result<Query<DiffParams>, QueryRejection>,
) -> ApiResult<kehoach_diff::PlanDiff> {
    let p = query(q)?;
    let (Some(a), Some(b)) = (p.a.clone(), p.b.clone()) else {
        return Err(Failure::bad("give two plan ids: /api/diff?a=ID&b=ID"));
    };
    let all = p.all();
    blocking(&state, move |store| work::diff(store, &a, &b, all))
        .await
        .map(Json)
}

/// The body of `/api/targets`: `kehoach targets QUERY --json`.
#[derive(Debug, Serialize)]
struct Targets {
    query: String,
    series: Vec<kehoach_export::series::Series>,
}

/// The body of `/api/targets?cascade=1`: `kehoach targets QUERY --cascade --json`.
#[derive(Debug, Serialize)]
struct Cascades {
    query: String,
    depth: u32,
    cascades: Vec<kehoach_export::cascade::Cascade>,
}

/// `GET /api/targets?q=[&year=&issuer=&lead=&kind=&due_before=][&cascade=1&depth=N]`:
/// `kehoach targets Q --json` (with `cascade=1`, `--cascade --depth N`).
async fn targets(
    State(state): State<Shared>,
    q: Result<Query<TargetParams>, QueryRejection>,
) -> Result<Response, Failure> {
    let p = query(q)?;
    let query = p.q.clone().unwrap_or_default();
    if p.cascade() {
        let depth = p.depth();
        return blocking(&state, move |store| work::cascades(store, &p))
            .await
            .map(|cascades| {
                Json(Cascades {
                    query,
                    depth,
                    cascades,
                })
                .into_response()
            });
    }
    blocking(&state, move |store| work::targets(store, &p))
        .await
        .map(|series| Json(Targets { query, series }).into_response())
}

/// The query of `/api/links/{id}`.
#[derive(Debug, Default, serde::Deserialize)]
struct LinksParams {
    depth: Option<u32>,
}

/// `GET /api/links/{id}[?depth=N]`: `kehoach links ID --json` (depth 1 to
/// 10, 3 by default).
async fn links(
    State(state): State<Shared>,
    Path(id): Path<String>,
    q: Result<Query<LinksParams>, QueryRejection>,
) -> ApiResult<kehoach_index::links::Links> {
    let depth = query(q)?.depth.unwrap_or(3).clamp(1, 10);
    blocking(&state, move |store| work::links(store, &id, depth))
        .await
        .map(Json)
}

async fn not_found() -> Failure {
    Failure::not_found("no such API endpoint (see /api/search, /api/plans, /api/plans/{id}, /api/diff, /api/targets, /api/links/{id})")
}
