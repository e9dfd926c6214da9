//! `mrulist` end to end:
//!
//! * [`with_real_ntpd`]: a real NTPsec ntpd on 127.0.0.1 whose MRU list
//!   is filled by `ntp-loadgen` (10k clients); our `ntpq -n -c mrulist`
//!   against `/usr/bin/ntpq -n -c mrulist` on the same list, with the load
//!   generator's ground truth as a second witness. The tests that only read
//!   share one filled ntpd; the two that churn the list
//!   ([`with_real_ntpd_churn`]) get their own;
//! * [`simulated`]: the simulator with a list that changes while it is read
//!   (completeness, the `# ` report) and one that does not (no report, the
//!   reference's output);
//! * [`faults`]: loss, duplication, reordering, malformed replies, silence
//!   through real sockets — bounded in time, same entries as without
//!   faults (the fault cases proper run in memory:
//!   crates/ntpd-sim/tests/mru_pair.rs);
//! * [`interrupt`]: Ctrl-C during a long retrieval, and a reader that goes
//!   away (`| head -3`).
//!
//! The test harness starts tests in name order: the modules are named so
//! that the CPU-heavy real-ntpd comparisons come last, after the
//! simulated lists and interruptions whose timing they would disturb.
//!
//! Every run uses `-n`: the machine's name server is not on loopback and
//! must never be queried (names are tested in `names.rs`).

mod faults;
mod hooked;
mod interrupt;
mod output;
mod simulated;
mod with_real_ntpd;
mod with_real_ntpd_churn;

use std::time::{Duration, Instant};

use ntpq_conformance::{ntpq_rs, run, RunOutput};
use output::{head, table, Table};

/// Loopback addresses 127.64.x.y for the tests that need port 123.
const SUITE: u8 = 64;

const BANNER: &str = "Ctrl-C will stop MRU retrieval and display partial results.";
const HEADER: &str = " lstint avgint rstr r m v  count    score   drop rport remote address";
const INTERRUPTED: &str =
    "mrulist retrieval interrupted by operator.\nDisplaying partial client list.\n";

/// Runs our ntpq with `args`; its output and how long it took.
fn ours(args: &[&str]) -> (RunOutput, Duration) {
    let t = Instant::now();
    let out = run(&ntpq_rs(), args, "");
    (out, t.elapsed())
}

/// Runs our `ntpq -n -c CMD HOST`, which must succeed without a word on
/// stderr and print a table; the table, the whole output and the time it
/// took.
fn ours_ok(cmd: &str, host: &str) -> (Table, RunOutput, Duration) {
    let (out, took) = ours(&["-n", "-c", cmd, host]);
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (0, ""),
        "`{cmd}` failed after {took:?}:\n{}",
        head(&out.stdout)
    );
    (table(cmd, &out), out, took)
}
