//! Smoke test of the built binary. Its presence also makes
//! `cargo test --workspace` build the `ntpq` binary used by the end-to-end
//! suites in `tests/`.

use std::process::Command;

#[test]
fn version_option() {
    let out = Command::new(env!("CARGO_BIN_EXE_ntpq"))
        .arg("-V")
        .env("LC_ALL", "C.UTF-8")
        .output()
        .expect("run ntpq -V");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ntpq ntpsec-1.2.2\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn an_endless_key_file_is_refused_without_reading_it_all() {
    // /dev/zero never ends: without a bound ntpq read 2 GB of it.
    let out = Command::new(env!("CARGO_BIN_EXE_ntpq"))
        .args(["-k", "/dev/zero", "-c", "version"])
        .env("LC_ALL", "C.UTF-8")
        .output()
        .expect("run ntpq -k /dev/zero");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "ntpq: /dev/zero: larger than 1048576 octets: not a key file\n"
    );
    assert_eq!(out.status.code(), Some(1));
}
