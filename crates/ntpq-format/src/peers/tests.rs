//! The peers tables against NTPsec 1.2.2's output and the spec's examples.

use super::*;
use ntp_control::varlist::parse_varlist;

/// Undoes the generator's escaping (`\\`, `\t`, `\n`, `\r`, `\xNN`).
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(u8::from_str_radix(&hex, 16).expect("hex") as char);
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn resolve(addr: &str) -> String {
    match addr {
        "192.0.2.10" => "ntp1.example.org",
        "2001:db8::1234:5678" => "v6host.example.net",
        "198.51.100.20" => "a-rather-long-reverse-name.example.com",
        other => other,
    }
    .to_string()
}

fn kind_named(name: &str) -> PeersKind {
    match name {
        "peers" => PeersKind::Peers,
        "apeers" => PeersKind::Apeers,
        "opeers" => PeersKind::Opeers,
        "rpeers" => PeersKind::Rpeers,
        other => panic!("kind {other}"),
    }
}

const NOW: f64 = 1712726900.25;

#[test]
fn python_generated_tables() {
    // testdata/peers.tsv: headers and rows printed by NTPsec 1.2.2's
    // PeerSummary (git HEAD's for rpeers) for many widths, -w, units,
    // hostnames modes, ntpversion 1 and multi-host prefixes.
    let data = include_str!("../../testdata/peers.tsv");
    let labels = ["localhost", "h1", "abcdefghijk"];
    let (mut headers, mut rows) = (0, 0);
    for line in data.lines().filter(|l| !l.starts_with('#')) {
        let c: Vec<&str> = line.split('\t').collect();
        assert_eq!(c.len(), 12, "{line}");
        let kind = kind_named(c[1]);
        let term: i64 = c[2].parse().expect("T");
        let wide = c[3] == "1";
        let units = c[4] == "1";
        let hostnames: u8 = c[5].parse().expect("hostnames");
        let old_version = c[6] == "1";
        let host_width: Option<usize> = c[7].parse().ok();
        let layout = PeersLayout::new(kind, term, wide, host_width);
        let want = unescape(c[11]);
        let context =
            format!("{kind:?} T={term} wide={wide} units={units} hn={hostnames} H={host_width:?}");
        if c[0] == "H" {
            assert_eq!(header(&layout), want, "{context}");
            headers += 1;
            continue;
        }
        let vars = parse_varlist(unescape(c[10]).as_bytes());
        let row_in = PeerRow {
            status: c[8].parse().expect("status"),
            associd: c[9].parse().expect("associd"),
            vars: &vars,
            now_unix: NOW,
            units,
            old_version,
            hostnames,
            host_label: host_width.map(|h| labels[h % 3]),
            resolve: &resolve,
        };
        assert_eq!(row(&layout, &row_in), want, "{context} wire={}", c[10]);
        rows += 1;
    }
    assert!(headers > 200 && rows > 2900, "{headers} {rows}");
}

#[test]
fn spec_examples() {
    // commands.md §8.3 [verified] refclock row and -W 70 layout.
    let vars = parse_varlist(
        b"srcadr=127.127.28.0, srchost=\"SHM(0)\", stratum=0, refid=SHM0, reach=0x0, \
hmode=3, hpoll=6, ppoll=6, offset=0.000000, delay=0.000000, jitter=0.000119",
    );
    let r = PeerRow {
        status: 0x801b,
        associd: 17767,
        vars: &vars,
        now_unix: NOW,
        units: false,
        old_version: false,
        hostnames: 1,
        host_label: None,
        resolve: &resolve,
    };
    let layout = PeersLayout::new(PeersKind::Peers, 80, false, None);
    assert_eq!(
        header(&layout),
        "     remote           refid      st t when poll reach   delay   offset   jitter\n\
===============================================================================\n"
    );
    assert_eq!(
        row(&layout, &r),
        " SHM(0)          .SHM0.           0 l    -   64    0   0.0000   0.0000   0.0001\n"
    );
    let narrow = PeersLayout::new(PeersKind::Peers, 70, false, None);
    assert_eq!(narrow.name_width, 5);
    assert_eq!(
        row(&narrow, &r),
        " SHM(0 .SHM0.           0 l    -   64    0   0.0000   0.0000   0.0001\n"
    );
    let rp = PeersLayout::new(PeersKind::Rpeers, 80, false, None);
    assert_eq!(
        row(&rp, &r),
        "  0 l    -   64    0   0.0000   0.0000   0.0001 .SHM0.            SHM(0)\n"
    );
    let multi = PeersLayout::new(PeersKind::Peers, 80, false, Some(9));
    let r = PeerRow {
        host_label: Some("127.0.0.9"),
        ..r
    };
    assert_eq!(
        header(&multi),
        "server         remote           refid      st t when poll reach   delay   offset   jitter\n\
=========================================================================================\n"
    );
    assert_eq!(
        row(&multi, &r),
        "127.0.0.9  SHM(0)          .SHM0.           0 l    -   64    0   0.0000   0.0000   0.0001\n"
    );
}

