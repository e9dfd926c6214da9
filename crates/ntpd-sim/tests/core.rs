//! Tests of the deterministic core: requests in, datagrams out.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ntp_control::header::{encode_request, Header, Opcode, HEADER_LEN};
use ntp_control::parse_varlist;
use ntpd_sim::{Scenario, ServerState};

const BASE: &str = r#"
[system]
status = 0x0615
variables = ["leap=0", "stratum=2", "offset=-0.1", "clock={ts:now}", "version=\"x\"", "mintc=0"]
default = ["leap", "stratum", "offset", "clock"]

[[peer]]
associd = 10
status = 0x961a
variables = ["srcadr=192.0.2.1", "stratum=1", "rec={ts:now-37.5}"]

[[peer]]
associd = 11
status = 0x9524
variables = ["srcadr=127.127.28.0", "stratum=0"]
clock_status = 0x0011
clock_variables = ["name=\"SHM\"", "poll=5", "device=\"dev\""]
"#;

fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_790_000_000)
}

fn client() -> SocketAddr {
    "127.0.0.1:40000".parse().unwrap()
}

fn state(toml: &str) -> ServerState {
    ServerState::new(Scenario::from_toml_str(toml).unwrap(), t0())
}

struct Reply {
    headers: Vec<Header>,
    data: Vec<u8>,
}

fn ask(s: &mut ServerState, now: SystemTime, op: Opcode, associd: u16, data: &str) -> Reply {
    ask_from(s, now, client(), op, associd, data)
}

fn ask_from(
    s: &mut ServerState,
    now: SystemTime,
    from: SocketAddr,
    op: Opcode,
    associd: u16,
    data: &str,
) -> Reply {
    let req = encode_request(op, 7, associd, data.as_bytes());
    let out = s.handle(now, from, &req);
    let mut headers = Vec::new();
    let mut frags: Vec<(u16, Vec<u8>)> = Vec::new();
    for d in &out {
        let h = Header::decode(d).unwrap();
        assert!(h.response);
        assert_eq!(h.sequence, 7);
        assert_eq!(d.len() % 4, 0);
        frags.push((
            h.offset,
            d[HEADER_LEN..HEADER_LEN + h.count as usize].to_vec(),
        ));
        headers.push(h);
    }
    frags.sort_by_key(|f| f.0);
    Reply {
        headers,
        data: frags.into_iter().flat_map(|f| f.1).collect(),
    }
}

fn text(r: &Reply) -> String {
    String::from_utf8(r.data.clone()).unwrap()
}

fn error_code(r: &Reply) -> Option<u8> {
    match r.headers.as_slice() {
        [h] if h.error => Some((h.status >> 8) as u8),
        _ => None,
    }
}

fn names(r: &Reply) -> Vec<String> {
    parse_varlist(&r.data).into_iter().map(|v| v.name).collect()
}

#[test]
fn readstat_returns_binary_pairs() {
    let mut s = state(BASE);
    let r = ask(&mut s, t0(), Opcode::ReadStat, 0, "");
    assert_eq!(r.headers[0].status, 0x0615);
    assert_eq!(r.headers[0].leap, 0);
    assert_eq!(r.data, vec![0, 10, 0x96, 0x1a, 0, 11, 0x95, 0x24]);
}

#[test]
fn readvar_default_named_and_errors() {
    let mut s = state(BASE);
    let r = ask(&mut s, t0(), Opcode::ReadVar, 0, "");
    assert_eq!(names(&r), ["leap", "stratum", "offset", "clock"]);
    assert!(text(&r).ends_with("\r\n"));
    assert!(text(&r).contains("clock=0x"));
    // Server order, no duplicates, values after '=' ignored.
    let r = ask(
        &mut s,
        t0(),
        Opcode::ReadVar,
        0,
        "offset,leap=5, stratum,offset,version",
    );
    assert_eq!(
        text(&r),
        "leap=0, stratum=2, offset=-0.1, version=\"x\"\r\n"
    );
    // Unknown name: error and nothing else.
    let r = ask(&mut s, t0(), Opcode::ReadVar, 0, "leap,nosuchvar");
    assert_eq!(error_code(&r), Some(5));
    // Case matters; a blank before '=' is part of the name.
    assert_eq!(
        error_code(&ask(&mut s, t0(), Opcode::ReadVar, 0, "Leap")),
        Some(5)
    );
    assert_eq!(
        error_code(&ask(&mut s, t0(), Opcode::ReadVar, 0, "leap =1")),
        Some(5)
    );
    // Known to ntpd but without value: an empty (but successful) reply.
    let r = ask(&mut s, t0(), Opcode::ReadVar, 0, "tai");
    assert_eq!(error_code(&r), None);
    assert_eq!(r.data, b"");
    // Peers.
    let r = ask(&mut s, t0(), Opcode::ReadVar, 10, "");
    assert_eq!(r.headers[0].status, 0x961a);
    assert_eq!(r.headers[0].associd, 10);
    assert_eq!(names(&r), ["srcadr", "stratum", "rec"]);
    assert_eq!(
        error_code(&ask(&mut s, t0(), Opcode::ReadVar, 99, "")),
        Some(4)
    );
    assert_eq!(
        error_code(&ask(&mut s, t0(), Opcode::ReadVar, 10, "offsetx")),
        Some(5)
    );
}

