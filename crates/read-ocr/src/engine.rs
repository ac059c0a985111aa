//! The OCR engine: the `tesseract` binary run as a subprocess with TSV
//! output. A [`Session`] keeps one process for many images (the model is
//! loaded once); images are handed over as uncompressed TIFF files.

use crate::raster::Gray;
use crate::OcrError;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;

/// The Debian packages that provide the engine and its Vietnamese model.
pub const TESSERACT_PACKAGES: &str = "tesseract-ocr tesseract-ocr-vie";

/// The longest side, in pixels, of an image handed to the engine: tesseract
/// refuses images with a side over 32,767 pixels ("Image too large"); a
/// larger image is read in pieces ([`pieces`]).
pub const ENGINE_MAX_SIDE: u32 = 30_000;

/// One recognised word with its box (image pixels) and confidence (0..=1).
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// The word as recognised (NFC).
    pub text: String,
    /// Confidence in 0..=1.
    pub conf: f32,
    /// Left edge.
    pub x0: i32,
    /// Top edge.
    pub y0: i32,
    /// Right edge.
    pub x1: i32,
    /// Bottom edge.
    pub y1: i32,
    /// Tesseract's block, paragraph and line numbers (reading order).
    pub line_key: (u32, u32, u32),
}

impl Word {
    /// Horizontal centre.
    pub fn cx(&self) -> i32 {
        (self.x0 + self.x1) / 2
    }
    /// Vertical centre.
    pub fn cy(&self) -> i32 {
        (self.y0 + self.y1) / 2
    }
    /// Height of the box.
    pub fn height(&self) -> i32 {
        (self.y1 - self.y0).max(1)
    }
}

/// Checks once that `tesseract` runs and has the Vietnamese model.
pub fn check() -> Result<(), OcrError> {
    static STATE: OnceLock<Result<(), String>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let out = Command::new(binary()).arg("--list-langs").stdin(Stdio::null()).output();
            match out {
                Err(e) => Err(format!(
                    "the OCR engine `tesseract` cannot be run ({e}): install the Debian packages {TESSERACT_PACKAGES}"
                )),
                Ok(o) => {
                    let listing = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
                    if listing.lines().any(|l| l.trim() == "vie") {
                        Ok(())
                    } else {
                        Err(format!(
                            "tesseract has no Vietnamese model (`vie`): install the Debian packages {TESSERACT_PACKAGES}"
                        ))
                    }
                }
            }
        })
        .clone()
        .map_err(OcrError::MissingTool)
}

fn binary() -> String {
    std::env::var("KEHOACH_TESSERACT").unwrap_or_else(|_| "tesseract".into())
}

/// What the installed engine can do, from `tesseract --version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Abilities {
    /// Reads a file list from stdin one line at a time and flushes its
    /// output after every page (version 5 on, reading TIFF).
    streams: bool,
    /// Reads TIFF images (its image library is built with libtiff).
    tiff: bool,
}

/// What `tesseract --version` prints (empty when the engine cannot run).
fn version_text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        Command::new(binary())
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .map(|o| {
                format!(
                    "{}{}",
                    String::from_utf8_lossy(&o.stdout),
                    String::from_utf8_lossy(&o.stderr)
                )
            })
            .unwrap_or_default()
    })
}

fn abilities() -> Abilities {
    static STATE: OnceLock<Abilities> = OnceLock::new();
    *STATE.get_or_init(|| abilities_of(version_text()))
}

/// Names what produced an OCR result: this reader's build (a hash of the
/// sources that decide its output) and the engine's version with its image
/// libraries. Results kept under another id are not this reader's.
pub fn reader_id() -> String {
    let engine: String = version_text()
        .lines()
        .take(2)
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    format!("{} {engine}", env!("KEHOACH_OCR_BUILD"))
}

/// [`Abilities`] from the text of `tesseract --version` ("tesseract 5.3.0",
/// then the image libraries).
fn abilities_of(version: &str) -> Abilities {
    let major = version
        .split_whitespace()
        .skip_while(|w| *w != "tesseract")
        .nth(1)
        .and_then(|v| v.trim_start_matches('v').split('.').next())
        .and_then(|m| m.parse::<u32>().ok())
        .unwrap_or(0);
    let tiff = version.contains("libtiff");
    Abilities {
        streams: major >= 5 && tiff,
        tiff,
    }
}

