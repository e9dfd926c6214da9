//! The REPL's `format table` in-process: the handlers draw tables, and the
//! commands without one (and raw mode) keep their classic text.

use crate::testing::Harness;

const SERVER: &str = r#"
[system]
status = 0x0615
variables = ["leap=0", "stratum=2", "precision=-24", "offset=-0.123456", "ss_uptime=73", "ss_numctlreq=5"]
default = ["leap", "stratum", "offset"]

[[peer]]
associd = 11
status = 0x961a
variables = ["srcadr=2001:db8:1234:5678:9abc:def0:1234:5678", "srcport=123", "stratum=1", "reach=0xff", "hmode=3"]
"#;

#[test]
fn format_table_draws_the_tables() {
    let mut h = Harness::new(SERVER);
    assert_eq!(h.run("format table").stdout, "Output format is table\n");
    let peers = h.run("peers");
    assert!(!peers.failed, "{peers:?}");
    assert!(peers.stdout.starts_with('╭'), "{}", peers.stdout);
    assert!(peers
        .stdout
        .lines()
        .any(|l| l.contains("2001:db8:1234:5678:9abc:def0:1234:5678")));
    assert!(
        !peers.stdout.contains('\x1b'),
        "memory output is no terminal"
    );
    let assoc = h.run("associations");
    assert!(assoc.stdout.contains("sys.peer") && assoc.stdout.contains('╭'));
    let cached = h.run("passociations");
    assert_eq!(cached.stdout, assoc.stdout);
    let stats = h.run("sysstats");
    assert!(stats.stdout.contains("│ uptime "), "{}", stats.stdout);
    // readvar: a variable / value table; raw mode keeps the server's text.
    let rv = h.run("readvar 0 stratum,offset");
    // Names given: no title, as the classic text has no associd= then.
    assert!(rv.stdout.starts_with('╭'), "{}", rv.stdout);
    assert!(rv.stdout.contains("│ stratum  ┆ 2 "), "{}", rv.stdout);
    let rv = h.run("rv");
    assert!(
        rv.stdout
            .starts_with("associd=0 status=0615 leap_none, sync_ntp,"),
        "{}",
        rv.stdout
    );
    assert!(rv.stdout.contains("┆ 00 "), "leap cooked: {}", rv.stdout);
    h.run("raw");
    let rv = h.run("rv 0 stratum");
    assert_eq!(
        rv.stdout, "stratum=2\r\n",
        "the server's text as raw mode shows it"
    );
    h.run("cooked");
    // And back.
    h.run("format classic");
    assert!(h.run("peers").stdout.starts_with("     remote"));
}

#[test]
fn an_empty_cached_list_is_said_as_in_classic() {
    let mut h = Harness::new(SERVER);
    h.run("format table");
    assert_eq!(
        h.run("passociations").stdout,
        "No association IDs in list\n"
    );
}
