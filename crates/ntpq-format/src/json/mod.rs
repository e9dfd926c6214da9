//! The JSON Lines records of `--json` (schema: docs/json.md).
//!
//! Every record is one JSON object on one line and starts with the same
//! three fields: `v` (the schema version, [`SCHEMA_VERSION`]), `type`
//! (what the record holds: `readvar`, `peers`, `mru_entry`, `error`, …)
//! and `host` (the host as given on the command line, so records of
//! several hosts can be told apart). A change that could break a reader
//! (a field removed, renamed or retyped) raises the version; new fields
//! and new record types do not.

use serde_json::{Map, Value};

pub mod records;
pub mod status;
pub mod value;

pub use records::{
    associations_record, ordlist_record, peer_object, peers_record, readvar_record, summary_record,
    PeerInput,
};
pub use status::{clock_status, peer_status, system_status};
pub use value::{typed_value, vars_object};

/// The version every record carries in `v`.
pub const SCHEMA_VERSION: u64 = 1;

/// A record's common head: `{"v":1,"type":kind,"host":host}` (`host` is
/// `null` when no host is open).
pub fn record(kind: &str, host: Option<&str>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("v".into(), Value::from(SCHEMA_VERSION));
    m.insert("type".into(), Value::from(kind));
    m.insert(
        "host".into(),
        host.map_or(Value::Null, |h| Value::from(h.to_string())),
    );
    m
}

/// A Unix time as ISO-8601 UTC with microseconds:
/// `2026-12-07T04:16:03.250000Z`. Times are shown this way in every
/// record (the raw l_fp beside it where the server sent one).
pub fn iso8601_utc(unix: f64) -> String {
    let mut s = String::with_capacity(27);
    push_iso8601_utc(&mut s, unix);
    s
}

/// [`iso8601_utc`] appended to `out` (no allocation: mrulist writes one
/// per entry); nothing when `unix` is not finite.
pub fn push_iso8601_utc(out: &mut String, unix: f64) {
    use std::fmt::Write as _;
    if !unix.is_finite() {
        return;
    }
    let micros = (unix * 1e6).round() as i64;
    let (secs, frac) = (micros.div_euclid(1_000_000), micros.rem_euclid(1_000_000));
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, mo, d) = ntp_control::time::civil_from_days(days);
    let _ = write!(
        out,
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{frac:06}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    );
}

/// One record as a line of JSON Lines (newline included).
pub fn line(record: Map<String, Value>) -> String {
    let mut s = Value::Object(record).to_string();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_fields_come_first_and_the_line_parses() {
        let mut r = record("readvar", Some("ntp1"));
        r.insert("associd".into(), Value::from(0));
        let text = line(r);
        assert!(
            text.starts_with(r#"{"v":1,"type":"readvar","host":"ntp1""#),
            "{text}"
        );
        assert!(text.ends_with("}\n"));
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["associd"], 0);
        assert_eq!(iso8601_utc(0.0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(iso8601_utc(1_796_616_963.25), "2026-12-07T04:16:03.250000Z");
        assert_eq!(iso8601_utc(-0.5), "1969-12-31T23:59:59.500000Z");
        assert_eq!(
            line(record("error", None)),
            "{\"v\":1,\"type\":\"error\",\"host\":null}\n"
        );
    }
}
