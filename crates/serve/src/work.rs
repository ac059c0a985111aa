//! The library calls behind pages and API: run off the async threads.

use crate::params::{is_plan_key, BadRequest, SearchParams, TargetParams, MAX_TARGET_TASKS};
use crate::Shared;
use axum::http::StatusCode;
use kehoach_diff::PlanDiff;
use kehoach_export::series::{self, Series};
use kehoach_export::TaskRecord;
use kehoach_index::{Hit, PlanStore, PlanSummary};
use kehoach_plan::Plan;

/// Why a request failed: the status to answer with and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong.
    pub message: String,
}

impl Failure {
    /// 400.
    pub fn bad(message: impl Into<String>) -> Failure {
        Failure {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Failure {
        Failure {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    /// 500.
    pub fn internal(message: impl Into<String>) -> Failure {
        Failure {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: message.into(),
        }
    }
}

impl From<BadRequest> for Failure {
    fn from(b: BadRequest) -> Failure {
        Failure::bad(b.0)
    }
}

impl From<kehoach_index::Error> for Failure {
    fn from(e: kehoach_index::Error) -> Failure {
        match e {
            kehoach_index::Error::InvalidQuery(m) => Failure::bad(m),
            other => Failure::internal(other.to_string()),
        }
    }
}

/// Runs `f` on the blocking pool with the shared state.
pub async fn blocking<T, F>(state: &Shared, f: F) -> Result<T, Failure>
where
    T: Send + 'static,
    F: FnOnce(&dyn PlanStore) -> Result<T, Failure> + Send + 'static,
{
    let state = std::sync::Arc::clone(state);
    tokio::task::spawn_blocking(move || f(state.store()))
        .await
        .unwrap_or_else(|_| Err(Failure::internal("the request failed")))
}

/// The one plan `key` (an id or a unique id prefix) names.
pub fn resolve(store: &dyn PlanStore, key: &str) -> Result<PlanSummary, Failure> {
    let key = key.trim();
    if !is_plan_key(key) {
        return Err(Failure::bad(
            "a plan is named by its id (4 to 16 hex digits, as /api/plans lists them)",
        ));
    }
    let mut found = store.find(&key.to_ascii_lowercase())?;
    match found.len() {
        0 => Err(Failure::not_found(format!("no imported plan has id {key}"))),
        1 => Ok(found.remove(0)),
        n => Err(Failure {
            status: StatusCode::CONFLICT,
            message: format!("{key} is the start of {n} plan ids; give more of the id"),
        }),
    }
}

/// The full plan `key` names.
pub fn plan(store: &dyn PlanStore, key: &str) -> Result<(PlanSummary, Plan), Failure> {
    let summary = resolve(store, key)?;
    let plan = store
        .plan(&summary.id)?
        .ok_or_else(|| Failure::not_found(format!("plan {} was removed", summary.id)))?;
    Ok((summary, plan))
}

/// The diff of plans `a` and `b`, as `kehoach diff A B --json` computes it.
pub fn diff(store: &dyn PlanStore, a: &str, b: &str, all: bool) -> Result<PlanDiff, Failure> {
    let (_, pa) = plan(store, a)?;
    let (_, pb) = plan(store, b)?;
    let opts = kehoach_diff::Options {
        include_unchanged: all,
        ..Default::default()
    };
    Ok(kehoach_diff::diff(&pa, &pb, &opts))
}

/// What plan `key` implements and what implements it, `depth` levels each way.
pub fn links(
    store: &dyn PlanStore,
    key: &str,
    depth: u32,
) -> Result<kehoach_index::links::Links, Failure> {
    let summary = resolve(store, key)?;
    kehoach_index::links::links(store, &summary.id, depth)?
        .ok_or_else(|| Failure::not_found(format!("plan {} was removed", summary.id)))
}

/// The target cascades of `p`, as `kehoach targets QUERY --cascade --json`
/// computes them.
pub fn cascades(
    store: &dyn PlanStore,
    p: &TargetParams,
) -> Result<Vec<kehoach_export::cascade::Cascade>, Failure> {
    let points = target_points(store, p)?;
    Ok(kehoach_export::cascade::cascades(
        store,
        &points,
        p.depth(),
    )?)
}

/// The target timelines of `p`, as `kehoach targets QUERY --json` computes them.
pub fn targets(store: &dyn PlanStore, p: &TargetParams) -> Result<Vec<Series>, Failure> {
    let points = target_points(store, p)?;
    Ok(series::group(&points))
}

/// Every target matching `p`.
fn target_points(store: &dyn PlanStore, p: &TargetParams) -> Result<Vec<series::Point>, Failure> {
    crate::params::check_len("q", p.query(), crate::params::MAX_QUERY_CHARS)?;
    let req = p.as_search().request(1, false, false, 16)?;
    let hits: Vec<Hit> = match store.search_all(&req, Some(MAX_TARGET_TASKS)) {
        Err(kehoach_index::Error::TooManyMatches { total, max }) => {
            return Err(Failure::bad(format!(
                "{total} tasks match; a timeline reads at most {max}: add words or filters"
            )))
        }
        other => other?,
    };
    let records = hits.iter().map(|h| TaskRecord {
        plan_id: Some(&h.plan.id),
        source: &h.plan.source,
        meta: &h.plan.meta,
        task: &h.task,
    });
    Ok(series::collect(records, p.query()))
}

/// Runs a search from page or API parameters.
pub fn search(
    store: &dyn PlanStore,
    p: &SearchParams,
    default_limit: usize,
    paged: bool,
    facets: bool,
) -> Result<kehoach_index::SearchResults, Failure> {
    let req = p.request(default_limit, paged, facets, 200)?;
    let track = if p.wants_exact_total() {
        kehoach_index::TrackTotal::Exact
    } else {
        kehoach_index::TrackTotal::UpTo(kehoach_index::TOTAL_CAP)
    };
    Ok(store.search_tracking(&req, track)?)
}
