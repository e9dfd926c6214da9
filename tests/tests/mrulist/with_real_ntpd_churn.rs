//! mrulist on a real ntpd whose list changes while it is read (the
//! load generator's churn): every client present before the retrieval
//! began is shown, once, and the report follows the table. Each test fills
//! an ntpd of its own.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use ntpq_conformance::ntpd::NTPD_ADDR;
use ntpq_conformance::{ntp_loadgen, RunOutput};

use super::ours;
use super::output::{changed_count, duplicates, report_lines, table, Row};
use super::with_real_ntpd::{assert_matches_truth, own_filled, SELF_ADDR};

/// Runs our `mrulist` 0.2 s into a 1.5 s `ntp-loadgen churn` (with
/// `extra` rates and seed, on top of the 10000 filled clients) and returns
/// our output and its duration; the churn must succeed.
fn mrulist_during_churn(extra: &[&str], truth: &Path) -> (RunOutput, Duration) {
    let churn = Command::new(ntp_loadgen())
        .args([
            "churn",
            "--duration",
            "1.5",
            "--existing",
            "10000",
            "--json",
            "--ground-truth",
        ])
        .arg(truth)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ntp-loadgen churn");
    std::thread::sleep(Duration::from_millis(200));
    let (out, took) = ours(&["-n", "-c", "mrulist", NTPD_ADDR]);
    let churn_out = churn.wait_with_output().expect("wait for ntp-loadgen");
    assert!(
        churn_out.status.success(),
        "ntp-loadgen churn failed: {}",
        String::from_utf8_lossy(&churn_out.stderr)
    );
    (out, took)
}

#[test]
fn real_ntpd_busy_list_is_complete_and_reported() {
    // 10000 clients, then 4000 new clients per second for 1.5 s while our
    // mrulist reads the list: every client that was there before the
    // retrieval began is shown once, and the report follows the table.
    let Some((ntpd, truth)) = own_filled() else {
        return;
    };
    let churn_truth = ntpd.dir().join("churn-truth.txt");
    let (out, took) = mrulist_during_churn(&["--new-per-sec", "4000", "--seed", "1"], &churn_truth);
    assert_eq!(
        out.status, 0,
        "mrulist on a busy ntpd failed after {took:?}: {}",
        out.stderr
    );
    assert!(!out.stderr.contains("***"), "stderr: {:?}", out.stderr);
    let t = table("busy ntpd", &out);
    let dups = duplicates(&t.rows);
    assert!(dups.is_empty(), "addresses shown twice: {dups:?}");
    let shown: HashSet<&str> = t.rows.iter().map(|r| r.addr.as_str()).collect();
    let missing: Vec<&String> = truth
        .iter()
        .filter(|(a, (_, answered))| *answered && !shown.contains(a.as_str()))
        .map(|(a, _)| a)
        .take(10)
        .collect();
    assert!(
        missing.is_empty(),
        "clients that were in the list before the retrieval began are missing (first 10): {missing:?}"
    );
    let new_shown = t.rows.len().saturating_sub(truth.len() + 1);
    assert!(
        new_shown > 0,
        "no client that arrived during the retrieval is shown: did the churn run meanwhile? \
         (mrulist took {took:?})"
    );
    assert!(
        report_lines(&t)
            .iter()
            .any(|l| l.starts_with("# Retrieval took ")),
        "the list changed during the retrieval: the report must follow; '# ' lines: {:?}",
        t.trailer
    );
    // Each new client is received once (nothing re-touches them), plus our
    // own 127.0.0.1 entry; clients that arrived after the churn started
    // but before the retrieval did are shown but not counted.
    let changed = changed_count(&t);
    assert!(
        changed.is_some_and(|n| n > 0 && n as usize <= new_shown + 2),
        "report: between 1 and {} entries changed during the retrieval; '# ' lines: {:?}",
        new_shown + 2,
        t.trailer
    );
    // Nothing was missed: the pre-existing clients are all there (above),
    // and newcomers join the newest end, which the walk always reaches.
    let estimate = t
        .trailer
        .iter()
        .find_map(|l| l.strip_prefix("# Estimated entries missed"))
        .and_then(|rest| {
            rest.split(|c: char| !c.is_ascii_digit())
                .find(|w| !w.is_empty())?
                .parse::<usize>()
                .ok()
        });
    assert!(
        estimate.is_some_and(|m| m <= (new_shown / 10).max(50)),
        "the estimate of missed entries should be near the truth (0): '# ' lines: {:?}",
        t.trailer
    );
}

#[test]
fn real_ntpd_clients_retouched_during_retrieval_are_shown_once() {
    // 3000 requests per second from known clients, sent from the churn's
    // own socket, i.e. from a new source port: a client touched while the
    // list is read comes back at the newest end with another port. ntpd
    // keeps one entry per address, so must we (1.2.2 keys on
    // address:port and can show such a client twice).
    let Some((ntpd, truth)) = own_filled() else {
        return;
    };
    let (out, took) = mrulist_during_churn(
        &[
            "--new-per-sec",
            "0",
            "--touch-per-sec",
            "3000",
            "--seed",
            "2",
        ],
        &ntpd.dir().join("touch-truth.txt"),
    );
    assert_eq!(
        out.status, 0,
        "mrulist failed after {took:?}: {}",
        out.stderr
    );
    let t = table("retouched", &out);
    let dups = duplicates(&t.rows);
    assert!(
        dups.is_empty(),
        "clients shown twice (first 10): {:?}",
        &dups[..dups.len().min(10)]
    );
    let others: Vec<Row> = t
        .rows
        .iter()
        .filter(|r| r.addr != SELF_ADDR)
        .cloned()
        .collect();
    assert_matches_truth("retouched", &others, &truth, |_| true);
    assert_eq!(
        t.rows.len(),
        truth.len() + 1,
        "one row per client, and ntpq's own"
    );
    let touched = t
        .rows
        .iter()
        .filter(|r| r.count >= 2 && r.addr != SELF_ADDR)
        .count();
    assert!(
        touched > 0,
        "no client was touched during the retrieval ({took:?})"
    );
    assert!(
        changed_count(&t).is_some_and(|n| n > 0),
        "the list changed during the retrieval: the report must say so; '# ' lines: {:?}",
        t.trailer
    );
}
