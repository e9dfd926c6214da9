//! A tiny DNS responder for tests: PTR answers for `in-addr.arpa` and
//! `ip6.arpa` names and A/AAAA answers for the names it hands out, from a
//! hosts-like file and from address rules. The wire format (RFC 1035) is
//! written by hand: one question, no compression in queries, answers that
//! point back at the question name.
//!
//! Hosts file lines (`#` starts a comment):
//! * `ADDR NAME [NAME…]` — PTR ADDR → first NAME; A/AAAA NAME → ADDR (every
//!   line naming NAME adds an address), as `/etc/hosts` would;
//! * `ptr ADDR NAME` — only the PTR (the name may point elsewhere: the
//!   `addr (name)` case);
//! * `addr NAME ADDR` — only the A/AAAA record.
//!
//! Rules (`CIDR=KIND`) synthesise names inside `--zone` (default
//! `example.test`) for addresses the hosts file does not know:
//! * `host`: `10.1.2.3` → `host-10-1-2-3.example.test`, which resolves back
//!   (`2001:db8::1` → `host-2001-db8--1.example.test`);
//! * `mismatch`: → `mismatch-10-1-2-3.example.test`, which resolves to
//!   192.0.2.255 / 2001:db8:ffff::1 (never the original address);
//! * `nxdomain`: no name;
//! * `mix`: by the sum of the address's octets modulo 10: 0 → nxdomain,
//!   1 → mismatch, otherwise host.
//!
//! Anything else is NXDOMAIN.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub const TYPE_A: u16 = 1;
pub const TYPE_PTR: u16 = 12;
pub const TYPE_AAAA: u16 = 28;
pub const CLASS_IN: u16 = 1;
pub const RCODE_OK: u8 = 0;
pub const RCODE_FORMERR: u8 = 1;
pub const RCODE_NXDOMAIN: u8 = 3;
pub const RCODE_NOTIMP: u8 = 4;
/// TTL of every answer.
pub const TTL: u32 = 300;
/// The address mismatching names resolve to.
pub const MISMATCH_V4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 255);
pub const MISMATCH_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xffff, 0, 0, 0, 0, 1);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Host,
    Mismatch,
    NxDomain,
    Mix,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub net: IpAddr,
    pub prefix: u8,
    pub kind: Kind,
}

impl Rule {
    /// `10.0.0.0/8=host`, `2001:db8::/64=mix`, `10.9.0.0/16` (host).
    pub fn parse(text: &str) -> Result<Rule, String> {
        let (cidr, kind) = text.split_once('=').unwrap_or((text, "host"));
        let kind = match kind {
            "host" => Kind::Host,
            "mismatch" => Kind::Mismatch,
            "nxdomain" => Kind::NxDomain,
            "mix" => Kind::Mix,
            other => return Err(format!("unknown rule kind {other:?}")),
        };
        let (addr, prefix) = cidr.split_once('/').unwrap_or((cidr, ""));
        let net: IpAddr = addr
            .parse()
            .map_err(|_| format!("bad rule address {addr:?}"))?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() {
            max
        } else {
            prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("bad prefix length in {cidr:?}"))?
        };
        Ok(Rule { net, prefix, kind })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        fn bits(ip: IpAddr) -> u128 {
            match ip {
                IpAddr::V4(a) => u128::from(u32::from(a)) << 96,
                IpAddr::V6(a) => u128::from(a),
            }
        }
        if self.net.is_ipv4() != ip.is_ipv4() {
            return false;
        }
        if self.prefix == 0 {
            return true;
        }
        // IPv4 sits in the top 32 bits, so one mask fits both families.
        let mask = u128::MAX << (128 - u32::from(self.prefix));
        bits(self.net) & mask == bits(ip) & mask
    }
}

/// What the stub knows.
#[derive(Clone, Debug)]
pub struct Zone {
    pub zone: String,
    ptr: HashMap<IpAddr, String>,
    addrs: HashMap<String, Vec<IpAddr>>,
    rules: Vec<Rule>,
}

