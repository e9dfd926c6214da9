//! ntpq-rs: the `ntpq` program as a library, so that the man page and the
//! completions can be generated from the same definitions (see
//! `tests/docs.rs`).

pub mod app;
pub mod auth;
pub mod cli;
pub mod commands;
pub mod docs;
pub mod error;
pub mod names;
pub mod output;
pub mod repl;
pub mod resolve;
pub mod session;

/// What `version` prints (and `-V` after `ntpq `): the reference's version,
/// since scripts compare it.
pub const VERSION_TEXT: &str = "ntpsec-1.2.2";
