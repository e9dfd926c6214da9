//! Parsing one READ_MRU reply (mrulist.md §3.1) straight into compact
//! entries, without building a generic variable list.

use std::collections::BTreeMap;

use super::entry::{
    parse_addr, parse_stamp, AddrRef, MruEntry, NtpStamp, V6Table, NO_DROP, NO_SCORE,
};
use crate::varlist::{parse_python_float, parse_python_int};

/// What one reply carried besides its entries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReplyMeta {
    /// `nonce=<value>` to use for the next request.
    pub nonce: Option<String>,
    /// The end marker: the server's time when the list was exhausted.
    pub now: Option<NtpStamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("***Bad MRU tag {0}")]
    BadTag(String),
}

/// The fields of one entry as they arrive, in any order.
#[derive(Default)]
struct Partial<'a> {
    addr: Option<&'a str>,
    last: Option<&'a str>,
    first: Option<&'a str>,
    ct: Option<&'a str>,
    mv: Option<&'a str>,
    rs: Option<&'a str>,
    sc: Option<&'a str>,
    dr: Option<&'a str>,
}

const FIELDS: [&str; 8] = ["addr", "last", "first", "ct", "mv", "rs", "sc", "dr"];

/// Splits reply text into items like the reference's varlist parser: commas
/// outside quotes separate; NUL and octets ≥ 127 are dropped.
fn items(data: &[u8]) -> Vec<std::borrow::Cow<'_, str>> {
    let clean: std::borrow::Cow<'_, [u8]> = if data.iter().any(|&b| b == 0 || b >= 127) {
        data.iter()
            .copied()
            .filter(|&b| b != 0 && b < 127)
            .collect::<Vec<u8>>()
            .into()
    } else {
        data.into()
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_string = false;
    for (i, &b) in clean.iter().enumerate() {
        match b {
            b'"' => in_string = !in_string,
            b',' if !in_string => {
                out.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < clean.len() {
        out.push(start..clean.len());
    }
    // The bytes are ASCII 1..126 now, so this never fails.
    let text: std::borrow::Cow<'_, str> = match clean {
        std::borrow::Cow::Borrowed(b) => {
            std::borrow::Cow::Borrowed(std::str::from_utf8(b).unwrap_or(""))
        }
        std::borrow::Cow::Owned(v) => {
            std::borrow::Cow::Owned(String::from_utf8(v).unwrap_or_default())
        }
    };
    match text {
        std::borrow::Cow::Borrowed(t) => out
            .into_iter()
            .map(|r| std::borrow::Cow::Borrowed(&t[r]))
            .collect(),
        std::borrow::Cow::Owned(t) => out
            .into_iter()
            .map(|r| std::borrow::Cow::Owned(t[r].to_string()))
            .collect(),
    }
}

fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii_whitespace() || ('\x1c'..='\x1f').contains(&c))
}

/// Parses one reply; entries are passed to `sink` in ascending index.
pub fn parse_reply(
    data: &[u8],
    v6: &mut V6Table,
    sink: &mut dyn FnMut(MruEntry, &V6Table),
) -> Result<ReplyMeta, ReplyError> {
    let items = items(data);
    let mut meta = ReplyMeta::default();
    let mut partials: BTreeMap<u64, Partial<'_>> = BTreeMap::new();
    for item in &items {
        let item = trim(item);
        let (tag, value) = match item.split_once('=') {
            Some((t, v)) => (trim(t), trim(v)),
            None => (item, ""),
        };
        match tag.split_once('.') {
            None => match tag {
                "nonce" => meta.nonce = Some(format!("nonce={value}")),
                "now" => meta.now = parse_stamp(value).or(Some(0)),
                _ => {}
            },
            Some((prefix, suffix)) => {
                let Some(field) = FIELDS.iter().position(|f| *f == prefix) else {
                    continue;
                };
                // The reference splits on every '.', so "addr.1.2" is a bad tag too.
                let Some(idx) = suffix
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|_| !suffix.contains('.'))
                else {
                    if matches!(tag, "last.older" | "addr.older" | "last.newest") {
                        continue;
                    }
                    return Err(ReplyError::BadTag(tag.to_string()));
                };
                let p = partials.entry(idx).or_default();
                let slot = match field {
                    0 => &mut p.addr,
                    1 => &mut p.last,
                    2 => &mut p.first,
                    3 => &mut p.ct,
                    4 => &mut p.mv,
                    5 => &mut p.rs,
                    6 => &mut p.sc,
                    _ => &mut p.dr,
                };
                *slot = Some(value);
            }
        }
    }
    for p in partials.values() {
        let e = build(p, v6);
        sink(e, v6);
    }
    Ok(meta)
}

fn int_field(v: Option<&str>) -> Option<i128> {
    parse_python_int(v?)
}

/// Builds a compact entry; anything unusable marks the address invalid (the
/// reference prints an empty row for such an entry).
fn build(p: &Partial<'_>, v6: &mut V6Table) -> MruEntry {
    let (mut addr, port, has_port) = match p.addr {
        Some(a) => parse_addr(a, v6),
        None => (AddrRef::Invalid, 0, false),
    };
    let last = p.last.and_then(parse_stamp);
    let first = p.first.and_then(parse_stamp);
    let count = int_field(p.ct).and_then(|c| u32::try_from(c).ok());
    let mv = int_field(p.mv).and_then(|c| u8::try_from(c).ok());
    let rs = int_field(p.rs).and_then(|c| u16::try_from(c).ok());
    let score_milli = match p.sc {
        None => Some(NO_SCORE),
        Some(s) => parse_python_float(s)
            .filter(|f| f.is_finite() && *f >= 0.0 && *f < 4.0e6)
            .map(|f| (f * 1000.0).round() as u32),
    };
    let drop = match p.dr {
        None => Some(NO_DROP),
        Some(d) => parse_python_int(d)
            .and_then(|d| u32::try_from(d).ok())
            .filter(|d| *d != NO_DROP),
    };
    let ok = last.is_some()
        && first.is_some()
        && count.is_some()
        && mv.is_some()
        && rs.is_some()
        && score_milli.is_some()
        && drop.is_some();
    if !ok {
        addr = AddrRef::Invalid;
    }
    MruEntry {
        last: last.unwrap_or(0),
        first: first.unwrap_or(0),
        addr,
        count: count.unwrap_or(0),
        drop: drop.unwrap_or(NO_DROP),
        score_milli: score_milli.unwrap_or(NO_SCORE),
        port,
        rs: rs.unwrap_or(0),
        mv: mv.unwrap_or(0),
        has_port,
    }
}
