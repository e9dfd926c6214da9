//! `mrulist follow` in memory: after a complete walk, each poll reads from
//! the newest entries read before and returns exactly what changed since
//! (ntpd moves every entry it touches to the newest end), on a virtual
//! clock against the simulator's server core.

mod pair;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use ntp_control::mru::{EngineEvent, Finish, RetrievalEvent};
use pair::{scenario, t0, Pair};

const MINUTE: Duration = Duration::from_secs(60);

/// Addresses read since the last call (IP text), and forgets them.
fn drain(p: &mut Pair) -> BTreeSet<String> {
    let got = p.addresses().into_iter().collect();
    p.list = Default::default();
    got
}

/// The server's list as IP text.
fn server_set(p: &Pair) -> BTreeSet<String> {
    p.server_addresses().into_iter().collect()
}

/// Touches `addrs` on the server now (new ones are added).
fn touch(p: &mut Pair, addrs: &[String]) {
    p.elapsed += Duration::from_millis(10);
    let now = t0() + p.elapsed;
    for a in addrs {
        let ip: std::net::IpAddr = a.parse().expect("address");
        let sa = SocketAddr::new(ip, 123);
        p.server.mru_mut().touch(sa, now, 0x23);
    }
}

/// Starts the next poll and runs it to its end.
fn poll(p: &mut Pair) {
    p.elapsed += Duration::from_secs(1);
    let now = p.base() + p.elapsed;
    assert!(p.client.follow(now), "the previous walk completed");
    assert_eq!(p.run(p.elapsed + MINUTE), Some(Finish::Complete));
}

#[test]
fn each_poll_returns_what_changed_since_the_last() {
    let mut p = Pair::new(&scenario(3000, ""), "follow", 128);
    assert_eq!(p.run(MINUTE), Some(Finish::Complete));
    let first = drain(&mut p);
    assert_eq!(first, server_set(&p), "the first walk reads the whole list");

    let old: Vec<String> = first.iter().take(5).cloned().collect();
    let new: Vec<String> = (1..=3).map(|i| format!("198.51.100.{i}")).collect();
    touch(&mut p, &old);
    touch(&mut p, &new);
    poll(&mut p);
    let got = drain(&mut p);
    let want: BTreeSet<String> = old.iter().chain(&new).cloned().collect();
    // Our own queries touch the client's entry too; nothing else came.
    let client = "127.0.0.1".to_string();
    let unexpected: Vec<&String> = got.difference(&want).filter(|a| **a != client).collect();
    assert!(want.is_subset(&got), "missing {:?}", want.difference(&got));
    assert!(unexpected.is_empty(), "not changed: {unexpected:?}");
    assert!(
        got.len() < 20,
        "a poll reads changes, not the list: {}",
        got.len()
    );

    // A quiet interval: nothing but our own entry.
    poll(&mut p);
    let got = drain(&mut p);
    assert!(got.iter().all(|a| *a == client), "{got:?}");
}

/// ntpd resumes after the oldest anchor it still knows even when that one
/// changed (ntp_control.c, read_mru_list), passing over what was touched
/// before it: the poll notices (`last.older` is none of the times sent)
/// and reads the list again.
#[test]
fn when_every_anchor_was_touched_the_poll_starts_over_and_says_so() {
    let mut p = Pair::new(&scenario(3000, ""), "follow", 128);
    assert_eq!(p.run(MINUTE), Some(Finish::Complete));
    let all = drain(&mut p);
    // The newest 40 entries (every anchor among them) change.
    let newest: Vec<String> = p
        .server
        .mru()
        .entries()
        .iter()
        .rev()
        .take(40)
        .map(|e| e.addr.ip().to_string())
        .collect();
    touch(&mut p, &newest);
    p.events.clear();
    poll(&mut p);
    let got = drain(&mut p);
    let newest: BTreeSet<String> = newest.into_iter().collect();
    assert!(
        newest.is_subset(&got),
        "missing {:?}",
        newest.difference(&got)
    );
    assert!(got.is_subset(&all.union(&newest).cloned().collect()));
    let restarted = p.events.iter().any(|e| {
        matches!(
            e,
            RetrievalEvent::Engine(EngineEvent::AnchorMoved { rewalk: true })
        )
    });
    assert!(restarted, "the fallback is reported: {:?}", p.events);
}

#[test]
fn follow_needs_a_completed_walk() {
    let mut p = Pair::new(&scenario(100, "[faults]\nsilence = true\n"), "follow", 128);
    assert!(p.run(MINUTE).is_some_and(|f| f != Finish::Complete));
    let now = p.base() + p.elapsed;
    assert!(!p.client.follow(now));
}

/// A list that holds 3,000 entries gets 5,000 new clients between two
/// polls: the oldest 2,000 of them are recycled before the poll comes.
/// The server's additions (its counters, read with each poll) minus the
/// new clients the poll saw is exactly what was lost.
#[test]
fn the_missed_estimate_is_what_recycling_took() {
    // The server's counters follow its list.
    let live = scenario(3000, "max_depth = 3000\n")
        .replace("mru_depth=3000", "mru_depth={mru:depth}")
        .replace("mru_new=3000", "mru_new={mru:new}")
        .replace("mru_recycleold=0", "mru_recycleold={mru:recycleold}")
        .replace("mru_recyclefull=0", "mru_recyclefull={mru:recyclefull}");
    let mut p = Pair::new(&live, "follow", 128);
    assert_eq!(p.run(MINUTE), Some(Finish::Complete));
    drain(&mut p);
    let (mut truly_missed, mut counted, mut seen) = (0u64, 0u64, 0u64);
    for round in 0..3 {
        let new: Vec<String> = (0..5000)
            .map(|i| format!("10.{round}.{}.{}", i / 256, i % 256))
            .collect();
        // In batches, as clients arrive over the interval.
        for batch in new.chunks(500) {
            touch(&mut p, batch);
        }
        let seen_before = p.client.stats().new_during;
        poll(&mut p);
        let got = drain(&mut p);
        truly_missed += new.iter().filter(|a| !got.contains(*a)).count() as u64;
        let (before, after) = (p.client.counters_before(), p.client.counters_after());
        counted += after
            .expect("counters after the poll")
            .added_since(&before.expect("counters before the poll"));
        seen += p.client.stats().new_during - seen_before;
    }
    assert_eq!(truly_missed, 3 * 2000);
    assert_eq!(counted, 3 * 5000, "the server's additions");
    assert_eq!(counted - seen, truly_missed, "the estimate");
}

/// ntpd restarted between two polls: it ignores the old nonce. After a
/// few silences the follow asks for a fresh nonce and the poll completes.
#[test]
fn a_server_that_forgot_our_nonce_is_asked_for_a_new_one() {
    let mut p = Pair::new(&scenario(500, ""), "follow", 128);
    assert_eq!(p.run(MINUTE), Some(Finish::Complete));
    drain(&mut p);
    let fetches = p.client.stats().nonce_fetches;
    let new: Vec<String> = (1..=5).map(|i| format!("198.51.100.{i}")).collect();
    touch(&mut p, &new);
    p.server.forget_nonces();
    poll(&mut p);
    let got = drain(&mut p);
    assert!(
        new.iter().all(|a| got.contains(a)),
        "the poll read what changed: {got:?}"
    );
    assert!(
        p.client.stats().nonce_fetches > fetches,
        "a new nonce was fetched"
    );
}
