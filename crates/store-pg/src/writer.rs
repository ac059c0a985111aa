//! Importing plans: batches of whole plans, one transaction each, with `COPY`.

use crate::copy::Row;
use crate::error::{Error, Result};
use crate::PgStore;
use kehoach_index::ranking::{due_key, lead_units, lead_words, plan_keys, task_fields};
use kehoach_index::{plan_id, PlanHead, PlanWriter};
use kehoach_plan::Plan;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// A batch is written once it holds this many plans…
const BATCH_PLANS: usize = 500;
/// …or this many tasks.
const BATCH_TASKS: usize = 25_000;

/// The `term_stats` field number of the document count.
const DOCS_FIELD: i16 = -1;

/// The rows of a batch in `COPY` text format, and its statistics.
#[derive(Default)]
struct Batch {
    ids: Vec<String>,
    paths: Vec<String>,
    seen: HashSet<String>,
    plans: String,
    tasks: String,
    targets: String,
    warnings: String,
    task_count: usize,
    /// Changes of `term_stats`.
    stats: StatChanges,
}

/// How many batches are written at once, each by a thread of its own with
/// its own connection, while the next batch is prepared. The server writes
/// a batch on one core; the importer prepares the next on another.
const WRITERS: usize = 2;

/// Changes of `term_stats` by field (the document count's field
/// [`DOCS_FIELD`] and the fields 0–3): word → documents (word '': the
/// field's words, or the documents). Looked up by `&str`, so that a word
/// already counted costs no allocation.
#[derive(Default)]
struct StatChanges {
    by_field: [HashMap<String, i64>; 5],
}

impl StatChanges {
    fn add(&mut self, field: i16, term: &str, n: i64) {
        let Some(map) = usize::try_from(field + 1)
            .ok()
            .and_then(|i| self.by_field.get_mut(i))
        else {
            return;
        };
        match map.get_mut(term) {
            Some(v) => *v += n,
            None => {
                map.insert(term.to_string(), n);
            }
        }
    }

    /// The changes that are not 0, in (field, word) order (the order every
    /// importer updates `term_stats` in, so that they never deadlock).
    fn sorted(&self) -> (Vec<i16>, Vec<&str>, Vec<i64>) {
        let mut fields = Vec::new();
        let mut terms = Vec::new();
        let mut counts = Vec::new();
        for (i, map) in self.by_field.iter().enumerate() {
            let mut rows: Vec<(&str, i64)> = map
                .iter()
                .filter(|(_, n)| **n != 0)
                .map(|(t, n)| (t.as_str(), *n))
                .collect();
            rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (t, n) in rows {
                fields.push(i as i16 - 1);
                terms.push(t);
                counts.push(n);
            }
        }
        (fields, terms, counts)
    }
}

/// Writes plans into the database in batches of whole plans: each batch is
/// one transaction that first removes what was imported from the same
/// paths or with the same ids (so importing again replaces), then copies
/// the plans, tasks, targets and warnings in with `COPY` and updates the
/// search statistics. A killed import leaves the batches committed before
/// it, each whole. Several writers may run at once: a batch holds advisory
/// locks on its plan ids and paths (taken in order) until it commits.
///
/// A full batch is handed to one of [`WRITERS`] background threads and the
/// next one prepared meanwhile; [`PgWriter::flush`] writes what is left and
/// waits until every batch handed over is committed (or reports the first
/// that failed). A batch that shares a plan id or path with one still being
/// written waits for it, so the later bytes of a path always win.
pub struct PgWriter<'a> {
    store: &'a PgStore,
    batch: Batch,
    pipe: Option<Pipe>,
    /// The first error of a batch written in the background, reported by
    /// the next call.
    failed: Option<Error>,
}

/// The background writers: batches go out numbered, results come back.
struct Pipe {
    send: Option<SyncSender<(u64, Batch)>>,
    done: Receiver<(u64, Result<()>)>,
    threads: Vec<JoinHandle<()>>,
    /// The plan ids and paths of each batch handed over and not yet done.
    in_flight: BTreeMap<u64, HashSet<String>>,
    next: u64,
}

