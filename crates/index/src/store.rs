//! Opening a data directory; listing and reading stored plans.

use crate::error::{Error, Result};
use crate::schema::{self, Fields, KIND_PLAN, KIND_TASK, WORDS};
use crate::search::HitPlan;
use crate::writer::{Writer, WriterOptions};
use kehoach_plan::{Meta, Plan, Source, Task, Warning};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use tantivy::collector::{Count, DocSetCollector};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, Executor, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term,
};

/// The data directory used when none is given.
pub const DEFAULT_DATA_DIR: &str = "kehoach-data";

/// The content of `DIR/FORMAT`.
const FORMAT: &str = "kehoach-index 1\n";

/// Plan heads kept for search hits, at most (the cache is emptied when full).
const HEAD_CACHE: usize = 4096;

/// Search threads, at most (segments are searched in parallel).
const SEARCH_THREADS: usize = 4;

/// A plan as stored without its tasks: what search hits and listings carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanHead {
    /// Always [`kehoach_plan::SCHEMA`].
    pub schema: String,
    /// Where the plan came from.
    pub source: Source,
    /// Header metadata.
    pub meta: Meta,
    /// Problems found while extracting.
    #[serde(default)]
    pub warnings: Vec<Warning>,
}

impl PlanHead {
    /// The head of `plan`.
    pub fn of(plan: &Plan) -> PlanHead {
        PlanHead {
            schema: plan.schema.clone(),
            source: plan.source.clone(),
            meta: plan.meta.clone(),
            warnings: plan.warnings.clone(),
        }
    }
}

/// One imported plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSummary {
    /// The plan id: the first 16 hex digits of the imported file's SHA-256.
    pub id: String,
    /// The imported file (`archive.zip!/inner.txt` for archive entries).
    pub file_path: String,
    /// SHA-256 of the imported file.
    pub file_sha256: String,
    /// Number of task records.
    pub tasks: u64,
    /// The plan without its tasks.
    pub head: PlanHead,
}

/// The part of a stored plan head a search hit shows.
#[derive(Deserialize)]
struct HeadView {
    source: Source,
    meta: Meta,
}

/// Plan heads already read, for one searcher generation.
#[derive(Default)]
struct HeadCache {
    generation: u64,
    heads: HashMap<String, HitPlan>,
}

/// An opened data directory.
pub struct Store {
    pub(crate) dir: PathBuf,
    pub(crate) index: Index,
    pub(crate) fields: Fields,
    pub(crate) reader: IndexReader,
    /// Searches segments in parallel; started on the first search.
    executor: OnceLock<Executor>,
    /// Plan heads of search hits.
    heads: Mutex<HeadCache>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn index_dir(dir: &Path) -> PathBuf {
    dir.join("index")
}

/// Whether `dir` is a kehoach data directory: it holds the marker file
/// `FORMAT` (written when the directory is created, starting with
/// `kehoach-index`) or, for directories made before the marker, an
/// `index/meta.json` beside the plan store. Input walks skip such folders so
/// that an index is never read as plans.
pub fn is_data_dir(dir: &Path) -> bool {
    let marked = std::fs::read(dir.join("FORMAT"))
        .map(|b| b.starts_with(b"kehoach-index"))
        .unwrap_or(false);
    marked || index_dir(dir).join("meta.json").is_file()
}

impl Store {
    /// Opens an existing data directory ([`Error::NotFound`] when there is none).
    pub fn open(dir: &Path) -> Result<Store> {
        let idir = index_dir(dir);
        if !idir.join("meta.json").is_file() {
            return Err(Error::NotFound(dir.to_path_buf()));
        }
        let index = Index::open_in_dir(&idir)?;
        Store::from_index(dir, index)
    }

    /// Opens a data directory, creating it (and an empty index) when needed.
    pub fn open_or_create(dir: &Path) -> Result<Store> {
        let idir = index_dir(dir);
        if idir.join("meta.json").is_file() {
            return Store::open(dir);
        }
        std::fs::create_dir_all(&idir).map_err(|e| Error::io(&idir, e))?;
        let (schema, _) = schema::build();
        let index = match Index::create_in_dir(&idir, schema) {
            Ok(index) => index,
            // Another process created it in the meantime.
            Err(tantivy::TantivyError::IndexAlreadyExists) => Index::open_in_dir(&idir)?,
            Err(e) => return Err(e.into()),
        };
        let fmt = dir.join("FORMAT");
        if !fmt.exists() {
            let tmp = dir.join(".FORMAT.tmp");
            std::fs::write(&tmp, FORMAT).map_err(|e| Error::io(&tmp, e))?;
            std::fs::rename(&tmp, &fmt).map_err(|e| Error::io(&fmt, e))?;
        }
        Store::from_index(dir, index)
    }

