//! The walk's command-line flags (the walk itself is [`kehoach_pipeline::walk`]).

pub use kehoach_pipeline::walk::{walk, Options};

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
