//! Property: a variable list the simulator builds as ntpd does — items
//! joined by ", ", folded at 72 columns with ",\r\n", split into 468-octet
//! fragments that cut items anywhere — comes back from the client's
//! reassembly and `parse_varlist` as the same names, values and order.

use std::net::SocketAddr;
use std::time::{Duration, Instant, UNIX_EPOCH};

use ntp_control::header::Opcode;
use ntp_control::{parse_varlist, Query, Request, Timeouts, Value};
use ntpd_sim::{Scenario, ServerState};
use proptest::prelude::*;

/// A value as ntpd prints one: an integer, hex, a float, a token, or a
/// quoted string (which may hold commas, `=` and spaces, never quotes).
#[derive(Clone, Debug)]
enum Sent {
    Int(i64),
    Hex(u32),
    Float(f64),
    Token(String),
    Quoted(String),
}

impl Sent {
    fn text(&self) -> String {
        match self {
            Sent::Int(i) => i.to_string(),
            Sent::Hex(h) => format!("0x{h:x}"),
            Sent::Float(f) => format!("{f:.6}"),
            Sent::Token(t) => t.clone(),
            Sent::Quoted(s) => format!("\"{s}\""),
        }
    }
}

fn chars_from(set: &'static str, len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    let chars: Vec<char> = set.chars().collect();
    prop::collection::vec(prop::sample::select(chars), len).prop_map(|v| v.into_iter().collect())
}

fn value() -> impl Strategy<Value = Sent> {
    prop_oneof![
        any::<i64>().prop_map(Sent::Int),
        any::<u32>().prop_map(Sent::Hex),
        (-1e9f64..1e9).prop_map(Sent::Float),
        // Starts with a letter: not a number to Python either.
        (
            chars_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1..2),
            chars_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:-_", 0..20)
        )
            .prop_map(|(a, b)| Sent::Token(a + &b)),
        chars_from("abcxyz ABC012,=.:;/()[]!?-_+*#@'", 0..40).prop_map(Sent::Quoted),
    ]
}

fn variables() -> impl Strategy<Value = Vec<(String, Sent)>> {
    prop::collection::vec(
        (chars_from("abcdefghijklmnopqrstuvwxyz_", 1..12), value()),
        0..150,
    )
    .prop_map(|vars| {
        // Unique names, made so by an index suffix.
        vars.into_iter()
            .enumerate()
            .map(|(i, (name, v))| (format!("{name}{i}"), v))
            .collect()
    })
}

fn round_trip(vars: &[(String, Sent)]) -> Vec<ntp_control::Variable> {
    let mut scenario = Scenario::default();
    scenario.system.variables = vars
        .iter()
        .map(|(n, v)| format!("{n}={}", v.text()))
        .collect();
    let mut server = ServerState::new(scenario, UNIX_EPOCH + Duration::from_secs(1_790_000_000));
    let server_addr: SocketAddr = "127.0.0.1:123".parse().expect("address");
    let now = Instant::now();
    let timeouts = Timeouts {
        max_datagrams: 1000,
        ..Timeouts::default()
    };
    let mut q = Query::new(
        Request::new(Opcode::ReadVar, 0, Vec::new()),
        0,
        Some(server_addr),
        timeouts,
        None,
        now,
    );
    let pkt = q.poll_transmit().expect("a request");
    let t = UNIX_EPOCH + Duration::from_secs(1_790_000_001);
    for reply in server.handle(t, "127.0.0.1:40000".parse().expect("address"), &pkt) {
        q.handle_datagram(now, server_addr, &reply);
    }
    let r = q.take_outcome().expect("finished").expect("a reply");
    parse_varlist(&r.data)
}

/// `PROPTEST_CASES` overrides the count (longer runs by hand).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(200), ..ProptestConfig::default() })]

    #[test]
    fn server_varlists_parse_back(vars in variables()) {
        let got = round_trip(&vars);
        prop_assert_eq!(got.len(), vars.len());
        for (g, (name, sent)) in got.iter().zip(&vars) {
            prop_assert_eq!(&g.name, name);
            match sent {
                Sent::Int(i) => prop_assert_eq!(&g.value, &Value::Int(i128::from(*i))),
                Sent::Hex(h) => prop_assert_eq!(&g.value, &Value::Int(i128::from(*h))),
                Sent::Float(_) => {
                    let text = sent.text();
                    prop_assert_eq!(&g.raw, &text);
                    prop_assert_eq!(g.value.as_f64(), text.parse::<f64>().ok());
                }
                Sent::Token(t) => {
                    prop_assert_eq!(&g.raw, t);
                    prop_assert_eq!(&g.value, &Value::Str(t.clone()));
                }
                Sent::Quoted(s) => {
                    // Python's strip() of the value, then the quotes removed.
                    prop_assert_eq!(&g.raw, s);
                    prop_assert_eq!(&g.value, &Value::Str(s.clone()));
                }
            }
            if !matches!(sent, Sent::Quoted(_) | Sent::Float(_) | Sent::Token(_)) {
                prop_assert_eq!(&g.raw, &sent.text());
            }
        }
    }
}
