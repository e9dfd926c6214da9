//! The table renderers: whole addresses and names at any width, lines
//! within the width when the words allow it, colour only when asked.

use ntp_control::mru::entry::{AddrRef, MruEntry};
use ntp_control::varlist::{parse_varlist, Variable};

use super::*;
use crate::peers::cells::cells;
use crate::peers::{PeerRow, PeersKind};
use crate::summary::{row as srow, Display, Kind};

const V6: &str = "2001:db8:1234:5678:9abc:def0:1234:5678";
const LONG_NAME: &str = "a-very-long-hostname.with-several.subdomains.example.org";
const WIDTHS: [usize; 3] = [60, 80, 200];

fn width_of(line: &str) -> usize {
    line.chars().count()
}

/// The narrowest the table can be without cutting a word: every column
/// as wide as its widest word, plus the column lines (padding dropped).
/// `first_whole`: the first column's cells never wrap (legends).
fn narrowest(text: &str, first_whole: bool) -> usize {
    let rows: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| l.starts_with('│'))
        .map(|l| l.trim_matches('│').split('┆').collect())
        .collect();
    let columns = rows.first().map_or(0, Vec::len);
    let mut widest = vec![0; columns];
    for row in &rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            let w = if i == 0 && first_whole {
                width_of(cell.trim())
            } else {
                cell.split_whitespace().map(width_of).max().unwrap_or(0)
            };
            widest[i] = widest[i].max(w);
        }
    }
    widest.iter().sum::<usize>() + columns + 1
}

/// Checks what every table must do at `width`.
fn check(text: &str, width: usize, whole: &[&str]) {
    check_table(text, width, whole, false)
}

fn check_table(text: &str, width: usize, whole: &[&str], first_whole: bool) {
    assert!(!text.contains('\x1b'), "no colour asked:\n{text}");
    for word in whole {
        let on_a_line = text.lines().any(|l| l.contains(word));
        assert!(on_a_line, "{word} cut at width {width}:\n{text}");
    }
    let limit = width.max(narrowest(text, first_whole));
    for line in text.lines() {
        assert!(
            width_of(line) <= limit,
            "wider than {limit}: {line}\n{text}"
        );
    }
}

fn vars(text: &str) -> Vec<Variable> {
    parse_varlist(text.as_bytes())
}

fn peer_cells(kind: PeersKind, status: u16, text: &str) -> crate::peers::cells::PeerCells {
    let vars = vars(text);
    let resolve = |a: &str| a.to_string();
    let row = PeerRow {
        status,
        associd: 17770,
        vars: &vars,
        now_unix: 1_712_726_900.25,
        units: false,
        old_version: false,
        hostnames: 2,
        host_label: None,
        resolve: &resolve,
    };
    cells(kind, &row)
}

fn sample_peers(kind: PeersKind) -> Vec<crate::peers::cells::PeerCells> {
    vec![
        peer_cells(
            kind,
            0x961a,
            &format!("srcadr={V6}, dstadr=2001:db8::2, refid=GPS, stratum=1, hmode=3, ppoll=6, hpoll=6, reach=0xff, delay=12.345678, offset=-0.123456, jitter=0.456789"),
        ),
        peer_cells(
            kind,
            0x9424,
            &format!("srcadr=198.51.100.77, srchost=\"{LONG_NAME}\", dstadr=192.0.2.2, refid=192.0.2.10, stratum=2, hmode=3, reach=0x7f, delay=1.5, offset=0.25, jitter=0.1"),
        ),
    ]
}

#[test]
fn peers_keep_addresses_and_names_whole_at_every_width() {
    for kind in [
        PeersKind::Peers,
        PeersKind::Apeers,
        PeersKind::Opeers,
        PeersKind::Rpeers,
    ] {
        for width in WIDTHS {
            let text = peers::peers_table(
                kind,
                &sample_peers(kind),
                false,
                &TableStyle::new(width, false),
            );
            let refid = if kind == PeersKind::Opeers {
                "2001:db8::2"
            } else {
                ".GPS."
            };
            check(&text, width, &[V6, LONG_NAME, "-0.1235", refid]);
        }
    }
}

#[test]
fn wide_tables_stay_on_one_line_per_row_and_fit_when_they_can() {
    let text = peers::peers_table(
        PeersKind::Peers,
        &sample_peers(PeersKind::Peers),
        false,
        &TableStyle::new(200, false),
    );
    // Header, two rows and three rules.
    assert_eq!(text.lines().count(), 6, "{text}");
    let row = text.lines().find(|l| l.contains(V6)).expect("v6 row");
    assert!(row.contains("12.3457") && row.contains(" * "), "{row}");
    // At 60 columns the host name does not fit beside the numbers: the
    // table grows rather than cut it (a word is never split).
    let narrow = peers::peers_table(
        PeersKind::Peers,
        &sample_peers(PeersKind::Peers),
        false,
        &TableStyle::new(60, false),
    );
    assert!(narrow.lines().any(|l| l.contains(LONG_NAME)));
}

