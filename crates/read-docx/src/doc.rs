//! Word 97 (`.doc`) files, converted to DOCX by LibreOffice.

use crate::ReadError;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one conversion may take.
const TIMEOUT: Duration = Duration::from_secs(180);

/// Converts Word 97 bytes to DOCX bytes with `soffice --headless
/// --convert-to docx`, in a temporary directory that is removed afterwards.
///
/// Fails with [`ReadError::NoLibreOffice`] when `soffice` cannot be started.
pub fn convert_doc(bytes: &[u8]) -> Result<Vec<u8>, ReadError> {
    let dir = TempDir::new()?;
    let input = dir.0.join("input.doc");
    std::fs::write(&input, bytes)
        .map_err(|e| ReadError::Conversion(format!("cannot write a temporary file: {e}")))?;
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.0.join("profile").display()
    );
    let spawned = Command::new(soffice())
        .arg(profile)
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
        ])
        .arg(&dir.0)
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ReadError::NoLibreOffice),
        Err(e) => return Err(ReadError::Conversion(format!("cannot start soffice: {e}"))),
    };
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ReadError::Conversion(format!(
                    "soffice took longer than {}s",
                    TIMEOUT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(ReadError::Conversion(e.to_string())),
        }
    };
    let out = dir.0.join("input.docx");
    match std::fs::read(&out) {
        Ok(b) => Ok(b),
        Err(_) => {
            let mut err = String::new();
            if let Some(mut s) = child.stderr.take() {
                use std::io::Read;
                let _ = s.read_to_string(&mut err);
            }
            Err(ReadError::Conversion(format!(
                "soffice ({status}) produced no DOCX: {}",
                err.trim()
            )))
        }
    }
}

/// `$KEHOACH_SOFFICE`, else `soffice` on the `PATH`.
fn soffice() -> PathBuf {
    std::env::var_os("KEHOACH_SOFFICE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("soffice"))
}

/// A fresh directory under the system temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, ReadError> {
        let base = std::env::temp_dir();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        for i in 0..100u32 {
            let p = base.join(format!("kehoach-doc-{}-{nanos}-{i}", std::process::id()));
            if std::fs::create_dir(&p).is_ok() {
                return Ok(TempDir(p));
            }
        }
        Err(ReadError::Conversion(
            "cannot create a temporary directory".into(),
        ))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        remove(&self.0);
    }
}

fn remove(p: &Path) {
    let _ = std::fs::remove_dir_all(p);
}
