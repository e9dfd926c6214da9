use std::time::{Duration, Instant};

use super::entry::{format_stamp, parse_stamp, stamp_to_unix, AddrRef};
use super::*;
use crate::header::{Opcode, ServerErrorCode};
use crate::query::{QueryError, Response, Timeouts};

const NONCE: &str = "nonce=eeb264279910769e5b5b7479";
/// The server time inside NONCE.
const START: u64 = 0xeeb2_6427_9910_769e;

fn resp(opcode: Opcode, text: &str) -> Response {
    Response {
        opcode,
        status: 0,
        associd: 0,
        data: text.as_bytes().to_vec(),
        fragments: 1,
    }
}

fn entry_text(i: usize, addr: &str, last: u64) -> String {
    format!(
        "addr.{i}={addr}, last.{i}={}, first.{i}={}, ct.{i}=3, mv.{i}=35, rs.{i}=0x0, sc.{i}=0.150, dr.{i}=0",
        format_stamp(last),
        format_stamp(last - (10u64 << 32))
    )
}

/// A reply with entries i0.. for addresses 10.0.0.x (x = index + base).
fn mru_reply(base: usize, n: usize, last0: u64, end: bool) -> String {
    let mut parts = vec!["nonce=feedfacefeedfacefeedface".to_string()];
    for i in 0..n {
        parts.push(entry_text(
            i,
            &format!("10.0.0.{}:123", base + i),
            last0 + ((i as u64) << 32),
        ));
    }
    if end {
        parts.push(format!("now={}", format_stamp(last0 + (100u64 << 32))));
    }
    parts.join(", ")
}

struct Harness {
    engine: MruEngine,
    v6: V6Table,
    got: Vec<MruEntry>,
    now: Instant,
}

impl Harness {
    fn new(args: &str) -> Harness {
        let opts = parse_mrulist_args(args).unwrap();
        Harness {
            engine: MruEngine::new(opts, Timeouts::default(), MRU_ROW_LIMIT),
            v6: V6Table::default(),
            got: Vec::new(),
            now: Instant::now(),
        }
    }

    /// The next request as text (REQ_NONCE as "REQ_NONCE").
    fn next(&mut self) -> Option<(String, Timeouts)> {
        match self.engine.next(self.now) {
            Next::Done => None,
            Next::Query(req, t) => Some(match req.opcode {
                Opcode::ReqNonce => ("REQ_NONCE".to_string(), t),
                _ => (String::from_utf8(req.data).unwrap(), t),
            }),
        }
    }

    fn ok(&mut self, opcode: Opcode, text: &str) -> Result<(), MruError> {
        let r = resp(opcode, text);
        let got = &mut self.got;
        self.engine
            .handle(self.now, Ok(&r), &mut self.v6, &mut |e, _| got.push(*e))
    }

    fn err(&mut self, e: QueryError) -> Result<(), MruError> {
        let got = &mut self.got;
        self.engine
            .handle(self.now, Err(&e), &mut self.v6, &mut |e, _| got.push(*e))
    }

    /// Salvages a cut reply as the retrieval does: anchors first, then
    /// the whole entries.
    fn salvage(&mut self, prefix: &[u8]) {
        if let Some(keep) = self.engine.salvage(prefix, &mut self.v6).unwrap() {
            let got = &mut self.got;
            self.engine
                .ingest(
                    &prefix[..keep.len],
                    Some(keep.entries),
                    &mut self.v6,
                    &mut |e, _| got.push(*e),
                )
                .unwrap();
        }
    }

    fn start(&mut self) {
        assert_eq!(self.next().unwrap().0, "REQ_NONCE");
        self.ok(Opcode::ReqNonce, &format!("{NONCE}\r\n")).unwrap();
    }

    /// After the nonce, one whole reply of five entries (the timer is then
    /// from the round trip); the request that follows it.
    fn after_one_whole_reply(&mut self) -> (String, Timeouts) {
        self.start();
        self.next().unwrap();
        self.ok(Opcode::ReadMru, &mru_reply(1, 5, START, false))
            .unwrap();
        self.next().unwrap()
    }
}

