use super::*;
use crate::header::{encode_error, encode_response};

fn server() -> SocketAddr {
    "127.0.0.1:123".parse().unwrap()
}

fn start(opcode: Opcode, now: Instant) -> (Query, Header) {
    start_with(opcode, Timeouts::default(), now)
}

/// [`start`] with `timeouts`.
fn start_with(opcode: Opcode, timeouts: Timeouts, now: Instant) -> (Query, Header) {
    let mut q = Query::new(
        Request::new(opcode, 0, b"".to_vec()),
        0,
        Some(server()),
        timeouts,
        None,
        now,
    );
    let pkt = q.poll_transmit().expect("a request is sent at once");
    let h = Header::decode(&pkt).unwrap();
    (q, h)
}

fn text(n: usize) -> Vec<u8> {
    (0..n).map(|i| b'a' + (i % 26) as u8).collect()
}

/// Drains the events and keeps the warnings.
fn warnings(q: &mut Query) -> Vec<QueryWarning> {
    std::iter::from_fn(|| q.poll_event())
        .filter_map(|e| match e {
            QueryEvent::Warning(w) => Some(w),
            _ => None,
        })
        .collect()
}

fn finish(q: &mut Query) -> Result<Response, QueryError> {
    q.take_outcome().expect("query finished")
}

#[test]
fn single_fragment_completes() {
    let now = Instant::now();
    let (mut q, req) = start(Opcode::ReadVar, now);
    assert_eq!(req.sequence, 1);
    let frags = encode_response(&req, 0, 0x0618, b"leap=00\r\n");
    q.handle_datagram(now, server(), &frags[0]);
    let r = finish(&mut q).unwrap();
    assert_eq!(r.data, b"leap=00\r\n");
    assert_eq!(r.status, 0x0618);
    assert_eq!(q.sequence(), 1);
}

#[test]
fn fragments_in_any_order_and_duplicates_reassemble() {
    let now = Instant::now();
    let data = text(468 * 3 + 100);
    for order in [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2], [0, 3, 1, 2]] {
        let (mut q, req) = start(Opcode::ReadVar, now);
        let frags = encode_response(&req, 0, 0, &data);
        assert_eq!(frags.len(), 4);
        for (k, &i) in order.iter().enumerate() {
            q.handle_datagram(now, server(), &frags[i]);
            if k == 0 {
                q.handle_datagram(now, server(), &frags[i]); // duplicate
                let w = warnings(&mut q);
                assert!(
                    matches!(
                        w.as_slice(),
                        [QueryWarning::Fragment(FragmentRejected::Duplicate { .. })]
                    ),
                    "{w:?}"
                );
            }
            assert_eq!(q.is_finished(), k == 3, "order {order:?} step {k}");
        }
        assert_eq!(finish(&mut q).unwrap().data, data);
    }
}

#[test]
fn hole_waits_then_retries_then_reports_incomplete() {
    let t0 = Instant::now();
    let data = text(468 * 2 + 10);
    let (mut q, req) = start(Opcode::ReadVar, t0);
    let frags = encode_response(&req, 0, 0, &data);
    q.handle_datagram(t0, server(), &frags[0]);
    q.handle_datagram(t0, server(), &frags[2]);
    assert!(
        !q.is_finished(),
        "a lost middle fragment is not an empty answer"
    );
    let d = q.deadline().unwrap();
    assert_eq!(d, t0 + Duration::from_secs(3));
    q.handle_timeout(d);
    let retry = Header::decode(&q.poll_transmit().expect("retransmitted")).unwrap();
    assert_eq!(retry.sequence, 2, "a retry uses a fresh sequence number");
    // Late fragment of the first attempt is ignored.
    q.handle_datagram(d, server(), &frags[1]);
    assert!(!q.is_finished());
    let frags2 = encode_response(&retry, 0, 0, &data);
    q.handle_datagram(d, server(), &frags2[0]);
    let d2 = q.deadline().unwrap();
    q.handle_timeout(d2);
    assert_eq!(finish(&mut q), Err(QueryError::Incomplete));
}

