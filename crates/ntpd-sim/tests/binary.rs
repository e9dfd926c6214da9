//! The `ntpd-sim` binary: binds, announces its address, serves, refuses
//! non-loopback addresses.

use std::io::{BufRead, BufReader, Write};
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn binary_announces_and_serves() {
    let dir = std::env::temp_dir().join(format!("ntpd-sim-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.toml");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(b"[system]\nvariables = [\"stratum=3\"]\n")
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ntpd-sim"))
        .args(["--listen", "127.0.0.1:0", "--scenario"])
        .arg(&path)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .expect(&line)
        .to_string();
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let req = ntp_control::header::encode_request(ntp_control::Opcode::ReadVar, 1, 0, b"");
    sock.send_to(&req, &addr).unwrap();
    let mut buf = [0u8; 600];
    let n = sock.recv(&mut buf).unwrap();
    assert_eq!(&buf[12..n], b"stratum=3\r\n\0");
    child.kill().unwrap();
    child.wait().unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_ntpd-sim"))
        .args(["--listen", "192.0.2.1:123", "--scenario"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("non-loopback"));
    let _ = std::fs::remove_dir_all(&dir);
}