#[test]
fn templates_follow_the_clock() {
    let mut s = state(BASE);
    let now = t0() + Duration::from_secs(1000);
    let r = ask(&mut s, now, Opcode::ReadVar, 10, "rec");
    let want = ntpd_sim::util::NtpTs::from_system(now - Duration::from_millis(37_500)).to_hex();
    assert_eq!(text(&r), format!("rec={want}\r\n"));
}

#[test]
fn readclock_and_unspec() {
    let mut s = state(BASE);
    let r = ask(&mut s, t0(), Opcode::ReadClock, 0, "");
    assert_eq!(r.headers[0].status, 0x0011);
    assert_eq!(names(&r), ["name", "poll", "device"]);
    let r = ask(&mut s, t0(), Opcode::ReadClock, 11, "device,name");
    assert_eq!(names(&r), ["name", "device"]);
    assert_eq!(
        error_code(&ask(&mut s, t0(), Opcode::ReadClock, 10, "")),
        Some(4)
    );
    assert_eq!(
        error_code(&ask(&mut s, t0(), Opcode::ReadClock, 12, "")),
        Some(4)
    );
    let mut empty = state("");
    assert_eq!(
        error_code(&ask(&mut empty, t0(), Opcode::ReadClock, 0, "")),
        Some(4)
    );
    let r = ask(&mut s, t0(), Opcode::Unspec, 0, "");
    assert_eq!((r.headers[0].status, r.data.len()), (0x0615, 0));
    assert_eq!(
        error_code(&ask(&mut s, t0(), Opcode::Unspec, 3, "")),
        Some(4)
    );
}

#[test]
fn write_config_ordlist_and_unknown_opcodes() {
    let mut s = state(BASE);
    for op in [
        Opcode::WriteVar,
        Opcode::WriteClock,
        Opcode::Configure,
        Opcode::ReadOrdlistA,
    ] {
        assert_eq!(
            error_code(&ask(&mut s, t0(), op, 0, "x=1")),
            Some(1),
            "{op:?}"
        );
    }
    for code in [6, 7, 9, 13, 31] {
        assert_eq!(
            error_code(&ask(&mut s, t0(), Opcode::Other(code), 0, "")),
            Some(3)
        );
    }
}

#[test]
fn ignored_and_badfmt_requests() {
    let mut s = state(BASE);
    let good = encode_request(Opcode::ReadVar, 1, 0, b"");
    assert!(!s.handle(t0(), client(), &good).is_empty());
    assert!(s.handle(t0(), client(), &good[..11]).is_empty());
    for (i, mask) in [(1, 0x80u8), (1, 0x40), (1, 0x20)] {
        let mut p = good.clone();
        p[i] |= mask;
        assert!(s.handle(t0(), client(), &p).is_empty());
    }
    let mut p = good.clone();
    p[9] = 4; // offset
    assert!(s.handle(t0(), client(), &p).is_empty());
    for vn in [0u8, 5, 7] {
        let mut p = good.clone();
        p[0] = (p[0] & !0x38) | vn << 3;
        assert!(s.handle(t0(), client(), &p).is_empty());
    }
    // Version 1 request gets a version 1 reply.
    let mut p = good.clone();
    p[0] = (p[0] & !0x38) | 1 << 3;
    let out = s.handle(t0(), client(), &p);
    assert_eq!(Header::decode(&out[0]).unwrap().version, 1);
    // count larger than the data, unaligned length, count > 468.
    let mut p = good.clone();
    p[11] = 8;
    let out = s.handle(t0(), client(), &p);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0][4], 2);
    let mut p = encode_request(Opcode::ReadVar, 1, 0, b"leap");
    p.push(0);
    assert_eq!(s.handle(t0(), client(), &p)[0][4], 2);
    let mut p = encode_request(Opcode::ReadVar, 1, 0, &[b'a'; 468]);
    p.extend_from_slice(&[0; 8]);
    p[10..12].copy_from_slice(&469u16.to_be_bytes());
    assert_eq!(s.handle(t0(), client(), &p)[0][4], 2);
}

