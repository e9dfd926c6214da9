//! Small helpers: a seeded RNG, NTP timestamps, value templates and the
//! C `sscanf` conversions ntpd uses to decode MRU parameters.

use ntp_control::time::{format_stamp, stamp_from_system};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// SplitMix64: tiny, seeded, good enough for fault injection.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n); 0 when n is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
}

/// An NTP timestamp (era folded: seconds modulo 2^32).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NtpTs {
    pub secs: u32,
    pub frac: u32,
}

impl NtpTs {
    pub fn from_system(t: SystemTime) -> NtpTs {
        let stamp = stamp_from_system(t);
        NtpTs {
            secs: (stamp >> 32) as u32,
            frac: stamp as u32,
        }
    }

    pub fn to_hex(self) -> String {
        format_stamp(u64::from(self.secs) << 32 | u64::from(self.frac))
    }
}

/// `base` shifted by `secs` seconds (either sign), saturating at the epoch.
pub fn shift(base: SystemTime, secs: f64) -> SystemTime {
    if !secs.is_finite() {
        return base;
    }
    let d = Duration::from_secs_f64(secs.abs().min(1e12));
    if secs >= 0.0 {
        base.checked_add(d).unwrap_or(base)
    } else {
        base.checked_sub(d).unwrap_or(UNIX_EPOCH)
    }
}

