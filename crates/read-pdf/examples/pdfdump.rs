//! Prints the document model a PDF reads into: `cargo run -p kehoach-read-pdf --example pdfdump FILE.pdf`.

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        match kehoach_read_pdf::read(&bytes) {
            Ok(doc) => {
                for w in &doc.warnings {
                    eprintln!("{path}: warning {}: {}", w.code, w.message);
                }
                for p in &doc.pages {
                    println!("=== page {}", p.number.unwrap_or(0));
                    for b in &p.blocks {
                        match b {
                            kehoach_doc::Block::Paragraph(par) => {
                                println!("P{} {:?}", if par.bold { "*" } else { "" }, par.text)
                            }
                            kehoach_doc::Block::Table(t) => {
                                println!("TABLE {} rows", t.rows.len());
                                for r in &t.rows {
                                    println!(
                                        "  | {}",
                                        r.grid()
                                            .iter()
                                            .map(|c| c.replace('\n', "⏎"))
                                            .collect::<Vec<_>>()
                                            .join(" | ")
                                    );
                                }
                            }
                        }
                    }
                }
            }
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
