//! mrulist against the simulator: lists that change while they are read
//! (every entry of the final list shown once, the `# ` report) and quiet
//! ones (no report; the reference's output).

use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::{Duration, SystemTime};

use ntpd_sim::mru::Entry;
use ntpd_sim::util::NtpTs;
use ntpd_sim::{Scenario, ServerState, Simulator};
use ntpq_conformance::sim::{loopback, scenario, serve_on_123};
use ntpq_conformance::{have, run, Need, REFERENCE_NTPQ};

use super::hooked::{Hook, HookedSim};
use super::output::{
    changed_count, duplicates, head, mask_digits, report_lines, report_number, table, Row,
};
use super::{ours, ours_ok, BANNER, HEADER, SUITE};

fn secs(t: NtpTs) -> f64 {
    t.secs as f64 + t.frac as f64 / 4_294_967_296.0
}

/// The rows a complete retrieval must print for `list` (the server's list
/// when it built the final reply, oldest first) at server time `now`:
/// newest first, one per address, with the entry's current port and count
/// and lstint = trunc(now − last + 0.5).
fn assert_rows_are_list(label: &str, rows: &[Row], now: SystemTime, list: &[Entry]) {
    let dups = duplicates(rows);
    assert!(
        dups.is_empty(),
        "{label}: addresses shown more than once: {dups:?}"
    );
    let want: Vec<(String, String, u64)> = list
        .iter()
        .rev()
        .map(|e| {
            (
                e.addr.ip().to_string(),
                e.addr.port().to_string(),
                e.ct as u64,
            )
        })
        .collect();
    let got: Vec<(String, String, u64)> = rows
        .iter()
        .map(|r| (r.addr.clone(), r.rport.clone(), r.count))
        .collect();
    if got != want {
        let ws: HashSet<&str> = want.iter().map(|w| w.0.as_str()).collect();
        let gs: HashSet<&str> = got.iter().map(|g| g.0.as_str()).collect();
        let missing: Vec<_> = ws.difference(&gs).take(10).collect();
        let extra: Vec<_> = gs.difference(&ws).take(10).collect();
        let first = want.iter().zip(&got).position(|(a, b)| a != b);
        panic!(
            "{label}: rows are not the server's final list (newest first): {} rows, list has {}; \
             missing (first 10) {missing:?}, extra {extra:?}; first difference at {first:?}: {:?} vs {:?}",
            got.len(),
            want.len(),
            first.and_then(|i| want.get(i)),
            first.and_then(|i| got.get(i)),
        );
    }
    let now = secs(NtpTs::from_system(now));
    for (r, e) in rows.iter().zip(list.iter().rev()) {
        let f = now - secs(e.last) + 0.5;
        let exact = f.trunc() as i64;
        // Within a microsecond of a rounding boundary either side will do.
        let ok = r.lstint == exact
            || (f.fract() < 1e-6 && r.lstint == exact - 1)
            || (f.fract() > 1.0 - 1e-6 && r.lstint == exact + 1);
        assert!(
            ok,
            "{label}: lstint of {} is {}, expected {exact} (the newest `last`)",
            r.addr, r.lstint
        );
    }
}

/// `[mru.generate]` lists for the simulator tests.
pub(super) fn generated(count: usize, extra: &str) -> Scenario {
    let text = format!(
        "[mru]\nseed = 7\n{extra}\n[mru.generate]\ncount = {count}\nspacing = 0.25\nnewest_ago = 5\nipv6_every = 13\n"
    );
    Scenario::from_toml_str(&text).unwrap_or_else(|e| panic!("scenario: {e}\n{text}"))
}

