//! The fault matrix (issue 12, item 9; the table is docs/fault-matrix.md):
//! every command class against a simulated server with loss, duplication
//! and reordering at 1 %, 5 % and 20 %, with corrupted replies, and with
//! total loss. Each run is compared with a clean run against a server in
//! the same state (same scenario, same start time):
//!
//! * `Clean`: the output is byte for byte the clean run's, exit 0;
//! * `CleanOrError`: that, or exit 1 with a message on stderr and no
//!   stdout line the clean run does not have (never wrong data);
//! * `TimesOut`: exit 1, `***Request timed out`, within the timeout budget.
//!
//! End to end (the binary, UDP on ephemeral loopback ports, no root). All
//! cases run at once, one thread each: most of their time is spent waiting
//! for timeouts. Time bounds are generous for a loaded 2-core machine.

use std::collections::HashSet;
use std::net::UdpSocket;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use ntpd_sim::{Scenario, ServerState};
use ntpq_conformance::sim::scenario_path;
use ntpq_conformance::{ntpq_rs, RunOutput};

/// 10,000 MRU entries with exact `lstint` values (`frozen_now`).
const MRU_10K: &str = r#"
[system]
variables = ["mru_depth=10000", "mru_maxdepth=10922", "mru_new=10000", "mru_recycleold=0", "mru_recyclefull=0", "clock={ts:start}"]

[mru]
seed = 3
frozen_now = true
[mru.generate]
count = 10000
spacing = 0.25
newest_ago = 3
ipv6_every = 9
"#;

/// What a faulted run must give.
#[derive(Clone, Copy, Debug)]
enum Expect {
    Clean,
    CleanOrError,
    TimesOut,
}

struct Case {
    /// The commands (`-c`), one ntpq run.
    commands: &'static [&'static str],
    /// `synced.toml` or the 10k MRU list.
    mru: bool,
    /// The `[faults]` section (seeded).
    faults: &'static str,
    expect: Expect,
    /// Wall time the faulted run may take.
    bound: Duration,
}

const SUMMARIES: &[&str] = &[
    "sysinfo",
    "sysstats",
    "iostats",
    "kerninfo",
    "monstats",
    "authinfo",
    "pstats 17770",
];

const LOSS_1: &str = "drop = 0.01\nduplicate = 0.01\nreorder = \"swap\"";
const LOSS_5: &str = "drop = 0.05\nduplicate = 0.05\nreorder = \"rotate\"";
const LOSS_20: &str = "drop = 0.2\nduplicate = 0.2\nreorder = \"reverse\"";

fn cases() -> Vec<Case> {
    let small = Duration::from_secs(60);
    let mrulist = Duration::from_secs(150);
    let mut v = Vec::new();
    let classes: [(&'static [&'static str], bool); 4] = [
        (&["rv"], false),
        (&["peers"], false),
        (SUMMARIES, false),
        (&["mrulist"], true),
    ];
    for (commands, mru) in classes {
        let bound = if mru { mrulist } else { small };
        for (faults, expect) in [
            (LOSS_1, Expect::Clean),
            (LOSS_5, Expect::Clean),
            // At 20 % a reply may be lost twice: a timeout is allowed for
            // single exchanges; mrulist re-asks and must finish.
            (
                LOSS_20,
                if mru {
                    Expect::Clean
                } else {
                    Expect::CleanOrError
                },
            ),
        ] {
            v.push(Case {
                commands,
                mru,
                faults,
                expect,
                bound,
            });
        }
    }
    // Corrupted replies: dropped or reported, never shown as data.
    for malformed in ["truncate", "short_data", "wrong_sequence", "bad_count"] {
        let faults: &'static str = Box::leak(
            format!("malformed = \"{malformed}\"\nmalformed_fraction = 0.05").into_boxed_str(),
        );
        for (commands, mru) in [(&["rv", "peers"][..], false), (&["mrulist"][..], true)] {
            v.push(Case {
                commands,
                mru,
                faults,
                expect: Expect::CleanOrError,
                bound: if mru { mrulist } else { small },
            });
        }
    }
    // Total loss: fails within two attempts of the default 5 s timeout.
    for (commands, mru) in [
        (&["rv"][..], false),
        (&["peers"][..], false),
        (&["mrulist"][..], true),
    ] {
        v.push(Case {
            commands,
            mru,
            faults: "drop = 1.0",
            expect: Expect::TimesOut,
            bound: Duration::from_secs(25),
        });
    }
    v
}

