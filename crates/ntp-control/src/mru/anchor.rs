//! Anchors: the newest entries read, named in the next request so that
//! ntpd resumes after them, and the items of a reply that say where it
//! resumed (mrulist.md §3).

use super::entry::{parse_stamp, AddrRef, MruEntry, NtpStamp, V6Table};

/// Newest entries kept for anchors (more never fit in one request).
pub(crate) const ANCHOR_RING: usize = 16;

/// The `last.N` values of the anchors of the request in flight.
#[derive(Clone, Copy, Default)]
pub(crate) struct SentAnchors {
    pub(crate) lasts: [NtpStamp; ANCHOR_RING],
    pub(crate) len: usize,
}

/// A recently received entry, kept to name it as an anchor later.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Anchor {
    ip: std::net::IpAddr,
    /// IPv6 zone, with the high bit set when present (as in [`V6Table`]).
    scope: u32,
    port: Option<u16>,
    pub(crate) last: NtpStamp,
}

impl Anchor {
    pub(crate) fn of(e: &MruEntry, v6: &V6Table) -> Option<Anchor> {
        let (ip, scope) = match e.addr {
            AddrRef::V4(a) => (std::net::IpAddr::V4(a.into()), 0),
            AddrRef::V6(i) => {
                let (a, scope) = v6.get(i)?;
                (std::net::IpAddr::V6(a), scope)
            }
            AddrRef::Invalid => return None,
        };
        Some(Anchor {
            ip,
            scope,
            port: e.has_port.then_some(e.port),
            last: e.last,
        })
    }
}

/// The address text as ntpd sent it, written without allocating.
impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.ip {
            std::net::IpAddr::V4(a) => write!(f, "{a}")?,
            std::net::IpAddr::V6(a) if self.scope & 0x8000_0000 != 0 => {
                write!(f, "[{a}%{}]", self.scope & 0x7fff_ffff)?
            }
            std::net::IpAddr::V6(a) => write!(f, "[{a}]")?,
        }
        match self.port {
            Some(p) => write!(f, ":{p}"),
            None => Ok(()),
        }
    }
}

/// Octets at the end of a reply parsed for anchors (about 20 entries).
pub(crate) const TAIL_WINDOW: usize = 3000;

/// The `nonce=` item, which ntpd puts first (after `.older` items).
pub(crate) fn scan_nonce(data: &[u8]) -> Option<String> {
    let head = &data[..data.len().min(400)];
    for item in head.split(|&b| b == b',').take(6) {
        let text = String::from_utf8_lossy(item);
        let text = text.trim();
        if let Some(v) = text.strip_prefix("nonce=") {
            return Some(format!("nonce={}", v.trim()));
        }
    }
    None
}

/// The `last.older=` item ntpd puts first: the time of the entry it
/// resumed after.
pub(crate) fn scan_older_last(data: &[u8]) -> Option<NtpStamp> {
    let head = &data[..data.len().min(400)];
    for item in head.split(|&b| b == b',').take(4) {
        let text = String::from_utf8_lossy(item);
        if let Some(v) = text.trim().strip_prefix("last.older=") {
            return parse_stamp(v.trim());
        }
    }
    None
}

/// The server time ntpd puts in the first 16 hex digits of its nonces.
pub(crate) fn nonce_time(nonce: &str) -> Option<NtpStamp> {
    let hex = nonce.strip_prefix("nonce=")?;
    let s = u32::from_str_radix(hex.get(..8)?, 16).ok()?;
    let f = u32::from_str_radix(hex.get(8..16)?, 16).ok()?;
    Some((u64::from(s) << 32) | u64::from(f))
}
