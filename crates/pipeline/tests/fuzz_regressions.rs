//! Replays every saved fuzzing input (fixtures/fuzz-regressions/<target>/*)
//! and the bad-input corpus (fixtures/bad/) through the functions the fuzz
//! targets in fuzz/ exercise, with the same assertions. A panic anywhere —
//! even one a reader catches and turns into an error — fails the test.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

static PANICS: AtomicUsize = AtomicUsize::new(0);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn source(format: kehoach_plan::Format) -> kehoach_plan::Source {
    kehoach_plan::Source {
        path: "fuzz".into(),
        sha256: String::new(),
        format,
        pages: None,
    }
}

fn normalize(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        let once = kehoach_text::normalize(s);
        assert_eq!(
            kehoach_text::normalize(&once),
            once,
            "normalize is not idempotent"
        );
        let nfc = kehoach_text::nfc(&once);
        assert!(
            matches!(nfc, std::borrow::Cow::Borrowed(_)),
            "normalize returned text that is not NFC"
        );
    }
}

fn fold(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        let once = kehoach_text::fold(s);
        assert_eq!(kehoach_text::fold(&once), once, "fold is not idempotent");
    }
}

fn read_text(data: &[u8]) {
    if let Ok(doc) = kehoach_read_text::read(data) {
        kehoach_extract::extract(&doc, source(kehoach_plan::Format::Text));
    }
}

fn parse_due_targets(data: &[u8]) {
    let (year, text) = match data.split_first() {
        Some((&b, rest)) => (
            if b == 0 {
                None
            } else {
                Some(1900 + i32::from(b))
            },
            rest,
        ),
        None => (None, data),
    };
    if let Ok(s) = std::str::from_utf8(text) {
        kehoach_plan::due::parse_due(s, year);
        kehoach_plan::target::parse_targets(s);
    }
}

fn read_docx(data: &[u8]) {
    if let Ok(doc) = kehoach_read_docx::read(data) {
        kehoach_extract::extract(&doc, source(kehoach_plan::Format::Docx));
    }
}

fn read_pdf(data: &[u8]) {
    if let Ok(doc) = kehoach_read_pdf::read(data) {
        kehoach_extract::extract(&doc, source(kehoach_plan::Format::Pdf));
    }
}

type Target = (&'static str, fn(&[u8]));

const TARGETS: &[Target] = &[
    ("normalize", normalize),
    ("fold", fold),
    ("read_text", read_text),
    ("parse_due_targets", parse_due_targets),
    ("read_docx", read_docx),
    ("read_pdf", read_pdf),
];

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn replay(name: &str, f: fn(&[u8]), input: &Path) {
    let data = std::fs::read(input).unwrap();
    // Run on a thread with a large stack, like the import's reader threads.
    let handle = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || f(&data))
        .unwrap();
    let ok = handle.join().is_ok();
    let panics = PANICS.swap(0, Ordering::SeqCst);
    assert!(ok && panics == 0, "{name} panicked on {}", input.display());
}

#[test]
fn saved_fuzz_inputs_and_the_bad_corpus_do_not_panic() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default(info);
    }));
    let mut replayed = 0;
    for (name, f) in TARGETS {
        for input in files(&root().join("fixtures/fuzz-regressions").join(name)) {
            replay(name, *f, &input);
            replayed += 1;
        }
        for input in files(&root().join("fixtures/bad")) {
            replay(name, *f, &input);
            replayed += 1;
        }
    }
    assert!(replayed > 0);
    eprintln!("{replayed} inputs replayed");
}
