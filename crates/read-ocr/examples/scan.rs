//! Reads scanned PDFs or images and writes their plan records as JSON.
//!
//! Usage: `cargo run --release -p kehoach-read-ocr --example scan -- OUT_DIR FILE...`

use kehoach_plan::{Format, Source};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((out, files)) = args.split_first() else {
        eprintln!("usage: scan OUT_DIR FILE...");
        std::process::exit(2);
    };
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("{out}: {e}");
        std::process::exit(1);
    }
    for f in files {
        let bytes = match std::fs::read(f) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{f}: {e}");
                continue;
            }
        };
        let t = std::time::Instant::now();
        let doc = if bytes.starts_with(b"%PDF") {
            kehoach_read_ocr::read_scanned_pdf(&bytes, &[])
        } else {
            kehoach_read_ocr::read_image(&bytes)
        };
        let doc = match doc {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{f}: {e}");
                continue;
            }
        };
        let stem = std::path::Path::new(f)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let source = Source {
            path: f.clone(),
            sha256: String::new(),
            format: Format::Ocr,
            pages: doc.page_count,
        };
        let plan = kehoach_extract::extract(&doc, source);
        let json = serde_json::to_string_pretty(&plan).unwrap_or_default();
        let _ = std::fs::write(format!("{out}/{stem}.json"), json);
        let docjson = serde_json::to_string_pretty(&doc).unwrap_or_default();
        let _ = std::fs::write(format!("{out}/{stem}.doc.json"), docjson);
        eprintln!(
            "{f}: {} pages, {} tasks, {:.1}s",
            doc.pages.len(),
            plan.tasks.len(),
            t.elapsed().as_secs_f64()
        );
        for w in &doc.warnings {
            eprintln!("  {}: {}", w.code, w.message);
        }
    }
}
