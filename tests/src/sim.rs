//! Starting simulators for the end-to-end suites.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use ntpd_sim::{Scenario, Simulator};

use crate::{have, Need};

/// `tests/scenarios/<name>`.
pub fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// Loads `tests/scenarios/<name>`; panics on a broken scenario.
pub fn scenario(name: &str) -> Scenario {
    let path = scenario_path(name);
    Scenario::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A loopback address for slot `n` of a suite: `127.<a>.<b>.<c>` with `a`
/// identifying the suite, so suites and cases can run in parallel.
pub fn loopback(suite: u8, n: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, suite, (n / 250) as u8, (n % 250 + 1) as u8)
}

/// Serves `tests/scenarios/<name>` on `ip` port 123 (where the reference
/// ntpq insists on talking). `None` when port 123 cannot be bound outside
/// CI (not root; see [`crate::needs`]).
pub fn start_on_123(ip: Ipv4Addr, name: &str) -> Option<Simulator> {
    serve_on_123(ip, scenario(name))
}

/// [`start_on_123`] with a scenario built by the test.
pub fn serve_on_123(ip: Ipv4Addr, scenario: Scenario) -> Option<Simulator> {
    if !have(&[Need::Port123]) {
        return None;
    }
    match Simulator::spawn(SocketAddr::from((ip, 123)), scenario) {
        Ok(s) => Some(s),
        Err(e) => panic!("cannot start simulator on {ip}:123: {e}"),
    }
}
