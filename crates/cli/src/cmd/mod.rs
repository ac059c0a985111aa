//! Subcommands.
pub mod extract;
