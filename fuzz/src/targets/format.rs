//! Targets on the value formatters: whatever a server sent, they print
//! something (the raw text where the reference would raise) and never
//! panic.

use arbitrary::Unstructured;
use ntp_control::mru::entry::{addr_text, stamp_to_unix, AddrRef, MruEntry, V6Table};
use ntp_control::status::{peer_status_text, system_status_text};
use ntp_control::varlist::parse_varlist_as_sent;
use ntp_control::{parse_varlist, Value};
use ntpq_format::peers::{PeerRow, PeersKind, PeersLayout};
use ntpq_format::units::Unit;
use ntpq_format::{assoc, cooked, peers, pyfmt, summary, timestamp, units};

use super::assert_visible;

/// Splits the input at the first NUL: settings before, reply text after.
fn split(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&[], data),
    }
}

/// The readvar family's display (`cook`) and raw mode.
pub fn cook(data: &[u8]) {
    let (head, text) = split(data);
    let mut u = Unstructured::new(head);
    let width = u.int_in_range(0..=200usize).unwrap_or(78);
    let units: bool = u.arbitrary().unwrap_or(false);
    let status: u16 = u.arbitrary().unwrap_or(0);
    // As readvar does: laid out on the text as sent, shown as it goes.
    let shown = cooked::cook(&parse_varlist_as_sent(text), width, units);
    let vars = parse_varlist(text);
    assert_visible(&shown, "\n");
    assert_visible(&cooked::raw_varlist_text(text), "\n\r");
    let _ = cooked::status_line(false, status, &system_status_text(status));
    for v in &vars {
        assert_visible(&cooked::generic_repr(&v.value, &v.raw), "");
        let (period, _) = summary::periodize(&v.value);
        let _ = summary::packetize(&v.value, period);
    }
}

const KINDS: [PeersKind; 4] = [
    PeersKind::Peers,
    PeersKind::Apeers,
    PeersKind::Opeers,
    PeersKind::Rpeers,
];

/// A peers table row from a peer's variables, in every layout.
pub fn peers_row(data: &[u8]) {
    let (head, text) = split(data);
    let mut u = Unstructured::new(head);
    let kind = KINDS[u.choose_index(KINDS.len()).unwrap_or(0)];
    // `-W` takes any integer the command line parses.
    let width: i64 = u.arbitrary().unwrap_or(80);
    let wide: bool = u.arbitrary().unwrap_or(false);
    let host_width = u
        .arbitrary::<bool>()
        .unwrap_or(false)
        .then(|| u.int_in_range(0..=300usize).unwrap_or(9));
    let status: u16 = u.arbitrary().unwrap_or(0);
    let associd: u16 = u.arbitrary().unwrap_or(0);
    // The client's clock: any time this side of the year 2500.
    let now_unix = u
        .int_in_range(0..=16_725_225_600u64)
        .unwrap_or(1_790_000_000) as f64
        + f64::from(u.arbitrary::<u16>().unwrap_or(0)) / 65536.0;
    let units: bool = u.arbitrary().unwrap_or(false);
    let old_version: bool = u.arbitrary().unwrap_or(false);
    let hostnames = u.int_in_range(0..=3u8).unwrap_or(0);
    // As peers does: laid out on the text as sent, shown at the end.
    let vars = parse_varlist_as_sent(text);
    let layout = PeersLayout::new(kind, width, wide, host_width);
    let _ = peers::header(&layout);
    let resolve = |s: &str| s.to_string();
    let row = peers::row(
        &layout,
        &PeerRow {
            status,
            associd,
            vars: &vars,
            now_unix,
            units,
            old_version,
            hostnames,
            host_label: host_width.map(|_| "sim"),
            resolve: &resolve,
        },
    );
    assert_visible(&row, "\n");
    let _ = peer_status_text(status);
    let _ = assoc::association_row(usize::from(associd), associd, status);
    let _ = assoc::associations_table(&[(associd, status), (status, associd)]);
}

