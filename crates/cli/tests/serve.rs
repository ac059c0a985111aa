//! `kehoach serve`: starts fast on the sample corpus, prints its URL, answers on loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kehoach");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Stops the server however the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A GET over a fresh connection: (status line, body).
fn get(addr: &str, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read");
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    (
        head.lines().next().unwrap_or("").to_string(),
        body.to_string(),
    )
}

#[test]
fn serves_the_imported_corpus() {
    let data = tempfile::tempdir().expect("temp dir");
    let out = Command::new(BIN)
        .current_dir(root())
        .args(["import", "corpus", "--data"])
        .arg(data.path())
        .output()
        .expect("import runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the URL line");
    let startup = started.elapsed();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    // Generous for debug builds on a busy machine; a release build starts in milliseconds.
    assert!(startup < Duration::from_secs(5), "startup took {startup:?}");

    let (status, body) = get(&addr, "/api/plans");
    assert!(status.contains(" 200 "), "{status}");
    let plans: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(plans.as_array().map(Vec::len), Some(5));

    let (status, body) = get(&addr, "/api/search?q=ho+so+truc+tuyen&year=2024");
    assert!(status.contains(" 200 "), "{status}");
    let res: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert!(res["total"].as_u64().unwrap_or(0) > 0);

    let (status, body) = get(&addr, "/");
    assert!(status.contains(" 200 "), "{status}");
    assert!(body.contains("<html lang=\"vi\">"));
    drop(server);
}

#[test]
fn refuses_a_missing_index() {
    let data = tempfile::tempdir().expect("temp dir");
    let out = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(data.path().join("none"))
        .output()
        .expect("serve runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no index"));
}
