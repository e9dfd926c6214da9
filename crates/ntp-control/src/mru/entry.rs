//! Compact MRU entries, their timestamps and addresses (mrulist.md §6).
//! One entry is 48 bytes with no heap allocation, so a million-entry list
//! fits in about 50 MB.

use std::net::{IpAddr, Ipv6Addr};

pub use crate::time::{format_stamp, stamp_to_unix, NtpStamp};

/// Parses `0xSSSSSSSS.FFFFFFFF` (exactly the form ntpd sends).
pub fn parse_stamp(text: &str) -> Option<NtpStamp> {
    let b = text.as_bytes();
    if b.len() < 5 || b[0] != b'0' || (b[1] != b'x' && b[1] != b'X') {
        return None;
    }
    let t = &b[2..];
    let dot = t.iter().position(|&c| c == b'.')?;
    let (s, f) = (&t[..dot], &t[dot + 1..]);
    if s.is_empty() || f.is_empty() || s.len() > 8 || f.len() > 8 {
        return None;
    }
    Some((hex_digits(s)? << 32) | hex_digits(f)?)
}

/// Hex digit values; 0xff marks a byte that is not one.
const HEX_VALUE: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// 1 to 15 hex digits (no sign, no prefix). Two stamps an entry go through
/// here: a table, not a match per digit.
pub(crate) fn hex_digits(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 15 {
        return None;
    }
    let mut v = 0u64;
    let mut bad = 0u8;
    for &c in b {
        let d = HEX_VALUE[c as usize];
        bad |= d;
        v = (v << 4) | u64::from(d & 0xf);
    }
    // Any invalid digit set the high bits of `bad`.
    (bad & 0xf0 == 0).then_some(v)
}

/// A dotted quad as Rust's `Ipv4Addr` parser takes it (four decimal
/// octets, no leading zeros, each at most 255), without its generic
/// machinery; `None` for anything else.
fn parse_ipv4(text: &str) -> Option<u32> {
    let mut value = 0u32;
    let mut parts = 0;
    for part in text.as_bytes().split(|&b| b == b'.') {
        parts += 1;
        if parts > 4 || part.is_empty() || part.len() > 3 || (part.len() > 1 && part[0] == b'0') {
            return None;
        }
        let mut octet = 0u32;
        for &c in part {
            if !c.is_ascii_digit() {
                return None;
            }
            octet = octet * 10 + u32::from(c - b'0');
        }
        if octet > 255 {
            return None;
        }
        value = (value << 8) | octet;
    }
    (parts == 4).then_some(value)
}

/// `a.b.c.d:port` in one pass, as ntpd sends nearly every address; `None`
/// for anything else (then [`parse_addr`] takes the general way, whose
/// rules this agrees with: no leading zeros, octets up to 255, a port as
/// Rust's `u16` parser takes it).
fn parse_ipv4_port(b: &[u8]) -> Option<(u32, u16)> {
    let mut addr = 0u32;
    let mut i = 0;
    for part in 0..4 {
        let start = i;
        let mut octet = 0u32;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 3 {
            octet = octet * 10 + u32::from(b[i] - b'0');
            i += 1;
        }
        let len = i - start;
        if len == 0 || octet > 255 || (len > 1 && b[start] == b'0') {
            return None;
        }
        addr = (addr << 8) | octet;
        let sep = if part == 3 { b':' } else { b'.' };
        if b.get(i) != Some(&sep) {
            return None;
        }
        i += 1;
    }
    let digits = &b[i..];
    if digits.is_empty() || digits.len() > 5 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let port = digits
        .iter()
        .fold(0u32, |v, &c| v * 10 + u32::from(c - b'0'));
    Some((addr, u16::try_from(port).ok()?))
}

/// An address: IPv4 inline, IPv6 as an index into the list's side table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AddrRef {
    V4(u32),
    V6(u32),
    /// Text that is not an address (a corrupt reply); printed as an empty row.
    Invalid,
}

