//! `mrulist follow` benchmark against a real ntpd on 127.0.0.1 while
//! `ntp-loadgen churn` adds and re-touches clients. Prints Markdown
//! tables; not a test.
//!
//!     cargo build --release --workspace
//!     ./target/release/follow-bench [--runs 5000:0:100000:120,20000:20000:100000:600]
//!
//! Each run is `NEW:TOUCHED:MAXDEPTH:SECONDS`: ntpd starts empty with
//! `mru maxdepth MAXDEPTH minage 0` (a full list recycles its oldest entry
//! for each new client, as a busy server's does), `ntpq -n -c "mrulist
//! follow interval=1"` starts, then the generator sends NEW new clients and
//! TOUCHED requests from known clients per second for SECONDS. Follow
//! stops a few seconds after the generator.
//!
//! Truth: the clients the generator heard an answer from (ntpd had them in
//! its list at least once). Captured: the distinct addresses follow printed.
//! The estimate is follow's own `estimated missed` line; its error is
//! compared with the truly missed count. CPU is user+sys from
//! /proc/PID/stat over the whole run; RSS is sampled every second.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ntpq_conformance::ntpd::RealNtpd;
use ntpq_conformance::workspace_bin;

const DEFAULT_RUNS: &str =
    "5000:0:100000:120,20000:20000:100000:600,50000:0:100000:120,50000:0:20000:60";

/// CPU seconds of a process so far (utime + stime).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Resident set size of a process in MB (VmRSS), 0 when it is gone.
fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

struct Spec {
    new: u64,
    touched: u64,
    maxdepth: u64,
    seconds: u64,
}

fn parse_runs(text: &str) -> Vec<Spec> {
    text.split(',')
        .map(|r| {
            let v: Vec<u64> = r.split(':').filter_map(|x| x.parse().ok()).collect();
            match v.as_slice() {
                [new, touched, maxdepth, seconds] => Spec {
                    new: *new,
                    touched: *touched,
                    maxdepth: *maxdepth,
                    seconds: *seconds,
                },
                _ => {
                    eprintln!(
                        "follow-bench: --runs wants NEW:TOUCHED:MAXDEPTH:SECONDS,...; got {r}"
                    );
                    std::process::exit(2);
                }
            }
        })
        .collect()
}

struct Outcome {
    truth: usize,
    captured: usize,
    truly_missed: usize,
    estimate: Option<u64>,
    polls: String,
    ntpq_cpu: f64,
    ntpd_cpu: f64,
    /// (seconds since start, RSS MB), one sample a second.
    rss: Vec<(f64, f64)>,
    rewalks: String,
}

fn one_run(ntpq: &PathBuf, loadgen: &PathBuf, s: &Spec) -> Option<Outcome> {
    let ntpd = RealNtpd::start(&format!("mru maxdepth {} minage 0\n", s.maxdepth))?;
    let ntpd_cpu0 = cpu_seconds(ntpd.pid());
    let duration = s.seconds + 8;
    let mut follow = Command::new(ntpq)
        .args([
            "-n",
            "-c",
            &format!("mrulist follow interval=1 duration={duration}"),
            "127.0.0.1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ntpq");
    let pid = follow.id();
    let stdout = follow.stdout.take().expect("piped stdout");
    // Reaped by wait_with_cpu (for its CPU time), not by Child::wait.
    drop(follow);
    // Rows are read as they come (a long run prints gigabytes).
    let reader = std::thread::spawn(move || {
        let mut seen: HashSet<u32> = HashSet::new();
        let mut tail = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line.starts_with('#') {
                tail.push(line);
                continue;
            }
            // The row's last column: the address (`-n`, IPv4 here).
            if let Some(addr) = line.split_whitespace().last() {
                let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h);
                if let Ok(a) = host.parse::<Ipv4Addr>() {
                    seen.insert(u32::from(a));
                }
            }
        }
        (seen, tail)
    });
    std::thread::sleep(Duration::from_secs(2));
    let truth_path =
        std::env::temp_dir().join(format!("follow-bench-truth-{}", std::process::id()));
    let mut churn = Command::new(loadgen)
        .args(["churn", "--new-per-sec", &s.new.to_string()])
        .args(["--touch-per-sec", &s.touched.to_string()])
        .args(["--duration", &s.seconds.to_string(), "--ground-truth"])
        .arg(&truth_path)
        .stdout(Stdio::null())
        .spawn()
        .expect("start ntp-loadgen");
    let t0 = Instant::now();
    let mut rss = Vec::new();
    // Sampled until ntpq has exited (a zombie, not yet reaped).
    while !is_zombie(pid) {
        rss.push((t0.elapsed().as_secs_f64(), rss_mb(pid)));
        std::thread::sleep(Duration::from_secs(1));
    }
    let (ok, ntpq_cpu) = wait_with_cpu(pid);
    let _ = churn.wait();
    let ntpd_cpu = cpu_seconds(ntpd.pid()) - ntpd_cpu0;
    if !ok {
        eprintln!("follow-bench: ntpq did not exit 0");
    }
    let (seen, tail) = reader.join().expect("reader");
    let mut truth: HashSet<u32> = HashSet::new();
    for line in std::fs::read_to_string(&truth_path)
        .unwrap_or_default()
        .lines()
    {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() >= 5 && f[4] == "1" {
            if let Ok(a) = f[0].parse::<Ipv4Addr>() {
                truth.insert(u32::from(a));
            }
        }
    }
    let _ = std::fs::remove_file(&truth_path);
    let truly_missed = truth.iter().filter(|a| !seen.contains(a)).count();
    let find = |prefix: &str| tail.iter().find(|l| l.starts_with(prefix)).cloned();
    let estimate = find("# Server counted").and_then(|l| {
        l.rsplit(": ")
            .next()
            .and_then(|v| v.trim().parse::<u64>().ok())
    });
    let followed = find("# Followed").unwrap_or_default();
    let polls = followed
        .split(": ")
        .nth(1)
        .and_then(|r| r.split(" polls").next())
        .unwrap_or("?")
        .to_string();
    let rewalks = followed
        .rsplit(", ")
        .next()
        .and_then(|r| r.split(' ').next())
        .unwrap_or("?")
        .to_string();
    drop(ntpd);
    Some(Outcome {
        truth: truth.len(),
        captured: truth.len() - truly_missed,
        truly_missed,
        estimate,
        polls,
        ntpq_cpu,
        ntpd_cpu,
        rss,
        rewalks,
    })
}

