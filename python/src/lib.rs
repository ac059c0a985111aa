//! The native part of the `kehoach` Python package (`kehoach._kehoach`).
//!
//! A thin layer over [`kehoach_pipeline`], [`kehoach_index`],
//! [`kehoach_diff`] and [`kehoach_export`]: records cross into Python as the
//! JSON the command line prints (the Python side parses it), errors as the
//! exception classes of `kehoach._errors`. Every call that reads documents or
//! the index runs with the interpreter released, so Python threads go on.

use kehoach_index::{PlanStore, SearchRequest, Store, TrackTotal};
use kehoach_pipeline::walk::{walk, Options as WalkOptions};
use kehoach_pipeline::{Batch, BatchOptions, Failure, FailureKind, Input, Limits};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

// The allocator of the `kehoach` binary: extraction makes many short strings.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// An instance of the Python exception class `name` of `kehoach._errors`, made with `args`.
fn error_value<'py, A>(py: Python<'py>, name: &str, args: A) -> PyResult<Bound<'py, PyAny>>
where
    A: pyo3::call::PyCallArgs<'py>,
{
    py.import("kehoach._errors")?.getattr(name)?.call1(args)
}

/// The `ExtractError` of one document.
fn extract_error(py: Python<'_>, path: &str, f: &Failure) -> PyErr {
    match error_value(
        py,
        "ExtractError",
        (path, f.kind.as_str(), f.reason.as_str()),
    ) {
        Ok(v) => PyErr::from_value(v),
        Err(e) => e,
    }
}

/// A `StoreError` (the index or plan store failed).
fn store_error(py: Python<'_>, e: impl std::fmt::Display) -> PyErr {
    match error_value(py, "StoreError", (e.to_string(),)) {
        Ok(v) => PyErr::from_value(v),
        Err(e) => e,
    }
}

fn json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The limits of one call; OCR results are kept in `$KEHOACH_OCR_CACHE` when
/// it is set, as the command line keeps them.
fn limits(timeout: Option<f64>) -> PyResult<Limits> {
    let mut l = Limits {
        ocr_cache: std::env::var_os("KEHOACH_OCR_CACHE")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from),
        ..Limits::default()
    };
    if let Some(t) = timeout {
        if !(t.is_finite() && t > 0.0) {
            return Err(PyValueError::new_err(
                "timeout must be a positive number of seconds",
            ));
        }
        l.time_budget = Duration::from_secs_f64(t.min(1e9));
    }
    Ok(l)
}

/// Reads one document (bytes, or a path) into its `kehoach/plan@1` JSON.
#[pyfunction]
#[pyo3(signature = (source, name=None, timeout=None))]
fn extract(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    name: Option<String>,
    timeout: Option<f64>,
) -> PyResult<String> {
    let limits = limits(timeout)?;
    let input = if let Ok(b) = source.cast::<PyBytes>() {
        Input::Bytes {
            name: name.unwrap_or_else(|| "<bytes>".into()),
            bytes: b.as_bytes().to_vec(),
        }
    } else if let Ok(b) = source.cast::<PyByteArray>() {
        Input::Bytes {
            name: name.unwrap_or_else(|| "<bytes>".into()),
            bytes: b.to_vec(),
        }
    } else {
        let path: PathBuf = source.extract().map_err(|_| {
            PyValueError::new_err("extract() takes bytes, a str path or an os.PathLike")
        })?;
        match name {
            Some(name) => Input::Bytes {
                name,
                bytes: py
                    .detach(|| kehoach_pipeline::read_file(&path, &limits))
                    .map_err(|f| extract_error(py, &path.display().to_string(), &f))?,
            },
            None => Input::Path(path),
        }
    };
    let shown = input.name();
    let res = py.detach(|| -> Result<String, Failure> {
        let bytes = input.into_bytes(&limits)?;
        let sha = kehoach_pipeline::sha256_hex(&bytes);
        let plan = kehoach_pipeline::plan_from_bytes_isolated(&shown, bytes, sha, &limits)?;
        serde_json::to_string(&plan).map_err(|e| Failure::new(FailureKind::Reader, e.to_string()))
    });
    res.map_err(|f| extract_error(py, &shown, &f))
}

