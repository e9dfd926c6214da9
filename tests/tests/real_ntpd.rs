//! End-to-end tests against a real NTPsec ntpd on 127.0.0.1 (see
//! `ntpq_conformance::ntpd`): our ntpq and the reference ntpq are run with
//! the same arguments and their stdout, stderr and exit status must be
//! identical after masking the values that legitimately change between two
//! queries.
//!
//! To validate the harness itself (reference against reference), run with
//! `NTPQ_RS_BIN=/usr/bin/ntpq`.
//!
//! All invocations use `-n`: no reverse DNS (the resolver is not on
//! loopback, and a lookup would make the output depend on the machine).

use std::time::Duration;

use ntpq_conformance::ntpd::{self, ntpd_binary, Shared, NTPD_ADDR};
use ntpq_conformance::{
    diff_report, have, ntpq_rs, run, shown, Need, RunOutput, REAL_NTPD, REFERENCE_NTPQ,
};

/// Variables whose *values* are replaced by `<masked>` before comparing, and
/// why they can differ between the reference's query and ours (made a few
/// milliseconds apart against the same ntpd). Names and order are kept, so
/// the layout (order, separators, line folding) is still compared.
const MASKED_VARS: &[(&str, &str)] = &[
    // System variables (`rv`).
    (
        "clock",
        "the server's current time: different in every reply",
    ),
    (
        "tc",
        "clock discipline time constant: may change at any clock update",
    ),
    (
        "offset",
        "system offset, and a peer's last offset sample: change with each clock update or sample",
    ),
    (
        "frequency",
        "frequency correction: changes with each clock update",
    ),
    (
        "sys_jitter",
        "system jitter: recomputed at each clock update",
    ),
    (
        "clk_jitter",
        "clock jitter: recomputed at each clock update",
    ),
    (
        "clk_wander",
        "frequency wander: recomputed at each clock update",
    ),
    (
        "rootdisp",
        "root dispersion: recomputed at each clock update and grows with time",
    ),
    // Peer variables (`rv &1`).
    (
        "reftime",
        "time of the last reference clock update: changes when a sample arrives",
    ),
    (
        "rec",
        "receive time of the last sample: changes at every poll",
    ),
    ("xmt", "transmit (poll) time: changes at every poll"),
    (
        "dispersion",
        "peer dispersion: grows with time between samples",
    ),
    (
        "filtdisp",
        "filter dispersions: grow with time and shift at every poll",
    ),
    (
        "filtdelay",
        "the refclock never delivers a sample: ntpd 1.2.2 sends whatever is in \
         its buffer, which changes with the queries a shared ntpd has served",
    ),
    (
        "filtoffset",
        "as filtdelay (how ntpq shows control characters is tested against \
         the simulator)",
    ),
    (
        "unreach",
        "unreachable-poll counter: increments at every unanswered poll",
    ),
];

