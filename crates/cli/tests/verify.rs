//! `kehoach verify`: a consistent index verifies; changed source files are found with --rehash.

use serde_json::Value;
use std::path::Path;

mod common;
use common::run;

#[test]
fn verify_checks_the_index_and_rehashes_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
    for e in std::fs::read_dir(&corpus).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, input.join(p.file_name().unwrap())).unwrap();
    }
    let data = tmp.path().join("data");
    let out = run(&["verify"], &data);
    assert_eq!(out.status.code(), Some(2), "no index yet");

    let out = run(&["import", "--quiet", input.to_str().unwrap()], &data);
    assert_eq!(out.status.code(), Some(0));
    let out = run(&["verify", "--json", "--rehash"], &data);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["consistent"], true);
    assert_eq!(r["plans"], 5);
    assert_eq!(r["rehashed"], 5);
    assert!(r["tasks"].as_u64().unwrap() > 100);

    // A source file changed after the import: the index still verifies, the rehash differs.
    let changed = std::fs::read_dir(&input)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut text = std::fs::read(&changed).unwrap();
    text.extend_from_slice(b"\nThay \xc4\x91\xe1\xbb\x95i.\n");
    std::fs::write(&changed, text).unwrap();
    assert_eq!(run(&["verify"], &data).status.code(), Some(0));
    let out = run(&["verify", "--rehash"], &data);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("sha_mismatch") && text.contains("changed since it was imported"),
        "{text}"
    );
}
