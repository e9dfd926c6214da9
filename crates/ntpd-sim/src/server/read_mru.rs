//! READ_MRU (mrulist.md §4): nonces, parameter decoding, and the walk of
//! the MRU list into reply fragments.

use std::net::{IpAddr, SocketAddr};
use std::time::SystemTime;

use ntp_control::header::ServerErrorCode;

use super::vars::ItemScanner;
use super::{Outcome, ServerState};
use crate::mru::{parse_addr, Entry};
use crate::reply::ReplyBuilder;
use crate::util::{
    scan_0x_u16, scan_f32, scan_i32, scan_nonce, scan_ntp_ts, scan_u16, scan_u32, NtpTs, Rng,
};

/// Nonces are valid this many seconds (ntpd's NONCE_TIMEOUT).
pub const NONCE_TIMEOUT: u32 = 16;
const MRU_ROW_LIMIT: u32 = 256;
const MRU_FRAGS_LIMIT: u16 = 128;

impl ServerState {
    fn nonce_hash(&self, secs: u32, frac: u32, from: SocketAddr) -> u32 {
        // FNV-1a over secret, timestamp, address and port.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |bytes: &[u8]| {
            for &b in bytes {
                h ^= b as u64;
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        };
        feed(&self.nonce_secret.to_be_bytes());
        feed(&secs.to_be_bytes());
        feed(&frac.to_be_bytes());
        match from.ip() {
            IpAddr::V4(a) => feed(&a.octets()),
            IpAddr::V6(a) => feed(&a.octets()),
        }
        feed(&from.port().to_be_bytes());
        (h ^ (h >> 32)) as u32
    }

    /// Forgets every nonce issued so far, as ntpd does when it restarts
    /// (a new secret): requests carrying an old one are ignored.
    pub fn forget_nonces(&mut self) {
        self.nonce_secret = self.nonce_secret.rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15;
    }

    /// A nonce for `from` issued at `now` (24 lowercase hex digits).
    pub fn make_nonce(&self, now: SystemTime, from: SocketAddr) -> String {
        let ts = NtpTs::from_system(now);
        format!(
            "{:08x}{:08x}{:08x}",
            ts.secs,
            ts.frac,
            self.nonce_hash(ts.secs, ts.frac, from)
        )
    }

    fn nonce_valid(&self, nonce: &str, now: SystemTime, from: SocketAddr) -> bool {
        let Some((secs, frac, hash)) = scan_nonce(nonce) else {
            return false;
        };
        if hash != self.nonce_hash(secs, frac, from) {
            return false;
        }
        let n = NtpTs::from_system(now);
        let now64 = (n.secs as u64) << 32 | n.frac as u64;
        let ts64 = (secs as u64) << 32 | frac as u64;
        let delta = now64.wrapping_sub(ts64);
        ((delta >> 32) as u32) < NONCE_TIMEOUT
    }

    pub(super) fn read_mru(&mut self, now: SystemTime, from: SocketAddr, data: &[u8]) -> Outcome {
        if self.scenario.mru.nomrulist {
            return Outcome::Error(ServerErrorCode::PERMISSION);
        }
        let p = match MruParams::decode(data) {
            Some(p) => p,
            None => return Outcome::Ignore,
        };
        let Some(nonce) = p.nonce.as_deref() else {
            return Outcome::Ignore;
        };
        if !self.nonce_valid(nonce, now, from) {
            return Outcome::Ignore;
        }
        let mut frags = p.frags;
        let mut limit = p.limit;
        if (frags == 0 && !(0 < limit && limit <= MRU_ROW_LIMIT)) || frags > MRU_FRAGS_LIMIT {
            return Outcome::Error(ServerErrorCode::BADVALUE);
        }
        if frags != 0 && limit == 0 {
            limit = u32::MAX;
        } else if limit != 0 && frags == 0 {
            frags = MRU_FRAGS_LIMIT;
        }
        let mru_now = if self.scenario.mru.frozen_now {
            self.start
        } else {
            now
        };
        let now_ts = NtpTs::from_system(mru_now);
        let new_nonce = self.make_nonce(now, from);
        let mut b = ReplyBuilder::new();

        if limit == 1 {
            for (i, a) in p.addr.iter().enumerate() {
                if let Some((_, e)) = a.and_then(|a| self.mru.lookup(a.ip())) {
                    put_entry(&mut b, e, i);
                }
            }
            b.put_str(&format!("nonce={new_nonce}"));
            b.put_str(&format!("now={}", now_ts.to_hex()));
            return Outcome::Reply {
                status: 0,
                fragments: b.finish(),
            };
        }

        // Find the starting point.
        let mut found: Option<(u64, &Entry)> = None;
        for i in 0..p.priors {
            found = p.addr[i].and_then(|a| self.mru.lookup(a.ip()));
            if let Some((_, e)) = found {
                if Some(e.last) == p.last[i] {
                    break;
                }
            }
        }
        let after = if p.priors > 0 {
            let Some((seq, e)) = found else {
                return Outcome::Error(ServerErrorCode::UNKNOWNVAR);
            };
            b.put_str(&format!("last.older={}", e.last.to_hex()));
            b.put_str(&format!("addr.older={}", e.addr));
            Some(seq)
        } else {
            self.recent_countdown = self.mru.len() as u64;
            None
        };

        b.put_str(&format!("nonce={new_nonce}"));
        let noise = self.scenario.mru.noise;
        let mut count: u32 = 0;
        let mut last_sent: Option<NtpTs> = None;
        let mut exhausted = true;
        let mut countdown = self.recent_countdown;
        let mut noise_rng = Rng::new(self.rng.next_u64());
        for (_, e) in self.mru.walk_from(after) {
            if !(b.frags() < frags as usize && count < limit) {
                exhausted = false;
                break;
            }
            if e.ct < p.mincount as i64
                || e.dr < p.mindrop
                || e.sc < p.minscore as f64
                || (p.resall != 0 && p.resall as u32 != (p.resall as u32 & e.rs))
                || (p.resany != 0 && (p.resany as u32 & e.rs) == 0)
            {
                continue;
            }
            let age = now_ts.secs.wrapping_sub(e.last.secs);
            if (p.maxlstint > 0 && age > p.maxlstint) || (p.minlstint > 0 && age < p.minlstint) {
                continue;
            }
            if let Some(l) = p.laddr {
                if self.local_addrs.contains(&l) && e.laddr.unwrap_or(l) != l {
                    continue;
                }
            }
            if p.recent != 0 {
                let c = countdown;
                countdown = countdown.wrapping_sub(1);
                if c > p.recent as u64 {
                    continue;
                }
            }
            put_entry(&mut b, e, count as usize);
            if count == 0 && noise {
                put_noise(&mut b, &mut noise_rng, 0);
            }
            count += 1;
            last_sent = Some(e.last);
        }
        self.recent_countdown = countdown;
        if exhausted {
            if noise && count > 1 {
                put_noise(&mut b, &mut noise_rng, count as usize - 1);
            }
            b.put_str(&format!("now={}", now_ts.to_hex()));
            if let Some(l) = last_sent {
                b.put_str(&format!("last.newest={}", l.to_hex()));
            }
        }
        Outcome::Reply {
            status: 0,
            fragments: b.finish(),
        }
    }
}

