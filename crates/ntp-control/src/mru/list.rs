//! The collected list (mrulist.md §6, §7): entries in arrival order,
//! de-duplicated per address and arranged in display order.

use super::entry::{stamp_to_unix, AddrRef, MruEntry, NtpStamp, V6Table};

/// The collected entries in arrival order, with their IPv6 side table.
#[derive(Default, Debug)]
pub struct MruList {
    pub entries: Vec<MruEntry>,
    pub v6: V6Table,
    /// Entries left by the last de-duplication during the walk.
    deduped_len: usize,
}

/// The most distinct entries one retrieval keeps unless told otherwise
/// (`NTPQ_MRU_MAX_ENTRIES`): about 480 MB of entries.
pub const DEFAULT_MAX_ENTRIES: usize = 10_000_000;

/// The most distinct entries worth keeping from a server that says it
/// holds at most `maxdepth`: twice that (entries recycled during the walk
/// are replaced by new ones, which are read too) plus a margin, and never
/// more than `hard_cap`. A server whose list goes on past this is broken
/// or hostile.
pub fn entry_bound(maxdepth: Option<i128>, hard_cap: usize) -> usize {
    match maxdepth {
        Some(m) if m > 0 => {
            let m = usize::try_from(m).unwrap_or(usize::MAX);
            hard_cap.min(m.saturating_mul(2).saturating_add(100_000))
        }
        _ => hard_cap,
    }
}

/// Sort orders of `mrulist sort=` (mrulist.md §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    Lstint,
    LstintDesc,
    Avgint,
    AvgintDesc,
    Addr,
    AddrDesc,
    Count,
    CountDesc,
    Score,
    ScoreDesc,
    Drop,
    DropDesc,
}

impl SortKey {
    /// The names [`SortKey::parse`] accepts (`sort=` values).
    pub const NAMES: &'static [&'static str] = &[
        "lstint", "-lstint", "avgint", "-avgint", "addr", "-addr", "count", "-count", "score",
        "-score", "drop", "-drop",
    ];

    pub fn parse(text: &str) -> Option<SortKey> {
        Some(match text {
            "lstint" => SortKey::Lstint,
            "-lstint" => SortKey::LstintDesc,
            "avgint" => SortKey::Avgint,
            "-avgint" => SortKey::AvgintDesc,
            "addr" => SortKey::Addr,
            "-addr" => SortKey::AddrDesc,
            "count" => SortKey::Count,
            "-count" => SortKey::CountDesc,
            "score" => SortKey::Score,
            "-score" => SortKey::ScoreDesc,
            "drop" => SortKey::Drop,
            "-drop" => SortKey::DropDesc,
            _ => return None,
        })
    }
}

impl MruList {
    /// De-duplicates ([`MruList::dedup`]) once the list has doubled since
    /// the last time and holds more than `floor` entries, so that memory
    /// follows the distinct addresses received, not the entries (a server
    /// that repeats itself forever), at an amortised cost of a few
    /// nanoseconds per entry. `floor` is the server's own count: a healthy
    /// walk never gets there. The result is the same as one `dedup` at
    /// the end. Returns how many were dropped.
    pub fn dedup_if_grown(&mut self, floor: usize) -> usize {
        let threshold = self.deduped_len.max(floor).max(4096).saturating_mul(2);
        if self.entries.len() < threshold {
            return 0;
        }
        let dropped = self.dedup();
        self.deduped_len = self.entries.len();
        dropped
    }