impl Default for Zone {
    fn default() -> Self {
        Zone::new("example.test")
    }
}

fn octet_sum(ip: IpAddr) -> u32 {
    match ip {
        IpAddr::V4(a) => a.octets().iter().map(|&o| u32::from(o)).sum(),
        IpAddr::V6(a) => a.octets().iter().map(|&o| u32::from(o)).sum(),
    }
}

/// `10.1.2.3` → `10-1-2-3`; `2001:db8::1` → `2001-db8--1`.
pub fn addr_label(ip: IpAddr) -> String {
    ip.to_string().replace(['.', ':'], "-")
}

fn label_addr(label: &str) -> Option<IpAddr> {
    if let Ok(a) = label.replace('-', ".").parse::<Ipv4Addr>() {
        return Some(IpAddr::V4(a));
    }
    label
        .replace('-', ":")
        .parse::<Ipv6Addr>()
        .ok()
        .map(IpAddr::V6)
}

impl Zone {
    pub fn new(zone: &str) -> Zone {
        Zone {
            zone: zone.trim_matches('.').to_ascii_lowercase(),
            ptr: HashMap::new(),
            addrs: HashMap::new(),
            rules: Vec::new(),
        }
    }

    pub fn add_rule(&mut self, rule: Rule) {
        self.rules.push(rule);
    }

    pub fn add_ptr(&mut self, ip: IpAddr, name: &str) {
        self.ptr.insert(ip, name.trim_end_matches('.').to_string());
    }

    pub fn add_addr(&mut self, name: &str, ip: IpAddr) {
        let list = self
            .addrs
            .entry(name.trim_end_matches('.').to_ascii_lowercase())
            .or_default();
        if !list.contains(&ip) {
            list.push(ip);
        }
    }

    /// Reads hosts-file text (see the crate docs).
    pub fn load_hosts(&mut self, text: &str) -> Result<(), String> {
        for (n, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("");
            let words: Vec<&str> = line.split_whitespace().collect();
            let bad = || format!("line {}: cannot parse {raw:?}", n + 1);
            match words.as_slice() {
                [] => {}
                ["ptr", addr, name] => self.add_ptr(addr.parse().map_err(|_| bad())?, name),
                ["addr", name, addr] => self.add_addr(name, addr.parse().map_err(|_| bad())?),
                [addr, names @ ..] if !names.is_empty() => {
                    let ip: IpAddr = addr.parse().map_err(|_| bad())?;
                    if !self.ptr.contains_key(&ip) {
                        self.add_ptr(ip, names[0]);
                    }
                    for name in names {
                        self.add_addr(name, ip);
                    }
                }
                _ => return Err(bad()),
            }
        }
        Ok(())
    }

    fn rule_kind(&self, ip: IpAddr) -> Option<Kind> {
        let kind = self.rules.iter().find(|r| r.contains(ip))?.kind;
        Some(match kind {
            Kind::Mix => match octet_sum(ip) % 10 {
                0 => Kind::NxDomain,
                1 => Kind::Mismatch,
                _ => Kind::Host,
            },
            k => k,
        })
    }

    /// The PTR name of `ip`, if any.
    pub fn reverse(&self, ip: IpAddr) -> Option<String> {
        if let Some(name) = self.ptr.get(&ip) {
            return Some(name.clone());
        }
        match self.rule_kind(ip)? {
            Kind::Host => Some(format!("host-{}.{}", addr_label(ip), self.zone)),
            Kind::Mismatch => Some(format!("mismatch-{}.{}", addr_label(ip), self.zone)),
            _ => None,
        }
    }

    /// The addresses of `name` (lower case, no trailing dot); None:
    /// NXDOMAIN.
    pub fn forward(&self, name: &str) -> Option<Vec<IpAddr>> {
        if let Some(list) = self.addrs.get(name) {
            return Some(list.clone());
        }
        let label = name.strip_suffix(&self.zone)?.strip_suffix('.')?;
        if let Some(a) = label.strip_prefix("host-") {
            return label_addr(a).map(|ip| vec![ip]);
        }
        if label
            .strip_prefix("mismatch-")
            .and_then(label_addr)
            .is_some()
        {
            return Some(vec![IpAddr::V4(MISMATCH_V4), IpAddr::V6(MISMATCH_V6)]);
        }
        None
    }
}

