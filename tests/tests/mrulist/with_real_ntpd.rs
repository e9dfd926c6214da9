//! mrulist against a real ntpd filled by `ntp-loadgen`, compared with the
//! reference on the same list and with the load generator's ground truth.

use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use ntpq_conformance::ntpd::{self, Exclusive, RealNtpd, Shared, NTPD_ADDR};
use ntpq_conformance::{have, ntp_loadgen, run, Need, RunOutput, REFERENCE_NTPQ};

use super::output::{duplicates, head, mask_digits, table, Row, Table};
use super::{ours, BANNER};

/// Per client address: packets sent, and whether one was answered.
pub(super) type Truth = HashMap<String, (u64, bool)>;

/// Runs `ntp-loadgen fill --count n` against the fixture ntpd and adds its
/// ground truth to `truth`.
fn fill(dir: &Path, n: u64, truth: &mut Truth) {
    let file = dir.join(format!("truth-{n}-{}.txt", truth.len()));
    let out = Command::new(ntp_loadgen())
        .args([
            "fill",
            "--count",
            &n.to_string(),
            "--json",
            "--ground-truth",
        ])
        .arg(&file)
        .stdin(Stdio::null())
        .output()
        .expect("run ntp-loadgen");
    assert!(
        out.status.success(),
        "ntp-loadgen fill --count {n} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&file).expect("ground truth file");
    let mut lines = 0;
    for l in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = l.split_whitespace().collect();
        assert!(f.len() >= 5, "ground truth line {l:?}");
        let count: u64 = f[1].parse().expect("count");
        let answered = f[4] != "0";
        let e = truth.entry(f[0].to_string()).or_insert((0, false));
        e.0 += count;
        e.1 |= answered;
        lines += 1;
    }
    assert_eq!(lines, n, "ground truth lists every client");
}

/// Clients the load generator adds to every filled ntpd.
const CLIENTS: u64 = 10_000;
/// Of those, how many the shared ntpd's setup touches a second time
/// (counts 1 and 2 for the sorts and `mincount`).
const RETOUCHED: u64 = 500;

/// Fills `ntpd` (room for 20000 entries) with [`CLIENTS`] load-generator
/// clients (127.1.0.0 upward) and then touches `retouch` of them (the
/// first ones) a second time.
fn fill_clients(ntpd: &RealNtpd, retouch: u64) -> Truth {
    let mut truth = Truth::new();
    fill(ntpd.dir(), CLIENTS, &mut truth);
    if retouch > 0 {
        fill(ntpd.dir(), retouch, &mut truth);
    }
    let answered = truth.values().filter(|v| v.1).count();
    assert!(
        answered as u64 >= CLIENTS - 10,
        "ntpd answered only {answered} of {CLIENTS} load-generator clients\n{}",
        ntpd.log()
    );
    truth
}

fn machine_ready() -> bool {
    have(&[Need::ReferenceNtpq, Need::Root, Need::RealNtpd])
}

/// The filled ntpd the tests that only read share, [`RETOUCHED`] clients
/// touched twice. None when the machine cannot run it outside CI.
fn shared_filled() -> Option<Shared<Truth>> {
    if !machine_ready() {
        return None;
    }
    ntpd::shared("mru maxdepth 20000\n", |n| fill_clients(n, RETOUCHED))
}

/// A filled ntpd of the test's own (it changes the list), every client
/// touched once.
pub(super) fn own_filled() -> Option<(Exclusive, Truth)> {
    if !machine_ready() {
        return None;
    }
    let ntpd = ntpd::exclusive("mru maxdepth 20000\n")?;
    let truth = fill_clients(&ntpd, 0);
    Some((ntpd, truth))
}

/// The address of our own Mode 6 queries: in the list as a mode-6,
/// version-2 entry whose count and port differ between the two programs'
/// runs (each run is new traffic from a new port).
pub(super) const SELF_ADDR: &str = "127.0.0.1";

