//! Many documents in parallel, results in input order, memory bounded.
//!
//! A [`Batch`] starts worker threads that take the inputs in order; each
//! document is read in isolation ([`crate::isolated`]), so a panic, a limit
//! or the time budget fails that document alone. The results come back
//! through an iterator in input order. Workers never run more than
//! [`BatchOptions::window`] documents ahead of the consumer, so memory stays
//! flat however many inputs there are; dropping the iterator stops the
//! workers after the documents they hold, without waiting for them.

use crate::{plan_from_bytes_isolated, read_file, sha256_hex, Error, Failure, FailureKind, Limits};
use kehoach_plan::Plan;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Condvar, Mutex};

/// One input of a batch.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file, read by the worker that takes it.
    Path(PathBuf),
    /// Bytes in memory, with the name for messages and provenance.
    Bytes {
        /// The document's name (`source.path` of its plan).
        name: String,
        /// Its content.
        bytes: Vec<u8>,
    },
}

impl Input {
    /// The name results and messages carry.
    pub fn name(&self) -> String {
        match self {
            Input::Path(p) => p.display().to_string(),
            Input::Bytes { name, .. } => name.clone(),
        }
    }
}

impl Input {
    /// The input's bytes: the file read, or the bytes given; either at most
    /// [`Limits::max_file_bytes`].
    pub fn into_bytes(self, limits: &Limits) -> Result<Vec<u8>, Failure> {
        match self {
            Input::Path(p) => read_file(&p, limits),
            Input::Bytes { bytes, .. } if bytes.len() as u64 > limits.max_file_bytes => {
                Err(Failure::new(
                    FailureKind::Limit,
                    format!("file too large (limit {} bytes)", limits.max_file_bytes),
                ))
            }
            Input::Bytes { bytes, .. } => Ok(bytes),
        }
    }
}

impl From<PathBuf> for Input {
    fn from(p: PathBuf) -> Input {
        Input::Path(p)
    }
}

/// How a batch runs (the default: default limits, one worker per core, a
/// window of 8 documents per worker, every input read).
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// The limits and time budget of each document.
    pub limits: Limits,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Most documents in flight or waiting to be consumed (0: 8 per worker).
    pub window: usize,
    /// Read each distinct content once: a later input with the same bytes as
    /// an earlier one becomes [`Outcome::Duplicate`] of the earliest.
    pub read_once: bool,
}

/// What became of one input.
#[derive(Debug)]
pub enum Outcome {
    /// The plan read from it.
    Plan(Box<Plan>),
    /// Why it could not be read.
    Failed(Failure),
    /// The same bytes as the input at this (earlier) index, which is read instead.
    Duplicate(usize),
}

/// One result of a batch, in input order.
#[derive(Debug)]
pub struct Extracted {
    /// The input's position.
    pub index: usize,
    /// The input's name (a path as given, or the name given with bytes).
    pub name: String,
    /// The SHA-256 of its bytes (none when they could not be read).
    pub sha256: Option<String>,
    /// What became of it.
    pub outcome: Outcome,
}

impl Extracted {
    /// The plan, or the failure (a duplicate is a failure of kind
    /// [`FailureKind::Reader`] naming the index it repeats; it only occurs
    /// with [`BatchOptions::read_once`]).
    pub fn into_result(self) -> Result<Plan, Failure> {
        match self.outcome {
            Outcome::Plan(p) => Ok(*p),
            Outcome::Failed(f) => Err(f),
            Outcome::Duplicate(i) => Err(Failure::new(
                FailureKind::Reader,
                format!("same bytes as input #{i}; read once"),
            )),
        }
    }
}

/// The state workers and the consumer share.
struct Shared {
    inputs: Vec<Mutex<Option<Input>>>,
    next: AtomicUsize,
    /// How many results the consumer has taken.
    consumed: Mutex<usize>,
    room: Condvar,
    stop: AtomicBool,
    window: usize,
    /// For `read_once`: the lowest input index seen so far for each content.
    claims: Mutex<HashMap<String, usize>>,
}

/// A running batch: iterate it for the results, in input order.
pub struct Batch {
    shared: Arc<Shared>,
    rx: Receiver<Extracted>,
    pending: BTreeMap<usize, Extracted>,
    expect: usize,
    total: usize,
    read_once: bool,
    /// For `read_once`: the first index of each content, in input order.
    first: HashMap<String, usize>,
}

