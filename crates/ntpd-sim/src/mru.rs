//! The MRU list: entries keyed by source address (IP only), ordered by the
//! time of their last packet, with optional churn.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::SystemTime;

use crate::scenario::Mru as MruConfig;
use crate::util::{shift, NtpTs, Rng};

/// One MRU slot.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub addr: SocketAddr,
    pub first: NtpTs,
    pub last: NtpTs,
    pub ct: i64,
    pub mv: u32,
    pub rs: u32,
    pub sc: f64,
    pub dr: u32,
    pub laddr: Option<IpAddr>,
}

/// Parses an address as ntpd's `decodenetnum` accepts it: `a.b.c.d[:port]`,
/// `[v6][:port]` or a bare IPv6 literal. The port defaults to 123.
pub fn parse_addr(text: &str) -> Option<SocketAddr> {
    let t = text.trim();
    if let Ok(sa) = t.parse::<SocketAddr>() {
        return Some(sa);
    }
    if let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return inner
            .parse::<Ipv6Addr>()
            .ok()
            .map(|ip| SocketAddr::new(IpAddr::V6(ip), 123));
    }
    t.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, 123))
}

/// The list, oldest first.
#[derive(Debug)]
pub struct MruList {
    by_seq: BTreeMap<u64, Entry>,
    by_ip: HashMap<IpAddr, u64>,
    next_seq: u64,
    next_synthetic: u64,
    ipv6_every: usize,
    churn_new: f64,
    churn_touch: f64,
    created: u64,
    touched: u64,
    rng: Rng,
    start: SystemTime,
    max_depth: usize,
    /// Entries dropped at the oldest end to make room (`mru_recyclefull`).
    recycled: u64,
    /// Clients added (each address not in the list; ntpd counts them in
    /// `mru_new`, or in a recycle counter when they took an old entry's place).
    added: u64,
}

/// Largest number of churn steps applied in one catch-up.
const MAX_CHURN_STEP: u64 = 100_000;

impl MruList {
    pub fn new(cfg: &MruConfig, start: SystemTime) -> MruList {
        let mut list = MruList {
            by_seq: BTreeMap::new(),
            by_ip: HashMap::new(),
            next_seq: 0,
            next_synthetic: 0,
            ipv6_every: 0,
            churn_new: cfg.churn_new_per_sec.max(0.0),
            churn_touch: cfg.churn_touch_per_sec.max(0.0),
            created: 0,
            touched: 0,
            rng: Rng::new(cfg.seed),
            start,
            max_depth: cfg.max_depth.unwrap_or(usize::MAX).max(1),
            recycled: 0,
            added: 0,
        };
        let mut initial: Vec<(f64, Entry)> = Vec::new();
        if let Some(g) = &cfg.generate {
            list.ipv6_every = g.ipv6_every;
            let count = g.count.min(2_000_000);
            for i in 0..count {
                // i = 0 is the oldest.
                let ago = g.newest_ago + g.spacing * (count - 1 - i) as f64;
                let addr = list.synthetic_addr();
                let mut e = list.fresh_entry(addr, shift(start, -ago));
                e.first = NtpTs::from_system(shift(start, -ago - 3600.0 * list.rng.next_f64()));
                e.ct = 1 + list.rng.below(500) as i64;
                e.sc = list.rng.next_f64() * 2.0;
                initial.push((ago, e));
            }
        }
        for me in &cfg.entries {
            let Some(addr) = parse_addr(&me.addr) else {
                continue;
            };
            let e = Entry {
                addr,
                first: NtpTs::from_system(shift(start, -me.first_ago.unwrap_or(me.last_ago))),
                last: NtpTs::from_system(shift(start, -me.last_ago)),
                ct: me.ct,
                mv: me.mv,
                rs: me.rs,
                sc: me.sc,
                dr: me.dr,
                laddr: me.laddr.as_deref().and_then(|a| a.parse().ok()),
            };
            initial.push((me.last_ago, e));
        }
        // Oldest (largest ago) first; stable for equal times.
        initial.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        for (_, e) in initial {
            list.push_newest(e);
        }
        list
    }

