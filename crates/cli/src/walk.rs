//! The command-line flags of reading inputs, shared by `extract` and
//! `import`: which files a walk takes (the walk itself is
//! [`kehoach_pipeline::walk`]) and where OCR results are kept.

pub use kehoach_pipeline::walk::{walk, Options};
use std::path::PathBuf;

/// The walk's command-line flags, shared by `extract` and `import`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct WalkArgs {
    /// Leave out files and folders matching GLOB (gitignore syntax: `*.pdf`,
    /// `drafts/`, `2019/**/old*`); repeatable. A `.kehoachignore` file in any
    /// walked folder adds rules the same way.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Walk hidden files and folders (`.name`) too.
    #[arg(long)]
    pub include_hidden: bool,
}

impl WalkArgs {
    /// The walk options these flags ask for.
    pub fn options(&self) -> Options {
        Options {
            excludes: self.exclude.clone(),
            include_hidden: self.include_hidden,
            skip_dirs: Vec::new(),
        }
    }
}

/// Where OCR results are kept, shared by `extract` and `import`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct OcrArgs {
    /// Keep the OCR results of scans in DIR and take them from there when the
    /// same bytes are read again (by this or another command, or another
    /// machine sharing DIR): a second import of an archive of scans costs no
    /// OCR. Results of another kehoach build or tesseract version are not used.
    #[arg(long, value_name = "DIR", env = "KEHOACH_OCR_CACHE")]
    pub ocr_cache: Option<PathBuf>,
}
