//! Per-file isolation for batch commands: limits, a time budget, contained panics.
//!
//! Every document a batch command reads (a file, or an entry of a zip
//! archive) goes through [`isolated`]: its work runs on a reader thread of
//! its own (with a large stack, under `catch_unwind`), and the caller — a
//! worker of the extraction pool — waits for it at most
//! [`Limits::time_budget`]. When the budget runs out the document is
//! reported as "timed out" and the batch continues; the reader thread is
//! abandoned: it keeps running until it ends on its own (the readers' own
//! limits bound its work) and its result is discarded. Inside the reader
//! thread the pipeline also checks the deadline between stages (reading,
//! checking, extracting), so a slow reader does not go on to extract.
//!
//! Sizes are checked before anything is parsed ([`Limits::max_file_bytes`],
//! [`Limits::max_text_bytes`], zip entries against
//! [`Limits::max_entry_bytes`], [`Limits::max_ratio`] and
//! [`Limits::max_archive_bytes`]); the document a reader returns is checked
//! against [`Limits::max_pages`], [`Limits::max_rows`],
//! [`Limits::max_cells`] and [`Limits::max_cell_bytes`] before extraction.
//! Every failure is a message for that one document.

use std::cell::Cell;
use std::io::Read;
use std::path::Path;
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::time::{Duration, Instant};

use kehoach_doc::{Block, Document};

/// Stack of a reader thread: deeply nested input recurses in parsers.
const READER_STACK: usize = 64 << 20;

/// Bounds on the work one input document may cause.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest input file read (bytes).
    pub max_file_bytes: u64,
    /// Largest text-format document (bytes); plans exported as text are far smaller.
    pub max_text_bytes: u64,
    /// Largest archive entry, uncompressed (bytes).
    pub max_entry_bytes: u64,
    /// Most bytes all entries of one archive may expand to together.
    pub max_archive_bytes: u64,
    /// Highest expansion ratio (uncompressed / compressed) of an archive
    /// entry larger than [`Limits::ratio_floor`].
    pub max_ratio: u64,
    /// Entries up to this size (bytes) are not checked for their ratio.
    pub ratio_floor: u64,
    /// Most pages per document.
    pub max_pages: usize,
    /// Most table rows per document.
    pub max_rows: usize,
    /// Most table cells per document.
    pub max_cells: usize,
    /// Most bytes of text in one table cell.
    pub max_cell_bytes: usize,
    /// Wall-clock time one document may take (reading and extraction).
    pub time_budget: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 << 20,
            max_text_bytes: 32 << 20,
            max_entry_bytes: 256 << 20,
            max_archive_bytes: 1 << 30,
            max_ratio: 100,
            ratio_floor: 1 << 20,
            max_pages: 2_000,
            max_rows: 50_000,
            max_cells: 1_000_000,
            max_cell_bytes: 256 << 10,
            time_budget: Duration::from_secs(120),
        }
    }
}

impl Limits {
    /// The PDF reader's limits, with this page limit.
    pub fn pdf(&self) -> kehoach_read_pdf::Limits {
        kehoach_read_pdf::Limits {
            max_pages: self.max_pages,
            ..kehoach_read_pdf::Limits::default()
        }
    }

    /// Checks what a reader returned before it is extracted.
    pub fn check_document(&self, doc: &Document) -> Result<(), String> {
        let pages = doc
            .page_count
            .map_or(doc.pages.len(), |n| n as usize)
            .max(doc.pages.len());
        if pages > self.max_pages {
            return Err(format!(
                "too many pages ({pages}, limit {})",
                self.max_pages
            ));
        }
        let (mut rows, mut cells) = (0usize, 0usize);
        for block in doc.blocks() {
            let Block::Table(table) = block else {
                continue;
            };
            rows += table.rows.len();
            if rows > self.max_rows {
                return Err(format!(
                    "too many table rows (more than {}, the limit)",
                    self.max_rows
                ));
            }
            for row in &table.rows {
                cells += row.cells.len();
                if let Some(big) = row
                    .cells
                    .iter()
                    .find(|c| c.text.len() > self.max_cell_bytes)
                {
                    return Err(format!(
                        "table cell too large ({} bytes of text, limit {})",
                        big.text.len(),
                        self.max_cell_bytes
                    ));
                }
            }
            if cells > self.max_cells {
                return Err(format!(
                    "too many table cells (more than {}, the limit)",
                    self.max_cells
                ));
            }
        }
        Ok(())
    }

    /// Checks an archive entry's declared sizes before it is decompressed.
    pub fn check_entry(&self, declared: u64, compressed: u64) -> Result<(), String> {
        if declared > self.max_entry_bytes {
            return Err(format!(
                "entry too large ({declared} bytes uncompressed, limit {})",
                self.max_entry_bytes
            ));
        }
        if declared > self.ratio_floor && declared / compressed.max(1) > self.max_ratio {
            return Err(format!(
                "suspicious compression ratio (possible zip bomb): {compressed} bytes expand to {declared} (limit {}:1)",
                self.max_ratio
            ));
        }
        Ok(())
    }
}

