//! A server's text never acts on the operator's terminal (issue 12, item
//! 1): values holding ESC sequences, OSC titles, BEL and CR are shown as
//! `\xHH` by every command, in cooked and raw mode; raw mode keeps only the
//! server's CR line folding. Simulator on an ephemeral loopback port.

use std::process::Command;

use ntpd_sim::Simulator;
use ntpq_conformance::ntpq_rs;
use ntpq_conformance::sim::scenario;

/// Runs our ntpq with `commands` against the hostile scenario.
fn run(commands: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let sim = Simulator::spawn(
        "127.0.0.1:0".parse().unwrap(),
        scenario("hostile-text.toml"),
    )
    .expect("simulator");
    let host = sim.local_addr().to_string();
    let mut args = vec!["-n"];
    for c in commands {
        args.extend(["-c", c]);
    }
    args.push(&host);
    let out = Command::new(ntpq_rs())
        .args(&args)
        .env("TZ", "UTC")
        .output()
        .expect("run ntpq");
    (out.stdout, out.stderr)
}

/// Control characters other than newline and tab (and CR where allowed).
fn controls(bytes: &[u8], allow_cr: bool) -> Vec<u8> {
    bytes
        .iter()
        .copied()
        .filter(|&b| {
            (b < 0x20 && b != b'\n' && b != b'\t' && !(allow_cr && b == b'\r')) || b == 0x7f
        })
        .collect()
}

#[test]
fn cooked_commands_show_control_characters() {
    let (stdout, stderr) = run(&["rv", "peers", "rv 1", "pstats 1", "sysinfo"]);
    assert_eq!(
        controls(&stdout, false),
        b"",
        "{}",
        String::from_utf8_lossy(&stdout)
    );
    assert_eq!(
        controls(&stderr, false),
        b"",
        "{}",
        String::from_utf8_lossy(&stderr)
    );
    let text = String::from_utf8_lossy(&stdout);
    // What was sent is still there to read.
    assert!(
        text.contains("refid=GPS\\x1b[2J\\x1b]0;owned\\x07"),
        "{text}"
    );
    assert!(text.contains(".\\x1b[2JEVIL."), "{text}");
}

#[test]
fn raw_mode_keeps_only_the_line_folding() {
    let (stdout, _) = run(&["raw", "rv", "rv 1"]);
    assert_eq!(
        controls(&stdout, true),
        b"",
        "{}",
        String::from_utf8_lossy(&stdout)
    );
    assert!(String::from_utf8_lossy(&stdout).contains("refid=\\x1b[2JEVIL"));
}
