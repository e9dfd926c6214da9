//! READ_MRU: nonces, limits, paging with anchors, filters and churn.

use super::*;

pub(super) const MRU: &str = r#"
[mru]
noise = true
frozen_now = true
entries = [
  { addr = "192.0.2.1:123", last_ago = 5, ct = 10 },
  { addr = "[2001:db8::1]:4567", last_ago = 15, ct = 3, dr = 2, rs = 0x20 },
]
[mru.generate]
count = 300
spacing = 1.0
newest_ago = 20
"#;

pub(super) fn nonce(s: &mut ServerState, now: SystemTime) -> String {
    let r = ask(s, now, Opcode::ReqNonce, 0, "");
    assert_eq!(r.headers[0].status, 0);
    let t = text(&r);
    assert!(t.ends_with("\r\n"));
    let n = t.trim().to_string();
    assert!(n.starts_with("nonce=") && n.len() == 6 + 24, "{n}");
    n
}

/// One MRU exchange; `None` when the server stayed silent.
fn mru(s: &mut ServerState, now: SystemTime, req: &str) -> Option<Reply> {
    let r = ask(s, now, Opcode::ReadMru, 0, req);
    if r.headers.is_empty() {
        None
    } else {
        Some(r)
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Row {
    addr: String,
    last: String,
}

fn rows(r: &Reply) -> (Vec<Row>, bool) {
    let vars = parse_varlist(&r.data);
    let get = |n: &str| vars.iter().find(|v| v.name == n).map(|v| v.raw.clone());
    let mut out = Vec::new();
    for i in 0.. {
        match (get(&format!("addr.{i}")), get(&format!("last.{i}"))) {
            (Some(addr), Some(last)) => out.push(Row { addr, last }),
            _ => break,
        }
    }
    (out, get("now").is_some())
}

#[test]
fn nonce_validity() {
    let mut s = state(MRU);
    let n = nonce(&mut s, t0());
    assert!(mru(&mut s, t0(), &format!("{n}, limit=5")).is_some());
    assert!(mru(
        &mut s,
        t0() + Duration::from_millis(15_900),
        &format!("{n}, limit=5")
    )
    .is_some());
    assert!(mru(
        &mut s,
        t0() + Duration::from_secs(16),
        &format!("{n}, limit=5")
    )
    .is_none());
    let other: SocketAddr = "127.0.0.1:40001".parse().unwrap();
    assert!(ask_from(
        &mut s,
        t0(),
        other,
        Opcode::ReadMru,
        0,
        &format!("{n}, limit=5")
    )
    .headers
    .is_empty());
    assert!(mru(&mut s, t0(), "limit=5").is_none());
    assert!(mru(&mut s, t0(), "nonce=0123456789abcdef01234567, limit=5").is_none());
    // An unparsable value silences the server even with a good nonce.
    assert!(mru(&mut s, t0(), &format!("{n}, limit=5, mincount=abc")).is_none());
    // An unknown parameter just ends the scan.
    assert!(mru(
        &mut s,
        t0(),
        &format!("{n}, limit=5, bogus=1, mincount=abc")
    )
    .is_some());
}

#[test]
fn mru_limits() {
    let mut s = state(MRU);
    let n = nonce(&mut s, t0());
    for bad in [
        "frags=129",
        "limit=0",
        "limit=257",
        "frags=0, limit=300",
        "",
    ] {
        let r = mru(&mut s, t0(), &format!("{n}, {bad}")).unwrap();
        assert_eq!(error_code(&r), Some(6), "{bad}");
    }
    let r = mru(&mut s, t0(), &format!("{n}, frags=3")).unwrap();
    assert!(r.headers.len() <= 3);
    let (got, complete) = rows(&r);
    assert!(!complete);
    assert!(!got.is_empty());
    // frags=1 leaves no room for any entry.
    let r = mru(&mut s, t0(), &format!("{n}, frags=1")).unwrap();
    assert_eq!(rows(&r).0.len(), 0);
    let r = mru(&mut s, t0(), &format!("{n}, limit=7")).unwrap();
    assert_eq!(rows(&r).0.len(), 7);
    let t = text(&r);
    assert!(t.starts_with("nonce="));
    let vars = parse_varlist(&r.data);
    assert!(vars
        .iter()
        .any(|v| v.name.len() == 5 && v.name.ends_with(".0") && !v.name.starts_with("ct")));
}

/// Fetches the whole list like ntpq does (anchors of everything received).
fn fetch_all(s: &mut ServerState, now: SystemTime, limit: u32) -> Vec<Row> {
    let n = nonce(s, now);
    let mut all: Vec<Row> = Vec::new();
    let mut req = format!("{n}, limit={limit}");
    for _ in 0..1000 {
        let r = mru(s, now, &req).expect("reply");
        assert_eq!(error_code(&r), None, "{req}");
        let (got, complete) = rows(&r);
        let vars = parse_varlist(&r.data);
        let next_nonce = vars.iter().find(|v| v.name == "nonce").unwrap().raw.clone();
        all.extend(got);
        if complete {
            assert!(text(&r).contains("now=0x"));
            return all;
        }
        req = format!("nonce={next_nonce}, limit={limit}");
        for (i, row) in all.iter().rev().take(5).enumerate() {
            req.push_str(&format!(", addr.{i}={}, last.{i}={}", row.addr, row.last));
        }
    }
    panic!("never completed");
}

#[test]
fn mru_paging_with_anchors_returns_every_entry_once() {
    let mut s = state(MRU);
    let all = fetch_all(&mut s, t0(), 13);
    let want: Vec<String> = s
        .mru()
        .entries()
        .iter()
        .map(|e| e.addr.to_string())
        .collect();
    let got: Vec<String> = all.iter().map(|r| r.addr.clone()).collect();
    assert_eq!(got, want);
    assert_eq!(got.len(), 302);
    assert_eq!(got.last().unwrap(), "192.0.2.1:123");
    assert!(got.contains(&"[2001:db8::1]:4567".to_string()));
}

#[test]
fn mru_anchor_quirks() {
    let mut s = state(MRU);
    let n = nonce(&mut s, t0());
    let r = mru(&mut s, t0(), &format!("{n}, limit=3")).unwrap();
    let (first, _) = rows(&r);
    let a = &first[2];
    // Exact anchor: continue after it, confirming it with .older.
    let r = mru(
        &mut s,
        t0(),
        &format!("{n}, limit=3, addr.0={}, last.0={}", a.addr, a.last),
    )
    .unwrap();
    let vars = parse_varlist(&r.data);
    assert_eq!(vars[0].name, "last.older");
    assert_eq!(vars[0].raw, a.last);
    assert_eq!(vars[1].raw, a.addr);
    let (next, _) = rows(&r);
    let all = s.mru().entries();
    assert_eq!(next[0].addr, all[3].addr.to_string());
    // Anchor address not in the list at all: UNKNOWNVAR.
    let r = mru(
        &mut s,
        t0(),
        &format!("{n}, limit=3, addr.0=203.0.113.9:1, last.0={}", a.last),
    )
    .unwrap();
    assert_eq!(error_code(&r), Some(5));
    // Anchor present but updated: used anyway (quirk), continuing after its new place.
    let later = t0() + Duration::from_secs(1);
    let addr: SocketAddr = a.addr.parse().unwrap();
    s.mru_mut().touch(addr, later, 0x23);
    let r = mru(
        &mut s,
        later,
        &format!("{n}, limit=3, addr.0={}, last.0={}", a.addr, a.last),
    )
    .unwrap();
    assert_eq!(error_code(&r), None);
    let vars = parse_varlist(&r.data);
    assert_eq!(vars[0].name, "last.older");
    assert_ne!(vars[0].raw, a.last);
    let (rest, complete) = rows(&r);
    assert!(rest.is_empty() && complete);
    assert!(!text(&r).contains("last.newest"));
    // A later anchor matches exactly: the first match wins.
    let b = &first[1];
    let r = mru(
        &mut s,
        later,
        &format!(
            "{n}, limit=2, addr.0={}, last.0={}, addr.1={}, last.1={}",
            a.addr, a.last, b.addr, b.last
        ),
    )
    .unwrap();
    assert_eq!(parse_varlist(&r.data)[0].raw, b.last);
}

#[test]
fn mru_limit_one_and_filters() {
    let mut s = state(MRU);
    let n = nonce(&mut s, t0());
    let r = mru(
        &mut s,
        t0(),
        &format!("{n}, limit=1, addr.0=192.0.2.1, addr.3=[2001:db8::1]:1, addr.4=203.0.113.1"),
    )
    .unwrap();
    let vars = parse_varlist(&r.data);
    let got: Vec<&str> = vars
        .iter()
        .filter(|v| v.name.starts_with("addr."))
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(got, ["addr.0", "addr.3"]);
    assert!(vars.iter().any(|v| v.name == "now"));
    let r = mru(
        &mut s,
        t0(),
        &format!("{n}, limit=100, mincount=5, mindrop=0, resany=0x20"),
    )
    .unwrap();
    assert_eq!(rows(&r).0.len(), 0);
    let r = mru(&mut s, t0(), &format!("{n}, limit=100, resany=0x20")).unwrap();
    let (got, complete) = rows(&r);
    assert_eq!(
        got.iter().map(|r| r.addr.as_str()).collect::<Vec<_>>(),
        ["[2001:db8::1]:4567"]
    );
    assert!(complete);
    let r = mru(&mut s, t0(), &format!("{n}, limit=100, mindrop=1")).unwrap();
    assert_eq!(rows(&r).0.len(), 1);
    let r = mru(&mut s, t0(), &format!("{n}, frags=32, maxlstint=10")).unwrap();
    assert_eq!(rows(&r).0.len(), 1);
    let r = mru(&mut s, t0(), &format!("{n}, frags=32, recent=4")).unwrap();
    let (got, complete) = rows(&r);
    assert!(complete);
    assert_eq!(got.len(), 4);
    assert_eq!(got[3].addr, "192.0.2.1:123");
}

#[test]
fn mru_churn_adds_and_moves_entries() {
    let toml = r#"
[mru]
churn_new_per_sec = 5
churn_touch_per_sec = 2
[mru.generate]
count = 50
"#;
    let mut s = state(toml);
    assert_eq!(s.mru().len(), 50);
    let before = s.mru().entries();
    let later = t0() + Duration::from_secs(10);
    let _ = nonce(&mut s, later);
    assert_eq!(s.mru().len(), 100);
    let after = s.mru().entries();
    assert_ne!(before[..], after[..50]);
    // Still complete and consistent when paged while it changes.
    let all = fetch_all(&mut s, later + Duration::from_secs(1), 10);
    assert!(all.len() >= 100);
}
