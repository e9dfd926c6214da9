//! `mrulist` when the retrieval cannot finish (issue 12, items 2 and 3):
//! what was collected is printed with the error and the numbers, and the
//! run exits 1, against the simulator on an ephemeral loopback port (no
//! root needed).

use std::process::Command;
use std::time::{Duration, Instant};

use ntpd_sim::{Scenario, Simulator};
use ntpq_conformance::{ntpq_rs, RunOutput};

/// 3000 entries, and the counters a real ntpd reports for such a list.
const LIST: &str = r#"
[system]
variables = ["mru_depth=3000", "mru_maxdepth=3000", "mru_new=3000", "mru_recycleold=0", "mru_recyclefull=0", "clock={ts:now}"]

[mru]
seed = 11
frozen_now = true
[mru.generate]
count = 3000
spacing = 0.5
newest_ago = 3
"#;

/// Generous for a loaded machine; with `timeout 300` a dead server is
/// given up on in about 3 s.
const BOUND: Duration = Duration::from_secs(30);

fn run_mrulist(faults: &str, env: &[(&str, &str)]) -> (RunOutput, Duration) {
    let text = format!("{LIST}\n[faults]\nseed = 5\n{faults}\n");
    let scenario = Scenario::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let sim = Simulator::spawn("127.0.0.1:0".parse().unwrap(), scenario).expect("simulator");
    let host = sim.local_addr().to_string();
    let started = Instant::now();
    let out = Command::new(ntpq_rs())
        .args(["-n", "-c", "timeout 300", "-c", "mrulist", &host])
        .envs(env.iter().copied())
        .env("TZ", "UTC")
        .output()
        .expect("run ntpq");
    (out.into(), started.elapsed())
}

/// The table rows of an output (lines after the `====` rule, before `#`).
fn rows(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .skip_while(|l| !l.starts_with("===="))
        .skip(1)
        .take_while(|l| !l.starts_with('#'))
        .collect()
}

#[test]
fn a_server_that_dies_part_way_leaves_the_partial_list() {
    // Three MRU replies are answered, then nothing.
    let (out, took) = run_mrulist("opcodes = [10]\nsilence_after = 3", &[]);
    assert!(took < BOUND, "took {took:?}");
    assert_eq!(out.status, 1, "stderr: {}", out.stderr);
    assert!(
        out.stderr.contains("***Request timed out"),
        "stderr: {}",
        out.stderr
    );
    let got = rows(&out.stdout);
    assert!(
        !got.is_empty() && got.len() < 3000,
        "{} rows\n{}",
        got.len(),
        out.stdout
    );
    let note = format!(
        "mrulist retrieval failed after {} entries of 3000 the server held.\nDisplaying partial client list.\n",
        got.len()
    );
    assert!(out.stdout.contains(&note), "stdout: {}", out.stdout);
    // The oldest entries came first: the newest shown is an old one, and
    // every row is a whole row with an address.
    assert!(got.iter().all(|r| r.len() > 60), "{got:?}");
}

#[test]
fn a_list_past_the_entry_limit_stops_with_what_was_read() {
    let (out, took) = run_mrulist("", &[("NTPQ_MRU_MAX_ENTRIES", "1000")]);
    assert!(took < BOUND, "took {took:?}");
    assert_eq!(out.status, 1, "stderr: {}", out.stderr);
    assert!(
        out.stderr.contains("***MRU list goes on past 1000 distinct entries (the server says it keeps at most 3000)"),
        "stderr: {}",
        out.stderr
    );
    let got = rows(&out.stdout);
    assert!(got.len() > 1000 && got.len() < 3000, "{} rows", got.len());
    assert!(out.stdout.contains("mrulist retrieval stopped after"));
}

#[test]
fn the_same_list_completes_without_faults() {
    // The control: both tests above would pass on a list that never
    // completes; this one shows the list does.
    let (out, _) = run_mrulist("", &[]);
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
    assert_eq!(rows(&out.stdout).len(), 3000);
    assert!(!out.stdout.contains("Displaying partial"));
}
