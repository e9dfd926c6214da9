//! Differential suite: NTPsec's ntpq 1.2.2 and ours, same arguments, same
//! simulated server; stdout, stderr and exit status must match (modulo the
//! deliberate differences in tests/differences.toml).
//!
//! Each case gets its own simulator on its own loopback address, port 123
//! (the reference only talks to port 123, so this needs root), and cases run
//! in parallel. To add a case, add a line to `CASES`:
//!
//! ```text
//! case("name", "scenario.toml", &["-n", "-c", "rv"]),
//! ```
//!
//! The host address is appended to the arguments, or substituted for
//! `{host}` / `{host2}` (a second simulator with the same scenario) when
//! they appear. Wrap a case in `pending(...)` while our ntpq does not
//! implement it yet: it still runs, but a mismatch does not fail the suite.
//!
//! Environment: `DIFF_FILTER=substr` runs only matching cases;
//! `NTPQ_RS_BIN` overrides our binary.

use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use ntpq_conformance::sim::{loopback, start_on_123};
use ntpq_conformance::{diff_report, ntpq_rs, require, run, RunOutput, REFERENCE_NTPQ};

struct Case {
    name: &'static str,
    scenario: &'static str,
    args: &'static [&'static str],
    pending: bool,
}

const fn case(name: &'static str, scenario: &'static str, args: &'static [&'static str]) -> Case {
    Case {
        name,
        scenario,
        args,
        pending: false,
    }
}

