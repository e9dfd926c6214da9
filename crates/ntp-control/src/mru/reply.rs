//! Parsing one READ_MRU reply (mrulist.md §3.1) straight into compact
//! entries, without building a generic variable list.

use std::borrow::Cow;
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
#[derive(Default, Clone, Copy)]
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

/// Python's `str.strip()` for the characters that can occur here.
fn is_space(b: u8) -> bool {
    // Every such character is at most a space: one comparison for the rest.
    b <= b' ' && matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1c..=0x1f)
}

fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let mut i = 0;
    let mut j = b.len();
    while i < j && is_space(b[i]) {
        i += 1;
    }
    while j > i && is_space(b[j - 1]) {
        j -= 1;
    }
    &s[i..j]
}

/// Removes NUL and octets ≥ 127 as the reference's varlist parser does
/// (ntpd never sends them in MRU replies, so this rarely copies).
fn clean(data: &[u8]) -> Cow<'_, str> {
    if data.is_ascii() && memchr::memchr2(0, 127, data).is_none() {
        // ASCII 1..126 is valid UTF-8.
        Cow::Borrowed(std::str::from_utf8(data).unwrap_or(""))
    } else {
        Cow::Owned(
            data.iter()
                .filter(|&&b| b != 0 && b < 127)
                .map(|&b| b as char)
                .collect(),
        )
    }
}

/// Parses one reply; entries are passed to `sink` in ascending index.
pub fn parse_reply(
    data: &[u8],
    v6: &mut V6Table,
    sink: &mut dyn FnMut(MruEntry, &V6Table),
) -> Result<ReplyMeta, ReplyError> {
    let text = clean(data);
    let mut meta = ReplyMeta::default();
    // ntpd sends entry N's items before entry N+1's, so a vector indexed
    // by N (with a map for absurd indices) keeps this allocation-light.
    // About 100 octets an entry: one allocation a reply, not a growth series.
    let mut partials: Vec<Option<Partial<'_>>> = Vec::with_capacity(data.len() / 100 + 1);
    let mut far: BTreeMap<u64, Partial<'_>> = BTreeMap::new();
    // This loop runs for every item of a million-entry list: byte
    // searches, not `str::find`.
    for item in split_items(&text) {
        let (tag, value) = tag_and_value(item);
        let Some(dot) = byte_pos(tag, b'.') else {
            match tag {
                "nonce" => meta.nonce = Some(format!("nonce={value}")),
                "now" => meta.now = parse_stamp(value).or(Some(0)),
                _ => {}
            }
            continue;
        };
        let (prefix, suffix) = (&tag[..dot], &tag[dot + 1..]);
        let Some(field) = field_of(prefix.as_bytes()) else {
            continue; // noise tags
        };
        let idx = match parse_index(suffix) {
            Some(i) => i,
            None if matches!(tag, "last.older" | "addr.older" | "last.newest") => continue,
            None => {
                return Err(ReplyError::BadTag(
                    crate::visible::visible(tag).into_owned(),
                ))
            }
        };
        let p = if idx < 4096 {
            let i = idx as usize;
            if partials.len() <= i {
                partials.resize(i + 1, None);
            }
            partials[i].get_or_insert_with(Partial::default)
        } else {
            far.entry(idx).or_default()
        };
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
    for p in partials.iter().flatten().chain(far.values()) {
        let e = build(p, v6);
        sink(e, v6);
    }
    Ok(meta)
}

/// An item's tag and value as the reference splits it (strip the item,
/// split at the first `=`, strip both halves), in one pass over the bytes.
fn tag_and_value(item: &str) -> (&str, &str) {
    let b = item.as_bytes();
    let mut start = 0;
    while start < b.len() && is_space(b[start]) {
        start += 1;
    }
    let mut eq = start;
    while eq < b.len() && b[eq] != b'=' {
        eq += 1;
    }
    let mut tag_end = eq;
    while tag_end > start && is_space(b[tag_end - 1]) {
        tag_end -= 1;
    }
    if eq == b.len() {
        return (&item[start..tag_end], "");
    }
    let mut value_start = eq + 1;
    while value_start < b.len() && is_space(b[value_start]) {
        value_start += 1;
    }
    let mut value_end = b.len();
    while value_end > value_start && is_space(b[value_end - 1]) {
        value_end -= 1;
    }
    (&item[start..tag_end], &item[value_start..value_end])
}

fn byte_pos(s: &str, b: u8) -> Option<usize> {
    s.bytes().position(|c| c == b)
}

/// The field number of an entry tag's prefix (`addr` 0 … `dr` 7).
fn field_of(prefix: &[u8]) -> Option<u8> {
    Some(match prefix {
        [b'a', b'd', b'd', b'r'] => 0,
        [b'l', b'a', b's', b't'] => 1,
        [b'f', b'i', b'r', b's', b't'] => 2,
        [b'c', b't'] => 3,
        [b'm', b'v'] => 4,
        [b'r', b's'] => 5,
        [b's', b'c'] => 6,
        [b'd', b'r'] => 7,
        _ => return None,
    })
}

/// Plain decimal digits (at most 18, no leading zero unless alone).
fn plain_decimal(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 18 || (b[0] == b'0' && b.len() > 1) {
        return None;
    }
    let mut v = 0u64;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(c - b'0');
    }
    Some(v)
}

