//! Errors in JSON mode: one object on stderr with a stable `code` taken
//! from the error's type (docs/json.md lists them).

use std::io::Write;

use ntp_control::{QueryError, ServerErrorCode};

use super::CmdError;
use crate::output::Output;

/// The stable code of a failed query. `refused`: the datagrams were
/// refused (nothing listens at the address).
pub fn query_code(e: &QueryError, refused: bool) -> &'static str {
    match e {
        QueryError::Timeout | QueryError::Socket if refused => "refused",
        QueryError::Timeout => "timeout",
        QueryError::Socket => "socket",
        QueryError::Incomplete => "incomplete",
        QueryError::Unspecified => "unspecified",
        QueryError::BufferExceeded => "buffer_exceeded",
        QueryError::Server(code) => match *code {
            ServerErrorCode::UNSPEC => "server_unspecified",
            ServerErrorCode::PERMISSION => "permission",
            ServerErrorCode::BADFMT => "bad_format",
            ServerErrorCode::BADOP => "bad_opcode",
            ServerErrorCode::BADASSOC => "bad_association",
            ServerErrorCode::UNKNOWNVAR => "unknown_variable",
            ServerErrorCode::BADVALUE => "bad_value",
            ServerErrorCode::RESTRICT => "restricted",
            _ => "server_error",
        },
    }
}

impl CmdError {
    /// The stable code of this error (under any hint or end of run).
    pub fn code(&self, refused: bool) -> &'static str {
        match self {
            CmdError::Query(q) => query_code(q, refused),
            CmdError::Message(_) | CmdError::Paragraph(_) => "command_failed",
            CmdError::UnknownCommand(_) => "unknown_command",
            CmdError::Invalid(_) => "invalid_argument",
            CmdError::Usage => "usage",
            CmdError::Reported => "reported",
            CmdError::NoHost => "no_host",
            CmdError::Interrupted => "interrupted",
            CmdError::Quit => "quit",
            CmdError::EndRun(inner) => inner.code(refused),
            CmdError::WithHint { error, .. } => error.code(refused),
        }
    }

    /// [`CmdError::report`] in JSON mode: one error object, the hints
    /// (ours and `explain`'s) in its `hint` field. Returns whether the
    /// command counts as failed.
    pub fn report_json(
        &self,
        out: &mut Output<dyn Write>,
        explanation: Option<String>,
        refused: bool,
    ) -> bool {
        let mut e = self;
        let mut hints: Vec<&str> = Vec::new();
        loop {
            match e {
                CmdError::Quit => return false,
                CmdError::Reported | CmdError::Interrupted | CmdError::Usage => return true,
                CmdError::EndRun(inner) => e = inner,
                CmdError::WithHint { error, hint } => {
                    hints.push(hint);
                    e = error;
                }
                _ => break,
            }
        }
        if let Some(x) = explanation.as_deref() {
            hints.push(x);
        }
        let hint = (!hints.is_empty()).then(|| hints.join("; "));
        out.problem("error", e.code(refused), &e.to_string(), hint.as_deref());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output_mode::OutputMode;

    #[test]
    fn codes_come_from_the_error_type() {
        assert_eq!(CmdError::Query(QueryError::Timeout).code(false), "timeout");
        assert_eq!(CmdError::Query(QueryError::Timeout).code(true), "refused");
        let unknown = CmdError::Query(QueryError::Server(ServerErrorCode::UNKNOWNVAR));
        assert_eq!(unknown.code(false), "unknown_variable");
        let perm = CmdError::Query(QueryError::Server(ServerErrorCode::PERMISSION));
        assert_eq!(CmdError::EndRun(Box::new(perm)).code(false), "permission");
        assert_eq!(CmdError::NoHost.code(false), "no_host");
        assert_eq!(
            CmdError::invalid("Unknown associd.").code(false),
            "invalid_argument"
        );
        assert_eq!(
            CmdError::UnknownCommand("x".into()).code(false),
            "unknown_command"
        );
        assert_eq!(CmdError::msg("x").hint("y").code(false), "command_failed");
    }

    #[test]
    fn a_reported_error_is_one_json_object_with_its_hints() {
        let mut out = Output::memory();
        out.mode = OutputMode::Json;
        out.host = Some("h1".into());
        let e = CmdError::Query(QueryError::Timeout).hint("ours");
        let failed = e.report(&mut out);
        assert!(failed);
        let text = out.stderr_text();
        assert_eq!(text.lines().count(), 1, "{text}");
        let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(v["type"], "error");
        assert_eq!(v["host"], "h1");
        assert_eq!(v["code"], "timeout");
        assert_eq!(v["message"], "***Request timed out");
        assert_eq!(v["hint"], "ours");
        out.clear();
        CmdError::Interrupted.report(&mut out);
        assert_eq!(out.stderr_text(), "");
    }
}
