//! ntp-loadgen against a real NTPsec ntpd (each test has its own: it
//! counts what the load changed).

use std::process::Command;
use std::time::Instant;

use ntpq_conformance::ntpd::RealNtpd;
use ntpq_conformance::{have, ntp_loadgen, Need, REFERENCE_NTPQ};

/// Runs `ntp-loadgen ARGS --json` and returns its JSON line.
fn loadgen(args: &[&str]) -> String {
    let out = Command::new(ntp_loadgen())
        .args(args)
        .arg("--json")
        .output()
        .expect("run ntp-loadgen");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "ntp-loadgen {args:?} failed: {stderr}\n{stdout}"
    );
    eprint!("{stderr}");
    stdout.trim().to_string()
}

/// The integer value of `"key":N` in a flat-enough JSON line (the first
/// occurrence at or after `after`).
fn json_int(json: &str, after: &str, key: &str) -> i64 {
    let start = json
        .find(after)
        .unwrap_or_else(|| panic!("{after} not in {json}"));
    let pat = format!("\"{key}\":");
    let at = json[start..]
        .find(&pat)
        .unwrap_or_else(|| panic!("{key} not in {json}"))
        + start
        + pat.len();
    let num: String = json[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    num.parse()
        .unwrap_or_else(|_| panic!("{key} is not an integer in {json}"))
}

/// `ntpq -n -c CMD 127.0.0.1` through the reference ntpq.
fn reference_ntpq(cmd: &str) -> String {
    let out = Command::new(REFERENCE_NTPQ)
        .args(["-n", "-c", cmd, "127.0.0.1"])
        .output()
        .expect("run ntpq");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The integer after `legend` in monstats output.
fn monstat(text: &str, legend: &str) -> u64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(legend))
        .unwrap_or_else(|| panic!("no {legend:?} in monstats:\n{text}"));
    line[legend.len()..]
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("bad line {line:?}"))
}

#[test]
fn fill_10k_clients_reaches_ntpd_mru_list() {
    let Some(ntpd) = RealNtpd::start("mru maxdepth 200000\n") else {
        return;
    };
    let n = 10_000;
    let json = loadgen(&["fill", "--count", &n.to_string(), "--verify"]);
    eprintln!("{json}");
    assert!(json.starts_with("{\"mode\":\"fill\""), "{json}");
    assert_eq!(json_int(&json, "", "clients"), n);
    assert_eq!(
        json_int(&json, "", "answered_clients"),
        n,
        "every client answered: {json}"
    );
    assert!(
        json.contains("\"first_addr\":\"127.1.0.0\",\"last_addr\":\"127.1.39.15\""),
        "{json}"
    );
    assert!(json_int(&json, "\"after\"", "mru_depth") >= n, "{json}");
    assert!(
        json_int(&json, "\"after\"", "mru_new") - json_int(&json, "\"before\"", "mru_new") >= n
    );

    if have(&[Need::ReferenceNtpq]) {
        let text = reference_ntpq("monstats");
        let depth = monstat(&text, "addresses in use:");
        assert!(
            depth >= n as u64,
            "ntpq monstats shows {depth} addresses:\n{text}"
        );
        assert!(
            depth <= n as u64 + 10,
            "unexpected extra clients ({depth}):\n{text}"
        );
        assert_eq!(monstat(&text, "alloc: recycle full:"), 0, "{text}");
        assert_eq!(monstat(&text, "alloc: none:"), 0, "{text}");
    }
    drop(ntpd);
}

#[test]
fn churn_reports_ground_truth() {
    let Some(ntpd) = RealNtpd::start("mru maxdepth 200000\n") else {
        return;
    };
    let dir = ntpd.dir().to_path_buf();
    let truth = dir.join("truth.txt");
    let t0 = Instant::now();
    let json = loadgen(&[
        "churn",
        "--new-per-sec",
        "2000",
        "--touch-per-sec",
        "1000",
        "--duration",
        "1.5",
        "--seed",
        "7",
        "--verify",
        "--ground-truth",
        truth.to_str().unwrap(),
    ]);
    let took = t0.elapsed();
    eprintln!("{json}");
    assert!(
        took.as_secs_f64() < 10.0,
        "churn did not stop by itself in time ({took:?})"
    );
    assert_eq!(json_int(&json, "", "new_clients"), 3000);
    assert_eq!(json_int(&json, "", "touches"), 1500);
    assert_eq!(json_int(&json, "", "packets_sent"), 4500);
    assert!(
        json.contains("\"new_first_addr\":\"127.1.0.0\",\"new_last_addr\":\"127.1.11.183\""),
        "{json}"
    );
    let depth =
        json_int(&json, "\"after\"", "mru_depth") - json_int(&json, "\"before\"", "mru_depth");
    assert!(
        (3000..=3010).contains(&depth),
        "mru_depth grew by {depth}: {json}"
    );

    let text = std::fs::read_to_string(&truth).unwrap();
    let rows: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(rows.len(), 3000);
    let counts: u64 = rows
        .iter()
        .map(|r| r.split(' ').nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(counts, 4500);
    // Oldest last send first: the last column pair is non-decreasing.
    let lasts: Vec<&str> = rows.iter().map(|r| r.split(' ').nth(3).unwrap()).collect();
    assert!(lasts.windows(2).all(|w| w[0] <= w[1]));
    drop(ntpd);
}

/// ntpd's CPU time (user+system, seconds) and resident size (KiB).
fn ntpd_usage(pid: u32) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields after the command: state is [0], utime [11], stime [12].
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // /proc/<pid>/stat counts in USER_HZ, always 100 on Linux.
    let hz = 100.0;
    let cpu = (ticks(11) + ticks(12)) / hz;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    (cpu, rss)
}

