//! `--format table` end to end: the built ntpq against a simulator whose
//! peers, interfaces, restrictions and MRU list carry a 39-character IPv6
//! address and a long host name. At 60, 80 and 200 columns (`-W`) every
//! address and name is printed whole on one line, no line is wider than
//! the width unless whole words leave no choice, and with no terminal (or
//! with NO_COLOR) there is no escape sequence.

use std::process::Command;

use ntpd_sim::{Scenario, Simulator};
use ntpq_conformance::sim::scenario_path;
use ntpq_conformance::{ntpq_rs, RunOutput};

const V6: &str = "2001:db8:1234:5678:9abc:def0:1234:5678";
const LONG_NAME: &str = "a-very-long-hostname.with-several.subdomains.example.org";
const WIDTHS: [usize; 3] = [60, 80, 200];

fn scenario() -> String {
    format!(
        r#"
[system]
status = 0x0615
variables = [
  "leap=0", "stratum=2", "precision=-24", "rootdelay=12.345", "rootdisp=25.678",
  "refid=192.0.2.10", "peeradr=[{V6}]:123", "peermode=3", "sys_jitter=0.456789",
  "clk_jitter=0.123456", "clk_wander=0.012345", "authdelay=0.000",
  "ss_uptime=86412", "ss_numctlreq=20", "ss_reset=86412", "ss_received=5321",
  "ss_reset_r=86412", "ss_received_r=5321",
]

[[peer]]
associd = 17770
status = 0x961a
variables = [
  "srcadr={V6}", "srcport=123", "dstadr=2001:db8::2", "hmode=3", "stratum=1",
  "ppoll=6", "hpoll=6", "refid=GPS", "reach=0xff", "delay=12.345678",
  "offset=-0.123456", "jitter=0.456789", "filtdelay=1.00 2.00 3.00 4.00",
]

[[peer]]
associd = 17771
status = 0x9424
variables = [
  "srcadr=0.0.0.0", "srchost=\"{LONG_NAME}\"", "dstadr=192.0.2.2", "hmode=3",
  "stratum=2", "refid={V6}", "reach=0x7f", "delay=1.5", "offset=0.25",
  "jitter=0.1",
]

[mru]
frozen_now = true
entries = [
  {{ addr = "[{V6}]:123", last_ago = 10, first_ago = 8000, ct = 700, mv = 0x24, sc = 0.008 }},
  {{ addr = "192.0.2.10:123", last_ago = 37.5, first_ago = 86000, ct = 1403, mv = 0x24, sc = 0.016 }},
]

[auth]
keys = ["1 MD5 md5-secret-key"]
controlkey = 1
ifstats = ['addr=[{V6}]:123, bcast=, en=1, name="eth0", flags=0x5, rx=5, tx=2, txerr=0, pc=1, up=146']
reslist = ['addr={V6}, mask=ffff:ffff:ffff:ffff::, hits=3, flags=ntpport interface ignore']
"#
    )
}

fn keys() -> String {
    let p = scenario_path("auth.keys");
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600));
    p.display().to_string()
}

fn simulator() -> Simulator {
    let scenario = Scenario::from_toml_str(&scenario()).expect("scenario");
    Simulator::spawn("127.0.0.1:0".parse().unwrap(), scenario).expect("simulator")
}

/// `ntpq -n --format table -W width -c command host` (stdout a pipe),
/// with the key file and key id for the commands that need them.
fn table(sim: &Simulator, width: usize, command: &str) -> RunOutput {
    let host = sim.local_addr().to_string();
    let w = width.to_string();
    let mut c = Command::new(ntpq_rs());
    c.args(["-n", "--format", "table", "-W", &w]);
    if ["ifstats", "reslist"].contains(&command) {
        c.args(["-k", &keys(), "-a", "1"]);
    }
    c.args(["-c", command, &host])
        .env("TZ", "UTC")
        .env("LC_ALL", "C.UTF-8")
        .env_remove("NO_COLOR")
        .output()
        .expect("run ntpq")
        .into()
}

fn width_of(line: &str) -> usize {
    line.chars().count()
}

/// The narrowest a table can be without cutting a word (the first
/// column whole when `legend`: summary legends never wrap).
fn narrowest(table: &str, legend: bool) -> usize {
    let rows: Vec<Vec<&str>> = table
        .lines()
        .filter(|l| l.starts_with('│'))
        .map(|l| l.trim_matches('│').split('┆').collect())
        .collect();
    let columns = rows.first().map_or(0, Vec::len);
    let mut widest = vec![0; columns];
    for row in &rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            let w = if i == 0 && legend {
                width_of(cell.trim())
            } else {
                cell.split_whitespace().map(width_of).max().unwrap_or(0)
            };
            widest[i] = widest[i].max(w);
        }
    }
    widest.iter().sum::<usize>() + columns + 1
}

/// Runs `command` at every width and checks the table: success, the
/// `whole` texts on one line each, the width kept, no escape sequence.
fn check(command: &str, whole: &[&str], legend: bool) -> Vec<String> {
    let sim = simulator();
    let mut outputs = Vec::new();
    for width in WIDTHS {
        let out = table(&sim, width, command);
        assert_eq!((out.status, out.stderr.as_str()), (0, ""), "{out:?}");
        let text = &out.stdout;
        assert!(text.contains('╭') && text.contains('╯'), "a table:\n{text}");
        assert!(!text.contains('\x1b'), "no colour on a pipe:\n{text:?}");
        for w in whole {
            assert!(
                text.lines().any(|l| l.contains(w)),
                "{command}: {w} not whole at {width}:\n{text}"
            );
        }
        // Each table (sysstats prints two) against its own narrowest.
        let mut tables: Vec<Vec<&str>> = Vec::new();
        for line in text.lines() {
            if line.starts_with('╭') {
                tables.push(Vec::new());
            }
            if "╭│╞╰".contains(line.chars().next().unwrap_or(' ')) {
                if let Some(t) = tables.last_mut() {
                    t.push(line);
                }
            }
        }
        for t in tables {
            let limit = width.max(narrowest(&t.join("\n"), legend));
            for line in t {
                assert!(
                    width_of(line) <= limit,
                    "{command} at {width}: wider than {limit}: {line}\n{text}"
                );
            }
        }
        outputs.push(out.stdout);
    }
    outputs
}

