//! Extracts every text plan given on the command line into `OUT/<stem>.json`
//! (a debugging aid that needs only the text reader and the extractor).
//!
//! Usage: `cargo run -p kehoach-extract --example extract_dir -- OUT FILE...`

use kehoach_plan::{Format, Source};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().ok_or("usage: extract_dir OUT FILE...")?;
    std::fs::create_dir_all(&out)?;
    for file in args {
        let bytes = std::fs::read(&file)?;
        let doc = kehoach_read_text::read(&bytes)?;
        let source = Source {
            path: file.clone(),
            sha256: String::new(),
            format: Format::Text,
            pages: None,
        };
        let plan = kehoach_extract::extract(&doc, source);
        let stem = std::path::Path::new(&file)
            .file_stem()
            .ok_or("no stem")?
            .to_string_lossy()
            .into_owned();
        std::fs::write(
            format!("{out}/{stem}.json"),
            serde_json::to_string_pretty(&plan)?,
        )?;
    }
    Ok(())
}
