//! Adding and removing plans.

use crate::error::{Error, Result};
use crate::schema::{date_key, fold_nfc, Fields, KIND_PLAN, KIND_TASK};
use crate::store::{PlanHead, Store};
use kehoach_plan::{Plan, Task};
use tantivy::schema::Facet;
use tantivy::{IndexWriter, TantivyDocument, Term};

/// The plan id of an imported file: the first 16 hex digits of its SHA-256.
///
/// ```
/// assert_eq!(kehoach_index::plan_id("E732e58877bfd20262800ec962472a0f"), "e732e58877bfd202");
/// ```
pub fn plan_id(sha256_hex: &str) -> String {
    sha256_hex
        .chars()
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Writer settings.
#[derive(Debug, Clone, Copy)]
pub struct WriterOptions {
    /// Indexing threads (at least 1).
    pub threads: usize,
    /// Memory budget of all indexing threads together, in bytes; a segment
    /// is flushed when its thread's share is used up.
    pub memory_bytes: usize,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            threads: 1,
            memory_bytes: 256 << 20,
        }
    }
}

/// The single writer of a data directory. Documents added are invisible
/// until [`Writer::commit`]; dropping a writer without committing discards
/// them (the last commit stays as it was).
pub struct Writer {
    inner: IndexWriter,
    fields: Fields,
    pending_docs: u64,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("pending_docs", &self.pending_docs)
            .finish_non_exhaustive()
    }
}

impl Writer {
    pub(crate) fn new(store: &Store, opts: WriterOptions) -> Result<Writer> {
        let threads = opts.threads.max(1);
        // tantivy needs at least 15 MB per thread.
        let memory = opts.memory_bytes.max((threads * 16) << 20);
        let inner = store
            .index
            .writer_with_num_threads(threads, memory)
            .map_err(|e| Error::from_writer(e, &store.dir))?;
        Ok(Writer {
            inner,
            fields: store.fields,
            pending_docs: 0,
        })
    }

    /// Documents added since the last commit.
    pub fn pending_docs(&self) -> u64 {
        self.pending_docs
    }

    /// Adds `plan`, imported from the file `file_path` whose bytes hash to
    /// `file_sha256`, replacing whatever was imported from the same path or
    /// with the same id before. Returns the plan id.
    pub fn add_plan(&mut self, file_path: &str, file_sha256: &str, plan: &Plan) -> Result<String> {
        let f = self.fields;
        let id = plan_id(file_sha256);
        self.inner
            .delete_term(Term::from_field_text(f.path_key, file_path));
        self.inner
            .delete_term(Term::from_field_text(f.plan_id, &id));

        let head = PlanHead::of(plan);
        let head_json = serde_json::to_string(&head)
            .map_err(|e| Error::Corrupt(format!("{file_path}: {e}")))?;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.doc_kind, KIND_PLAN);
        doc.add_text(f.plan_id, &id);
        doc.add_text(f.file_path, file_path);
        doc.add_text(f.path_key, file_path);
        doc.add_text(f.file_sha, file_sha256);
        doc.add_text(f.record, &head_json);
        doc.add_u64(f.task_count, plan.tasks.len() as u64);
        let common = PlanFields::of(plan);
        if let Some(field) = f.number_key {
            if let Some(key) = &common.number_key {
                doc.add_text(field, key);
            }
        }
        if let Some(field) = f.cites {
            for key in &common.cites {
                doc.add_text(field, key);
            }
        }
        self.inner.add_document(doc)?;
        self.pending_docs += 1;