/// Runs `/usr/bin/ntpq -n -c CMD 127.0.0.1` and then ours on the same
/// list and checks that they agree:
///
/// * same lines before the table (the banner) and no stderr;
/// * the row of 127.0.0.1 (ntpq's own queries) is present exactly once in
///   each, mode 6 version 2, and is left out of the rest of the comparison:
///   its count, port, score, lstint and position change with every query;
/// * every other row: same addresses in the same order, and every column
///   after lstint byte-identical — avgint ((last−first)/(count−1)) and
///   score (ntpd updates it only when a packet arrives) are fixed for an
///   entry nobody touches, so they are compared exactly too;
/// * lstint (server `now` − last) grows by the time between the two runs:
///   the difference ours − reference is the same for every row up to
///   rounding (max − min ≤ 1), not negative, and at most the wall time of
///   the two runs (+1 for rounding);
/// * the `# ` lines match with their digits masked (timings and memory
///   differ; an extra report line on this quiet list is a failure).
///
/// Returns our rows without 127.0.0.1.
fn compare_with_reference(cmd: &str) -> Vec<Row> {
    let args = ["-n", "-c", cmd, NTPD_ADDR];
    let t0 = Instant::now();
    let reference = run(Path::new(REFERENCE_NTPQ), &args, "");
    let (mine, _) = ours(&args);
    let elapsed = t0.elapsed();
    assert_eq!(
        (reference.status, reference.stderr.as_str()),
        (0, ""),
        "reference `{cmd}` failed:\n{}",
        head(&reference.stdout)
    );
    assert_eq!(
        (mine.status, mine.stderr.as_str()),
        (0, ""),
        "our `{cmd}` failed:\n{}",
        head(&mine.stdout)
    );
    let rt = table("reference", &reference);
    let ot = table("ours", &mine);
    assert_eq!(ot.before, rt.before, "{cmd}: lines before the table");
    assert_eq!(ot.before, [BANNER], "{cmd}: banner");

    let split = |t: &Table, who: &str| -> (Row, Vec<Row>) {
        let (me, others): (Vec<Row>, Vec<Row>) =
            t.rows.iter().cloned().partition(|r| r.addr == SELF_ADDR);
        assert_eq!(
            me.len(),
            1,
            "{who} `{cmd}`: the row of {SELF_ADDR} (ntpq's own queries) must appear exactly once: {me:#?}"
        );
        assert_eq!(
            (me[0].mode, me[0].version),
            (6, 2),
            "{who} `{cmd}`: {SELF_ADDR} is a mode 6 version 2 client: {:?}",
            me[0].line
        );
        (me.into_iter().next().unwrap(), others)
    };
    let (_, rrows) = split(&rt, "reference");
    let (_, orows) = split(&ot, "ours");

    let raddrs: Vec<&str> = rrows.iter().map(|r| r.addr.as_str()).collect();
    let oaddrs: Vec<&str> = orows.iter().map(|r| r.addr.as_str()).collect();
    if raddrs != oaddrs {
        let rs: HashSet<&str> = raddrs.iter().copied().collect();
        let os: HashSet<&str> = oaddrs.iter().copied().collect();
        let missing: Vec<_> = rs.difference(&os).take(10).collect();
        let extra: Vec<_> = os.difference(&rs).take(10).collect();
        let first = raddrs.iter().zip(&oaddrs).position(|(a, b)| a != b);
        panic!(
            "{cmd}: addresses differ: reference {} rows, ours {}; missing from ours (first 10) {missing:?}, \
             extra in ours {extra:?}; first position where the order differs: {first:?}",
            raddrs.len(),
            oaddrs.len()
        );
    }
    for (r, o) in rrows.iter().zip(&orows) {
        assert_eq!(
            o.after_lstint(),
            r.after_lstint(),
            "{cmd}: row of {} differs after the lstint column:\n  ref:  {:?}\n  ours: {:?}",
            r.addr,
            r.line,
            o.line
        );
    }
    let diffs: Vec<i64> = rrows
        .iter()
        .zip(&orows)
        .map(|(r, o)| o.lstint - r.lstint)
        .collect();
    if let (Some(min), Some(max)) = (diffs.iter().min(), diffs.iter().max()) {
        let bound = elapsed.as_secs_f64().ceil() as i64 + 1;
        assert!(
            *min >= 0 && max - min <= 1 && *max <= bound,
            "{cmd}: lstint(ours) − lstint(reference) should be one constant (± 1) between 0 and {bound} \
             (the runs took {elapsed:?}); got min {min}, max {max}"
        );
    }
    assert_eq!(
        mask_digits(&ot.trailer),
        mask_digits(&rt.trailer),
        "{cmd}: '# ' lines (digits masked); ours: {:?}",
        ot.trailer
    );
    orows
}

