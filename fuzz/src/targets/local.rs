//! Targets on what the operator (or a file) supplies: key files, the
//! command line, `mrulist` arguments.

use std::path::Path;

use ntp_auth::{compute_mac, verify_mac, KeyFile};
use ntp_control::mru::V6Table;
use ntp_control::mru::{parse_mrulist_args, MruEngine, Next, MRU_ROW_LIMIT};
use ntp_control::{Opcode, Response, Timeouts};

/// `KeyFile::parse`: warnings name the file and line, never the key;
/// every key it keeps can sign and verify.
pub fn keyfile(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let kf = KeyFile::parse(&text, Path::new("fuzz.keys"));
    for w in &kf.warnings {
        assert!(w.starts_with("ntpq: fuzz.keys, line "), "{w}");
    }
    assert!(kf.len() <= text.lines().count());
    for key in kf.keys() {
        assert!((1..=65535).contains(&key.id));
        if let Some(kind) = key.kind {
            let mac = compute_mac(kind, &key.secret, data);
            assert!(verify_mac(kind, &key.secret, data, &mac));
        }
    }
}

/// The command line (`cli::parse`): arguments separated by NUL octets.
pub fn cli(data: &[u8]) {
    let args: Vec<String> = data
        .split(|&b| b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let args = if data.is_empty() { Vec::new() } else { args };
    let _ = ntpq::cli::parse(args);
}

/// `mrulist` arguments, and the first READ_MRU request the engine
/// builds from them after a nonce.
pub fn mrulist_args(data: &[u8]) {
    let line = String::from_utf8_lossy(data);
    let Ok(options) = parse_mrulist_args(&line) else {
        return;
    };
    let mut engine = MruEngine::new(options, Timeouts::default(), MRU_ROW_LIMIT);
    let now = std::time::Instant::now();
    let Next::Query(req, _) = engine.next(now) else {
        panic!("no nonce request");
    };
    assert_eq!(req.opcode, Opcode::ReqNonce);
    let nonce = Response {
        opcode: Opcode::ReqNonce,
        status: 0,
        associd: 0,
        data: b"nonce=eeb264279910769e5b5b7479\r\n".to_vec(),
        fragments: 1,
    };
    let mut v6 = V6Table::default();
    engine
        .handle(now, Ok(&nonce), &mut v6, &mut |_, _| {})
        .expect("a nonce is accepted");
    if let Next::Query(req, _) = engine.next(now) {
        assert_eq!(req.opcode, Opcode::ReadMru);
        assert!(req.data.starts_with(b"nonce=eeb264279910769e5b5b7479"));
    }
}
