//! `mrulist --json` in memory against the simulator's server core, on a
//! virtual clock (follow's waits jump it).

use serde_json::Value;

use crate::output_mode::OutputMode;
use crate::testing::{Harness, Ran};

/// A few explicit entries (scores, drops, restriction bits, IPv6) and the
/// MRU counters, live.
const SMALL: &str = r#"
[system]
variables = ["mru_depth={mru:depth}", "mru_maxdepth=1000", "mru_new={mru:new}", "mru_recycleold={mru:recycleold}", "mru_recyclefull={mru:recyclefull}", "clock={ts:now}"]
[mru]
entries = [
  { addr = "198.51.100.1:123", last_ago = 1619.164, first_ago = 13687.098, ct = 2667, mv = 0x23, rs = 0x0, sc = 2.464, dr = 0 },
  { addr = "[2001:db8:4a24::6b4d]:10477", last_ago = 2703.429, first_ago = 48376.524, ct = 2295, mv = 0x21, rs = 0x0, sc = 0.309, dr = 17 },
  { addr = "198.51.100.7:14521", last_ago = 2482.072, first_ago = 45019.692, ct = 1287, mv = 0x1b, rs = 0x420, sc = 2.77, dr = 0 },
  { addr = "198.51.100.10:50643", last_ago = 1710.279, first_ago = 76371.896, ct = 1, mv = 0x23, rs = 0x40, sc = 0.233, dr = 1 },
]
"#;

/// A churning list that overflows between polls: 50 new clients a second
/// into a list of 300.
fn churning(new_per_sec: f64) -> String {
    format!(
        r#"
[system]
variables = ["mru_depth={{mru:depth}}", "mru_maxdepth=300", "mru_new={{mru:new}}", "mru_recycleold={{mru:recycleold}}", "mru_recyclefull={{mru:recyclefull}}", "clock={{ts:now}}"]
[mru]
max_depth = 300
churn_new_per_sec = {new_per_sec}
generate = {{ count = 300, spacing = 0.01, newest_ago = 1 }}
"#
    )
}

fn json_run(h: &mut Harness, line: &str) -> (Ran, Vec<Value>) {
    h.interp.out.mode = OutputMode::Json;
    let ran = h.run(line);
    let records = records(&ran.stdout);
    (ran, records)
}

/// Every line one record whose head is `v`, `type`, `host`, in order.
fn records(stdout: &str) -> Vec<Value> {
    assert!(stdout.is_empty() || stdout.ends_with('\n'), "{stdout}");
    stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            let keys: Vec<&str> = v
                .as_object()
                .expect("an object")
                .keys()
                .take(3)
                .map(String::as_str)
                .collect();
            assert_eq!(keys, ["v", "type", "host"], "{l}");
            assert_eq!(
                (&v["v"], &v["host"]),
                (&Value::from(1), &Value::from("sim"))
            );
            v
        })
        .collect()
}

fn of_type<'a>(records: &'a [Value], kind: &str) -> Vec<&'a Value> {
    records.iter().filter(|r| r["type"] == kind).collect()
}

#[test]
fn the_list_is_a_start_record_typed_entries_and_an_end_record() {
    let mut h = Harness::new(SMALL);
    let (ran, recs) = json_run(&mut h, "mrulist");
    assert!(!ran.failed, "{}", ran.stderr);
    assert!(!ran.stdout.contains("Ctrl-C"), "no banner in JSON");
    assert_eq!(recs[0]["type"], "mrulist_start");
    assert_eq!(recs[0]["counters"]["mru_maxdepth"], 1000);
    assert!(recs[0]["counters"]["mru_depth"].is_i64());
    let end = recs.last().unwrap();
    assert_eq!(end["type"], "mrulist_end");
    assert_eq!(end["ending"], "complete");
    let entries = of_type(&recs, "mru_entry");
    assert_eq!(end["entries"], entries.len());
    assert_eq!(end["estimated_missed"], 0);

    // Each entry as the server holds it (our own address aside: our
    // requests keep touching it).
    let server = h.server.borrow();
    let held = server.state().mru().entries();
    let ours: Vec<&&Value> = entries
        .iter()
        .filter(|e| e["addr"] != "127.0.0.1")
        .collect();
    assert_eq!(ours.len(), 4);
    for e in ours {
        let addr = e["addr"].as_str().unwrap();
        let s = held
            .iter()
            .find(|s| s.addr.ip().to_string() == addr)
            .unwrap_or_else(|| panic!("{addr} not held"));
        assert_eq!(e["port"], s.addr.port());
        assert_eq!(e["count"], s.ct);
        assert_eq!(e["restrictions"], s.rs);
        assert_eq!(e["mode"], s.mv & 7);
        assert_eq!(e["version"], (s.mv >> 3) & 7);
        assert_eq!(e["drop"], s.dr);
        assert!((e["score"].as_f64().unwrap() - s.sc).abs() < 1e-9, "{e}");
        assert_eq!(e["first_raw"], s.first.to_hex());
        assert_eq!(e["last_raw"], s.last.to_hex());
        assert!(e["first"].as_str().unwrap().ends_with('Z'));
        assert!(e["lstint"].is_i64() && e["avgint"].is_f64(), "{e}");
    }
    let kod = entries
        .iter()
        .find(|e| e["addr"] == "198.51.100.7")
        .unwrap();
    assert_eq!(
        kod["restriction_flags"],
        serde_json::json!(["limited", "kod"])
    );
    // Most recent first, as the classic table.
    let lstints: Vec<i64> = entries
        .iter()
        .map(|e| e["lstint"].as_i64().unwrap())
        .collect();
    assert!(lstints.windows(2).all(|w| w[0] <= w[1]), "{lstints:?}");
}