#[test]
fn silence_times_out_after_two_primary_timeouts() {
    let t0 = Instant::now();
    let (mut q, _) = start(Opcode::ReadStat, t0);
    assert_eq!(q.deadline(), Some(t0 + Duration::from_secs(5)));
    q.handle_timeout(t0 + Duration::from_secs(4));
    assert!(q.poll_transmit().is_none(), "not before the deadline");
    q.handle_timeout(t0 + Duration::from_secs(5));
    assert!(q.poll_transmit().is_some());
    q.handle_timeout(t0 + Duration::from_secs(10));
    assert_eq!(finish(&mut q), Err(QueryError::Timeout));
    assert_eq!(QueryError::Timeout.to_string(), "***Request timed out");
    assert!(QueryError::Timeout.blank_line_after());
}

#[test]
fn truncated_datagram_is_unspecified_error() {
    let now = Instant::now();
    let (mut q, _) = start(Opcode::ReadVar, now);
    q.handle_datagram(now, server(), &[0xd6, 0x82, 0, 1]);
    assert_eq!(finish(&mut q), Err(QueryError::Unspecified));
}

fn tamper(pkt: &[u8], f: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut p = pkt.to_vec();
    f(&mut p);
    p
}

#[test]
fn wrong_version_mode_sequence_opcode_or_request_bit_are_discarded() {
    let now = Instant::now();
    let (mut q, req) = start(Opcode::ReadVar, now);
    let good = encode_response(&req, 0, 0, b"a=1").remove(0);
    let bad = [
        tamper(&good, |p| p[0] = (p[0] & !0x38) | (5 << 3)), // version 5
        tamper(&good, |p| p[0] &= !0x38),                    // version 0
        tamper(&good, |p| p[0] = (p[0] & !7) | 4),           // mode 4
        tamper(&good, |p| p[1] &= !0x80),                    // not a response
        tamper(&good, |p| p[3] ^= 0xff),                     // sequence
        tamper(&good, |p| p[1] = (p[1] & !0x1f) | 1),        // opcode
    ];
    for b in &bad {
        q.handle_datagram(now, server(), b);
        assert!(!q.is_finished());
    }
    q.handle_datagram(now, server(), &good);
    assert_eq!(finish(&mut q).unwrap().data, b"a=1");
}

#[test]
fn reply_from_another_address_or_port_is_ignored() {
    let now = Instant::now();
    let (mut q, req) = start(Opcode::ReadVar, now);
    let good = encode_response(&req, 0, 0, b"a=1").remove(0);
    q.handle_datagram(now, "127.0.0.2:123".parse().unwrap(), &good);
    q.handle_datagram(now, "127.0.0.1:124".parse().unwrap(), &good);
    assert!(!q.is_finished());
    q.handle_datagram(now, server(), &good);
    assert!(q.is_finished());
}

#[test]
fn every_error_code_is_reported() {
    for code in 0..=255u8 {
        let now = Instant::now();
        let (mut q, req) = start(Opcode::ReadVar, now);
        q.handle_datagram(now, server(), &encode_error(&req, 0, ServerErrorCode(code)));
        let err = finish(&mut q).unwrap_err();
        assert_eq!(err, QueryError::Server(ServerErrorCode(code)));
        assert!(!err.blank_line_after());
        let want = match code {
            0 => "UNSPEC".to_string(),
            1 => "PERMISSION".into(),
            2 => "BADFMT".into(),
            3 => "BADOP".into(),
            4 => "BADASSOC".into(),
            5 => "UNKNOWNVAR".into(),
            6 => "BADVALUE".into(),
            7 => "RESTRICT".into(),
            n => n.to_string(),
        };
        assert_eq!(err.to_string(), format!("***Server error code {want}"));
    }
}

#[test]
fn error_on_non_final_fragment_warns() {
    let now = Instant::now();
    let (mut q, req) = start(Opcode::ReadVar, now);
    let e = tamper(&encode_error(&req, 0, ServerErrorCode::BADASSOC), |p| {
        p[1] |= 0x20
    });
    q.handle_datagram(now, server(), &e);
    assert_eq!(warnings(&mut q), [QueryWarning::ErrorOnNonFinal(4)]);
    assert_eq!(
        finish(&mut q),
        Err(QueryError::Server(ServerErrorCode::BADASSOC))
    );
}

