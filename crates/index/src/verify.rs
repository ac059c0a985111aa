//! Checking a data directory: the index against the plan store it holds.
//!
//! The plan store is the set of plan documents: for every imported file its
//! path, its SHA-256, the plan id derived from it, the task count and the
//! extraction result without its tasks (the tasks are the task documents of
//! the same plan id). [`Store::verify`] reads every stored document of the
//! last commit and reports what does not add up.

use crate::error::Result;
use crate::schema::{KIND_PLAN, KIND_TASK};
use crate::store::{PlanHead, Store};
use crate::writer::plan_id;
use kehoach_plan::Task;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use tantivy::collector::DocSetCollector;
use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument};

/// What kind of inconsistency [`Store::verify`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A plan's stored task count differs from its task documents.
    TaskCount,
    /// Task documents whose plan has no plan document.
    OrphanTasks,
    /// Two plan documents with the same plan id or the same file path.
    DuplicatePlan,
    /// Two task documents of one plan with the same `seq`.
    DuplicateTask,
    /// The stored SHA-256 and the plan's `source.sha256` or its id disagree.
    ShaMismatch,
    /// A stored record is missing or does not parse.
    BadRecord,
}

/// One inconsistency found by [`Store::verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The kind of problem.
    pub kind: ProblemKind,
    /// The plan concerned, if known.
    pub plan_id: Option<String>,
    /// The imported file concerned, if known.
    pub file_path: Option<String>,
    /// What exactly differs.
    pub detail: String,
}

/// A file the plan store records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredFile {
    /// The plan id.
    pub id: String,
    /// The imported file (`archive.zip!/inner.txt` for archive entries).
    pub file_path: String,
    /// The SHA-256 recorded when it was imported.
    pub file_sha256: String,
}

/// The result of [`Store::verify`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    /// Plan documents read.
    pub plans: u64,
    /// Task documents read.
    pub tasks: u64,
    /// Every stored file, ordered by path.
    pub files: Vec<StoredFile>,
    /// Every inconsistency found (empty when the index is consistent).
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// Whether no problem was found.
    pub fn is_consistent(&self) -> bool {
        self.problems.is_empty()
    }
}

struct TaskGroup {
    count: u64,
    seqs: BTreeSet<u32>,
    duplicate_seqs: BTreeSet<u32>,
    bad: u64,
}

