//! The OCR engine: the `tesseract` binary run as a subprocess with TSV output.

use crate::raster::Gray;
use crate::OcrError;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The Debian packages that provide the engine and its Vietnamese model.
pub const TESSERACT_PACKAGES: &str = "tesseract-ocr tesseract-ocr-vie";

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

/// Runs tesseract on a grey image (`dpi` tells it the resolution) and
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
    check()?;
    let pgm = img.to_pgm();
    let mut cmd = Command::new(binary());
    cmd.args([
        "stdin",
        "stdout",
        "-l",
        lang,
        "--psm",
        &psm.to_string(),
        "--dpi",
        &dpi.to_string(),
    ]);
    for s in settings {
        cmd.args(["-c", s]);
    }
    let mut child = cmd
        .arg("tsv")
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| OcrError::Engine(format!("cannot start tesseract: {e}")))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| OcrError::Engine("no stdin for tesseract".into()))?;
    let writer = std::thread::spawn(move || {
        let r = stdin.write_all(&pgm);
        drop(stdin);
        r
    });
    let mut stdout = Vec::new();
    if let Some(mut s) = child.stdout.take() {
        s.read_to_end(&mut stdout)
            .map_err(|e| OcrError::Engine(format!("reading tesseract output: {e}")))?;
    }
    let mut stderr = Vec::new();
    if let Some(mut s) = child.stderr.take() {
        // Best effort: stderr only serves the error message.
        let _ = s.read_to_end(&mut stderr);
    }
    let status = child
        .wait()
        .map_err(|e| OcrError::Engine(format!("waiting for tesseract: {e}")))?;
    let _ = writer.join();
    if !status.success() {
        return Err(OcrError::Engine(format!(
            "tesseract failed ({status}): {}",
            String::from_utf8_lossy(&stderr).trim()
        )));
    }
    Ok(parse_tsv(&String::from_utf8_lossy(&stdout)))
}

/// Parses tesseract's TSV output into words (level 5 rows with text).
pub fn parse_tsv(tsv: &str) -> Vec<Word> {
    let mut words = Vec::new();
    for line in tsv.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 12 || f[0] != "5" {
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
}