/// Long enough to be formatted on two threads (five chunks): every entry
/// once, in order.
#[test]
fn a_long_list_comes_whole_and_in_order() {
    let toml = "[mru]\ngenerate = { count = 20000, spacing = 0.01, newest_ago = 1 }\n";
    let mut h = Harness::new(toml);
    let (ran, recs) = json_run(&mut h, "mrulist");
    assert!(!ran.failed, "{}", ran.stderr);
    let entries = of_type(&recs, "mru_entry");
    let held = h.server.borrow().state().mru().entries().len();
    assert!(held >= 20_000);
    assert_eq!(entries.len(), held);
    let lstints: Vec<i64> = entries
        .iter()
        .map(|e| e["lstint"].as_i64().unwrap())
        .collect();
    assert!(lstints.windows(2).all(|w| w[0] <= w[1]));
    let mut addrs: Vec<&str> = entries
        .iter()
        .map(|e| e["addr"].as_str().unwrap())
        .collect();
    addrs.sort_unstable();
    addrs.dedup();
    assert_eq!(addrs.len(), held, "no entry twice");
    assert_eq!(recs.last().unwrap()["entries"], held);
}

#[test]
fn sort_and_filters_apply_as_in_classic_mode() {
    let mut h = Harness::new(SMALL);
    let (_, recs) = json_run(&mut h, "mrulist mincount=2 sort=-count");
    assert_eq!(recs[0]["params"]["mincount"], 2);
    assert_eq!(recs[0]["sort"], "-count");
    let counts: Vec<i64> = of_type(&recs, "mru_entry")
        .iter()
        .map(|e| e["count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [2667, 2295, 1287]);
    // A filtered list is not comparable with the server's counters.
    assert_eq!(recs.last().unwrap()["estimated_missed"], Value::Null);
}

#[test]
fn direct_streams_entries_without_lstint() {
    let mut h = Harness::new(SMALL);
    let (ran, recs) = json_run(&mut h, "mrulist direct");
    assert!(!ran.failed, "{}", ran.stderr);
    assert_eq!(recs[0]["direct"], true);
    let entries = of_type(&recs, "mru_entry");
    assert!(entries.len() >= 4);
    assert!(entries
        .iter()
        .all(|e| e.get("lstint").is_none() && e.get("poll").is_none()));
    let end = recs.last().unwrap();
    assert_eq!(
        (&end["type"], &end["ending"]),
        (&Value::from("mrulist_end"), &Value::from("complete"))
    );
    assert_eq!(end["entries"], entries.len());
}

#[test]
fn classic_output_is_unchanged_by_the_json_writer() {
    let mut h = Harness::new(SMALL);
    let ran = h.run("mrulist");
    assert!(ran.stdout.starts_with("Ctrl-C will stop MRU retrieval"));
    assert!(!ran.stdout.contains('{'));
}

#[test]
fn follow_reports_each_poll_and_the_entries_it_missed() {
    let mut h = Harness::new(&churning(50.0));
    let (ran, recs) = json_run(&mut h, "mrulist follow interval=10 duration=35");
    assert!(!ran.failed, "{}", ran.stderr);
    let polls = of_type(&recs, "mru_poll");
    assert_eq!(polls.len(), 3, "polls at 10, 20 and 30 s");
    // Additions: fresh entries (mru_new) and recycled ones.
    let added = |c: &serde_json::Value| {
        ["mru_new", "mru_recycleold", "mru_recyclefull"]
            .iter()
            .map(|k| c[*k].as_i64().unwrap())
            .sum::<i64>()
    };
    let mut last_added = added(&recs[0]["counters"]);
    let mut missed_sum = 0;
    for (i, p) in polls.iter().enumerate() {
        assert_eq!(p["poll"], i + 1);
        let counters = &p["counters"];
        let server_new = p["server_added"].as_i64().unwrap();
        assert_eq!(server_new, added(counters) - last_added);
        last_added = added(counters);
        // 500 new clients into a list of 300: some were gone before the poll.
        let (new, missed) = (p["new"].as_i64().unwrap(), p["missed"].as_i64().unwrap());
        assert!(server_new >= 500, "{p}");
        assert_eq!(missed, server_new - new, "{p}");
        assert!(missed >= 200, "{p}");
        assert!(counters["mru_recyclefull"].as_i64().unwrap() > 0);
        assert_eq!(counters["mru_depth"], 300);
        assert_eq!(p["touched"], p["entries"].as_i64().unwrap() - new);
        assert!(p["server_start"].as_str().unwrap() < p["server_end"].as_str().unwrap());
        missed_sum += missed;
        let read = recs
            .iter()
            .filter(|r| r["type"] == "mru_entry" && r["poll"] == i + 1)
            .count();
        assert_eq!(p["entries"], read, "entries of poll {}", i + 1);
    }
    let first_walk = recs.iter().filter(|r| r["poll"] == 0).count();
    assert!(first_walk >= 300);
    let end = recs.last().unwrap();
    assert_eq!(end["type"], "mrulist_follow_end");
    assert_eq!(
        (&end["polls"], &end["missed"]),
        (&Value::from(3), &Value::from(missed_sum))
    );
    assert!(ran.stderr.contains("fell behind"), "{}", ran.stderr);
}

#[test]
fn a_quiet_follow_misses_nothing() {
    let mut h = Harness::new(&churning(5.0));
    let (ran, recs) = json_run(&mut h, "mrulist follow interval=2 duration=7");
    assert!(!ran.failed && ran.stderr.is_empty(), "{}", ran.stderr);
    let polls = of_type(&recs, "mru_poll");
    assert_eq!(polls.len(), 3);
    for p in polls {
        assert_eq!(p["missed"], 0, "{p}");
        assert!(p["new"].as_i64().unwrap() >= 10, "{p}");
    }
}

#[test]
fn a_long_follow_outlives_the_servers_nonces() {
    // ntpd's nonces last 16 s; polls 20 s apart need a new one each time.
    let mut h = Harness::new(&churning(1.0));
    let (ran, recs) = json_run(&mut h, "mrulist follow interval=20 duration=70");
    assert!(!ran.failed, "{}", ran.stderr);
    assert!(ran.stderr.is_empty(), "{}", ran.stderr);
    let polls = of_type(&recs, "mru_poll");
    assert_eq!(polls.len(), 3);
    for p in &polls {
        assert!(
            p["new"].as_i64().unwrap() >= 19,
            "every new client seen: {p}"
        );
        assert_eq!(p["missed"], 0, "{p}");
    }
    let nonce_requests = h
        .server
        .borrow()
        .requests
        .iter()
        .filter(|r| r.len() > 1 && r[1] & 0x1f == 12)
        .count();
    assert!(nonce_requests >= 4, "{nonce_requests} nonces for 4 walks");
    assert_eq!(recs.last().unwrap()["type"], "mrulist_follow_end");
}

#[test]
fn a_failed_retrieval_still_has_its_start_and_end_records() {
    let mut h = Harness::new(crate::testing::SILENT);
    let (ran, recs) = json_run(&mut h, "mrulist");
    assert!(ran.failed);
    assert!(ran.stderr.contains("timed out"), "{}", ran.stderr);
    let kinds: Vec<&str> = recs.iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["mrulist_start", "mrulist_end"]);
    let end = &recs[1];
    assert_eq!(
        (&end["ending"], &end["entries"]),
        (&Value::from("failed"), &Value::from(0))
    );
    assert!(
        end["error"].as_str().unwrap().contains("timed out"),
        "{end}"
    );
}

/// Filters apply to what follow streams: with `mincount=2` the polls
/// return the re-touched clients and none of the new ones.
#[test]
fn follow_streams_only_what_the_filters_let_through() {
    let scenario = r#"
[system]
variables = ["mru_depth={mru:depth}", "mru_maxdepth=5000", "mru_new={mru:new}", "mru_recycleold={mru:recycleold}", "mru_recyclefull={mru:recyclefull}", "clock={ts:now}"]
[mru]
churn_new_per_sec = 50.0
churn_touch_per_sec = 50.0
generate = { count = 300, spacing = 0.01, newest_ago = 1 }
"#;
    let mut h = Harness::new(scenario);
    let (ran, recs) = json_run(&mut h, "mrulist follow interval=10 duration=25 mincount=2");
    assert!(!ran.failed, "{}", ran.stderr);
    let polled: Vec<&Value> = of_type(&recs, "mru_entry")
        .into_iter()
        .filter(|e| e["poll"].as_u64().unwrap() >= 1)
        .collect();
    assert!(!polled.is_empty(), "re-touched clients were streamed");
    for e in &polled {
        assert!(e["count"].as_u64().unwrap() >= 2, "{e}");
    }
    // Without the filter the same churn streams new clients too.
    let mut h = Harness::new(scenario);
    let (_, recs) = json_run(&mut h, "mrulist follow interval=10 duration=25");
    assert!(of_type(&recs, "mru_entry")
        .iter()
        .any(|e| e["poll"].as_u64().unwrap() >= 1 && e["count"] == 1));
}