/// One result of an [`Extraction`]: the path, the plan's JSON (UTF-8 bytes:
/// no decoding into a Python string for callers that write it out as it is)
/// or the `ExtractError`, and the sha256 of the document's bytes (with the plan).
type Item = (
    String,
    Option<Py<PyBytes>>,
    Option<Py<PyAny>>,
    Option<String>,
);

/// Many documents in parallel: an iterator of `(path, json, error, sha256)`
/// in input order (`json`: the plan record as UTF-8 bytes).
#[pyclass(module = "kehoach._kehoach")]
struct Extraction {
    inner: Mutex<Batch>,
    /// Display names of the inputs, by the path the batch reads.
    names: Option<HashMap<String, String>>,
}

impl Extraction {
    /// `path` under its display name: the input's name, or the name of the
    /// archive it is an entry of followed by `!/entry`.
    fn display(&self, path: &str) -> String {
        let Some(names) = &self.names else {
            return path.to_string();
        };
        if let Some(n) = names.get(path) {
            return n.clone();
        }
        for (at, _) in path.match_indices("!/") {
            if let (Some(head), Some(tail)) = (path.get(..at), path.get(at..)) {
                if let Some(n) = names.get(head) {
                    return format!("{n}{tail}");
                }
            }
        }
        path.to_string()
    }
}

#[pymethods]
impl Extraction {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Item>> {
        let next = py.detach(|| {
            let mut batch = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            batch.next().map(|e| {
                let name = self.display(&e.name);
                let res = e.into_result().and_then(|mut plan| {
                    plan.source.path.clone_from(&name);
                    let sha = plan.source.sha256.clone();
                    serde_json::to_vec(&plan)
                        .map(|js| (js, sha))
                        .map_err(|err| Failure::new(FailureKind::Reader, err.to_string()))
                });
                (name, res)
            })
        });
        Ok(match next {
            None => None,
            Some((name, Ok((js, sha)))) => {
                Some((name, Some(PyBytes::new(py, &js).unbind()), None, Some(sha)))
            }
            Some((name, Err(f))) => {
                let err = extract_error(py, &name, &f).into_value(py).into_any();
                Some((name, None, Some(err), None))
            }
        })
    }

    fn __len__(&self) -> usize {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// Starts reading `paths` (files; directories are walked as the command line
/// walks them) on `workers` threads (default: one per core). `names`, one per
/// path (files only), are the names results carry (`source.path`) instead of
/// the paths.
#[pyfunction]
#[pyo3(signature = (paths, workers=None, timeout=None, window=None, names=None))]
fn extract_many(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    workers: Option<usize>,
    timeout: Option<f64>,
    window: Option<usize>,
    names: Option<Vec<String>>,
) -> PyResult<Extraction> {
    let opts = BatchOptions {
        limits: limits(timeout)?,
        threads: workers.unwrap_or(0),
        window: window.unwrap_or(0),
        read_once: false,
    };
    let names = match names {
        None => None,
        Some(n) if n.len() == paths.len() => Some(
            paths
                .iter()
                .map(|p| p.display().to_string())
                .zip(n)
                .collect::<HashMap<_, _>>(),
        ),
        Some(n) => {
            return Err(PyValueError::new_err(format!(
                "{} names for {} paths: give one name per path",
                n.len(),
                paths.len()
            )))
        }
    };
    let batch = py
        .detach(|| -> Result<Batch, kehoach_pipeline::Error> {
            let walked = walk(&paths, &WalkOptions::default())?;
            let mut inputs: Vec<Input> = walked.files.into_iter().map(Input::Path).collect();
            // Unreadable folders come back as failed inputs.
            inputs.extend(walked.unreadable.into_iter().map(|(p, _)| Input::Path(p)));
            Batch::start(inputs, &opts)
        })
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(Extraction {
        inner: Mutex::new(batch),
        names,
    })
}

/// The SHA-256 of each file's bytes (lower-case hex, `None` where a file
/// cannot be read), in the order given, hashed on `threads` threads
/// (default 4: reads from network storage overlap) with the GIL released,
/// so that Python goes on meanwhile.
#[pyfunction]
#[pyo3(signature = (paths, threads=None))]
fn sha256_files(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    threads: Option<usize>,
) -> Vec<Option<String>> {
    py.detach(|| {
        let threads = threads.unwrap_or(4).clamp(1, paths.len().max(1));
        let next = AtomicUsize::new(0);
        let mut out: Vec<Option<String>> = vec![None; paths.len()];
        std::thread::scope(|scope| {
            let hashers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(path) = paths.get(i) else { break };
                            done.push((i, kehoach_pipeline::sha256_file(path).ok()));
                        }
                        done
                    })
                })
                .collect();
            // A hasher that panicked leaves its files as unreadable.
            for done in hashers.into_iter().filter_map(|h| h.join().ok()) {
                for (i, sha) in done {
                    out[i] = sha;
                }
            }
        });
        out
    })
}

