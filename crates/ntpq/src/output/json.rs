//! JSON mode's side of the output (docs/json.md): records on stdout,
//! errors and warnings as JSON objects on stderr, each naming the host.

use std::io::Write;

use ntpq_format::json;
use serde_json::{Map, Value};

use super::Output;

impl<W: ?Sized + Write> Output<W> {
    /// A record's head for the open host: `{"v":1,"type":kind,"host":…}`.
    pub fn record_head(&self, kind: &str) -> Map<String, Value> {
        json::record(kind, self.host.as_deref())
    }

    /// One record on stdout, as a line of JSON Lines.
    pub fn record(&mut self, record: Map<String, Value>) {
        let line = json::line(record);
        self.say(&line);
    }

    /// An error or warning (`kind`) on stderr as one JSON object:
    /// `{"v":1,"type":kind,"host":…,"code":code,"message":…}`, the
    /// message being the classic text, and a `hint` when there is one.
    pub fn problem(&mut self, kind: &str, code: &str, message: &str, hint: Option<&str>) {
        let mut r = self.record_head(kind);
        r.insert("code".into(), Value::from(code));
        r.insert("message".into(), Value::from(message.trim_end()));
        if let Some(hint) = hint {
            r.insert("hint".into(), Value::from(hint));
        }
        let line = Value::Object(r).to_string();
        self.warn_text(&line);
    }

    /// A line for the log stream that is a problem, not a debug line
    /// (`Write to HOST failed`): without a log file, in JSON mode, a
    /// warning with `code`.
    pub fn log_code(&mut self, code: &str, text: &str) {
        if self.mode.is_json() && !self.has_log_file() {
            self.problem("warning", code, text, None);
        } else {
            self.log(text);
        }
    }

    /// A warning with a stable code in JSON mode; the classic text
    /// otherwise.
    pub fn warn_code(&mut self, code: &str, text: &str) {
        if self.mode.is_json() {
            self.problem("warning", code, text, None);
        } else {
            self.warn_text(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::output::Output;
    use crate::output_mode::OutputMode;

    #[test]
    fn warnings_and_errors_are_json_on_stderr_in_json_mode_only() {
        let mut out = Output::memory();
        out.warn("plain");
        out.mode = OutputMode::Json;
        out.host = Some("ntp1".into());
        out.warn("Unknown variable.  Trying one at a time.");
        out.problem(
            "error",
            "timeout",
            "***Request timed out\n",
            Some("no answer"),
        );
        out.log("debug line stays text");
        let text = out.stderr_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "plain");
        let w: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(w["type"], "warning");
        assert_eq!(w["host"], "ntp1");
        assert_eq!(w["message"], "Unknown variable.  Trying one at a time.");
        let e: serde_json::Value = serde_json::from_str(lines[2]).unwrap();
        assert_eq!(e["code"], "timeout");
        assert_eq!(e["message"], "***Request timed out");
        assert_eq!(e["hint"], "no answer");
        assert_eq!(lines[3], "debug line stays text");
        assert_eq!(out.stdout_text(), "");
    }

    #[test]
    fn a_failed_send_is_a_coded_warning_in_json_mode() {
        let mut out = Output::memory();
        out.log_code("send_failed", "Write to ntp1 failed");
        assert_eq!(out.stderr_text(), "Write to ntp1 failed\n");
        out.clear();
        out.mode = OutputMode::Json;
        out.log_code("send_failed", "Write to ntp1 failed");
        let w: serde_json::Value = serde_json::from_str(out.stderr_text().trim_end()).unwrap();
        assert_eq!(
            (&w["type"], &w["code"]),
            (&"warning".into(), &"send_failed".into())
        );
        assert_eq!(w["message"], "Write to ntp1 failed");
    }
}
