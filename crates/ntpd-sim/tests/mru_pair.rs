//! mrulist retrieval against the simulator's server core in memory, on a
//! virtual clock: the fault cases that used to need wall-clock runs of the
//! binary, each deterministic and done in milliseconds.

mod pair;

use std::time::Duration;

use ntp_control::mru::{EngineEvent, Finish, MruError, RetrievalEvent};
use ntp_control::query::{QueryEvent, QueryWarning};
use ntp_control::QueryError;
use pair::{scenario, Pair};

const MINUTE: Duration = Duration::from_secs(60);

fn engine_events(p: &Pair) -> Vec<EngineEvent> {
    p.events
        .iter()
        .filter_map(|e| match e {
            RetrievalEvent::Engine(e) => Some(*e),
            _ => None,
        })
        .collect()
}

fn warnings(p: &Pair) -> Vec<QueryWarning> {
    p.events
        .iter()
        .filter_map(|e| match e {
            RetrievalEvent::Query(QueryEvent::Warning(w)) => Some(w.clone()),
            _ => None,
        })
        .collect()
}

/// Runs `extra` faults over 10,000 entries and checks the list is whole.
fn complete_despite(extra: &str, cap: u32) -> Pair {
    let mut p = Pair::new(&scenario(10_000, extra), "", cap);
    let finish = p.run(MINUTE);
    assert_eq!(finish, Some(Finish::Complete), "{:?}", engine_events(&p));
    let ours = p.addresses();
    assert_eq!(ours.len(), 10_000);
    assert_eq!(ours, p.server_addresses());
    p
}

#[test]
fn clean_walk_reads_every_entry_with_few_requests() {
    let p = complete_despite("", 128);
    let s = p.client.stats();
    assert_eq!(s.slots, 10_000);
    assert_eq!((s.timeouts, s.restarts, s.salvaged), (0, 0, 0));
    assert!(s.requests < 40, "replies grow to 128 fragments: {s:?}");
    assert!(p.client.counters_before().is_some() && p.client.counters_after().is_some());
    assert!(p.elapsed < Duration::from_millis(100), "{:?}", p.elapsed);
}

#[test]
fn the_references_reply_size_also_completes() {
    let p = complete_despite("", 32);
    assert!(p.client.stats().requests > 40);
}

#[test]
fn loss_duplication_and_reordering() {
    let p = complete_despite(
        "[faults]\nseed = 7\ndrop = 0.05\nduplicate = 0.05\nreorder = \"swap\"\n",
        128,
    );
    let s = p.client.stats();
    assert!(s.timeouts > 0 && s.salvaged > 0, "losses salvaged: {s:?}");
    assert!(engine_events(&p)
        .iter()
        .any(|e| matches!(e, EngineEvent::Salvaged { .. })));
    assert!(p.elapsed < Duration::from_secs(10), "{:?}", p.elapsed);
}

#[test]
fn twenty_percent_loss_still_completes() {
    complete_despite("[faults]\nseed = 3\ndrop = 0.2\n", 128);
}

#[test]
fn reordered_fragments() {
    for order in ["reverse", "rotate", "swap"] {
        complete_despite(&format!("[faults]\nreorder = \"{order}\"\n"), 128);
    }
}

#[test]
fn malformed_replies_are_dropped_and_retried() {
    for kind in ["truncate", "short_data", "wrong_sequence", "bad_count"] {
        let p = complete_despite(
            &format!(
                "[faults]\nseed = 5\nopcodes = [10]\nmalformed = \"{kind}\"\nmalformed_fraction = 0.05\n"
            ),
            128,
        );
        if kind == "truncate" {
            assert!(warnings(&p)
                .iter()
                .any(|w| matches!(w, QueryWarning::RuntDiscarded(_))));
        }
    }
}

#[test]
fn always_malformed_replies_fail_within_bounds() {
    let mut p = Pair::new(
        &scenario(
            1000,
            "[faults]\nopcodes = [10]\nmalformed = \"bad_count\"\n",
        ),
        "",
        128,
    );
    let finish = p.run(10 * MINUTE).expect("gives up");
    assert!(matches!(finish, Finish::Failed(_)), "{finish:?}");
    assert!(p.elapsed < MINUTE, "{:?}", p.elapsed);
}

#[test]
fn silent_to_the_nonce_request_fails_after_its_timeouts() {
    // READVAR (the counters) is answered, REQ_NONCE (12) never: the
    // failure is the nonce's, after the reference's two 5 s waits.
    let mut p = Pair::new(
        &scenario(100, "[faults]\nopcodes = [12]\nsilence = true\n"),
        "",
        128,
    );
    let finish = p.run(10 * MINUTE);
    assert_eq!(
        finish,
        Some(Finish::Failed(MruError::Query(QueryError::Timeout)))
    );
    assert!(
        p.client.counters_before().is_some(),
        "the counters were read"
    );
    assert!(
        p.elapsed >= Duration::from_secs(10) && p.elapsed < Duration::from_secs(11),
        "{:?}",
        p.elapsed
    );
    assert!(p.list.entries.is_empty());
}