#[test]
fn full_conversation_with_anchors() {
    let mut h = Harness::new("");
    h.start();
    let (first, t) = h.next().unwrap();
    assert_eq!(first, format!("{NONCE}, frags=32"));
    assert!(t.primary <= Duration::from_secs(5));
    h.ok(
        Opcode::ReadMru,
        &mru_reply(1, 3, START - (50u64 << 32), false),
    )
    .unwrap();
    assert_eq!(h.got.len(), 3);
    let (second, _) = h.next().unwrap();
    // The reply's nonce is used; anchors newest first.
    assert!(
        second.starts_with(
            "nonce=feedfacefeedfacefeedface, frags=32, addr.0=10.0.0.3:123, last.0=0x"
        ),
        "{second}"
    );
    assert!(second.contains("addr.2=10.0.0.1:123"));
    assert!(second.len() < 468);
    h.ok(
        Opcode::ReadMru,
        &mru_reply(4, 2, START + (1u64 << 32), true),
    )
    .unwrap();
    assert!(h.engine.is_complete());
    assert_eq!(h.next(), None);
    let s = h.engine.stats();
    assert_eq!(s.slots, 5);
    assert_eq!(s.server_start, Some(START));
    assert_eq!(s.changed_during, 2, "entries newer than the start");
    assert!(s.server_end.is_some());
}

#[test]
fn anchors_are_cut_to_fit_468_octets() {
    let mut h = Harness::new("");
    h.start();
    h.next().unwrap();
    h.ok(Opcode::ReadMru, &mru_reply(100, 16, START, false))
        .unwrap();
    let (req, _) = h.next().unwrap();
    assert!(req.len() < 468);
    let pairs = req.matches("addr.").count();
    assert!((6..=8).contains(&pairs), "{pairs} anchors in {req}");
}

#[test]
fn user_parameters_and_recent_only_first() {
    let mut h = Harness::new("recent=5 mincount=2 frags=10");
    h.start();
    assert_eq!(
        h.next().unwrap().0,
        format!("{NONCE}, frags=10, recent=5, mincount=2")
    );
    h.ok(Opcode::ReadMru, &mru_reply(1, 1, START, false))
        .unwrap();
    let (req, _) = h.next().unwrap();
    assert!(
        req.starts_with("nonce=feedfacefeedfacefeedface, frags=11, mincount=2, addr.0="),
        "{req}"
    );
}

#[test]
fn timeouts_halve_frags_and_give_up_eventually() {
    let mut h = Harness::new("");
    h.start();
    h.next().unwrap();
    h.err(QueryError::Timeout).unwrap();
    assert!(h.next().unwrap().0.contains("frags=16"));
    h.err(QueryError::Incomplete).unwrap();
    assert!(h.next().unwrap().0.contains("frags=8"));
    let mut result = Ok(());
    for _ in 0..20 {
        h.next();
        result = h.err(QueryError::Timeout);
        if result.is_err() {
            break;
        }
    }
    assert_eq!(result, Err(MruError::Query(QueryError::Timeout)));
    assert!(h.engine.stats().timeouts >= 10);
}

#[test]
fn short_timer_after_first_round_trip() {
    let mut h = Harness::new("");
    h.start();
    let (_, t) = h.next().unwrap();
    assert!(
        t.primary < Duration::from_millis(100),
        "RTT-based timer, got {:?}",
        t.primary
    );
    assert!(t.primary >= Duration::from_millis(40));
}

#[test]
fn badvalue_switches_to_row_limit_then_lowers_it() {
    let mut h = Harness::new("frags=128");
    h.start();
    assert!(h.next().unwrap().0.contains("frags=128"));
    h.err(QueryError::Server(ServerErrorCode::BADVALUE))
        .unwrap();
    assert!(h.next().unwrap().0.contains(", limit=96"));
    h.err(QueryError::Server(ServerErrorCode::BADVALUE))
        .unwrap();
    assert_eq!(h.engine.row_limit(), 255);
    h.next().unwrap();
    h.ok(Opcode::ReadMru, &mru_reply(1, 2, START, false))
        .unwrap();
    assert!(
        h.next().unwrap().0.contains(", limit=96"),
        "growth is capped at 96"
    );
}

