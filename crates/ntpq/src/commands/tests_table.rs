//! The REPL's `format table` in-process: the handlers draw tables, and the
//! commands without one keep their classic text.

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
    // No table for readvar: its classic text.
    let rv = h.run("readvar 0 stratum");
    assert!(rv.stdout.contains("stratum=2"), "{}", rv.stdout);
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