#[test]
fn overlapping_fragments_are_rejected() {
    let now = Instant::now();
    let (mut q, req) = start(Opcode::ReadVar, now);
    let data = text(468 * 2);
    let frags = encode_response(&req, 0, 0, &data);
    q.handle_datagram(now, server(), &frags[0]);
    // A fragment at offset 100 overlaps the first.
    let overlap = tamper(&frags[1], |p| {
        p[8..10].copy_from_slice(&100u16.to_be_bytes())
    });
    q.handle_datagram(now, server(), &overlap);
    let w = warnings(&mut q);
    assert_eq!(
        w,
        [QueryWarning::Fragment(FragmentRejected::OverlapsPrevious {
            offset: 100,
            prior_len: 468,
            prior_offset: 0
        })]
    );
    assert!(!q.is_finished());
    q.handle_datagram(now, server(), &frags[1]);
    assert_eq!(finish(&mut q).unwrap().data, data);
}

#[test]
fn excess_final_fragments_are_rejected() {
    let now = Instant::now();
    let (mut q, req) = start(Opcode::ReadVar, now);
    let data = text(468 + 10);
    let frags = encode_response(&req, 0, 0, &data);
    q.handle_datagram(now, server(), &frags[1]);
    // Another "last" fragment further on.
    let second_last = tamper(&frags[1], |p| {
        p[8..10].copy_from_slice(&936u16.to_be_bytes())
    });
    q.handle_datagram(now, server(), &second_last);
    let w = warnings(&mut q);
    assert_eq!(w, [QueryWarning::Fragment(FragmentRejected::SecondLast)]);
    q.handle_datagram(now, server(), &frags[0]);
    assert_eq!(finish(&mut q).unwrap().data, data);
}

#[test]
fn count_past_the_datagram_is_incomplete_and_retried() {
    let now = Instant::now();
    let (mut q, req) = start(Opcode::ReadVar, now);
    let good = encode_response(&req, 0, 0, b"abcd").remove(0);
    let lying = tamper(&good, |p| p[10..12].copy_from_slice(&40u16.to_be_bytes()));
    q.handle_datagram(now, server(), &lying);
    assert_eq!(
        warnings(&mut q),
        [QueryWarning::CountPastDatagram {
            count: 40,
            received: 4
        }]
    );
    let retry = Header::decode(&q.poll_transmit().expect("retried")).unwrap();
    let lying2 = tamper(&encode_response(&retry, 0, 0, b"abcd")[0], |p| {
        p[10..12].copy_from_slice(&40u16.to_be_bytes())
    });
    q.handle_datagram(now, server(), &lying2);
    assert_eq!(finish(&mut q), Err(QueryError::Incomplete));
}

#[test]
fn unpadded_and_bogus_count_fragments_are_discarded() {
    let now = Instant::now();
    let (mut q, req) = start(Opcode::ReadVar, now);
    let good = encode_response(&req, 0, 0, b"abcd").remove(0);
    let mut unpadded = good.clone();
    unpadded.push(0);
    q.handle_datagram(now, server(), &unpadded);
    assert_eq!(warnings(&mut q), [QueryWarning::NotPadded(17)]);
    let mut huge = good[..12].to_vec();
    huge[10..12].copy_from_slice(&600u16.to_be_bytes());
    huge.resize(12 + 600, b'x');
    q.handle_datagram(now, server(), &huge);
    assert!(!q.is_finished());
    let zero_more = tamper(&good, |p| {
        p[1] |= 0x20;
        p[10..12].copy_from_slice(&0u16.to_be_bytes());
    });
    q.handle_datagram(now, server(), &zero_more);
    assert!(!q.is_finished());
    q.handle_datagram(now, server(), &good);
    assert_eq!(finish(&mut q).unwrap().data, b"abcd");
}

#[test]
fn too_many_datagrams_exceed_the_buffer() {
    let now = Instant::now();
    let (mut q, req) = start(Opcode::ReadVar, now);
    let frags = encode_response(&req, 0, 0, &text(468 * 70));
    for f in frags.iter().skip(1).take(63) {
        q.handle_datagram(now, server(), f);
        assert!(!q.is_finished());
    }
    q.handle_datagram(now, server(), &frags[65]);
    assert_eq!(finish(&mut q), Err(QueryError::BufferExceeded));
}

