//! Test data: the sample corpus plus a hostile plan, imported into a temporary data directory.

#![allow(dead_code)]

use kehoach_index::{Store, WriterOptions};
use kehoach_plan::{Format, Source};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The text that the hostile plan's task content holds.
pub const SCRIPT: &str = "<script>alert(1)</script>";
/// A word only the hostile task holds.
pub const CANARY: &str = "xsscanary";

/// The repository's `corpus/` directory.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus")
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A plan derived from sample 000 whose task content, lead unit and title hold markup.
pub fn hostile_plan_text() -> String {
    let base = std::fs::read_to_string(corpus_dir().join("000_9b75833fe1e96175.txt"))
        .expect("corpus/000 is readable");
    let needle = "Chỉ đạo, hướng dẫn";
    let out = if base.contains(needle) {
        base.replacen(
            needle,
            &format!(
                "Chỉ đạo {SCRIPT} {CANARY} \"quoted\" & <img src=x onerror=alert(2)>, hướng dẫn"
            ),
            1,
        )
    } else {
        base
    };
    assert!(out.contains(CANARY), "the hostile plan could not be made");
    out
}

/// The plan of the text plan `bytes` imported as `name`, with the bytes' SHA-256.
fn text_plan(name: &str, bytes: &[u8]) -> (String, kehoach_plan::Plan) {
    let doc = kehoach_read_text::read(bytes).expect("text plan");
    let sha = sha256_hex(bytes);
    let source = Source {
        path: name.to_string(),
        sha256: sha.clone(),
        format: Format::Text,
        pages: doc.page_count,
    };
    (sha, kehoach_extract::extract(&doc, source))
}

/// Imports every `corpus/*.txt` and the hostile plan (as `generated/hostile.txt`) into `dir`.
/// Returns the opened store.
pub fn import_all(dir: &Path) -> Store {
    let store = Store::open_or_create(dir).expect("data dir");
    fill(&store);
    store
}

/// Writes the corpus and the hostile plan into `store` (any store).
pub fn fill(store: &dyn kehoach_index::PlanStore) {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("corpus dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    names.sort();
    for p in names {
        let name = format!(
            "corpus/{}",
            p.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        );
        files.push((name, std::fs::read(&p).expect("readable sample")));
    }
    files.push((
        "generated/hostile.txt".to_string(),
        hostile_plan_text().into_bytes(),
    ));
    {
        let mut w = store.plan_writer(WriterOptions::default()).expect("writer");
        for (name, bytes) in &files {
            let (sha, plan) = text_plan(name, bytes);
            w.add_plan(name, &sha, &plan).expect("add plan");
        }
        w.commit().expect("commit");
    }
    store.reload().expect("reload");
}

/// The id of the imported plan from `corpus/<stem>.txt`.
pub fn id_of(store: &dyn kehoach_index::PlanStore, stem: &str) -> String {
    store
        .find(&format!("corpus/{stem}.txt"))
        .expect("find")
        .first()
        .map(|p| p.id.clone())
        .expect("imported")
}

/// Imports the linked fixtures (`fixtures/links/*.txt`: a province plan, a
/// district plan implementing it, two commune plans implementing that, the
/// district's report) into `store` as `links/<name>`. Returns their plan ids
/// by short name (`l1` … `l5`).
pub fn import_links(store: &Store) -> std::collections::BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/links");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("links fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    names.sort();
    let mut ids = std::collections::BTreeMap::new();
    {
        let mut w = store.writer(WriterOptions::default()).expect("writer");
        for p in names {
            let file = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = std::fs::read(&p).expect("readable fixture");
            let name = format!("links/{file}");
            let (sha, plan) = text_plan(&name, &bytes);
            let id = w.add_plan(&name, &sha, &plan).expect("add plan");
            let short = file.split('_').next().unwrap_or_default().to_string();
            ids.insert(short, id);
        }
        w.commit().expect("commit");
    }
    store.reload().expect("reload");
    ids
}
