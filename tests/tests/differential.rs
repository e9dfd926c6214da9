//! Differential suite: NTPsec's ntpq 1.2.2 and ours, same arguments, same
//! simulated server; stdout, stderr and exit status must match (modulo the
//! deliberate differences in tests/differences.toml).
//!
//! Each case gets its own simulator on its own loopback address, port 123
//! (the reference only talks to port 123, so this needs root), and cases run
//! in parallel. To add a case, add a line to `CASES` (differential/cases.rs):
//!
//! ```text
//! case("name", "scenario.toml", &["-n", "-c", "rv"]),
//! ```
//!
//! The host address is appended to the arguments, or substituted for
//! `{host}` / `{host2}` (a second simulator with the same scenario) when
//! they appear (also inside an argument and in the stdin text); `{scenarios}`
//! is the scenario directory (key files, configuration snippets).
//! `with_stdin("text", case)`
//! feeds commands on stdin (script mode when there is no `-c`);
//! `{nohost}` among the arguments means no host is added;
//! `stdout_only(case)` compares stdout and exit status but not stderr (for
//! debug output, which carries timestamps).
//!
//! Environment: `DIFF_FILTER=substr` runs only matching cases;
//! `NTPQ_RS_BIN` overrides our binary; `DIFF_SELF_CHECK=1` also runs the
//! reference against itself on every case (a check of the harness, the
//! simulator's determinism and the scenarios; it doubles the suite's time).

use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

#[path = "differential/cases.rs"]
mod cases;

use cases::{Case, CASES, LOG_FILES};
use ntpq_conformance::sim::{loopback, start_on_123};
use ntpq_conformance::{diff_report, have, ntpq_rs, run, shown, Need, RunOutput, REFERENCE_NTPQ};

/// Suite ids in the loopback address (127.<suite>.x.y): one per test
/// function, as the test functions of this file run in parallel too.
const SUITE_OURS: u8 = 61;
const SUITE_SELF_CHECK: u8 = 63;
/// Cases run at once.
const PARALLEL: usize = 4;

#[derive(Default)]
struct Differences {
    /// (reference status, accepted ours, only when reference stderr non-empty)
    exit_status: Vec<(i32, i32, bool)>,
    skip_cases: Vec<String>,
    /// (line prefix, after, before)
    masks: Vec<(String, String, String)>,
    /// Prefixes of the stderr lines ours adds (see `drop_added`).
    added_lines: Vec<String>,
}

fn load_differences() -> Differences {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("differences.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: ntpd_sim::toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Differences::default();
    let list = doc
        .get("difference")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    for d in list {
        let kind = d.get("kind").and_then(|v| v.as_str()).unwrap_or("");
        match kind {
            "exit_status" => {
                let get = |k: &str| {
                    d.get(k)
                        .and_then(|v| v.as_integer())
                        .unwrap_or_else(|| panic!("difference: missing {k}"))
                        as i32
                };
                let when = d.get("when").and_then(|v| v.as_str()).unwrap_or("always");
                let only_on_error = match when {
                    "always" => false,
                    "reference_stderr_nonempty" => true,
                    other => panic!("differences.toml: unknown condition {other:?}"),
                };
                out.exit_status
                    .push((get("reference"), get("ours"), only_on_error));
            }
            "skip_cases" => {
                for c in d
                    .get("cases")
                    .and_then(|v| v.as_array())
                    .cloned()
                    .unwrap_or_default()
                {
                    out.skip_cases
                        .push(c.as_str().unwrap_or_default().to_string());
                }
            }
            "mask" => {
                let get = |k: &str| {
                    d.get(k)
                        .and_then(|v| v.as_str())
                        .unwrap_or_else(|| panic!("differences.toml: mask without {k}"))
                        .to_string()
                };
                out.masks
                    .push((get("line_prefix"), get("after"), get("before")));
            }
            "added_lines" => {
                let prefix = d
                    .get("line_prefix")
                    .and_then(|v| v.as_str())
                    .unwrap_or_else(|| panic!("differences.toml: added_lines without line_prefix"));
                out.added_lines.push(prefix.to_string());
            }
            // Listed for completeness; no case shows them.
            "documented" => {}
            other => panic!("differences.toml: unknown kind {other:?}"),
        }
    }
    out
}

impl Differences {
    fn mask(&self, text: &str) -> String {
        if self.masks.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            let mut line = line.to_string();
            for (prefix, after, before) in &self.masks {
                if !line.starts_with(prefix.as_str()) {
                    continue;
                }
                if let Some(a) = line.find(after.as_str()) {
                    let from = a + after.len();
                    if let Some(b) = line[from..].find(before.as_str()) {
                        line.replace_range(from..from + b, "...");
                    }
                }
            }
            out.push_str(&line);
        }
        out
    }

    /// Our stderr without the lines we add: those starting with an
    /// `added_lines` prefix that the reference's stderr does not have.
    fn drop_added(&self, reference: &str, ours: &str) -> String {
        if self.added_lines.is_empty() {
            return ours.to_string();
        }
        let theirs: Vec<&str> = reference.split_inclusive('\n').collect();
        ours.split_inclusive('\n')
            .filter(|line| {
                let added = self
                    .added_lines
                    .iter()
                    .any(|p| line.starts_with(p.as_str()));
                !added || theirs.contains(line)
            })
            .collect()
    }

    /// Applies the masks to both outputs.
    fn normalize(&self, o: &RunOutput) -> RunOutput {
        RunOutput {
            stdout: self.mask(&shown(&o.stdout)),
            stderr: self.mask(&shown(&o.stderr)),
            status: o.status,
        }
    }

    fn same(&self, want: &RunOutput, got: &RunOutput) -> bool {
        if want.stdout != got.stdout || want.stderr != got.stderr {
            return false;
        }
        want.status == got.status
            || self.exit_status.iter().any(|&(r, o, only_on_error)| {
                want.status == r && got.status == o && (!only_on_error || !want.stderr.is_empty())
            })
    }
}

