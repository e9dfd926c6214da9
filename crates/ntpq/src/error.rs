//! Command failures, and the one place that turns them into messages.
//!
//! A handler fails by returning a [`CmdError`]: the interpreter prints it
//! ([`CmdError::report`]) and counts the command as failed. A problem the
//! command reports and goes on after takes the same path through
//! `Context::report`. [`CmdError::EndRun`] is the one way to stop the
//! whole run from inside a command.

use std::io::Write;

use ntp_control::QueryError;

use crate::output::Output;
use crate::transport::Failure;

mod json;
pub use json::query_code;

/// Why a command did not complete normally.
#[derive(Debug, thiserror::Error)]
pub enum CmdError {
    /// A query failed; printed with the reference's text.
    #[error("{0}")]
    Query(QueryError),
    /// A message for stderr (newline added when printed).
    #[error("{0}")]
    Message(String),
    /// An argument that is not valid (an association number, …).
    #[error("{0}")]
    Invalid(String),
    /// A command word that is unknown or ambiguous (message as given).
    #[error("{0}")]
    UnknownCommand(String),
    /// A message followed by a blank line (the reference's `"...\n"`).
    #[error("{0}")]
    Paragraph(String),
    /// Wrong arguments: the interpreter prints the command table's usage
    /// text for the word typed.
    #[error("usage")]
    Usage,
    /// Already reported where it happened; only counts as a failure.
    #[error("failure already reported")]
    Reported,
    /// No host is open.
    #[error("***No host open")]
    NoHost,
    /// Ctrl-C.
    #[error("interrupted")]
    Interrupted,
    /// `quit`/`exit`/`EOF` in the REPL.
    #[error("quit")]
    Quit,
    /// Reported as the inner error, then the whole run ends (where the
    /// reference dies of an uncaught exception).
    #[error("{0}")]
    EndRun(Box<CmdError>),
    /// The inner error as the reference reports it, then a line of ours
    /// (`ntpq: <hint>`): the valid values, or the likely cause.
    #[error("{error}")]
    WithHint { error: Box<CmdError>, hint: String },
}

pub type CmdResult = Result<(), CmdError>;

impl From<Failure> for CmdError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Query(e) => CmdError::Query(e),
            Failure::Interrupted => CmdError::Interrupted,
        }
    }
}

impl From<QueryError> for CmdError {
    fn from(e: QueryError) -> Self {
        CmdError::Query(e)
    }
}

impl CmdError {
    /// A message for stderr.
    pub fn msg(text: impl Into<String>) -> CmdError {
        CmdError::Message(text.into())
    }

    /// An invalid argument, with its message.
    pub fn invalid(text: impl Into<String>) -> CmdError {
        CmdError::Invalid(text.into())
    }

    /// This error, followed by `ntpq: <hint>` when reported.
    pub fn hint(self, hint: impl Into<String>) -> CmdError {
        CmdError::WithHint {
            error: Box::new(self),
            hint: hint.into(),
        }
    }

    /// The error under any hint.
    pub fn root(&self) -> &CmdError {
        match self {
            CmdError::WithHint { error, .. } => error.root(),
            other => other,
        }
    }

    /// Whether the reference prints an empty line after the message.
    fn blank_line_after(&self) -> bool {
        match self {
            CmdError::Query(e) => e.blank_line_after(),
            CmdError::Paragraph(_) | CmdError::NoHost => true,
            _ => false,
        }
    }

    /// Prints the message as the reference does (the usage text is the
    /// interpreter's to print). Returns whether the command counts as
    /// failed for the exit status.
    pub fn report(&self, out: &mut Output<dyn Write>) -> bool {
        if out.mode.is_json() {
            return self.report_json(out, None, false);
        }
        let text = match self {
            CmdError::Quit => return false,
            CmdError::Reported | CmdError::Interrupted | CmdError::Usage => return true,
            CmdError::EndRun(inner) => {
                inner.report(out);
                return true;
            }
            CmdError::WithHint { error, hint } => {
                let failed = error.report(out);
                out.warn(&format!("ntpq: {hint}"));
                return failed;
            }
            other => other.to_string(),
        };
        if self.blank_line_after() {
            out.warn(&format!("{text}\n"));
        } else {
            out.warn(&text);
        }
        true
    }
}

/// Process exit codes (documented in the README and man page; the
/// reference always exits 0).
pub mod exit {
    pub const OK: i32 = 0;
    pub const FAILED: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const INTERRUPTED: i32 = 130;
}