    fn from_index(dir: &Path, index: Index) -> Result<Store> {
        let (schema, mut fields) = schema::build();
        let ours = serde_json::to_string(&schema).map_err(|e| Error::Corrupt(e.to_string()))?;
        let theirs =
            serde_json::to_string(&index.schema()).map_err(|e| Error::Corrupt(e.to_string()))?;
        if ours != theirs {
            // An index made before links were indexed reads as before; link
            // look-ups then scan the plans, and `cites:` asks for a re-import.
            let (old, old_fields) = schema::build_with(false);
            let old = serde_json::to_string(&old).map_err(|e| Error::Corrupt(e.to_string()))?;
            if old != theirs {
                return Err(Error::Incompatible {
                    path: dir.to_path_buf(),
                    detail: "index schema differs".into(),
                });
            }
            fields = old_fields;
        }
        if let Ok(text) = std::fs::read_to_string(dir.join("FORMAT")) {
            if text != FORMAT {
                return Err(Error::Incompatible {
                    path: dir.to_path_buf(),
                    detail: format!("format {:?}", text.trim()),
                });
            }
        }
        index.tokenizers().register(WORDS, schema::words_analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Store {
            dir: dir.to_path_buf(),
            index,
            fields,
            reader,
            executor: OnceLock::new(),
            heads: Mutex::new(HeadCache::default()),
        })
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Takes the index's single writer lock ([`Error::Locked`] if another
    /// process or writer holds it).
    pub fn writer(&self, opts: WriterOptions) -> Result<Writer> {
        Writer::new(self, opts)
    }

    /// Makes the latest commit visible to this store's searches.
    pub fn reload(&self) -> Result<()> {
        self.reader.reload()?;
        Ok(())
    }

    pub(crate) fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The executor searching segments in parallel (one thread per core, up
    /// to [`SEARCH_THREADS`]; in the calling thread on one core).
    pub(crate) fn executor(&self) -> &Executor {
        self.executor.get_or_init(|| {
            let threads = std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(SEARCH_THREADS);
            if threads > 1 {
                Executor::multi_thread(threads, "kehoach-search-")
                    .unwrap_or_else(|_| Executor::single_thread())
            } else {
                Executor::single_thread()
            }
        })
    }

    /// The plan of a search hit (cached per commit).
    pub(crate) fn hit_plan(&self, s: &Searcher, id: &str) -> Result<HitPlan> {
        let generation = s.generation().generation_id();
        if let Ok(cache) = self.heads.lock() {
            if cache.generation == generation {
                if let Some(p) = cache.heads.get(id) {
                    return Ok(p.clone());
                }
            }
        }
        let addr = self
            .plan_doc(s, id)?
            .ok_or_else(|| Error::Corrupt(format!("task of missing plan {id}")))?;
        let doc: TantivyDocument = s.doc(addr)?;
        let record = doc
            .get_first(self.fields.record)
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::Corrupt(format!("plan {id} without record")))?;
        let head: HeadView =
            serde_json::from_str(record).map_err(|e| Error::Corrupt(format!("plan {id}: {e}")))?;
        let plan = HitPlan {
            id: id.to_string(),
            source: head.source,
            meta: head.meta,
        };
        if let Ok(mut cache) = self.heads.lock() {
            if cache.generation != generation || cache.heads.len() >= HEAD_CACHE {
                cache.heads.clear();
                cache.generation = generation;
            }
            cache.heads.insert(id.to_string(), plan.clone());
        }
        Ok(plan)
    }

    /// The address of the plan document of plan `id`.
    fn plan_doc(&self, s: &Searcher, id: &str) -> Result<Option<DocAddress>> {
        let q = BooleanQuery::new(vec![
            (Occur::Must, self.kind_query(KIND_PLAN)),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.plan_id, id),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        let found = s.search(&q, &DocSetCollector)?;
        Ok(found.into_iter().min())
    }

    pub(crate) fn kind_query(&self, kind: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(self.fields.doc_kind, kind),
            IndexRecordOption::Basic,
        ))
    }

    /// Number of plans and of task records in the last commit.
    pub fn counts(&self) -> Result<(u64, u64)> {
        let s = self.searcher();
        let plans = s.search(&*self.kind_query(KIND_PLAN), &Count)?;
        let tasks = s.search(&*self.kind_query(KIND_TASK), &Count)?;
        Ok((plans as u64, tasks as u64))
    }

