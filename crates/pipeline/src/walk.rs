//! The input walk of every batch (`extract`, `import`): files and directory trees
//! as archivists keep them.
//!
//! Directories are walked depth first, each directory's entries sorted by
//! name, so the order of the files is the same on every run. Links are
//! followed, but every real directory is walked once: a link back to a parent
//! (`a/up -> ..`) or a second link to the same folder is skipped and named.
//! Hidden entries (`.name`) are skipped unless asked for; `--exclude` globs
//! and the rules of a `.kehoachignore` file (gitignore syntax) in any walked
//! folder leave out what they match. A kehoach data directory (known by its
//! marker, see [`kehoach_index::is_data_dir`]) is never read as input,
//! wherever it sits among the inputs. Directories that cannot be listed and
//! links that lead nowhere are reported, not skipped silently.

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::WalkBuilder;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The name of the per-folder rules file (gitignore syntax).
pub const IGNORE_FILE: &str = ".kehoachignore";

/// How to walk the inputs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Glob patterns (gitignore syntax) of files and folders to leave out.
    pub excludes: Vec<String>,
    /// Walk hidden files and folders (`.name`) too.
    pub include_hidden: bool,
    /// Folders never to walk into besides data directories (the command's own
    /// data directory, which may not carry its marker yet).
    pub skip_dirs: Vec<PathBuf>,
}

/// Why an entry was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// Its name starts with a dot.
    Hidden,
    /// An `--exclude` glob matched it.
    Excluded(String),
    /// A kehoach data directory (an index is not a plan).
    DataDir,
    /// The same real directory was already walked under another name.
    SameDirAs(PathBuf),
    /// A link back to a folder that contains it.
    LinkLoop(PathBuf),
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Hidden => write!(f, "hidden"),
            SkipReason::Excluded(glob) => write!(f, "excluded by --exclude {glob}"),
            SkipReason::DataDir => write!(f, "kehoach data directory"),
            SkipReason::SameDirAs(p) => write!(f, "same directory as {}", p.display()),
            SkipReason::LinkLoop(p) => write!(f, "link loop back to {}", p.display()),
        }
    }
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Walked {
    /// Files, in argument order; a directory's files depth first, sorted by name.
    pub files: Vec<PathBuf>,
    /// Entries that could not be read (unlistable directories, dangling
    /// links), with the reason: they count as failed inputs.
    pub unreadable: Vec<(PathBuf, String)>,
    /// Entries left out on purpose, with the reason.
    pub skipped: Vec<(PathBuf, SkipReason)>,
    /// The `.kehoachignore` files whose rules were applied.
    pub rule_files: Vec<PathBuf>,
}

