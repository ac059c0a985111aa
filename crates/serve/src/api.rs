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

/// `GET /api/targets?q=[&year=&issuer=&lead=&kind=&due_before=]`: `kehoach targets Q --json`.
async fn targets(
    State(state): State<Shared>,
    q: Result<Query<TargetParams>, QueryRejection>,
) -> ApiResult<Targets> {
    let p = query(q)?;
    let query = p.q.clone().unwrap_or_default();
    blocking(&state, move |store| work::targets(store, &p))
        .await
        .map(|series| Json(Targets { query, series }))
}

async fn not_found() -> Failure {
    Failure::not_found("no such API endpoint (see /api/search, /api/plans, /api/plans/{id}, /api/diff, /api/targets)")
}
