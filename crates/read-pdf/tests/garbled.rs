//! A real PDF whose text layer maps glyphs to the wrong characters.

use std::path::Path;

#[test]
fn reencoded_text_layer_is_reported() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/real/r04_laocai_sct_doankt_kh1105_vlncn_2026.pdf"
    ));
    let Ok(bytes) = std::fs::read(path) else {
        println!("skipped: {} is not present", path.display());
        return;
    };
    let doc = kehoach_read_pdf::read(&bytes).expect("reads");
    assert_eq!(
        kehoach_read_pdf::garbled_pages(&doc),
        vec![1, 2, 3, 4, 5, 6]
    );
    assert!(doc
        .warnings
        .iter()
        .any(|w| w.code == kehoach_read_pdf::GARBLED_CODE));
}

#[test]
fn fixture_pdfs_are_not_garbled() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/pdf"));
    let mut n = 0;
    for sub in ["lo", "cairo", "unruled"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(bytes) = std::fs::read(e.path()) else {
                continue;
            };
            let Ok(doc) = kehoach_read_pdf::read(&bytes) else {
                continue;
            };
            assert!(
                kehoach_read_pdf::garbled_pages(&doc).is_empty(),
                "{}",
                e.path().display()
            );
            assert!(doc
                .warnings
                .iter()
                .all(|w| w.code != kehoach_read_pdf::GARBLED_CODE));
            n += 1;
        }
    }
    assert!(n > 0, "no fixture PDF read");
}
