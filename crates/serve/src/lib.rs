//! The read-only web server of kehoach (`kehoach serve`).
//!
//! A thin layer over the same library calls as the command line:
//!
//! * **pages** (server-rendered HTML, a stylesheet and a few lines of script,
//!   all embedded in the binary): search with facets and highlighted snippets
//!   (`/`), the list of plans (`/plans`), one plan with its task table
//!   (`/plan/{id}`), the comparison of two plans (`/compare?a=&b=`) and target
//!   timelines (`/targets?q=`, with the chart at `/chart.svg?q=`);
//! * a **JSON API** under `/api/` with the shapes of the CLI's `--json`:
//!   `/api/search`, `/api/plans`, `/api/plans/{id}`, `/api/diff?a=&b=` and
//!   `/api/targets?q=`.
//!
//! The server never writes: it opens the data directory with
//! [`kehoach_index::Store::open`], reloads the last commit now and then, and
//! answers every request from the index. No part of a request names a file:
//! plans are looked up by id (or id prefix) in the index only. Every piece of
//! document text is HTML-escaped, query sizes and page sizes are bounded, and
//! every page is sent with a Content-Security-Policy that allows no inline
//! script.

mod api;
mod assets;
mod html;
mod pages;
mod params;
mod work;

use axum::http::{header, HeaderValue};
use axum::Router;
use kehoach_index::{PlanStore, Store};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use params::{MAX_FILTER_CHARS, MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS, MAX_TARGET_TASKS};

/// The address `kehoach serve` binds to when none is given: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// How often the server looks for a newer commit of the index.
const RELOAD_EVERY: Duration = Duration::from_secs(5);

/// What can go wrong while starting or running the server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data directory could not be opened.
    #[error(transparent)]
    Index(#[from] kehoach_index::Error),
    /// The address could not be bound, or the server failed.
    #[error("{addr}: {source}")]
    Io {
        /// The address concerned.
        addr: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// The state every handler shares: the opened store (the embedded index
/// or a database, see [`PlanStore`]).
#[derive(Debug)]
pub struct AppState {
    store: Box<dyn PlanStore>,
}

impl AppState {
    /// Opens the data directory `data` (read-only use).
    pub fn open(data: &Path) -> Result<AppState> {
        Ok(AppState::new(Store::open(data)?))
    }

    /// Wraps an already opened store.
    pub fn new(store: impl PlanStore + 'static) -> AppState {
        AppState {
            store: Box::new(store),
        }
    }

    /// Wraps an already opened store behind the store interface.
    pub fn from_boxed(store: Box<dyn PlanStore>) -> AppState {
        AppState { store }
    }

    /// The store.
    pub fn store(&self) -> &dyn PlanStore {
        &*self.store
    }
}

/// The shared state handle.
pub type Shared = Arc<AppState>;

/// The router: every page, the API and the static assets.
pub fn router(state: Shared) -> Router {
    Router::new()
        .merge(pages::routes())
        .nest("/api", api::routes())
        .merge(assets::routes())
        .fallback(pages::not_found)
        .with_state(state)
        .layer(axum::middleware::map_response(security_headers))
}

/// Headers on every response: no inline script, no framing, no sniffing.
async fn security_headers(mut res: axum::response::Response) -> axum::response::Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// Serves `state` on an already bound listener until the process ends.
/// Every few seconds the store is reloaded, so plans imported meanwhile appear.
pub async fn serve(listener: tokio::net::TcpListener, state: Shared) -> Result<()> {
    let addr = listener
        .local_addr()
        .map_or_else(|_| "listener".to_string(), |a| a.to_string());
    let reloader = Arc::clone(&state);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(RELOAD_EVERY);
        tick.tick().await;
        loop {
            tick.tick().await;
            let s = Arc::clone(&reloader);
            // A failed reload keeps the previous commit; the next tick tries again.
            let _ = tokio::task::spawn_blocking(move || s.store().reload()).await;
        }
    });
    axum::serve(listener, router(state))
        .await
        .map_err(|source| Error::Io { addr, source })
}

/// Settings of [`run`].
#[derive(Debug, Clone)]
pub struct Config {
    /// The data directory.
    pub data: PathBuf,
    /// The address to bind (`127.0.0.1:8080`; port 0 picks a free port).
    pub addr: SocketAddr,
}

/// Opens the data directory, binds the address, calls `ready` with the bound
/// address, then serves until the process ends (blocking the calling thread).
pub fn run(config: &Config, ready: impl FnOnce(SocketAddr)) -> Result<()> {
    run_state(AppState::open(&config.data)?, config.addr, ready)
}

/// Binds `addr`, calls `ready` with the bound address, then serves `state`
/// until the process ends (blocking the calling thread).
pub fn run_state(state: AppState, addr: SocketAddr, ready: impl FnOnce(SocketAddr)) -> Result<()> {
    let state = Arc::new(state);
    let io = |source| Error::Io {
        addr: addr.to_string(),
        source,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(io)?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(io)?;
        let bound = listener.local_addr().map_err(io)?;
        ready(bound);
        serve(listener, state).await
    })
}
