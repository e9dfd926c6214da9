//! ntpq-rs: the `ntpq` program as a library, so that the man page and the
//! completions can be generated from the same definitions (see
//! `tests/docs.rs`) and the interpreter can be tested in-process.
//!
//! From the top down:
//! * [`interpreter`] — reads a line, finds the command in
//!   [`commands::TABLE`] (the one command table) and runs its handler;
//!   [`repl`] feeds it lines (completion: [`complete`]), [`hosts`] the
//!   `-c` commands, one interpreter per host when hosts run at once.
//! * [`commands`] — the table and the handlers. Handlers see only a
//!   [`context::Context`]: the client, the settings and caches, the output.
//! * [`client`] — transport, sequence and authentication ([`auth`]):
//!   signing, the MAC-alignment retry, clearing credentials.
//! * [`transport`] — the trait the client talks through; [`session`] is
//!   its UDP implementation (the receive loop).
//! * Leaves: [`output`] (stdout, stderr, the log stream), [`output_mode`]
//!   (classic, JSON Lines or tables), [`table_style`] (width and colour
//!   of `--format table`), [`error`],
//!   [`explain`] (the line after a failed query's message),
//!   [`cli`] (options), [`resolve`] and [`names`] (host names), [`signal`]
//!   (Ctrl-C, the one global), [`pyint`], [`docs`] and [`completions`] (man page, shell completions).

pub mod auth;
pub mod cli;
pub mod client;
pub mod commands;
pub mod complete;
pub mod completions;
pub mod context;
pub mod docs;
pub mod error;
pub mod explain;
pub mod hosts;
pub mod interpreter;
pub mod memory;
pub mod names;
pub mod output;
pub mod output_mode;
pub mod pyint;
pub mod repl;
pub mod resolve;
pub mod session;
pub mod signal;
pub mod table_style;
pub mod transport;

#[cfg(test)]
mod testing;

/// What `version` prints (and `-V` after `ntpq `): the reference's version,
/// since scripts compare it.
pub const VERSION_TEXT: &str = "ntpsec-1.2.2";
