//! The whole `mrulist` conversation ([`MruRetrieval`]) against a
//! simulated server whose replies the input may pass on, mangle, replace
//! with its own text, turn into errors or drop.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use arbitrary::Unstructured;
use ntp_control::header::{encode_error, encode_response, Header, ServerErrorCode, HEADER_LEN};
use ntp_control::mru::entry::{addr_text, AddrRef};
use ntp_control::mru::{
    parse_mrulist_args, Finish, MruList, MruRetrieval, RetrievalConfig, MRU_ROW_LIMIT,
};
use ntp_control::Timeouts;
use ntpd_sim::ServerState;

use super::{assert_visible, client_addr, scenario, server_addr, t0};

const SCENARIO: &str = r#"
[system]
variables = ["leap=0", "clock={ts:now}", "mru_depth=40", "mru_maxdepth=100", "mru_new=40", "mru_recycleold=0", "mru_recyclefull=0"]
[mru]
generate = { count = 40, spacing = 0.5, ipv6_every = 3 }
churn_new_per_sec = 0.5
churn_touch_per_sec = 1.0
"#;

/// Argument lines: the filters, anchors' limits and the client's words.
const ARGS: &[&str] = &[
    "",
    "limit=3",
    "frags=2",
    "sort=addr",
    "sort=-count direct",
    "mincount=2",
    "recent=5",
    "maxlstint=10 minlstint=1",
    "laddr=127.0.0.1",
    "resall=0x10 resany=0x20",
    "mindrop=1 minscore=0.1",
    "stats",
    "kod limited",
];

pub fn mru_engine(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let args = ARGS[u.choose_index(ARGS.len()).unwrap_or(0)];
    let options = parse_mrulist_args(args).expect("the argument lines are valid");
    let sort = options.sort;
    let config = RetrievalConfig {
        server: server_addr(),
        timeouts: Timeouts::with_primary(Duration::from_secs(u.int_in_range(0..=5).unwrap_or(5))),
        row_limit: u.int_in_range(1..=MRU_ROW_LIMIT).unwrap_or(MRU_ROW_LIMIT),
        frags_cap: u.int_in_range(2..=128).unwrap_or(128),
        sequence: u.arbitrary().unwrap_or(0),
        verbosity: u.int_in_range(0..=3).unwrap_or(0),
        read_counters: u.arbitrary().unwrap_or(true),
    };
    let mut server = ServerState::new(scenario(SCENARIO), t0());
    let base = Instant::now();
    let mut now = base;
    let mut r = MruRetrieval::new(options, config, None, None, now);
    let mut list = MruList::default();
    let mut network: VecDeque<Vec<u8>> = VecDeque::new();
    let mut follows = 0;
    for _ in 0..400 {
        while let Some(pkt) = r.poll_transmit() {
            let replies = server.handle(t0() + (now - base), client_addr(), &pkt);
            answer(&mut u, &pkt, replies, &mut network);
        }
        while let Some(reply) = r.next_unread() {
            let entries = &mut list.entries;
            if r.ingest(&reply, &mut list.v6, &mut |e, _| entries.push(*e))
                .is_err()
            {
                break;
            }
        }
        while r.poll_event().is_some() {}
        if r.is_finished() {
            // `mrulist follow`: poll again for what changed, a few times
            // (only a complete walk can be followed).
            let complete = r.finish() == Some(&Finish::Complete);
            if follows < 3 && u.arbitrary::<bool>().unwrap_or(false) {
                follows += 1;
                now += Duration::from_secs(u.int_in_range(0..=20).unwrap_or(5));
                assert_eq!(r.follow(now), complete);
                if complete {
                    continue;
                }
            }
            break;
        }
        if let Some(pkt) = network.pop_front() {
            now += Duration::from_micros(u.int_in_range(0..=2000).unwrap_or(50));
            r.handle_datagram(now, server_addr(), &pkt);
        } else if let Some(d) = r.deadline() {
            now = now.max(d);
            if u.ratio(1u8, 50).unwrap_or(false) {
                r.handle_socket_error(now);
            } else {
                r.handle_timeout(now);
            }
        } else {
            break;
        }
    }
    for e in &list.entries {
        if let AddrRef::V6(i) = e.addr {
            assert!(list.v6.get(i).is_some(), "entry refers to v6 slot {i}");
        }
    }
    list.dedup();
    list.sort_for_display(sort);
    let end = r.finish().is_some();
    for e in &list.entries {
        let remote = addr_text(e, &list.v6).unwrap_or_default();
        let row = ntpq_format::mrulist::row(e, end.then_some(1.79e9), 1_790_000_000, &remote);
        assert_visible(&row, "");
    }
}

/// What the "network" delivers for one request.
fn answer(
    u: &mut Unstructured,
    request: &[u8],
    replies: Vec<Vec<u8>>,
    out: &mut VecDeque<Vec<u8>>,
) {
    let Some(req) = Header::decode(request) else {
        return;
    };
    match u.int_in_range(0u8..=7).unwrap_or(0) {
        // As the server sent them (most of the time, so walks progress).
        0..=2 => out.extend(replies),
        // Mangled: bytes changed, cut short, dropped, repeated.
        3 => {
            for mut pkt in replies {
                match u.int_in_range(0u8..=4).unwrap_or(0) {
                    0 if !pkt.is_empty() => {
                        let i = u.choose_index(pkt.len()).unwrap_or(0);
                        pkt[i] = u.arbitrary().unwrap_or(0);
                    }
                    1 => {
                        let n = u.int_in_range(0..=pkt.len()).unwrap_or(0);
                        pkt.truncate(n);
                    }
                    2 => continue,
                    3 => out.push_back(pkt.clone()),
                    _ => {}
                }
                out.push_back(pkt);
            }
        }
        // Our own reply text (tags from the dictionary), split as ntpd does.
        4 | 5 => {
            let len = u.int_in_range(0..=2000usize).unwrap_or(0);
            let text = u.bytes(len).unwrap_or(&[]);
            let status: u16 = u.arbitrary().unwrap_or(0);
            out.extend(encode_response(&req, 0, status, text));
        }
        6 => {
            let code: u8 = u.arbitrary().unwrap_or(0);
            out.push_back(encode_error(&req, 0, ServerErrorCode(code)));
        }
        // Silence, or a runt.
        _ => {
            if u.arbitrary().unwrap_or(false) {
                let n = u.int_in_range(0..=HEADER_LEN - 1).unwrap_or(0);
                out.push_back(request[..n.min(request.len())].to_vec());
            }
        }
    }
    if u.ratio(1u8, 8).unwrap_or(false) {
        out.make_contiguous().reverse();
    }
}
