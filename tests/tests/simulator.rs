//! The reference ntpq against the simulator's fault scenarios: the point is
//! that the simulator's faults are realistic enough to exercise a client and
//! that nothing hangs, not byte-exact output (see differential.rs for that).

use std::io::Read;
use std::net::{SocketAddr, UdpSocket};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ntp_control::header::{encode_request, Opcode};
use ntpd_sim::{Scenario, Simulator};
use ntpq_conformance::sim::{loopback, serve_on_123, start_on_123};
use ntpq_conformance::{have, Need, RunOutput, REFERENCE_NTPQ};

/// Suite id in the loopback address (127.<SUITE>.x.y).
const SUITE: u8 = 62;

/// Runs the reference with a deadline; `None` if it had to be killed.
fn run_with_deadline(args: &[&str], deadline: Duration) -> Option<RunOutput> {
    let mut child = Command::new(REFERENCE_NTPQ)
        .args(args)
        .env("LC_ALL", "C.UTF-8")
        .env("TZ", "UTC")
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run reference ntpq");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut stdout = String::new();
            let mut stderr = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut stdout)
                .unwrap();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            return Some(RunOutput {
                stdout,
                stderr,
                status: status.code().unwrap_or(-1),
            });
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn simulator_serves_udp_on_an_ephemeral_port() {
    let scenario = Scenario::load(ntpq_conformance::sim::scenario_path("synced.toml")).unwrap();
    let sim = Simulator::spawn("127.0.0.1:0".parse().unwrap(), scenario).unwrap();
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    sock.send_to(
        &encode_request(Opcode::ReadVar, 1, 0, b"stratum"),
        sim.local_addr(),
    )
    .unwrap();
    let mut buf = [0u8; 600];
    let (n, from) = sock.recv_from(&mut buf).unwrap();
    assert_eq!(from, sim.local_addr());
    assert_eq!(&buf[12..n], b"stratum=2\r\n\0");
    assert!(Simulator::spawn(
        "192.0.2.1:0".parse::<SocketAddr>().unwrap(),
        Scenario::default()
    )
    .is_err());
    drop(sim);
}

#[test]
fn reordered_fragments_do_not_hang_the_reference() {
    if !have(&[Need::ReferenceNtpq, Need::Port123]) {
        return;
    }
    let ip = loopback(SUITE, 1);
    let Some(_sim) = start_on_123(ip, "faults_reorder.toml") else {
        return;
    };
    let host = ip.to_string();
    // Single-fragment replies are unaffected.
    let out = run_with_deadline(
        &["-n", "-c", "rv 0 stratum", &host],
        Duration::from_secs(30),
    )
    .expect("no hang");
    assert!(out.stdout.ends_with("stratum=2\n"), "{out:?}");
    // A multi-fragment reply arrives last fragment first: 1.2.2 mishandles
    // that (protocol.md §4.3) but must come back. (mrulist is not tried: the
    // reference re-sends an incomplete MRU request forever, mrulist.md §3.2.)
    let out = run_with_deadline(
        &["-n", "-c", "timeout 300", "-c", "rv", &host],
        Duration::from_secs(30),
    );
    assert!(out.is_some(), "reference hung on reordered fragments");
}

#[test]
fn silent_server_times_out() {
    if !have(&[Need::ReferenceNtpq, Need::Port123]) {
        return;
    }
    let ip = loopback(SUITE, 2);
    let Some(_sim) = start_on_123(ip, "faults_silent.toml") else {
        return;
    };
    let out = run_with_deadline(
        &["-n", "-c", "timeout 200", "-c", "rv", &ip.to_string()],
        Duration::from_secs(30),
    )
    .expect("no hang");
    // `timeout` itself prints the new setting.
    assert_eq!(out.stdout, "primary timeout 200 ms\n");
    assert_eq!(out.stderr, "***Request timed out\n\n");
}

#[test]
fn fixed_error_codes_reach_the_client() {
    if !have(&[Need::ReferenceNtpq, Need::Port123]) {
        return;
    }
    let ip = loopback(SUITE, 3);
    let Some(_sim) = start_on_123(ip, "faults_errors.toml") else {
        return;
    };
    let out = run_with_deadline(
        &[
            "-n",
            "-c",
            "rv 0 stratum",
            "-c",
            "rv &1",
            "-c",
            "cv 1",
            &ip.to_string(),
        ],
        Duration::from_secs(30),
    )
    .expect("no hang");
    assert_eq!(out.stdout, "stratum=2\n");
    assert_eq!(
        out.stderr,
        "***Server error code RESTRICT\n***Server error code BADOP\n"
    );
}

#[test]
fn lossy_and_duplicating_server_terminates() {
    if !have(&[Need::ReferenceNtpq, Need::Port123]) {
        return;
    }
    let ip = loopback(SUITE, 4);
    let toml = "[system]\nvariables = [\"stratum=2\"]\n[mru.generate]\ncount = 300\n[faults]\nseed = 7\ndrop = 0.3\nduplicate = 0.3\n";
    let Some(_sim) = serve_on_123(ip, Scenario::from_toml_str(toml).unwrap()) else {
        return;
    };
    let host = ip.to_string();
    let out = run_with_deadline(
        &["-n", "-c", "timeout 300", "-c", "rv 0 stratum", &host],
        Duration::from_secs(30),
    );
    assert!(out.is_some());
}

#[test]
fn malformed_replies_are_rejected_without_hanging() {
    if !have(&[Need::ReferenceNtpq, Need::Port123]) {
        return;
    }
    for (k, kind) in ["truncate", "wrong_sequence", "bad_count", "short_data"]
        .iter()
        .enumerate()
    {
        let ip = loopback(SUITE, 10 + k);
        let toml =
            format!("[system]\nvariables = [\"stratum=2\"]\n[faults]\nmalformed = \"{kind}\"\n");
        let Some(_sim) = serve_on_123(ip, Scenario::from_toml_str(&toml).unwrap()) else {
            return;
        };
        let out = run_with_deadline(
            &["-n", "-c", "timeout 200", "-c", "rv", &ip.to_string()],
            Duration::from_secs(30),
        )
        .unwrap_or_else(|| panic!("{kind}: reference hung"));
        assert!(
            !out.stderr.is_empty() || out.stdout.is_empty(),
            "{kind}: {out:?}"
        );
    }
}