enum Verdict {
    Pass,
    Fail(String),
    ExpectedDiff,
    Skipped,
}

/// Replaces `{host}` and `{host2}` in `text`, and `{scenarios}` by the
/// scenario directory (whose key files are made private first: both
/// programs would otherwise warn about them, ours differently).
fn substitute(text: &str, h1: Ipv4Addr, h2: Ipv4Addr) -> String {
    let mut text = text
        .replace("{host}", &h1.to_string())
        .replace("{host2}", &h2.to_string());
    if text.contains("{scenarios}") {
        static PRIVATE: std::sync::Once = std::sync::Once::new();
        let dir = ntpq_conformance::sim::scenario_path("");
        PRIVATE.call_once(|| {
            use std::os::unix::fs::PermissionsExt;
            for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                if e.path().extension().is_some_and(|x| x == "keys") {
                    let _ =
                        std::fs::set_permissions(e.path(), std::fs::Permissions::from_mode(0o600));
                }
            }
        });
        text = text.replace(
            "{scenarios}",
            dir.to_str().unwrap_or("").trim_end_matches('/'),
        );
    }
    text
}

fn uses_host2(c: &Case) -> bool {
    c.args.iter().any(|a| a.contains("{host2}")) || c.stdin.contains("{host2}")
}

fn host_args(c: &Case, h1: Ipv4Addr, h2: Ipv4Addr) -> Vec<String> {
    let mut args: Vec<String> = c.args.iter().map(|a| substitute(a, h1, h2)).collect();
    // Placeholders only count as "the host" when they are whole arguments;
    // `{nohost}` (dropped) asks for no host at all.
    if !c
        .args
        .iter()
        .any(|a| matches!(*a, "{host}" | "{host2}" | "{nohost}"))
    {
        args.push(h1.to_string());
    }
    args.retain(|a| a != "{nohost}");
    args
}

/// Runs one case: `first` is the reference, `second` the binary under test.
fn run_case(
    suite: u8,
    i: usize,
    c: &Case,
    first: &Path,
    second: &Path,
    diffs: &Differences,
    self_check: bool,
) -> Verdict {
    let h1 = loopback(suite, 2 * i);
    let h2 = loopback(suite, 2 * i + 1);
    let Some(_sim1) = start_on_123(h1, c.scenario) else {
        return Verdict::Skipped;
    };
    let _sim2 = if uses_host2(c) {
        match start_on_123(h2, c.scenario) {
            Some(s) => Some(s),
            None => return Verdict::Skipped,
        }
    } else {
        None
    };
    let args = host_args(c, h1, h2);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let stdin = substitute(c.stdin, h1, h2);
    let mut want = diffs.normalize(&run(first, &args, &stdin));
    let mut got = diffs.normalize(&run(second, &args, &stdin));
    got.stderr = diffs.drop_added(&want.stderr, &got.stderr);
    if !c.compare_stderr {
        // Kept non-empty when the reference's is, for the exit-status rules.
        let marker = if want.stderr.is_empty() {
            ""
        } else {
            "(not compared)\n"
        };
        want.stderr = marker.to_string();
        got.stderr = marker.to_string();
    }
    let label = format!(
        "{} ({}: ntpq {} <<< {:?})",
        c.name,
        c.scenario,
        args.join(" "),
        stdin
    );
    if diffs.same(&want, &got) {
        Verdict::Pass
    } else if !self_check && diffs.skip_cases.iter().any(|s| s == c.name) {
        Verdict::ExpectedDiff
    } else {
        Verdict::Fail(diff_report(&label, &want, &got))
    }
}