#[test]
fn unknownvar_drops_stale_anchors_then_restarts_then_stalls() {
    let mut h = Harness::new("");
    h.start();
    h.next().unwrap();
    h.ok(Opcode::ReadMru, &mru_reply(1, 10, START, false))
        .unwrap();
    let (a, _) = h.next().unwrap();
    assert!(a.contains("addr.0=10.0.0.10:123"));
    h.err(QueryError::Server(ServerErrorCode::UNKNOWNVAR))
        .unwrap();
    let (b, _) = h.next().unwrap();
    assert!(
        !b.contains("10.0.0.10:123"),
        "failed anchors are dropped: {b}"
    );
    assert!(b.contains("addr.0=10.0.0."), "older anchors are tried: {b}");
    h.err(QueryError::Server(ServerErrorCode::UNKNOWNVAR))
        .unwrap();
    let (c, _) = h.next().unwrap();
    assert!(!c.contains("addr."), "restart from the beginning: {c}");
    let mut r = Ok(());
    for _ in 0..10 {
        r = h.err(QueryError::Server(ServerErrorCode::UNKNOWNVAR));
        if r.is_err() {
            break;
        }
        h.next();
    }
    assert_eq!(r, Err(MruError::Stall));
    assert_eq!(
        MruError::Stall.to_string(),
        "***No response, probably high-traffic server with low MRU limit"
    );
}

#[test]
fn other_server_errors_abort() {
    let mut h = Harness::new("");
    h.start();
    h.next().unwrap();
    let e = h
        .err(QueryError::Server(ServerErrorCode::PERMISSION))
        .unwrap_err();
    assert_eq!(e.to_string(), "***Server error code PERMISSION");
    let mut h = Harness::new("");
    h.start();
    h.next().unwrap();
    assert_eq!(
        h.err(QueryError::Socket),
        Err(MruError::Query(QueryError::Socket))
    );
}

#[test]
fn nonce_is_refetched_after_16_seconds() {
    let mut h = Harness::new("");
    h.start();
    h.next().unwrap();
    h.ok(Opcode::ReadMru, &mru_reply(1, 1, START, false))
        .unwrap();
    h.now += Duration::from_secs(17);
    assert_eq!(h.next().unwrap().0, "REQ_NONCE");
    h.ok(Opcode::ReqNonce, "nonce=aaaaaaaabbbbbbbbcccccccc")
        .unwrap();
    assert!(h
        .next()
        .unwrap()
        .0
        .starts_with("nonce=aaaaaaaabbbbbbbbcccccccc, frags="));
    assert_eq!(
        h.engine.stats().server_start,
        Some(START),
        "the start time is the first nonce's"
    );
}

#[test]
fn bad_nonce_replies_fail_after_four_tries() {
    let mut h = Harness::new("");
    for i in 0..4 {
        assert_eq!(h.next().unwrap().0, "REQ_NONCE", "try {i}");
        let r = h.ok(Opcode::ReqNonce, "garbage");
        if i < 3 {
            r.unwrap();
        } else {
            assert!(matches!(r, Err(MruError::BadNonce { .. })));
        }
    }
    let mut h = Harness::new("");
    h.next();
    assert_eq!(
        h.err(QueryError::Timeout),
        Err(MruError::Query(QueryError::Timeout))
    );
}

#[test]
fn reply_parsing_orders_and_validates() {
    let mut v6 = V6Table::default();
    let mut got = Vec::new();
    // Entry 1 before entry 0, noise and marker tags, an IPv6 entry.
    let text = format!(
        "nonce=ab, {}, xyz.0=5, last.older=0x1.2, addr.older=1.2.3.4:5, {}, now=0xeeb26395.be1d24c6, last.newest=0x1.1",
        entry_text(1, "[2001:db8::1]:123", START),
        entry_text(0, "192.0.2.1:40000", START - (1u64 << 32))
    );
    let meta = reply::parse_reply(text.as_bytes(), &mut v6, &mut |e, _| got.push(e)).unwrap();
    assert_eq!(meta.nonce.as_deref(), Some("nonce=ab"));
    assert_eq!(meta.now, parse_stamp("0xeeb26395.be1d24c6"));
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].addr, AddrRef::V4(0xc000_0201));
    assert_eq!(got[0].port, 40000);
    assert!(matches!(got[1].addr, AddrRef::V6(_)));
    assert_eq!(
        entry::addr_text(&got[1], &v6).as_deref(),
        Some("[2001:db8::1]:123")
    );
    assert_eq!(got[0].score(), Some(0.15));
    assert_eq!(got[0].mv, 35);

    let err = reply::parse_reply(b"addr.x=1.2.3.4:5", &mut v6, &mut |_, _| {}).unwrap_err();
    assert_eq!(err.to_string(), "***Bad MRU tag addr.x");

    // Missing or corrupt fields make an entry invalid, never a panic.
    let mut got = Vec::new();
    reply::parse_reply(
        b"addr.0=1.2.3.4:5, last.0=zzz, ct.1=7",
        &mut v6,
        &mut |e, _| got.push(e),
    )
    .unwrap();
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|e| e.addr == AddrRef::Invalid));
}

