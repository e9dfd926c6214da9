//! `mrulist follow` against a real ntpd while `ntp-loadgen churn` adds
//! and re-touches clients: what follow captured and estimated against
//! the generator's ground truth. Used by the `follow-bench` benchmark and
//! by the short end-to-end check in `tests/tests/mrulist_follow_real.rs`.
//!
//! ntpd starts empty with `mru maxdepth MAXDEPTH minage 0` (a full list
//! recycles its oldest entry for each new client, as a busy server's
//! does), `ntpq -n -c "mrulist follow interval=1"` starts, then the
//! generator sends NEW new clients and TOUCHED requests from known clients
//! per second for SECONDS; follow stops a few seconds after it.
//!
//! Truth: the clients the generator heard an answer from (ntpd had them in
//! its list at least once). Captured: the distinct addresses follow
//! printed. The estimate is follow's own `estimated missed`. CPU is
//! user+sys over the whole run; RSS is sampled every second.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::net::Ipv4Addr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::ntpd::RealNtpd;

/// CPU seconds of a process so far (utime + stime, from /proc/PID/stat;
/// 0 when it is gone). The benchmarks read ntpd's with it.
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields after the command: state is index 0; utime 11, stime 12
    // (in clock ticks of 1/100 s).
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

pub struct Spec {
    pub new: u64,
    pub touched: u64,
    pub maxdepth: u64,
    pub seconds: u64,
}

pub fn parse_runs(text: &str) -> Vec<Spec> {
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

#[derive(Debug)]
pub struct Outcome {
    pub truth: usize,
    pub captured: usize,
    pub truly_missed: usize,
    pub estimate: Option<u64>,
    pub polls: String,
    pub ntpq_cpu: f64,
    pub ntpd_cpu: f64,
    /// (seconds since start, RSS MB), one sample a second.
    pub rss: Vec<(f64, f64)>,
    pub rewalks: String,
}

pub fn follow_under_churn(ntpq: &Path, loadgen: &Path, s: &Spec) -> Option<Outcome> {
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
