use super::*;
use ntp_control::mru::entry::{parse_stamp, NO_DROP, NO_SCORE};

const PIVOT: i64 = 1_795_680_000;

fn entry() -> MruEntry {
    MruEntry {
        // 0xeeb26395 is Unix 1795679509.
        last: parse_stamp("0xeeb26395.80000000").unwrap(),
        first: parse_stamp("0xeeb26390.00000000").unwrap(),
        addr: AddrRef::V4(0xc000_0201),
        count: 3,
        drop: 5,
        score_milli: 12_345,
        port: 40001,
        rs: 0x460,
        mv: 0x23,
        has_port: true,
    }
}

fn parse(text: &str) -> Value {
    assert!(
        text.ends_with('\n') && text.matches('\n').count() == 1,
        "{text:?}"
    );
    serde_json::from_str(text).expect("valid JSON")
}

#[test]
fn an_entry_is_one_typed_record() {
    let mut out = String::new();
    let head = entry_head(Some("ntp\"1"));
    let view = EntryView {
        pivot_unix: PIVOT,
        now_unix: Some(1_795_679_512.7),
        poll: None,
    };
    push_entry(&mut out, &head, &entry(), &V6Table::default(), None, view);
    assert!(
        out.starts_with(r#"{"v":1,"type":"mru_entry","host":"ntp\"1","addr":"192.0.2.1","#),
        "{out}"
    );
    let v = parse(&out);
    assert_eq!(v["port"], 40001);
    assert_eq!(v["first"], "2026-11-26T07:51:44.000000Z");
    assert_eq!(v["last"], "2026-11-26T07:51:49.500000Z");
    assert_eq!(v["first_raw"], "0xeeb26390.00000000");
    assert_eq!(v["last_raw"], "0xeeb26395.80000000");
    assert_eq!(v["count"], 3);
    assert_eq!(v["restrictions"], 0x460);
    assert_eq!(
        v["restriction_flags"],
        serde_json::json!(["limited", "noquery", "kod"])
    );
    assert_eq!(
        (v["mode"].as_u64(), v["version"].as_u64()),
        (Some(3), Some(4))
    );
    assert_eq!(v["score"].as_f64(), Some(12.345));
    assert_eq!(v["drop"], 5);
    // As the classic row: int(3.2 + 0.5) and 5.5 / 2.
    assert_eq!(v["lstint"], 3);
    assert_eq!(v["avgint"].as_f64(), Some(2.75));
    assert!(v.get("poll").is_none() && v.get("name").is_none());
}

#[test]
fn absent_fields_are_null_and_follow_entries_carry_their_poll() {
    let mut e = entry();
    e.score_milli = NO_SCORE;
    e.drop = NO_DROP;
    e.has_port = false;
    e.count = 1;
    e.rs = 0;
    let mut out = String::new();
    let view = EntryView {
        pivot_unix: PIVOT,
        now_unix: None,
        poll: Some(7),
    };
    let mut v6 = V6Table::default();
    e.addr = v6.intern("2001:db8::1".parse().unwrap(), 0x8000_0003);
    push_entry(&mut out, &entry_head(None), &e, &v6, Some("a\u{1b}b"), view);
    let v = parse(&out);
    assert_eq!(v["host"], Value::Null);
    assert_eq!(v["addr"], "2001:db8::1%3");
    assert_eq!(v["name"], "a\u{1b}b");
    assert!(!out.contains('\u{1b}'), "control characters are escaped");
    for absent in ["port", "score", "drop"] {
        assert_eq!(v[absent], Value::Null, "{absent}");
    }
    assert_eq!(v["restriction_flags"], serde_json::json!([]));
    assert_eq!(v["avgint"].as_f64(), Some(0.0));
    assert!(
        out.contains("\"avgint\":0.0,"),
        "a float even when whole: {out}"
    );
    assert!(v.get("lstint").is_none());
    assert_eq!(v["poll"], 7);
    e.addr = AddrRef::Invalid;
    out.clear();
    push_entry(&mut out, &entry_head(None), &e, &v6, None, view);
    assert_eq!(parse(&out)["addr"], Value::Null);
}

#[test]
fn parameters_and_counters() {
    assert_eq!(
        params_object(", mincount=2, laddr=127.0.0.1, kod=True"),
        serde_json::json!({"mincount": 2, "laddr": "127.0.0.1", "kod": "True"})
    );
    assert_eq!(
        int(i128::from(u64::MAX) + 1),
        Value::from("18446744073709551616")
    );
    assert_eq!(counters(None, PIVOT), Value::Null);
    let text = record_line("mru_poll", Some("h"), Map::new());
    assert_eq!(text, "{\"v\":1,\"type\":\"mru_poll\",\"host\":\"h\"}\n");
}