/// Touches existing entries (some from a new port) and adds new clients
/// before every READ_MRU request but the first: a list that changes under
/// the reader in a deterministic way, at whatever speed the reader goes.
fn mutating_hook() -> Hook {
    Box::new(|state: &mut ServerState, k: u64, now: SystemTime| {
        if k < 2 {
            return;
        }
        let len = state.mru().len() as u64;
        // Three old entries, spread over the list; the third one from a new
        // port (the server keeps one entry per address, the newest port).
        let picks: Vec<Entry> = (0..3u64)
            .filter_map(|j| {
                let i = (k * 977 + j * 3_331) % (len / 2).max(1);
                state
                    .mru()
                    .walk_from(None)
                    .nth(i as usize)
                    .map(|(_, e)| e.clone())
            })
            .collect();
        for (j, e) in picks.into_iter().enumerate() {
            let mut addr = e.addr;
            if j == 2 {
                addr.set_port(addr.port().wrapping_add(1).max(1));
            }
            state.mru_mut().touch(addr, now, 0x23);
        }
        // Two brand-new clients.
        for j in 0..2u64 {
            let ip = Ipv4Addr::new(198, 18, (k % 250) as u8, (j + 1) as u8);
            state
                .mru_mut()
                .touch(SocketAddr::from((ip, 40_000 + k as u16)), now, 0x1b);
        }
    })
}

/// A server whose list changes while mrulist reads it, the fewest
/// READ_MRU requests that make sure it changed during the retrieval, and
/// the fewest entries it changes meanwhile.
struct Changing {
    label: &'static str,
    server: fn() -> HookedSim,
    min_requests: u64,
    min_changed: u64,
}

const CHANGING: &[Changing] = &[
    // Entries touched and added before every READ_MRU request but the first.
    Changing {
        label: "changing list",
        server: || HookedSim::start(generated(6_000, ""), Duration::ZERO, Some(mutating_hook())),
        min_requests: 3,
        min_changed: 5,
    },
    // Time-driven churn in the scenario (new and re-touched clients at
    // every request), and a server that takes 15 ms per READ_MRU reply so
    // the retrieval spans many churn steps.
    Changing {
        label: "churning list",
        server: || HookedSim::start(scenario("mru_churn.toml"), Duration::from_millis(15), None),
        min_requests: 1,
        min_changed: 1,
    },
];

#[test]
fn changing_lists_are_complete_and_reported() {
    for case in CHANGING {
        let label = case.label;
        let sim = (case.server)();
        let (t, _, _) = ours_ok("mrulist", &sim.host());
        let (requests, start, (now, list)) = sim.with(|s| {
            (
                s.mru_requests,
                s.first_nonce.expect("a nonce was requested"),
                s.final_list.clone().expect("a final reply was sent"),
            )
        });
        assert!(
            requests >= case.min_requests,
            "{label}: the list must change during the retrieval: only {requests} READ_MRU requests"
        );
        assert_rows_are_list(label, &t.rows, now, &list);
        let start = NtpTs::from_system(start);
        let changed = list.iter().filter(|e| e.last > start).count() as u64;
        assert!(
            changed >= case.min_changed,
            "{label}: only {changed} entries changed during the retrieval"
        );
        assert!(
            report_lines(&t)
                .iter()
                .any(|l| l.starts_with("# Retrieval took ")),
            "{label}: the list changed during the retrieval: the report must follow the table; \
             '# ' lines: {:?}",
            t.trailer
        );
        assert!(
            changed_count(&t).is_some_and(|n| n >= changed),
            "{label}: report: {changed} entries of the final list changed after the retrieval \
             began; '# ' lines: {:?}",
            t.trailer
        );
    }
}

#[test]
fn changing_list_in_direct_mode_reports_too() {
    let sim = HookedSim::start(generated(4_000, ""), Duration::ZERO, Some(mutating_hook()));
    let (out, _) = ours(&["-n", "-c", "mrulist direct", &sim.host()]);
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (0, ""),
        "{}",
        head(&out.stdout)
    );
    assert!(
        !out.stdout.contains(BANNER) && !out.stdout.contains(HEADER),
        "direct mode prints no banner and no header:\n{}",
        head(&out.stdout)
    );
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("# Retrieval took ")),
        "direct mode: the list changed, the report follows; tail:\n{}",
        out.stdout
            .lines()
            .rev()
            .take(8)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The `# ` lines, digits masked, for a command on a quiet list.
