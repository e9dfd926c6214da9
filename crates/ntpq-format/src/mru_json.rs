//! `mrulist` as JSON Lines (docs/json-mrulist.md): one `mru_entry` per
//! entry, written by hand straight into a `String` (a million entries
//! must not cost a map each), and the records around them (`mrulist_start`,
//! `mru_poll`, `mrulist_follow_end`, `mrulist_end`), built as maps.

use std::fmt::Write as _;

use ntp_control::mru::entry::{push_ip, AddrRef, MruEntry, V6Table};
use ntp_control::mru::MruCounters;
use ntp_control::time::{stamp_to_unix, NtpStamp};
use serde_json::{Map, Value};

use crate::json::{line, push_iso8601_utc, record};

/// ntpd's restriction flags (`RES_*` in ntp.h) by the `restrict` keyword
/// that sets them.
pub const RESTRICTION_FLAGS: &[(u16, &str)] = &[
    (0x0001, "ignore"),
    (0x0002, "noserve"),
    (0x0004, "notrust"),
    (0x0008, "version"),
    (0x0010, "nopeer"),
    (0x0020, "limited"),
    (0x0040, "noquery"),
    (0x0080, "nomodify"),
    (0x0100, "notrap"),
    (0x0200, "lowpriotrap"),
    (0x0400, "kod"),
    (0x0800, "mssntp"),
    (0x1000, "flake"),
    (0x2000, "nomrulist"),
];

/// The start of every `mru_entry` line of `host`: `{"v":1,"type":"mru_entry","host":…`
/// without the closing brace (built once per command).
pub fn entry_head(host: Option<&str>) -> String {
    let mut head = line(record("mru_entry", host));
    // `…"host":"h"}\n` → `…"host":"h"`
    head.truncate(head.len() - 2);
    head
}

/// How one entry is shown.
#[derive(Clone, Copy, Debug)]
pub struct EntryView {
    /// Unfolds NTP eras (current Unix time).
    pub pivot_unix: i64,
    /// The list's "now" (server time of the end marker): gives `lstint`
    /// as in the classic table; `None` in direct mode and `follow`.
    pub now_unix: Option<f64>,
    /// The poll of `mrulist follow` that read the entry.
    pub poll: Option<u32>,
}

/// Appends one `mru_entry` line (newline included). `head` is
/// [`entry_head`]'s; `name` the remote's host name, when names are on and
/// one was found.
pub fn push_entry(
    out: &mut String,
    head: &str,
    e: &MruEntry,
    v6: &V6Table,
    name: Option<&str>,
    view: EntryView,
) {
    out.push_str(head);
    out.push_str(",\"addr\":");
    if e.addr == AddrRef::Invalid {
        out.push_str("null");
    } else {
        // Digits, hex, dots, colons and `%`: nothing to escape.
        out.push('"');
        push_ip(out, e.addr, v6);
        out.push('"');
    }
    if e.has_port {
        let _ = write!(out, ",\"port\":{}", e.port);
    } else {
        out.push_str(",\"port\":null");
    }
    if let Some(name) = name {
        out.push_str(",\"name\":");
        out.push_str(&Value::from(name).to_string());
    }
    let first = stamp_to_unix(e.first, view.pivot_unix);
    let last = stamp_to_unix(e.last, view.pivot_unix);
    push_time(out, "first", first, e.first);
    push_time(out, "last", last, e.last);
    let _ = write!(out, ",\"count\":{},\"restrictions\":{}", e.count, e.rs);
    out.push_str(",\"restriction_flags\":[");
    let mut comma = false;
    for (bit, flag) in RESTRICTION_FLAGS {
        if e.rs & bit != 0 {
            if comma {
                out.push(',');
            }
            comma = true;
            out.push('"');
            out.push_str(flag);
            out.push('"');
        }
    }
    let _ = write!(
        out,
        "],\"mode\":{},\"version\":{}",
        e.mv & 7,
        (e.mv >> 3) & 7
    );
    match e.score() {
        // Thousandths, as sent.
        Some(_) => {
            let _ = write!(
                out,
                ",\"score\":{}.{:03}",
                e.score_milli / 1000,
                e.score_milli % 1000
            );
        }
        None => out.push_str(",\"score\":null"),
    }
    match e.drop_count() {
        Some(d) => {
            let _ = write!(out, ",\"drop\":{d}");
        }
        None => out.push_str(",\"drop\":null"),
    }
    if let Some(now) = view.now_unix {
        // As the classic `lstint` column: whole seconds, rounded.
        let lstint = now - last + 0.5;
        if lstint.is_finite() && lstint.abs() < 9.0e15 {
            let _ = write!(out, ",\"lstint\":{}", lstint.trunc() as i64);
        }
    }
    // As the classic `avgint` column: 0 for a single packet.
    let avgint = if e.count <= 1 {
        0.0
    } else {
        (last - first) / f64::from(e.count - 1)
    };
    out.push_str(",\"avgint\":");
    push_number(out, avgint);
    if let Some(poll) = view.poll {
        let _ = write!(out, ",\"poll\":{poll}");
    }
    out.push_str("}\n");
}

