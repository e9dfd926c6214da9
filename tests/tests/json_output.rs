//! `--json` end to end: our ntpq against the simulator (ephemeral
//! loopback ports) for every command that shows data. Every stdout line
//! must parse as JSON and start with the head fields; typed values are
//! checked against what the scenarios serve; errors on stderr are JSON
//! objects with the host and a stable code. A smaller check runs against
//! a real ntpd when the machine has one.

use std::process::{Command, Stdio};

use ntpd_sim::Simulator;
use ntpq_conformance::ntpd::{self, NTPD_ADDR};
use ntpq_conformance::sim::{scenario, scenario_path};
use ntpq_conformance::{have, ntpq_rs, Need};
use serde_json::Value;

/// What one run printed, parsed.
struct Run {
    records: Vec<Value>,
    problems: Vec<Value>,
    status: i32,
}

fn sim(name: &str) -> Simulator {
    Simulator::spawn("127.0.0.1:0".parse().unwrap(), scenario(name)).expect("simulator")
}

/// Every line of `text` as JSON (panics naming the line that is not).
fn parse_lines(text: &str, what: &str) -> Vec<Value> {
    text.lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{what} line is not JSON ({e}): {l:?}"))
        })
        .collect()
}

/// `ntpq -n --json [extra] -c cmd… hosts…`.
fn run(extra: &[&str], commands: &[&str], hosts: &[&str]) -> Run {
    let mut args: Vec<&str> = vec!["-n", "--json"];
    args.extend(extra);
    for c in commands {
        args.extend(["-c", c]);
    }
    args.extend(hosts);
    let out = Command::new(ntpq_rs())
        .args(&args)
        .env("TZ", "UTC")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .output()
        .expect("run ntpq");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let records = parse_lines(&stdout, "stdout");
    for r in &records {
        let keys: Vec<&str> = r
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys[..3], ["v", "type", "host"], "head fields of {r}");
        assert_eq!(r["v"], 1);
    }
    Run {
        records,
        problems: parse_lines(&stderr, "stderr"),
        status: out.status.code().unwrap_or(-1),
    }
}

/// The one record a single command printed, its type and host checked.
fn one(host: &str, command: &str, kind: &str) -> Value {
    let r = run(&[], &[command], &[host]);
    assert_eq!(r.records.len(), 1, "{command}: {:?}", r.records);
    let rec = r.records.into_iter().next().unwrap();
    assert_eq!(rec["type"], kind, "{command}");
    assert_eq!(rec["host"], host, "{command}");
    rec
}

#[test]
fn readvar_family_types_every_value() {
    let s = sim("synced.toml");
    let host = s.local_addr().to_string();
    for cmd in ["rv", "readvar", "rl", "readlist", "rv 0"] {
        let rec = one(&host, cmd, "readvar");
        assert_eq!(rec["associd"], 0, "{cmd}");
        assert_eq!(rec["status"]["word"], 0x0615, "{cmd}");
        assert_eq!(rec["status"]["sync_source"], "sync_ntp", "{cmd}");
        let vars = &rec["vars"];
        assert!(
            vars["stratum"].is_i64() && vars["stratum"] == 2,
            "{cmd}: {vars}"
        );
        assert_eq!(vars["rootdelay"], 12.345);
        assert_eq!(vars["frequency"], -12.345678);
        assert_eq!(vars["version"], "ntpd ntpsec-1.2.2");
        let reftime = vars["reftime"].as_str().expect("reftime text");
        assert!(reftime.ends_with('Z') && reftime.contains('T'), "{reftime}");
        let raw = vars["reftime_raw"].as_str().expect("raw l_fp");
        assert!(raw.starts_with("0x") && raw.len() == 19, "{raw}");
    }
    let rec = one(&host, "rv 17770", "readvar");
    assert_eq!(rec["status"]["condition"], "sys.peer");
    let filt = rec["vars"]["filtdelay"]
        .as_array()
        .expect("filtdelay array");
    assert_eq!(filt.len(), 8);
    assert_eq!(filt[0], 12.35);
    assert_eq!(rec["vars"]["srcadr"], "192.0.2.10");
    let rec = one(&host, "rv 0 stratum,offset", "readvar");
    assert_eq!(
        rec["vars"],
        serde_json::json!({"stratum": 2, "offset": -0.123456})
    );
    for cmd in ["cv 17773", "clockvar 17773", "cl 17773", "clocklist 17773"] {
        let rec = one(&host, cmd, "clockvar");
        assert_eq!(rec["associd"], 17773, "{cmd}");
        assert_eq!(rec["status"]["last_event"], "clk_no_reply", "{cmd}");
        assert_eq!(
            rec["vars"]["device"], "SHM/Shared memory interface",
            "{cmd}"
        );
    }
    for cmd in [
        "mrv 17770 17771 offset",
        "mreadvar 17770 17771",
        "mrl 17770 17771",
        "mreadlist 17770 17771",
    ] {
        let r = run(&[], &[cmd], &[&host]);
        let ids: Vec<&Value> = r.records.iter().map(|r| &r["associd"]).collect();
        assert_eq!(ids, [17770, 17771], "{cmd}");
        assert_eq!(r.records[1]["vars"]["offset"], 1.234567, "{cmd}");
    }
}

