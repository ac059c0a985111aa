//! Prints the skew, ruling lines and grids found on one page of a scanned PDF.
//!
//! Usage: `cargo run --release -p kehoach-read-ocr --example lines -- FILE PAGE`

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(file), Some(page)) = (
        args.first(),
        args.get(1).and_then(|p| p.parse::<u32>().ok()),
    ) else {
        eprintln!("usage: lines FILE PAGE");
        std::process::exit(2);
    };
    let bytes = std::fs::read(file).unwrap_or_default();
    let pdf = match kehoach_read_ocr::pdf::load(&bytes) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let pi = match kehoach_read_ocr::pdf::page_image(&pdf, &bytes, page) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let img = pi.image;
    let thr = img.ink_threshold();
    let skew = img.skew_degrees(thr, 5.0);
    println!(
        "{}x{} dpi {} thr {} skew {skew:.2}",
        img.width, img.height, pi.dpi, thr
    );
    // Straightened as the reader does.
    let img = if kehoach_read_ocr::raster::worth_straightening(skew, img.width, img.height, pi.dpi)
    {
        img.rotated(skew)
    } else {
        img
    };
    let (h, v) = kehoach_read_ocr::raster::ruling_lines(&img, img.rule_threshold(thr), pi.dpi);
    println!("h {h:?}\nv {v:?}");
    let g = kehoach_read_ocr::layout::grids(&h, &v, (pi.dpi / 60).max(3));
    println!("grids {g:?}");
    if let Some(out) = args.get(2) {
        let mut clean = img.clone();
        let pad = 2;
        let boxes = kehoach_read_ocr::raster::line_boxes(&h, &v, pad);
        clean.erase(&boxes);
        let _ = std::fs::write(out, clean.to_pgm());
    }
}