/// `,"<name>":"<ISO-8601>","<name>_raw":"0x….…"`.
fn push_time(out: &mut String, name: &str, unix: f64, stamp: NtpStamp) {
    let _ = write!(out, ",\"{name}\":\"");
    push_iso8601_utc(out, unix);
    let _ = write!(
        out,
        "\",\"{name}_raw\":\"0x{:08x}.{:08x}\"",
        stamp >> 32,
        stamp & 0xffff_ffff
    );
}

/// A float as a JSON number that reads back as a float (`0.0`, `2.5`,
/// `1e-7`; `null` when not finite).
fn push_number(out: &mut String, x: f64) {
    if x.is_finite() {
        let _ = write!(out, "{x:?}");
    } else {
        out.push_str("null");
    }
}

/// A server time as the pair of fields `<name>` (ISO-8601) and `<name>_raw`.
pub fn insert_time(m: &mut Map<String, Value>, name: &str, stamp: Option<NtpStamp>, pivot: i64) {
    let (iso, raw) = match stamp {
        Some(s) => {
            let mut iso = String::new();
            push_iso8601_utc(&mut iso, stamp_to_unix(s, pivot));
            (
                Value::from(iso),
                Value::from(ntp_control::time::format_stamp(s)),
            )
        }
        None => (Value::Null, Value::Null),
    };
    m.insert(name.into(), iso);
    m.insert(format!("{name}_raw"), raw);
}

/// A JSON number of an `i128` counter (a string past `i64`/`u64`).
pub fn int(v: i128) -> Value {
    if let Ok(i) = i64::try_from(v) {
        Value::from(i)
    } else if let Ok(u) = u64::try_from(v) {
        Value::from(u)
    } else {
        Value::from(v.to_string())
    }
}

/// The server's MRU counters as an object (`null` when unknown).
pub fn counters(c: Option<&MruCounters>, pivot: i64) -> Value {
    let Some(c) = c else {
        return Value::Null;
    };
    let mut m = Map::new();
    m.insert("mru_depth".into(), int(c.depth));
    m.insert("mru_maxdepth".into(), c.maxdepth.map_or(Value::Null, int));
    m.insert("mru_new".into(), int(c.new));
    m.insert("mru_recycleold".into(), int(c.recycled_old));
    m.insert("mru_recyclefull".into(), int(c.recycled_full));
    insert_time(&mut m, "clock", c.clock, pivot);
    Value::Object(m)
}

/// A float rounded to microseconds, as a JSON number.
pub fn seconds(x: f64) -> Value {
    if x.is_finite() {
        Value::from((x * 1e6).round() / 1e6)
    } else {
        Value::Null
    }
}

/// The `, tag=value` request parameters as an object: integers as
/// numbers, the rest as text.
pub fn params_object(params: &str) -> Value {
    let mut m = Map::new();
    for piece in params.split(", ").filter(|p| !p.is_empty()) {
        let (tag, value) = piece.split_once('=').unwrap_or((piece, ""));
        let value = match value.parse::<i64>() {
            Ok(i) => Value::from(i),
            Err(_) => Value::from(value),
        };
        m.insert(tag.to_string(), value);
    }
    Value::Object(m)
}

/// A record of `kind` for `host` with `fields` after the head, as a line.
pub fn record_line(kind: &str, host: Option<&str>, fields: Map<String, Value>) -> String {
    let mut r = record(kind, host);
    r.extend(fields);
    line(r)
}

#[cfg(test)]
mod tests;