/// Reads a file of at most [`Limits::max_file_bytes`].
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let mut bytes = Vec::new();
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(format!(
            "file too large (limit {} bytes)",
            limits.max_file_bytes
        ));
    }
    Ok(bytes)
}

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

/// The "timed out" failure reason.
pub fn timed_out(limits: &Limits) -> String {
    format!(
        "timed out: not read within the time budget of {:.1} s; skipped",
        limits.time_budget.as_secs_f64()
    )
}

/// Runs `work` for one document in isolation: on its own thread, with
/// panics contained, for at most [`Limits::time_budget`]. `work` gets the
/// deadline, to check between its stages.
pub fn isolated<T, F>(limits: &Limits, work: F) -> Result<T, String>
where
    T: Send + 'static,
    F: FnOnce(Instant) -> Result<T, String> + Send + 'static,
{
    let start = Instant::now();
    let deadline = start + limits.time_budget;
    let (tx, rx) = sync_channel::<Result<T, String>>(1);
    let spawned = std::thread::Builder::new()
        .name("kehoach-reader".into())
        .stack_size(READER_STACK)
        .spawn(move || {
            IN_READER.with(|f| f.set(true));
            let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(deadline)));
            let res = res.unwrap_or_else(|payload| {
                Err(format!(
                    "the reader failed unexpectedly: {}",
                    panic_message(&*payload)
                ))
            });
            // The waiting side is gone when the document timed out: the result is discarded.
            let _ = tx.send(res);
        });
    if let Err(e) = spawned {
        return Err(format!("cannot start a reader thread: {e}"));
    }
    match rx.recv_timeout(limits.time_budget) {
        Ok(res) => res,
        Err(RecvTimeoutError::Timeout) => Err(timed_out(limits)),
        Err(RecvTimeoutError::Disconnected) => Err("the reader failed unexpectedly".into()),
    }
}

/// Fails with "timed out" once `deadline` has passed (checked between stages).
pub fn check_deadline(deadline: Instant, limits: &Limits) -> Result<(), String> {
    if Instant::now() > deadline {
        Err(timed_out(limits))
    } else {
        Ok(())
    }
}

/// Reads the bytes of the file at `path` (as [`read_file`] returned them,
/// with their SHA-256, which the caller needs to read documents given twice
/// only once) into a plan, in isolation and under `limits`.
pub fn plan_from_bytes(
    path: &Path,
    bytes: Vec<u8>,
    sha: String,
    limits: &Limits,
) -> Result<kehoach_plan::Plan, String> {
    let name = path.display().to_string();
    let lim = limits.clone();
    isolated(limits, move |deadline| {
        crate::pipeline::plan_from_bytes_with(&name, &bytes, &sha, &lim, Some(deadline))
            .map_err(|e| format!("{e:#}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kehoach_doc::{Cell as DocCell, Pos, Row, SourceFormat, Table};

    #[test]
    fn panics_become_failures() {
        install_quiet_panic_hook();
        let res: Result<(), String> = isolated(&Limits::default(), |_| panic!("boom"));
        assert_eq!(
            res.err().as_deref(),
            Some("the reader failed unexpectedly: boom")
        );
    }

    #[test]
    fn slow_work_times_out_and_the_caller_goes_on() {
        let limits = Limits {
            time_budget: Duration::from_millis(50),
            ..Limits::default()
        };
        let start = Instant::now();
        let res: Result<(), String> = isolated(&limits, |_| {
            std::thread::sleep(Duration::from_secs(3));
            Ok(())
        });
        assert!(res.unwrap_err().starts_with("timed out"));
        assert!(start.elapsed() < Duration::from_secs(2));
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

    fn table(rows: usize, cell: &str) -> Document {
        let mut doc = Document::new(SourceFormat::Text);
        let row = Row {
            cells: vec![DocCell::new(cell, Pos::line(1)); 3],
            pos: Pos::line(1),
        };
        doc.pages.push(kehoach_doc::Page {
            number: None,
            blocks: vec![Block::Table(Table {
                rows: vec![row; rows],
                pos: Pos::line(1),
            })],
        });
        doc
    }

    #[test]
    fn documents_are_bounded() {
        let l = Limits::default();
        assert!(l.check_document(&table(10, "x")).is_ok());
        let rows = l.check_document(&table(l.max_rows + 1, "x")).unwrap_err();
        assert!(rows.contains("too many table rows"), "{rows}");
        let big = "a".repeat(l.max_cell_bytes + 1);
        let cell = l.check_document(&table(1, &big)).unwrap_err();
        assert!(cell.contains("table cell too large"), "{cell}");
    }

    #[test]
    fn archive_entries_are_bounded() {
        let l = Limits::default();
        assert!(l.check_entry(10_000, 100).is_ok());
        assert!(l
            .check_entry(l.max_entry_bytes + 1, l.max_entry_bytes)
            .is_err());
        let bomb = l.check_entry(100 << 20, 100 << 10).unwrap_err();
        assert!(bomb.contains("zip bomb"), "{bomb}");
    }
}