    fn synthetic_addr(&mut self) -> SocketAddr {
        let i = self.next_synthetic;
        self.next_synthetic += 1;
        let port = 1024 + self.rng.below(64_000) as u16;
        if self.ipv6_every > 0 && i % self.ipv6_every as u64 == self.ipv6_every as u64 - 1 {
            let ip = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, (i >> 16) as u16, i as u16 | 1);
            SocketAddr::new(IpAddr::V6(ip), port)
        } else {
            let n = (i + 1) as u32;
            let ip = Ipv4Addr::new(10, (n >> 16) as u8, (n >> 8) as u8, n as u8);
            SocketAddr::new(IpAddr::V4(ip), port)
        }
    }

    fn fresh_entry(&mut self, addr: SocketAddr, at: SystemTime) -> Entry {
        let ts = NtpTs::from_system(at);
        Entry {
            addr,
            first: ts,
            last: ts,
            ct: 1,
            mv: 0x23,
            rs: 0,
            sc: 0.0,
            dr: 0,
            laddr: None,
        }
    }

    /// Adds (or replaces the entry of the same IP) at the newest end.
    pub fn push_newest(&mut self, e: Entry) {
        match self.by_ip.remove(&e.addr.ip()) {
            Some(old) => {
                self.by_seq.remove(&old);
            }
            None => self.added += 1,
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_ip.insert(e.addr.ip(), seq);
        self.by_seq.insert(seq, e);
        while self.by_seq.len() > self.max_depth {
            if let Some((_, old)) = self.by_seq.pop_first() {
                self.by_ip.remove(&old.addr.ip());
                self.recycled += 1;
            }
        }
    }

    /// Entries recycled to make room (`max_depth`).
    pub fn recycled(&self) -> u64 {
        self.recycled
    }

    /// Entries added for a new address, the initial ones included.
    pub fn added(&self) -> u64 {
        self.added
    }

    pub fn len(&self) -> usize {
        self.by_seq.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_seq.is_empty()
    }

    /// Applies churn up to `now`.
    pub fn advance(&mut self, now: SystemTime) {
        let elapsed = now
            .duration_since(self.start)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        let ts = NtpTs::from_system(now);
        let want_new = (self.churn_new * elapsed) as u64;
        let steps = want_new.saturating_sub(self.created).min(MAX_CHURN_STEP);
        for _ in 0..steps {
            let addr = self.synthetic_addr();
            let e = self.fresh_entry(addr, now);
            self.push_newest(e);
        }
        self.created = self.created.max(want_new);
        let want_touch = (self.churn_touch * elapsed) as u64;
        let steps = want_touch.saturating_sub(self.touched).min(MAX_CHURN_STEP);
        for _ in 0..steps {
            if self.by_seq.is_empty() {
                break;
            }
            let k = self.rng.below(self.by_seq.len() as u64) as usize;
            let Some(seq) = self.by_seq.keys().nth(k).copied() else {
                break;
            };
            if let Some(mut e) = self.by_seq.remove(&seq) {
                self.by_ip.remove(&e.addr.ip());
                e.last = ts;
                e.ct += 1;
                self.push_newest(e);
            }
        }
        self.touched = self.touched.max(want_touch);
    }

    /// The entry for this IP (port ignored), with its position.
    pub fn lookup(&self, ip: IpAddr) -> Option<(u64, &Entry)> {
        let seq = *self.by_ip.get(&ip)?;
        self.by_seq.get(&seq).map(|e| (seq, e))
    }

    /// Entries newer than `after` (all when `None`), oldest first.
    pub fn walk_from(&self, after: Option<u64>) -> impl Iterator<Item = (u64, &Entry)> {
        use std::ops::Bound;
        let lower = match after {
            Some(s) => Bound::Excluded(s),
            None => Bound::Unbounded,
        };
        self.by_seq
            .range((lower, Bound::Unbounded))
            .map(|(k, v)| (*k, v))
    }

    /// Snapshot, oldest first (for tests).
    pub fn entries(&self) -> Vec<Entry> {
        self.by_seq.values().cloned().collect()
    }

    /// Records a packet from `addr` now (used by tests and by callers who
    /// want the simulator's own clients in the list).
    pub fn touch(&mut self, addr: SocketAddr, now: SystemTime, mv: u32) {
        let ts = NtpTs::from_system(now);
        let e = match self.lookup(addr.ip()) {
            Some((_, old)) => Entry {
                addr,
                last: ts,
                ct: old.ct + 1,
                mv,
                ..old.clone()
            },
            None => Entry {
                mv,
                ..self.fresh_entry(addr, now)
            },
        };
        self.push_newest(e);
    }
}
