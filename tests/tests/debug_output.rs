//! `-d` / `-D N` debug output against NTPsec ntpq 1.2.2 on the same
//! simulated server. The spec does not make it contractual, but operators
//! compare it; lines differ only in their time stamps, which are masked.

use ntpq_conformance::sim::{loopback, start_on_123};
use ntpq_conformance::{diff_report, have, ntpq_rs, run, Need, RunOutput, REFERENCE_NTPQ};

const SUITE: u8 = 67;

/// Drops the RFC 3339 stamp that starts a line and the `At <asctime>,`
/// of the socket-level lines.
fn mask(text: &str) -> String {
    text.lines()
        .map(|l| {
            let l = match l.split_once(' ') {
                Some((first, rest))
                    if first.len() > 20 && first.ends_with('Z') && first.starts_with("20") =>
                {
                    rest
                }
                _ => l,
            };
            match (l.strip_prefix("At "), l.find(", ")) {
                (Some(_), Some(i)) => format!("At <time>{}", &l[i..]),
                _ => l.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn debug_levels_match_the_reference() {
    if !have(&[Need::ReferenceNtpq, Need::Port123]) {
        return;
    }
    let ip = loopback(SUITE, 1);
    let Some(_sim) = start_on_123(ip, "synced.toml") else {
        return;
    };
    let host = ip.to_string();
    let mut failures = Vec::new();
    for level in ["-d", "-D2", "-D3", "-D4", "-D5"] {
        let args = [
            level,
            "-n",
            "-c",
            "rv 0 stratum",
            "-c",
            "rv &1",
            "-c",
            "as",
            host.as_str(),
        ];
        let reference = run(std::path::Path::new(REFERENCE_NTPQ), &args, "");
        let ours = run(&ntpq_rs(), &args, "");
        let norm = |o: &RunOutput| RunOutput {
            stdout: o.stdout.clone(),
            stderr: mask(&o.stderr),
            status: o.status,
        };
        let (r, o) = (norm(&reference), norm(&ours));
        assert!(
            r.stderr.contains("sendrequest"),
            "the reference printed debug output at {level}"
        );
        if r != o {
            failures.push(diff_report(level, &r, &o));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn mask_keeps_what_matters() {
    assert_eq!(
        mask("2026-11-26T10:48:46.7155702Z Fragment collection begins"),
        "Fragment collection begins"
    );
    assert_eq!(
        mask("At Thu Nov 26 10:48:46 2026, socket read begins"),
        "At <time>, socket read begins"
    );
    assert_eq!(mask("sendrequest: opcode=1"), "sendrequest: opcode=1");
}