/// Score: thousandths as sent (`%.3f`), or absent.
pub const NO_SCORE: u32 = u32::MAX;
/// Drop count absent.
pub const NO_DROP: u32 = u32::MAX;

/// One MRU entry as received.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MruEntry {
    pub last: NtpStamp,
    pub first: NtpStamp,
    pub addr: AddrRef,
    pub count: u32,
    pub drop: u32,
    /// Score in thousandths; [`NO_SCORE`] when absent. Values with more
    /// than three decimals are rounded (ntpd sends three).
    pub score_milli: u32,
    pub port: u16,
    pub rs: u16,
    pub mv: u8,
    /// Whether a port was given (`a.b.c.d` without `:port` prints no rport).
    pub has_port: bool,
}

impl MruEntry {
    pub fn score(&self) -> Option<f64> {
        (self.score_milli != NO_SCORE).then(|| f64::from(self.score_milli) / 1000.0)
    }

    pub fn drop_count(&self) -> Option<u32> {
        (self.drop != NO_DROP).then_some(self.drop)
    }
}

/// IPv6 addresses (with scope) of a list; entries refer to them by index.
#[derive(Default, Debug)]
pub struct V6Table {
    addrs: Vec<(Ipv6Addr, u32)>,
    index: std::collections::HashMap<(Ipv6Addr, u32), u32>,
}

impl V6Table {
    pub fn intern(&mut self, addr: Ipv6Addr, scope: u32) -> AddrRef {
        if let Some(&i) = self.index.get(&(addr, scope)) {
            return AddrRef::V6(i);
        }
        let i = self.addrs.len() as u32;
        self.addrs.push((addr, scope));
        self.index.insert((addr, scope), i);
        AddrRef::V6(i)
    }

    pub fn is_empty(&self) -> bool {
        self.addrs.is_empty()
    }

    pub fn get(&self, i: u32) -> Option<(Ipv6Addr, u32)> {
        self.addrs.get(i as usize).copied()
    }
}

/// Parses ntpd's `a.b.c.d:port` / `[v6%scope]:port` address text.
pub fn parse_addr(text: &str, v6: &mut V6Table) -> (AddrRef, u16, bool) {
    if let Some((addr, port)) = parse_ipv4_port(text.as_bytes()) {
        return (AddrRef::V4(addr), port, true);
    }
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        match rest.split_once(']') {
            Some((h, tail)) => (h, tail.strip_prefix(':')),
            None => return (AddrRef::Invalid, 0, false),
        }
    } else {
        match text.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (h, Some(p)),
            _ => (text, None),
        }
    };
    let port_num = match port {
        Some(p) => match p.parse::<u16>() {
            Ok(n) => Some(n),
            Err(_) => return (AddrRef::Invalid, 0, false),
        },
        None => None,
    };
    let (ip_text, scope) = match host.split_once('%') {
        Some((a, s)) => match s.parse::<u32>() {
            Ok(n) => (a, Some(n)),
            Err(_) => return (AddrRef::Invalid, 0, false),
        },
        None => (host, None),
    };
    if scope.is_none() {
        if let Some(a) = parse_ipv4(ip_text) {
            return (AddrRef::V4(a), port_num.unwrap_or(0), port_num.is_some());
        }
    }
    let addr = match ip_text.parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) if scope.is_none() => AddrRef::V4(u32::from(a)),
        Ok(IpAddr::V6(a)) => v6.intern(
            a,
            scope.unwrap_or(0) | if scope.is_some() { 0x8000_0000 } else { 0 },
        ),
        _ => AddrRef::Invalid,
    };
    (addr, port_num.unwrap_or(0), port_num.is_some())
}

/// The address without port or brackets (zone kept), as the remote column
/// shows it with `-n`.
pub fn ip_text(addr: AddrRef, v6: &V6Table) -> Option<String> {
    match addr {
        AddrRef::V4(_) => {
            let mut s = String::with_capacity(15);
            push_ip(&mut s, addr, v6);
            Some(s)
        }
        AddrRef::V6(i) => v6.get(i).map(|(a, scope)| {
            if scope & 0x8000_0000 != 0 {
                format!("{a}%{}", scope & 0x7fff_ffff)
            } else {
                a.to_string()
            }
        }),
        AddrRef::Invalid => None,
    }
}