/// On-demand measurements (release build recommended):
///
/// `cargo build --release --workspace && NTP_LOADGEN_BENCH=10000,100000,1000000 cargo test --release -p ntpq-conformance --test loadgen -- --ignored --nocapture bench`
///
/// For each count: a fresh ntpd with `mru maxdepth COUNT+1000`, a fill
/// (rate, ntpd CPU and RSS), and, for counts up to
/// `NTP_LOADGEN_BENCH_NTPQ_MAX` (default 100000), the reference
/// `ntpq -n -c mrulist` timed with `/usr/bin/time -v`.
/// `NTP_LOADGEN_BENCH_ARGS` adds loadgen options (e.g. `--window 256`);
/// `NTP_LOADGEN_BENCH_CONF` replaces the `mru` line (`\n` for newlines).
#[test]
#[ignore]
fn bench() {
    let counts = std::env::var("NTP_LOADGEN_BENCH").unwrap_or_else(|_| "10000,100000".into());
    let ntpq_max: u64 = std::env::var("NTP_LOADGEN_BENCH_NTPQ_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let extra = std::env::var("NTP_LOADGEN_BENCH_ARGS").unwrap_or_default();
    for n in counts
        .split(',')
        .map(|c| c.trim().parse::<u64>().expect("count"))
    {
        let conf = match std::env::var("NTP_LOADGEN_BENCH_CONF") {
            Ok(c) => c.replace("\\n", "\n"),
            Err(_) => format!("mru maxdepth {}\n", n + 1000),
        };
        let Some(ntpd) = RealNtpd::start(&conf) else {
            return;
        };
        let (cpu0, rss0) = ntpd_usage(ntpd.pid());
        let mut args = vec![
            "fill".to_string(),
            "--count".into(),
            n.to_string(),
            "--verify".into(),
        ];
        args.extend(extra.split_whitespace().map(String::from));
        let t0 = Instant::now();
        let json = loadgen(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let wall = t0.elapsed().as_secs_f64();
        let (cpu1, rss1) = ntpd_usage(ntpd.pid());
        println!("BENCH fill {n}: {json}");
        println!(
            "BENCH fill {n}: loadgen wall {wall:.3} s, ntpd cpu {:.2} s, ntpd rss {rss0} -> {rss1} KiB",
            cpu1 - cpu0
        );
        if n <= ntpq_max && have(&[Need::ReferenceNtpq, Need::GnuTime]) {
            let out = Command::new("/usr/bin/time")
                .args(["-v", REFERENCE_NTPQ, "-n", "-c", "mrulist", "127.0.0.1"])
                .stdout(std::process::Stdio::null())
                .output()
                .expect("run /usr/bin/time (apt-get install -y time)");
            let err = String::from_utf8_lossy(&out.stderr);
            let pick = |key: &str| {
                err.lines()
                    .find_map(|l| l.trim().strip_prefix(key).map(|v| v.trim().to_string()))
                    .unwrap_or_default()
            };
            let (cpu2, _) = ntpd_usage(ntpd.pid());
            println!(
                "BENCH ntpq mrulist {n}: wall {}, user {} s, sys {} s, max RSS {} KiB, exit {}; ntpd cpu while serving {:.2} s",
                pick("Elapsed (wall clock) time (h:mm:ss or m:ss):"),
                pick("User time (seconds):"),
                pick("System time (seconds):"),
                pick("Maximum resident set size (kbytes):"),
                pick("Exit status:"),
                cpu2 - cpu1
            );
        }
        drop(ntpd);
    }
}

/// On-demand churn measurement: `NTP_LOADGEN_CHURN="NEW TOUCH SECS [more args]"`
/// (default `50000 50000 3`), against an ntpd with `mru maxdepth 2000000`.
#[test]
#[ignore]
fn bench_churn() {
    let spec = std::env::var("NTP_LOADGEN_CHURN").unwrap_or_else(|_| "50000 50000 3".into());
    let mut it = spec.split_whitespace();
    let (new, touch, secs) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
    let Some(ntpd) = RealNtpd::start("mru maxdepth 2000000\n") else {
        return;
    };
    let (cpu0, _) = ntpd_usage(ntpd.pid());
    let mut args = vec![
        "churn",
        "--new-per-sec",
        new,
        "--touch-per-sec",
        touch,
        "--duration",
        secs,
        "--verify",
    ];
    args.extend(it);
    let json = loadgen(&args);
    let (cpu1, rss1) = ntpd_usage(ntpd.pid());
    println!("BENCH churn: {json}");
    println!("BENCH churn: ntpd cpu {:.2} s, rss {rss1} KiB", cpu1 - cpu0);
    drop(ntpd);
}