#[test]
fn colour_only_when_asked() {
    let peers = sample_peers(PeersKind::Peers);
    let plain = peers::peers_table(PeersKind::Peers, &peers, false, &TableStyle::new(80, false));
    assert!(!plain.contains('\x1b'));
    let coloured = peers::peers_table(PeersKind::Peers, &peers, false, &TableStyle::new(80, true));
    assert!(coloured.contains('\x1b'), "{coloured}");
    // Bold header, green system peer.
    assert!(coloured.contains("\x1b[1m"), "{coloured:?}");
    assert!(
        coloured.contains("\x1b[38;5;10m") || coloured.contains("\x1b[32m"),
        "{coloured:?}"
    );
}

#[test]
fn no_color_and_terminals() {
    assert!(colour_wanted(true, None));
    assert!(colour_wanted(true, Some("")));
    assert!(!colour_wanted(true, Some("1")));
    assert!(!colour_wanted(false, None));
}

#[test]
fn multi_host_tables_name_the_server() {
    let mut rows = sample_peers(PeersKind::Peers);
    rows[0].host = Some("ntp-a.example.org".into());
    let text = peers::peers_table(PeersKind::Peers, &rows, true, &TableStyle::new(80, false));
    assert!(text.lines().next().is_some());
    assert!(
        text.contains("server") && text.contains("ntp-a.example.org"),
        "{text}"
    );
}

#[test]
fn server_control_characters_are_shown_escaped() {
    let rows = vec![peer_cells(
        PeersKind::Peers,
        0x961a,
        "srcadr=192.0.2.1, srchost=\"evil\x1b[2Jname\", refid=GPS",
    )];
    let text = peers::peers_table(PeersKind::Peers, &rows, false, &TableStyle::new(80, false));
    assert!(!text.contains('\x1b'), "{text:?}");
    assert!(text.contains("evil\\x1b[2Jname"), "{text}");
}

#[test]
fn associations() {
    for width in WIDTHS {
        let text = assoc::associations_table(
            &[(17770, 0x961a), (17771, 0x7c0c)],
            &TableStyle::new(width, false),
        );
        check(&text, width, &["sys.peer", "sys_peer", "candidate"]);
        assert!(text.contains("961a") && text.contains("17771"), "{text}");
    }
}

#[test]
fn summaries() {
    let rows = [
        srow("peeradr", "system peer:      ", Kind::Adp),
        srow("leap", "leap indicator:   ", Kind::TwoBit),
        srow("ss_reset", "sysstats reset:   ", Kind::Uptime),
        srow("ss_received", "packets received: ", Kind::Packets),
        srow("kstflags", "kernel status:    ", Kind::Str),
    ];
    let sys = vars(&format!(
        "peeradr=[{V6}]:123, leap=0, ss_reset=86412, ss_received=172824, kstflags=0"
    ));
    for width in WIDTHS {
        let mut display = Display {
            units: false,
            resolve: None,
            debug: false,
        };
        let text = summary::single_table(
            &rows,
            |n| sys.iter().find(|v| v.name == n),
            &mut display,
            &TableStyle::new(width, false),
        );
        check_table(&text, width, &[V6, "1D 00:00:12", "172824", "2.0p/s"], true);
        assert!(text.contains("system peer") && !text.contains("system peer:"));
        // An empty STR row is left out, as in the classic table.
        assert!(!text.contains("kernel status"), "{text}");
    }
    let twins = vars("ss_reset=100, ss_reset_r=50, ss_received=400, ss_received_r=25");
    let text = summary::dual_table(
        &rows[2..4],
        |n| twins.iter().find(|v| v.name == n),
        &TableStyle::new(80, false),
    );
    let line = text
        .lines()
        .find(|l| l.contains("packets received"))
        .expect("row");
    assert!(line.contains("400") && line.contains("4.0p/s"), "{line}");
    assert!(line.contains("25") && line.contains("2.0s/p"), "{line}");
}

#[test]
fn ifstats_and_reslist() {
    let stanzas = vec![
        vars(&format!(
            "addr=[{V6}]:123, bcast=, en=1, name=\"eth0\", flags=0x5, rx=5, tx=2, txerr=0, pc=1, up=146"
        )),
        // Dropped, as the classic table drops it (no `up`).
        vars("addr=1.2.3.4:123, name=\"eth1\", flags=0x5, rx=5, tx=2, txerr=1, pc=0"),
        vars("addr=127.0.0.1:123, bcast=127.255.255.255:123, en=0, name=\"lo\", flags=0x1d, rx=9, tx=8, txerr=0, pc=0, up=99"),
    ];
    for width in WIDTHS {
        let text = ordlist::ifstats_table(&stanzas, &TableStyle::new(width, false));
        check(&text, width, &[V6, "127.255.255.255:123", "eth0"]);
        assert!(!text.contains("eth1"), "{text}");
        assert!(
            text.lines()
                .any(|l| l.contains("1d") && l.split('┆').any(|c| c.trim() == "D")),
            "{text}"
        );
    }
    let res = vec![
        vars(&format!(
            "addr={V6}, mask=ffff:ffff:ffff:ffff::, hits=3, flags=ntpport interface ignore"
        )),
        vars("addr=::1, mask=ffff::, flags="),
    ];
    for width in WIDTHS {
        let text = ordlist::reslist_table(&res, &TableStyle::new(width, false));
        check(&text, width, &[&format!("{V6}/64"), "ntpport"]);
        assert!(!text.contains("::1/"), "{text}");
    }
}

