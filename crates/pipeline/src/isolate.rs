//! Per-document isolation: a time budget and contained panics.
//!
//! Every document a batch reads (a file, or an entry of a zip
//! archive) goes through [`isolated`]: its work runs on a reader thread of
//! its own (with a large stack, under `catch_unwind`), and the caller — a
//! worker of the extraction pool — waits for it at most
//! [`Limits::time_budget`], plus [`Limits::time_per_ocr_page`] for every page
//! the reader finds it has to recognise (a long scan is not a stuck reader:
//! the [`Deadline`] grows when the reader knows how many pages it will read
//! by OCR). When the budget runs out the document is
//! reported as "timed out" and the batch continues; the reader thread is
//! abandoned: it keeps running until it ends on its own (the readers' own
//! limits bound its work) and its result is discarded. Inside the reader
//! thread the pipeline also checks the deadline between stages (reading,
//! checking, extracting), so a slow reader does not go on to extract.

use crate::{Failure, FailureKind, Limits};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// When one document's time runs out: the time budget from its start,
/// which the reader may extend (by the OCR time of its pages). Cloned
/// handles share the same deadline.
#[derive(Debug, Clone)]
pub struct Deadline {
    start: Instant,
    /// The budget in milliseconds from `start`.
    budget_ms: Arc<AtomicU64>,
}

impl Deadline {
    /// A deadline `budget` after now.
    pub fn after(budget: Duration) -> Deadline {
        Deadline {
            start: Instant::now(),
            budget_ms: Arc::new(AtomicU64::new(millis(budget))),
        }
    }

    /// Gives the document `more` time.
    pub fn extend(&self, more: Duration) {
        self.budget_ms.fetch_add(millis(more), Ordering::Relaxed);
    }

    /// The whole budget so far.
    pub fn budget(&self) -> Duration {
        Duration::from_millis(self.budget_ms.load(Ordering::Relaxed))
    }

    /// Time left (zero once passed).
    pub fn remaining(&self) -> Duration {
        self.budget().saturating_sub(self.start.elapsed())
    }

    /// Whether the deadline has passed.
    pub fn passed(&self) -> bool {
        self.remaining().is_zero()
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX / 4)
}

/// Stack of a reader thread: deeply nested input recurses in parsers.
const READER_STACK: usize = 64 << 20;

thread_local! {
    /// Set on reader threads, so that a reader's panic is reported as a failed file, quietly.
    static IN_READER: Cell<bool> = const { Cell::new(false) };
}

/// Installs a panic hook that stays silent for panics on reader threads
/// (they become failure reasons) and reports every other panic as before.
pub fn install_quiet_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_READER.with(Cell::get) {
                default(info);
            }
        }));
    });
}

/// The message of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// The "timed out" failure, after a budget of `budget`.
pub(crate) fn timed_out(budget: Duration) -> Failure {
    Failure::new(
        FailureKind::TimedOut,
        format!(
            "timed out: not read within the time budget of {:.1} s; skipped",
            budget.as_secs_f64()
        ),
    )
}

