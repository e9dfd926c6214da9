//! `mrulist follow` benchmark against a real ntpd on 127.0.0.1 while
//! `ntp-loadgen churn` adds and re-touches clients. Prints Markdown
//! tables; not a test.
//!
//!     cargo build --release --workspace
//!     ./target/release/follow-bench [--runs 5000:0:100000:120,20000:20000:100000:600]
//!
//! Each run is `NEW:TOUCHED:MAXDEPTH:SECONDS` (see
//! `ntpq_conformance::follow` for what is run and measured).

use std::path::PathBuf;
use std::process::Command;

use ntpq_conformance::follow::{follow_under_churn, parse_runs};
use ntpq_conformance::workspace_bin;

const DEFAULT_RUNS: &str =
    "5000:0:100000:120,20000:20000:100000:600,50000:0:100000:120,50000:0:20000:60";

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
        let Some(o) = follow_under_churn(&ntpq, &loadgen, &s) else {
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
