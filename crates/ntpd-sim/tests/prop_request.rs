//! Property: what the client's protocol core encodes, the simulator's
//! server core decodes as meant. Random READVAR/READCLOCK/READSTAT/UNSPEC
//! requests (association, names in any order and repeated, sequence
//! number) go through `ntp_control::Query` → `ServerState::handle` →
//! back into the same `Query`; the answer must be the one the request
//! asked for.

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ntp_control::header::{Opcode, ServerErrorCode, CTL_MAX_DATA_LEN};
use ntp_control::{parse_varlist, Query, QueryError, Request, Response, Timeouts};
use ntpd_sim::{Scenario, ServerState};
use proptest::prelude::*;

const SERVER: &str = "127.0.0.1:123";
const CLIENT: &str = "127.0.0.1:40000";

/// System variables in the server's table order.
const SYS: &[&str] = &[
    "leap=0",
    "stratum=2",
    "precision=-23",
    "rootdelay=1.234",
    "refid=192.0.2.10",
    "peer=17770",
    "offset=-0.012345",
    "frequency=-12.345",
    "processor=\"x86_64\"",
    "system=\"Linux/6.1.0, SMP\"",
];
const PEER: &[&str] = &[
    "srcadr=192.0.2.10",
    "srcport=123",
    "stratum=1",
    "reach=0xff",
    "delay=12.345678",
];
const CLOCK: &[&str] = &["name=\"SHM\"", "timecode=\"\"", "poll=1440", "noreply=0"];
const PEERS: [(u16, u16); 2] = [(17770, 0x961a), (17773, 0x9524)];

fn scenario() -> Scenario {
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let peers: String = PEERS
        .iter()
        .map(|(id, status)| {
            let clock = if *id == 17773 {
                format!(
                    "clock_status = 0x0011\nclock_variables = {:?}\n",
                    strings(CLOCK)
                )
            } else {
                String::new()
            };
            format!(
                "[[peer]]\nassocid = {id}\nstatus = {status}\nvariables = {:?}\n{clock}",
                strings(PEER)
            )
        })
        .collect();
    let toml = format!(
        "[system]\nstatus = 0x0615\nvariables = {:?}\n{peers}",
        strings(SYS)
    );
    Scenario::from_toml_str(&toml).expect("scenario")
}

fn names(items: &[&str]) -> Vec<String> {
    items
        .iter()
        .map(|i| i.split('=').next().unwrap_or("").to_string())
        .collect()
}

/// One exchange through the client core and the server core.
fn exchange(
    opcode: Opcode,
    associd: u16,
    data: &[u8],
    sequence: u16,
) -> (Option<Result<Response, QueryError>>, u16, usize) {
    let mut server = ServerState::new(scenario(), UNIX_EPOCH + Duration::from_secs(1_790_000_000));
    let now = Instant::now();
    let server_addr: SocketAddr = SERVER.parse().expect("address");
    let mut q = Query::new(
        Request::new(opcode, associd, data),
        sequence,
        Some(server_addr),
        Timeouts::default(),
        None,
        now,
    );
    let mut sent = 0;
    while let Some(pkt) = q.poll_transmit() {
        sent += 1;
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_001);
        for reply in server.handle(t, CLIENT.parse().expect("address"), &pkt) {
            q.handle_datagram(now, server_addr, &reply);
        }
        if !q.is_finished() {
            if let Some(d) = q.deadline() {
                q.handle_timeout(d);
            }
        }
    }
    let seq = q.sequence();
    (q.take_outcome(), seq, sent)
}

fn opcode_strategy() -> impl Strategy<Value = Opcode> {
    prop_oneof![
        4 => Just(Opcode::ReadVar),
        2 => Just(Opcode::ReadClock),
        1 => Just(Opcode::ReadStat),
        1 => Just(Opcode::Unspec),
    ]
}

fn associd_strategy() -> impl Strategy<Value = u16> {
    prop_oneof![Just(0u16), Just(17770u16), Just(17773u16), any::<u16>()]
}