    /// Keeps, per address (port ignored: ntpd keeps one entry per address;
    /// the reference's address:port key shows a client twice when its port
    /// changes), the entry with the greatest `last` (the later-received one
    /// on a tie), preserving arrival order. Returns how many were dropped.
    pub fn dedup(&mut self) -> usize {
        let n = self.entries.len();
        if n < 2 {
            return 0;
        }
        // Most lists have few repeated addresses: a first pass marks, in a
        // bit set indexed by a hash of the address, the slots hit more than
        // once, and only the entries on such slots (the repeats and a few
        // percent of hash collisions) are compared exactly. No sort of the
        // whole list, and 2 bits of scratch per slot (4 MB at 1M entries).
        let log2 = (n * 16).next_power_of_two().trailing_zeros().clamp(12, 24);
        let words = (1usize << log2) / 64;
        let (mut seen, mut twice) = (vec![0u64; words], vec![0u64; words]);
        let mut repeats = false;
        for e in &self.entries {
            let Some(slot) = addr_slot(e.addr, log2) else {
                continue; // invalid addresses are never merged
            };
            let (w, bit) = (slot / 64, 1u64 << (slot % 64));
            if seen[w] & bit != 0 {
                twice[w] |= bit;
                repeats = true;
            } else {
                seen[w] |= bit;
            }
        }
        if !repeats {
            return 0;
        }
        drop(seen);
        // Candidates as (address, last, arrival): within an address, the
        // survivor sorts last.
        let mut candidates: Vec<(AddrRef, NtpStamp, u32)> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let slot = addr_slot(e.addr, log2)?;
                (twice[slot / 64] & (1u64 << (slot % 64)) != 0)
                    .then_some((e.addr, e.last, i as u32))
            })
            .collect();
        drop(twice);
        candidates.sort_unstable();
        let mut losers: Vec<u32> = candidates
            .windows(2)
            .filter(|w| w[0].0 == w[1].0)
            .map(|w| w[0].2)
            .collect();
        if losers.is_empty() {
            return 0;
        }
        losers.sort_unstable();
        let mut next = losers.iter().copied().peekable();
        let mut idx = 0u32;
        self.entries.retain(|_| {
            let lose = next.next_if_eq(&idx).is_some();
            idx += 1;
            !lose
        });
        losers.len()
    }

    /// Arranges the entries in display order: the reference sorts stably by
    /// its key and prints in reverse; this produces the printed order.
    pub fn sort_for_display(&mut self, key: Option<SortKey>) {
        use std::cmp::Ordering;
        let v6 = &self.v6;
        let addr_key = |e: &MruEntry| -> [u8; 20] {
            let mut k = [0u8; 20];
            match e.addr {
                AddrRef::V4(a) => k[16..].copy_from_slice(&a.to_be_bytes()),
                AddrRef::V6(i) => {
                    if let Some((a, _)) = v6.get(i) {
                        k[..16].copy_from_slice(&a.octets());
                    }
                }
                AddrRef::Invalid => {}
            }
            k
        };
        // An IPv6 key is 16 octets, an IPv4 key 20: compare as byte strings.
        let addr_cmp = |a: &MruEntry, b: &MruEntry| -> Ordering {
            let (ka, kb) = (addr_key(a), addr_key(b));
            let la = if matches!(a.addr, AddrRef::V4(_)) {
                20
            } else {
                16
            };
            let lb = if matches!(b.addr, AddrRef::V4(_)) {
                20
            } else {
                16
            };
            ka[..la].cmp(&kb[..lb])
        };
        let avg = |e: &MruEntry| -> f64 {
            let last = stamp_to_unix(e.last, 0) - stamp_to_unix(e.first, 0);
            last / f64::from(e.count)
        };
        let score = |e: &MruEntry| e.score().unwrap_or(0.0);
        let drop = |e: &MruEntry| e.drop_count().unwrap_or(0);
        let entries = &mut self.entries;
        match key {
            None | Some(SortKey::Lstint) => entries.reverse(),
            Some(k) => {
                // Reference: stable sort ascending by its key, print reversed.
                // Equivalent: reverse first, then stable sort descending by
                // that key — ties keep "later received first".
                entries.reverse();
                match k {
                    SortKey::Lstint => {}
                    SortKey::LstintDesc => entries.sort_by_key(|e| e.last),
                    SortKey::Avgint => entries.sort_by(|a, b| avg(a).total_cmp(&avg(b))),
                    SortKey::AvgintDesc => entries.sort_by(|a, b| avg(b).total_cmp(&avg(a))),
                    SortKey::Count => entries.sort_by_key(|e| e.count),
                    SortKey::CountDesc => entries.sort_by_key(|e| std::cmp::Reverse(e.count)),
                    SortKey::Score => entries.sort_by(|a, b| score(a).total_cmp(&score(b))),
                    SortKey::ScoreDesc => entries.sort_by(|a, b| score(b).total_cmp(&score(a))),
                    SortKey::Drop => entries.sort_by_key(drop),
                    SortKey::DropDesc => entries.sort_by_key(|e| std::cmp::Reverse(drop(e))),
                    SortKey::AddrDesc => entries.sort_by(|a, b| addr_cmp(b, a)),
                    SortKey::Addr => {
                        // The reference sorts ascending and then reverses the
                        // list twice (once itself, once when printing), so
                        // ties keep arrival order: undo our first reverse.
                        entries.reverse();
                        entries.sort_by(addr_cmp);
                    }
                }
            }
        }
    }
}

