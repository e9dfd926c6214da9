//! MAC alignment against the simulator's two server generations
//! (protocol.md §9.3): `auth.toml` verifies MACs as ntpd 1.2.2 does (key id
//! after padding to 8 octets), `auth_head.toml` as 1.2.3+ (padding to 4).
//! ntpq-rs starts with 8 and retries once with the other alignment on
//! PERMISSION; `NTPQ_MAC_ALIGN` forces one.

use std::path::Path;
use std::process::{Command, Stdio};

use ntpq_conformance::sim::{loopback, scenario_path, start_on_123};
use ntpq_conformance::{have, ntpq_rs, without_added_lines, Need, RunOutput, REFERENCE_NTPQ};

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
    assert_eq!(without_added_lines("", &out.stderr), PERMISSION, "{out:?}");
    let out = ntpq(&ntpq_rs(), Some("8"), &args(&k, &host, &["reslist"]));
    assert_eq!(out.stderr, "", "{out:?}");
    // The reference (8-octet padding) fails where the two differ.
    if have(&[Need::ReferenceNtpq]) {
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
    assert_eq!(without_added_lines("", &out.stderr), PERMISSION, "{out:?}");
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
    // 1.2.2's text, then which key was refused and what the server wants.
    assert_eq!(without_added_lines("", &out.stderr), PERMISSION, "{out:?}");
    assert!(out.stderr.contains("refused key 5: "), "{out:?}");
    assert_eq!(out.stdout, "no keyid defined\n", "{out:?}");
}

/// Prompts on a pseudo-terminal (via `script`): `Keyid: ` is echoed, the
/// password is not, and it appears neither in the transcript, the debug
/// log nor the history file.
#[test]
fn prompts_on_the_terminal_without_echo() {
    if !have(&[Need::Script]) {
        return;
    }
    let ip = loopback(SUITE, 3);
    let Some(_sim) = start_on_123(ip, "auth.toml") else {
        return;
    };
    let home = std::env::temp_dir().join(format!("ntpq-rs-auth-pty-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    let log = home.join("debug.log");
    let cmdline = format!("{} -n -d -l {} {ip}", ntpq_rs().display(), log.display());
    let mut child = Command::new("/usr/bin/script")
        .args(["-qfec", &cmdline, "/dev/null"])
        .env("HOME", &home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("NTPQ_HISTORY")
        .env("TERM", "dumb")
        .env("LC_ALL", "C.UTF-8")
        .env_remove(ntpq_align_env())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run script");
    let mut stdin = child.stdin.take().expect("stdin");
    for line in [
        "ifstats\n",
        "1\n",
        "md5-secret-key\n",
        "keyid\n",
        ":config tos bogus 12\n",
        "quit\n",
    ] {
        std::thread::sleep(std::time::Duration::from_millis(400));
        use std::io::Write;
        stdin.write_all(line.as_bytes()).expect("type a line");
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    drop(stdin);
    let out = child.wait_with_output().expect("wait for script");
    let transcript = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(transcript.contains("Keyid: 1"), "{transcript:?}");
    assert!(transcript.contains("MD5 Password: "), "{transcript:?}");
    assert!(transcript.contains("127.0.0.1:123"), "{transcript:?}");
    assert!(transcript.contains("keyid is 1"), "{transcript:?}");
    assert!(!transcript.contains("md5-secret-key"), "{transcript:?}");
    // Interactive :config errors: len("ntpq> ") + 2 + column underscores,
    // then column - 1 more (the reference's double run), then the caret.
    assert!(
        transcript.contains(&format!("{}^\r\ncolumn 5 syntax error", "_".repeat(13 + 4))),
        "{transcript:?}"
    );
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(log_text.contains("sendrequest: opcode=11"), "{log_text:?}");
    assert!(!log_text.contains("md5-secret-key"));
    let history = std::fs::read_to_string(home.join("state/ntpq-rs/history")).unwrap_or_default();
    assert!(history.contains("ifstats"), "{history:?}");
    assert!(!history.contains("md5-secret-key"), "{history:?}");
    let _ = std::fs::remove_dir_all(&home);
}

/// The key file is read once for the run, and every host gets its keys
/// (it used to be opened again for each host):
/// given as a FIFO, which a second open would wait on for ever, it still
/// authenticates `reslist` on two hosts.
#[test]
fn key_file_read_once_for_every_host() {
    let (ip1, ip2) = (loopback(SUITE, 3), loopback(SUITE, 4));
    let (Some(_sim1), Some(_sim2)) = (
        start_on_123(ip1, "auth.toml"),
        start_on_123(ip2, "auth.toml"),
    ) else {
        return;
    };
    let text = std::fs::read_to_string(keys()).expect("key file");
    let dir = std::env::temp_dir().join(format!("ntpq-rs-keys-once-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let fifo = dir.join("keys");
    let made = Command::new("mkfifo")
        .args(["-m", "600"])
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    // Writes the keys to the first reader only (left blocked otherwise).
    let writer_path = fifo.clone();
    std::thread::spawn(move || std::fs::write(writer_path, text));
    let (h1, h2) = (ip1.to_string(), ip2.to_string());
    let k = fifo.display().to_string();
    let mut child = Command::new(ntpq_rs())
        .args(["-n", "-k", &k, "-a", "1", "-c", "reslist", &h1, &h2])
        .env_remove(ntpq_align_env())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ntpq");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("ntpq waited on the key file: it opened it a second time");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out: RunOutput = child.wait_with_output().expect("output").into();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!((out.stderr.as_str(), out.status), ("", 0), "{out:?}");
    // Authenticated on both hosts: two tables (reslist names no host).
    assert_eq!(
        out.stdout.matches("addr/prefix or addr mask").count(),
        2,
        "{out:?}"
    );
    assert!(out.stdout.contains("127.0.0.9/32"), "{out:?}");
}
