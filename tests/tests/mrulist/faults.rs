//! mrulist through real sockets under the simulator's faults: the wiring
//! of loss and salvage, runt datagrams through the batched receive path,
//! duplicates and reordering, and the time a dead server costs. The fault
//! cases proper run in memory against the simulator's core on a virtual
//! clock (crates/ntpd-sim/tests/mru_pair.rs).

use std::time::Duration;

use ntpd_sim::{Scenario, Simulator};
use ntpq_conformance::RunOutput;

use super::output::{head, table};
use super::{ours, ours_ok, BANNER};

/// Upper bound on the wall time of one retrieval under faults: generous
/// for a loaded 2-core machine running debug builds (a healthy run of these
/// lists takes well under a second; the reference's own timeout is 5 s per
/// attempt).
const FAULT_BOUND: Duration = Duration::from_secs(30);

/// The list used by the fault tests: frozen `now`, so a complete retrieval
/// prints exactly the same table with or without faults.
const FAULT_LIST: &str = "[mru]\nseed = 11\nfrozen_now = true\n[mru.generate]\ncount = 3000\nspacing = 0.5\nnewest_ago = 3\nipv6_every = 9\n";

fn fault_scenario(faults: &str) -> Scenario {
    let text = format!("{FAULT_LIST}\n[faults]\nseed = 5\n{faults}\n");
    Scenario::from_toml_str(&text).unwrap_or_else(|e| panic!("scenario: {e}\n{text}"))
}

fn serve(scenario: Scenario) -> Simulator {
    Simulator::spawn("127.0.0.1:0".parse().expect("address"), scenario).expect("simulator")
}

fn run_on(scenario: Scenario, cmd: &str) -> (RunOutput, Duration) {
    let sim = serve(scenario);
    ours(&["-n", "-c", cmd, &sim.local_addr().to_string()])
}

/// The table without faults.
fn clean_rows() -> Vec<String> {
    let sim = serve(fault_scenario(""));
    let (t, _, _) = ours_ok("mrulist", &sim.local_addr().to_string());
    let rows: Vec<String> = t.rows.into_iter().map(|r| r.line).collect();
    assert_eq!(rows.len(), 3_000);
    rows
}

/// Under `faults` mrulist completes within [`FAULT_BOUND`] and prints
/// `want`, the table without faults.
fn completes_despite(faults: &str, want: &[String]) {
    let (out, took) = run_on(fault_scenario(faults), "mrulist");
    assert!(
        took < FAULT_BOUND,
        "[faults] {faults}: mrulist took {took:?} (bound {FAULT_BOUND:?})"
    );
    assert_eq!(
        out.status,
        0,
        "[faults] {faults}: mrulist failed after {took:?}: {}\n{}",
        out.stderr,
        head(&out.stdout)
    );
    let got: Vec<String> = table(faults, &out)
        .rows
        .into_iter()
        .map(|r| r.line)
        .collect();
    if got != want {
        let first = want.iter().zip(&got).position(|(a, b)| a != b);
        panic!(
            "[faults] {faults}: the table differs from the one without faults ({} rows, want {}); first difference at row {first:?}: want {:?}, got {:?}",
            got.len(),
            want.len(),
            first.and_then(|i| want.get(i)),
            first.and_then(|i| got.get(i))
        );
    }
}

/// Under `faults` mrulist gives up within `bound` with a `***` message
/// as the last line on stderr but our `ntpq: ` explanation (after the
/// reference's warnings about bad fragments, if any), a non-zero exit
/// status, and no table.
fn fails_clearly(faults: &str, bound: Duration) {
    let (out, took) = run_on(fault_scenario(faults), "mrulist");
    assert!(
        took < bound,
        "[faults] {faults}: mrulist took {took:?} to give up (bound {bound:?})"
    );
    // The 1.2.2 message, then possibly our one-line `ntpq: ` explanation.
    let last = out
        .stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.starts_with("ntpq: "));
    assert!(
        last.is_some_and(|l| l.starts_with("***")),
        "[faults] {faults}: expected a '***' message at the end of stderr, got {:?}",
        out.stderr
    );
    assert_eq!(
        out.status, 1,
        "[faults] {faults}: exit status of a failed command"
    );
    assert_eq!(
        out.stdout.trim_end(),
        BANNER,
        "[faults] {faults}: a failed retrieval prints only the banner (and its error)"
    );
}

/// Faults a retrieval gets through with the same table as without them.
const SURVIVABLE: &[&str] = &[
    "drop = 0.05",
    "reorder = \"swap\"\nduplicate = 0.1",
    "malformed = \"truncate\"\nmalformed_fraction = 0.05\nopcodes = [10]",
];

#[test]
fn loss_duplicates_reordering_and_runts_leave_the_table_intact() {
    let want = clean_rows();
    for faults in SURVIVABLE {
        completes_despite(faults, &want);
    }
}

// The two dead servers below mostly wait for timeouts: separate tests, so
// they wait side by side.

#[test]
fn silent_server_fails_as_fast_as_the_reference() {
    // 1.2.2 sends only the REQ_NONCE: 5 s, one retry, `***Request timed out`
    // after 10 s. We read the MRU counters first, which time out the same
    // way (the nonce's own timeouts are tested in memory). Allow 5 s on
    // top for a loaded machine.
    fails_clearly("silence = true", Duration::from_secs(15));
}

#[test]
fn mru_replies_that_never_arrive_fail_clearly() {
    // The nonce exchange works, every READ_MRU reply is lost.
    fails_clearly("drop = 1.0\nopcodes = [10]", FAULT_BOUND);
}