#[test]
fn silent_server_fails_on_the_counters_at_once() {
    let mut p = Pair::new(&scenario(100, "[faults]\nsilence = true\n"), "", 128);
    assert_eq!(
        p.run(10 * MINUTE),
        Some(Finish::Failed(MruError::Query(QueryError::Timeout)))
    );
    assert!(p.client.counters_before().is_none());
    assert_eq!(p.client.stats().nonce_fetches, 0, "no nonce asked for");
}

#[test]
fn mru_replies_that_never_arrive_give_up_bounded() {
    let mut p = Pair::new(
        &scenario(100, "[faults]\nopcodes = [10]\nsilence = true\n"),
        "",
        128,
    );
    let finish = p.run(10 * MINUTE).expect("gives up");
    assert_eq!(finish, Finish::Failed(MruError::Query(QueryError::Timeout)));
    assert!(engine_events(&p)
        .iter()
        .any(|e| matches!(e, EngineEvent::Shrunk { .. })));
}

#[test]
fn list_growing_and_retouched_during_the_walk_is_read_whole() {
    let mut p = Pair::new(
        &scenario(
            20_000,
            "churn_new_per_sec = 50000.0\nchurn_touch_per_sec = 20000.0\n",
        ),
        "",
        128,
    );
    // Slow the walk down so that much changes while it runs.
    p.delay = Duration::from_millis(2);
    let before: Vec<String> = p.server_addresses();
    assert_eq!(p.run(MINUTE), Some(Finish::Complete));
    let ours = p.addresses();
    let missing = before
        .iter()
        .filter(|a| ours.binary_search(a).is_err())
        .count();
    assert_eq!(missing, 0, "every entry there at the start is read");
    let s = p.client.stats();
    assert!(s.changed_during > 1000, "{s:?}");
    assert!(ours.len() > 20_000);
}

#[test]
fn eviction_faster_than_the_walk_stalls_with_what_was_read() {
    // A list capped at 5,000 recycling 20,000 entries/s, read slowly: the
    // anchors are recycled under the reader, restart after restart.
    let mut p = Pair::new(
        &scenario(5_000, "churn_new_per_sec = 20000.0\nmax_depth = 5000\n"),
        "",
        4,
    );
    p.delay = Duration::from_millis(20);
    let finish = p.run(10 * MINUTE).expect("ends");
    assert!(
        matches!(finish, Finish::Stalled | Finish::Complete),
        "{finish:?}"
    );
    let s = p.client.stats().clone();
    assert!(s.restarts > 0, "{s:?}");
    assert!(engine_events(&p)
        .iter()
        .any(|e| matches!(e, EngineEvent::StaleAnchors { .. })));
    assert!(p
        .events
        .iter()
        .any(|e| matches!(e, RetrievalEvent::Outpaced { restarts, .. } if *restarts > 0)));
    assert!(!p.list.entries.is_empty());
}

#[test]
fn a_walk_longer_than_the_nonce_lifetime_refreshes_it() {
    let mut p = Pair::new(&scenario(3_000, ""), "", 2);
    p.delay = Duration::from_millis(100);
    assert_eq!(p.run(10 * MINUTE), Some(Finish::Complete));
    assert!(p.elapsed > Duration::from_secs(20), "{:?}", p.elapsed);
    assert!(p.client.stats().nonce_fetches >= 2);
    assert_eq!(p.addresses().len(), 3_000);
}

#[test]
fn the_next_request_leaves_before_the_reply_is_read() {
    let mut p = Pair::new(&scenario(5_000, ""), "", 128);
    let client: std::net::SocketAddr = pair::CLIENT.parse().unwrap();
    let server: std::net::SocketAddr = pair::SERVER.parse().unwrap();
    let mut requests: std::collections::VecDeque<Vec<u8>> =
        p.client.poll_transmit().into_iter().collect();
    let mut pipelined = 0;
    while let Some(pkt) = requests.pop_front() {
        for r in p.server.handle(pair::t0(), client, &pkt) {
            p.client
                .handle_datagram(std::time::Instant::now(), server, &r);
            if let Some(reply) = p.client.next_unread() {
                // The reply is complete and not yet read: the next request
                // (or the closing counters) is already there to send.
                let next = p.client.poll_transmit();
                assert!(
                    next.is_some(),
                    "reply {pipelined}: nothing to send before reading"
                );
                requests.extend(next);
                let mut n = 0;
                p.client
                    .ingest(&reply, &mut p.list.v6, &mut |_, _| n += 1)
                    .unwrap();
                assert!(n > 0);
                pipelined += 1;
            }
        }
        requests.extend(p.client.poll_transmit());
    }
    assert_eq!(p.client.finish(), Some(&Finish::Complete));
    assert!(pipelined > 3, "{pipelined}");
}

#[test]
fn a_row_limit_pages_through_the_whole_list() {
    // `limit=` is the rows per reply, not a total (mrulist.md §1).
    let mut p = Pair::new(&scenario(2_000, ""), "limit=100", 128);
    assert_eq!(p.run(MINUTE), Some(Finish::Complete));
    assert_eq!(p.addresses().len(), 2_000);
    assert!(p.client.stats().requests >= 20);
}