/// The address a reverse-lookup name stands for.
pub fn arpa_addr(name: &str) -> Option<IpAddr> {
    if let Some(rest) = name.strip_suffix(".in-addr.arpa") {
        let parts: Vec<&str> = rest.split('.').collect();
        if parts.len() != 4 {
            return None;
        }
        let mut o = [0u8; 4];
        for (i, p) in parts.iter().rev().enumerate() {
            if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            o[i] = p.parse().ok()?;
        }
        return Some(IpAddr::V4(Ipv4Addr::from(o)));
    }
    let rest = name.strip_suffix(".ip6.arpa")?;
    let nibbles: Vec<&str> = rest.split('.').collect();
    if nibbles.len() != 32 {
        return None;
    }
    let mut v: u128 = 0;
    for n in nibbles.iter().rev() {
        if n.len() != 1 {
            return None;
        }
        v = (v << 4) | u128::from(u8::from_str_radix(n, 16).ok()?);
    }
    Some(IpAddr::V6(Ipv6Addr::from(v)))
}

/// A parsed question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub id: u16,
    pub flags: u16,
    /// Lower case, no trailing dot.
    pub name: String,
    pub qtype: u16,
    pub qclass: u16,
    /// End of the question section in the query.
    pub end: usize,
}

/// Parses the header and the single question of a query.
pub fn parse_query(msg: &[u8]) -> Result<Question, u8> {
    if msg.len() < 12 {
        return Err(RCODE_FORMERR);
    }
    let id = u16::from_be_bytes([msg[0], msg[1]]);
    let flags = u16::from_be_bytes([msg[2], msg[3]]);
    let qdcount = u16::from_be_bytes([msg[4], msg[5]]);
    if flags & 0x8000 != 0 || qdcount != 1 {
        return Err(RCODE_FORMERR);
    }
    let mut pos = 12;
    let mut labels: Vec<String> = Vec::new();
    loop {
        let len = *msg.get(pos).ok_or(RCODE_FORMERR)? as usize;
        pos += 1;
        if len == 0 {
            break;
        }
        if len > 63 {
            return Err(RCODE_FORMERR);
        }
        let label = msg.get(pos..pos + len).ok_or(RCODE_FORMERR)?;
        labels.push(String::from_utf8_lossy(label).to_ascii_lowercase());
        pos += len;
    }
    let tail = msg.get(pos..pos + 4).ok_or(RCODE_FORMERR)?;
    Ok(Question {
        id,
        flags,
        name: labels.join("."),
        qtype: u16::from_be_bytes([tail[0], tail[1]]),
        qclass: u16::from_be_bytes([tail[2], tail[3]]),
        end: pos + 4,
    })
}

fn push_name(out: &mut Vec<u8>, name: &str) {
    for label in name.split('.').filter(|l| !l.is_empty()) {
        let bytes = &label.as_bytes()[..label.len().min(63)];
        out.push(bytes.len() as u8);
        out.extend_from_slice(bytes);
    }
    out.push(0);
}

/// One resource record's data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rdata {
    Ptr(String),
    Addr(IpAddr),
}

/// The answer to a query: rcode and records.
pub fn lookup(zone: &Zone, q: &Question) -> (u8, Vec<Rdata>) {
    if (q.flags >> 11) & 0xf != 0 {
        return (RCODE_NOTIMP, Vec::new());
    }
    if q.qclass != CLASS_IN && q.qclass != 255 {
        return (RCODE_NXDOMAIN, Vec::new());
    }
    if let Some(ip) = arpa_addr(&q.name) {
        return match zone.reverse(ip) {
            Some(name) if q.qtype == TYPE_PTR || q.qtype == 255 => {
                (RCODE_OK, vec![Rdata::Ptr(name)])
            }
            Some(_) => (RCODE_OK, Vec::new()),
            None => (RCODE_NXDOMAIN, Vec::new()),
        };
    }
    match zone.forward(&q.name) {
        None => (RCODE_NXDOMAIN, Vec::new()),
        Some(list) => {
            let recs = list
                .into_iter()
                .filter(|ip| match q.qtype {
                    TYPE_A => ip.is_ipv4(),
                    TYPE_AAAA => ip.is_ipv6(),
                    255 => true,
                    _ => false,
                })
                .map(Rdata::Addr)
                .collect();
            (RCODE_OK, recs)
        }
    }
}