/// The slot of an address in a table of 2^`log2` (Fibonacci hashing:
/// consecutive addresses spread out); `None` for an invalid address.
fn addr_slot(addr: AddrRef, log2: u32) -> Option<usize> {
    let key = match addr {
        AddrRef::V4(a) => u64::from(a),
        AddrRef::V6(i) => (1u64 << 32) | u64::from(i),
        AddrRef::Invalid => return None,
    };
    Some((key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - log2)) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The rule spelled out plainly: per address, the greatest (last,
    /// arrival) survives, in arrival order; invalid addresses all stay.
    fn dedup_by_map(entries: &[MruEntry]) -> Vec<MruEntry> {
        let mut best: HashMap<AddrRef, (NtpStamp, usize)> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            if e.addr != AddrRef::Invalid {
                let b = best.entry(e.addr).or_insert((e.last, i));
                if (e.last, i) >= *b {
                    *b = (e.last, i);
                }
            }
        }
        entries
            .iter()
            .enumerate()
            .filter(|(i, e)| e.addr == AddrRef::Invalid || best[&e.addr].1 == *i)
            .map(|(_, e)| *e)
            .collect()
    }

    fn entry(addr: AddrRef, last: NtpStamp, count: u32) -> MruEntry {
        MruEntry {
            last,
            first: last,
            addr,
            count,
            drop: 0,
            score_milli: 0,
            port: 123,
            rs: 0,
            mv: 0x23,
            has_port: true,
        }
    }

    /// xorshift64: reproducible pseudo-random lists.
    fn rng(seed: u64) -> impl FnMut() -> u64 {
        let mut x = seed | 1;
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    #[test]
    fn dedup_agrees_with_the_plain_rule_on_random_lists() {
        let mut next = rng(0x5eed);
        // Small address spaces force repeats; large ones force hash
        // collisions between distinct addresses (2^12 slots minimum).
        for (n, space) in [
            (2, 2),
            (50, 10),
            (1000, 300),
            (5000, 4000),
            (20_000, 1 << 30),
        ] {
            for _ in 0..20 {
                let entries: Vec<MruEntry> = (0..n)
                    .map(|_| {
                        let r = next();
                        let addr = match r % 10 {
                            0 => AddrRef::V6((r >> 8) as u32 % 7),
                            1 => AddrRef::Invalid,
                            _ => AddrRef::V4((r >> 8) as u32 % space),
                        };
                        // Few distinct `last` values: ties are common.
                        entry(addr, (r >> 40) % 4, (r >> 50) as u32)
                    })
                    .collect();
                let want = dedup_by_map(&entries);
                let mut list = MruList {
                    entries: entries.clone(),
                    ..MruList::default()
                };
                let dropped = list.dedup();
                assert_eq!(list.entries, want, "n={n} space={space}");
                assert_eq!(dropped, entries.len() - want.len());
            }
        }
    }

    fn v4_entry(addr: u32, port: u16, last: u64, count: u32) -> MruEntry {
        MruEntry {
            last,
            first: last - (5u64 << 32),
            addr: AddrRef::V4(addr),
            count,
            drop: 0,
            score_milli: 100,
            port,
            rs: 0,
            mv: 35,
            has_port: true,
        }
    }

    #[test]
    fn dedup_keeps_newest_per_address_ignoring_port() {
        let mut list = MruList {
            entries: vec![
                v4_entry(1, 10, 100 << 32, 1),
                v4_entry(2, 20, 200 << 32, 1),
                v4_entry(1, 11, 300 << 32, 2),
                v4_entry(3, 30, 250 << 32, 1),
                v4_entry(2, 21, 200 << 32, 5),
            ],
            ..MruList::default()
        };
        assert_eq!(list.dedup(), 2);
        let kept: Vec<(u32, u64, u32)> = list
            .entries
            .iter()
            .map(|e| match e.addr {
                AddrRef::V4(a) => (a, e.last, e.count),
                _ => (0, 0, 0),
            })
            .collect();
        // Arrival order kept; address 2's tie goes to the later one.
        assert_eq!(
            kept,
            [(1, 300 << 32, 2), (3, 250 << 32, 1), (2, 200 << 32, 5)]
        );
    }

    #[test]
    fn sort_orders_match_the_reference() {
        let make = || MruList {
            entries: vec![
                v4_entry(3, 1, 100 << 32, 5),
                v4_entry(1, 1, 300 << 32, 2),
                v4_entry(2, 1, 200 << 32, 5),
            ],
            ..MruList::default()
        };
        let addrs = |l: &MruList| -> Vec<u32> {
            l.entries
                .iter()
                .map(|e| match e.addr {
                    AddrRef::V4(a) => a,
                    _ => 0,
                })
                .collect()
        };
        let mut l = make();
        l.sort_for_display(None);
        assert_eq!(addrs(&l), [2, 1, 3], "newest arrival first");
        let mut l = make();
        l.sort_for_display(Some(SortKey::Count));
        assert_eq!(
            addrs(&l),
            [1, 2, 3],
            "ascending count, ties later-received first"
        );
        let mut l = make();
        l.sort_for_display(Some(SortKey::CountDesc));
        assert_eq!(addrs(&l), [2, 3, 1]);
        let mut l = make();
        l.sort_for_display(Some(SortKey::Addr));
        assert_eq!(addrs(&l), [1, 2, 3]);
        let mut l = make();
        l.sort_for_display(Some(SortKey::AddrDesc));
        assert_eq!(addrs(&l), [3, 2, 1]);
        let mut l = make();
        l.sort_for_display(Some(SortKey::LstintDesc));
        assert_eq!(addrs(&l), [3, 2, 1], "least recent first");
    }

    #[test]
    fn dedup_as_you_go_keeps_memory_to_the_distinct_addresses() {
        // A server repeating the same 100 entries: the list never holds
        // much more than twice the floor, and ends as one dedup would.
        let mut next = rng(7);
        let mut list = MruList::default();
        let mut all = Vec::new();
        for round in 0..2000u64 {
            for a in 0..100u32 {
                let e = entry(AddrRef::V4(a), round * 100 + next() % 3, 1);
                list.entries.push(e);
                all.push(e);
            }
            list.dedup_if_grown(0);
            assert!(
                list.entries.len() <= 2 * 4096 + 100,
                "{}",
                list.entries.len()
            );
        }
        list.dedup();
        assert_eq!(list.entries, dedup_by_map(&all));
        assert_eq!(list.entries.len(), 100);
    }

    #[test]
    fn a_healthy_walk_is_not_deduplicated_before_its_end() {
        let mut list = MruList::default();
        for i in 0..100_000u32 {
            list.entries
                .push(entry(AddrRef::V4(i % 50_000), u64::from(i), 1));
        }
        // The server said it holds 100,000: nothing to do yet.
        assert_eq!(list.dedup_if_grown(100_000), 0);
        assert_eq!(list.entries.len(), 100_000);
        assert_eq!(list.dedup_if_grown(40_000), 50_000);
    }

    #[test]
    fn the_entry_bound_follows_the_server_and_the_cap() {
        assert_eq!(entry_bound(Some(1_000_000), DEFAULT_MAX_ENTRIES), 2_100_000);
        assert_eq!(entry_bound(Some(100), DEFAULT_MAX_ENTRIES), 100_200);
        assert_eq!(
            entry_bound(Some(8_000_000), DEFAULT_MAX_ENTRIES),
            DEFAULT_MAX_ENTRIES
        );
        assert_eq!(entry_bound(None, 5000), 5000);
        assert_eq!(entry_bound(Some(-1), 5000), 5000);
        assert_eq!(entry_bound(Some(i128::MAX), 5000), 5000);
    }

    #[test]
    fn distinct_addresses_are_left_alone() {
        let entries: Vec<MruEntry> = (0..100_000u32)
            .map(|i| entry(AddrRef::V4(0x7f01_0000 + i), u64::from(i), 1))
            .collect();
        let mut list = MruList {
            entries: entries.clone(),
            ..MruList::default()
        };
        assert_eq!(list.dedup(), 0);
        assert_eq!(list.entries, entries);
    }

    #[test]
    fn an_entry_stays_48_bytes() {
        // A million-entry list is about 48 MB: the peak-RSS budget
        // (docs/benchmarks.md) depends on it.
        assert!(std::mem::size_of::<MruEntry>() <= 48);
    }
}
