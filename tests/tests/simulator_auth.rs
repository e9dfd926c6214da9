//! MAC alignment against the simulator's two server generations
//! (protocol.md §9.3): `auth.toml` verifies MACs as ntpd 1.2.2 does (key id
//! after padding to 8 octets), `auth_head.toml` as 1.2.3+ (padding to 4).
//! ntpq-rs starts with 8 and retries once with the other alignment on
//! PERMISSION; `NTPQ_MAC_ALIGN` forces one.

use std::path::Path;
use std::process::{Command, Stdio};

use ntpq_conformance::sim::{loopback, scenario_path, start_on_123};
use ntpq_conformance::{ntpq_rs, require, RunOutput, REFERENCE_NTPQ};

const SUITE: u8 = 66;

fn keys() -> String {
    let p = scenario_path("auth.keys");
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600));
    p.display().to_string()
}

fn ntpq(bin: &Path, align: Option<&str>, args: &[&str]) -> RunOutput {
    let mut c = Command::new(bin);
    c.args(args)
        .env("LC_ALL", "C.UTF-8")
        .env_remove(ntpq_align_env())
        .stdin(Stdio::null());
    if let Some(a) = align {
        c.env(ntpq_align_env(), a);
    }
    c.output().expect("run ntpq").into()
}

fn ntpq_align_env() -> &'static str {
    "NTPQ_MAC_ALIGN"
}

fn args<'a>(keys: &'a str, host: &'a str, cmds: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["-n", "-k", keys, "-a", "1"];
    for c in cmds {
        v.push("-c");
        v.push(c);
    }
    v.push(host);
    v
}

const PERMISSION: &str = "***Server error code PERMISSION\n";

#[test]
fn head_server_works_through_the_retry() {
    let ip = loopback(SUITE, 1);
    let Some(_sim) = start_on_123(ip, "auth_head.toml") else {
        return;
    };
    let host = ip.to_string();
    let k = keys();
    // ifstats (7 octets) and this :config (15) need the 4-octet alignment;
    // reslist (17) is the same either way.
    let a = args(
        &k,
        &host,
        &["ifstats", ":config tos maxclock 12", "reslist", "ifstats"],
    );
    let out = ntpq(&ntpq_rs(), None, &a);
    assert_eq!(out.stderr, "", "{out:?}");
    assert!(out.stdout.contains("127.0.0.1:123"), "{out:?}");
    assert!(out.stdout.contains("Config Succeeded\n"), "{out:?}");
    assert!(out.stdout.contains("0.0.0.0/0"), "{out:?}");
    // Forced: no retry.
    let out = ntpq(&ntpq_rs(), Some("4"), &a);
    assert_eq!(out.stderr, "", "{out:?}");
    let out = ntpq(&ntpq_rs(), Some("8"), &args(&k, &host, &["ifstats"]));
    assert_eq!(out.stderr, PERMISSION, "{out:?}");
    let out = ntpq(&ntpq_rs(), Some("8"), &args(&k, &host, &["reslist"]));
    assert_eq!(out.stderr, "", "{out:?}");
    // The reference (8-octet padding) fails where the two differ.
    if require(REFERENCE_NTPQ, "apt-get install -y ntpsec") {
        let out = ntpq(
            Path::new(REFERENCE_NTPQ),
            None,
            &args(&k, &host, &["ifstats"]),
        );
        assert_eq!(out.stderr, PERMISSION, "{out:?}");
        let out = ntpq(
            Path::new(REFERENCE_NTPQ),
            None,
            &args(&k, &host, &["reslist"]),
        );
        assert_eq!(out.stderr, "", "{out:?}");
    }
}

#[test]
fn old_server_with_forced_head_alignment() {
    let ip = loopback(SUITE, 2);
    let Some(_sim) = start_on_123(ip, "auth.toml") else {
        return;
    };
    let host = ip.to_string();
    let k = keys();
    let out = ntpq(&ntpq_rs(), Some("4"), &args(&k, &host, &["ifstats"]));
    assert_eq!(out.stderr, PERMISSION, "{out:?}");
    let out = ntpq(&ntpq_rs(), Some("4"), &args(&k, &host, &["reslist"]));
    assert_eq!(out.stderr, "", "{out:?}");
    let out = ntpq(
        &ntpq_rs(),
        None,
        &args(&k, &host, &["ifstats", ":config tos maxclock 12"]),
    );
    assert_eq!(out.stderr, "", "{out:?}");
    // A refused key is retried once with the other alignment and still
    // reports the reference's text once; the credentials are then gone.
    let a = vec![
        "-n", "-k", &k, "-a", "5", "-c", "ifstats", "-c", "keyid", &host,
    ];
    let out = ntpq(&ntpq_rs(), None, &a);
    assert_eq!(out.stderr, PERMISSION, "{out:?}");
    assert_eq!(out.stdout, "no keyid defined\n", "{out:?}");
}