        for task in &plan.tasks {
            let doc = self.task_doc(&id, &common, task, file_path)?;
            self.inner.add_document(doc)?;
            self.pending_docs += 1;
        }
        Ok(id)
    }

    fn task_doc(
        &self,
        id: &str,
        common: &PlanFields,
        task: &Task,
        file_path: &str,
    ) -> Result<TantivyDocument> {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.doc_kind, KIND_TASK);
        doc.add_text(f.plan_id, id);
        doc.add_text(f.path_key, file_path);
        let json =
            serde_json::to_string(task).map_err(|e| Error::Corrupt(format!("{file_path}: {e}")))?;
        doc.add_text(f.record, &json);
        doc.add_u64(f.seq, u64::from(task.seq));
        if let Some(content) = &task.content {
            doc.add_text(f.text_exact, kehoach_text::nfc(content));
            doc.add_text(f.text_fold, fold_nfc(content));
        }
        for more in [&task.product, &task.lead, &task.support, &task.deadline]
            .into_iter()
            .flatten()
        {
            doc.add_text(f.more_exact, kehoach_text::nfc(more));
            doc.add_text(f.more_fold, fold_nfc(more));
        }
        if let Some(year) = common.year {
            doc.add_i64(f.year, i64::from(year));
            doc.add_facet(f.facets, Facet::from_path(["year", &year.to_string()]));
        }
        if let Some(issuer) = &common.issuer {
            doc.add_text(f.issuer_fold, fold_nfc(issuer));
            doc.add_facet(f.facets, Facet::from_path(["issuer", issuer.as_str()]));
        }
        if let Some(code) = &common.issuer_code {
            doc.add_text(f.issuer_code, code);
            doc.add_facet(f.facets, Facet::from_path(["code", code.as_str()]));
        }
        if let Some(place) = &common.place {
            doc.add_facet(f.facets, Facet::from_path(["place", place.as_str()]));
        }
        if let Some(field) = f.cites {
            for key in &common.cites {
                doc.add_text(field, key);
            }
            if !task.refs.is_empty() {
                for key in crate::links::cited_keys(&task.refs) {
                    if !common.cites.contains(&key) {
                        doc.add_text(field, &key);
                    }
                }
            }
        }
        // The same lead units the other stores file (`ranking::lead_units`).
        for unit in crate::ranking::lead_units(task) {
            doc.add_text(f.lead_fold, fold_nfc(&unit));
            doc.add_facet(f.facets, Facet::from_path(["lead", unit.as_str()]));
        }
        if let Some(due) = &task.due {
            let kind = due.kind.as_str();
            doc.add_text(f.due_kind, kind);
            doc.add_facet(f.facets, Facet::from_path(["kind", kind]));
            if let Some(key) = due.by.as_deref().and_then(date_key) {
                doc.add_i64(f.due_by, key);
                doc.add_facet(
                    f.facets,
                    Facet::from_path([
                        "due",
                        &format!("{:04}-{:02}", key / 10_000, key / 100 % 100),
                    ]),
                );
            }
        }
        Ok(doc)
    }

    /// Removes every document of plan `id` (visible after the next commit).
    pub fn remove_plan(&mut self, id: &str) {
        self.inner
            .delete_term(Term::from_field_text(self.fields.plan_id, id));
    }

    /// Removes whatever was imported from `file_path` (visible after the next commit).
    pub fn remove_file(&mut self, file_path: &str) {
        self.inner
            .delete_term(Term::from_field_text(self.fields.path_key, file_path));
    }

    /// Commits atomically: every plan added so far becomes visible at once.
    pub fn commit(&mut self) -> Result<()> {
        self.inner.commit()?;
        self.pending_docs = 0;
        Ok(())
    }

    /// Commits, waits for background segment merges and releases the lock.
    pub fn finish(mut self) -> Result<()> {
        self.commit()?;
        self.inner.wait_merging_threads()?;
        Ok(())
    }
}

/// Plan-level values every task document carries.
struct PlanFields {
    year: Option<i32>,
    issuer: Option<String>,
    issuer_code: Option<String>,
    place: Option<String>,
    /// The plan's number as a link key.
    number_key: Option<String>,
    /// The numbers its basis cites, as link keys.
    cites: Vec<String>,
}

impl PlanFields {
    fn of(plan: &Plan) -> PlanFields {
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| kehoach_text::nfc(s).into_owned())
        };
        PlanFields {
            year: plan.meta.year,
            issuer: clean(&plan.meta.issuer),
            issuer_code: clean(&plan.meta.issuer_code).map(|c| c.to_uppercase()),
            place: clean(&plan.meta.place),
            number_key: crate::links::number_key_of(plan.meta.number.as_deref()),
            cites: crate::links::cited_keys(&plan.meta.basis),
        }
    }
}
