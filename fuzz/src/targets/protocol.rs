//! Targets on what arrives from the network: the datagram header,
//! fragment reassembly, variable lists and MRU replies.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use arbitrary::Unstructured;
use ntp_control::header::{encode_fragments, Header, Opcode, HEADER_LEN};
use ntp_control::mru::entry::{addr_text, AddrRef, V6Table};
use ntp_control::mru::reply::parse_reply;
use ntp_control::{parse_varlist, Query, QueryError, Request, Timeouts, Value};

use super::{assert_visible, server_addr};

/// `Header::decode` reads any 12 octets and `encode` gives them back.
pub fn header(data: &[u8]) {
    match Header::decode(data) {
        None => assert!(data.len() < HEADER_LEN),
        Some(h) => {
            assert_eq!(h.encode()[..], data[..HEADER_LEN]);
            assert_eq!(Header::decode(&h.encode()), Some(h));
        }
    }
}

const OPCODES: [Opcode; 5] = [
    Opcode::ReadVar,
    Opcode::ReadStat,
    Opcode::ReadMru,
    Opcode::ReadClock,
    Opcode::ReqNonce,
];

/// A [`Query`] fed datagrams. Mode 0: arbitrary datagrams (the harness
/// may fix their sequence, flags and opcode so that they reach the
/// reassembly) and timeouts. Mode 1: a payload split into fragments that
/// arrive in any order, with duplicates: the response must be the payload.
pub fn reassembly(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(mode) = u.int_in_range(0u8..=1) else {
        return;
    };
    let opcode = OPCODES[u.choose_index(OPCODES.len()).unwrap_or(0)];
    let associd: u16 = u.arbitrary().unwrap_or(0);
    let timeouts = Timeouts {
        max_datagrams: u.int_in_range(1..=200).unwrap_or(63),
        discard_runts: u.arbitrary().unwrap_or(false),
        attempt_limit: u
            .arbitrary::<bool>()
            .unwrap_or(false)
            .then_some(Duration::from_secs(11)),
        ..Timeouts::default()
    };
    let now = Instant::now();
    let request = Request::new(opcode, associd, &b"x"[..]);
    let mut q = Query::new(
        request,
        u.arbitrary().unwrap_or(0),
        Some(server_addr()),
        timeouts,
        None,
        now,
    );
    let sent = q
        .poll_transmit()
        .expect("the first request is sent at once");
    let req = Header::decode(&sent).expect("a request has a header");
    if mode == 1 {
        return reassemble_payload(&mut u, q, &req, now);
    }
    let mut t = now;
    for _ in 0..256 {
        if q.is_finished() || u.is_empty() {
            break;
        }
        let _ = q.contiguous_prefix();
        match u.int_in_range(0u8..=9).unwrap_or(0) {
            0 => {
                if let Some(d) = q.deadline() {
                    t = t.max(d);
                }
                q.handle_timeout(t);
            }
            1 => {
                // From someone else: ignored.
                let other: SocketAddr = "127.0.0.2:123".parse().expect("address");
                q.handle_datagram(t, other, u.bytes(16).unwrap_or(&[]));
            }
            _ => {
                let len = u.int_in_range(0..=600usize).unwrap_or(0);
                let mut pkt = u.bytes(len).unwrap_or(&[]).to_vec();
                if pkt.len() >= HEADER_LEN && u.arbitrary::<bool>().unwrap_or(true) {
                    // Make it a response to this request, so that the
                    // reassembly sees it: mode 6, R set, our sequence.
                    pkt[0] = (pkt[0] & 0xc0) | (2 << 3) | 6;
                    pkt[1] = 0x80 | (pkt[1] & 0x60) | opcode.code();
                    pkt[2..4].copy_from_slice(&q.sequence().to_be_bytes());
                }
                t += Duration::from_millis(u.int_in_range(0..=4000u64).unwrap_or(0));
                q.handle_datagram(t, server_addr(), &pkt);
            }
        }
        while q.poll_event().is_some() {}
        let _ = q.poll_transmit();
    }
    if let Some(Ok(r)) = q.take_outcome() {
        assert!(r.fragments >= 1);
        assert!(r.data.len() < 65536);
    }
}

fn reassemble_payload(u: &mut Unstructured, mut q: Query, req: &Header, now: Instant) {
    let len = u.int_in_range(0..=4000usize).unwrap_or(0);
    let payload = u.bytes(len).unwrap_or(&[]).to_vec();
    let mut chunks: Vec<&[u8]> = Vec::new();
    let mut rest = &payload[..];
    while !rest.is_empty() {
        let n = u.int_in_range(1..=468usize).unwrap_or(468).min(rest.len());
        chunks.push(&rest[..n]);
        rest = &rest[n..];
    }
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    let status: u16 = u.arbitrary().unwrap_or(0);
    let mut frags = encode_fragments(req, 0, status, chunks);
    // Arrival order: a shuffle, and some fragments twice.
    for i in (1..frags.len()).rev() {
        let j = u.int_in_range(0..=i).unwrap_or(i);
        frags.swap(i, j);
    }
    let dups = u.int_in_range(0..=3usize).unwrap_or(0);
    for _ in 0..dups {
        let i = u.choose_index(frags.len()).unwrap_or(0);
        let f = frags[i].clone();
        frags.push(f);
    }
    let n = frags.len();
    for f in frags {
        q.handle_datagram(now, server_addr(), &f);
    }
    match q.take_outcome() {
        Some(Ok(r)) => {
            assert_eq!(r.data, payload);
            assert_eq!(r.status, status);
        }
        // More datagrams than one attempt may receive.
        Some(Err(QueryError::BufferExceeded)) => {}
        other => panic!("{n} fragments of {len} octets gave {other:?}"),
    }
}

/// `parse_varlist`: every name and value shown without control
/// characters, every name once.
pub fn varlist(data: &[u8]) {
    let vars = parse_varlist(data);
    let mut names: Vec<&str> = Vec::new();
    for v in &vars {
        assert_visible(&v.name, "");
        assert_visible(&v.raw, "");
        if let Value::Str(s) = &v.value {
            assert_visible(s, "");
        }
        names.push(&v.name);
    }
    names.sort_unstable();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n, "a name twice");
}

/// `parse_reply` of one READ_MRU reply; entries refer to addresses the
/// table holds, and each formats to a row.
pub fn mru_reply(data: &[u8]) {
    let mut v6 = V6Table::default();
    let mut entries = Vec::new();
    let result = parse_reply(data, &mut v6, &mut |e, table| {
        if let AddrRef::V6(i) = e.addr {
            assert!(table.get(i).is_some(), "entry refers to v6 slot {i}");
        }
        entries.push(e);
    });
    match result {
        Ok(meta) => {
            if let Some(n) = &meta.nonce {
                assert!(n.starts_with("nonce="));
            }
        }
        Err(e) => assert_visible(&e.to_string(), ""),
    }
    for e in &entries {
        let remote = addr_text(e, &v6).unwrap_or_default();
        assert_visible(&remote, "");
        let row = ntpq_format::mrulist::row(e, Some(1.79e9), 1_790_000_000, &remote);
        assert_visible(&row, "");
    }
}
