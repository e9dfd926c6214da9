//! `ntpq-demo`: the README's one-command demo.
//!
//! Starts the simulator on 127.0.0.1 (a free port) with the bundled demo
//! scenario, runs the `ntpq` binary that sits next to this executable with
//! `-n -p` and `-n -c rv`, prints each command line and its output, and stops
//! the simulator. Exits non-zero when the simulator cannot start, `ntpq` is
//! missing, or an `ntpq` run fails.
//!
//! ```sh
//! cargo build --release && ./target/release/ntpq-demo
//! ```

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use ntpd_sim::{Scenario, Simulator};

/// The scenario is embedded so the binary works from any directory.
const DEMO_SCENARIO: &str = include_str!("../../scenarios/demo.toml");

fn main() -> ExitCode {
    let ntpq = match find_ntpq() {
        Ok(p) => p,
        Err(msg) => {
            eprintln!("ntpq-demo: {msg}");
            return ExitCode::FAILURE;
        }
    };
    let scenario = match Scenario::from_toml_str(DEMO_SCENARIO) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ntpq-demo: bundled scenario is invalid: {e}");
            return ExitCode::FAILURE;
        }
    };
    let sim = match Simulator::spawn(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ntpq-demo: cannot start the simulator on 127.0.0.1: {e}");
            return ExitCode::FAILURE;
        }
    };
    let host = sim.local_addr().to_string();
    println!("Simulated ntpd 1.2.2 (scenarios/demo.toml) listening on {host}");

    let runs: [&[&str]; 2] = [&["-n", "-p", &host], &["-n", "-c", "rv", &host]];
    let mut ok = true;
    for args in runs {
        println!();
        println!("$ ntpq {}", shell_words(args));
        let _ = std::io::stdout().flush();
        // Inherited stdout/stderr: ntpq's output goes straight to the terminal.
        match Command::new(&ntpq).args(args).status() {
            Ok(status) if status.success() => {}
            Ok(status) => {
                eprintln!("ntpq-demo: ntpq {} failed ({status})", shell_words(args));
                ok = false;
            }
            Err(e) => {
                eprintln!("ntpq-demo: cannot run {}: {e}", ntpq.display());
                ok = false;
            }
        }
    }
    sim.stop();
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Our `ntpq`, in the same directory as this executable (the same target dir).
fn find_ntpq() -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| format!("cannot locate this executable: {e}"))?;
    let dir = me
        .parent()
        .ok_or_else(|| format!("{} has no parent directory", me.display()))?;
    let ntpq = dir.join(format!("ntpq{}", std::env::consts::EXE_SUFFIX));
    if ntpq.is_file() {
        Ok(ntpq)
    } else {
        Err(format!(
            "{} not found; build it first (e.g. `cargo build --release`, then run \
             ./target/release/ntpq-demo)",
            ntpq.display()
        ))
    }
}

/// The arguments as one would type them (quoting those with spaces).
fn shell_words(args: &[&str]) -> String {
    args.iter()
        .map(|a| {
            if a.is_empty() || a.contains(char::is_whitespace) {
                format!("'{a}'")
            } else {
                (*a).to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
