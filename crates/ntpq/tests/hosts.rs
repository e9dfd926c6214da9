//! Several hosts on the command line are queried at once and printed in
//! argument order, as a one-by-one run prints them; errors name the host
//! and the address tried. Simulators on 127.0.0.1, ephemeral ports.

use std::net::SocketAddr;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use ntpd_sim::{Scenario, Simulator};

const GOOD: &str = r#"
[system]
status = 0x0615
variables = ["leap=0", "stratum=2", "precision=-24", "refid=192.0.2.1"]

[[peer]]
associd = 11
status = 0x961a
variables = ["srcadr=192.0.2.10", "srcport=123", "stratum=1", "reach=0xff"]
"#;

const SILENT: &str = r#"
[system]
status = 0x0615
variables = ["leap=0", "stratum=3"]

[faults]
silence = true
"#;

fn spawn(toml: &str) -> Simulator {
    let scenario = Scenario::from_toml_str(toml).expect("scenario");
    Simulator::spawn(SocketAddr::from(([127, 0, 0, 1], 0)), scenario).expect("simulator")
}

fn ntpq(args: &[String]) -> (Output, Duration) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_ntpq"))
        .args(args)
        .env("LC_ALL", "C.UTF-8")
        .env_remove("COLUMNS")
        .output()
        .expect("run ntpq");
    (out, start.elapsed())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn silent_hosts_cost_one_timeout_and_print_in_argument_order() {
    let good = spawn(GOOD);
    let silent1 = spawn(SILENT);
    let silent2 = spawn(SILENT);
    let hosts: Vec<String> = [&good, &silent1, &silent2]
        .iter()
        .map(|s| s.local_addr().to_string())
        .collect();
    let mut args: Vec<String> = ["-n", "-c", "timeout 500", "-c", "rv 0 stratum"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(hosts.iter().cloned());
    let (out, took) = ntpq(&args);
    // One silent host: two attempts of 500 ms each. Three hosts one by one
    // would take at least 2 × 2 × 500 ms; at once, about 1 s.
    assert!(
        took < Duration::from_millis(1900),
        "took {took:?}: hosts were not queried at once"
    );
    let stdout = text(&out.stdout);
    let want_stdout = format!(
        "primary timeout 500 ms\n\
         server={h0:w$} stratum=2\n\
         primary timeout 500 ms\n\
         primary timeout 500 ms\n",
        h0 = hosts[0],
        w = hosts.iter().map(|h| h.len()).max().unwrap(),
    );
    assert_eq!(stdout, want_stdout);
    // Each silent host's error, in argument order, naming its address.
    let stderr = text(&out.stderr);
    let explained: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("ntpq: no answer from "))
        .collect();
    assert_eq!(explained.len(), 2, "{stderr}");
    assert!(explained[0].starts_with(&format!("ntpq: no answer from {} within 500 ms", hosts[1])));
    assert!(explained[1].starts_with(&format!("ntpq: no answer from {} within 500 ms", hosts[2])));
    assert!(explained[0].contains("noquery") && explained[0].contains("firewall"));
    // 1.2.2's message stays first, its blank line after it.
    assert!(
        stderr.starts_with("***Request timed out\n\nntpq: no answer from "),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(1));

    // -p: the association list, then each peer; one timeout too.
    let mut args: Vec<String> = ["-n", "-c", "timeout 500", "-p"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(hosts.iter().cloned());
    let (out, took) = ntpq(&args);
    assert!(took < Duration::from_millis(1900), "-p took {took:?}");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("192.0.2.10"), "{stdout}");
    assert_eq!(
        text(&out.stderr).matches("ntpq: no answer from ").count(),
        2
    );
}

#[test]
fn at_once_prints_what_one_by_one_prints() {
    let good1 = spawn(GOOD);
    let silent = spawn(SILENT);
    let good2 = spawn(GOOD);
    // Silent first: the association list it could not read leaves the
    // cache empty, so the next host reads the list itself (queried again).
    for order in [[&good1, &silent, &good2], [&silent, &good1, &good2]] {
        let hosts: Vec<String> = order.iter().map(|s| s.local_addr().to_string()).collect();
        let run = |extra: &[&str]| {
            let mut args: Vec<String> = ["-n", "-c", "timeout 300"]
                .iter()
                .chain(extra)
                .map(|s| s.to_string())
                .collect();
            args.extend(hosts.iter().cloned());
            let (out, _) = ntpq(&args);
            (text(&out.stdout), text(&out.stderr), out.status.code())
        };
        // `units` toggles a setting, so that run goes one host after the
        // other; toggled twice, it changes nothing.
        let at_once = run(&["-c", "rv 0 stratum,refid", "-c", "sysinfo"]);
        let one_by_one = run(&[
            "-c",
            "rv 0 stratum,refid",
            "-c",
            "sysinfo",
            "-c",
            "units",
            "-c",
            "units",
        ]);
        assert_eq!(at_once, one_by_one);
        assert_eq!(at_once.0.matches("stratum=2").count(), 2, "{}", at_once.0);
    }
}

/// Ctrl-C while silent hosts are still waited for: the run ends at once
/// with status 130, and what the answering host said is printed first.
#[test]
fn ctrl_c_stops_every_host_and_keeps_what_was_answered() {
    let good = spawn(GOOD);
    let silent1 = spawn(SILENT);
    let silent2 = spawn(SILENT);
    let mut args = vec!["-n".to_string(), "-c".into(), "rv 0 stratum".into()];
    args.extend(
        [&good, &silent1, &silent2]
            .iter()
            .map(|s| s.local_addr().to_string()),
    );
    let child = Command::new(env!("CARGO_BIN_EXE_ntpq"))
        .args(&args)
        .env("LC_ALL", "C.UTF-8")
        .env_remove("COLUMNS")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run ntpq");
    // The silent hosts wait 5 s per attempt; interrupt well before.
    std::thread::sleep(Duration::from_millis(800));
    let signalled = Instant::now();
    // SAFETY: kill only sends a signal to our child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let out = child.wait_with_output().expect("ntpq ran");
    assert!(
        signalled.elapsed() < Duration::from_secs(3),
        "ended {:?} after Ctrl-C",
        signalled.elapsed()
    );
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(&format!("server={}", args[3])) && stdout.contains("stratum=2"),
        "the answering host's output is kept: {stdout:?}"
    );
}
