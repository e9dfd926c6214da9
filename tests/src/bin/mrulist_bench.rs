//! mrulist benchmark against a real ntpd on 127.0.0.1 whose MRU list is
//! filled by `ntp-loadgen`. Prints a Markdown table; not a test.
//!
//!     cargo build --release --workspace
//!     ./target/release/mrulist-bench [--sizes 10000,100000,1000000] [--reference-max N] [--busy]
//!
//! Floor = ntpd's own CPU time (user+sys) while it served our retrieval,
//! read from /proc/PID/stat: the server cannot answer faster than that.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ntpq_conformance::ntpd::RealNtpd;

fn release_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("own path");
    let p = exe.with_file_name(name);
    assert!(
        p.exists(),
        "{} missing: run `cargo build --release --workspace`",
        p.display()
    );
    p
}

/// ntpd's CPU seconds so far (utime + stime).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields after the command: state is index 0; utime 11, stime 12.
    let hz = 100.0;
    (ticks(11) + ticks(12)) / hz
}

struct Run {
    wall: f64,
    user: f64,
    sys: f64,
    rss_kb: u64,
    rows: usize,
    server_cpu: f64,
    report: Vec<String>,
}

/// Runs `bin args` under GNU time, counting table rows of the output.
fn measure(ntpd: &RealNtpd, bin: &PathBuf, args: &[&str]) -> Run {
    let out_path = std::env::temp_dir().join(format!("mrulist-bench-{}.out", std::process::id()));
    let time_path = std::env::temp_dir().join(format!("mrulist-bench-{}.time", std::process::id()));
    let cpu0 = cpu_seconds(ntpd.pid());
    let t0 = Instant::now();
    let status = Command::new("/usr/bin/time")
        .arg("-o")
        .arg(&time_path)
        .arg("-f")
        .arg("%e %U %S %M")
        .arg(bin)
        .args(args)
        .stdout(std::fs::File::create(&out_path).expect("output file"))
        .stderr(Stdio::null())
        .status()
        .expect("run /usr/bin/time (apt-get install -y time)");
    let wall_outer = t0.elapsed().as_secs_f64();
    let server_cpu = cpu_seconds(ntpd.pid()) - cpu0;
    assert!(
        status.success() || status.code() == Some(1),
        "{} failed: {status}",
        bin.display()
    );
    let t = std::fs::read_to_string(&time_path).unwrap_or_default();
    let v: Vec<&str> = t.split_whitespace().collect();
    let num = |i: usize| {
        v.get(i)
            .and_then(|x| x.parse::<f64>().ok())
            .unwrap_or(wall_outer)
    };
    let text = std::fs::read_to_string(&out_path).unwrap_or_default();
    let rows = text
        .lines()
        .filter(|l| {
            !l.starts_with('#')
                && !l.starts_with(" lstint")
                && !l.starts_with("====")
                && !l.starts_with("Ctrl-C")
        })
        .count();
    let report = text
        .lines()
        .filter(|l| l.starts_with("# ") && !l.starts_with("# Used"))
        .map(str::to_string)
        .collect();
    if let Some(keep) = std::env::var_os("MRULIST_BENCH_KEEP") {
        let _ = std::fs::rename(&out_path, keep);
    }
    let _ = std::fs::remove_file(&out_path);
    let _ = std::fs::remove_file(&time_path);
    Run {
        wall: num(0),
        user: num(1),
        sys: num(2),
        rss_kb: num(3) as u64,
        rows,
        server_cpu,
        report,
    }
}

fn fill(loadgen: &PathBuf, n: usize) {
    let st = Command::new(loadgen)
        .args(["fill", "--count", &n.to_string()])
        .stdout(Stdio::null())
        .status()
        .expect("run ntp-loadgen");
    assert!(st.success(), "ntp-loadgen fill failed");
}