/// Every answered client of the ground truth, and nothing that is not in it.
pub(super) fn assert_matches_truth(
    cmd: &str,
    rows: &[Row],
    truth: &Truth,
    want: impl Fn(u64) -> bool,
) {
    let shown: HashSet<&str> = rows.iter().map(|r| r.addr.as_str()).collect();
    let dups = duplicates(rows);
    assert!(dups.is_empty(), "{cmd}: addresses shown twice: {dups:?}");
    let missing: Vec<&String> = truth
        .iter()
        .filter(|(a, (n, answered))| *answered && want(*n) && !shown.contains(a.as_str()))
        .map(|(a, _)| a)
        .take(10)
        .collect();
    assert!(
        missing.is_empty(),
        "{cmd}: answered load-generator clients missing (first 10): {missing:?}"
    );
    let unknown: Vec<&str> = shown
        .iter()
        .copied()
        .filter(|a| !truth.contains_key(*a))
        .take(10)
        .collect();
    assert!(
        unknown.is_empty(),
        "{cmd}: rows for clients nobody sent from: {unknown:?}"
    );
}

/// One `mrulist` variant against the shared ntpd: the command, which
/// load-generator clients it shows (by their packet count) and what else
/// its rows must show.
struct Case {
    cmd: &'static str,
    shows: fn(u64) -> bool,
    check: fn(&[Row], &Truth),
}

fn all(_: u64) -> bool {
    true
}

fn nothing_more(_: &[Row], _: &Truth) {}

const CASES: &[Case] = &[
    Case {
        cmd: "mrulist",
        shows: all,
        check: |rows, truth| {
            assert_eq!(rows.len(), truth.len(), "one row per load-generator client");
            assert!(
                rows.windows(2).all(|w| w[0].lstint <= w[1].lstint),
                "default order is most recent first (lstint never decreases down the table)"
            );
            for r in rows {
                let sent = truth.get(&r.addr).map_or(0, |t| t.0);
                assert!(
                    (r.mode, r.version) == (3, 4) && r.count <= sent,
                    "a load-generator client (mode 3, version 4, at most the {sent} packets it sent): {:?}",
                    r.line
                );
            }
        },
    },
    Case {
        cmd: "mrulist sort=addr",
        shows: all,
        check: |rows, _| {
            let ips: Vec<Ipv4Addr> = rows.iter().map(|r| r.addr.parse().expect("IPv4")).collect();
            assert!(
                ips.windows(2).all(|w| w[0] < w[1]),
                "sort=addr prints ascending addresses"
            );
        },
    },
    Case {
        cmd: "mrulist sort=-count",
        shows: all,
        check: |rows, _| {
            assert!(
                rows.windows(2).all(|w| w[0].count >= w[1].count),
                "sort=-count prints counts in descending order"
            );
            let twice = rows.iter().filter(|r| r.count >= 2).count();
            assert!(
                twice as u64 >= RETOUCHED,
                "the {RETOUCHED} re-touched clients have count 2 ({twice} rows do)"
            );
        },
    },
    // limit= caps each reply, not the total: the whole list comes back.
    Case {
        cmd: "mrulist limit=40",
        shows: all,
        check: |rows, truth| {
            assert_eq!(
                rows.len(),
                truth.len(),
                "limit=40 still pages through the whole list"
            );
        },
    },
    Case {
        cmd: "mrulist mincount=2",
        shows: |n| n >= 2,
        check: |rows, _| {
            assert!(
                rows.iter().all(|r| r.count >= 2),
                "mincount=2 shows no count-1 entry"
            );
            assert!(
                rows.len() as u64 >= RETOUCHED && (rows.len() as u64) < 2 * RETOUCHED,
                "mincount=2 shows the ~{RETOUCHED} re-touched clients, got {}",
                rows.len()
            );
        },
    },
    // Counts 1 and 2 (and avgint, score) differ between clients, and many
    // are equal: the tie order (stable sort, then reversed) is compared too.
    Case {
        cmd: "mrulist sort=count",
        shows: all,
        check: nothing_more,
    },
    Case {
        cmd: "mrulist sort=-lstint",
        shows: all,
        check: nothing_more,
    },
    Case {
        cmd: "mrulist sort=avgint",
        shows: all,
        check: nothing_more,
    },
    Case {
        cmd: "mrulist sort=-score",
        shows: all,
        check: nothing_more,
    },
    Case {
        cmd: "mrulist sort=-addr",
        shows: all,
        check: nothing_more,
    },
    Case {
        cmd: "mrulist sort=drop",
        shows: all,
        check: nothing_more,
    },
];