#[test]
fn oversized_request_fails_without_sending() {
    let now = Instant::now();
    let mut q = Query::new(
        Request::new(Opcode::ReadVar, 0, vec![b'x'; 469]),
        0,
        None,
        Timeouts::default(),
        None,
        now,
    );
    assert!(q.poll_transmit().is_none());
    // Once per attempt, as the reference logs it.
    assert_eq!(
        warnings(&mut q),
        [
            QueryWarning::DataTooLarge(469),
            QueryWarning::DataTooLarge(469)
        ]
    );
    assert_eq!(finish(&mut q), Err(QueryError::Timeout));
}

#[test]
fn sequence_wraps() {
    let now = Instant::now();
    let mut q = Query::new(
        Request::new(Opcode::ReadVar, 0, vec![]),
        65535,
        None,
        Timeouts::default(),
        None,
        now,
    );
    let h = Header::decode(&q.poll_transmit().unwrap()).unwrap();
    assert_eq!(h.sequence, 0);
}

#[test]
fn signer_is_applied_to_every_send() {
    let now = Instant::now();
    let signer: Signer = Box::new(|p: &mut Vec<u8>| p.extend_from_slice(&[0, 0, 0, 1]));
    let mut q = Query::new(
        Request::new(Opcode::Configure, 0, b"x".to_vec()),
        0,
        None,
        Timeouts::default(),
        Some(signer),
        now,
    );
    assert_eq!(q.poll_transmit().unwrap().len(), 20);
    q.handle_timeout(now + Duration::from_secs(5));
    assert_eq!(q.poll_transmit().unwrap().len(), 20);
}

#[test]
fn contiguous_prefix_of_an_incomplete_reply() {
    let t0 = Instant::now();
    let data = text(468 * 3);
    let one_attempt = Timeouts {
        attempts: 1,
        ..Timeouts::default()
    };
    let (mut q, req) = start_with(Opcode::ReadMru, one_attempt, t0);
    let frags = encode_response(&req, 0, 0, &data);
    q.handle_datagram(t0, server(), &frags[0]);
    q.handle_datagram(t0, server(), &frags[2]);
    q.handle_timeout(t0 + Duration::from_secs(3));
    assert_eq!(q.take_outcome(), Some(Err(QueryError::Incomplete)));
    assert_eq!(q.contiguous_prefix(), data[..468].to_vec());
}

#[test]
fn after_the_final_fragment_a_hole_waits_only_the_short_wait() {
    let t0 = Instant::now();
    let short = Duration::from_millis(2);
    let data = text(468 * 3);
    for (after_final, wait) in [(Some(short), short), (None, Timeouts::default().secondary)] {
        let timeouts = Timeouts {
            attempts: 1,
            after_final,
            ..Timeouts::default()
        };
        let (mut q, req) = start_with(Opcode::ReadMru, timeouts, t0);
        let frags = encode_response(&req, 0, 0, &data);
        // Before the final fragment, a hole waits the secondary timeout.
        q.handle_datagram(t0, server(), &frags[0]);
        assert_eq!(q.deadline(), Some(t0 + Timeouts::default().secondary));
        q.handle_datagram(t0, server(), &frags[2]);
        assert_eq!(q.deadline(), Some(t0 + wait), "{after_final:?}");
        // A straggler in time still completes the reply.
        q.handle_datagram(t0 + wait / 2, server(), &frags[1]);
        assert_eq!(finish(&mut q).unwrap().data, data);
    }
}

#[test]
fn stragglers_of_an_earlier_request_do_not_exhaust_the_bound() {
    let t0 = Instant::now();
    let (mut q, req) = start(Opcode::ReadVar, t0);
    let mut old = req;
    old.sequence = req.sequence.wrapping_sub(1);
    for f in encode_response(&old, 0, 0, &text(468 * 100)) {
        q.handle_datagram(t0, server(), &f);
    }
    assert!(!q.is_finished(), "100 stale datagrams are ignored");
    q.handle_datagram(t0, server(), &encode_response(&req, 0, 0, b"a=1")[0]);
    assert_eq!(finish(&mut q).unwrap().data, b"a=1");
}