/// Items separated by commas outside double quotes.
fn split_items(text: &str) -> Box<dyn Iterator<Item = &str> + '_> {
    // ntpd's MRU replies carry no strings: split at every comma (SIMD).
    if memchr::memchr(b'"', text.as_bytes()).is_none() {
        let mut start = 0;
        let mut commas = memchr::memchr_iter(b',', text.as_bytes());
        return Box::new(std::iter::from_fn(move || match commas.next() {
            Some(i) => {
                let item = &text[start..i];
                start = i + 1;
                Some(item)
            }
            None if start < text.len() => {
                let item = &text[start..];
                start = text.len();
                Some(item)
            }
            None => None,
        }));
    }
    Box::new(split_quoted(text))
}

fn split_quoted(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut pos = 0;
    let mut in_string = false;
    std::iter::from_fn(move || {
        while pos < bytes.len() {
            let b = bytes[pos];
            pos += 1;
            if b == b'"' {
                in_string = !in_string;
            } else if b == b',' && !in_string {
                let item = &text[start..pos - 1];
                start = pos;
                return Some(item);
            }
        }
        if start < bytes.len() {
            let item = &text[start..];
            start = bytes.len();
            return Some(item);
        }
        None
    })
}

/// An entry index: Python `int()` of the text after the only dot.
fn parse_index(suffix: &str) -> Option<u64> {
    // Python's int() takes leading zeros here ("addr.01" is entry 1).
    let b = suffix.as_bytes();
    if !b.is_empty() && b.len() <= 18 && b.iter().all(u8::is_ascii_digit) {
        return Some(b.iter().fold(0u64, |v, &c| v * 10 + u64::from(c - b'0')));
    }
    if byte_pos(suffix, b'.').is_some() {
        return None; // "addr.1.2": the reference's split fails
    }
    let t = trim(suffix);
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().ok();
    }
    crate::varlist::parse_python_int(t).and_then(|i| u64::try_from(i).ok())
}

/// Python `int(v, 0)` with a fast path for plain decimals and `0x` hex.
fn fast_int(v: &str) -> Option<i128> {
    let b = v.as_bytes();
    if let Some(n) = plain_decimal(b) {
        return Some(i128::from(n));
    }
    if b.len() > 2 && b.len() < 18 && b[0] == b'0' && b[1] == b'x' {
        if let Some(n) = super::entry::hex_digits(&b[2..]) {
            return Some(i128::from(n));
        }
    }
    parse_python_int(v)
}

/// A score as thousandths: `d+.ddd` directly, anything else through float.
fn score_milli(v: &str) -> Option<u32> {
    if let Some((w, f)) = v.split_once('.') {
        if !w.is_empty()
            && w.len() < 7
            && f.len() == 3
            && w.bytes().chain(f.bytes()).all(|c| c.is_ascii_digit())
        {
            return Some(w.parse::<u32>().ok()? * 1000 + f.parse::<u32>().ok()?);
        }
    }
    parse_python_float(v)
        .filter(|f| f.is_finite() && *f >= 0.0 && *f < 4.0e6)
        .map(|f| (f * 1000.0).round() as u32)
}

fn int_field(v: Option<&str>) -> Option<i128> {
    fast_int(v?)
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
        Some(s) => score_milli(s),
    };
    let drop = match p.dr {
        None => Some(NO_DROP),
        Some(d) => fast_int(d)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_split_agrees_with_strip_split_strip() {
        let plain = |item: &str| -> (String, String) {
            let item = trim(item);
            match item.split_once('=') {
                Some((t, v)) => (trim(t).to_string(), trim(v).to_string()),
                None => (item.to_string(), String::new()),
            }
        };
        for item in [
            "addr.0=1.2.3.4:5",
            " last.1=0x1.2",
            "\r\nct.2=1",
            "  mv.3 = 35  ",
            "nonce=abc",
            "now",
            "",
            "   ",
            "=",
            " = ",
            "a==b",
            "tag= ",
            "\x1f sc.4=0.5\x0b",
            "x\ty=1",
        ] {
            let (t, v) = tag_and_value(item);
            assert_eq!((t.to_string(), v.to_string()), plain(item), "{item:?}");
        }
    }
}
