//! Reads PDFs and writes one plan record per file: `pdfextract OUT_DIR FILE.pdf…`
//! (`<stem>.json` in OUT_DIR), for scoring with `scripts/score.py`.

use kehoach_plan::{Format, Source};
use std::path::Path;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next() else {
        eprintln!("usage: pdfextract OUT_DIR FILE.pdf…");
        std::process::exit(2);
    };
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("{out}: {e}");
        std::process::exit(2);
    }
    for path in args {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let doc = match kehoach_read_pdf::read(&bytes) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let source = Source {
            path: path.clone(),
            sha256: String::new(),
            format: Format::Pdf,
            pages: doc.page_count,
        };
        let plan = kehoach_extract::extract(&doc, source);
        let stem = Path::new(&path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dest = Path::new(&out).join(format!("{stem}.json"));
        match serde_json::to_string_pretty(&plan) {
            Ok(json) => {
                if let Err(e) = std::fs::write(&dest, json) {
                    eprintln!("{}: {e}", dest.display());
                }
            }
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