    /// Every imported plan, ordered by file path.
    pub fn plans(&self) -> Result<Vec<PlanSummary>> {
        let s = self.searcher();
        let mut addrs: Vec<DocAddress> = s
            .search(&*self.kind_query(KIND_PLAN), &DocSetCollector)?
            .into_iter()
            .collect();
        addrs.sort();
        let mut out = Vec::with_capacity(addrs.len());
        for addr in addrs {
            out.push(self.summary_at(&s, addr)?);
        }
        out.sort_by(|a, b| a.file_path.cmp(&b.file_path).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    pub(crate) fn summary_at(&self, s: &Searcher, addr: DocAddress) -> Result<PlanSummary> {
        let doc: TantivyDocument = s.doc(addr)?;
        let f = &self.fields;
        let get = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let id =
            get(f.plan_id).ok_or_else(|| Error::Corrupt("plan document without plan_id".into()))?;
        let record =
            get(f.record).ok_or_else(|| Error::Corrupt(format!("plan {id} without record")))?;
        let head: PlanHead =
            serde_json::from_str(&record).map_err(|e| Error::Corrupt(format!("plan {id}: {e}")))?;
        Ok(PlanSummary {
            file_path: get(f.file_path).unwrap_or_default(),
            file_sha256: get(f.file_sha).unwrap_or_default(),
            tasks: doc
                .get_first(f.task_count)
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
            id,
            head,
        })
    }

    /// The plan document of plan `id`, if imported.
    pub fn summary(&self, id: &str) -> Result<Option<PlanSummary>> {
        let s = self.searcher();
        match self.plan_doc(&s, id)? {
            Some(addr) => Ok(Some(self.summary_at(&s, addr)?)),
            None => Ok(None),
        }
    }

    /// The plans whose number has the link key `key` (see
    /// [`crate::links::number_key`]), ordered by file path.
    pub fn plans_numbered(&self, key: &str) -> Result<Vec<PlanSummary>> {
        match self.fields.number_key {
            Some(field) => self.plans_with(field, key),
            None => Ok(crate::links::scan_numbered(self.plans()?, key)),
        }
    }

    /// The plans whose basis cites a number with the link key `key`,
    /// ordered by file path.
    pub fn plans_citing(&self, key: &str) -> Result<Vec<PlanSummary>> {
        match self.fields.cites {
            Some(field) => self.plans_with(field, key),
            None => Ok(crate::links::scan_citing(self.plans()?, key)),
        }
    }

    /// The plan documents having `value` in the raw field `field`.
    fn plans_with(&self, field: tantivy::schema::Field, value: &str) -> Result<Vec<PlanSummary>> {
        let s = self.searcher();
        let q = BooleanQuery::new(vec![
            (Occur::Must, self.kind_query(KIND_PLAN)),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(field, value),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        let mut addrs: Vec<DocAddress> = s.search(&q, &DocSetCollector)?.into_iter().collect();
        addrs.sort();
        let mut out = Vec::with_capacity(addrs.len());
        for addr in addrs {
            out.push(self.summary_at(&s, addr)?);
        }
        out.sort_by(|a, b| a.file_path.cmp(&b.file_path).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// The full plan `id` (its tasks in `seq` order), if imported.
    pub fn plan(&self, id: &str) -> Result<Option<Plan>> {
        let Some(summary) = self.summary(id)? else {
            return Ok(None);
        };
        let s = self.searcher();
        let q = BooleanQuery::new(vec![
            (Occur::Must, self.kind_query(KIND_TASK)),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.plan_id, id),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        let mut addrs: Vec<DocAddress> = s.search(&q, &DocSetCollector)?.into_iter().collect();
        addrs.sort();
        let mut tasks = Vec::with_capacity(addrs.len());
        for addr in addrs {
            tasks.push(self.task_at(&s, addr)?);
        }
        tasks.sort_by_key(|t| t.seq);
        let h = summary.head;
        Ok(Some(Plan {
            schema: h.schema,
            source: h.source,
            meta: h.meta,
            tasks,
            warnings: h.warnings,
        }))
    }

    pub(crate) fn task_at(&self, s: &Searcher, addr: DocAddress) -> Result<Task> {
        let (_, task) = self.task_doc_at(s, addr)?;
        Ok(task)
    }

    /// The plan id and the task record of a task document.
    pub(crate) fn task_doc_at(&self, s: &Searcher, addr: DocAddress) -> Result<(String, Task)> {
        let doc: TantivyDocument = s.doc(addr)?;
        let id = doc
            .get_first(self.fields.plan_id)
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::Corrupt("task document without plan_id".into()))?
            .to_string();
        let record = doc
            .get_first(self.fields.record)
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::Corrupt(format!("task of plan {id} without record")))?;
        let task: Task = serde_json::from_str(record)
            .map_err(|e| Error::Corrupt(format!("task of plan {id}: {e}")))?;
        Ok((id, task))
    }

    /// The size of the index on disk, in bytes.
    pub fn disk_size(&self) -> u64 {
        dir_size(&index_dir(&self.dir))
    }
}

fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
