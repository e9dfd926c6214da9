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
        assert_eq!(
            line(record("error", None)),
            "{\"v\":1,\"type\":\"error\",\"host\":null}\n"
        );
    }
}