impl Batch {
    /// Starts reading `inputs` with `opts`.
    pub fn start(inputs: Vec<Input>, opts: &BatchOptions) -> Result<Batch, Error> {
        let threads = if opts.threads == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            opts.threads
        }
        .min(inputs.len().max(1));
        let window = if opts.window == 0 {
            threads * 8
        } else {
            opts.window.max(threads)
        };
        let total = inputs.len();
        let shared = Arc::new(Shared {
            inputs: inputs.into_iter().map(|i| Mutex::new(Some(i))).collect(),
            next: AtomicUsize::new(0),
            consumed: Mutex::new(0),
            room: Condvar::new(),
            stop: AtomicBool::new(false),
            window,
            claims: Mutex::new(HashMap::new()),
        });
        let (tx, rx) = sync_channel::<Extracted>(window);
        for k in 0..threads {
            let mine = Arc::clone(&shared);
            let tx = tx.clone();
            let limits = opts.limits.clone();
            let read_once = opts.read_once;
            let spawned = std::thread::Builder::new()
                .name(format!("kehoach-extract-{k}"))
                .spawn(move || work(&mine, &tx, &limits, read_once));
            match spawned {
                // Workers are not joined: each ends after its document once
                // the batch is consumed or dropped.
                Ok(_) => {}
                Err(e) => {
                    shared.stop.store(true, Ordering::SeqCst);
                    shared.room.notify_all();
                    return Err(Error::Threads(e.to_string()));
                }
            }
        }
        Ok(Batch {
            shared,
            rx,
            pending: BTreeMap::new(),
            expect: 0,
            total,
            read_once: opts.read_once,
            first: HashMap::new(),
        })
    }

    /// How many inputs the batch has.
    pub fn len(&self) -> usize {
        self.total
    }

    /// Whether the batch has no inputs.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn work(
    shared: &Shared,
    tx: &std::sync::mpsc::SyncSender<Extracted>,
    limits: &Limits,
    read_once: bool,
) {
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let i = shared.next.fetch_add(1, Ordering::SeqCst);
        let Some(slot) = shared.inputs.get(i) else {
            return;
        };
        // Not more than `window` documents ahead of the consumer.
        {
            let mut consumed = lock(&shared.consumed);
            while i >= *consumed + shared.window && !shared.stop.load(Ordering::SeqCst) {
                consumed = shared
                    .room
                    .wait(consumed)
                    .unwrap_or_else(|e| e.into_inner());
            }
        }
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let Some(input) = lock(slot).take() else {
            continue;
        };
        let done = one(i, input, shared, limits, read_once);
        if tx.send(done).is_err() {
            return;
        }
    }
}

/// Reads input `i`.
fn one(i: usize, input: Input, shared: &Shared, limits: &Limits, read_once: bool) -> Extracted {
    let name = input.name();
    let bytes = match input.into_bytes(limits) {
        Ok(b) => b,
        Err(f) => {
            return Extracted {
                index: i,
                name,
                sha256: None,
                outcome: Outcome::Failed(f),
            }
        }
    };
    let sha = sha256_hex(&bytes);
    if read_once {
        let earlier = {
            let mut c = lock(&shared.claims);
            let slot = c.entry(sha.clone()).or_insert(i);
            let earlier = (*slot < i).then_some(*slot);
            *slot = (*slot).min(i);
            earlier
        };
        if let Some(j) = earlier {
            return Extracted {
                index: i,
                name,
                sha256: Some(sha),
                outcome: Outcome::Duplicate(j),
            };
        }
    }
    let outcome = match plan_from_bytes_isolated(&name, bytes, sha.clone(), limits) {
        Ok(p) => Outcome::Plan(Box::new(p)),
        Err(f) => Outcome::Failed(f),
    };
    Extracted {
        index: i,
        name,
        sha256: Some(sha),
        outcome,
    }
}

impl Iterator for Batch {
    type Item = Extracted;

