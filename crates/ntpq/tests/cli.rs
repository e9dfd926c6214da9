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
