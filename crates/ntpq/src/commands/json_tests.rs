//! The handlers in JSON mode, in-process (`crate::testing`): records on
//! stdout, nothing else there; errors as JSON on stderr. Classic output of
//! the same commands is covered by `tests.rs` and the differential suite.

use serde_json::Value;

use crate::output_mode::OutputMode;
use crate::testing::{Harness, SILENT};

const SCENARIO: &str = r#"
[system]
status = 0x0615
variables = ["leap=0", "stratum=2", "offset=-0.123456", "reftime=0xecbfc003.40000000", "version=\"ntpd x\""]
default = ["leap", "stratum", "offset", "reftime", "version"]

[[peer]]
associd = 11
status = 0x961a
variables = ["srcadr=192.0.2.10", "srcport=123", "stratum=1", "reach=0xff", "hmode=3", "hpoll=6", "ppoll=6", "delay=1.5", "filtdelay= 1.0 2.0"]

[faults]
errors = [{ opcode = 2, associd = 12, code = 7 }]
"#;

fn json_harness(toml: &str) -> Harness {
    let mut h = Harness::new(toml);
    h.interp.out.mode = OutputMode::Json;
    h
}

fn records(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect()
}

#[test]
fn readvar_is_one_typed_record() {
    let mut h = json_harness(SCENARIO);
    let ran = h.run("rv");
    let r = records(&ran.stdout);
    assert_eq!(r.len(), 1, "{}", ran.stdout);
    assert_eq!(r[0]["type"], "readvar");
    assert_eq!(r[0]["host"], "sim");
    assert_eq!(r[0]["status"]["last_event"], "clock_sync");
    assert_eq!(r[0]["vars"]["stratum"], 2);
    assert_eq!(r[0]["vars"]["version"], "ntpd x");
    assert_eq!(r[0]["vars"]["reftime"], "2025-11-13T02:25:07.250000Z");
    assert_eq!(r[0]["vars"]["reftime_raw"], "0xecbfc003.40000000");
    let r = records(&h.run("rv 11").stdout);
    assert_eq!(r[0]["vars"]["filtdelay"], serde_json::json!([1.0, 2.0]));
    assert_eq!(r[0]["status"]["condition"], "sys.peer");
}

#[test]
fn peers_and_associations_records() {
    let mut h = json_harness(SCENARIO);
    let r = records(&h.run("peers").stdout);
    assert_eq!(r[0]["type"], "peers");
    let p = &r[0]["peers"][0];
    assert_eq!(
        (p["associd"].as_u64(), p["tally"].as_str()),
        (Some(11), Some("*"))
    );
    assert_eq!(p["remote"], "192.0.2.10");
    assert_eq!(p["delay"], 1.5);
    assert_eq!(p["poll"], 64);
    let r = records(&h.run("as").stdout);
    assert_eq!(r[0]["associations"][0]["status"]["word"], 0x961a);
}

#[test]
fn settings_print_nothing_and_classic_comes_back() {
    let mut h = json_harness(SCENARIO);
    for line in [
        "timeout 300",
        "raw",
        "units",
        "hostnames no",
        "ntpversion 2",
    ] {
        let ran = h.run(line);
        assert_eq!(ran.stdout, "", "{line}");
    }
    assert_eq!(h.run("format classic").stdout, "Output format is classic\n");
    assert_eq!(h.run("timeout").stdout, "primary timeout 300 ms\n");
}

#[test]
fn errors_carry_host_and_code() {
    let mut h = json_harness(SILENT);
    let ran = h.run("rv");
    assert_eq!(ran.stdout, "");
    assert!(ran.failed);
    let e: Value = serde_json::from_str(ran.stderr.trim()).expect("one JSON line");
    assert_eq!(e["type"], "error");
    assert_eq!(e["host"], "sim");
    assert_eq!(e["code"], "timeout");
    let mut h = json_harness(SCENARIO);
    let ran = h.run("rv 99");
    let e: Value = serde_json::from_str(ran.stderr.trim()).expect("one JSON line");
    assert_eq!(e["code"], "invalid_argument");
    assert_eq!(e["message"], "Unknown associd.");
}