    fn next(&mut self) -> Option<Extracted> {
        if self.expect >= self.total {
            return None;
        }
        let mut got = loop {
            if let Some(e) = self.pending.remove(&self.expect) {
                break e;
            }
            match self.rx.recv() {
                Ok(e) => {
                    self.pending.insert(e.index, e);
                }
                // Every worker has ended and the result is not there: it
                // cannot come any more (a worker thread died).
                Err(_) => {
                    let name = lock(&self.shared.inputs[self.expect])
                        .as_ref()
                        .map_or_else(|| format!("input #{}", self.expect), Input::name);
                    break Extracted {
                        index: self.expect,
                        name,
                        sha256: None,
                        outcome: Outcome::Failed(Failure::new(
                            FailureKind::Panic,
                            "the extraction worker ended unexpectedly",
                        )),
                    };
                }
            }
        };
        if self.read_once {
            // A later input may have been read before an earlier one with
            // the same bytes claimed them: the earliest one wins.
            if let Some(sha) = &got.sha256 {
                let owner = *self.first.entry(sha.clone()).or_insert(got.index);
                if owner < got.index {
                    got.outcome = Outcome::Duplicate(owner);
                }
            }
        }
        self.expect += 1;
        *lock(&self.shared.consumed) = self.expect;
        self.shared.room.notify_all();
        Some(got)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.total - self.expect;
        (left, Some(left))
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        // Waiting workers wake up and end; the receiver goes with the batch,
        // so a worker sending its result gets an error and ends too. A
        // worker reading a document ends after it (its limits bound it).
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.room.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: usize) -> Vec<u8> {
        format!(
            "ỦY BAN NHÂN DÂN\nSố: {n}/KH-UBND\nKẾ HOẠCH\nKiểm tra số {n}\n\n| STT | Nội dung | Chủ trì | Thời gian |\n| 1 | Việc số {n} | Sở Y tế | Quý I/2024 |\n"
        )
        .into_bytes()
    }

    fn inputs(n: usize) -> Vec<Input> {
        (0..n)
            .map(|i| Input::Bytes {
                name: format!("plan-{i}.txt"),
                bytes: text(i),
            })
            .collect()
    }

    #[test]
    fn results_come_in_input_order() {
        let opts = BatchOptions {
            threads: 3,
            window: 4,
            ..BatchOptions::default()
        };
        let got: Vec<Extracted> = Batch::start(inputs(40), &opts).expect("start").collect();
        assert_eq!(got.len(), 40);
        for (i, e) in got.into_iter().enumerate() {
            assert_eq!(e.index, i);
            assert_eq!(e.name, format!("plan-{i}.txt"));
            let plan = e.into_result().expect("a plan");
            assert_eq!(plan.source.path, format!("plan-{i}.txt"));
            assert_eq!(
                plan.meta.number.as_deref(),
                Some(format!("{i}/KH-UBND").as_str())
            );
        }
    }

    #[test]
    fn a_bad_input_fails_alone() {
        let mut ins = inputs(5);
        ins[2] = Input::Path(PathBuf::from("/nonexistent/kehoach/plan.txt"));
        ins[3] = Input::Bytes {
            name: "broken.docx".into(),
            bytes: b"PK\x03\x04garbage".to_vec(),
        };
        let got: Vec<Extracted> = Batch::start(ins, &BatchOptions::default())
            .expect("start")
            .collect();
        let kinds: Vec<Option<FailureKind>> = got
            .iter()
            .map(|e| match &e.outcome {
                Outcome::Failed(f) => Some(f.kind),
                _ => None,
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                None,
                None,
                Some(FailureKind::Io),
                Some(FailureKind::Reader),
                None
            ]
        );
    }

    #[test]
    fn read_once_names_the_earliest() {
        let mut ins = inputs(6);
        ins[4] = Input::Bytes {
            name: "again.txt".into(),
            bytes: text(1),
        };
        let opts = BatchOptions {
            read_once: true,
            threads: 4,
            ..BatchOptions::default()
        };
        let got: Vec<Extracted> = Batch::start(ins, &opts).expect("start").collect();
        assert!(matches!(got[4].outcome, Outcome::Duplicate(1)));
        assert!(matches!(got[1].outcome, Outcome::Plan(_)));
    }

    #[test]
    fn dropping_the_iterator_stops_the_workers() {
        let mut batch = Batch::start(inputs(200), &BatchOptions::default()).expect("start");
        assert!(batch.next().is_some());
        drop(batch);
    }
}
