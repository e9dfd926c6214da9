//! `ntp-loadgen`: fills a local ntpd's MRU list with many distinct clients.
//!
//! Client number `i` has the address `first + i` (default first
//! 127.1.0.0, so 127.1.0.0, 127.1.0.1, … 127.1.255.255, 127.2.0.0, …).
//! Every packet is an NTPv4 mode 3 request sent from one wildcard-bound UDP
//! socket; the source address is chosen per packet with `IP_PKTINFO` (see
//! [`net`]). ntpd's replies come back to the same socket, which gives flow
//! control (at most `window` requests unanswered, so ntpd's receive buffer
//! never overflows), and a per-client record of which requests were
//! answered (unanswered ones are retransmitted in `fill`).
//!
//! Only loopback is ever used: the target must be in 127.0.0.0/8 and every
//! source address is in 127/8.
//!
//! Modules:
//! * [`target`]: the target address (IPv4 loopback only) and the client
//!   address range `first + i`, checked to stay inside 127/8.
//! * [`net`]: the socket work (`IP_PKTINFO` sources, `sendmmsg`/`recvmmsg`
//!   batches) and the mode 3 packet.
//! * [`engine`]: [`Options`] and the [`Engine`] both modes send through:
//!   window and rate limits, per-client ground truth, common counters.
//! * [`run`]: the modes, [`fill`] and [`churn`], and their [`Summary`].
//! * [`mru_check`]: `--verify`, ntpd's MRU counters before and after.
//! * [`mode6`]: the small READVAR client `--verify` reads them with
//!   (requests encoded by `ntp-control`).
//! * [`report`]: ISO times and the one-line JSON summary.

pub mod engine;
pub mod mode6;
pub mod mru_check;
pub mod net;
pub mod report;
pub mod run;
pub mod target;

pub use engine::{Engine, Options};
pub use mru_check::MruCheck;
pub use run::{churn, fill, Churn, Summary};
pub use target::{addr_of, check_range, parse_target, DEFAULT_FIRST, LAST_USABLE};