#[test]
fn peers_keep_the_address_and_the_host_name_whole() {
    for command in ["peers", "apeers", "opeers", "rpeers"] {
        let out = check(command, &[V6, LONG_NAME], false);
        // At 200 columns each peer is one line.
        let wide = &out[2];
        assert_eq!(wide.lines().count(), 6, "{wide}");
        assert!(
            wide.lines()
                .any(|l| l.contains(V6) && l.contains("-0.1235")),
            "{wide}"
        );
    }
}

#[test]
fn associations_table() {
    let out = check("associations", &["sys.peer", "candidate"], false);
    assert!(
        out[1].contains("17770") && out[1].contains("961a"),
        "{}",
        out[1]
    );
}

#[test]
fn summary_tables() {
    let out = check("sysinfo", &[V6, "system peer mode", "client"], true);
    // The status line stays text before the table.
    assert!(out[0].starts_with("associd=0 status=0615 "), "{}", out[0]);
    let out = check("sysstats", &["1D 00:00:12", "packets received"], true);
    assert!(out[2].contains("16.0s/p"), "{}", out[2]);
}

#[test]
fn readvar_tables() {
    // The peer's IPv6 address whole, its decoded status in the title.
    let out = check("rv 17770", &[V6, "variable", "srcadr"], true);
    assert!(
        out[0].starts_with("associd=17770 status=961a conf, reach, sel_sys.peer,"),
        "{}",
        out[0]
    );
    // Values cooked as the classic display shows them.
    let out = check(
        "rv 0 leap,rootdelay,peeradr",
        &[&format!("[{V6}]:123")],
        true,
    );
    assert!(out[1].starts_with('╭'), "names given: no title {}", out[1]);
    assert!(out[1].contains("┆ 00 "), "{}", out[1]);
    assert!(out[1].contains("┆ 12.345 "), "{}", out[1]);
    // The filter arrays' tabs (classic) are spaces in a cell.
    let out = check("rv 17770 filtdelay", &["filtdelay"], true);
    assert!(out[2].contains("┆ 1.00 2.00 3.00 "), "{}", out[2]);
    assert!(!out[2].contains('\t'), "{:?}", out[2]);
}

#[test]
fn ifstats_and_reslist_tables() {
    check("ifstats", &[&format!("[{V6}]:123"), "eth0"], false);
    check("reslist", &[&format!("{V6}/64"), "ntpport"], false);
}

#[test]
fn mrulist_table_between_its_text_lines() {
    let out = check("mrulist", &[V6, "192.0.2.10", "remote address"], false);
    let text = &out[1];
    assert!(text.starts_with("Ctrl-C will stop MRU retrieval"), "{text}");
    assert!(text.contains("\n# Collected 2 slots in "), "{text}");
    // Direct mode streams: classic rows, no table.
    let sim = simulator();
    let direct = table(&sim, 80, "mrulist direct");
    assert_eq!(direct.status, 0, "{direct:?}");
    assert!(!direct.stdout.contains('╭'), "{}", direct.stdout);
    assert!(direct.stdout.contains(V6), "{}", direct.stdout);
}

#[test]
fn the_default_stays_classic() {
    let sim = simulator();
    let host = sim.local_addr().to_string();
    let out: RunOutput = Command::new(ntpq_rs())
        .args(["-n", "-c", "peers", &host])
        .env("TZ", "UTC")
        .output()
        .expect("run ntpq")
        .into();
    assert!(out.stdout.starts_with("     remote"), "{}", out.stdout);
    assert!(!out.stdout.contains('╭'), "{}", out.stdout);
}

/// Runs ntpq on a pseudo-terminal (util-linux `script`), NO_COLOR as
/// given; `None` when `script` is missing.
fn on_a_terminal(sim: &Simulator, no_color: Option<&str>) -> Option<String> {
    let host = sim.local_addr().to_string();
    let ntpq = ntpq_rs().display().to_string();
    let line = format!("{ntpq} -n --format table -W 100 -c peers {host}");
    let mut c = Command::new("script");
    c.args(["-qec", &line, "/dev/null"]).env("TZ", "UTC");
    match no_color {
        Some(v) => c.env("NO_COLOR", v),
        None => c.env_remove("NO_COLOR"),
    };
    let out = c.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    let sim = simulator();
    let Some(coloured) = on_a_terminal(&sim, None) else {
        eprintln!("skipped: no util-linux script for a pseudo-terminal");
        return;
    };
    assert!(
        coloured.contains("\x1b["),
        "colour on a terminal: {coloured:?}"
    );
    assert!(coloured.contains(V6), "{coloured}");
    // no-color.org: an empty NO_COLOR is as if unset.
    let empty = on_a_terminal(&sim, Some("")).expect("script ran before");
    assert!(empty.contains("\x1b["), "{empty:?}");
    let plain = on_a_terminal(&sim, Some("1")).expect("script ran before");
    assert!(!plain.contains('\x1b'), "NO_COLOR=1: {plain:?}");
    assert!(plain.contains(V6), "{plain}");
}
