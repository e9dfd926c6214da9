use super::*;
use ntp_control::parse_varlist;
use serde_json::json;

const NOW: f64 = 1_796_616_963.0;

#[test]
fn readvar_records_carry_association_status_and_typed_vars() {
    let vars = parse_varlist(b"stratum=3, refid=\"GPS\", rootdelay=1.25");
    let r = readvar_record(
        "readvar",
        Some("ntp1"),
        0,
        super::super::system_status(0x0615),
        &vars,
        NOW as i64,
    );
    let v = Value::Object(r);
    assert_eq!(v["type"], "readvar");
    assert_eq!(v["associd"], 0);
    assert_eq!(v["status"]["sync_source"], "sync_ntp");
    assert_eq!(
        v["vars"],
        json!({"stratum": 3, "refid": "GPS", "rootdelay": 1.25})
    );
}

#[test]
fn associations_are_listed_in_order_with_decoded_status() {
    let v = Value::Object(associations_record(None, &[(7, 0x961a), (9, 0x9424)]));
    assert_eq!(v["host"], Value::Null);
    assert_eq!(v["associations"][0]["index"], 1);
    assert_eq!(v["associations"][0]["associd"], 7);
    assert_eq!(v["associations"][0]["status"]["condition"], "sys.peer");
    assert_eq!(v["associations"][1]["status"]["word"], 0x9424);
    assert_eq!(v["associations"][1]["status"]["condition"], "candidate");
}

#[test]
fn a_peer_keeps_its_whole_address_and_typed_columns() {
    let long = "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff";
    let text = format!(
        "srcadr={long}, dstadr=::1, refid=PPS, stratum=1, hmode=3, hpoll=6, ppoll=10, \
         reach=0xff, delay=0.512, offset=-0.044, jitter=0.010, rec=0x{:08x}.00000000",
        (NOW as u64 + 2_208_988_800 - 12) as u32
    );
    let vars = parse_varlist(text.as_bytes());
    let p = PeerInput {
        associd: 42,
        status: 0x961a,
        vars: &vars,
        hostname: None,
        old_version: false,
    };
    let v = Value::Object(peer_object(&p, NOW));
    assert_eq!(v["remote"], long);
    assert_eq!(v["hostname"], Value::Null);
    assert_eq!(v["tally"], "*");
    assert_eq!(v["condition"], "sys.peer");
    assert_eq!(v["type"], "u");
    assert_eq!(v["type_name"], "unicast");
    assert_eq!(v["when"], 12);
    assert_eq!(v["poll"], 64);
    assert_eq!(v["reach"], 255);
    assert_eq!(v["reach_octal"], "377");
    assert_eq!(v["delay"], 0.512);
    assert_eq!(v["offset"], -0.044);
    assert_eq!(v["jitter"], 0.01);
    assert_eq!(v["dispersion"], Value::Null);
    assert_eq!(v["status"]["reach"], "yes");
    let r = Value::Object(peers_record(Some("h"), vec![peer_object(&p, NOW)]));
    assert_eq!(r["type"], "peers");
    assert_eq!(r["peers"][0]["associd"], 42);
}

#[test]
fn summary_fields_are_typed_and_unknown_ones_are_null() {
    let mut vars = parse_varlist(b"ss_uptime=3600, reftime=0xecbfc003.40000000");
    vars.push(Variable {
        name: "ss_numctlreq".into(),
        value: Typed::Str("?".into()),
        raw: "?".into(),
    });
    let names = ["ss_uptime", "ss_numctlreq", "reftime", "not_sent"];
    let v = Value::Object(summary_record(
        "sysstats",
        Some("h"),
        &names,
        &vars,
        NOW as i64,
    ));
    assert_eq!(v["ss_uptime"], 3600);
    assert_eq!(v["ss_numctlreq"], Value::Null);
    assert_eq!(v["reftime_raw"], "0xecbfc003.40000000");
    assert!(v.get("not_sent").is_none());
}

#[test]
fn ordlist_stanzas_become_objects() {
    let stanzas = vec![
        parse_varlist(b"addr=127.0.0.1, rx=10"),
        Vec::new(),
        parse_varlist(b"addr=::1, rx=0"),
    ];
    let v = Value::Object(ordlist_record(
        "ifstats",
        None,
        "interfaces",
        &stanzas,
        NOW as i64,
    ));
    assert_eq!(v["interfaces"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["interfaces"][1]["index"], 2);
    assert_eq!(v["interfaces"][1]["addr"], "::1");
    assert_eq!(v["interfaces"][0]["rx"], 10);
}
