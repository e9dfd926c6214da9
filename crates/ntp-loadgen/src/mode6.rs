//! A minimal Mode 6 READVAR client, just enough to read ntpd's MRU
//! counters (`monstats`: `mru_depth`, `mru_new`, …) before and after a run.
//! The query is sent from 127.0.0.1, which ntpd only answers when its
//! configuration has a `restrict 127.0.0.1` line.

use ntp_control::header::{encode_request, Header, Opcode, HEADER_LEN, MODE_CONTROL};
use std::io;
use std::net::{SocketAddrV4, UdpSocket};
use std::time::{Duration, Instant};

/// The `monstats` variables worth comparing before/after a run.
pub const MRU_VARS: &[&str] = &[
    "mru_depth",
    "mru_deepest",
    "mru_hashslots",
    "mru_maxdepth",
    "mru_mem",
    "mru_new",
    "mru_exists",
    "mru_recycleold",
    "mru_recyclefull",
    "mru_none",
];

/// Reads system variables `names` (association 0) from the ntpd at
/// `target`; returns `name=value` pairs in the server's order (values as
/// text, quotes removed).
pub fn read_vars(
    target: SocketAddrV4,
    names: &[&str],
    timeout: Duration,
) -> io::Result<Vec<(String, String)>> {
    let sock = UdpSocket::bind("127.0.0.1:0")?;
    sock.connect(target)?;
    let seq: u16 = (std::process::id() as u16) | 1;
    let req = readvar_request(seq, names);
    let deadline = Instant::now() + timeout;
    let mut attempts = 0;
    'retry: loop {
        attempts += 1;
        sock.send(&req)?;
        // Fragments by offset; done when the last (M bit clear) arrived and
        // there are no gaps.
        let mut frags: Vec<(usize, Vec<u8>)> = Vec::new();
        let mut end: Option<usize> = None;
        let try_until = (Instant::now() + timeout / 3).min(deadline);
        loop {
            let now = Instant::now();
            if now >= try_until {
                if now >= deadline || attempts >= 3 {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("no Mode 6 answer from {target} (does its ntp.conf have `restrict 127.0.0.1`?)"),
                    ));
                }
                continue 'retry;
            }
            sock.set_read_timeout(Some(try_until - now))?;
            let mut buf = [0u8; 2048];
            let n = match sock.recv(&mut buf) {
                Ok(n) => n,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    continue
                }
                Err(e) => return Err(e),
            };
            let Some(h) = Header::decode(&buf[..n]) else {
                continue;
            };
            if h.mode != MODE_CONTROL
                || !h.response
                || h.opcode != Opcode::ReadVar
                || h.sequence != seq
            {
                continue;
            }
            if h.error {
                let code = h.status >> 8;
                return Err(io::Error::other(format!(
                    "ntpd answered with Mode 6 error {code}"
                )));
            }
            let off = usize::from(h.offset);
            let cnt = usize::from(h.count).min(n - HEADER_LEN);
            if !h.more {
                end = Some(off + cnt);
            }
            frags.push((off, buf[HEADER_LEN..HEADER_LEN + cnt].to_vec()));
            if let Some(end) = end {
                frags.sort_by_key(|f| f.0);
                let mut data = Vec::with_capacity(end);
                for (o, d) in &frags {
                    if *o == data.len() {
                        data.extend_from_slice(d);
                    }
                }
                if data.len() == end {
                    return Ok(parse_vars(&String::from_utf8_lossy(&data)));
                }
            }
        }
    }
}

/// The READVAR request for system variables `names`, as the reference
/// client builds it.
fn readvar_request(seq: u16, names: &[&str]) -> Vec<u8> {
    encode_request(Opcode::ReadVar, seq, 0, names.join(",").as_bytes())
}

/// Splits `a=1, b="x", c` into pairs (no commas inside values here).
pub fn parse_vars(text: &str) -> Vec<(String, String)> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| match item.split_once('=') {
            Some((k, v)) => (k.trim().to_string(), v.trim().trim_matches('"').to_string()),
            None => (item.to_string(), String::new()),
        })
        .collect()
}

/// Looks up an integer variable (decimal or 0x hex).
pub fn get_u64(vars: &[(String, String)], name: &str) -> Option<u64> {
    let v = &vars.iter().find(|(k, _)| k == name)?.1;
    match v.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => v.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readvar_request_is_the_references() {
        // LI=3 (unsynchronised), VN=2, mode 6 as NTPsec's ntpq sends; the
        // loadgen's own encoder once sent LI=0 (0x16).
        assert_eq!(
            readvar_request(0x1235, &["mru_new", "mru_mem"]),
            b"\xd6\x02\x12\x35\0\0\0\0\0\0\0\x0fmru_new,mru_mem\0".to_vec()
        );
    }

    #[test]
    fn parses_vars() {
        let v = parse_vars("mru_depth=12, mru_new=0x10,\r\nx=\"a b\"\r\n");
        assert_eq!(get_u64(&v, "mru_depth"), Some(12));
        assert_eq!(get_u64(&v, "mru_new"), Some(16));
        assert_eq!(v[2], ("x".into(), "a b".into()));
        assert_eq!(get_u64(&v, "nope"), None);
    }
}