/// Summary-command rows (by legend) whose value is replaced by `<masked>`,
/// per command, and why they change between two queries a few
/// milliseconds apart. Rows not listed (constant counters, limits, the
/// layout of every line) are still compared; a masked row keeps its
/// legend, so order and presence are compared too.
const MASKED_SUMMARY_ROWS: &[(&str, &str)] = &[
    // sysinfo: clock-discipline values recomputed at each clock update.
    (
        "root dispersion:",
        "sysinfo: grows with time since the last update",
    ),
    ("root distance", "sysinfo: includes the root dispersion"),
    ("system jitter:", "sysinfo: recomputed at each clock update"),
    ("clock jitter:", "sysinfo: recomputed at each clock update"),
    ("clock wander:", "sysinfo: recomputed at each clock update"),
    // kerninfo: the kernel's PLL state, updated by the kernel every second.
    ("pll offset:", "kerninfo: kernel PLL state"),
    ("pll frequency:", "kerninfo: kernel PLL state"),
    ("maximum error:", "kerninfo: grows every second"),
    ("estimated error:", "kerninfo: kernel PLL state"),
    // sysstats, iostats, timerstats, authinfo: uptimes tick every second;
    // ntpq's own requests are counted as packets, control requests, MRU
    // entries and wakeups (with their rates).
    ("uptime:", "sysstats: seconds since start"),
    ("control requests:", "sysstats: counts ntpq's requests"),
    ("sysstats reset:", "sysstats: seconds since reset"),
    ("packets received:", "sysstats: counts ntpq's requests"),
    ("current version:", "sysstats: counts ntpq's requests"),
    ("processed for time:", "sysstats: counts ntpq's requests"),
    (
        "time since reset:",
        "iostats, timerstats, authinfo: seconds since reset",
    ),
    ("received packets:", "iostats: counts ntpq's requests"),
    ("packets sent:", "iostats: counts ntpd's replies"),
    ("input wakeups:", "iostats: one per received packet"),
    ("useful input wakeups:", "iostats: one per received packet"),
    (
        "free receive buffers:",
        "iostats: buffers in use while a request is handled",
    ),
    (
        "used receive buffers:",
        "iostats: buffers in use while a request is handled",
    ),
    (
        "calls to transmit:",
        "timerstats: the reference clock is polled",
    ),
    // monstats: ntpq's own requests create and touch MRU entries.
    (
        "hash slots in use:",
        "monstats: MRU entries of ntpq's requests",
    ),
    (
        "addresses in use:",
        "monstats: MRU entries of ntpq's requests",
    ),
    (
        "peak addresses:",
        "monstats: MRU entries of ntpq's requests",
    ),
    ("kilobytes:", "monstats: MRU memory"),
    (
        "alloc: exists:",
        "monstats: one per request from a known address",
    ),
    ("alloc: new:", "monstats: one per new client port"),
    (
        "age of oldest slot:",
        "monstats: seconds since the oldest entry",
    ),
    // pstats &1: the reference clock's poll timers.
    ("time last received:", "pstats: seconds since the last poll"),
    (
        "time until next send:",
        "pstats: counts down to the next poll",
    ),
    (
        "reachability change:",
        "pstats: seconds since the last reach change",
    ),
];

/// `legend <masked>` for a summary row listed in [`MASKED_SUMMARY_ROWS`].
fn mask_summary_row(line: &str) -> Option<String> {
    MASKED_SUMMARY_ROWS
        .iter()
        .find(|(legend, _)| line.starts_with(legend))
        .map(|(legend, _)| format!("{legend} <masked>"))
}

/// Masks the variable values named in [`MASKED_VARS`] in cooked readvar
/// output, the rows of [`MASKED_SUMMARY_ROWS`], and the `when` column of
/// peers tables.
fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_peers_table = false;
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        if body.starts_with("=====") {
            in_peers_table = true;
            out.push_str(line);
            continue;
        }
        if body.trim_start().starts_with("remote ") || body.starts_with("ind ") {
            in_peers_table = false;
        }
        let masked = if in_peers_table && looks_like_peer_row(body) {
            mask_when_column(body)
        } else if let Some(row) = mask_summary_row(body) {
            row
        } else {
            mask_vars(body)
        };
        out.push_str(&masked);
        out.push_str(nl);
    }
    out
}

/// True for a peers-table row (not a cooked variable line, not a wrapped
/// remote name in `-w` mode): at least 10 whitespace-separated fields.
fn looks_like_peer_row(line: &str) -> bool {
    !line.contains('=') && line.split_whitespace().count() >= 10
}

/// Replaces the `when` column (the 5th field: remote, refid, st, t, when)
/// together with its leading padding by ` <masked>`: it counts seconds since
/// the last packet and changes between two queries.
fn mask_when_column(line: &str) -> String {
    let mut fields = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                fields.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        fields.push((s, line.len()));
    }
    if fields.len() < 10 {
        return line.to_string();
    }
    let (prev_end, when_end) = (fields[3].1, fields[4].1);
    format!("{} <masked>{}", &line[..prev_end], &line[when_end..])
}

