//! Prints, for every page of a scanned PDF, the roughness of the ink's row
//! and column profiles ([`kehoach_read_ocr::raster::Gray::line_profiles`]).
//!
//! Usage: `cargo run --release -p kehoach-read-ocr --example orient -- FILE`

fn main() {
    let Some(file) = std::env::args().nth(1) else {
        eprintln!("usage: orient FILE");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&file).unwrap_or_default();
    let Ok(pdf) = kehoach_read_ocr::pdf::load(&bytes) else {
        eprintln!("{file}: not a PDF");
        std::process::exit(1);
    };
    for n in pdf.get_pages().keys() {
        match kehoach_read_ocr::pdf::page_image(&pdf, &bytes, *n) {
            Ok(pi) => {
                let thr = pi.image.ink_threshold();
                let (r, c) = pi.image.line_profiles(thr, pi.dpi);
                println!(
                    "page {n}: {}x{} rows {r:.1} columns {c:.1} ratio {:.2}",
                    pi.image.width,
                    pi.image.height,
                    r / c.max(1e-9)
                );
            }
            Err(e) => println!("page {n}: {e}"),
        }
    }
}