#[test]
fn runts_can_be_discarded_instead_of_failing() {
    let now = Instant::now();
    let t = Timeouts {
        discard_runts: true,
        ..Timeouts::default()
    };
    let mut q = Query::new(
        Request::new(Opcode::ReadMru, 0, vec![]),
        0,
        Some(server()),
        t,
        None,
        now,
    );
    let req = Header::decode(&q.poll_transmit().unwrap()).unwrap();
    q.handle_datagram(now, server(), &[0xd6, 0x8a]);
    assert!(!q.is_finished());
    assert_eq!(warnings(&mut q), [QueryWarning::RuntDiscarded(2)]);
    q.handle_datagram(now, server(), &encode_response(&req, 0, 0, b"a=1")[0]);
    assert_eq!(finish(&mut q).unwrap().data, b"a=1");
}

#[test]
fn debugging_off_builds_no_debug_events() {
    let now = Instant::now();
    let (mut q, req) = start(Opcode::ReadVar, now);
    let frags = encode_response(&req, 0, 0, &text(468 * 3));
    for f in &frags {
        q.handle_datagram(now, server(), f);
    }
    assert!(q.is_finished());
    assert_eq!(q.poll_event(), None, "verbosity 0: nothing but warnings");
}

#[test]
fn verbosity_selects_the_events_built() {
    let now = Instant::now();
    let events_at = |level: u8| {
        let mut q = Query::prepare(
            Request::new(Opcode::ReadVar, 0, b"stratum".to_vec()),
            0,
            Some(server()),
            Timeouts::default(),
        );
        q.set_verbosity(level);
        q.begin(now);
        let req = Header::decode(&q.poll_transmit().unwrap()).unwrap();
        for f in encode_response(&req, 0, 0, b"stratum=2\r\n") {
            q.handle_datagram(now, server(), &f);
        }
        std::iter::from_fn(|| q.poll_event()).collect::<Vec<_>>()
    };
    let at1 = events_at(1);
    assert!(matches!(at1[0], QueryEvent::Request { .. }));
    assert!(at1.iter().all(|e| e.level() <= 1), "{at1:?}");
    assert!(at1.contains(&QueryEvent::CollectionEnds {
        len: 11,
        fragments: 1
    }));
    let at2 = events_at(2);
    assert!(at2.contains(&QueryEvent::ResponsePacket(b"stratum=2\r\n".to_vec())));
    let at5 = events_at(5);
    assert!(at5
        .iter()
        .any(|e| matches!(e, QueryEvent::RequestPacket(p) if p.len() == 20)));
    assert!(at5.contains(&QueryEvent::Received { len: 24 }));
}

/// Feeds 19 of 20 fragments one every 2.5 s (each before the 3 s
/// secondary wait ends) with `timeouts`; returns the query and how long
/// it took, stopping at the first deadline.
fn drip(timeouts: Timeouts) -> (Query, Duration) {
    let t0 = Instant::now();
    let t = Timeouts {
        attempts: 1,
        ..timeouts
    };
    let mut q = Query::new(
        Request::new(Opcode::ReadVar, 0, vec![]),
        0,
        Some(server()),
        t,
        None,
        t0,
    );
    let req = Header::decode(&q.poll_transmit().unwrap()).unwrap();
    let frags = encode_response(&req, 0, 0, &text(468 * 20));
    let mut now = t0;
    for f in &frags[..19] {
        now += Duration::from_millis(2500);
        if q.deadline().is_some_and(|d| now >= d) {
            q.handle_timeout(now);
            break;
        }
        q.handle_datagram(now, server(), f);
    }
    (q, now - t0)
}

#[test]
fn a_dripping_server_cannot_stretch_an_attempt_past_its_limit() {
    // Only the attempt limit (5 + 2 x 3 = 11 s) ends the wait.
    let (mut q, took) = drip(Timeouts::with_primary(Duration::from_secs(5)));
    assert_eq!(q.take_outcome(), Some(Err(QueryError::Incomplete)));
    assert!(took <= Duration::from_millis(12_500), "{took:?}");
    // Without the limit the same drip keeps the attempt alive.
    let (q, took) = drip(Timeouts::default());
    assert!(!q.is_finished());
    assert_eq!(took, Duration::from_millis(19 * 2500));
}