#[test]
fn associations_and_peers() {
    let s = sim("synced.toml");
    let host = s.local_addr().to_string();
    for cmd in ["associations", "lassociations"] {
        let rec = one(&host, cmd, "associations");
        let list = rec["associations"].as_array().expect("array");
        assert_eq!(list.len(), 6, "{cmd}");
        assert_eq!(list[0]["associd"], 17770);
        assert_eq!(list[0]["status"]["condition"], "sys.peer");
        assert_eq!(list[0]["status"]["conf"], "yes");
        assert_eq!(list[2]["status"]["reach"], "none");
    }
    // The cache of the same run: passociations after associations.
    for cmd in ["passociations", "lpassociations"] {
        let r = run(&[], &["as", cmd], &[&host]);
        assert_eq!(r.records.len(), 2, "{cmd}");
        assert_eq!(r.records[1]["associations"], r.records[0]["associations"]);
    }
    for cmd in ["peers", "lpeers", "opeers", "lopeers", "apeers", "rpeers"] {
        let rec = one(&host, cmd, "peers");
        let peers = rec["peers"].as_array().expect("array");
        assert_eq!(peers.len(), 6, "{cmd}");
        let p = &peers[0];
        assert_eq!(p["associd"], 17770);
        assert_eq!(p["remote"], "192.0.2.10");
        assert_eq!(p["tally"], "*");
        assert_eq!(p["refid"], "GPS");
        assert_eq!(p["stratum"], 1);
        assert_eq!(p["type"], "u");
        assert_eq!(p["poll"], 64);
        assert_eq!(p["reach"], 255);
        assert_eq!(p["delay"], 12.345678);
        assert_eq!(p["offset"], -0.123456);
        assert!(p["when"].is_i64(), "{p}");
        // Never cut to a column's width.
        assert_eq!(peers[1]["remote"], "2001:db8::123");
        assert_eq!(peers[3]["type"], "l");
        assert_eq!(peers[3]["hostname"], "SHM(0)");
    }
}