fn hash_lines(stdout: &str) -> Vec<String> {
    let lines: Vec<String> = stdout
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(str::to_string)
        .collect();
    mask_digits(&lines)
}

#[test]
fn quiet_list_prints_no_report_lines() {
    // The snapshot of the final reply's list and time gives the exact rows.
    let sim = HookedSim::start(generated(3_000, ""), Duration::ZERO, None);
    let host = sim.host();
    let (t, out, _) = ours_ok("mrulist", &host);
    let (now, list) = sim.with(|s| s.final_list.clone().expect("final reply"));
    assert_rows_are_list("quiet list", &t.rows, now, &list);
    assert_eq!(
        report_number(&t, "# Collected "),
        Some(3_000),
        "3000 slots: every entry was received once"
    );
    // What each mode prints after its rows on a quiet list: exactly the
    // reference's '# ' lines; `stats` asks for the report anyway.
    let quiet: &[(&str, &[&str])] = &[
        (
            "mrulist",
            &[
                "# Collected N slots in N.N seconds",
                "# Processed N slots in N.N seconds",
                "# Used N megabytes of memory",
            ],
        ),
        (
            "mrulist direct",
            &[
                "# Processed N slots in N.N seconds",
                "# Used N megabytes of memory",
            ],
        ),
    ];
    for (cmd, want) in quiet {
        let text = if *cmd == "mrulist" {
            out.stdout.clone()
        } else {
            let (o, _) = ours(&["-n", "-c", cmd, &host]);
            assert_eq!(o.status, 0, "{cmd}: {}", o.stderr);
            o.stdout
        };
        assert_eq!(hash_lines(&text), *want, "{cmd} on a quiet list");
    }
}

#[test]
fn quiet_list_stats_always_reports() {
    let sim = Simulator::spawn(
        "127.0.0.1:0".parse().expect("address"),
        generated(1_000, ""),
    )
    .expect("simulator");
    let (t, _, _) = ours_ok("mrulist stats", &sim.local_addr().to_string());
    assert_eq!(t.rows.len(), 1_000);
    assert!(
        report_lines(&t)
            .iter()
            .any(|l| l.starts_with("# Retrieval took ")),
        "`mrulist stats` prints the report even on a quiet list: {:?}",
        t.trailer
    );
    assert_eq!(
        changed_count(&t),
        Some(0),
        "nothing changed: {:?}",
        t.trailer
    );
}

#[test]
fn quiet_list_output_is_the_references() {
    if !have(&[Need::ReferenceNtpq]) {
        return;
    }
    // A frozen `now` makes every column deterministic, so the whole output
    // must be the reference's but for the '# ' timings and memory.
    let ip = loopback(SUITE, 1);
    let Some(sim) = serve_on_123(ip, generated(2_000, "frozen_now = true")) else {
        return;
    };
    let host = ip.to_string();
    for cmd in [
        "mrulist",
        "mrulist sort=-count",
        "mrulist limit=17 sort=addr",
    ] {
        let args = ["-n", "-c", cmd, host.as_str()];
        let reference = run(Path::new(REFERENCE_NTPQ), &args, "");
        let (mine, _) = ours(&args);
        assert_eq!((reference.status, reference.stderr.as_str()), (0, ""));
        assert_eq!((mine.status, mine.stderr.as_str()), (0, ""), "{cmd}");
        let rt = table("reference", &reference);
        let ot = table("ours", &mine);
        assert_eq!(ot.before, rt.before, "{cmd}");
        assert_eq!(rt.rows.len(), 2_000, "{cmd}: reference rows");
        for (r, o) in rt.rows.iter().zip(&ot.rows) {
            assert_eq!(o.line, r.line, "{cmd}");
        }
        assert_eq!(ot.rows.len(), rt.rows.len(), "{cmd}");
        assert_eq!(
            mask_digits(&ot.trailer),
            mask_digits(&rt.trailer),
            "{cmd}: '# ' lines; ours {:?}",
            ot.trailer
        );
    }
    drop(sim);
}
