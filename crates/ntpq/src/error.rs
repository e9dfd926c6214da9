//! Command failures, and the one place that turns them into messages.

use ntp_control::QueryError;

use crate::output::Output;
use crate::session::Failure;

/// Why a command did not complete normally.
#[derive(Debug, thiserror::Error)]
pub enum CmdError {
    /// A query failed; printed with the reference's text.
    #[error("{0}")]
    Query(QueryError),
    /// A message for stderr (one line, newline added when printed).
    #[error("{0}")]
    Message(String),
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
    /// Prints the message as the reference does. Returns whether the
    /// command counts as failed for the exit status.
    pub fn report(&self, out: &mut Output) -> bool {
        match self {
            CmdError::Query(e) => {
                if e.blank_line_after() {
                    out.warn(&format!("{e}\n"));
                } else {
                    out.warn(&e.to_string());
                }
                true
            }
            CmdError::NoHost => {
                out.warn("***No host open\n");
                true
            }
            CmdError::Message(m) => {
                out.warn(m);
                true
            }
            CmdError::Reported => true,
            CmdError::Interrupted => true,
            CmdError::Quit => false,
        }
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