#[test]
fn stamps() {
    let s = parse_stamp("0xeeb26395.be1d24c6").unwrap();
    assert_eq!(format_stamp(s), "0xeeb26395.be1d24c6");
    assert_eq!(parse_stamp("0xeeb26395"), None);
    assert_eq!(parse_stamp("eeb26395.be1d24c6"), None);
    // 0xeeb26395 = 2026-11-26T..; unfolding around a 2026 pivot.
    let unix = stamp_to_unix(s, 1_795_680_000);
    assert!((unix - 1_795_679_509.742_6).abs() < 0.001, "{unix}");
    // The same stamp one era later, seen from 2096.
    assert!(
        (stamp_to_unix(s, 4_000_000_000) - (1_795_679_509.742_6 + 4_294_967_296.0)).abs() < 0.001
    );
}

#[test]
fn ipv4_text_is_dotted_quad() {
    let v6 = V6Table::default();
    for a in [0u32, 0x7f00_0001, 0xffff_ffff, 0x0a64_0a09, 0xc000_0201] {
        assert_eq!(
            entry::ip_text(AddrRef::V4(a), &v6),
            Some(std::net::Ipv4Addr::from(a).to_string())
        );
    }
}

#[test]
fn field_fast_paths_agree_with_python_rules() {
    let mut v6 = V6Table::default();
    let one = |fields: &str, v6: &mut V6Table| {
        let mut got = Vec::new();
        reply::parse_reply(format!("addr.0=1.2.3.4:5, last.0=0x00000002.00000000, first.0=0x00000001.00000000, {fields}").as_bytes(), v6, &mut |e, _| got.push(e)).unwrap();
        got[0]
    };
    let e = one(
        "ct.0=12, mv.0=0x23, rs.0=0x420, sc.0=12.500, dr.0=0",
        &mut v6,
    );
    assert_eq!(
        (e.count, e.mv, e.rs, e.score_milli, e.drop),
        (12, 0x23, 0x420, 12_500, 0)
    );
    let e = one("ct.0=7, mv.0=35, rs.0=0, sc.0=1e-3, dr.0=1_0", &mut v6);
    assert_eq!((e.score_milli, e.drop), (1, 10), "Python float/int forms");
    let e = one("ct.0=010, mv.0=35, rs.0=0, sc.0=1.0, dr.0=0", &mut v6);
    assert_eq!(e.addr, AddrRef::Invalid, "010 is not a Python int literal");
}

#[test]
fn partial_reply_keeps_complete_entries_and_continues_from_them() {
    let mut h = Harness::new("");
    h.start();
    h.next().unwrap();
    let full = mru_reply(1, 5, START, false);
    // Lose the tail: cut in the middle of entry 3.
    let cut = full.find("addr.3=").unwrap() + 12;
    h.salvage(&full.as_bytes()[..cut]);
    assert_eq!(h.got.len(), 2, "entries 0..1 are kept; 2 may be cut (it is whole here, but the engine cannot know), 3 is cut");
    assert_eq!(h.engine.stats().salvaged, 2);
    let (req, _) = h.next().unwrap();
    assert!(
        req.contains("frags=17"),
        "a reply that lost its second fragment: (32 + 2 × 0 + 2) / 2: {req}"
    );
    assert_eq!(h.engine.stats().timeouts, 1);
    assert!(
        req.contains("addr.0=10.0.0.2:123"),
        "continues after the last kept entry: {req}"
    );
}