/// The reply to `query`, at most `max_len` octets (512 over UDP; TC set
/// when answers had to be left out). None: not even a header to answer.
pub fn respond(zone: &Zone, query: &[u8], max_len: usize) -> Option<(Vec<u8>, u8, usize)> {
    let (q, rcode, answers) = match parse_query(query) {
        Ok(q) => {
            let (rcode, answers) = lookup(zone, &q);
            (Some(q), rcode, answers)
        }
        Err(rcode) => (None, rcode, Vec::new()),
    };
    if query.len() < 2 {
        return None;
    }
    let mut out = Vec::with_capacity(128);
    out.extend_from_slice(&query[0..2]);
    let rd = q.as_ref().map_or(0, |q| q.flags & 0x0100);
    let opcode = q.as_ref().map_or(0, |q| q.flags & 0x7800);
    let flags: u16 = 0x8000 | opcode | 0x0400 | rd | 0x0080 | u16::from(rcode);
    out.extend_from_slice(&flags.to_be_bytes());
    let Some(q) = q else {
        out.extend_from_slice(&[0; 8]);
        return Some((out, rcode, 0));
    };
    out.extend_from_slice(&1u16.to_be_bytes());
    let ancount_at = out.len();
    out.extend_from_slice(&[0; 6]);
    out.extend_from_slice(&query[12..q.end]);
    let mut count = 0u16;
    for rdata in &answers {
        let mut rr = vec![0xc0, 0x0c];
        let (rtype, data) = match rdata {
            Rdata::Ptr(name) => {
                let mut d = Vec::new();
                push_name(&mut d, name);
                (TYPE_PTR, d)
            }
            Rdata::Addr(IpAddr::V4(a)) => (TYPE_A, a.octets().to_vec()),
            Rdata::Addr(IpAddr::V6(a)) => (TYPE_AAAA, a.octets().to_vec()),
        };
        rr.extend_from_slice(&rtype.to_be_bytes());
        rr.extend_from_slice(&CLASS_IN.to_be_bytes());
        rr.extend_from_slice(&TTL.to_be_bytes());
        rr.extend_from_slice(&(data.len() as u16).to_be_bytes());
        rr.extend_from_slice(&data);
        if out.len() + rr.len() > max_len {
            out[2] |= 0x02; // TC
            break;
        }
        out.extend_from_slice(&rr);
        count += 1;
    }
    out[ancount_at..ancount_at + 2].copy_from_slice(&count.to_be_bytes());
    Some((out, rcode, usize::from(count)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(name: &str, qtype: u16) -> Vec<u8> {
        let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        push_name(&mut q, name);
        q.extend_from_slice(&qtype.to_be_bytes());
        q.extend_from_slice(&CLASS_IN.to_be_bytes());
        q
    }

    fn zone() -> Zone {
        let mut z = Zone::default();
        z.load_hosts(
            "# test\n10.9.0.1 one.example.test one\nptr 10.9.0.2 liar.example.test\naddr liar.example.test 10.9.0.99\n",
        )
        .unwrap();
        z.add_rule(Rule::parse("10.0.0.0/8=mix").unwrap());
        z.add_rule(Rule::parse("2001:db8::/64").unwrap());
        z
    }

    #[test]
    fn arpa_names() {
        assert_eq!(
            arpa_addr("3.2.1.10.in-addr.arpa"),
            Some("10.1.2.3".parse().unwrap())
        );
        let v6 = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
        assert_eq!(arpa_addr(v6), Some("2001:db8::1".parse().unwrap()));
        assert_eq!(arpa_addr("2.1.10.in-addr.arpa"), None);
        assert_eq!(arpa_addr("x.2.1.10.in-addr.arpa"), None);
    }

    #[test]
    fn records() {
        let z = zone();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            z.reverse(ip("10.9.0.1")).as_deref(),
            Some("one.example.test")
        );
        assert_eq!(z.forward("one"), Some(vec![ip("10.9.0.1")]));
        assert_eq!(
            z.reverse(ip("10.9.0.2")).as_deref(),
            Some("liar.example.test")
        );
        assert_eq!(z.forward("liar.example.test"), Some(vec![ip("10.9.0.99")]));
        // mix: 10+1+2+3 = 16 → host; 10+0+0+1 = 11 → mismatch; 10+0+0+0 → nx
        let name = z.reverse(ip("10.1.2.3")).unwrap();
        assert_eq!(name, "host-10-1-2-3.example.test");
        assert_eq!(z.forward(&name), Some(vec![ip("10.1.2.3")]));
        let name = z.reverse(ip("10.0.0.1")).unwrap();
        assert_eq!(name, "mismatch-10-0-0-1.example.test");
        assert!(!z.forward(&name).unwrap().contains(&ip("10.0.0.1")));
        assert_eq!(z.reverse(ip("10.0.0.0")), None);
        let name = z.reverse(ip("2001:db8::1")).unwrap();
        assert_eq!(name, "host-2001-db8--1.example.test");
        assert_eq!(z.forward(&name), Some(vec![ip("2001:db8::1")]));
        assert_eq!(z.reverse(ip("2001:db8:1::1")), None);
        assert_eq!(z.reverse(ip("192.0.2.1")), None);
    }

    #[test]
    fn wire() {
        let z = zone();
        let (r, rcode, n) = respond(&z, &query("3.2.1.10.in-addr.arpa", TYPE_PTR), 512).unwrap();
        assert_eq!((rcode, n), (RCODE_OK, 1));
        assert_eq!(&r[0..2], &[0x12, 0x34]);
        assert_eq!(r[2] & 0x80, 0x80);
        assert!(r.ends_with(b"\x0dhost-10-1-2-3\x07example\x04test\x00"));
        let (_, rcode, n) =
            respond(&z, &query("host-10-1-2-3.example.test", TYPE_AAAA), 512).unwrap();
        assert_eq!((rcode, n), (RCODE_OK, 0));
        let (r, _, n) = respond(&z, &query("HOST-10-1-2-3.example.test", TYPE_A), 512).unwrap();
        assert_eq!(n, 1);
        assert!(r.ends_with(&[0, 4, 10, 1, 2, 3]));
        let (r, rcode, _) = respond(&z, &query("nope.example.test", TYPE_A), 512).unwrap();
        assert_eq!(rcode, RCODE_NXDOMAIN);
        assert_eq!(r[3] & 0x0f, RCODE_NXDOMAIN);
        let (_, rcode, _) = respond(&z, &[1, 2, 3], 512).unwrap();
        assert_eq!(rcode, RCODE_FORMERR);
        assert!(respond(&z, &[1], 512).is_none());
        // Garbage never panics.
        for len in 0..40 {
            let mut q = query("3.2.1.10.in-addr.arpa", TYPE_PTR);
            q.truncate(len);
            let _ = respond(&z, &q, 512);
            let junk: Vec<u8> = (0..len as u8).map(|b| b.wrapping_mul(37)).collect();
            let _ = respond(&z, &junk, 512);
        }
    }

    #[test]
    fn truncation() {
        let mut z = Zone::default();
        for i in 0..100u8 {
            z.add_addr("many.example.test", IpAddr::from([10, 0, 0, i]));
        }
        let (r, _, n) = respond(&z, &query("many.example.test", TYPE_A), 512).unwrap();
        assert!(r.len() <= 512 && n < 100);
        assert_eq!(r[2] & 0x02, 0x02);
        let (_, _, n) = respond(&z, &query("many.example.test", TYPE_A), 65535).unwrap();
        assert_eq!(n, 100);
    }
}
