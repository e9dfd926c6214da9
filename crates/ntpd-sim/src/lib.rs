//! A Mode 6 (NTP control) server simulator serving scripted ntpd 1.2.2
//! state from a TOML scenario, for tests, benchmarks and demos.
//!
//! The core, [`ServerState::handle`], is deterministic and has no sockets:
//! a request datagram and the current time go in, response datagrams come
//! out. [`Simulator`] serves it on a loopback UDP socket from a thread.
//! The scenario format is described in the crate README.
//!
//! * [`scenario`]: the TOML scenario format and its loader.
//! * [`server`]: the core, [`ServerState`]: dispatch by opcode, variable
//!   tables, READ_MRU with nonces, fault injection.
//! * [`reply`]: response datagrams filled the way ntpd 1.2.2 fills them.
//! * [`mru`]: the simulated MRU list (entries, ordering, churn).
//! * [`auth`]: authenticated requests, `controlkey`, signed replies,
//!   `ifstats`/`reslist`/`:config` answers.
//! * [`net`]: [`Simulator`], the UDP thread around the core.
//! * [`util`]: a seeded RNG, NTP timestamps in ntpd's text form, value
//!   templates (`{ts:now-5}`), ntpd's `sscanf` conversions.

pub mod auth;
pub mod mru;
pub mod net;
pub mod reply;
pub mod scenario;
pub mod server;
pub mod util;

pub use net::Simulator;
pub use scenario::{Scenario, ScenarioError};
pub use server::ServerState;

/// Re-exported so the test suites can read their TOML side files.
pub use toml;