#[test]
fn summary_commands_are_one_typed_object_each() {
    let s = sim("synced.toml");
    let host = s.local_addr().to_string();
    let rec = one(&host, "sysinfo", "sysinfo");
    assert_eq!(rec["status"]["leap"], "leap_none");
    assert_eq!(rec["stratum"], 2);
    assert_eq!(rec["peeradr"], "192.0.2.10:123");
    assert!(rec["reftime_raw"].is_string());
    let rec = one(&host, "sysstats", "sysstats");
    assert_eq!(rec["ss_uptime"], 86412);
    assert_eq!(rec["ss_numctlreq"], 20);
    assert_eq!(rec["ss_received_r"], 5321);
    assert_eq!(one(&host, "kerninfo", "kerninfo")["kstflags"], "pll nano");
    assert_eq!(one(&host, "monstats", "monstats")["mru_maxdepth"], 10922);
    assert_eq!(one(&host, "iostats", "iostats")["io_received"], 5400);
    assert_eq!(one(&host, "timerstats", "timerstats")["timer_xmts"], 1440);
    assert_eq!(one(&host, "ntsinfo", "ntsinfo")["nts_client_send"], 0);
    let rec = one(&host, "pstats 17770", "pstats");
    assert_eq!(rec["associd"], 17770);
    assert_eq!(rec["sent"], 1410);
    assert_eq!(rec["srcadr"], "192.0.2.10");
    // Names this server does not know: the one-at-a-time fallback, null.
    let r = run(&[], &["authinfo"], &[&host]);
    assert_eq!(r.records[0]["authkeys"], 1);
    assert!(r.records[0]
        .as_object()
        .unwrap()
        .values()
        .any(Value::is_null));
    assert_eq!(r.problems[0]["code"], "unknown_variable_retry");
    let rec = one(&host, "mssntpinfo", "mssntpinfo");
    assert!(rec.as_object().unwrap().contains_key("mssntp_serves"));
    let rec = one(&host, "version", "version");
    assert_eq!(rec["version"], "ntpsec-1.2.2");
}

#[test]
fn ifstats_and_reslist_list_their_stanzas() {
    let s = sim("auth.toml");
    let host = s.local_addr().to_string();
    let keys = scenario_path("auth.keys").display().to_string();
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o600));
    }
    let r = run(&["-k", &keys, "-a", "1"], &["ifstats", "reslist"], &[&host]);
    assert_eq!(r.problems, Vec::<Value>::new());
    assert_eq!(r.records.len(), 2);
    let ifs = r.records[0]["interfaces"].as_array().expect("interfaces");
    assert_eq!(r.records[0]["type"], "ifstats");
    assert_eq!(ifs.len(), 7);
    assert_eq!(ifs[2]["name"], "eth0");
    assert_eq!(ifs[2]["rx"], 123456);
    assert_eq!(ifs[2]["flags"], 0x19);
    let res = r.records[1]["restrictions"]
        .as_array()
        .expect("restrictions");
    assert_eq!(r.records[1]["type"], "reslist");
    assert_eq!(res.len(), 7);
    assert_eq!(res[1]["hits"], 1234);
    assert_eq!(res[2]["flags"], "nomodify notrap");
}

#[test]
fn settings_print_nothing_and_help_is_a_text_record() {
    let s = sim("synced.toml");
    let host = s.local_addr().to_string();
    let r = run(
        &[],
        &[
            "timeout 900",
            "raw",
            "units",
            "timeout",
            "rv 0 stratum",
            "help",
        ],
        &[&host],
    );
    assert_eq!(r.status, 0);
    assert_eq!(r.records.len(), 2, "{:?}", r.records);
    // raw and units do not change JSON.
    assert_eq!(r.records[0]["vars"]["stratum"], 2);
    assert_eq!(r.records[1]["type"], "text");
    assert!(r.records[1]["text"].as_str().unwrap().contains("readvar"));
}