/// Expands `{ts:now}`, `{ts:now-37.5}`, `{ts:now+2}`, `{ts:start-10}` in a
/// value. Anything not matching is left as is.
pub fn expand_templates(text: &str, now: SystemTime, start: SystemTime) -> String {
    if !text.contains("{ts:") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("{ts:") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 4..];
        match after.find('}') {
            Some(j) => {
                let spec = &after[..j];
                match eval_ts(spec, now, start) {
                    Some(t) => out.push_str(&NtpTs::from_system(t).to_hex()),
                    None => out.push_str(&rest[i..i + 4 + j + 1]),
                }
                rest = &after[j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn eval_ts(spec: &str, now: SystemTime, start: SystemTime) -> Option<SystemTime> {
    let spec = spec.trim();
    let (base, rest) = if let Some(r) = spec.strip_prefix("now") {
        (now, r)
    } else if let Some(r) = spec.strip_prefix("start") {
        (start, r)
    } else {
        return None;
    };
    let rest = rest.trim();
    if rest.is_empty() {
        return Some(base);
    }
    let (sign, num) = match rest.as_bytes()[0] {
        b'+' => (1.0, &rest[1..]),
        b'-' => (-1.0, &rest[1..]),
        _ => return None,
    };
    let v: f64 = num.trim().parse().ok()?;
    Some(shift(base, sign * v))
}

/// C `%u`/`%hu`/`%d` prefix parsing: leading blanks, optional sign, at least
/// one decimal digit, junk after the digits ignored. Returns the value as
/// i128 (callers wrap as C would).
pub fn scan_decimal(s: &str) -> Option<i128> {
    let t = s.trim_start();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits: &str = &t[..t.bytes().take_while(u8::is_ascii_digit).count()];
    if digits.is_empty() {
        return None;
    }
    let mut v: i128 = 0;
    for b in digits.bytes() {
        v = (v * 10 + (b - b'0') as i128).min(1 << 80);
    }
    Some(if neg { -v } else { v })
}

/// `%u` (wraps modulo 2^32 like glibc for negative input).
pub fn scan_u32(s: &str) -> Option<u32> {
    scan_decimal(s).map(|v| v.clamp(-(1i128 << 64), 1i128 << 64) as i64 as u32)
}

/// `%hu`.
pub fn scan_u16(s: &str) -> Option<u16> {
    scan_decimal(s).map(|v| v.clamp(-(1i128 << 64), 1i128 << 64) as i64 as u16)
}

/// `%d`.
pub fn scan_i32(s: &str) -> Option<i32> {
    scan_decimal(s).map(|v| v.clamp(i32::MIN as i128, i32::MAX as i128) as i32)
}

/// `%f`: the longest prefix that parses as a float.
pub fn scan_f32(s: &str) -> Option<f32> {
    let t = s.trim_start();
    let bytes = t.as_bytes();
    let mut end = 0;
    let mut best = None;
    while end < bytes.len() && end < 64 {
        end += 1;
        if let Ok(v) = t[..end].parse::<f32>() {
            best = Some(v);
        }
    }
    best
}

/// Up to `max` hex digits (C `%x` with a width, after optional `0x`).
fn scan_hex(s: &str, max: usize) -> Option<(u32, &str)> {
    let n = s
        .bytes()
        .take(max)
        .take_while(u8::is_ascii_hexdigit)
        .count();
    if n == 0 {
        return None;
    }
    Some((u32::from_str_radix(&s[..n], 16).ok()?, &s[n..]))
}

/// `0x%hx`: literal `0x` then hex digits.
pub fn scan_0x_u16(s: &str) -> Option<u16> {
    let rest = s.strip_prefix("0x")?;
    let rest = rest.trim_start();
    let rest = rest
        .strip_prefix("0x")
        .or_else(|| rest.strip_prefix("0X"))
        .unwrap_or(rest);
    let n = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
    if n == 0 {
        return None;
    }
    let mut v: u64 = 0;
    for b in rest[..n].bytes() {
        v = (v << 4 | (b as char).to_digit(16).unwrap_or(0) as u64) & 0xffff_ffff;
    }
    Some(v as u16)
}

/// `0x%08x.%08x`.
pub fn scan_ntp_ts(s: &str) -> Option<NtpTs> {
    let rest = s.strip_prefix("0x")?;
    let (secs, rest) = scan_hex(rest, 8)?;
    let rest = rest.strip_prefix('.')?;
    let (frac, _) = scan_hex(rest, 8)?;
    Some(NtpTs { secs, frac })
}

/// `%08x%08x%08x` (each exactly 8 digits as ntpd generates them).
pub fn scan_nonce(s: &str) -> Option<(u32, u32, u32)> {
    let (a, r) = scan_hex(s, 8)?;
    let (b, r) = scan_hex(r, 8)?;
    let (c, _) = scan_hex(r, 8)?;
    Some((a, b, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let start = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let now = start + Duration::from_secs(100);
        let s = expand_templates("rec={ts:now-37.5} x", now, start);
        let t = NtpTs::from_system(now - Duration::from_millis(37_500));
        assert_eq!(s, format!("rec={} x", t.to_hex()));
        assert_eq!(
            expand_templates("{ts:start}", now, start),
            NtpTs::from_system(start).to_hex()
        );
        assert_eq!(expand_templates("{ts:bogus}", now, start), "{ts:bogus}");
        assert_eq!(expand_templates("{ts:now", now, start), "{ts:now");
        assert_eq!(
            NtpTs::from_system(UNIX_EPOCH).to_hex(),
            "0x83aa7e80.00000000"
        );
    }

    #[test]
    fn scans() {
        assert_eq!(scan_u16("32"), Some(32));
        assert_eq!(scan_u16("70000"), Some(70000u32 as u16));
        assert_eq!(scan_u32("12abc"), Some(12));
        assert_eq!(scan_u32("abc"), None);
        assert_eq!(scan_u32(""), None);
        assert_eq!(scan_i32("-5"), Some(-5));
        assert_eq!(scan_f32("1.5x"), Some(1.5));
        assert_eq!(scan_0x_u16("0x20"), Some(0x20));
        assert_eq!(scan_0x_u16("32"), None);
        assert_eq!(
            scan_ntp_ts("0xeeb262d1.e0744f3a"),
            Some(NtpTs {
                secs: 0xeeb262d1,
                frac: 0xe0744f3a
            })
        );
        assert_eq!(scan_ntp_ts("0xeeb262d1"), None);
        assert_eq!(
            scan_nonce("eeb264279910769e5b5b7479"),
            Some((0xeeb26427, 0x9910769e, 0x5b5b7479))
        );
    }
}
