//! Prints what the OCR reader makes of a scanned PDF or page image: the
//! warnings, then every block (paragraphs as text, tables row by row).
//!
//! Usage: `cargo run --release -p kehoach-read-ocr --example dump -- FILE [PAGE...]`

use kehoach_doc::Block;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = args.first() else {
        eprintln!("usage: dump FILE [PAGE...]");
        std::process::exit(2);
    };
    let pages: Vec<u32> = args[1..].iter().filter_map(|p| p.parse().ok()).collect();
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{file}: {e}");
            std::process::exit(1);
        }
    };
    let doc = if bytes.starts_with(b"%PDF") {
        kehoach_read_ocr::read_scanned_pdf(&bytes, &pages)
    } else {
        kehoach_read_ocr::read_image(&bytes)
    };
    let doc = match doc {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    for w in &doc.warnings {
        println!("warning {}: {}", w.code, w.message);
    }
    for page in &doc.pages {
        println!("=== page {:?}", page.number);
        for b in &page.blocks {
            match b {
                Block::Paragraph(p) => println!("{}", p.text),
                Block::Table(t) => {
                    println!("--- table, {} rows", t.rows.len());
                    for r in &t.rows {
                        let cells: Vec<String> =
                            r.cells.iter().map(|c| c.text.replace('\n', " ")).collect();
                        println!("| {} |", cells.join(" | "));
                    }
                }
            }
        }
    }
}
