//! Shared helpers for the end-to-end suites in `tests/tests/`: where the
//! binaries are, how to run them with a pinned environment, how to skip
//! (or, in CI, fail) when the machine lacks something ([`needs`]), real
//! ntpd fixtures ([`ntpd`]) and simulators on port 123 ([`sim`]).

pub mod follow;
pub mod needs;
pub mod ntpd;
pub mod sim;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub use needs::{have, Need};

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

/// A program of this workspace, built next to the running executable:
/// `target/<profile>/NAME` for a test (which runs from
/// `target/<profile>/deps/`) or for a program of this package (such as
/// `mrulist-bench`), so CARGO_TARGET_DIR and profiles are respected.
/// Panics, saying how to build it, when it is missing.
pub fn workspace_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("path of the running executable");
    let mut dir = exe.parent().expect("executable directory");
    if dir.file_name().is_some_and(|d| d == "deps") {
        dir = dir.parent().expect("target profile directory");
    }
    let bin = dir.join(name);
    if !bin.exists() {
        let release = if dir.file_name().is_some_and(|d| d == "release") {
            " --release"
        } else {
            ""
        };
        panic!(
            "{} not built: run `cargo build{release} --workspace` first",
            bin.display()
        );
    }
    bin
}

/// Our `ntpq` ([`workspace_bin`]); `NTPQ_RS_BIN` tests another binary.
pub fn ntpq_rs() -> PathBuf {
    match std::env::var_os("NTPQ_RS_BIN") {
        Some(p) => PathBuf::from(p),
        None => workspace_bin("ntpq"),
    }
}

/// `ntp-loadgen` ([`workspace_bin`]); `NTP_LOADGEN_BIN` overrides.
pub fn ntp_loadgen() -> PathBuf {
    match std::env::var_os("NTP_LOADGEN_BIN") {
        Some(p) => PathBuf::from(p),
        None => workspace_bin("ntp-loadgen"),
    }
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

/// The deliberate difference `control-characters-shown`
/// (tests/differences.toml) applied to either program's output: control
/// characters the reference prints as the server sent them (1.2.2's ntpd
/// puts a stray control into a refclock's filter arrays) we show as
/// `\xHH`, in the same layout. Ours is left unchanged, but for raw mode's
/// final CR, which both print.
pub fn shown(text: &str) -> String {
    text.split('\n')
        .map(|line| ntp_control::visible::visible(line).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
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