/// [`ip_text`] appended to `out`, without an allocation for IPv4.
pub fn push_ip(out: &mut String, addr: AddrRef, v6: &V6Table) -> bool {
    match addr {
        // Hand-formatted: this runs once per printed row.
        AddrRef::V4(a) => {
            for (i, octet) in a.to_be_bytes().iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                if *octet >= 100 {
                    out.push(char::from(b'0' + octet / 100));
                }
                if *octet >= 10 {
                    out.push(char::from(b'0' + octet / 10 % 10));
                }
                out.push(char::from(b'0' + octet % 10));
            }
            true
        }
        other => match ip_text(other, v6) {
            Some(text) => {
                out.push_str(&text);
                true
            }
            None => false,
        },
    }
}

/// The address text as ntpd sends it (used for anchors).
pub fn addr_text(e: &MruEntry, v6: &V6Table) -> Option<String> {
    let ip = ip_text(e.addr, v6)?;
    let host = if matches!(e.addr, AddrRef::V6(_)) {
        format!("[{ip}]")
    } else {
        ip
    };
    Some(if e.has_port {
        format!("{host}:{}", e.port)
    } else {
        host
    })
}

#[cfg(test)]
mod fast_path_tests {
    use super::*;

    #[test]
    fn ipv4_fast_path_agrees_with_std() {
        for t in [
            "1.2.3.4",
            "0.0.0.0",
            "255.255.255.255",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3",
            "1.2.3.4.5",
            "1..3.4",
            "a.b.c.d",
            "1.2.3.4 ",
            "",
            "10.0.0.1000",
            "00.1.1.1",
            "127.000.0.1",
            "+1.2.3.4",
        ] {
            let std = t.parse::<std::net::Ipv4Addr>().ok().map(u32::from);
            assert_eq!(parse_ipv4(t), std, "{t:?}");
        }
    }

    #[test]
    fn address_fast_path_agrees_with_the_general_way() {
        for t in [
            "1.2.3.4:123",
            "127.1.0.0:44849",
            "255.255.255.255:65535",
            "1.2.3.4:65536",
            "1.2.3.4:0",
            "1.2.3.4:00123",
            "1.2.3.4:",
            "1.2.3.4",
            "01.2.3.4:1",
            "1.2.3.256:1",
            "1.2.3:1",
            "1.2.3.4.5:1",
            "1.2.3.4:+1",
            "1.2.3.4:1 ",
            "1.2.3.4::1",
            "1.2.3.4%2:1",
            "1234.2.3.4:1",
            "[::1]:123",
        ] {
            let general = {
                let (host, port) = t.rsplit_once(':').unwrap_or((t, ""));
                match (parse_ipv4(host), port.parse::<u16>()) {
                    (Some(a), Ok(p)) if !host.contains(':') => Some((a, p)),
                    _ => None,
                }
            };
            // The fast path may decline (then the general way decides)
            // but never disagrees.
            let fast = parse_ipv4_port(t.as_bytes());
            assert!(fast.is_none() || fast == general, "{t:?}: {fast:?}");
        }
        for t in ["1.2.3.4:123", "127.1.0.0:44849", "255.255.255.255:65535"] {
            assert!(parse_ipv4_port(t.as_bytes()).is_some(), "{t:?}");
        }
    }

    #[test]
    fn hex_table_agrees_with_from_str_radix() {
        for t in [
            "0",
            "f",
            "F",
            "deadbeef",
            "DEADBEEF",
            "0123456789abcde",
            "g",
            "12 3",
            "-1",
            "+1",
        ] {
            let std = u64::from_str_radix(t, 16)
                .ok()
                .filter(|_| !t.starts_with('+'));
            assert_eq!(hex_digits(t.as_bytes()), std, "{t:?}");
        }
    }
}