fn put_entry(b: &mut ReplyBuilder, e: &Entry, i: usize) {
    b.put_str(&format!("addr.{i}={}", e.addr));
    b.put_str(&format!("last.{i}={}", e.last.to_hex()));
    b.put_str(&format!("first.{i}={}", e.first.to_hex()));
    b.put_str(&format!("ct.{i}={}", e.ct));
    b.put_str(&format!("mv.{i}={}", e.mv));
    b.put_str(&format!("rs.{i}=0x{:x}", e.rs));
    b.put_str(&format!("sc.{i}={:.3}", e.sc));
    b.put_str(&format!("dr.{i}={}", e.dr));
}

fn put_noise(b: &mut ReplyBuilder, rng: &mut Rng, i: usize) {
    let mut noise = (rng.next_u64() & 0x7fff_ffff) as u32;
    let mut tag = String::new();
    for _ in 0..3 {
        tag.push((b'a' + (noise % 26) as u8) as char);
        noise >>= 5;
    }
    b.put_str(&format!("{tag}.{i}={noise}"));
}

/// Decoded READ_MRU parameters (mrulist.md §4.1).
#[derive(Debug, Default)]
struct MruParams {
    nonce: Option<String>,
    frags: u16,
    limit: u32,
    mincount: i32,
    mindrop: u32,
    minscore: f32,
    resall: u16,
    resany: u16,
    maxlstint: u32,
    minlstint: u32,
    laddr: Option<IpAddr>,
    recent: u32,
    last: [Option<NtpTs>; 16],
    addr: [Option<SocketAddr>; 16],
    priors: usize,
}

impl MruParams {
    /// `None` when a value does not parse (ntpd then sends nothing).
    fn decode(data: &[u8]) -> Option<MruParams> {
        let mut p = MruParams::default();
        for (name, value) in ItemScanner::new(data) {
            let Ok(name) = std::str::from_utf8(name) else {
                break;
            };
            let val = value
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .unwrap_or_default();
            let val = val.as_str();
            match name {
                "nonce" => p.nonce = (!val.is_empty()).then(|| val.to_string()),
                "frags" => p.frags = scan_u16(val)?,
                "limit" => p.limit = scan_u32(val)?,
                "mincount" => p.mincount = scan_i32(val)?.max(0),
                "mindrop" => p.mindrop = scan_u32(val)?,
                "minscore" => p.minscore = scan_f32(val)?.max(0.0),
                "resall" => p.resall = scan_0x_u16(val)?,
                "resany" => p.resany = scan_0x_u16(val)?,
                "maxlstint" => p.maxlstint = scan_u32(val)?,
                "minlstint" => p.minlstint = scan_u32(val)?,
                "laddr" => p.laddr = Some(parse_addr(val)?.ip()),
                "recent" => p.recent = scan_u32(val)?,
                _ => {
                    let (kind, idx) = match name.split_once('.') {
                        Some((k @ ("last" | "addr"), i)) => (k, i),
                        _ => break, // the first unknown name ends the scan
                    };
                    let Some(si) = parse_index(idx) else {
                        break;
                    };
                    if kind == "last" {
                        let ts = scan_ntp_ts(val)?;
                        p.last[si] = Some(ts);
                        if p.addr[si].is_some() && si == p.priors {
                            p.priors += 1;
                        }
                    } else {
                        p.addr[si] = Some(parse_addr(val)?);
                        let ok = p.last[si].is_some_and(|t| t.secs != 0 && t.frac != 0);
                        if ok && si == p.priors {
                            p.priors += 1;
                        }
                    }
                }
            }
        }
        Some(p)
    }
}

/// Table names are `last.0`…`last.15`: exact decimal, no leading zeros.
fn parse_index(s: &str) -> Option<usize> {
    if s.is_empty()
        || s.len() > 2
        || !s.bytes().all(|b| b.is_ascii_digit())
        || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    let v: usize = s.parse().ok()?;
    (v < 16).then_some(v)
}