impl Store {
    /// Reads every plan and task document of the last commit and checks
    /// them against each other: every plan document has exactly as many task
    /// documents as its recorded count, no task document lacks its plan, no
    /// plan is stored twice, each stored record parses, and the recorded
    /// SHA-256 matches the plan id and the plan's `source.sha256` (when the
    /// plan was read from the file itself rather than imported as JSON).
    pub fn verify(&self) -> Result<VerifyReport> {
        let s = self.searcher();
        let f = self.fields;
        let mut report = VerifyReport::default();
        let problem = |kind, id: Option<&str>, path: Option<&str>, detail: String| Problem {
            kind,
            plan_id: id.map(str::to_string),
            file_path: path.map(str::to_string),
            detail,
        };

        // Task documents, grouped by plan id.
        let mut groups: BTreeMap<String, TaskGroup> = BTreeMap::new();
        let mut addrs: Vec<DocAddress> = s
            .search(&*self.kind_query(KIND_TASK), &DocSetCollector)?
            .into_iter()
            .collect();
        addrs.sort();
        for addr in addrs {
            report.tasks += 1;
            let doc: TantivyDocument = s.doc(addr)?;
            let Some(id) = doc.get_first(f.plan_id).and_then(|v| v.as_str()) else {
                report.problems.push(problem(
                    ProblemKind::BadRecord,
                    None,
                    None,
                    "task document without plan id".into(),
                ));
                continue;
            };
            let group = groups.entry(id.to_string()).or_insert(TaskGroup {
                count: 0,
                seqs: BTreeSet::new(),
                duplicate_seqs: BTreeSet::new(),
                bad: 0,
            });
            group.count += 1;
            let task = doc
                .get_first(f.record)
                .and_then(|v| v.as_str())
                .and_then(|r| serde_json::from_str::<Task>(r).ok());
            match task {
                Some(t) => {
                    if !group.seqs.insert(t.seq) {
                        group.duplicate_seqs.insert(t.seq);
                    }
                }
                None => group.bad += 1,
            }
        }

        // Plan documents.
        let mut addrs: Vec<DocAddress> = s
            .search(&*self.kind_query(KIND_PLAN), &DocSetCollector)?
            .into_iter()
            .collect();
        addrs.sort();
        let mut seen_ids: BTreeSet<String> = BTreeSet::new();
        let mut seen_paths: BTreeSet<String> = BTreeSet::new();
        for addr in addrs {
            report.plans += 1;
            let doc: TantivyDocument = s.doc(addr)?;
            let get = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let (Some(id), Some(path), Some(sha)) =
                (get(f.plan_id), get(f.file_path), get(f.file_sha))
            else {
                report.problems.push(problem(
                    ProblemKind::BadRecord,
                    get(f.plan_id).as_deref(),
                    get(f.file_path).as_deref(),
                    "plan document without plan id, file path or SHA-256".into(),
                ));
                continue;
            };
            let (pid, ppath) = (Some(id.as_str()), Some(path.as_str()));
            if !seen_ids.insert(id.clone()) {
                report.problems.push(problem(
                    ProblemKind::DuplicatePlan,
                    pid,
                    ppath,
                    "plan id stored twice".into(),
                ));
            }
            if !seen_paths.insert(path.clone()) {
                report.problems.push(problem(
                    ProblemKind::DuplicatePlan,
                    pid,
                    ppath,
                    "file path stored twice".into(),
                ));
            }
            if plan_id(&sha) != id {
                report.problems.push(problem(
                    ProblemKind::ShaMismatch,
                    pid,
                    ppath,
                    format!("plan id does not match the stored SHA-256 {sha}"),
                ));
            }
            match get(f.record).map(|r| serde_json::from_str::<PlanHead>(&r)) {
                Some(Ok(head)) => {
                    if head.source.path == path && !head.source.sha256.eq_ignore_ascii_case(&sha) {
                        report.problems.push(problem(
                            ProblemKind::ShaMismatch,
                            pid,
                            ppath,
                            format!(
                                "stored SHA-256 {sha} differs from the plan's source.sha256 {}",
                                head.source.sha256
                            ),
                        ));
                    }
                }
                Some(Err(e)) => report.problems.push(problem(
                    ProblemKind::BadRecord,
                    pid,
                    ppath,
                    format!("stored plan record does not parse: {e}"),
                )),
                None => report.problems.push(problem(
                    ProblemKind::BadRecord,
                    pid,
                    ppath,
                    "plan document without its record".into(),
                )),
            }
            let expected = doc.get_first(f.task_count).and_then(|v| v.as_u64());
            let group = groups.get(&id);
            let found = group.map_or(0, |g| g.count);
            if expected != Some(found) {
                report.problems.push(problem(
                    ProblemKind::TaskCount,
                    pid,
                    ppath,
                    format!(
                        "{} task(s) recorded, {found} task document(s) found",
                        expected.map_or_else(|| "no count of".into(), |n| n.to_string())
                    ),
                ));
            }
            if let Some(g) = group {
                if g.bad > 0 {
                    report.problems.push(problem(
                        ProblemKind::BadRecord,
                        pid,
                        ppath,
                        format!("{} task record(s) missing or unreadable", g.bad),
                    ));
                }
                if !g.duplicate_seqs.is_empty() {
                    let seqs: Vec<String> = g.duplicate_seqs.iter().map(u32::to_string).collect();
                    report.problems.push(problem(
                        ProblemKind::DuplicateTask,
                        pid,
                        ppath,
                        format!("task seq stored twice: {}", seqs.join(", ")),
                    ));
                }
            }
            report.files.push(StoredFile {
                id,
                file_path: path,
                file_sha256: sha,
            });
        }
        for (id, g) in &groups {
            if !seen_ids.contains(id) {
                report.problems.push(problem(
                    ProblemKind::OrphanTasks,
                    Some(id),
                    None,
                    format!("{} task document(s) without a plan document", g.count),
                ));
            }
        }
        report
            .files
            .sort_by(|a, b| a.file_path.cmp(&b.file_path).then(a.id.cmp(&b.id)));
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Store, WriterOptions};
    use kehoach_plan::{Format, Meta, Plan, Source, Task, SCHEMA};

    fn plan(path: &str, sha: &str, tasks: u32) -> Plan {
        Plan {
            schema: SCHEMA.into(),
            source: Source {
                path: path.into(),
                sha256: sha.into(),
                format: Format::Text,
                pages: None,
            },
            meta: Meta::default(),
            tasks: (1..=tasks)
                .map(|seq| Task {
                    seq,
                    content: Some(format!("việc {seq}")),
                    ..Task::default()
                })
                .collect(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn a_clean_index_verifies_and_a_mismatch_is_found() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open_or_create(tmp.path()).unwrap();
        let mut w = store.writer(WriterOptions::default()).unwrap();
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        w.add_plan("a.txt", &a, &plan("a.txt", &a, 3)).unwrap();
        w.add_plan("b.txt", &b, &plan("b.txt", &b, 2)).unwrap();
        w.commit().unwrap();
        store.reload().unwrap();
        let r = store.verify().unwrap();
        assert!(r.is_consistent(), "{:?}", r.problems);
        assert_eq!((r.plans, r.tasks, r.files.len()), (2, 5, 2));

        // A plan whose record claims other bytes than the ones stored.
        let c = "c".repeat(64);
        w.add_plan("c.txt", &c, &plan("c.txt", &a, 1)).unwrap();
        w.commit().unwrap();
        store.reload().unwrap();
        let r = store.verify().unwrap();
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert_eq!(r.problems[0].kind, super::ProblemKind::ShaMismatch);
    }
}