/// Not implemented in ntpq-rs yet: runs, reports, never fails the suite.
const fn pending(c: Case) -> Case {
    Case { pending: true, ..c }
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    // readvar family
    case("rv", "synced.toml", &["-n", "-c", "rv"]),
    case("rv-names", "synced.toml", &["-n", "-c", "rv 0 offset,stratum"]),
    case("rv-names-spaces", "synced.toml", &["-n", "-c", "rv 0 stratum offset leap"]),
    case("rv-names-dup", "synced.toml", &["-n", "-c", "rv 0 leap,leap,stratum"]),
    case("rv-silent-name", "synced.toml", &["-n", "-c", "rv 0 sys_var_list"]),
    case("rv-peer-ref", "synced.toml", &["-n", "-c", "rv &1"]),
    case("rv-peer-refclock", "synced.toml", &["-n", "-c", "rv &4"]),
    case("rv-peer-pool", "synced.toml", &["-n", "-c", "rv &3"]),
    case("rv-peer-ipv6", "synced.toml", &["-n", "-c", "rv &2"]),
    case("rv-small-id", "synced.toml", &["-n", "-c", "rv 1 srcadr"]),
    case("rv-associd", "synced.toml", &["-n", "-c", "rv 17775 srcadr,srchost,stratum"]),
    case("readvar-long", "synced.toml", &["-n", "-c", "readvar 0 leap"]),
    case("rl", "synced.toml", &["-n", "-c", "rl"]),
    case("rv-unsynced", "unsynced.toml", &["-n", "-c", "rv"]),
    case("rv-empty", "empty.toml", &["-n", "-c", "rv"]),
    case("rv-sysstats-vars", "synced.toml", &["-n", "-c", "rv 0 ss_uptime,ss_received,ss_kodsent"]),
    case("cv-refclock", "synced.toml", &["-n", "-c", "cv &4"]),
    case("cv-names", "synced.toml", &["-n", "-c", "cv 17773 device,name"]),
    case("mrv", "synced.toml", &["-n", "-c", "mrv &1 &3 srcadr,stratum"]),
    // errors
    case("err-unknownvar", "synced.toml", &["-n", "-c", "rv 0 nosuchvar"]),
    case("err-no-such-assoc", "synced.toml", &["-n", "-c", "rv &9"]),
    case("err-badassoc", "synced.toml", &["-n", "-c", "rv 4242"]),
    case("err-unknown-command", "synced.toml", &["-n", "-c", "frobnicate"]),
    case("err-ambiguous-command", "synced.toml", &["-n", "-c", "r"]),
    case("err-cv-no-clock", "unsynced.toml", &["-n", "-c", "cv"]),
    case("err-continue-after-error", "synced.toml", &["-n", "-c", "rv 0 nosuchvar", "-c", "rv 0 stratum"]),
    // associations
    case("as", "synced.toml", &["-n", "-c", "as"]),
    case("as-long", "synced.toml", &["-n", "-c", "associations"]),
    case("as-none", "unsynced.toml", &["-n", "-c", "as"]),
    case("as-empty", "empty.toml", &["-n", "-c", "as"]),
    case("passociations", "synced.toml", &["-n", "-c", "as", "-c", "passociations"]),
    // peers tables
    case("peers", "synced.toml", &["-p"]),
    case("peers-n", "synced.toml", &["-pn"]),
    case("peers-w", "synced.toml", &["-pw"]),
    case("peers-nw", "synced.toml", &["-n", "-w", "-p"]),
    case("peers-W60", "synced.toml", &["-n", "-W", "60", "-p"]),
    case("peers-W70", "synced.toml", &["-n", "-W", "70", "-p"]),
    case("peers-W100", "synced.toml", &["-n", "-W", "100", "-p"]),
    case("peers-W120", "synced.toml", &["-n", "-W", "120", "-p"]),
    case("peers-W60-w", "synced.toml", &["-n", "-W", "60", "-w", "-p"]),
    case("peers-command", "synced.toml", &["-n", "-c", "peers"]),
    case("peers-none", "unsynced.toml", &["-n", "-p"]),
    case("peers-hostnames-no", "synced.toml", &["-c", "hostnames no", "-c", "peers"]),
    case("peers-ntpversion-1", "synced.toml", &["-n", "-c", "ntpversion 1", "-c", "peers"]),
    case("lpeers", "synced.toml", &["-n", "-c", "lpeers"]),
    case("apeers", "synced.toml", &["-n", "-c", "apeers"]),
    case("opeers", "synced.toml", &["-n", "-c", "opeers"]),
    case("lopeers", "synced.toml", &["-n", "-c", "lopeers"]),
    case("rpeers", "synced.toml", &["-n", "-c", "rpeers"]),
    // units and raw
    case("units-rv", "synced.toml", &["-n", "-u", "-c", "rv"]),
    case("units-peer", "synced.toml", &["-n", "-u", "-c", "rv &1"]),
    case("units-peers", "synced.toml", &["-n", "-u", "-p"]),
    case("units-command", "synced.toml", &["-n", "-c", "units", "-c", "rv 0 offset,rootdelay,frequency"]),
    case("raw-rv", "synced.toml", &["-n", "-c", "raw", "-c", "rv"]),
    case("raw-peer", "synced.toml", &["-n", "-c", "raw", "-c", "rv &1"]),
    case("raw-names", "synced.toml", &["-n", "-c", "raw", "-c", "rv 0 offset,stratum"]),
    case("raw-cv", "synced.toml", &["-n", "-c", "raw", "-c", "cv &4"]),
    // help and settings
    case("help", "synced.toml", &["-c", "help"]),
    case("help-rv", "synced.toml", &["-c", "help rv"]),
    case("help-peers", "synced.toml", &["-c", "help peers"]),
    // several commands, several hosts
    case("multi-c", "synced.toml", &["-n", "-c", "rv 0 stratum", "-c", "as", "-c", "peers"]),
    case("two-hosts-rv", "synced.toml", &["-n", "-c", "rv 0 stratum,refid", "{host}", "{host2}"]),
    case("two-hosts-peers", "synced.toml", &["-n", "-p", "{host}", "{host2}"]),
    case("two-hosts-as", "synced.toml", &["-n", "-c", "as", "{host}", "{host2}"]),
    // summaries and MRU (not implemented yet)
    pending(case("sysinfo", "synced.toml", &["-n", "-c", "sysinfo"])),
    pending(case("sysstats", "synced.toml", &["-n", "-c", "sysstats"])),
    pending(case("kerninfo", "synced.toml", &["-n", "-c", "kerninfo"])),
    pending(case("pstats", "synced.toml", &["-n", "-c", "pstats &1"])),
    // mrulist
    case("mrulist", "mru_small.toml", &["-n", "-c", "mrulist"]),
    case("mrulist-limit", "mru_small.toml", &["-n", "-c", "mrulist limit=5 sort=-avgint"]),
    case("mrulist-frags", "mru_small.toml", &["-n", "-c", "mrulist frags=3"]),
    case("mrulist-sort-count", "mru_small.toml", &["-n", "-c", "mrulist sort=count"]),
    case("mrulist-sort-rcount", "mru_small.toml", &["-n", "-c", "mrulist sort=-count"]),
    case("mrulist-sort-addr", "mru_small.toml", &["-n", "-c", "mrulist sort=addr"]),
    case("mrulist-sort-raddr", "mru_small.toml", &["-n", "-c", "mrulist sort=-addr"]),
    case("mrulist-sort-avgint", "mru_small.toml", &["-n", "-c", "mrulist sort=avgint"]),
    case("mrulist-sort-lstint", "mru_small.toml", &["-n", "-c", "mrulist sort=lstint"]),
    case("mrulist-sort-rlstint", "mru_small.toml", &["-n", "-c", "mrulist sort=-lstint"]),
    case("mrulist-sort-score", "mru_small.toml", &["-n", "-c", "mrulist sort=score"]),
    case("mrulist-sort-rscore", "mru_small.toml", &["-n", "-c", "mrulist sort=-score"]),
    case("mrulist-sort-drop", "mru_small.toml", &["-n", "-c", "mrulist sort=drop"]),
    case("mrulist-sort-rdrop", "mru_small.toml", &["-n", "-c", "mrulist sort=-drop"]),
    case("mrulist-mincount", "mru_small.toml", &["-n", "-c", "mrulist mincount=1000"]),
    case("mrulist-mindrop", "mru_small.toml", &["-n", "-c", "mrulist mindrop=1"]),
    case("mrulist-recent", "mru_small.toml", &["-n", "-c", "mrulist recent=4"]),
    case("mrulist-kod", "mru_small.toml", &["-n", "-c", "mrulist kod"]),
    case("mrulist-limited", "mru_small.toml", &["-n", "-c", "mrulist limited"]),
    case("mrulist-resall", "mru_small.toml", &["-n", "-c", "mrulist resall=0x0"]),
    case("mrulist-bad-sort", "mru_small.toml", &["-n", "-c", "mrulist sort=nosuch"]),
    case("mrulist-bad-param", "mru_small.toml", &["-n", "-c", "mrulist foo=1"]),
    case("mrulist-bad-param-bare", "mru_small.toml", &["-n", "-c", "mrulist bar"]),
    case("mrulist-direct", "mru_small.toml", &["-n", "-c", "direct", "-c", "mrulist"]),
    case("mrulist-direct-toggle", "mru_small.toml", &["-n", "-c", "direct", "-c", "direct"]),
    case("mrulist-empty", "empty.toml", &["-n", "-c", "mrulist"]),
    case("mrulist-twice", "mru_small.toml", &["-n", "-c", "mrulist limit=3", "-c", "mrulist sort=addr"]),
];

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

    /// Applies the masks to both outputs.
    fn normalize(&self, o: &RunOutput) -> RunOutput {
        RunOutput {
            stdout: self.mask(&o.stdout),
            stderr: self.mask(&o.stderr),
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
    PendingFail,
    PendingPass,
    ExpectedDiff,
    Skipped,
}

fn host_args(c: &Case, h1: Ipv4Addr, h2: Ipv4Addr) -> Vec<String> {
    let (h1, h2) = (h1.to_string(), h2.to_string());
    let mut uses_placeholder = false;
    let mut args: Vec<String> = c
        .args
        .iter()
        .map(|a| match *a {
            "{host}" => {
                uses_placeholder = true;
                h1.clone()
            }
            "{host2}" => {
                uses_placeholder = true;
                h2.clone()
            }
            other => other.to_string(),
        })
        .collect();
    if !uses_placeholder {
        args.push(h1);
    }
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
) -> Verdict {
    let h1 = loopback(suite, 2 * i);
    let h2 = loopback(suite, 2 * i + 1);
    let Some(_sim1) = start_on_123(h1, c.scenario) else {
        return Verdict::Skipped;
    };
    let _sim2 = if c.args.contains(&"{host2}") {
        match start_on_123(h2, c.scenario) {
            Some(s) => Some(s),
            None => return Verdict::Skipped,
        }
    } else {
        None
    };
    let args = host_args(c, h1, h2);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let want = diffs.normalize(&run(first, &args, ""));
    let got = diffs.normalize(&run(second, &args, ""));
    let label = format!("{} ({}: ntpq {})", c.name, c.scenario, args.join(" "));
    if diffs.same(&want, &got) {
        if c.pending {
            Verdict::PendingPass
        } else {
            Verdict::Pass
        }
    } else if diffs.skip_cases.iter().any(|s| s == c.name) {
        Verdict::ExpectedDiff
    } else if c.pending {
        Verdict::PendingFail
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
                let mut v = run_case(suite, i, c, first, second, diffs);
                if self_check {
                    // Reference against itself: everything must match.
                    if let Verdict::PendingFail = v {
                        v = Verdict::Fail(format!("--- {}: reference differs from itself", c.name));
                    }
                }
                results.lock().unwrap().push((i, v));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.0);
    let (mut pass, mut pending_fail, mut pending_pass, mut expected, mut skipped) = (0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for (i, v) in results {
        let name = CASES[i].name;
        match v {
            Verdict::Pass => pass += 1,
            Verdict::PendingFail => pending_fail += 1,
            Verdict::PendingPass => {
                pending_pass += 1;
                if !self_check {
                    eprintln!("note: pending case {name} now matches; drop its pending marker");
                }
            }
            Verdict::ExpectedDiff => expected += 1,
            Verdict::Skipped => skipped += 1,
            Verdict::Fail(report) => failures.push((name, report)),
        }
    }
    eprintln!(
        "differential: {pass} passed, {} failed, {pending_fail} pending (differ), {pending_pass} pending (match), {expected} deliberate differences, {skipped} skipped",
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
    if !require(REFERENCE_NTPQ, "apt-get install -y ntpsec") {
        return;
    }
    let diffs = load_differences();
    run_table(Path::new(REFERENCE_NTPQ), &ntpq_rs(), &diffs, false);
}

/// The harness itself: the reference against itself must agree on every
/// case (this checks the simulator's determinism and the scenarios).
#[test]
fn harness_self_check_reference_against_itself() {
    if !require(REFERENCE_NTPQ, "apt-get install -y ntpsec") {
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
