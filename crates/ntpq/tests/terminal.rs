//! The built binary in situations the differential suite cannot set up:
//! a pseudo-terminal (prompt, history file), a closed output pipe, and
//! Ctrl-C while a query waits on a server that never answers.
//!
//! The "server" is a UDP socket of this test that reads nothing back
//! (ntpq-rs accepts `host:port`, so no root is needed).

use std::io::{Read, Write};
use std::net::UdpSocket;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn ntpq() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ntpq"));
    c.env("LC_ALL", "C.UTF-8").env("TZ", "UTC");
    c
}

/// A silent server: `(socket kept open, "127.0.0.1:port")`.
fn silent_server() -> (UdpSocket, String) {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind a UDP socket");
    let addr = format!("127.0.0.1:{}", s.local_addr().expect("local addr").port());
    (s, addr)
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("ntpq-rs-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[test]
fn sigint_while_waiting_exits_130() {
    let (_server, addr) = silent_server();
    let child = ntpq()
        .args(["-c", "rv 0 stratum", &addr])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ntpq");
    // Long enough for the READSTAT to be under way, far below its timeout.
    std::thread::sleep(Duration::from_millis(700));
    // SAFETY: plain kill(2) on our own child's pid.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(rc, 0);
    let started = Instant::now();
    let out = child.wait_with_output().expect("wait for ntpq");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "Ctrl-C was slow"
    );
    assert_eq!(out.status.code(), Some(130), "{out:?}");
}

#[test]
fn closed_pipe_ends_quietly() {
    // Enough output to fill any pipe buffer; no server traffic needed.
    let mut args = Vec::new();
    for _ in 0..300 {
        args.extend(["-c", "help"]);
    }
    let (_server, addr) = silent_server();
    args.push(&addr);
    let mut child = ntpq()
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ntpq");
    // `| head -1`: read one line, then close our end.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 64];
    let n = stdout.read(&mut first).expect("read");
    assert!(n > 0);
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let status = child.wait().expect("wait");
    assert_eq!(stderr, "", "a closed pipe must not produce messages");
    // Not killed by SIGPIPE, and not a traceback-like crash.
    assert_eq!(status.code(), Some(1), "{status:?}");
}

/// Runs ntpq on a pseudo-terminal (via `script`), typing `input`.
/// Returns the terminal transcript, or None when `script` is missing.
fn on_pty(input: &str, home: &Path, host: &str) -> Option<String> {
    if !Path::new("/usr/bin/script").exists() {
        eprintln!("SKIP: script(1) not installed (util-linux)");
        return None;
    }
    let cmdline = format!("{} {host}", env!("CARGO_BIN_EXE_ntpq"));
    let mut child = Command::new("/usr/bin/script")
        .args(["-qfec", &cmdline, "/dev/null"])
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("NTPQ_HISTORY")
        .env("TERM", "dumb")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run script");
    let mut stdin = child.stdin.take().expect("stdin");
    // One line at a time, as a person would type, so the editor sees them.
    for line in input.split_inclusive('\n') {
        std::thread::sleep(Duration::from_millis(300));
        stdin.write_all(line.as_bytes()).expect("type a line");
    }
    std::thread::sleep(Duration::from_millis(500));
    drop(stdin);
    let out = child.wait_with_output().expect("wait for script");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn repl_on_a_terminal_prompts_and_keeps_secrets_out_of_history() {
    let home = temp_dir("pty");
    let (_server, addr) = silent_server();
    let Some(transcript) = on_pty("version\nkeyid 42\nhost\nquit\n", &home, &addr) else {
        return;
    };
    assert!(transcript.contains("ntpq> "), "{transcript:?}");
    assert!(transcript.contains("ntpsec-1.2.2"), "{transcript:?}");
    assert!(transcript.contains("keyid is 42"), "{transcript:?}");
    assert!(
        transcript.contains(&format!("current host is {addr}")),
        "{transcript:?}"
    );
    let history = std::fs::read_to_string(home.join("state/ntpq-rs/history"))
        .expect("history file under the state dir");
    assert!(history.contains("version"), "{history:?}");
    assert!(history.contains("host"), "{history:?}");
    assert!(!history.contains("keyid"), "{history:?}");
    let _ = std::fs::remove_dir_all(&home);
}
