//! Which entries of a `mrulist follow` poll are clients the server added
//! since the previous poll, so that the server's count of additions
//! minus ours estimates what was missed.
//!
//! "First heard after the previous walk's end" is not quite it: ntpd
//! stamps a request when it arrives, and a request queued while ntpd built
//! the walk's last reply is added after that reply with an earlier stamp.
//! So an entry first heard up to [`BOUNDARY_SLACK`] before the previous
//! end also counts as new, unless the previous poll returned it already.
//! The memory is the new entries first heard within the slack of the
//! newest one seen (ntpd sends the oldest first, so the set is pruned as
//! it grows), at most [`MAX_REMEMBERED`].

use std::collections::HashSet;

use super::entry::{AddrRef, MruEntry, NtpStamp};

/// How far before the previous walk's end a first-heard stamp may lie for
/// an entry the previous walk could not see (0.25 s as an NTP stamp).
pub const BOUNDARY_SLACK: NtpStamp = 1 << 30;

/// The most entries one poll remembers (a bound, not a budget: at 50,000
/// new clients a second a poll a second remembers 50,000).
pub const MAX_REMEMBERED: usize = 1 << 20;

/// An entry's identity across polls: when it was first heard, from which
/// address and port (IPv6 addresses by their index in the retrieval's
/// table, which lasts as long as the follow).
type Key = (NtpStamp, u64, u16);

fn key(e: &MruEntry) -> Key {
    let addr = match e.addr {
        AddrRef::V4(a) => u64::from(a),
        AddrRef::V6(i) => (1 << 32) | u64::from(i),
        AddrRef::Invalid => 1 << 33,
    };
    (e.first, addr, e.port)
}

#[derive(Debug, Default)]
pub struct NewClients {
    /// The previous poll's new entries first heard within the slack of its end.
    boundary: HashSet<Key>,
    /// This poll's new entries, those first heard within the slack of
    /// `newest` at least.
    this_poll: HashSet<Key>,
    /// The latest first-heard stamp this poll has seen.
    newest: NtpStamp,
    /// Size of `this_poll` at which it is next pruned.
    prune_at: usize,
}

impl NewClients {
    /// Whether `e` is new in a poll that follows a walk ending at `start`.
    pub fn is_new(&mut self, e: &MruEntry, start: NtpStamp) -> bool {
        let key = key(e);
        let new = if e.first > start {
            true
        } else if e.first > start.saturating_sub(BOUNDARY_SLACK) {
            !self.boundary.contains(&key)
        } else {
            false
        };
        if !new {
            return false;
        }
        self.newest = self.newest.max(e.first);
        if self.this_poll.len() >= self.prune_at.max(1024) {
            let from = self.newest.saturating_sub(BOUNDARY_SLACK);
            self.this_poll.retain(|k| k.0 > from);
            self.prune_at = self.this_poll.len() * 2;
        }
        // An entry returned twice in one poll (a list read again) is one
        // client, as long as it is remembered.
        self.this_poll.len() >= MAX_REMEMBERED || self.this_poll.insert(key)
    }

    /// The poll ended at `end`: keep what the next one needs.
    pub fn next_poll(&mut self, end: Option<NtpStamp>) {
        let from = end.map_or(NtpStamp::MAX, |e| e.saturating_sub(BOUNDARY_SLACK));
        self.boundary = std::mem::take(&mut self.this_poll);
        self.boundary.retain(|k| k.0 > from);
        self.boundary.shrink_to_fit();
        self.newest = 0;
        self.prune_at = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(first: NtpStamp, port: u16) -> MruEntry {
        MruEntry {
            last: first,
            first,
            addr: AddrRef::V4(0x7f01_0000 + u32::from(port)),
            count: 1,
            drop: 0,
            score_milli: 0,
            port,
            rs: 0,
            mv: 0,
            has_port: true,
        }
    }

    const SEC: NtpStamp = 1 << 32;

    #[test]
    fn late_arrivals_count_once() {
        let mut n = NewClients::default();
        let t1 = 100 * SEC;
        // Poll 1 (after a walk ending at t1 - 1 s): sees an entry stamped
        // just before its own end t1.
        let early = entry(t1 - SEC / 10, 1);
        assert!(n.is_new(&early, t1 - SEC));
        n.next_poll(Some(t1));
        // Poll 2 sees it again (re-touched): not new.
        assert!(!n.is_new(&early, t1));
        // An entry stamped before t1 but added after poll 1's last reply.
        let late = entry(t1 - SEC / 20, 2);
        assert!(n.is_new(&late, t1));
        // Stamped well before the previous end: a re-touched old client.
        assert!(!n.is_new(&entry(t1 - SEC, 3), t1));
        // After t1: new, once.
        let after = entry(t1 + 5, 4);
        assert!(n.is_new(&after, t1));
        assert!(!n.is_new(&after, t1));
        // Another client heard at the same instant from the same port.
        let twin = MruEntry {
            addr: AddrRef::V4(0x0a00_0001),
            ..after
        };
        assert!(n.is_new(&twin, t1));
    }

    #[test]
    fn the_boundary_keeps_only_the_slack_window() {
        let mut n = NewClients::default();
        let t1 = 100 * SEC;
        for i in 0..1000u16 {
            assert!(n.is_new(&entry(t1 - SEC + NtpStamp::from(i) * (SEC / 1000), i), 0));
        }
        n.next_poll(Some(t1));
        // About a quarter of a second of the last poll's new entries.
        assert!(
            (240..=260).contains(&n.boundary.len()),
            "{}",
            n.boundary.len()
        );
    }

    #[test]
    fn a_long_poll_remembers_only_the_slack_behind_its_newest_entry() {
        let mut n = NewClients::default();
        // 100,000 new clients over 10 s, oldest first.
        for i in 0..100_000u64 {
            let e = MruEntry {
                addr: AddrRef::V4(i as u32),
                ..entry((i + 1) * (10 * SEC / 100_000), 1)
            };
            assert!(n.is_new(&e, 0));
        }
        // A quarter of a second holds 2,500; pruning lets it reach twice that.
        assert!(n.this_poll.len() <= 5_200, "{}", n.this_poll.len());
        n.next_poll(Some(10 * SEC));
        assert!(
            (2_400..=2_600).contains(&n.boundary.len()),
            "{}",
            n.boundary.len()
        );
    }
}
