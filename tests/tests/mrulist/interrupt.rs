//! Ctrl-C during a long retrieval, a list that grows faster than it can
//! be read, and a reader that goes away (`ntpq … | head -3`).

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ntpd_sim::Simulator;
use ntpq_conformance::{ntpq_rs, RunOutput};

use super::hooked::HookedSim;
use super::output::{duplicates, head, parse_row, table};
use super::simulated::generated;
use super::{BANNER, HEADER, INTERRUPTED};

/// A 20000-entry list served at 40 ms per READ_MRU reply: reading it all
/// takes seconds.
fn slow_sim() -> HookedSim {
    HookedSim::start(generated(20_000, ""), Duration::from_millis(40), None)
}

/// Starts `ntpq -n -c CMD HOST`, waits until the simulator has answered a
/// few READ_MRU requests and `after` has passed, sends SIGINT, and collects
/// the output (bounded).
fn interrupt(sim: &HookedSim, cmd: &str, after: Duration) -> (RunOutput, u64) {
    let mut child = Command::new(ntpq_rs())
        .args(["-n", "-c", cmd, &sim.host()])
        .env("LC_ALL", "C.UTF-8")
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ntpq");
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs(20);
    while (sim.with(|s| s.mru_requests) < 3 || t0.elapsed() < after) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let requests = sim.with(|s| s.mru_requests);
    let st = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(st.success(), "kill -INT failed");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = BufReader::new(stdout).read_to_string(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = BufReader::new(stderr).read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`{cmd}` did not end within 20 s of SIGINT");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let out = RunOutput {
        stdout: out_t.join().unwrap_or_default(),
        stderr: err_t.join().unwrap_or_default(),
        status: status.code().unwrap_or(-1),
    };
    (out, requests)
}

#[test]
fn interrupt_prints_partial_list_and_exits_130() {
    let sim = slow_sim();
    let (out, _) = interrupt(&sim, "mrulist", Duration::from_millis(300));
    assert_eq!(
        out.status, 130,
        "exit status after Ctrl-C; stderr {:?}",
        out.stderr
    );
    assert!(
        out.stdout
            .starts_with(&format!("{BANNER}\n{INTERRUPTED}{HEADER}\n")),
        "banner, the interruption message, then the table:\n{}",
        head(&out.stdout)
    );
    let t = table("interrupted", &out);
    let total = sim.with(|s| s.state.mru().len());
    assert!(
        !t.rows.is_empty() && t.rows.len() < total,
        "a partial list: {} of {total} rows",
        t.rows.len()
    );
    // The server sends oldest first: what arrived is the oldest part of the
    // list, printed newest first, one row per address.
    let list = sim.with(|s| s.state.mru().entries());
    let want: Vec<String> = list[..t.rows.len()]
        .iter()
        .rev()
        .map(|e| e.addr.ip().to_string())
        .collect();
    let got: Vec<String> = t.rows.iter().map(|r| r.addr.clone()).collect();
    assert_eq!(
        got, want,
        "the partial rows are the oldest entries, newest first"
    );
    assert!(
        t.trailer.iter().any(|l| l.starts_with("# Processed ")),
        "trailer after a partial list: {:?}",
        t.trailer
    );
    assert!(!out.stderr.contains("panicked"), "stderr: {:?}", out.stderr);
}

#[test]
fn interrupt_in_direct_mode_prints_no_message() {
    let sim = slow_sim();
    let (out, _) = interrupt(&sim, "mrulist direct", Duration::from_millis(300));
    assert_eq!(
        out.status, 130,
        "exit status after Ctrl-C; stderr {:?}",
        out.stderr
    );
    assert!(
        !out.stdout.contains("interrupted") && !out.stdout.contains("Displaying partial"),
        "direct mode: no interruption message:\n{}",
        head(&out.stdout)
    );
    assert!(!out.stdout.contains(BANNER) && !out.stdout.contains(HEADER));
    let rows: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| !l.starts_with("# "))
        .collect();
    assert!(
        !rows.is_empty(),
        "direct mode printed the batches that arrived"
    );
    let total = sim.with(|s| s.state.mru().len());
    assert!(
        rows.len() < total,
        "a partial list: {} of {total} rows",
        rows.len()
    );
    for l in &rows {
        // "%5d %5d %6d" then the common part: same columns from 19 on.
        let common = format!("{:>7} {:>6}{}", 0, 0, &l.get(18..).unwrap_or(""));
        assert!(
            l.len() > 19
                && l[..5].trim().parse::<u32>().is_ok()
                && l[6..11].trim().parse::<u32>().is_ok()
                && l[12..18].trim().parse::<i64>().is_ok()
                && parse_row(&common).is_ok(),
            "malformed direct-mode row: {l:?}"
        );
    }
}

#[test]
fn outpaced_reader_warns_and_stops_on_ctrl_c() {
    // 20000 new clients per second against a reader that gets ~400 entries
    // per 40 ms reply: the list grows faster than it can be read and the
    // retrieval cannot finish. After 3 s ntpq warns on stderr; Ctrl-C then
    // shows what was collected.
    let sim = HookedSim::start(
        generated(2_000, "churn_new_per_sec = 20000.0"),
        Duration::from_millis(40),
        None,
    );
    let (out, requests) = interrupt(&sim, "mrulist", Duration::from_millis(4_500));
    assert!(requests > 20, "only {requests} READ_MRU requests in 4.5 s");
    assert!(
        sim.with(|s| s.final_list.is_none()),
        "the retrieval was not expected to finish"
    );
    assert_eq!(out.status, 130, "stderr: {:?}", out.stderr);
    assert!(
        out.stderr.contains("warning") && out.stderr.lines().count() == 1,
        "one warning on stderr while the server outpaces the reader: {:?}",
        out.stderr
    );
    assert!(
        out.stdout
            .starts_with(&format!("{BANNER}\n{INTERRUPTED}{HEADER}\n")),
        "{}",
        head(&out.stdout)
    );
    let t = table("outpaced", &out);
    assert!(!t.rows.is_empty());
    let dups = duplicates(&t.rows);
    assert!(dups.is_empty(), "addresses shown twice: {dups:?}");
}

#[test]
fn pipe_closed_by_reader_ends_quietly() {
    // `ntpq -n -c mrulist HOST | head -3`: a 20000-row table is far more
    // than a pipe holds; once the reader is gone ntpq must stop promptly
    // and say nothing.
    let sim = Simulator::spawn(
        "127.0.0.1:0".parse().expect("address"),
        generated(20_000, ""),
    )
    .expect("simulator");
    let mut child = Command::new(ntpq_rs())
        .args(["-n", "-c", "mrulist", &sim.local_addr().to_string()])
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ntpq");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut first = Vec::new();
    for _ in 0..3 {
        let mut l = String::new();
        reader.read_line(&mut l).expect("read");
        first.push(l);
    }
    drop(reader); // like `head -3` exiting
    let closed = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if closed.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("ntpq still running 10 s after its reader went away");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    assert_eq!(first[0].trim_end(), BANNER);
    assert_eq!(first[1].trim_end(), HEADER);
    assert_eq!(
        stderr, "",
        "nothing on stderr when the reader goes away ({status})"
    );
    // Documented exit status: 1 when standard output was closed (the
    // reference prints `Bailing out...` and exits 0; not killed by SIGPIPE).
    assert_eq!(
        status.code(),
        Some(1),
        "exit status when the reader went away ({status})"
    );
}