impl Pipe {
    fn start(store: &PgStore) -> Result<Pipe> {
        let (send, recv) = mpsc::sync_channel::<(u64, Batch)>(0);
        let recv = Arc::new(Mutex::new(recv));
        let (done_send, done) = mpsc::channel();
        let mut threads = Vec::with_capacity(WRITERS);
        for _ in 0..WRITERS {
            let client = store.owned_conn()?;
            threads.push(spawn_writer(client, Arc::clone(&recv), done_send.clone()));
        }
        Ok(Pipe {
            send: Some(send),
            done,
            threads,
            in_flight: BTreeMap::new(),
            next: 0,
        })
    }

    /// Waits for one batch to be done; its error, if it failed.
    fn wait_one(&mut self) -> Option<Error> {
        match self.done.recv() {
            Ok((n, result)) => {
                self.in_flight.remove(&n);
                result.err()
            }
            Err(_) => {
                self.in_flight.clear();
                Some(Error::Writer("no result of a batch".into()))
            }
        }
    }
}

fn spawn_writer(
    mut client: postgres::Client,
    recv: Arc<Mutex<Receiver<(u64, Batch)>>>,
    done: Sender<(u64, Result<()>)>,
) -> JoinHandle<()> {
    std::thread::spawn(move || loop {
        let next = match recv.lock() {
            Ok(r) => r.recv(),
            Err(_) => return,
        };
        let Ok((n, batch)) = next else {
            return;
        };
        // A panic is reported as the batch's failure: the encoder waits
        // for every batch's result, and must get one.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            write_batch(&mut client, batch)
        }))
        .unwrap_or_else(|_| Err(Error::Writer(format!("writing batch {n} panicked"))));
        if done.send((n, result)).is_err() {
            return;
        }
    })
}

impl Drop for PgWriter<'_> {
    fn drop(&mut self) {
        if let Some(mut pipe) = self.pipe.take() {
            // Batches handed over are finished (each is whole or absent
            // either way); what was not handed over is dropped.
            pipe.send = None;
            for t in pipe.threads.drain(..) {
                let _ = t.join();
            }
        }
    }
}

impl std::fmt::Debug for PgWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgWriter")
            .field("pending_plans", &self.batch.ids.len())
            .finish_non_exhaustive()
    }
}