/// The differences between two plans given as `kehoach/plan@1` JSON.
#[pyfunction]
#[pyo3(signature = (a, b, all=false))]
fn diff_plans(py: Python<'_>, a: &str, b: &str, all: bool) -> PyResult<String> {
    let parse = |s: &str| {
        serde_json::from_str::<kehoach_plan::Plan>(s)
            .map_err(|e| PyValueError::new_err(format!("not a kehoach/plan@1 record: {e}")))
    };
    let (pa, pb) = (parse(a)?, parse(b)?);
    json(&py.detach(|| diff_of(&pa, &pb, all)))
}

/// The diff of two plans (`all`: unchanged pairs too), as `kehoach diff` computes it.
fn diff_of(a: &kehoach_plan::Plan, b: &kehoach_plan::Plan, all: bool) -> kehoach_diff::PlanDiff {
    let opts = kehoach_diff::Options {
        include_unchanged: all,
        ..Default::default()
    };
    kehoach_diff::diff(a, b, &opts)
}

/// A data directory: the search index and plan store.
#[pyclass(module = "kehoach._kehoach")]
struct Index {
    store: Store,
}

impl Index {
    /// The full plan `key` (an id or a unique start of one) names.
    fn resolve(&self, py: Python<'_>, key: &str) -> PyResult<kehoach_plan::Plan> {
        let key = key.trim().to_ascii_lowercase();
        if key.len() < 4 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(PyValueError::new_err(
                "a plan is named by its id (4 to 16 hex digits, as plans() lists them)",
            ));
        }
        let found = py
            .detach(|| self.store.find(&key))
            .map_err(|e| store_error(py, e))?;
        let id = match found.as_slice() {
            [one] => one.id.clone(),
            [] => {
                return Err(PyKeyError::new_err(format!(
                    "no imported plan has id {key}"
                )))
            }
            many => {
                return Err(PyKeyError::new_err(format!(
                    "{key} is the start of {} plan ids; give more of the id",
                    many.len()
                )))
            }
        };
        py.detach(|| self.store.plan(&id))
            .map_err(|e| store_error(py, e))?
            .ok_or_else(|| PyKeyError::new_err(format!("plan {id} was removed")))
    }
}

#[allow(clippy::too_many_arguments)]
#[pymethods]
impl Index {
    /// Opens the data directory `path` (created when missing and `create`).
    #[new]
    #[pyo3(signature = (path, create=true))]
    fn new(py: Python<'_>, path: PathBuf, create: bool) -> PyResult<Index> {
        let store = py
            .detach(|| {
                if create {
                    Store::open_or_create(&path)
                } else {
                    Store::open(&path)
                }
            })
            .map_err(|e| store_error(py, e))?;
        Ok(Index { store })
    }

    /// The data directory.
    #[getter]
    fn path(&self) -> PathBuf {
        self.store.dir().to_path_buf()
    }

    /// Imports files, directories and zip archives; the summary as JSON.
    #[pyo3(signature = (paths, workers=None, timeout=None, exclude=Vec::new(), include_hidden=false, commit_every=0))]
    fn import_paths(
        &self,
        py: Python<'_>,
        paths: Vec<PathBuf>,
        workers: Option<usize>,
        timeout: Option<f64>,
        exclude: Vec<String>,
        include_hidden: bool,
        commit_every: usize,
    ) -> PyResult<String> {
        let opts = kehoach_pipeline::import::ImportOptions {
            limits: limits(timeout)?,
            threads: workers.unwrap_or(0),
            commit_every,
            ..Default::default()
        };
        let walk_opts = WalkOptions {
            excludes: exclude,
            include_hidden,
            skip_dirs: vec![self.store.dir().to_path_buf()],
        };
        let sum = py
            .detach(|| -> Result<_, kehoach_pipeline::Error> {
                let walked = walk(&paths, &walk_opts)?;
                kehoach_pipeline::import::import(&self.store, walked, &opts, &mut |_| {})
            })
            .map_err(|e| match e {
                kehoach_pipeline::Error::Glob { .. } | kehoach_pipeline::Error::Options(_) => {
                    PyValueError::new_err(e.to_string())
                }
                other => store_error(py, other),
            })?;
        json(&sum)
    }