#[test]
fn reply_size_follows_what_arrives_before_a_loss() {
    let frags_of = |req: &str| -> u32 {
        let at = req.find("frags=").unwrap() + 6;
        req[at..].split(',').next().unwrap().parse().unwrap()
    };
    let mut h = Harness::new("frags=64");
    h.engine.set_frags_cap(128);
    let (req, before) = h.after_one_whole_reply();
    let asked = frags_of(&req);
    // 200 entries (many fragments) of which 150 arrived before the loss.
    let full = mru_reply(10, 200, START + 10, false);
    let cut = full.find("addr.150=").unwrap();
    h.salvage(&full.as_bytes()[..cut]);
    let got = (cut / crate::CTL_MAX_DATA_LEN) as u32;
    let want = (asked + 2 * got + 2) / 2;
    assert!(want > asked / 2, "a long prefix keeps replies long: {want}");
    let (req, t) = h.next().unwrap();
    assert_eq!(frags_of(&req), want, "{req}");
    // The server answered: its timer is not backed off.
    assert_eq!(t.primary, before.primary);
    assert_eq!(t.secondary, before.secondary);
    // Losses early in the reply bring the size down, never below 2.
    for _ in 0..8 {
        h.salvage(&full.as_bytes()[..full.find("addr.2=").unwrap()]);
        h.next().unwrap();
    }
    let (req, _) = h.next().unwrap();
    assert_eq!(frags_of(&req), 2, "{req}");
}

#[test]
fn back_off_only_from_a_silent_server() {
    let mut h = Harness::new("");
    let (_, before) = h.after_one_whole_reply();
    // Fragments came, but not the first: the server answers.
    h.err(QueryError::Incomplete).unwrap();
    let (_, t) = h.next().unwrap();
    assert_eq!(t.primary, before.primary);
    // Nothing came: the timer doubles.
    h.err(QueryError::Timeout).unwrap();
    let (_, t) = h.next().unwrap();
    assert_eq!(t.primary, before.primary * 2);
}

#[test]
fn pipelined_accept_then_ingest_matches_one_step_handling() {
    let reply = mru_reply(1, 40, START, false);
    assert!(reply.len() > 3000, "the tail window path is exercised");
    let mut one = Harness::new("");
    one.start();
    one.next().unwrap();
    one.ok(Opcode::ReadMru, &reply).unwrap();
    let mut two = Harness::new("");
    two.start();
    two.next().unwrap();
    let r = resp(Opcode::ReadMru, &reply);
    two.engine.accept(two.now, &r, &mut two.v6).unwrap();
    let next_two = two.next().unwrap().0;
    let got = &mut two.got;
    two.engine
        .ingest(&r.data, None, &mut two.v6, &mut |e, _| got.push(*e))
        .unwrap();
    assert_eq!(
        next_two,
        one.next().unwrap().0,
        "same next request either way"
    );
    assert_eq!(two.got, one.got);
    assert_eq!(two.engine.stats().slots, 40);
}

#[test]
fn losses_in_a_row_back_off_the_timer() {
    let mut h = Harness::new("");
    h.start();
    let (_, t0) = h.next().unwrap();
    h.err(QueryError::Timeout).unwrap();
    let (_, t1) = h.next().unwrap();
    h.err(QueryError::Timeout).unwrap();
    let (_, t2) = h.next().unwrap();
    assert!(
        t1.primary >= t0.primary * 2 && t2.primary >= t1.primary * 2,
        "{t0:?} {t1:?} {t2:?}"
    );
    assert!(t2.primary <= Timeouts::default().primary);
    h.ok(Opcode::ReadMru, &mru_reply(1, 2, START, false))
        .unwrap();
    let (_, t3) = h.next().unwrap();
    assert!(
        t3.primary < t1.primary,
        "a complete reply resets the back-off"
    );
}

#[test]
fn salvage_never_keeps_an_entry_whose_fields_were_lost() {
    let mut h = Harness::new("");
    h.start();
    h.next().unwrap();
    let full = mru_reply(1, 3, START, false);
    // Cut just before entry 2's score and drop: its address, times and
    // count arrived, so without care it would show "-" for score and drop.
    let cut = full.find("sc.2=").unwrap();
    h.salvage(&full.as_bytes()[..cut]);
    assert_eq!(h.got.len(), 2);
    assert!(h
        .got
        .iter()
        .all(|e| e.score().is_some() && e.drop_count().is_some()));
}

#[test]
fn a_runt_datagram_is_a_loss_not_the_end() {
    let mut h = Harness::new("");
    h.start();
    h.next().unwrap();
    for _ in 0..50 {
        h.err(QueryError::Unspecified).unwrap();
        assert!(h.next().is_some(), "the retrieval goes on");
    }
    let mut r = Ok(());
    for _ in 0..60 {
        r = h.err(QueryError::Unspecified);
        h.next();
    }
    assert_eq!(
        r,
        Err(MruError::Query(QueryError::Unspecified)),
        "but not forever"
    );
}