/// Runs tesseract once on a grey image (`dpi` tells it the resolution) and
/// returns the words, with page segmentation mode `psm`.
pub fn recognise(img: &Gray, dpi: u32, psm: u32) -> Result<Vec<Word>, OcrError> {
    recognise_with(img, dpi, psm, "vie", &[])
}

/// [`recognise`] with another model (`lang`) and extra `-c name=value` settings.
pub fn recognise_with(
    img: &Gray,
    dpi: u32,
    psm: u32,
    lang: &str,
    settings: &[&str],
) -> Result<Vec<Word>, OcrError> {
    Session::start(lang, psm, settings)?.recognise(img, dpi)
}

/// The engine for a run of images. Images are handed over as files: an
/// uncompressed TIFF that carries the resolution (read without decoding
/// work), or a PGM and `--dpi` when the engine cannot read TIFF.
///
/// With tesseract 5 one process (the model loaded once) reads all the
/// images from a file list streamed on its stdin (`stream_filelist`); each
/// image is followed by a tiny blank one, whose page line in the TSV output
/// marks the end of the image's words (the engine flushes its output after
/// every page). An older engine, which keeps its output buffered, is run
/// once per image.
pub struct Session {
    lang: String,
    psm: u32,
    settings: Vec<String>,
    /// A temporary directory of this session: the image and the blank marker.
    dir: PathBuf,
    tiff: bool,
    /// The streaming process, when there is one.
    running: Option<Running>,
}

/// A tesseract process reading a file list from its stdin.
struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: ChildStdout,
    /// Output read but not yet used.
    pending: Vec<u8>,
    /// Images handed over so far (pages of the output).
    sent: u32,
    /// The tail of the engine's messages, for an error.
    stderr: Option<JoinHandle<Vec<u8>>>,
    /// Set when a request failed: no more requests; the process is stopped.
    broken: bool,
}

/// How much of the engine's messages is kept for an error report.
const STDERR_TAIL: usize = 4096;

/// The blank image that follows every image in a streaming session.
const MARKER_FILE: &str = "end.tif";

impl Session {
    /// Starts the engine with model `lang`, page segmentation mode `psm` and
    /// extra `-c name=value` settings.
    pub fn start(lang: &str, psm: u32, settings: &[&str]) -> Result<Session, OcrError> {
        check()?;
        let ab = abilities();
        Session::start_as(lang, psm, settings, ab.streams, ab.tiff)
    }