/// `PROPTEST_CASES` overrides the count (longer runs by hand).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn requests_are_answered_as_asked(
        opcode in opcode_strategy(),
        associd in associd_strategy(),
        picks in prop::collection::vec(0usize..16, 0..24),
        sequence in any::<u16>(),
    ) {
        let peer = PEERS.iter().find(|(id, _)| *id == associd);
        // The table the request reads, as the server orders it.
        let table: Option<(&[&str], u16)> = match (opcode, associd) {
            (Opcode::ReadVar, 0) => Some((SYS, 0x0615)),
            (Opcode::ReadVar, _) => peer.map(|(_, s)| (PEER, *s)),
            (Opcode::ReadClock, 0) => Some((CLOCK, 0x0011)),
            (Opcode::ReadClock, 17773) => Some((CLOCK, 0x0011)),
            _ => None,
        };
        let all = table.map(|(t, _)| names(t)).unwrap_or_default();
        let asked: Vec<String> = if all.is_empty() {
            Vec::new()
        } else {
            picks.iter().map(|&i| all[i % all.len()].clone()).collect()
        };
        let data = asked.join(",");
        let (outcome, seq, sent) = exchange(opcode, associd, data.as_bytes(), sequence);
        // One request, with the next sequence number; the reply to it was
        // taken (the core drops replies of another sequence).
        prop_assert_eq!(sent, 1);
        prop_assert_eq!(seq, sequence.wrapping_add(1));
        let outcome = outcome.expect("the exchange finished");
        match (opcode, table) {
            (Opcode::ReadVar | Opcode::ReadClock, Some((items, status))) => {
                let r = outcome.expect("a reply");
                prop_assert_eq!(r.status, status);
                prop_assert_eq!(r.associd, associd);
                let got: Vec<String> = parse_varlist(&r.data).into_iter().map(|v| format!("{}={}", v.name, v.raw)).collect();
                // Each name asked for once, in the server's order; none asked: all.
                let want: Vec<String> = items
                    .iter()
                    .filter(|i| asked.is_empty() || asked.iter().any(|a| names(&[i])[0] == *a))
                    .map(|i| i.replace('"', ""))
                    .collect();
                prop_assert_eq!(got, want);
            }
            (Opcode::ReadVar | Opcode::ReadClock, None) => {
                prop_assert_eq!(outcome, Err(QueryError::Server(ServerErrorCode::BADASSOC)));
            }
            (Opcode::ReadStat, _) if associd == 0 => {
                let r = outcome.expect("a reply");
                let pairs: Vec<(u16, u16)> = r
                    .data
                    .chunks(4)
                    .map(|c| (u16::from_be_bytes([c[0], c[1]]), u16::from_be_bytes([c[2], c[3]])))
                    .collect();
                prop_assert_eq!(pairs, PEERS.to_vec());
            }
            (Opcode::ReadStat | Opcode::Unspec, _) => match peer {
                Some((_, status)) => prop_assert_eq!(outcome.expect("a reply").status, *status),
                None if associd == 0 => prop_assert_eq!(outcome.expect("a reply").status, 0x0615),
                None => prop_assert_eq!(outcome, Err(QueryError::Server(ServerErrorCode::BADASSOC))),
            },
            _ => unreachable!(),
        }
    }

    /// Request data past one datagram is never sent (the reference logs
    /// it and times out); up to it, the server reads every octet.
    #[test]
    fn request_size_limit(extra in 0usize..64) {
        let name = "x".repeat(CTL_MAX_DATA_LEN - 32 + extra);
        let (outcome, _, sent) = exchange(Opcode::ReadVar, 0, name.as_bytes(), 0);
        if name.len() > CTL_MAX_DATA_LEN {
            prop_assert_eq!(sent, 0);
            prop_assert_eq!(outcome, Some(Err(QueryError::Timeout)));
        } else {
            // The whole (unknown) name reached the server.
            prop_assert_eq!(sent, 1);
            prop_assert_eq!(outcome, Some(Err(QueryError::Server(ServerErrorCode::UNKNOWNVAR))));
        }
    }
}