/// 64-bit FNV-1a: the advisory lock key of a plan id or path.
fn lock_key(kind: u8, s: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in std::iter::once(kind).chain(s.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as i64
}

impl<'a> PgWriter<'a> {
    pub(crate) fn new(store: &'a PgStore) -> Result<PgWriter<'a>> {
        Ok(PgWriter {
            store,
            batch: Batch::default(),
            pipe: None,
            failed: None,
        })
    }

    /// The first background failure, if any (taken: reported once).
    fn check(&mut self) -> Result<()> {
        match self.failed.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Hands the batch to a background writer (after any batch sharing one
    /// of its ids or paths is done) and starts a new one.
    fn hand_off(&mut self) -> Result<()> {
        if self.batch.ids.is_empty() {
            return Ok(());
        }
        if self.pipe.is_none() {
            self.pipe = Some(Pipe::start(self.store)?);
        }
        let batch = std::mem::take(&mut self.batch);
        let Some(pipe) = self.pipe.as_mut() else {
            return Ok(());
        };
        while pipe.in_flight.values().any(|k| !k.is_disjoint(&batch.seen)) {
            if let Some(e) = pipe.wait_one() {
                self.failed.get_or_insert(e);
            }
        }
        let n = pipe.next;
        pipe.next += 1;
        pipe.in_flight.insert(n, batch.seen.clone());
        let sent = pipe
            .send
            .as_ref()
            .is_some_and(|s| s.send((n, batch)).is_ok());
        if !sent {
            pipe.in_flight.remove(&n);
            return Err(Error::Writer("a batch could not be handed over".into()));
        }
        Ok(())
    }

    /// Adds a plan to the batch (written when the batch is full, or at
    /// [`PgWriter::flush`]). Returns the plan id.
    pub fn add(&mut self, file_path: &str, file_sha256: &str, plan: &Plan) -> Result<String> {
        self.check()?;
        let id = plan_id(file_sha256);
        // A batch holds each id and path once: a repeat goes into the next batch.
        if self.batch.seen.contains(&format!("i{id}"))
            || self.batch.seen.contains(&format!("p{file_path}"))
        {
            self.hand_off()?;
        }
        self.batch.seen.insert(format!("i{id}"));
        self.batch.seen.insert(format!("p{file_path}"));
        self.encode(&id, file_path, file_sha256, plan)?;
        if self.batch.ids.len() >= BATCH_PLANS || self.batch.task_count >= BATCH_TASKS {
            self.hand_off()?;
        }
        Ok(id)
    }

    fn encode(&mut self, id: &str, file_path: &str, sha: &str, plan: &Plan) -> Result<()> {
        let b = &mut self.batch;
        let head = PlanHead::of(plan);
        let head_json = pg_json(&head).map_err(|e| Error::Corrupt(format!("{file_path}: {e}")))?;
        let keys = plan_keys(plan);
        let m = &plan.meta;
        let date = m
            .date
            .as_deref()
            .and_then(kehoach_plan::date::Date::parse_iso)
            .map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day));
        let mut r = Row::new(std::mem::take(&mut b.plans));
        r.text(id)
            .text(file_path)
            .text(sha)
            .num(plan.tasks.len())
            .text(&plan.schema)
            .text(plan.source.format.as_str())
            .opt(m.doc_type.as_deref())
            .opt(m.number.as_deref())
            .opt(keys.issuer.as_deref())
            .opt(keys.issuer_code.as_deref())
            .opt(keys.place.as_deref())
            .opt(date.as_deref())
            .opt_num(m.year)
            .opt(m.title.as_deref())
            .array(&keys.issuer_words)
            .text(&head_json);
        b.plans = r.end();
        b.stats.add(DOCS_FIELD, "", 1 + plan.tasks.len() as i64);

        for task in &plan.tasks {
            let json = pg_json(task).map_err(|e| Error::Corrupt(format!("{file_path}: {e}")))?;
            let fields = task_fields(task);
            let units = lead_units(task);
            let lead = lead_words(&units);
            // Every distinct word of the four fields, sorted.
            let mut words: Vec<&str> = Vec::new();
            for (i, f) in fields.iter().enumerate() {
                let mut distinct: Vec<&str> = f
                    .words
                    .iter()
                    .map(String::as_str)
                    .filter(|w| !w.is_empty())
                    .collect();
                distinct.sort_unstable();
                distinct.dedup();
                for w in &distinct {
                    b.stats.add(i as i16, w, 1);
                }
                b.stats.add(i as i16, "", i64::from(f.len));
                words.extend(distinct);
            }
            words.sort_unstable();
            words.dedup();
            let due_by = due_key(task)
                .map(|k| format!("{:04}-{:02}-{:02}", k / 10_000, k / 100 % 100, k % 100));
            let mut r = Row::new(std::mem::take(&mut b.tasks));
            r.text(id)
                .num(task.seq)
                .opt(task.number.as_deref())
                .opt(task.section.as_deref())
                .num(task.level)
                .opt_num(task.parent)
                .opt(task.content.as_deref())
                .opt(task.lead.as_deref())
                .opt(task.support.as_deref())
                .opt(task.deadline.as_deref())
                .opt(task.product.as_deref())
                .array(&task.lead_units)
                .array(&task.support_units)
                .opt(task.due.as_ref().map(|d| d.kind.as_str()))
                .opt(due_by.as_deref())
                .num(task.targets.len())
                .text(&json)
                .array(&units)
                .array(&lead);
            for f in &fields {
                r.array(&f.words);
            }
            for f in &fields {
                r.num(f.norm_id());
            }
            r.array(&words);
            b.tasks = r.end();
            for (idx, t) in task.targets.iter().enumerate() {
                let mut r = Row::new(std::mem::take(&mut b.targets));
                r.text(id)
                    .num(task.seq)
                    .num(idx)
                    .text(&t.metric)
                    .text(t.op.as_str())
                    .num(if t.value.is_finite() { t.value } else { 0.0 })
                    .text(&t.unit)
                    .text(&t.text);
                b.targets = r.end();
            }
            b.task_count += 1;
        }
        for (idx, w) in plan.warnings.iter().enumerate() {
            let code = serde_json::to_value(w.code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let mut r = Row::new(std::mem::take(&mut b.warnings));
            r.text(id)
                .num(idx)
                .text(&code)
                .text(&w.message)
                .opt_num(w.seq);
            b.warnings = r.end();
        }
        b.ids.push(id.to_string());
        b.paths.push(file_path.to_string());
        Ok(())
    }

    /// Writes the batch and waits until every batch handed over before is
    /// committed: when it returns `Ok`, every plan added is in the database.
    /// The first batch that failed is reported.
    pub fn flush(&mut self) -> Result<()> {
        self.hand_off()?;
        if let Some(pipe) = self.pipe.as_mut() {
            while !pipe.in_flight.is_empty() {
                if let Some(e) = pipe.wait_one() {
                    self.failed.get_or_insert(e);
                }
            }
        }
        self.check()
    }
}

/// `value` as JSON that a `jsonb` column takes: PostgreSQL refuses the
/// escape `\u0000` (text cannot hold NUL), so NUL characters, which a
/// reader may leave in a text (a PDF font mapping a glyph to U+0000), are
/// dropped from every string, as they are from the text columns.
fn pg_json<T: serde::Serialize>(value: &T) -> serde_json::Result<String> {
    let json = serde_json::to_string(value)?;
    if !json.contains("\\u0000") {
        return Ok(json);
    }
    let mut v = serde_json::to_value(value)?;
    drop_nul(&mut v);
    serde_json::to_string(&v)
}

/// Removes NUL characters from every string (and key) of `v`.
fn drop_nul(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => s.retain(|c| c != '\0'),
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_nul),
        serde_json::Value::Object(map) => {
            let entries = std::mem::take(map);
            for (mut k, mut item) in entries {
                k.retain(|c| c != '\0');
                drop_nul(&mut item);
                map.insert(k, item);
            }
        }
        _ => {}
    }
}

/// Writes one batch: one transaction.
fn write_batch(c: &mut postgres::Client, mut batch: Batch) -> Result<()> {
    let mut tx = c
        .transaction()
        .map_err(Error::db("starting an import batch"))?;
    // Locks on every id and path of the batch, in one order for every importer.
    let mut keys: Vec<i64> = batch
        .ids
        .iter()
        .map(|i| lock_key(b'i', i))
        .chain(batch.paths.iter().map(|p| lock_key(b'p', p)))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    tx.query(
        "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT k FROM unnest($1::bigint[]) \
         WITH ORDINALITY AS u(k, n) ORDER BY n) s",
        &[&keys],
    )
    .map_err(Error::db("locking the plans of a batch"))?;
    // What this batch replaces.
    let old: Vec<String> = tx
        .query(
            "SELECT id FROM plans WHERE id = ANY($1) OR file_path = ANY($2)",
            &[&batch.ids, &batch.paths],
        )
        .map_err(Error::db("looking up replaced plans"))?
        .into_iter()
        .map(|r| r.get(0))
        .collect();
    if !old.is_empty() {
        let rows = tx
            .query(OLD_STATS, &[&old])
            .map_err(Error::db("reading the statistics of replaced plans"))?;
        for row in rows {
            let field: i16 = row.get(0);
            let term: String = row.get(1);
            let n: i64 = row.get(2);
            batch.stats.add(field, &term, -n);
        }
        tx.execute("DELETE FROM plans WHERE id = ANY($1)", &[&old])
            .map_err(Error::db("removing replaced plans"))?;
    }
    for (table, columns, data) in [
        ("plans", PLAN_COLUMNS, &batch.plans),
        ("tasks", TASK_COLUMNS, &batch.tasks),
        ("targets", TARGET_COLUMNS, &batch.targets),
        ("warnings", WARNING_COLUMNS, &batch.warnings),
    ] {
        if data.is_empty() {
            continue;
        }
        let what = format!("copying {table}");
        let mut w = tx
            .copy_in(&format!("COPY {table} ({columns}) FROM STDIN"))
            .map_err(Error::db(&what))?;
        w.write_all(data.as_bytes())
            .map_err(|e| Error::Schema(format!("{what}: {e}")))?;
        w.finish().map_err(Error::db(&what))?;
    }
    let (fields, terms, counts) = batch.stats.sorted();
    // In (field, word) order for every importer: no deadlocks.
    tx.execute(
        "INSERT INTO term_stats (field, term, n) \
         SELECT f, t, n FROM unnest($1::smallint[], $2::text[], $3::bigint[]) \
         WITH ORDINALITY AS u(f, t, n, o) ORDER BY o \
         ON CONFLICT (field, term) DO UPDATE SET n = term_stats.n + EXCLUDED.n",
        &[&fields, &terms, &counts],
    )
    .map_err(Error::db("updating the search statistics"))?;
    tx.commit()
        .map_err(Error::db("committing an import batch"))?;
    Ok(())
}

/// The statistics of plans about to be replaced (to subtract).
const OLD_STATS: &str = "
    WITH t AS (SELECT * FROM tasks WHERE plan_id = ANY($1))
    SELECT f, w, count(*)::bigint FROM (
        SELECT 0::smallint AS f, w FROM t, LATERAL (SELECT DISTINCT x FROM unnest(t.w_text_exact) x WHERE x <> '') d(w)
        UNION ALL SELECT 1::smallint, w FROM t, LATERAL (SELECT DISTINCT x FROM unnest(t.w_text_fold) x WHERE x <> '') d(w)
        UNION ALL SELECT 2::smallint, w FROM t, LATERAL (SELECT DISTINCT x FROM unnest(t.w_more_exact) x WHERE x <> '') d(w)
        UNION ALL SELECT 3::smallint, w FROM t, LATERAL (SELECT DISTINCT x FROM unnest(t.w_more_fold) x WHERE x <> '') d(w)
    ) s GROUP BY f, w
    UNION ALL SELECT 0::smallint, '', coalesce(sum(cardinality(array_remove(w_text_exact, ''))), 0)::bigint FROM t
    UNION ALL SELECT 1::smallint, '', coalesce(sum(cardinality(array_remove(w_text_fold, ''))), 0)::bigint FROM t
    UNION ALL SELECT 2::smallint, '', coalesce(sum(cardinality(array_remove(w_more_exact, ''))), 0)::bigint FROM t
    UNION ALL SELECT 3::smallint, '', coalesce(sum(cardinality(array_remove(w_more_fold, ''))), 0)::bigint FROM t
    UNION ALL SELECT -1::smallint, '', ((SELECT count(*) FROM t) + cardinality($1))::bigint";

const PLAN_COLUMNS: &str = "id, file_path, file_sha256, task_count, schema, format, doc_type, \
    number, issuer, issuer_code, place, date, year, title, issuer_words, record";
const TASK_COLUMNS: &str = "plan_id, seq, number, section, level, parent, content, lead, support, \
    deadline, product, lead_units, support_units, due_kind, due_by, target_count, record, \
    lead_facets, lead_words, w_text_exact, w_text_fold, w_more_exact, w_more_fold, \
    n_text_exact, n_text_fold, n_more_exact, n_more_fold, words";
const TARGET_COLUMNS: &str = "plan_id, seq, idx, metric, op, value, unit, text";
const WARNING_COLUMNS: &str = "plan_id, idx, code, message, seq";

impl PlanWriter for PgWriter<'_> {
    fn add_plan(
        &mut self,
        file_path: &str,
        file_sha256: &str,
        plan: &Plan,
    ) -> kehoach_index::Result<String> {
        Ok(self.add(file_path, file_sha256, plan)?)
    }

    fn pending_docs(&self) -> u64 {
        (self.batch.ids.len() + self.batch.task_count) as u64
    }

    fn commit(&mut self) -> kehoach_index::Result<()> {
        Ok(self.flush()?)
    }

    fn finish(mut self: Box<Self>) -> kehoach_index::Result<()> {
        Ok(self.flush()?)
    }
}
