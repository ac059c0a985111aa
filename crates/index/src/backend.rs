//! The store interface the front ends read and write plans through.
//!
//! [`PlanStore`] is the seam between the front ends (command line, web
//! server) and where plans live. The embedded index ([`crate::Store`])
//! implements it; so does the PostgreSQL store (crate `kehoach-store-pg`).
//! Every implementation answers the same requests with the same shapes:
//! [`SearchResults`] ranked alike, [`PlanSummary`] lists ordered by file
//! path, plans with their tasks in `seq` order.

use crate::error::{Error, Result};
use crate::search::{Hit, SearchRequest, SearchResults, TrackTotal};
use crate::store::{PlanSummary, Store};
use crate::writer::{Writer, WriterOptions};
use kehoach_plan::Plan;

/// Where plans are read from: the embedded index or a database.
pub trait PlanStore: Send + Sync + std::fmt::Debug {
    /// Where the store is, for messages (`kehoach-data`, `postgres://host/db`).
    fn location(&self) -> String;

    /// Runs a search, counting matches as `track` says (see
    /// [`Store::search_tracking`] for the ranking and counting rules every
    /// store follows).
    fn search_tracking(&self, req: &SearchRequest, track: TrackTotal) -> Result<SearchResults>;

    /// Runs a search counting every match.
    fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        self.search_tracking(req, TrackTotal::Exact)
    }

    /// Every task matching `req` (its `limit`, `offset` and `facets`
    /// ignored), in archive order: file path, plan id, task number. With
    /// `max`, a search matching more tasks fails with
    /// [`Error::TooManyMatches`] before any is read.
    fn search_all(&self, req: &SearchRequest, max: Option<u64>) -> Result<Vec<Hit>> {
        let mut req = SearchRequest {
            limit: 1,
            offset: 0,
            facets: false,
            ..req.clone()
        };
        let total = self.search(&req)?.total;
        if total == 0 {
            return Ok(Vec::new());
        }
        if let Some(max) = max.filter(|&max| total > max) {
            return Err(Error::TooManyMatches { total, max });
        }
        req.limit = usize::try_from(total).unwrap_or(usize::MAX);
        let mut hits = self.search(&req)?.hits;
        sort_archive_order(&mut hits);
        Ok(hits)
    }

    /// Every imported plan, ordered by file path (then id).
    fn plans(&self) -> Result<Vec<PlanSummary>>;

    /// The plan `id`, if imported (without its tasks).
    fn summary(&self, id: &str) -> Result<Option<PlanSummary>>;

    /// Finds plans by id, id prefix (at least 4 hex digits) or imported file path.
    fn find(&self, key: &str) -> Result<Vec<PlanSummary>> {
        if key.len() == 16 {
            if let Some(p) = self.summary(key)? {
                return Ok(vec![p]);
            }
        }
        let key_lower = key.to_ascii_lowercase();
        let all = self.plans()?;
        let by_path: Vec<PlanSummary> =
            all.iter().filter(|p| p.file_path == key).cloned().collect();
        if !by_path.is_empty() {
            return Ok(by_path);
        }
        if key.len() >= 4 && key.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(all
                .into_iter()
                .filter(|p| p.id.starts_with(&key_lower))
                .collect());
        }
        Ok(Vec::new())
    }

    /// The full plan `id` (its tasks in `seq` order), if imported.
    fn plan(&self, id: &str) -> Result<Option<Plan>>;

    /// The plans whose number has the key `key` ([`crate::links::number_key`]),
    /// ordered by file path.
    fn plans_numbered(&self, key: &str) -> Result<Vec<PlanSummary>> {
        Ok(crate::links::scan_numbered(self.plans()?, key))
    }

    /// The plans whose basis (`meta.basis`) cites a number with the key
    /// `key` ([`crate::links::number_key`]), ordered by file path.
    fn plans_citing(&self, key: &str) -> Result<Vec<PlanSummary>> {
        Ok(crate::links::scan_citing(self.plans()?, key))
    }

    /// Number of plans and of task records.
    fn counts(&self) -> Result<(u64, u64)>;

    /// Makes what was written meanwhile visible to this store's reads.
    fn reload(&self) -> Result<()>;

    /// The size of the stored data, in bytes.
    fn disk_size(&self) -> u64;

    /// A writer adding and replacing plans. The embedded index allows one at
    /// a time ([`Error::Locked`]); a database allows several.
    fn plan_writer(&self, opts: WriterOptions) -> Result<Box<dyn PlanWriter + '_>>;
}

/// Adds and replaces plans. Plans added are invisible until
/// [`PlanWriter::commit`]; a reader sees a plan whole or not at all.
pub trait PlanWriter {
    /// Adds `plan`, imported from the file `file_path` whose bytes hash to
    /// `file_sha256`, replacing whatever was imported from the same path or
    /// with the same id before. Returns the plan id.
    fn add_plan(&mut self, file_path: &str, file_sha256: &str, plan: &Plan) -> Result<String>;

    /// Documents (plans and tasks) added since the last commit.
    fn pending_docs(&self) -> u64;

    /// Makes every plan added so far visible, atomically per batch of whole plans.
    fn commit(&mut self) -> Result<()>;

    /// Commits and releases the writer.
    fn finish(self: Box<Self>) -> Result<()>;
}

/// Sorts hits in archive order: file path, plan id, task number.
pub fn sort_archive_order(hits: &mut [Hit]) {
    hits.sort_by(|a, b| {
        a.plan
            .source
            .path
            .cmp(&b.plan.source.path)
            .then(a.plan.id.cmp(&b.plan.id))
            .then(a.task.seq.cmp(&b.task.seq))
    });
}

impl PlanStore for Store {
    fn location(&self) -> String {
        self.dir().display().to_string()
    }

    fn search_tracking(&self, req: &SearchRequest, track: TrackTotal) -> Result<SearchResults> {
        Store::search_tracking(self, req, track)
    }

    fn plans(&self) -> Result<Vec<PlanSummary>> {
        Store::plans(self)
    }

    fn summary(&self, id: &str) -> Result<Option<PlanSummary>> {
        Store::summary(self, id)
    }

    fn plan(&self, id: &str) -> Result<Option<Plan>> {
        Store::plan(self, id)
    }

    fn plans_numbered(&self, key: &str) -> Result<Vec<PlanSummary>> {
        Store::plans_numbered(self, key)
    }

    fn plans_citing(&self, key: &str) -> Result<Vec<PlanSummary>> {
        Store::plans_citing(self, key)
    }

    fn counts(&self) -> Result<(u64, u64)> {
        Store::counts(self)
    }

    fn reload(&self) -> Result<()> {
        Store::reload(self)
    }

    fn disk_size(&self) -> u64 {
        Store::disk_size(self)
    }

    fn plan_writer(&self, opts: WriterOptions) -> Result<Box<dyn PlanWriter + '_>> {
        Ok(Box::new(self.writer(opts)?))
    }
}

impl PlanWriter for Writer {
    fn add_plan(&mut self, file_path: &str, file_sha256: &str, plan: &Plan) -> Result<String> {
        Writer::add_plan(self, file_path, file_sha256, plan)
    }

    fn pending_docs(&self) -> u64 {
        Writer::pending_docs(self)
    }

    fn commit(&mut self) -> Result<()> {
        Writer::commit(self)
    }

    fn finish(self: Box<Self>) -> Result<()> {
        Writer::finish(*self)
    }
}