/// Runs the table with up to PARALLEL cases at once; panics listing failures.
fn run_table(first: &Path, second: &Path, diffs: &Differences, self_check: bool) {
    let filter = std::env::var("DIFF_FILTER").unwrap_or_default();
    let selected: Vec<(usize, &Case)> = CASES
        .iter()
        .enumerate()
        .filter(|(_, c)| c.name.contains(&filter))
        .collect();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Verdict)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..PARALLEL {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::SeqCst);
                let Some(&(i, c)) = selected.get(k) else {
                    break;
                };
                let suite = if self_check {
                    SUITE_SELF_CHECK
                } else {
                    SUITE_OURS
                };
                let v = run_case(suite, i, c, first, second, diffs, self_check);
                results.lock().unwrap().push((i, v));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.0);
    let (mut pass, mut expected, mut skipped) = (0, 0, 0);
    let mut failures = Vec::new();
    for (i, v) in results {
        let name = CASES[i].name;
        match v {
            Verdict::Pass => pass += 1,
            Verdict::ExpectedDiff => expected += 1,
            Verdict::Skipped => skipped += 1,
            Verdict::Fail(report) => failures.push((name, report)),
        }
    }
    eprintln!(
        "differential: {pass} passed, {} failed, {expected} deliberate differences, {skipped} skipped",
        failures.len()
    );
    if !failures.is_empty() {
        let names: Vec<&str> = failures.iter().map(|f| f.0).collect();
        let reports: Vec<String> = failures.into_iter().map(|f| f.1).collect();
        panic!(
            "{} case(s) differ: {}\n\n{}",
            names.len(),
            names.join(", "),
            reports.join("\n")
        );
    }
}

#[test]
fn ours_matches_reference() {
    if !have(&[Need::ReferenceNtpq, Need::Port123]) {
        return;
    }
    let diffs = load_differences();
    run_table(Path::new(REFERENCE_NTPQ), &ntpq_rs(), &diffs, false);
    for f in LOG_FILES {
        let _ = std::fs::remove_file(f);
    }
}

/// The harness itself: the reference against itself must agree on every
/// case (this checks the simulator's determinism and the scenarios).
/// Opt-in (`DIFF_SELF_CHECK=1`): it runs the reference twice per case.
#[test]
fn harness_self_check_reference_against_itself() {
    if !matches!(std::env::var("DIFF_SELF_CHECK").as_deref(), Ok(v) if !v.is_empty() && v != "0") {
        return;
    }
    if !have(&[Need::ReferenceNtpq, Need::Port123]) {
        return;
    }
    // No deliberate differences, only the masks of unreproducible text.
    let exact = Differences {
        masks: load_differences().masks,
        ..Differences::default()
    };
    run_table(
        Path::new(REFERENCE_NTPQ),
        Path::new(REFERENCE_NTPQ),
        &exact,
        true,
    );
    for f in LOG_FILES {
        let _ = std::fs::remove_file(f);
    }
}

#[test]
fn case_names_are_unique_and_table_is_large_enough() {
    let mut names: Vec<&str> = CASES.iter().map(|c| c.name).collect();
    names.sort_unstable();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n, "duplicate case names");
    assert!(n >= 40);
    for c in CASES {
        assert!(
            ntpq_conformance::sim::scenario_path(c.scenario).exists(),
            "{}: missing scenario {}",
            c.name,
            c.scenario
        );
    }
    let d = load_differences();
    for s in &d.skip_cases {
        assert!(
            CASES.iter().any(|c| c.name == s),
            "differences.toml names unknown case {s}"
        );
    }
}
