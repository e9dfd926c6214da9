//! Property: the client's MRU walk (nonce, anchors, restarts of the
//! batch) reads any list the simulator holds completely and in the
//! server's order, whatever the batch size (`limit=`, `frags=`, the
//! client's fragment cap) — each entry once, with its fields intact.

mod pair;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use ntp_control::mru::entry::ip_text;
use ntp_control::mru::Finish;
use pair::Pair;
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Client {
    addr: SocketAddr,
    last_ago: f64,
    ct: u32,
    mv: u8,
    dr: u32,
}

fn client() -> impl Strategy<Value = Client> {
    let ip = prop_oneof![
        3 => any::<u32>().prop_map(|a| IpAddr::V4(Ipv4Addr::from(a))),
        1 => any::<u128>().prop_map(|a| IpAddr::V6(Ipv6Addr::from(a))),
    ];
    (
        ip,
        any::<u16>(),
        0.0f64..100_000.0,
        1u32..1_000_000,
        any::<u8>(),
        0u32..1000,
    )
        .prop_map(|(ip, port, last_ago, ct, mv, dr)| Client {
            addr: SocketAddr::new(ip, port),
            last_ago,
            ct,
            mv,
            dr,
        })
}

/// Batch sizes: the `mrulist` argument and the client's fragment cap.
fn batch() -> impl Strategy<Value = (String, u32)> {
    let args = prop_oneof![
        Just(String::new()),
        // limit=1 is ntpd's lookup of the anchors alone, not a walk.
        (2u32..=256).prop_map(|n| format!("limit={n}")),
        (1u32..=128).prop_map(|n| format!("frags={n}")),
    ];
    (args, 2u32..=128)
}

fn scenario(clients: &[Client]) -> String {
    let entries: Vec<String> = clients
        .iter()
        .map(|c| {
            format!(
                "{{ addr = \"{}\", last_ago = {:?}, first_ago = {:?}, ct = {}, mv = {}, dr = {} }}",
                c.addr,
                c.last_ago,
                c.last_ago + 10.0,
                c.ct,
                c.mv,
                c.dr
            )
        })
        .collect();
    format!(
        "[system]\nvariables = [\"clock={{ts:now}}\", \"mru_depth={n}\", \"mru_new={n}\", \"mru_recycleold=0\", \"mru_recyclefull=0\"]\n\
         [mru]\nnoise = true\nentries = [\n{}\n]\n",
        entries.join(",\n"),
        n = clients.len()
    )
}

/// `PROPTEST_CASES` overrides the count (longer runs by hand).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    #[test]
    fn walk_reads_the_whole_list_in_order(
        clients in prop::collection::vec(client(), 0..400),
        (args, cap) in batch(),
    ) {
        let mut p = Pair::new(&scenario(&clients), &args, cap);
        let finish = p.run(Duration::from_secs(600));
        prop_assert_eq!(finish, Some(Finish::Complete));
        let server = p.server.mru().entries();
        // In the order received: the server's, oldest first, each once.
        let got: Vec<(String, u16, u32, u8)> = p
            .list
            .entries
            .iter()
            .map(|e| (ip_text(e.addr, &p.list.v6).unwrap_or_default(), e.port, e.count, e.mv))
            .collect();
        let want: Vec<(String, u16, u32, u8)> = server
            .iter()
            .map(|e| (e.addr.ip().to_string(), e.addr.port(), e.ct as u32, e.mv as u8))
            .collect();
        prop_assert_eq!(got, want);
        for (e, s) in p.list.entries.iter().zip(&server) {
            prop_assert_eq!(e.last, (u64::from(s.last.secs) << 32) | u64::from(s.last.frac));
            prop_assert_eq!(e.drop_count(), Some(s.dr));
        }
    }
}