#[test]
fn intervals() {
    // §8.3 examples.
    for (d, want) in [
        (0, "-"),
        (-5, "-"),
        (1, "1"),
        (2048, "2048"),
        (2049, "34m"),
        (17971, "300m"),
        (17972, "5h"),
        (343831, "96h"),
        (343832, "4d"),
        (10000000, "116d"),
    ] {
        assert_eq!(interval(d), want, "{d}");
    }
}

#[test]
fn f8_formats() {
    // ntp.util.f8dot4 / f8dot3 via python3.
    let cases: &[(f64, &str, &str)] = &[
        (0.0, "  0.0000", "   0.000"),
        (-0.0, " -0.0000", "  -0.000"),
        (999.99995, "1000.0000", "1000.000"),
        (999.9999, "999.9999", "1000.000"),
        (-99.99995, "-99.9999", "-100.000"),
        (-123456.7, " -123456", " -123456"),
        (1234567.9, " 1234567", " 1234567"),
        (99999.95, "99999.95", "99999.95"),
        (f64::NAN, "     nan", "     nan"),
        (12.3456789, " 12.3457", "  12.346"),
    ];
    for (x, d4, d3) in cases {
        assert_eq!(f8dot4(*x), *d4, "f8dot4({x})");
        assert_eq!(f8dot3(*x), *d3, "f8dot3({x})");
    }
}

#[test]
fn odd_values_do_not_panic() {
    let vars = parse_varlist(
        b"srcadr=1.5, hmode=\"x\", stratum=abc, reach=1.5, hpoll=-3, ppoll=1.5, \
rec=0x12, delay=inf, offset=-inf, jitter=, ntscookies=99999999999",
    );
    for kind in [
        PeersKind::Peers,
        PeersKind::Apeers,
        PeersKind::Opeers,
        PeersKind::Rpeers,
    ] {
        for units in [false, true] {
            let layout = PeersLayout::new(kind, -1000, true, Some(0));
            assert_eq!(PeersLayout::new(kind, i64::MIN, false, None).rule_width, 0);
            let r = PeerRow {
                status: 0xffff,
                associd: 1,
                vars: &vars,
                now_unix: NOW,
                units,
                old_version: false,
                hostnames: 3,
                host_label: Some("host"),
                resolve: &resolve,
            };
            let text = row(&layout, &r);
            assert!(text.ends_with('\n'));
            let _ = header(&layout);
        }
    }
}

/// Found by fuzzing (peers_row): `-W -65536` made the remote column
/// wider than `format!` pads (65535) and the row panicked; Python pads
/// it (a negative width left-justifies in |width|).
#[test]
fn hugely_negative_width_pads_instead_of_panicking() {
    let vars = parse_varlist(b"srcadr=192.0.2.10, stratum=1, refid=GPS");
    let r = PeerRow {
        status: 0x961a,
        associd: 1,
        vars: &vars,
        now_unix: NOW,
        units: false,
        old_version: false,
        hostnames: 0,
        host_label: None,
        resolve: &resolve,
    };
    let layout = PeersLayout::new(PeersKind::Peers, -65_536, false, None);
    assert_eq!(layout.name_width, 15 - 65_616);
    let line = row(&layout, &r);
    // Tally, the address cut as Python's `name[:n]` cuts it (to
    // nothing), left-justified in 65601 columns, a space, the refid.
    let remote = format!("*{} ", " ".repeat(65_601));
    assert!(line.starts_with(&remote), "{:?}", &line[..40]);
    assert!(
        line[remote.len()..].starts_with(".GPS. "),
        "{:?}",
        &line[remote.len()..]
    );
    assert!(line.ends_with('\n'));
    // Past 2^16 columns (Python would run out of memory) the field stops
    // growing: `-W -2543380970530432131` (the fuzzer's) made a row of
    // 2.5e18 spaces and aborted.
    let layout = PeersLayout::new(PeersKind::Peers, -2_543_380_970_530_432_131, false, None);
    assert_eq!(layout.name_width, 15 - 65_536 - 80);
    assert!(row(&layout, &r).len() < 70_000);
}

/// Found by fuzzing (peers_row): the type column is chr(48 + ntscookies)
/// as in the reference, and a server's ntscookies=100 put the C1 control
/// character U+0094 on the terminal; control characters show as '?'.
#[test]
fn nts_cookie_type_letter_is_never_a_control_character() {
    let letter = |cookies: &str| {
        let text =
            format!("srcadr=192.0.2.10, hmode=3, stratum=1, refid=GPS, ntscookies={cookies}");
        let vars = parse_varlist(text.as_bytes());
        let r = PeerRow {
            status: 0x961a,
            associd: 1,
            vars: &vars,
            now_unix: NOW,
            units: false,
            old_version: false,
            hostnames: 0,
            host_label: None,
            resolve: &resolve,
        };
        let layout = PeersLayout::new(PeersKind::Peers, 80, false, None);
        let line = row(&layout, &r);
        // The column after the stratum: " 1 u ".
        let at = line.find(" 1 ").expect("stratum column") + 3;
        line[at..].chars().next().expect("a type column")
    };
    assert_eq!(letter("4"), '4');
    assert_eq!(letter("17"), 'A');
    assert_eq!(letter("79"), '?', "DEL");
    assert_eq!(letter("100"), '?', "U+0094");
    assert_eq!(letter("112"), '\u{a0}', "printable again past C1");
}