/// A simulator on an ephemeral loopback port whose state starts at `start`
/// (so a clean and a faulted server show the same times).
struct Server {
    addr: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(scenario: Scenario, start: SystemTime) -> Server {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("read timeout");
        let addr = socket.local_addr().expect("local address").to_string();
        let state = Mutex::new(ServerState::new(scenario, start));
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || ntpd_sim::net::serve(&socket, &state, &flag));
        Server {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn scenario_text(mru: bool) -> String {
    if mru {
        MRU_10K.to_string()
    } else {
        let path = scenario_path("synced.toml");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

fn ntpq(host: &str, commands: &[&str]) -> (RunOutput, Duration) {
    let mut args = vec!["-n"];
    for c in commands {
        args.extend(["-c", c]);
    }
    args.push(host);
    let started = Instant::now();
    let out = Command::new(ntpq_rs())
        .args(&args)
        .env("TZ", "UTC")
        .env_remove("COLUMNS")
        .output()
        .expect("run ntpq");
    (out.into(), started.elapsed())
}

/// How long the faulted run took and the distinct starts of its stderr
/// lines, or what was wrong.
type CaseResult = Result<(Duration, Vec<String>), String>;

/// Runs one case; `Err` says what was wrong.
fn run_case(n: usize, case: &Case) -> CaseResult {
    let text = scenario_text(case.mru);
    let faulted_text = format!("{text}\n[faults]\nseed = {}\n{}\n", 1000 + n, case.faults);
    let clean = Scenario::from_toml_str(&text).map_err(|e| e.to_string())?;
    let faulted = Scenario::from_toml_str(&faulted_text).map_err(|e| e.to_string())?;
    let start = SystemTime::now();
    let clean_server = Server::start(clean, start);
    let faulted_server = Server::start(faulted, start);

    let (got, took) = ntpq(&faulted_server.addr, case.commands);
    let (want, _) = ntpq(&clean_server.addr, case.commands);
    if want.status != 0 {
        return Err(format!("the clean run failed: {want:?}"));
    }
    if took > case.bound {
        return Err(format!("took {took:?}, bound {:?}", case.bound));
    }
    let same = got.status == want.status
        && stable_lines(&got.stdout) == stable_lines(&want.stdout)
        && unexplained_warnings(&got, &want).is_empty();
    let ok = match case.expect {
        Expect::Clean => same,
        Expect::CleanOrError => same || clear_error(&got, &want),
        Expect::TimesOut => {
            got.status == 1
                && got.stderr.contains("***Request timed out")
                && clear_error(&got, &want)
        }
    };
    if ok {
        let mut warned: Vec<String> = got
            .stderr
            .lines()
            .map(|l| l.chars().take(40).collect())
            .collect();
        warned.sort();
        warned.dedup();
        Ok((took, warned))
    } else {
        Err(format!(
            "expected {:?}, got exit {} in {took:?}; {}\n--- unexplained stderr: {:?}\n--- stdout lines not in the clean run:\n{}",
            case.expect,
            got.status,
            first_difference(&got.stdout, &want.stdout),
            unexplained_warnings(&got, &want),
            foreign_lines(&got, &want).join("\n")
        ))
    }
}

/// Exit 1, something on stderr that is not a crash, and only lines the
/// clean run also printed.
fn clear_error(got: &RunOutput, want: &RunOutput) -> bool {
    got.status == 1
        && !got.stderr.trim().is_empty()
        && !got.stderr.contains("panicked")
        && foreign_lines(got, want).is_empty()
}

fn foreign_lines<'a>(got: &'a RunOutput, want: &RunOutput) -> Vec<&'a str> {
    let known: HashSet<&str> = stable_lines(&want.stdout).into_iter().collect();
    stable_lines(&got.stdout)
        .into_iter()
        .filter(|l| !known.contains(l))
        .collect()
}

fn first_difference(got: &str, want: &str) -> String {
    let (g, w) = (stable_lines(got), stable_lines(want));
    let at = g
        .iter()
        .zip(&w)
        .position(|(a, b)| a != b)
        .unwrap_or(g.len().min(w.len()));
    format!(
        "{} stdout lines, clean {}; first difference at line {at}: {:?} vs clean {:?}",
        g.len(),
        w.len(),
        g.get(at),
        w.get(at)
    )
}

/// stdout without mrulist's own timing lines (`# Collected 10000 slots in
/// 0.717 seconds`, `# Used 52 megabytes of memory`).
fn stable_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| {
            !(l.starts_with("# ") && (l.ends_with(" seconds") || l.ends_with(" of memory")))
        })
        .collect()
}

/// Warnings about a datagram that was damaged and set aside (a duplicated
/// fragment, a count beyond the data, data not padded, a runt): the
/// exchange went on without it.
const KNOWN_WARNINGS: &[&str] = &[
    "duplicate ",
    "Response fragment claims ",
    "Response fragment not padded",
    "Discarding a ",
];

/// stderr lines of `got` that the clean run did not print and that are
/// not one of the [`KNOWN_WARNINGS`].
fn unexplained_warnings<'a>(got: &'a RunOutput, want: &RunOutput) -> Vec<&'a str> {
    let known: HashSet<&str> = want.stderr.lines().collect();
    got.stderr
        .lines()
        .filter(|l| !known.contains(l) && !KNOWN_WARNINGS.iter().any(|w| l.starts_with(w)))
        .collect()
}

#[test]
fn every_command_gives_the_clean_result_or_a_clear_error_under_faults() {
    let cases = cases();
    let results: Vec<(usize, CaseResult)> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .iter()
            .enumerate()
            .map(|(n, case)| s.spawn(move || (n, run_case(n, case))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("case thread"))
            .collect()
    });
    let mut failures = Vec::new();
    for (n, result) in results {
        let case = &cases[n];
        let label = format!("{:?} [{}]", case.commands, case.faults.replace('\n', ", "));
        match result {
            Ok((took, warned)) => eprintln!("ok   {label}: {took:.1?} {warned:?}"),
            Err(why) => failures.push(format!("FAIL {label}: {why}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