#[test]
fn hostile_requests_never_panic() {
    let mut s = state(MRU);
    let mut rng = ntpd_sim::util::Rng::new(99);
    let interesting: [&[u8]; 6] = [
        b"nonce=",
        b"nonce=zzzz, frags=1",
        b"a=\"\",,,,,=,=,",
        b"limit=1, addr.0=[::1, addr.15=1.2.3.4:99999",
        b"last.0=0x, addr.0=1.2.3.4",
        b"frags=-1, limit=-1, mincount=-99999999999999999, minscore=nan, resall=0x, laddr=x",
    ];
    for i in 0..20_000u32 {
        let len = rng.below(600) as usize;
        let mut p: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        if i % 3 == 0 && p.len() >= 12 {
            p[0] = 0x16 | ((rng.below(5) as u8) << 3);
            p[1] &= 0x1f;
            p[8] = 0;
            p[9] = 0;
            let count = (p.len() - 12) as u16;
            p[10..12].copy_from_slice(&count.to_be_bytes());
        }
        if i % 7 == 0 {
            let d = interesting[i as usize % interesting.len()];
            p = encode_request(
                Opcode::from_code(rng.below(32) as u8),
                1,
                rng.below(20) as u16,
                d,
            );
        }
        let _ = s.handle(t0() + Duration::from_millis(i as u64), client(), &p);
    }
}

#[path = "core/mru.rs"]
mod mru;
use mru::{nonce, MRU};

#[test]
fn faults() {
    let toml = format!("{BASE}\n[faults]\nseed = 3\nreorder = \"reverse\"\n");
    let mut s = state(&toml);
    let r = ask(&mut s, t0(), Opcode::ReadStat, 0, "");
    assert_eq!(r.headers.len(), 1);

    let toml = format!("{BASE}\n[faults]\nsilence = true\n");
    let mut s = state(&toml);
    assert!(ask(&mut s, t0(), Opcode::ReadVar, 0, "").headers.is_empty());

    let toml = format!("{BASE}\n[faults]\nerrors = [{{ opcode = 2, associd = 10, code = 7 }}]\n");
    let mut s = state(&toml);
    assert_eq!(
        error_code(&ask(&mut s, t0(), Opcode::ReadVar, 10, "")),
        Some(7)
    );
    assert_eq!(error_code(&ask(&mut s, t0(), Opcode::ReadVar, 0, "")), None);

    let toml = format!("{BASE}\n[faults]\nmalformed = \"wrong_sequence\"\nopcodes = [2]\n");
    let mut s = state(&toml);
    let req = encode_request(Opcode::ReadVar, 9, 0, b"");
    let out = s.handle(t0(), client(), &req);
    assert_ne!(Header::decode(&out[0]).unwrap().sequence, 9);
    let req = encode_request(Opcode::ReadStat, 9, 0, b"");
    let out = s.handle(t0(), client(), &req);
    assert_eq!(Header::decode(&out[0]).unwrap().sequence, 9);

    // Drops are seeded: the same scenario drops the same datagrams.
    let toml = format!("{MRU}\n[faults]\nseed = 5\ndrop = 0.5\nopcodes = [10]\n");
    let run = || {
        let mut s = state(&toml);
        let n = nonce(&mut s, t0());
        let req = encode_request(Opcode::ReadMru, 1, 0, format!("{n}, frags=20").as_bytes());
        s.handle(t0(), client(), &req)
    };
    let a = run();
    assert_eq!(a, run());
    assert!(!a.is_empty() && a.len() < 20);
}

#[test]
fn large_reply_fragments_and_reorder() {
    let vars: Vec<String> = (0..200)
        .map(|i| format!("\"mru_depth{i}=12345678\""))
        .collect();
    let toml = format!(
        "[system]\nvariables = [{}]\n[faults]\nreorder = \"reverse\"\n",
        vars.join(",")
    );
    let mut s = state(&toml);
    let req = encode_request(Opcode::ReadVar, 1, 0, b"");
    let out = s.handle(t0(), client(), &req);
    assert!(out.len() > 3);
    let hs: Vec<Header> = out.iter().map(|d| Header::decode(d).unwrap()).collect();
    assert!(!hs[0].more, "last fragment first");
    assert!(hs[1..].iter().all(|h| h.more));
    assert_eq!(hs.last().unwrap().offset, 0);
}
