//! Write errors (issue 12, item 5): a closed pipe on stdout ends the run
//! quietly (exit 1, nothing on stderr); a full device on stdout or on the
//! `-l` log file gives one line on stderr naming what failed, and exit 1.
//! Simulator on an ephemeral loopback port; /dev/full is the full device.

use std::fs::OpenOptions;
use std::path::Path;
use std::process::{Command, Stdio};

use ntpd_sim::Simulator;
use ntpq_conformance::ntpq_rs;
use ntpq_conformance::sim::scenario;

const DISK_FULL_ON_STDOUT: &str =
    "ntpq: cannot write to standard output: No space left on device\n";
const DISK_FULL_ON_LOG: &str =
    "ntpq: cannot write to log file /dev/full: No space left on device\n";

fn simulator() -> Simulator {
    Simulator::spawn("127.0.0.1:0".parse().unwrap(), scenario("synced.toml")).expect("simulator")
}

/// Runs our ntpq with `args`, stdout going to `stdout`.
fn run(args: &[&str], stdout: Stdio) -> (String, String, i32) {
    let out = Command::new(ntpq_rs())
        .args(args)
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .expect("run ntpq");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn dev_full() -> Option<Stdio> {
    if !Path::new("/dev/full").exists() {
        eprintln!("SKIP: /dev/full is missing");
        return None;
    }
    let f = OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    Some(Stdio::from(f))
}

#[test]
fn a_full_device_on_stdout_is_said_once_and_fails_the_run() {
    let Some(full) = dev_full() else { return };
    let sim = simulator();
    let host = sim.local_addr().to_string();
    let (_, stderr, status) = run(&["-n", "-c", "rv", "-c", "peers", &host], full);
    assert_eq!(stderr, DISK_FULL_ON_STDOUT);
    assert_eq!(status, 1);
}

#[test]
fn the_version_on_a_full_device_is_said_too() {
    let Some(full) = dev_full() else { return };
    let (_, stderr, status) = run(&["-V"], full);
    assert_eq!(stderr, DISK_FULL_ON_STDOUT);
    assert_eq!(status, 1);
}

#[test]
fn a_log_file_on_a_full_device_is_said_once_and_fails_the_run() {
    if dev_full().is_none() {
        return;
    }
    let sim = simulator();
    let host = sim.local_addr().to_string();
    // -d writes debug lines to the log: several, so "once" is tested.
    let (stdout, stderr, status) = run(
        &[
            "-d",
            "-l",
            "/dev/full",
            "-n",
            "-c",
            "rv",
            "-c",
            "rv 0 stratum",
            &host,
        ],
        Stdio::piped(),
    );
    // -d also prints a few lines of its own on stderr (as 1.2.2 does).
    let said: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("cannot write"))
        .collect();
    assert_eq!(said, [DISK_FULL_ON_LOG.trim_end()], "{stderr}");
    assert_eq!(status, 1);
    // The commands' results still reach stdout.
    assert!(stdout.contains("stratum=2"), "{stdout}");
    assert!(
        stdout.lines().last().unwrap_or("").contains("stratum=2"),
        "{stdout}"
    );
}

#[test]
fn a_log_file_that_works_keeps_the_run_clean() {
    let sim = simulator();
    let host = sim.local_addr().to_string();
    let log = std::env::temp_dir().join(format!("ntpq-rs-write-errors-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let log_name = log.to_str().expect("utf-8 temp path");
    let (_, stderr, status) = run(
        &["-d", "-l", log_name, "-n", "-c", "rv", &host],
        Stdio::piped(),
    );
    let written = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    assert_eq!(stderr, "");
    assert_eq!(status, 0);
    assert!(!written.is_empty(), "the debug lines went to the log");
}

#[test]
fn a_closed_pipe_on_stdout_stays_quiet() {
    let sim = simulator();
    let host = sim.local_addr().to_string();
    // More output than a pipe buffers (about 200 KB): a process another
    // test forks at the same moment may hold the pipe's read end for a
    // while; once it is gone, writes fail.
    let mut args = vec!["-n"];
    for _ in 0..300 {
        args.extend(["-c", "rv"]);
    }
    args.push(&host);
    let mut child = Command::new(ntpq_rs())
        .args(&args)
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ntpq");
    // The reader goes away before ntpq has anything to write (its first
    // output needs a reply from the server).
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for ntpq");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(1));
}