fn entry(addr: AddrRef, has_port: bool) -> MruEntry {
    MruEntry {
        last: 3_900_000_000u64 << 32,
        first: 3_899_999_000u64 << 32,
        addr,
        count: 7,
        drop: 0,
        score_milli: 1500,
        port: 123,
        rs: 0x20,
        mv: 0x23,
        has_port,
    }
}

#[test]
fn mrulist_cells_are_the_classic_fields() {
    let now = 1_700_000_000.0;
    let pivot = 1_700_000_000;
    for has_port in [true, false] {
        let e = entry(AddrRef::V4(0x0a00_0001), has_port);
        let cells = mrulist::entry_cells(&e, now, pivot).expect("valid entry");
        assert_eq!(cells.len(), 10);
        let classic = crate::mrulist::row(&e, Some(now), pivot, "10.0.0.1");
        let mut words: Vec<&str> = classic.split_whitespace().collect();
        assert_eq!(words.pop(), Some("10.0.0.1"));
        let cells_words: Vec<&str> = cells
            .iter()
            .map(String::as_str)
            .filter(|c| !c.is_empty())
            .collect();
        assert_eq!(cells_words, words);
        assert_eq!(cells[9].is_empty(), !has_port);
    }
    assert_eq!(
        mrulist::entry_cells(&entry(AddrRef::Invalid, true), now, pivot),
        None
    );
}

#[test]
fn mrulist_tables() {
    let e = entry(AddrRef::V4(0x0a00_0001), true);
    let cells = mrulist::entry_cells(&e, 1_700_000_000.0, 1_700_000_000).expect("cells");
    for width in WIDTHS {
        let rows = vec![
            (cells.clone(), V6.to_string()),
            (cells.clone(), LONG_NAME.to_string()),
        ];
        let text = mrulist::mrulist_table(rows, &TableStyle::new(width, false));
        check(&text, width, &[V6, LONG_NAME, "lstint", "1.500"]);
    }
}

#[test]
fn padding_goes_before_the_width_is_exceeded() {
    let rows = vec![peer_cells(
        PeersKind::Peers,
        0x961a,
        "srcadr=198.51.100.77, refid=198.51.100.1, stratum=3, hmode=3, ppoll=8, hpoll=8, reach=0x3, delay=123.456789, offset=-45.678901, jitter=12.345678",
    )];
    // Padded, this table is 99 columns wide: at 80 it drops the padding
    // and fits; at 120 it keeps it.
    let narrow = peers::peers_table(PeersKind::Peers, &rows, false, &TableStyle::new(80, false));
    assert!(narrow.lines().all(|l| width_of(l) <= 80), "{narrow}");
    assert!(narrow.contains("│*┆198.51.100.77┆"), "{narrow}");
    let wide = peers::peers_table(PeersKind::Peers, &rows, false, &TableStyle::new(120, false));
    assert!(wide.contains("│ * ┆ 198.51.100.77 ┆"), "{wide}");
}

#[test]
fn a_long_mrulist_in_parts_is_one_table() {
    let e = entry(AddrRef::V4(0x0a00_0001), true);
    let cells = mrulist::entry_cells(&e, 1_700_000_000.0, 1_700_000_000).expect("cells");
    let remotes = ["10.0.0.1", V6, "192.0.2.77", LONG_NAME, "10.0.0.2"];
    let mut columns = mrulist::MruColumns::default();
    for r in remotes {
        columns.measure(&cells, r);
    }
    let style = TableStyle::new(80, false);
    let mut text = String::new();
    let parts: Vec<&[&str]> = remotes.chunks(2).collect();
    for (i, part) in parts.iter().enumerate() {
        let rows = part
            .iter()
            .map(|r| (cells.clone(), r.to_string()))
            .collect();
        let ends = (i == 0, i + 1 == parts.len());
        text.push_str(&mrulist::mrulist_table_part(&columns, rows, ends, &style));
    }
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.iter().filter(|l| l.starts_with('╭')).count(),
        1,
        "{text}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with('╰')).count(),
        1,
        "{text}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.contains("lstint")).count(),
        1,
        "{text}"
    );
    assert!(lines[0].starts_with('╭') && lines[lines.len() - 1].starts_with('╰'));
    // Every line as wide as the first: the parts' columns line up.
    let width = width_of(lines[0]);
    assert!(lines.iter().all(|l| width_of(l) == width), "{text}");
    for r in remotes {
        assert!(lines.iter().any(|l| l.contains(r)), "{r}:\n{text}");
    }
    assert_eq!(lines.len(), 3 + remotes.len() + 1, "{text}");
}
