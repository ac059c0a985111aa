//! The text reader, then the extractor on what it read: never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = kehoach_read_text::read(data) {
        let _ = kehoach_extract::extract(&doc, source());
    }
});

fn source() -> kehoach_plan::Source {
    kehoach_plan::Source {
        path: "fuzz".into(),
        sha256: String::new(),
        format: kehoach_plan::Format::Text,
        pages: None,
    }
}