/// The identity of a real directory (device and inode on Unix, the canonical
/// path elsewhere).
#[cfg(unix)]
fn dir_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn dir_id(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

#[cfg(unix)]
type DirId = (u64, u64);
#[cfg(not(unix))]
type DirId = PathBuf;

/// State shared with the entry filter.
#[derive(Default)]
struct Seen {
    /// Real directories walked, with the name they were first walked under.
    dirs: std::collections::HashMap<DirId, PathBuf>,
    skipped: Vec<(PathBuf, SkipReason)>,
    rule_files: Vec<PathBuf>,
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

fn lock(seen: &Mutex<Seen>) -> std::sync::MutexGuard<'_, Seen> {
    seen.lock().unwrap_or_else(|e| e.into_inner())
}

/// Decides on one directory: walk it (recording its identity) or skip it.
fn admit_dir(path: &Path, seen: &Mutex<Seen>, skip: &HashSet<DirId>) -> Option<SkipReason> {
    let id = dir_id(path);
    if kehoach_index::is_data_dir(path) || id.as_ref().is_some_and(|i| skip.contains(i)) {
        return Some(SkipReason::DataDir);
    }
    let mut s = lock(seen);
    if let Some(id) = id {
        if let Some(first) = s.dirs.get(&id) {
            return Some(SkipReason::SameDirAs(first.clone()));
        }
        s.dirs.insert(id, path.to_path_buf());
    }
    None
}

/// The `--exclude` globs as a matcher rooted at `root`.
fn excludes(root: &Path, globs: &[String]) -> Result<Gitignore, crate::Error> {
    let mut b = GitignoreBuilder::new(root);
    for g in globs {
        b.add_line(None, g).map_err(|e| crate::Error::Glob {
            glob: g.clone(),
            message: e.to_string(),
        })?;
    }
    b.build().map_err(|e| crate::Error::Glob {
        glob: globs.join(" "),
        message: e.to_string(),
    })
}

/// Walks `inputs`: files are kept as given, directories expanded (see the
/// module documentation). Fails only on an invalid `--exclude` glob.
pub fn walk(inputs: &[PathBuf], opts: &Options) -> Result<Walked, crate::Error> {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let skip: Arc<HashSet<DirId>> =
        Arc::new(opts.skip_dirs.iter().filter_map(|p| dir_id(p)).collect());
    let mut out = Walked::default();
    // A bad glob is an error even when no directory is walked.
    excludes(Path::new("."), &opts.excludes)?;
    for root in inputs {
        if !root.is_dir() {
            out.files.push(root.clone());
            continue;
        }
        if let Some(reason) = admit_dir(root, &seen, &skip) {
            lock(&seen).skipped.push((root.clone(), reason));
            continue;
        }
        let over = excludes(root, &opts.excludes)?;
        let filter_seen = Arc::clone(&seen);
        let filter_skip = Arc::clone(&skip);
        let include_hidden = opts.include_hidden;
        let mut builder = WalkBuilder::new(root);
        builder
            .standard_filters(false)
            .follow_links(true)
            .add_custom_ignore_filename(IGNORE_FILE)
            .sort_by_file_name(|a, b| a.cmp(b))
            .filter_entry(move |e| {
                let name = e.file_name();
                // A rules file is never an input (its rules are applied by
                // the walker itself).
                if name == IGNORE_FILE {
                    let is_file = e.file_type().is_some_and(|t| t.is_file());
                    if is_file {
                        lock(&filter_seen).rule_files.push(e.path().to_path_buf());
                    }
                    return false;
                }
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                let reason = if !include_hidden && is_hidden(name) {
                    Some(SkipReason::Hidden)
                } else if let ignore::Match::Ignore(g) = over.matched(e.path(), is_dir) {
                    Some(SkipReason::Excluded(g.original().to_string()))
                } else if is_dir {
                    admit_dir(e.path(), &filter_seen, &filter_skip)
                } else {
                    return true;
                };
                match reason {
                    Some(r) => {
                        lock(&filter_seen).skipped.push((e.path().to_path_buf(), r));
                        false
                    }
                    None => true,
                }
            });
        for entry in builder.build() {
            match entry {
                Ok(e) => {
                    if e.file_type().is_some_and(|t| t.is_file()) {
                        out.files.push(e.into_path());
                    }
                }
                Err(err) => {
                    let (path, reason) = describe(err);
                    match reason {
                        Err(r) => lock(&seen).skipped.push((path, r)),
                        Ok(r) => out.unreadable.push((path, r)),
                    }
                }
            }
        }
    }
    let mut s = lock(&seen);
    out.skipped = std::mem::take(&mut s.skipped);
    out.rule_files = std::mem::take(&mut s.rule_files);
    Ok(out)
}

/// A walk error as the entry it concerns and either a failure reason (`Ok`)
/// or, for a link loop, a skip reason (`Err`).
fn describe(err: ignore::Error) -> (PathBuf, Result<String, SkipReason>) {
    let mut path = None;
    let mut e = err;
    loop {
        match e {
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert(p);
                e = *err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                e = *err
            }
            ignore::Error::Loop { ancestor, child } => {
                return (child, Err(SkipReason::LinkLoop(ancestor)));
            }
            ignore::Error::Partial(mut errs) if !errs.is_empty() => e = errs.remove(0),
            other => {
                let path = path.unwrap_or_default();
                let is_link =
                    std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
                let reason = if is_link && std::fs::metadata(&path).is_err() {
                    format!("broken link: {other}")
                } else if path.is_dir() {
                    format!("cannot list directory: {other}")
                } else {
                    format!("cannot read entry: {other}")
                };
                return (path, Ok(reason));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(root: &Path, files: &[PathBuf]) -> Vec<String> {
        files
            .iter()
            .map(|f| f.strip_prefix(root).unwrap_or(f).display().to_string())
            .collect()
    }

    #[test]
    fn directories_expand_and_report_what_cannot_be_read() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        std::fs::write(root.join("b/c/2.txt"), "x").unwrap();
        std::fs::write(root.join("a.txt"), "x").unwrap();
        std::fs::write(root.join(".hidden.txt"), "x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("missing.txt"), root.join("dangling.txt")).unwrap();
        let w = walk(
            &[root.to_path_buf(), root.join("given.txt")],
            &Options::default(),
        )
        .unwrap();
        assert_eq!(
            w.files,
            vec![
                root.join("a.txt"),
                root.join("b/c/2.txt"),
                root.join("given.txt")
            ]
        );
        assert_eq!(
            w.skipped,
            vec![(root.join(".hidden.txt"), SkipReason::Hidden)]
        );
        #[cfg(unix)]
        {
            assert_eq!(w.unreadable.len(), 1, "{:?}", w.unreadable);
            assert_eq!(w.unreadable[0].0, root.join("dangling.txt"));
            assert!(
                w.unreadable[0].1.contains("broken link"),
                "{:?}",
                w.unreadable
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn link_loops_and_second_links_are_walked_once() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/plan.txt"), "x").unwrap();
        std::os::unix::fs::symlink("..", root.join("a/up")).unwrap();
        std::os::unix::fs::symlink(root.join("a/b"), root.join("z-link")).unwrap();
        let w = walk(&[root.to_path_buf()], &Options::default()).unwrap();
        assert_eq!(names(root, &w.files), vec!["a/b/plan.txt"]);
        assert!(w.unreadable.is_empty(), "{:?}", w.unreadable);
        assert_eq!(w.skipped.len(), 2, "{:?}", w.skipped);
        assert!(w.skipped.iter().any(
            |(p, r)| p == &root.join("z-link") && *r == SkipReason::SameDirAs(root.join("a/b"))
        ));
    }

    #[test]
    fn excludes_rule_files_hidden_and_data_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for f in [
            "keep.txt",
            "draft.txt",
            "old/1.txt",
            "sub/skip.pdf",
            "sub/keep.txt",
            ".cache/x.txt",
            "data/index/meta.json",
            "marked/FORMAT",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "x").unwrap();
        }
        std::fs::write(root.join("marked/FORMAT"), "kehoach-index 1\n").unwrap();
        std::fs::write(root.join("sub/.kehoachignore"), "*.pdf\n").unwrap();
        let opts = Options {
            excludes: vec!["draft.*".into(), "old/".into()],
            ..Options::default()
        };
        let w = walk(&[root.to_path_buf()], &opts).unwrap();
        assert_eq!(names(root, &w.files), vec!["keep.txt", "sub/keep.txt"]);
        assert_eq!(w.rule_files, vec![root.join("sub/.kehoachignore")]);
        let reasons: Vec<String> = w
            .skipped
            .iter()
            .map(|(p, r)| format!("{} {r}", p.strip_prefix(root).unwrap().display()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                ".cache hidden",
                "data kehoach data directory",
                "draft.txt excluded by --exclude draft.*",
                "marked kehoach data directory",
                "old excluded by --exclude old/",
            ]
        );
        let all = walk(
            &[root.to_path_buf()],
            &Options {
                include_hidden: true,
                ..Options::default()
            },
        )
        .unwrap();
        assert!(all.files.contains(&root.join(".cache/x.txt")));
    }

    #[test]
    fn a_data_dir_given_as_input_is_skipped() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("index")).unwrap();
        std::fs::write(tmp.path().join("index/meta.json"), "{}").unwrap();
        let w = walk(&[tmp.path().to_path_buf()], &Options::default()).unwrap();
        assert!(w.files.is_empty());
        assert_eq!(w.skipped[0].1, SkipReason::DataDir);
    }

    #[test]
    fn a_bad_glob_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let opts = Options {
            excludes: vec!["{a".into()],
            ..Options::default()
        };
        assert!(walk(&[tmp.path().to_path_buf()], &opts).is_err());
    }

    /// The hand-written walk this module replaced, kept to compare speeds.
    fn legacy_walk(dir: &Path, out: &mut Vec<PathBuf>, unreadable: &mut Vec<(PathBuf, String)>) {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                unreadable.push((dir.to_path_buf(), format!("cannot list directory: {e}")));
                return;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            match entry.file_type() {
                Ok(t) if t.is_dir() => legacy_walk(&path, out, unreadable),
                Ok(t) if t.is_file() => out.push(path),
                Ok(t) if t.is_symlink() => match std::fs::metadata(&path) {
                    Ok(m) if m.is_file() => out.push(path),
                    Ok(m) if m.is_dir() => legacy_walk(&path, out, unreadable),
                    Ok(_) => {}
                    Err(e) => unreadable.push((path, format!("broken link: {e}"))),
                },
                Ok(_) => {}
                Err(e) => unreadable.push((path, format!("cannot read entry: {e}"))),
            }
        }
    }

    /// The walk benchmark (`benches/walk.sh`): 100,000 files in 5,000
    /// folders (or the tree in `KEHOACH_WALK_BENCH_DIR`), old walk against
    /// new, best of 5 runs each with a warm cache.
    #[test]
    #[ignore = "benchmark; run by benches/walk.sh"]
    fn bench_walk() {
        let tmp = tempfile::tempdir().unwrap();
        let root = match std::env::var_os("KEHOACH_WALK_BENCH_DIR") {
            Some(d) => PathBuf::from(d),
            None => {
                for d in 0..5_000 {
                    let dir = tmp.path().join(format!("{:02}/{d:04}", d % 50));
                    std::fs::create_dir_all(&dir).unwrap();
                    for f in 0..20 {
                        std::fs::write(dir.join(format!("plan-{f:02}.txt")), "x").unwrap();
                    }
                }
                tmp.path().to_path_buf()
            }
        };
        let time = |f: &dyn Fn() -> usize| {
            let mut best = f64::MAX;
            let mut n = 0;
            for _ in 0..5 {
                let t = std::time::Instant::now();
                n = f();
                best = best.min(t.elapsed().as_secs_f64());
            }
            (best, n)
        };
        let (old, n_old) = time(&|| {
            let (mut files, mut bad) = (Vec::new(), Vec::new());
            legacy_walk(&root, &mut files, &mut bad);
            files.sort();
            files.len()
        });
        let (new, n_new) = time(&|| {
            walk(std::slice::from_ref(&root), &Options::default())
                .unwrap()
                .files
                .len()
        });
        println!("walk-bench files={n_old} old_s={old:.3} new_s={new:.3}");
        assert_eq!(n_old, n_new);
    }
}
