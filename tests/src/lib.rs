//! Shared helpers for the end-to-end suites in `tests/tests/`: where the
//! binaries are, how to run them with a pinned environment, and how to skip
//! (or, in CI, fail) when an outside tool is missing.

pub mod ntpd;

pub mod sim;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// NTPsec's ntpq, the reference.
pub const REFERENCE_NTPQ: &str = "/usr/bin/ntpq";
/// NTPsec's ntpd, the real server.
pub const REAL_NTPD: &str = "/usr/sbin/ntpd";

/// True when running in CI, where a missing tool is a failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false)
}

/// Returns false (after printing a SKIP line) when `path` is missing outside
/// CI; panics in CI. Use as `if !require(REFERENCE_NTPQ, "apt-get install -y ntpsec") { return; }`.
pub fn require(path: &str, install_hint: &str) -> bool {
    if Path::new(path).exists() {
        return true;
    }
    if in_ci() {
        panic!("{path} is missing in CI (install with: {install_hint})");
    }
    eprintln!("SKIP: {path} not found; install it with: {install_hint}");
    false
}

/// Our `ntpq` binary, built by `cargo test` next to the test executables
/// (target/<profile>/ntpq), so CARGO_TARGET_DIR and profiles are respected.
pub fn ntpq_rs() -> PathBuf {
    if let Ok(p) = std::env::var("NTPQ_RS_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test-binary> -> target/<profile>/ntpq
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target profile dir");
    let bin = dir.join("ntpq");
    assert!(
        bin.exists(),
        "{} not built: run `cargo build --workspace` first",
        bin.display()
    );
    bin
}

/// The result of one run, as compared by the suites.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunOutput {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

impl From<Output> for RunOutput {
    fn from(o: Output) -> Self {
        RunOutput {
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            status: o.status.code().unwrap_or(-1),
        }
    }
}

/// Runs `bin args…` with stdin from `stdin` (empty: /dev/null-like EOF),
/// not on a terminal, with a pinned locale, time zone and no COLUMNS.
pub fn run(bin: &Path, args: &[&str], stdin: &str) -> RunOutput {
    let mut child = Command::new(bin)
        .args(args)
        .env_remove("COLUMNS")
        .env_remove("LINES")
        .env("LC_ALL", "C.UTF-8")
        .env("TZ", "UTC")
        .env("HOME", std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    {
        let mut input = child.stdin.take().expect("stdin");
        let _ = input.write_all(stdin.as_bytes());
    }
    child.wait_with_output().expect("wait for child").into()
}

/// Our stderr without the explanation lines ntpq-rs adds after 1.2.2's
/// messages (deliberate difference `added-explanations`): lines starting
/// `ntpq: ` that the reference's stderr does not have.
pub fn without_added_lines(reference: &str, ours: &str) -> String {
    let theirs: Vec<&str> = reference.split_inclusive('\n').collect();
    ours.split_inclusive('\n')
        .filter(|line| !line.starts_with("ntpq: ") || theirs.contains(line))
        .collect()
}

/// A readable side-by-side report of two differing outputs.
pub fn diff_report(label: &str, want: &RunOutput, got: &RunOutput) -> String {
    let mut s = format!("--- {label}\n");
    for (what, a, b) in [
        ("stdout", &want.stdout, &got.stdout),
        ("stderr", &want.stderr, &got.stderr),
    ] {
        if a != b {
            s.push_str(&format!(
                "{what} differs:\n  reference: {a:?}\n  ours:      {b:?}\n"
            ));
            for (i, (la, lb)) in a.lines().zip(b.lines()).enumerate() {
                if la != lb {
                    s.push_str(&format!(
                        "  first differing line {i}:\n    ref:  {la:?}\n    ours: {lb:?}\n"
                    ));
                    break;
                }
            }
        }
    }
    if want.status != got.status {
        s.push_str(&format!(
            "exit status: reference {} ours {}\n",
            want.status, got.status
        ));
    }
    s
}