#[test]
fn real_ntpd_sorts_and_filters_match_reference() {
    let Some(ntpd) = shared_filled() else {
        return;
    };
    let truth = ntpd.data();
    for case in CASES {
        let rows = compare_with_reference(case.cmd);
        assert_matches_truth(case.cmd, &rows, truth, case.shows);
        (case.check)(&rows, truth);
    }
}

#[test]
fn real_ntpd_direct_matches_reference() {
    // Direct mode prints each batch as it arrives, in the server's order,
    // with the date and time of `last` and last − first: every column is
    // fixed for an untouched entry, so the rows must be identical (ours
    // asks for bigger batches; the concatenation is the same).
    let Some(ntpd) = shared_filled() else {
        return;
    };
    let truth = ntpd.data();
    let args = ["-n", "-c", "direct", "-c", "mrulist", NTPD_ADDR];
    let reference = run(Path::new(REFERENCE_NTPQ), &args, "");
    let (mine, _) = ours(&args);
    assert_eq!(
        (reference.status, reference.stderr.as_str()),
        (0, ""),
        "reference"
    );
    assert_eq!((mine.status, mine.stderr.as_str()), (0, ""), "ours");
    // Rows other than ntpq's own (127.0.0.1, different in every run).
    let body = |o: &RunOutput| -> Vec<String> {
        o.stdout
            .lines()
            .filter(|l| !l.starts_with("# ") && !l.ends_with(&format!(" {SELF_ADDR}")))
            .map(str::to_string)
            .collect()
    };
    let hashes = |o: &RunOutput| -> Vec<String> {
        o.stdout
            .lines()
            .filter(|l| l.starts_with("# "))
            .map(str::to_string)
            .collect()
    };
    let (rb, ob) = (body(&reference), body(&mine));
    assert_eq!(rb.first().map(String::as_str), Some("Direct mode is on"));
    if rb != ob {
        let first = rb.iter().zip(&ob).position(|(a, b)| a != b);
        panic!(
            "direct mode: {} lines, reference {}; first difference at {first:?}: ref {:?} ours {:?}",
            ob.len(),
            rb.len(),
            first.and_then(|i| rb.get(i)),
            first.and_then(|i| ob.get(i))
        );
    }
    assert_eq!(rb.len(), 1 + truth.len(), "one row per client");
    assert_eq!(
        mask_digits(&hashes(&mine)),
        mask_digits(&hashes(&reference)),
        "direct mode '# ' lines (digits masked)"
    );
}