fn is_zombie(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, r)| r.split_whitespace().next());
    matches!(state, Some("Z") | None)
}

/// Reaps `pid`: whether it exited 0, and its user+sys CPU seconds.
fn wait_with_cpu(pid: u32) -> (bool, f64) {
    let mut status = 0;
    // SAFETY: wait4 only writes the status and the struct we pass.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut u) };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    (
        r > 0 && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        t(u.ru_utime) + t(u.ru_stime),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = DEFAULT_RUNS.to_string();
    let mut ntpq = workspace_bin("ntpq");
    let mut i = 0;
    while i < args.len() {
        match (args[i].as_str(), args.get(i + 1)) {
            ("--runs", Some(v)) => runs = v.clone(),
            ("--ntpq", Some(v)) => ntpq = PathBuf::from(v),
            _ => {
                eprintln!(
                    "usage: follow-bench [--runs NEW:TOUCHED:MAXDEPTH:SECONDS,...] [--ntpq PATH]"
                );
                std::process::exit(2);
            }
        }
        i += 2;
    }
    let loadgen = workspace_bin("ntp-loadgen");
    println!(
        "commit {}",
        String::from_utf8_lossy(
            &Command::new("git")
                .args(["describe", "--always", "--dirty"])
                .output()
                .map(|o| o.stdout)
                .unwrap_or_default()
        )
        .trim()
    );
    println!();
    println!("| new/s | touched/s | maxdepth | s | polls | clients (truth) | captured | captured % | truly missed | estimated missed | estimate error | lists read again | ntpq CPU s | ntpd CPU s | CPU ratio | RSS MB (first/mid/max) |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for s in parse_runs(&runs) {
        let Some(o) = one_run(&ntpq, &loadgen, &s) else {
            eprintln!("follow-bench: needs root and ntpd (apt-get install -y ntpsec)");
            std::process::exit(2);
        };
        let est = o.estimate.map_or("?".to_string(), |e| e.to_string());
        let err = match o.estimate {
            Some(e) if o.truly_missed > 0 => format!(
                "{:+.1} %",
                (e as f64 - o.truly_missed as f64) / o.truly_missed as f64 * 100.0
            ),
            Some(e) => format!("{e} vs 0"),
            None => "?".into(),
        };
        let rss_at = |frac: f64| {
            o.rss
                .get(((o.rss.len() as f64 - 1.0) * frac) as usize)
                .map_or(0.0, |r| r.1)
        };
        let max_rss = o.rss.iter().map(|r| r.1).fold(0.0, f64::max);
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.3} % | {} | {est} | {err} | {} | {:.1} | {:.1} | {:.2} | {:.1} / {:.1} / {:.1} |",
            s.new,
            s.touched,
            s.maxdepth,
            s.seconds,
            o.polls,
            o.truth,
            o.captured,
            if o.truth > 0 { o.captured as f64 / o.truth as f64 * 100.0 } else { 100.0 },
            o.truly_missed,
            o.rewalks,
            o.ntpq_cpu,
            o.ntpd_cpu,
            o.ntpq_cpu / o.ntpd_cpu.max(1e-9),
            rss_at(0.05),
            rss_at(0.5),
            max_rss,
        );
    }
}
