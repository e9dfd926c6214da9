//! Variable values as JSON: numbers stay numbers, NTP timestamps become
//! ISO-8601 UTC with the raw l_fp beside them, sample lists become arrays.
//!
//! Values keep the server's units (milliseconds for offsets and delays,
//! seconds for uptimes, PPM for frequencies): `units` does not change
//! JSON.

use ntp_control::varlist::{parse_python_float, Value as Typed, Variable};
use serde_json::{Map, Number, Value};

use super::iso8601_utc;
use crate::timestamp::lfp_to_unix;

/// A JSON number for an integer the server sent; integers beyond 64 bits
/// stay the text the server sent.
fn int_value(i: i128, raw: &str) -> Value {
    if let Ok(v) = i64::try_from(i) {
        Value::from(v)
    } else if let Ok(v) = u64::try_from(i) {
        Value::from(v)
    } else {
        Value::from(raw)
    }
}

/// A finite float as a JSON number; infinities and NaN stay text.
fn float_value(f: f64, raw: &str) -> Value {
    Number::from_f64(f).map_or_else(|| Value::from(raw), Value::Number)
}

/// Whether `raw` is an l_fp as ntpd sends one: `0x` then 8 hex digits,
/// `.`, 8 hex digits (reftime, clock, org, rec, xmt, …).
pub fn is_lfp(raw: &str) -> bool {
    let b = raw.as_bytes();
    b.len() == 19
        && b[0] == b'0'
        && (b[1] | 0x20) == b'x'
        && b[10] == b'.'
        && b[2..10].iter().chain(&b[11..]).all(u8::is_ascii_hexdigit)
}

/// The sample lists of a peer (`filtdelay`, `filtoffset`, `filtdisp`):
/// blank-separated numbers.
fn sample_list(name: &str, raw: &str) -> Option<Value> {
    if !name.starts_with("filt") {
        return None;
    }
    let numbers: Option<Vec<Value>> = raw
        .split_whitespace()
        .map(|t| {
            parse_python_float(t)
                .and_then(Number::from_f64)
                .map(Value::Number)
        })
        .collect();
    numbers.filter(|n| !n.is_empty()).map(Value::Array)
}

/// One variable's JSON value, and the raw text to show beside it (the
/// l_fp of a timestamp). `pivot_unix` unfolds 32-bit NTP seconds (the
/// current time). A zero timestamp (never set) is `null`.
pub fn typed_value(var: &Variable, pivot_unix: i64) -> (Value, Option<String>) {
    match &var.value {
        Typed::Int(i) => (int_value(*i, &var.raw), None),
        Typed::Float(f) => (float_value(*f, &var.raw), None),
        Typed::Str(s) if is_lfp(s) => {
            let zero = s[2..].bytes().all(|b| b == b'0' || b == b'.');
            let time = match lfp_to_unix(s, pivot_unix) {
                Some(unix) if !zero => Value::from(iso8601_utc(unix)),
                _ => Value::Null,
            };
            (time, Some(s.clone()))
        }
        Typed::Str(s) => (
            sample_list(&var.name, s).unwrap_or_else(|| Value::from(s.as_str())),
            None,
        ),
    }
}

/// Variables as one JSON object, in the order sent (a repeated name keeps
/// its first place and its last value, as the text display does), a
/// timestamp's l_fp under `<name>_raw` right after it.
pub fn vars_object(vars: &[Variable], pivot_unix: i64) -> Map<String, Value> {
    let mut m = Map::new();
    for var in vars {
        let (value, raw) = typed_value(var, pivot_unix);
        m.insert(var.name.clone(), value);
        if let Some(raw) = raw {
            m.insert(format!("{}_raw", var.name), Value::from(raw));
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntp_control::parse_varlist;

    /// 2026-12-07, the current time of these examples.
    const NOW: i64 = 1_796_616_963;

    fn object(text: &str) -> Value {
        Value::Object(vars_object(&parse_varlist(text.as_bytes()), NOW))
    }

    #[test]
    fn numbers_stay_numbers_and_integers_stay_integers() {
        let v = object("stratum=2, offset=-0.123456, precision=-24, leap=00, big=0x7fffffffffffffffffff, tc=0x0a");
        assert_eq!(v["stratum"], Value::from(2));
        assert!(v["stratum"].is_i64());
        assert_eq!(v["offset"], Value::from(-0.123456));
        assert_eq!(v["precision"], Value::from(-24));
        assert_eq!(v["leap"], Value::from(0));
        assert_eq!(v["tc"], Value::from(10));
        // Beyond 64 bits: the text as sent.
        assert_eq!(v["big"], Value::from("0x7fffffffffffffffffff"));
    }

    #[test]
    fn strings_lose_their_quotes_and_odd_numbers_stay_text() {
        let v = object(r#"version="ntpd 4.2.8", refid=PPS, inf=inf, frac=1.5e3"#);
        assert_eq!(v["version"], Value::from("ntpd 4.2.8"));
        assert_eq!(v["refid"], Value::from("PPS"));
        assert_eq!(v["inf"], Value::from("inf"));
        assert_eq!(v["frac"], Value::from(1500.0));
    }

    #[test]
    fn timestamps_become_iso_8601_with_the_raw_l_fp_beside_them() {
        let v = object("reftime=0xecbfc003.40000000, org=0x00000000.00000000, xmt=0xECBFC003.4, clock=0xecbfc003.40000000");
        // 0xecbfc003 + 0.25 s is 2025-11-13 02:25:07.25 UTC (Python datetime).
        assert_eq!(v["reftime"], Value::from("2025-11-13T02:25:07.250000Z"));
        assert_eq!(v["reftime_raw"], Value::from("0xecbfc003.40000000"));
        assert_eq!(v["org"], Value::Null);
        assert_eq!(v["org_raw"], Value::from("0x00000000.00000000"));
        // Not a full l_fp: kept as sent, no _raw twin.
        assert_eq!(v["xmt"], Value::from("0xECBFC003.4"));
        assert!(v.get("xmt_raw").is_none());
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys[..2], ["reftime", "reftime_raw"]);
    }

    #[test]
    fn sample_lists_become_arrays_of_numbers() {
        let v = object("filtdelay=    0.10    0.25   0.30 , filtdisp= 1.5 x, notfilt= 1 2");
        assert_eq!(v["filtdelay"], serde_json::json!([0.10, 0.25, 0.30]));
        assert_eq!(v["filtdisp"], Value::from("1.5 x"));
        assert_eq!(v["notfilt"], Value::from("1 2"));
    }

    #[test]
    fn lfp_shape() {
        assert!(is_lfp("0xe9a1b2c3.12345678"));
        assert!(is_lfp("0XE9A1B2C3.12345678"));
        assert!(!is_lfp("0xe9a1b2c3 12345678"));
        assert!(!is_lfp("0xe9a1b2c3.1234567g"));
        assert!(!is_lfp("e9a1b2c3.12345678"));
    }
}
