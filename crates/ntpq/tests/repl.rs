//! The prompt on a pseudo-terminal (`script`, TERM=xterm): Tab lists and
//! completes, Ctrl-C clears the line and a second one on an empty line
//! quits, Ctrl-D quits, the history file lives in the XDG state directory
//! (or NTPQ_HISTORY; empty: none) and is read back next time.

use std::io::Write;
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const CTRL_C: &str = "\x03";
const CTRL_D: &str = "\x04";
const UP: &str = "\x1b[A";

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ntpq-rs-repl-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// A silent server: `(socket kept open, "127.0.0.1:port")`.
fn silent_server() -> (UdpSocket, String) {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind a UDP socket");
    let addr = format!("127.0.0.1:{}", s.local_addr().expect("local addr").port());
    (s, addr)
}

struct Session {
    transcript: String,
    status: Option<i32>,
}

/// Runs ntpq on a pseudo-terminal, typing each of `keys` after a pause
/// (so the editor sees them one by one). None when `script` is missing.
fn on_pty(keys: &[&str], home: &Path, host: &str, history: Option<&str>) -> Option<Session> {
    if !Path::new("/usr/bin/script").exists() {
        eprintln!("SKIP: script(1) not installed (util-linux)");
        return None;
    }
    let cmdline = format!("{} {host}", env!("CARGO_BIN_EXE_ntpq"));
    let mut cmd = Command::new("/usr/bin/script");
    cmd.args(["-qfec", &cmdline, "/dev/null"])
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("TERM", "xterm")
        .env("LC_ALL", "C.UTF-8")
        .env_remove("NTPQ_HISTORY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(h) = history {
        cmd.env("NTPQ_HISTORY", h);
    }
    let mut child = cmd.spawn().expect("run script");
    let mut stdin = child.stdin.take().expect("stdin");
    for k in keys {
        std::thread::sleep(Duration::from_millis(300));
        stdin.write_all(k.as_bytes()).expect("type");
        stdin.flush().expect("flush");
    }
    std::thread::sleep(Duration::from_millis(500));
    drop(stdin);
    let out = child.wait_with_output().expect("wait for script");
    Some(Session {
        transcript: String::from_utf8_lossy(&out.stdout).into_owned(),
        status: out.status.code(),
    })
}

#[test]
fn tab_completes_and_lists_ctrl_c_clears_then_quits() {
    let home = temp_dir("tab");
    let (_server, addr) = silent_server();
    let keys = [
        // One candidate: completed.
        "help mrul\t",
        "\n",
        // Two: the second Tab lists them.
        "hostnames hostn\t",
        "\t",
        "um\n",
        // A sort key, then Ctrl-C: the line is cleared, nothing runs.
        "mrulist sort=-c\t",
        CTRL_C,
        "version\n",
        // A grey hint of what the command expects.
        "debug ",
        CTRL_C,
        // Hosts used before: the one on the command line.
        "host 127.0.0.1:\t",
        "\n",
        "keyid 42\n",
        // Ctrl-C on an empty line: a hint; again: quit.
        CTRL_C,
        CTRL_C,
    ];
    let Some(s) = on_pty(&keys, &home, &addr, None) else {
        return;
    };
    let t = &s.transcript;
    assert!(t.contains("usage: mrulist [tag=value]"), "{t:?}");
    assert!(t.contains("hostnum") && t.contains("hostname"), "{t:?}");
    assert!(t.contains("supplied hostnames being shown"), "{t:?}");
    assert!(t.contains("sort=-count"), "{t:?}");
    assert!(
        !t.contains("Ctrl-C will stop MRU retrieval"),
        "mrulist ran: {t:?}"
    );
    assert!(t.contains("ntpsec-1.2.2"), "{t:?}");
    assert!(t.contains("\x1b[90m[more|less|no|number]\x1b[0m"), "{t:?}");
    assert!(t.contains(&format!("current host set to {addr}")), "{t:?}");
    assert!(
        t.contains("(To quit, press Ctrl-C again or Ctrl-D.)"),
        "{t:?}"
    );
    assert_eq!(s.status, Some(130), "{t:?}");
    let history = std::fs::read_to_string(home.join("state/ntpq-rs/history"))
        .expect("history in $XDG_STATE_HOME/ntpq-rs");
    assert!(history.contains("help mrulist\n"), "{history:?}");
    assert!(history.contains("hostnames hostnum\n"), "{history:?}");
    assert!(history.contains(&format!("host {addr}\n")), "{history:?}");
    assert!(!history.contains("sort=-count"), "{history:?}");
    assert!(!history.contains("keyid"), "{history:?}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(home.join("state/ntpq-rs/history"))
        .expect("history")
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "history readable by others: {mode:o}");
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn history_is_read_back_and_can_move_or_be_off() {
    let home = temp_dir("hist");
    let (_server, addr) = silent_server();
    let file = home.join("elsewhere/ntpq-history");
    let file_text = file.to_string_lossy().into_owned();
    let Some(first) = on_pty(&["version\n", CTRL_D], &home, &addr, Some(&file_text)) else {
        return;
    };
    assert_eq!(first.status, Some(0), "{:?}", first.transcript);
    assert_eq!(
        std::fs::read_to_string(&file).expect("NTPQ_HISTORY file"),
        "#V2\nversion\n"
    );
    // Up arrow brings the last session's line back.
    let second = on_pty(&[UP, "\n", "quit\n"], &home, &addr, Some(&file_text)).expect("script");
    assert!(
        second.transcript.contains("ntpsec-1.2.2"),
        "{:?}",
        second.transcript
    );
    assert!(!home.join("state").exists(), "the state dir was used");
    // Empty: no history anywhere.
    let off = temp_dir("off");
    on_pty(&["version\n", "quit\n"], &off, &addr, Some("")).expect("script");
    assert!(!off.join("state").exists() && !off.join("data").exists());
    let _ = std::fs::remove_dir_all(&home);
    let _ = std::fs::remove_dir_all(&off);
}

#[test]
fn file_names_complete_for_config_from_file() {
    let home = temp_dir("files");
    std::fs::write(home.join("snippet-for-ntpd.conf"), "tos maxclock 5\n").expect("file");
    let (_server, addr) = silent_server();
    let typed = format!("config-from-file {}/snip\t", home.display());
    let Some(s) = on_pty(&[&typed, CTRL_C, "quit\n"], &home, &addr, Some("")) else {
        return;
    };
    assert!(
        s.transcript.contains("snippet-for-ntpd.conf"),
        "{:?}",
        s.transcript
    );
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn association_ids_and_variable_names_complete_after_the_server_sent_them() {
    let scenario = ntpd_sim::Scenario::from_toml_str(
        r#"
[system]
status = 0x0615
variables = ["leap=0", "stratum=2", "precision=-24"]

[[peer]]
associd = 4711
status = 0x961a
variables = ["srcadr=192.0.2.10", "srcport=123", "stratum=1", "reach=0xff"]
"#,
    )
    .expect("scenario");
    let sim = ntpd_sim::Simulator::spawn(([127, 0, 0, 1], 0).into(), scenario).expect("simulator");
    let addr = sim.local_addr().to_string();
    let home = temp_dir("ids");
    let keys = [
        "rv 0 leap,precision\n",
        "associations\n",
        // The one association id of the list, a name the server sent.
        "rv \t",
        " prec\t",
        "\n",
        "quit\n",
    ];
    let Some(s) = on_pty(&keys, &home, &addr, Some("")) else {
        return;
    };
    let t = &s.transcript;
    assert!(t.contains("rv 4711 precision"), "{t:?}");
    let _ = std::fs::remove_dir_all(&home);
}
