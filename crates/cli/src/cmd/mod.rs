//! Subcommands.
pub mod db;
pub mod diff;
pub mod export;
pub mod extract;
pub mod import;
pub mod links;
pub mod plans;
pub mod remove;
pub mod search;
pub mod serve;
pub mod show;
pub mod targets;
pub mod verify;
