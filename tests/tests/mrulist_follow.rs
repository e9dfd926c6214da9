//! `mrulist follow` end to end against a simulator whose list changes (20
//! new and 10 re-touched clients a second): the whole list first, then
//! only what changed, until `duration=`.

use std::process::Command;
use std::time::Instant;

use ntpd_sim::{Scenario, Simulator};
use ntpq_conformance::ntpq_rs;

const CHURNING: &str = r#"
[system]
variables = ["mru_depth=2000", "mru_maxdepth=100000", "mru_new=2000", "mru_recycleold=0", "mru_recyclefull=0", "clock={ts:now}"]
[mru]
seed = 3
churn_new_per_sec = 20.0
churn_touch_per_sec = 10.0
[mru.generate]
count = 2000
spacing = 0.5
newest_ago = 3
"#;

fn follow(args: &str) -> (String, String, i32, f64) {
    let scenario = Scenario::from_toml_str(CHURNING).expect("scenario");
    let sim = Simulator::spawn("127.0.0.1:0".parse().unwrap(), scenario).expect("simulator");
    let host = sim.local_addr().to_string();
    let t = Instant::now();
    let out = Command::new(ntpq_rs())
        .args(["-n", "-c", &format!("mrulist follow {args}"), &host])
        .env("TZ", "UTC")
        .output()
        .expect("run ntpq");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
        t.elapsed().as_secs_f64(),
    )
}

#[test]
fn follow_streams_the_list_then_what_changes_until_the_duration() {
    let (stdout, stderr, status, took) = follow("interval=0.5 duration=3");
    assert_eq!((status, stderr.as_str()), (0, ""), "{stdout}");
    assert!((2.5..20.0).contains(&took), "took {took} s");
    let rows = stdout.lines().filter(|l| !l.starts_with('#')).count();
    // 2000 first, then about 30 changes a second for 3 s (but never the
    // list again: a poll reads changes only).
    assert!((2030..2400).contains(&rows), "{rows} rows");
    let tail: Vec<&str> = stdout.lines().rev().take(2).collect();
    assert!(
        tail[1].starts_with("# Followed for ") && tail[1].contains(" lists read again"),
        "{tail:?}"
    );
    assert!(tail[0].starts_with("# Server counted "), "{tail:?}");
    // Every new client of the churn (20 a second) was seen as new.
    let new: u64 = tail[1]
        .split(" entries changed (")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!((40..100).contains(&new), "{new} new clients: {tail:?}");
}

#[test]
fn follow_refuses_an_order_or_a_row_limit() {
    let (stdout, stderr, status, _) = follow("sort=count");
    assert_eq!(status, 1);
    // As for any bad argument, the banner comes first (as in 1.2.2).
    assert_eq!(
        stdout,
        "Ctrl-C will stop MRU retrieval and display partial results.\n"
    );
    assert!(
        stderr.contains("'sort' does not apply to 'mrulist follow'"),
        "{stderr}"
    );
}

/// `ntpq <args> -c "mrulist follow …" <two churning simulators>`.
fn follow_two(mode: &[&str], args: &str) -> (String, String, i32, [String; 2]) {
    let sims: Vec<Simulator> = (0..2)
        .map(|_| {
            let scenario = Scenario::from_toml_str(CHURNING).expect("scenario");
            Simulator::spawn("127.0.0.1:0".parse().unwrap(), scenario).expect("simulator")
        })
        .collect();
    let hosts = [
        sims[0].local_addr().to_string(),
        sims[1].local_addr().to_string(),
    ];
    let command = format!("mrulist follow {args}");
    let out = Command::new(ntpq_rs())
        .arg("-n")
        .args(mode)
        .args(["-c", &command, &hosts[0], &hosts[1]])
        .env("TZ", "UTC")
        .output()
        .expect("run ntpq");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
        hosts,
    )
}

#[test]
fn two_hosts_are_followed_at_once_in_json_lines() {
    let (stdout, stderr, status, hosts) = follow_two(&["--json"], "interval=0.5 duration=2");
    assert_eq!((status, stderr.as_str()), (0, ""), "{stdout}");
    assert!(stdout.ends_with('\n'));
    let mut seen = std::collections::BTreeMap::new();
    for line in stdout.lines() {
        // Whole lines only: every one a record of its own.
        let r: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(line.starts_with("{\"v\":1,\"type\":\""), "{line}");
        let host = r["host"].as_str().expect("a host").to_string();
        assert!(hosts.contains(&host), "{host}");
        let kind = r["type"].as_str().expect("a type").to_string();
        *seen.entry((host, kind)).or_insert(0) += 1;
    }
    for h in &hosts {
        let count = |kind: &str| {
            seen.get(&(h.clone(), kind.to_string()))
                .copied()
                .unwrap_or(0)
        };
        assert_eq!(count("mrulist_start"), 1, "{h}: {seen:?}");
        assert!(count("mru_entry") >= 2000, "{h}: {seen:?}");
        assert!(count("mru_poll") >= 2, "{h}: {seen:?}");
        assert_eq!(count("mrulist_follow_end"), 1, "{h}: {seen:?}");
    }
}

#[test]
fn two_hosts_followed_in_classic_mode_name_their_rows() {
    let (stdout, stderr, status, hosts) = follow_two(&[], "interval=0.5 duration=2");
    assert_eq!((status, stderr.as_str()), (0, ""), "{stdout}");
    assert!(!stdout.contains("Ctrl-C"), "follow has no banner");
    for line in stdout.lines() {
        let host = hosts
            .iter()
            .find(|h| line.starts_with(&format!("server={h} ")))
            .unwrap_or_else(|| panic!("no host: {line}"));
        // Whole rows: the prefix is followed by one row or summary line.
        let rest = &line[format!("server={host} ").len()..];
        assert!(
            rest.starts_with("# ") || rest.split_whitespace().count() == 12,
            "{line}"
        );
    }
    for h in &hosts {
        let summary = format!("server={h} # Followed for ");
        assert_eq!(stdout.matches(&summary).count(), 1, "{h}");
    }
}

#[test]
fn ctrl_c_stops_every_host_and_each_prints_its_summary() {
    let sims: Vec<Simulator> = (0..2)
        .map(|_| {
            let scenario = Scenario::from_toml_str(CHURNING).expect("scenario");
            Simulator::spawn("127.0.0.1:0".parse().unwrap(), scenario).expect("simulator")
        })
        .collect();
    let hosts: Vec<String> = sims.iter().map(|s| s.local_addr().to_string()).collect();
    let child = Command::new(ntpq_rs())
        .args(["-n", "--json", "-c", "mrulist follow interval=0.2"])
        .args(&hosts)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run ntpq");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let pid = child.id() as libc::pid_t;
    // SAFETY: signalling our own child.
    unsafe { libc::kill(pid, libc::SIGINT) };
    // A run that ignores Ctrl-C fails the test instead of hanging it.
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(20));
        // SAFETY: as above (the pid is reaped only by wait_with_output,
        // which returns long before unless the child hangs).
        unsafe { libc::kill(pid, libc::SIGKILL) };
    });
    let out = child.wait_with_output().expect("ntpq ends after Ctrl-C");
    let stdout = String::from_utf8_lossy(&out.stdout);
    for h in &hosts {
        let ends = stdout
            .lines()
            .filter(|l| l.contains("\"type\":\"mrulist_follow_end\"") && l.contains(h.as_str()))
            .count();
        assert_eq!(ends, 1, "{h}: {}", String::from_utf8_lossy(&out.stderr));
    }
    for line in stdout.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }
}