fn row(label: &str, n: usize, r: &Run) {
    println!(
        "| {label} | {n} | {:.2} | {:.2} | {:.2} | {:.2}× | {:.1} | {} | {:.1}% |",
        r.wall,
        r.user + r.sys,
        r.server_cpu,
        if r.server_cpu > 0.0 {
            r.wall / r.server_cpu
        } else {
            f64::NAN
        },
        r.rss_kb as f64 / 1024.0,
        r.rows,
        100.0 * r.rows as f64 / (n + 1) as f64
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let sizes: Vec<usize> = opt("--sizes")
        .unwrap_or_else(|| "10000,100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let reference_max: usize = opt("--reference-max")
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let busy = args.iter().any(|a| a == "--busy");
    let ntpq = release_bin("ntpq");
    let loadgen = release_bin("ntp-loadgen");
    let reference = PathBuf::from(ntpq_conformance::REFERENCE_NTPQ);

    println!("| client | N | wall s | client CPU s | ntpd CPU s (floor) | wall/floor | peak RSS MB | rows | complete |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for &n in &sizes {
        let Some(ntpd) = RealNtpd::start(&format!("mru maxdepth {}\n", n + 10_000)) else {
            return;
        };
        fill(&loadgen, n);
        std::thread::sleep(Duration::from_millis(300));
        let ours = measure(&ntpd, &ntpq, &["-n", "-c", "mrulist", "127.0.0.1"]);
        row("ntpq-rs", n, &ours);
        let direct = measure(&ntpd, &ntpq, &["-n", "-c", "mrulist direct", "127.0.0.1"]);
        row("ntpq-rs direct", n, &direct);
        if n <= reference_max && reference.exists() {
            let r = measure(&ntpd, &reference, &["-n", "-c", "mrulist", "127.0.0.1"]);
            row("NTPsec ntpq 1.2.2", n, &r);
        }
        for line in &ours.report {
            eprintln!("  {line}");
        }
        drop(ntpd);
    }
    if busy {
        busy_runs(&ntpq, &loadgen);
    }
}

/// Retrieval while the load generator adds clients: completeness and the
/// report's missed-entry estimate against the generator's ground truth.
fn busy_runs(ntpq: &PathBuf, loadgen: &PathBuf) {
    println!();
    println!("| base N | new/s | touched/s | wall s | rows | true clients at end | truly missed | report: est. missed | report: changed meanwhile |");
    println!("|---|---|---|---|---|---|---|---|---|");
    // The last row evicts: a list capped at 120k recycles its oldest
    // entries at once (minage 0) while our reader is slowed down by tiny
    // replies (NTPQRS_MRU_FRAGS=3), so entries really are lost before they
    // are read; it checks the report's estimate where misses happen.
    for (new, touch, evicting) in [
        (5_000usize, 0usize, false),
        (20_000, 0, false),
        (50_000, 0, false),
        (20_000, 20_000, false),
        (50_000, 0, true),
    ] {
        let base = 100_000;
        let config = if evicting {
            "mru maxdepth 120000 minage 0 maxage 1\n".to_string()
        } else {
            format!("mru maxdepth {}\n", base + 2_000_000)
        };
        let Some(ntpd) = RealNtpd::start(&config) else {
            return;
        };
        fill(loadgen, base);
        let truth_path =
            std::env::temp_dir().join(format!("mrulist-bench-truth-{}", std::process::id()));
        let mut churn = Command::new(loadgen)
            .args([
                "churn",
                "--existing",
                &base.to_string(),
                "--new-per-sec",
                &new.to_string(),
            ])
            .args([
                "--touch-per-sec",
                &touch.to_string(),
                "--duration",
                "6",
                "--ground-truth",
            ])
            .arg(&truth_path)
            .stdout(Stdio::null())
            .spawn()
            .expect("churn");
        std::thread::sleep(Duration::from_secs(1));
        if evicting {
            std::env::set_var("NTPQRS_MRU_FRAGS", "3");
        }
        let (r, shown) =
            measure_with_rows(&ntpd, ntpq, &["-n", "-c", "mrulist stats", "127.0.0.1"]);
        std::env::remove_var("NTPQRS_MRU_FRAGS");
        let _ = churn.wait();
        let find = |prefix: &str| {
            r.report
                .iter()
                .find(|l| l.starts_with(prefix))
                .cloned()
                .unwrap_or_default()
        };
        // "# Server time A to B; ..." gives the end of the walk (Unix).
        let end: f64 = find("# Server time")
            .split_whitespace()
            .nth(5)
            .and_then(|v| v.trim_end_matches(';').parse().ok())
            .unwrap_or(f64::MAX);
        // The truth: every filled client, plus churned ones first heard
        // before the walk ended.
        let mut truth: std::collections::HashSet<String> =
            (0..base).map(|i| client_addr(i as u32)).collect();
        for line in std::fs::read_to_string(&truth_path)
            .unwrap_or_default()
            .lines()
        {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() >= 3 && !line.starts_with('#') && ntp_hex_to_unix(f[2]) < end {
                truth.insert(f[0].to_string());
            }
        }
        let _ = std::fs::remove_file(&truth_path);
        let missed = truth.iter().filter(|a| !shown.contains(*a)).count();
        println!(
            "| {base}{} | {new} | {touch} | {:.2} | {} | {} | {missed} | {} | {} |",
            if evicting {
                " (cap 120k, slow reader)"
            } else {
                ""
            },
            r.wall,
            r.rows,
            truth.len(),
            find("# Estimated entries missed").trim_start_matches("# Estimated entries missed: "),
            find("# Server time").rsplit(": ").next().unwrap_or(""),
        );
        drop(ntpd);
    }
}

/// ntp-loadgen's client i: 127.1.0.0 + i.
fn client_addr(i: u32) -> String {
    std::net::Ipv4Addr::from(u32::from(std::net::Ipv4Addr::new(127, 1, 0, 0)) + i).to_string()
}

fn ntp_hex_to_unix(text: &str) -> f64 {
    let t = text.trim_start_matches("0x");
    let (s, f) = t.split_once('.').unwrap_or((t, "0"));
    let s = u64::from_str_radix(s, 16).unwrap_or(0) as f64;
    let f = u64::from_str_radix(f, 16).unwrap_or(0) as f64 / 4_294_967_296.0;
    s - 2_208_988_800.0 + f
}

/// Like [`measure`], also returning the addresses shown (last column).
fn measure_with_rows(
    ntpd: &RealNtpd,
    bin: &PathBuf,
    args: &[&str],
) -> (Run, std::collections::HashSet<String>) {
    let keep = std::env::temp_dir().join(format!("mrulist-bench-{}.keep", std::process::id()));
    std::env::set_var("MRULIST_BENCH_KEEP", &keep);
    let r = measure(ntpd, bin, args);
    std::env::remove_var("MRULIST_BENCH_KEEP");
    let text = std::fs::read_to_string(&keep).unwrap_or_default();
    let _ = std::fs::remove_file(&keep);
    let shown = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(" lstint") && !l.starts_with("===="))
        .filter_map(|l| l.split_whitespace().last().map(str::to_string))
        .collect();
    (r, shown)
}