    fn start_as(
        lang: &str,
        psm: u32,
        settings: &[&str],
        streams: bool,
        tiff: bool,
    ) -> Result<Session, OcrError> {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("kehoach-ocr-{}-s{seq}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| OcrError::Engine(format!("cannot make a temporary directory: {e}")))?;
        let mut session = Session {
            lang: lang.into(),
            psm,
            settings: settings.iter().map(|s| s.to_string()).collect(),
            dir,
            tiff,
            running: None,
        };
        // A file list is read line by line: a path with a line break cannot be streamed.
        let listable = !session
            .dir
            .as_os_str()
            .as_encoded_bytes()
            .iter()
            .any(|&b| b == b'\n' || b == b'\r');
        if streams && tiff && listable {
            write_tiff(
                &Gray::filled(4, 4, 255),
                300,
                &session.dir.join(MARKER_FILE),
            )?;
            session.running = Some(session.spawn()?);
        }
        Ok(session)
    }

    /// The engine's arguments after the input and output names.
    fn args(&self) -> Vec<String> {
        let mut args = vec![
            "-l".to_string(),
            self.lang.clone(),
            "--psm".into(),
            self.psm.to_string(),
        ];
        for s in &self.settings {
            args.push("-c".into());
            args.push(s.clone());
        }
        args
    }

    /// Starts the streaming process.
    fn spawn(&self) -> Result<Running, OcrError> {
        let mut child = Command::new(binary())
            .args(["stdin", "stdout"])
            .args(self.args())
            .args(["-c", "stream_filelist=1", "tsv"])
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| OcrError::Engine(format!("cannot start tesseract: {e}")))?;
        let stderr = child.stderr.take().map(|mut err| {
            std::thread::spawn(move || {
                let mut tail = Vec::new();
                let mut chunk = [0u8; 4096];
                while let Ok(n) = err.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    tail.extend_from_slice(&chunk[..n]);
                    if tail.len() > 2 * STDERR_TAIL {
                        tail.drain(..tail.len() - STDERR_TAIL);
                    }
                }
                tail
            })
        });
        let stdin = child.stdin.take();
        let Some(stdout) = child.stdout.take() else {
            // Best effort: the process is not used.
            let _ = child.kill();
            let _ = child.wait();
            return Err(OcrError::Engine("no output pipe for tesseract".into()));
        };
        Ok(Running {
            child,
            stdin,
            stdout,
            pending: Vec::new(),
            sent: 0,
            stderr,
            broken: false,
        })
    }

    /// Recognises one grey image (`dpi`: its resolution) and returns its
    /// words. An image with a side over [`ENGINE_MAX_SIDE`] is read in
    /// pieces cut at the palest rows (columns), every piece within the limit.
    pub fn recognise(&mut self, img: &Gray, dpi: u32) -> Result<Vec<Word>, OcrError> {
        if img.width <= ENGINE_MAX_SIDE && img.height <= ENGINE_MAX_SIDE {
            return self.recognise_one(img, dpi);
        }
        let mut words = Vec::new();
        for (k, (x0, y0, piece)) in pieces(img, ENGINE_MAX_SIDE).into_iter().enumerate() {
            for mut w in self.recognise_one(&piece, dpi)? {
                w.x0 += x0 as i32;
                w.x1 += x0 as i32;
                w.y0 += y0 as i32;
                w.y1 += y0 as i32;
                // Lines of different pieces never join.
                w.line_key.0 = w
                    .line_key
                    .0
                    .wrapping_add((k as u32 + 1).wrapping_mul(PIECE_BLOCKS));
                words.push(w);
            }
        }
        Ok(words)
    }

    fn recognise_one(&mut self, img: &Gray, dpi: u32) -> Result<Vec<Word>, OcrError> {
        let image = self
            .dir
            .join(if self.tiff { "page.tif" } else { "page.pgm" });
        match self.running.as_mut() {
            Some(run) => {
                if run.broken {
                    return Err(OcrError::Engine(
                        "the tesseract session failed before".into(),
                    ));
                }
                write_tiff(img, dpi, &image)?;
                let marker = self.dir.join(MARKER_FILE);
                run.read(&image, &marker)
            }
            None => {
                let mut extra = Vec::new();
                if self.tiff {
                    write_tiff(img, dpi, &image)?;
                } else {
                    std::fs::write(&image, img.to_pgm()).map_err(|e| {
                        OcrError::Engine(format!("cannot write a temporary image: {e}"))
                    })?;
                    extra = vec!["--dpi".to_string(), dpi.to_string()];
                }
                let out = Command::new(binary())
                    .arg(&image)
                    .arg("stdout")
                    .args(self.args())
                    .args(extra)
                    .arg("tsv")
                    .env("OMP_THREAD_LIMIT", "1")
                    .stdin(Stdio::null())
                    .output()
                    .map_err(|e| OcrError::Engine(format!("cannot start tesseract: {e}")))?;
                if !out.status.success() {
                    return Err(OcrError::Engine(format!(
                        "tesseract failed ({}): {}",
                        out.status,
                        String::from_utf8_lossy(&out.stderr).trim()
                    )));
                }
                Ok(parse_tsv(&String::from_utf8_lossy(&out.stdout)))
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // The process ends before its directory goes.
        self.running = None;
        // Best effort: a leftover temporary directory is harmless.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Running {
    /// Hands over `image` and the marker image, and returns the image's words.
    fn read(&mut self, image: &Path, marker: &Path) -> Result<Vec<Word>, OcrError> {
        let page = self.sent + 1;
        let mut list = Vec::new();
        for p in [image, marker] {
            list.extend_from_slice(p.as_os_str().as_encoded_bytes());
            list.push(b'\n');
        }
        let written = match self.stdin.as_mut() {
            Some(w) => w.write_all(&list).and_then(|()| w.flush()),
            None => Err(std::io::Error::other("the file list is closed")),
        };
        self.sent += 2;
        if let Err(e) = written {
            return Err(self.failure(&format!("cannot hand over the image: {e}")));
        }
        let end = match self.read_until(format!("\n1\t{}\t", page + 1).as_bytes()) {
            Ok(end) => end,
            Err(e) => return Err(self.failure(&e)),
        };
        let words = parse_tsv_page(&String::from_utf8_lossy(&self.pending[..end]), page);
        self.pending.drain(..end);
        Ok(words)
    }

    /// Reads output until `needle` (which starts with a line break) appears;
    /// returns the offset just past that line break.
    fn read_until(&mut self, needle: &[u8]) -> Result<usize, String> {
        let mut from = 0;
        let mut chunk = vec![0u8; 1 << 16];
        loop {
            let found = self.pending[from..]
                .iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'\n')
                .map(|(i, _)| from + i)
                .find(|&i| self.pending[i..].starts_with(needle));
            if let Some(i) = found {
                return Ok(i + 1);
            }
            from = self.pending.len().saturating_sub(needle.len());
            match self.stdout.read(&mut chunk) {
                Ok(0) => return Err("the engine stopped".into()),
                Ok(n) => self.pending.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("reading its output: {e}")),
            }
        }
    }

    /// Marks the process broken, stops it and names the failure with its messages.
    fn failure(&mut self, what: &str) -> OcrError {
        self.broken = true;
        self.stdin = None;
        // Best effort: the process may have ended already.
        let _ = self.child.kill();
        let status = self
            .child
            .wait()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let tail = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        let msg = String::from_utf8_lossy(&tail);
        OcrError::Engine(format!("tesseract failed{status}: {what}; {}", msg.trim()))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Closing the file list ends the engine; a broken one is stopped.
        self.stdin = None;
        if self.broken {
            // Best effort: the process may have ended already.
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        if let Some(h) = self.stderr.take() {
            let _ = h.join();
        }
    }
}

/// Writes an uncompressed grey TIFF with its resolution.
fn write_tiff(img: &Gray, dpi: u32, path: &Path) -> Result<(), OcrError> {
    let file = std::fs::File::create(path)
        .map_err(|e| OcrError::Engine(format!("cannot write a temporary image: {e}")))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
    w.write_all(&img.tiff_header(dpi))
        .and_then(|()| w.write_all(&img.data))
        .and_then(|()| w.flush())
        .map_err(|e| OcrError::Engine(format!("cannot write a temporary image: {e}")))
}

/// A group of engine sessions of one model and mode for one reading call:
/// a page takes an idle session or starts one, and gives it back when it
/// is done. The sessions end when the pool is dropped.
pub struct Pool {
    lang: String,
    psm: u32,
    settings: Vec<String>,
    idle: Mutex<Vec<Session>>,
}

impl Pool {
    /// A pool of sessions with model `lang`, mode `psm` and extra settings; none started yet.
    pub fn new(lang: &str, psm: u32, settings: &[&str]) -> Pool {
        Pool {
            lang: lang.into(),
            psm,
            settings: settings.iter().map(|s| s.to_string()).collect(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Recognises one grey image with an idle session (or a new one).
    pub fn recognise(&self, img: &Gray, dpi: u32) -> Result<Vec<Word>, OcrError> {
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        let mut session = match idle {
            Some(s) => s,
            None => {
                let settings: Vec<&str> = self.settings.iter().map(String::as_str).collect();
                Session::start(&self.lang, self.psm, &settings)?
            }
        };
        let words = session.recognise(img, dpi)?;
        if let Ok(mut v) = self.idle.lock() {
            v.push(session);
        }
        Ok(words)
    }
}

/// Block numbers added to the words of each piece of a split image.
const PIECE_BLOCKS: u32 = 1_000_000;

/// Cuts an image into pieces with no side over `max`: `(x0, y0, piece)`.
/// Each cut is made at the palest row (column) of the last fifth of the
/// allowed span, so text lines are rarely cut through.
pub fn pieces(img: &Gray, max: u32) -> Vec<(u32, u32, Gray)> {
    let max = max.max(16);
    let mut out = Vec::new();
    for (y0, y1) in cuts(img.height, max, |y| {
        let row = &img.data[(y * img.width) as usize..][..img.width as usize];
        row.iter().map(|&v| 255 - v as u32).sum::<u32>()
    }) {
        for (x0, x1) in cuts(img.width, max, |x| {
            (y0..y1)
                .map(|y| 255 - img.get(x, y) as u32)
                .fold(0u32, u32::saturating_add)
        }) {
            let mut piece = Gray::filled(x1 - x0, y1 - y0, 255);
            for y in y0..y1 {
                let src = (y * img.width + x0) as usize;
                let dst = ((y - y0) * (x1 - x0)) as usize;
                piece.data[dst..dst + (x1 - x0) as usize]
                    .copy_from_slice(&img.data[src..src + (x1 - x0) as usize]);
            }
            out.push((x0, y0, piece));
        }
    }
    out
}

/// Spans `[a, b)` covering `0..len`, none longer than `max`, each ending at
/// the line with the least `ink` in the last fifth of the allowed span.
fn cuts(len: u32, max: u32, ink: impl Fn(u32) -> u32) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut a = 0;
    while len - a > max {
        let hi = a + max;
        let lo = a + max - max / 5;
        let cut = (lo..hi)
            .min_by_key(|&i| (ink(i), std::cmp::Reverse(i)))
            .unwrap_or(hi);
        out.push((a, cut.max(a + 1)));
        a = cut.max(a + 1);
    }
    out.push((a, len));
    out
}

/// Parses tesseract's TSV output into words (level 5 rows with text).
pub fn parse_tsv(tsv: &str) -> Vec<Word> {
    parse_tsv_page(tsv, 0)
}

/// [`parse_tsv`] of one page (1-based) of a several-page output; 0: every page.
fn parse_tsv_page(tsv: &str, page: u32) -> Vec<Word> {
    let page = page.to_string();
    let mut words = Vec::new();
    for line in tsv.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 12 || f[0] != "5" || (page != "0" && f[1] != page) {
            continue;
        }
        let text = f[11].trim();
        if text.is_empty() {
            continue;
        }
        let num = |i: usize| f[i].trim().parse::<i64>().unwrap_or(0);
        let conf = f[10].trim().parse::<f32>().unwrap_or(0.0);
        let (left, top, width, height) =
            (num(6) as i32, num(7) as i32, num(8) as i32, num(9) as i32);
        words.push(Word {
            text: kehoach_text::nfc(text).into_owned(),
            conf: (conf / 100.0).clamp(0.0, 1.0),
            x0: left,
            y0: top,
            x1: left + width,
            y1: top + height,
            line_key: (num(2) as u32, num(3) as u32, num(4) as u32),
        });
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tsv_words() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t10\t20\t30\t12\t91.5\tKế\n\
                   5\t1\t1\t1\t1\t2\t45\t20\t40\t12\t40\thoạch\n\
                   5\t1\t1\t1\t1\t3\t45\t20\t40\t12\t95\t \n";
        let w = parse_tsv(tsv);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].text, "Kế");
        assert_eq!((w[0].x1, w[0].y1), (40, 32));
        assert!((w[1].conf - 0.40).abs() < 1e-6);
    }

    #[test]
    fn parses_one_page_of_several() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t10\t20\t30\t12\t91\tmột\n\
                   1\t2\t0\t0\t0\t0\t0\t0\t4\t4\t-1\t\n\
                   1\t3\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
                   5\t3\t1\t1\t1\t1\t10\t20\t30\t12\t91\thai\n";
        let texts = |page| -> Vec<String> {
            parse_tsv_page(tsv, page)
                .into_iter()
                .map(|w| w.text)
                .collect()
        };
        assert_eq!(texts(1), ["một"]);
        assert!(texts(2).is_empty());
        assert_eq!(texts(3), ["hai"]);
        assert_eq!(texts(0), ["một", "hai"]);
    }

    #[test]
    fn reads_engine_abilities() {
        let v5 = "tesseract 5.3.0\n leptonica-1.82.0\n  libgif 5.2.1 : libjpeg 6b : libpng 1.6.39 : libtiff 4.5.0 : zlib 1.2.13\n";
        assert_eq!(
            abilities_of(v5),
            Abilities {
                streams: true,
                tiff: true
            }
        );
        let v4 = "tesseract 4.1.1\n leptonica-1.79.0\n  libgif 5.1.4 : libjpeg 8d : libpng 1.6.37 : libtiff 4.1.0 : zlib 1.2.11\n";
        assert_eq!(
            abilities_of(v4),
            Abilities {
                streams: false,
                tiff: true
            }
        );
        let bare =
            "tesseract v5.0.0-alpha.20201127\n leptonica-1.80.0\n  libpng 1.6.37 : zlib 1.2.11\n";
        assert_eq!(
            abilities_of(bare),
            Abilities {
                streams: false,
                tiff: false
            }
        );
        assert!(!abilities_of("").streams);
    }

    /// A strip of the first fixture scan, with text.
    fn sample() -> Option<(Gray, u32)> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/scans/300/000_9b75833fe1e96175.pdf");
        let bytes = std::fs::read(path).ok()?;
        let pdf = crate::pdf::load(&bytes).ok()?;
        let page = crate::pdf::page_image(&pdf, &bytes, 1).ok()?;
        let (w, h) = (page.image.width, page.image.height.min(500));
        let data = page.image.data[..(w * h) as usize].to_vec();
        Some((
            Gray {
                width: w,
                height: h,
                data,
            },
            page.dpi,
        ))
    }

    #[test]
    fn sessions_read_like_single_runs() {
        if check().is_err() {
            eprintln!("tesseract is not installed: the session test is skipped");
            return;
        }
        let Some((img, dpi)) = sample() else {
            panic!("the fixture scan cannot be read");
        };
        let text = |ws: &[Word]| {
            ws.iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let once = Session::start_as("vie", 6, &[], false, true)
            .and_then(|mut s| s.recognise(&img, dpi))
            .expect("one run");
        assert!(once.len() > 5, "{}", text(&once));
        let pgm = Session::start_as("vie", 6, &[], false, false)
            .and_then(|mut s| s.recognise(&img, dpi))
            .expect("one run from a PGM");
        assert_eq!(pgm, once);
        if abilities().streams {
            let mut s = Session::start_as("vie", 6, &[], true, true).expect("session");
            assert!(s.running.is_some());
            let blank = Gray::filled(300, 200, 255);
            assert_eq!(s.recognise(&img, dpi).expect("first"), once);
            assert!(s.recognise(&blank, dpi).expect("blank").is_empty());
            assert_eq!(s.recognise(&img, dpi).expect("third"), once);
        }
    }

    #[test]
    fn a_failing_session_reports_an_error() {
        if check().is_err() || !abilities().streams {
            return;
        }
        let mut s = Session::start("vie", 6, &[]).expect("session");
        // Too tall for the engine: it gives up and ends.
        let err = s.recognise_one(&Gray::filled(8, 40_000, 255), 300);
        assert!(matches!(err, Err(OcrError::Engine(_))), "{err:?}");
        assert!(s.recognise(&Gray::filled(8, 8, 255), 300).is_err());
    }

    #[test]
    fn images_over_the_engine_limit_are_read_in_pieces() {
        let mut img = Gray::filled(100, 70_000, 255);
        // Ink everywhere but a pale row every 1000 pixels.
        for (y, row) in img.data.chunks_exact_mut(100).enumerate() {
            if y % 1000 != 500 {
                row[10..90].fill(0);
            }
        }
        let ps = pieces(&img, 30_000);
        assert_eq!(ps.len(), 3);
        let mut y = 0;
        for (x0, y0, p) in &ps {
            assert_eq!((*x0, *y0), (0, y));
            assert!(p.height <= 30_000 && p.width == 100);
            y += p.height;
        }
        assert_eq!(y, 70_000);
        assert_eq!(ps[0].2.height % 1000, 500, "cut at a pale row");
        let wide = pieces(&Gray::filled(65_000, 4, 255), 30_000);
        assert_eq!(wide.len(), 3);
        assert!(wide.iter().all(|(_, _, p)| p.width <= 30_000));
        if check().is_ok() {
            let mut s = Session::start("vie", 6, &[]).expect("session");
            let words = s.recognise(&Gray::filled(8, 40_000, 255), 300);
            assert!(words.is_ok_and(|w| w.is_empty()));
        }
    }
}