    /// Searches tasks; the results as JSON (`kehoach search --json`).
    #[pyo3(signature = (query="", years=None, issuer=None, lead=None, place=None, kind=None, due_before=None, limit=20, offset=0, facets=false))]
    fn search(
        &self,
        py: Python<'_>,
        query: &str,
        years: Option<(i32, i32)>,
        issuer: Option<String>,
        lead: Option<String>,
        place: Option<String>,
        kind: Option<String>,
        due_before: Option<String>,
        limit: usize,
        offset: usize,
        facets: bool,
    ) -> PyResult<String> {
        let req = SearchRequest {
            query: query.to_string(),
            years,
            issuer,
            lead,
            due_before,
            kind,
            place,
            limit,
            offset,
            facets,
            snippet_chars: 200,
        };
        let res = py
            .detach(|| self.store.search_tracking(&req, TrackTotal::Exact))
            .map_err(|e| match e {
                kehoach_index::Error::InvalidQuery(_) => PyValueError::new_err(e.to_string()),
                other => store_error(py, other),
            })?;
        json(&res)
    }

    /// The imported plans (`kehoach plans --json`).
    fn plans(&self, py: Python<'_>) -> PyResult<String> {
        let plans = py
            .detach(|| self.store.plans())
            .map_err(|e| store_error(py, e))?;
        json(&plans)
    }

    /// One imported plan by id (or a unique start of one).
    fn plan(&self, py: Python<'_>, id: &str) -> PyResult<String> {
        json(&self.resolve(py, id)?)
    }

    /// The differences between two imported plans (`kehoach diff A B --json`).
    #[pyo3(signature = (a, b, all=false))]
    fn diff(&self, py: Python<'_>, a: &str, b: &str, all: bool) -> PyResult<String> {
        let (pa, pb) = (self.resolve(py, a)?, self.resolve(py, b)?);
        json(&py.detach(|| diff_of(&pa, &pb, all)))
    }

    /// Target timelines (`kehoach targets QUERY --json`, the series).
    #[pyo3(signature = (query="", years=None, issuer=None, lead=None, kind=None, due_before=None))]
    fn targets(
        &self,
        py: Python<'_>,
        query: &str,
        years: Option<(i32, i32)>,
        issuer: Option<String>,
        lead: Option<String>,
        kind: Option<String>,
        due_before: Option<String>,
    ) -> PyResult<String> {
        let req = SearchRequest {
            query: query.to_string(),
            years,
            issuer,
            lead,
            due_before,
            kind,
            place: None,
            limit: 1,
            offset: 0,
            facets: false,
            snippet_chars: 16,
        };
        let series = py
            .detach(|| -> Result<_, kehoach_index::Error> {
                let hits = self.store.search_all(&req, None)?;
                let records = hits.iter().map(|h| kehoach_export::TaskRecord {
                    plan_id: Some(&h.plan.id),
                    source: &h.plan.source,
                    meta: &h.plan.meta,
                    task: &h.task,
                });
                let points = kehoach_export::series::collect(records, query);
                Ok(kehoach_export::series::group(&points))
            })
            .map_err(|e| store_error(py, e))?;
        json(&series)
    }

    /// `(plans, tasks)` in the index.
    fn counts(&self, py: Python<'_>) -> PyResult<(u64, u64)> {
        py.detach(|| self.store.counts())
            .map_err(|e| store_error(py, e))
    }
}

/// The native module.
#[pymodule]
fn _kehoach(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(extract, m)?)?;
    m.add_function(wrap_pyfunction!(extract_many, m)?)?;
    m.add_function(wrap_pyfunction!(diff_plans, m)?)?;
    m.add_function(wrap_pyfunction!(sha256_files, m)?)?;
    m.add_class::<Extraction>()?;
    m.add_class::<Index>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
