//! What a test needs from the machine (root, NTPsec's programs, …), and the
//! one SKIP line per test binary when something is missing.
//!
//! A test starts with `if !have(&[Need::Root, Need::RealNtpd]) { return; }`.
//! Outside CI a missing need makes the test pass without doing anything;
//! when the test binary exits it prints a single line naming the skipped
//! tests' count, what was missing and how to get it. In CI (`CI=true`) a
//! missing need fails the test instead.

use std::collections::BTreeSet;
use std::io::Write;
use std::net::UdpSocket;
use std::path::Path;
use std::sync::{Mutex, Once};

use crate::{in_ci, REAL_NTPD, REFERENCE_NTPQ};

/// Something a test needs from the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Need {
    /// Binding UDP port 123 on loopback (the reference ntpq only talks to
    /// port 123, so simulators for it listen there).
    Port123,
    /// Root: ntpd refuses to start otherwise, and `ip netns` needs it.
    Root,
    /// NTPsec's ntpq, the reference (`/usr/bin/ntpq`).
    ReferenceNtpq,
    /// NTPsec's ntpd, the real server (`/usr/sbin/ntpd`).
    RealNtpd,
    /// `ip` from iproute2, for network namespaces.
    IpNetns,
    /// `script` from util-linux, for a pseudo-terminal.
    Script,
    /// GNU time (`/usr/bin/time`), for resource usage.
    GnuTime,
}

impl Need {
    fn met(self) -> bool {
        match self {
            Need::Port123 => can_bind_port_123(),
            // SAFETY: geteuid has no preconditions and cannot fail.
            Need::Root => (unsafe { libc::geteuid() }) == 0,
            Need::ReferenceNtpq => Path::new(REFERENCE_NTPQ).exists(),
            Need::RealNtpd => Path::new(&crate::ntpd::ntpd_binary()).exists(),
            Need::IpNetns => Path::new("/usr/sbin/ip").exists(),
            Need::Script => Path::new("/usr/bin/script").exists(),
            Need::GnuTime => Path::new("/usr/bin/time").exists(),
        }
    }

    /// What is missing, and the remedy (needs with the same remedy are
    /// listed together).
    fn what(self) -> (&'static str, &'static str) {
        match self {
            Need::Port123 => ("binding port 123", "run as root"),
            Need::Root => ("root", "run as root"),
            Need::ReferenceNtpq => (REFERENCE_NTPQ, "apt-get install -y ntpsec"),
            Need::RealNtpd => (REAL_NTPD, "apt-get install -y ntpsec"),
            Need::IpNetns => ("/usr/sbin/ip", "apt-get install -y iproute2"),
            Need::Script => ("/usr/bin/script", "apt-get install -y util-linux"),
            Need::GnuTime => ("/usr/bin/time", "apt-get install -y time"),
        }
    }
}

/// A loopback address no suite uses, so that a server already listening
/// on another 127.x.y.z:123 does not hide a permission problem.
fn can_bind_port_123() -> bool {
    match UdpSocket::bind("127.60.255.254:123") {
        Ok(_) => true,
        Err(e) => e.kind() != std::io::ErrorKind::PermissionDenied,
    }
}

/// The skips of this process, reported at exit.
struct Skips {
    tests: BTreeSet<String>,
    missing: BTreeSet<Need>,
}

static SKIPS: Mutex<Skips> = Mutex::new(Skips {
    tests: BTreeSet::new(),
    missing: BTreeSet::new(),
});

/// True when every need is met. Otherwise panics in CI, and outside CI
/// records the skip (reported once at exit) and returns false.
pub fn have(needs: &[Need]) -> bool {
    let missing: Vec<Need> = needs.iter().copied().filter(|n| !n.met()).collect();
    if missing.is_empty() {
        return true;
    }
    let text = describe(&missing);
    if in_ci() {
        panic!("missing in CI: {text}");
    }
    static AT_EXIT: Once = Once::new();
    AT_EXIT.call_once(|| {
        // SAFETY: registering a plain function; report_skips does not
        // unwind (it catches panics).
        unsafe { libc::atexit(report_skips) };
    });
    let mut skips = SKIPS.lock().unwrap_or_else(|e| e.into_inner());
    // libtest names each test's thread after the test.
    let test = std::thread::current().name().unwrap_or("?").to_string();
    skips.tests.insert(test);
    skips.missing.extend(missing);
    false
}

/// "root (run as root); /usr/bin/ntpq, /usr/sbin/ntpd (apt-get install -y ntpsec)".
fn describe(missing: &[Need]) -> String {
    let mut by_remedy: Vec<(&str, Vec<&str>)> = Vec::new();
    for need in missing {
        let (what, remedy) = need.what();
        match by_remedy.iter_mut().find(|(r, _)| *r == remedy) {
            Some((_, whats)) => whats.push(what),
            None => by_remedy.push((remedy, vec![what])),
        }
    }
    by_remedy
        .iter()
        .map(|(remedy, whats)| format!("{} ({remedy})", whats.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The test binary's name without cargo's hash: `real_ntpd-1a2b…` → `real_ntpd`.
fn suite_name() -> String {
    let exe = std::env::current_exe().unwrap_or_default();
    let stem = exe
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match stem.rsplit_once('-') {
        Some((name, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => name.to_string(),
        _ => stem,
    }
}

extern "C" fn report_skips() {
    let _ = std::panic::catch_unwind(|| {
        let skips = SKIPS.lock().unwrap_or_else(|e| e.into_inner());
        if skips.tests.is_empty() {
            return;
        }
        let missing: Vec<Need> = skips.missing.iter().copied().collect();
        let n = skips.tests.len();
        // Straight to the file descriptor: libtest's output capture is
        // gone by now, and this line is meant to be seen.
        let _ = writeln!(
            std::io::stderr(),
            "SKIP: {}: {n} test{} skipped, missing {}",
            suite_name(),
            if n == 1 { "" } else { "s" },
            describe(&missing)
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_with_one_remedy_are_listed_together() {
        assert_eq!(
            describe(&[Need::Root, Need::ReferenceNtpq, Need::RealNtpd]),
            "root (run as root); /usr/bin/ntpq, /usr/sbin/ntpd (apt-get install -y ntpsec)"
        );
    }
}