#[test]
fn errors_are_json_on_stderr_with_host_and_code() {
    let silent = sim("faults_silent.toml");
    let quiet = silent.local_addr().to_string();
    let r = run(&[], &["timeout 200", "rv"], &[&quiet]);
    assert_eq!(r.records.len(), 0);
    assert_eq!(r.status, 1);
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    let e = &r.problems[0];
    assert_eq!(e["type"], "error");
    assert_eq!(e["host"], quiet.as_str());
    assert_eq!(e["code"], "timeout");
    assert_eq!(e["message"], "***Request timed out");
    assert!(e["hint"].as_str().unwrap().contains("no answer"));

    let s = sim("synced.toml");
    let host = s.local_addr().to_string();
    let r = run(
        &[],
        &["rv 0 nosuchvar", "pstats", "frobnicate", "rv 4242"],
        &[&host],
    );
    let codes: Vec<&Value> = r.problems.iter().map(|p| &p["code"]).collect();
    assert_eq!(
        codes,
        [
            "unknown_variable",
            "usage",
            "unknown_command",
            "invalid_argument"
        ]
    );
    assert!(r
        .problems
        .iter()
        .all(|p| p["host"] == host.as_str() && p["type"] == "error"));
    assert_eq!(r.records.len(), 0);
}

#[test]
fn several_hosts_in_argument_order_each_record_named() {
    let a = sim("synced.toml");
    let b = sim("unsynced.toml");
    let silent = sim("faults_silent.toml");
    let (a, b, q) = (
        a.local_addr().to_string(),
        b.local_addr().to_string(),
        silent.local_addr().to_string(),
    );
    let r = run(&[], &["timeout 300", "rv 0 stratum", "as"], &[&b, &q, &a]);
    let hosts: Vec<&Value> = r.records.iter().map(|r| &r["host"]).collect();
    assert_eq!(hosts, [b.as_str(), b.as_str(), a.as_str(), a.as_str()]);
    assert_eq!(r.records[0]["vars"]["stratum"], 16);
    assert_eq!(r.records[2]["vars"]["stratum"], 2);
    // The unsynced server has no associations: a warning, an empty list.
    assert_eq!(r.records[1]["associations"], serde_json::json!([]));
    assert!(r
        .problems
        .iter()
        .any(|p| p["code"] == "no_associations" && p["host"] == b.as_str()));
    let errors: Vec<&Value> = r.problems.iter().filter(|p| p["type"] == "error").collect();
    // The association list read before `rv 0 ...` (an empty cache), rv, as.
    assert_eq!(errors.len(), 3, "{:?}", r.problems);
    assert!(errors
        .iter()
        .all(|e| e["host"] == q.as_str() && e["code"] == "timeout"));
}

#[test]
fn real_ntpd_records_parse() {
    if !have(&[Need::Root, Need::RealNtpd]) {
        return;
    }
    let Some(_ntpd) = ntpd::shared("", |_| ()) else {
        return;
    };
    let r = run(&[], &["rv", "peers", "as", "sysinfo"], &[NTPD_ADDR]);
    let kinds: Vec<&Value> = r.records.iter().map(|r| &r["type"]).collect();
    assert_eq!(
        kinds,
        ["readvar", "peers", "associations", "sysinfo"],
        "{:?}",
        r.problems
    );
    assert!(r.records[0]["vars"]["stratum"].is_i64());
    assert!(r.records[0]["vars"]["version"].is_string());
    assert!(r.records[0]["status"]["word"].is_u64());
}

#[test]
fn a_servers_control_characters_stay_escaped() {
    let s = sim("hostile-text.toml");
    let host = s.local_addr().to_string();
    let out = Command::new(ntpq_rs())
        .args([
            "-n", "--json", "-c", "rv", "-c", "peers", "-c", "rv 1", "-c", "sysinfo", &host,
        ])
        .stdin(Stdio::null())
        .output()
        .expect("run ntpq");
    let raw_controls: Vec<u8> = out
        .stdout
        .iter()
        .chain(&out.stderr)
        .copied()
        .filter(|&b| (b < 0x20 && b != b'\n') || b == 0x7f)
        .collect();
    assert_eq!(
        raw_controls,
        b"",
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // What was sent is still there to read, as `\xHH` (the text output's
    // escaping, which parsing applies).
    let records = parse_lines(&text, "stdout");
    assert_eq!(records[0]["vars"]["refid"], r"GPS\x1b[2J\x1b]0;owned\x07");
}