/// Replaces the value of every `name=` (or array-style `name =`) item named
/// in [`MASKED_VARS`] by `<masked>`. An item starts at the beginning of the
/// line or after a space; its value ends at the next `", "`, at a `,` that
/// ends the line, or at the end of the line.
fn mask_vars(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    let mut at_boundary = true;
    while !rest.is_empty() {
        if at_boundary {
            if let Some(after) = masked_name_prefix(rest) {
                out.push_str(&rest[..rest.len() - after.len()]);
                out.push_str("<masked>");
                let end = after
                    .find(", ")
                    .unwrap_or_else(|| after.strip_suffix(',').map_or(after.len(), str::len));
                rest = &after[end..];
                at_boundary = false;
                continue;
            }
        }
        let c = rest.chars().next().expect("non-empty");
        out.push(c);
        at_boundary = c == ' ';
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// If `s` starts with a masked variable's `name=` or ` name =` (leading
/// spaces of right-aligned array names are already consumed), returns the
/// text after the `=`.
fn masked_name_prefix(s: &str) -> Option<&str> {
    MASKED_VARS.iter().find_map(|(name, _)| {
        let after = s.strip_prefix(name)?;
        after.strip_prefix('=').or_else(|| after.strip_prefix(" ="))
    })
}

fn masked(o: RunOutput) -> RunOutput {
    RunOutput {
        stdout: mask(&shown(&o.stdout)),
        stderr: mask(&shown(&o.stderr)),
        status: o.status,
    }
}

/// The ntpd every test of this file reads from (none changes it), started
/// at first use and stopped when the tests are done. None (the test is
/// skipped) without root or ntpsec outside CI.
fn real_ntpd() -> Option<Shared<()>> {
    if !have(&[Need::ReferenceNtpq, Need::Root, Need::RealNtpd]) {
        return None;
    }
    ntpd::shared("", |_| ())
}

/// Runs the reference, ours and the reference again with `args` followed
/// by 127.0.0.1 against the shared ntpd; ours must equal (after masking)
/// one of the two reference runs, so that an event (status word counter,
/// last event) or a poll that happens between queries does not make the
/// test flaky. Up to three rounds. The reference must answer with `stderr`
/// on stderr (normally nothing).
fn compare(args: &[&str]) {
    compare_full(args, "", Duration::ZERO)
}

/// [`compare`], once ntpd has been up for at least `warmup`.
fn compare_full(args: &[&str], stderr: &str, warmup: Duration) {
    let Some(ntpd) = real_ntpd() else {
        return;
    };
    std::thread::sleep(warmup.saturating_sub(ntpd.uptime()));
    let ours = ntpq_rs();
    let reference = std::path::Path::new(REFERENCE_NTPQ);
    let mut full: Vec<&str> = args.to_vec();
    full.push(NTPD_ADDR);
    let label = format!("ntpq {}", full.join(" "));

    let mut last = None;
    for _round in 0..3 {
        let before = masked(run(reference, &full, ""));
        // NTPsec 1.2.3 lacks some variables 1.2.2 has (rbuf_lowater): both
        // clients then fall back to one variable at a time.
        let fallback = ntpd_binary() != REAL_NTPD
            && before.stderr == "Unknown variable.  Trying one at a time.\n";
        assert!(
            before.status == 0
                && (before.stderr == stderr || fallback)
                && !before.stdout.is_empty(),
            "{label}: the reference got no proper answer from the real ntpd (harness problem):\n\
             {before:?}\n--- ntpd log:\n{}",
            ntpd.log()
        );
        eprintln!("{label}: reference output, masked:\n{}", before.stdout);
        let got = masked(run(&ours, &full, ""));
        if got == before {
            return;
        }
        let after = masked(run(reference, &full, ""));
        if got == after {
            return;
        }
        last = Some((after, got));
    }
    let (want, got) = last.expect("three rounds ran");
    panic!("{}", diff_report(&label, &want, &got));
}

#[test]
fn fixture_answers_mode6() {
    let Some(_ntpd) = real_ntpd() else {
        return;
    };
    let out = run(
        std::path::Path::new(REFERENCE_NTPQ),
        &["-n", "-c", "rv 0 version", NTPD_ADDR],
        "",
    );
    // `ntpd --version` prints `ntpd ntpsec-1.2.2` (or 1.2.3 with NTPD_BIN).
    let version = std::process::Command::new(ntpd_binary())
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    assert!(version.starts_with("ntpd ntpsec-1.2."), "{version}");
    assert_eq!(out.stdout, format!("version=\"{version}\"\n"), "{out:?}");
    assert_eq!((out.stderr.as_str(), out.status), ("", 0), "{out:?}");
}

#[test]
fn peers() {
    compare(&["-n", "-p"]);
}

#[test]
fn peers_numeric_combined_flags() {
    compare(&["-pn"]);
}

#[test]
fn readvar_system() {
    compare(&["-n", "-c", "rv"]);
}

#[test]
fn readvar_named() {
    compare(&["-n", "-c", "rv 0 offset,stratum"]);
}

#[test]
fn associations() {
    compare(&["-n", "-c", "as"]);
}

#[test]
fn readvar_first_association() {
    compare(&["-n", "-c", "rv &1"]);
}

#[test]
fn multiple_commands() {
    compare(&["-n", "-c", "rv", "-c", "as"]);
}

// Summary commands (masked rows: MASKED_SUMMARY_ROWS).

#[test]
fn summary_sysinfo() {
    compare(&["-n", "-c", "sysinfo"]);
}

#[test]
fn summary_sysinfo_units() {
    compare(&["-n", "-u", "-c", "sysinfo"]);
}

/// While ntpd's uptime rounds to 0 s, the reference divides by zero
/// computing packet rates (traceback); let a few seconds pass first.
const UPTIME_WARMUP: Duration = Duration::from_secs(3);

#[test]
fn summary_sysstats() {
    compare_full(&["-n", "-c", "sysstats"], "", UPTIME_WARMUP);
}

#[test]
fn summary_kerninfo() {
    compare(&["-n", "-c", "kerninfo"]);
}

#[test]
fn summary_monstats() {
    compare(&["-n", "-c", "monstats"]);
}

#[test]
fn summary_iostats() {
    compare_full(&["-n", "-c", "iostats"], "", UPTIME_WARMUP);
}

#[test]
fn summary_timerstats() {
    compare(&["-n", "-c", "timerstats"]);
}

/// ntpd 1.2.2 lacks the last two names: the fallback message, `?` values.
#[test]
fn summary_authinfo() {
    compare_full(
        &["-n", "-c", "authinfo"],
        "Unknown variable.  Trying one at a time.\n",
        UPTIME_WARMUP,
    );
}

#[test]
fn summary_ntsinfo_and_pstats() {
    compare(&["-n", "-c", "ntsinfo", "-c", "pstats &1"]);
}

#[test]
fn masking_keeps_layout() {
    let text = "associd=0 status=c016 leap_alarm, sync_unspec, 1 event, restart,\n\
                tc=0, peer=0, offset=0.0,\n\
                clock=eeb27546.d15d703e 2026-11-26T09:07:18.817Z, processor=\"x86_64\"\n\
                \x20 filtdisp =0.00\t16000.00,\n\
                filtoffset =0.00\t0.00\n";
    let want = "associd=0 status=c016 leap_alarm, sync_unspec, 1 event, restart,\n\
                tc=<masked>, peer=0, offset=<masked>,\n\
                clock=<masked>, processor=\"x86_64\"\n\
                \x20 filtdisp =<masked>,\n\
                filtoffset =<masked>\n";
    assert_eq!(mask(text), want);

    let peers = "     remote           refid      st t when poll reach   delay   offset   jitter\n\
                 ===============================================================================\n\
                 \x20SHM(0)          .SHM.            0 l    -   64    0   0.0000   0.0000   0.0001\n\
                 *127.0.0.2       .GPS.            1 u   12   64  377   0.1000   0.2000   0.0300\n";
    let want = "     remote           refid      st t when poll reach   delay   offset   jitter\n\
                ===============================================================================\n\
                \x20SHM(0)          .SHM.            0 l <masked>   64    0   0.0000   0.0000   0.0001\n\
                *127.0.0.2       .GPS.            1 u <masked>   64  377   0.1000   0.2000   0.0300\n";
    assert_eq!(mask(peers), want);

    let summary = "uptime:                     00:00:04\n\
                   packets received:                  5             5        1.0p/s        1.0p/s\n\
                   older version:                     0             0                            \n";
    let want = "uptime: <masked>\n\
                packets received: <masked>\n\
                older version:                     0             0                            \n";
    assert_eq!(mask(summary), want);
}