/// Runs `work` for one document in isolation: on its own thread, with
/// panics contained, for at most [`Limits::time_budget`] (which `work` may
/// extend through the [`Deadline`] it gets, and checks between its stages).
pub fn isolated<T, F>(limits: &Limits, work: F) -> Result<T, Failure>
where
    T: Send + 'static,
    F: FnOnce(Deadline) -> Result<T, Failure> + Send + 'static,
{
    let deadline = Deadline::after(limits.time_budget);
    let waiting = deadline.clone();
    let (tx, rx) = sync_channel::<Result<T, Failure>>(1);
    let spawned = std::thread::Builder::new()
        .name("kehoach-reader".into())
        .stack_size(READER_STACK)
        .spawn(move || {
            IN_READER.with(|f| f.set(true));
            let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(deadline)));
            let res = res.unwrap_or_else(|payload| {
                Err(Failure::new(
                    FailureKind::Panic,
                    format!(
                        "the reader failed unexpectedly: {}",
                        panic_message(&*payload)
                    ),
                ))
            });
            // The waiting side is gone when the document timed out: the result is discarded.
            let _ = tx.send(res);
        });
    if let Err(e) = spawned {
        return Err(Failure::new(
            FailureKind::Io,
            format!("cannot start a reader thread: {e}"),
        ));
    }
    loop {
        match rx.recv_timeout(waiting.remaining()) {
            Ok(res) => return res,
            // The reader may have been given more time meanwhile.
            Err(RecvTimeoutError::Timeout) if waiting.passed() => {
                return Err(timed_out(waiting.budget()))
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err(Failure::new(
                    FailureKind::Panic,
                    "the reader failed unexpectedly",
                ))
            }
        }
    }
}

/// Fails with "timed out" once `deadline` has passed (checked between stages).
pub fn check_deadline(deadline: &Deadline) -> Result<(), Failure> {
    if deadline.passed() {
        Err(timed_out(deadline.budget()))
    } else {
        Ok(())
    }
}

/// Reads `bytes` (named `name`, with their SHA-256) into a plan, in
/// isolation and under `limits`: a reader's panic, a limit or the time
/// budget fails only this document.
pub fn plan_from_bytes_isolated(
    name: &str,
    bytes: Vec<u8>,
    sha256: String,
    limits: &Limits,
) -> Result<kehoach_plan::Plan, Failure> {
    let name = name.to_string();
    let lim = limits.clone();
    isolated(limits, move |deadline| {
        crate::read::plan_from_bytes_with(&name, &bytes, &sha256, &lim, Some(&deadline))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn panics_become_failures() {
        install_quiet_panic_hook();
        let res: Result<(), Failure> = isolated(&Limits::default(), |_| panic!("boom"));
        let err = res.expect_err("a panic fails");
        assert_eq!(err.kind, FailureKind::Panic);
        assert_eq!(err.reason, "the reader failed unexpectedly: boom");
    }

    #[test]
    fn slow_work_times_out_and_the_caller_goes_on() {
        let limits = Limits {
            time_budget: Duration::from_millis(50),
            ..Limits::default()
        };
        let start = Instant::now();
        let res: Result<(), Failure> = isolated(&limits, |_| {
            std::thread::sleep(Duration::from_secs(3));
            Ok(())
        });
        let err = res.expect_err("too slow");
        assert_eq!(err.kind, FailureKind::TimedOut);
        assert!(err.reason.starts_with("timed out"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn a_reader_given_more_time_is_waited_for() {
        let limits = Limits {
            time_budget: Duration::from_millis(100),
            ..Limits::default()
        };
        // Past the first budget, within the extended one.
        let res = isolated(&limits, |deadline| {
            deadline.extend(Duration::from_secs(5));
            std::thread::sleep(Duration::from_millis(400));
            check_deadline(&deadline).map(|()| 7)
        });
        assert_eq!(res.ok(), Some(7));
        // Not extended: the same work times out, naming the budget.
        let res = isolated(&limits, |deadline| {
            std::thread::sleep(Duration::from_millis(400));
            check_deadline(&deadline).map(|()| 7)
        });
        let err = res.expect_err("too slow");
        assert_eq!(err.kind, FailureKind::TimedOut);
        assert!(err.reason.contains("0.1 s"), "{err}");
    }

    #[test]
    fn deep_recursion_has_room() {
        fn depth(n: u32) -> u32 {
            let pad = [n as u8; 512];
            if n == 0 {
                u32::from(pad[7])
            } else {
                depth(n - 1) + u32::from(std::hint::black_box(pad)[3] & 1)
            }
        }
        let res = isolated(&Limits::default(), |_| Ok(depth(20_000)));
        assert!(res.is_ok());
    }
}