/// An `mrulist` row from any entry the parser could build.
pub fn mrulist_row(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let mut v6 = V6Table::default();
    for i in 0..u.int_in_range(0..=3u8).unwrap_or(0) {
        let bits: u128 = u.arbitrary().unwrap_or(u128::from(i));
        v6.intern(std::net::Ipv6Addr::from(bits), u.arbitrary().unwrap_or(0));
    }
    let addr = match u.int_in_range(0u8..=2).unwrap_or(0) {
        0 => AddrRef::V4(u.arbitrary().unwrap_or(0)),
        1 => AddrRef::V6(u.int_in_range(0..=4u32).unwrap_or(0)),
        _ => AddrRef::Invalid,
    };
    let e = MruEntry {
        last: u.arbitrary().unwrap_or(0),
        first: u.arbitrary().unwrap_or(0),
        addr,
        count: u.arbitrary().unwrap_or(0),
        drop: u.arbitrary().unwrap_or(0),
        score_milli: u.arbitrary().unwrap_or(0),
        port: u.arbitrary().unwrap_or(0),
        rs: u.arbitrary().unwrap_or(0),
        mv: u.arbitrary().unwrap_or(0),
        has_port: u.arbitrary().unwrap_or(false),
    };
    // The client's clock (the era pivot) and the server's end marker.
    let pivot = u
        .int_in_range(0..=16_725_225_600i64)
        .unwrap_or(1_790_000_000);
    let now = u
        .arbitrary::<Option<u64>>()
        .unwrap_or(None)
        .map(|stamp| stamp_to_unix(stamp, pivot));
    let remote = addr_text(&e, &v6).unwrap_or_default();
    let row = ntpq_format::mrulist::row(&e, now, pivot, &remote);
    assert_visible(&row, "");
    if e.addr == AddrRef::Invalid {
        assert!(row.is_empty());
    }
}

const UNITS: [Unit; 9] = [
    Unit::Ns,
    Unit::Us,
    Unit::Ms,
    Unit::S,
    Unit::Ks,
    Unit::Ppt,
    Unit::Ppb,
    Unit::Ppm,
    Unit::Ppk,
];

/// Units, timestamps and Python number formatting of a value's text.
pub fn units(data: &[u8]) {
    let (head, text) = split(data);
    let mut u = Unstructured::new(head);
    let text = String::from_utf8_lossy(text);
    let start = UNITS[u.choose_index(UNITS.len()).unwrap_or(0)];
    let base = u
        .arbitrary::<bool>()
        .unwrap_or(false)
        .then(|| UNITS[u.choose_index(UNITS.len()).unwrap_or(0)]);
    let width = u
        .arbitrary::<bool>()
        .unwrap_or(false)
        .then(|| u.int_in_range(0..=40usize).unwrap_or(8));
    let _ = units::unitify(&text, start, base, width);
    let _ = units::filter_array_with_units(&text);
    let _ = units::is_zero(&text);
    let scale = units::max_down_scale(&text);
    let _ = units::rescale(&text, scale);
    let _ = units::rescale(&text, u.int_in_range(-12..=12i64).unwrap_or(0));
    let _ = units::scale_string(&text);
    let _ = units::fit_in_field(&text, Some(u.int_in_range(-2..=40i64).unwrap_or(8)));
    let _ = units::unit_for_variable(&text);
    let pivot = u
        .int_in_range(0..=16_725_225_600i64)
        .unwrap_or(1_790_000_000);
    let _ = timestamp::prettydate(&text);
    let _ = timestamp::lfp_to_unix(&text, pivot);
    let _ = timestamp::parse_lfp(&text);
    let _ = pyfmt::py_str_repr(&text);
    let _ = pyfmt::big_int_decimal(&text);
    let _ = peers::high_truncate(&text, u.int_in_range(0..=40usize).unwrap_or(8));
    if let Some(x) = Value::cast(&text).as_f64() {
        number_formats(x, &mut u);
    }
    let bits: u64 = u.arbitrary().unwrap_or(0);
    number_formats(f64::from_bits(bits), &mut u);
    let _ = peers::interval(u.arbitrary().unwrap_or(0));
}

fn number_formats(x: f64, u: &mut Unstructured) {
    let _ = pyfmt::float_repr(x);
    let _ = pyfmt::percent_f(
        x,
        u.int_in_range(0..=40usize).unwrap_or(8),
        u.int_in_range(0..=20usize).unwrap_or(3),
    );
    let _ = pyfmt::percent_d_float(x);
    let _ = pyfmt::py_round(x, u.int_in_range(0..=20usize).unwrap_or(3));
    let _ = peers::f8dot4(x);
    let _ = peers::f8dot3(x);
}
