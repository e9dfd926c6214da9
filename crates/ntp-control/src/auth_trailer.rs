//! Hooks for authenticated exchanges (protocol.md §9). The cryptography
//! lives in the `ntp-auth` crate; this crate only carries the closures.
//!
//! * Requests: a [`crate::query::Signer`] receives the request padded to 4
//!   octets and pads it further to the alignment of the server generation
//!   (8 for NTPsec 1.2.2, 4 for 1.2.3+) before appending key id and MAC.
//! * Responses: a [`ResponseCheck`] sees every fragment that passed the
//!   header checks (not error replies), with its data count, before the
//!   MAC is clipped off. It may return a line for the log stream (the
//!   reference's `AUTH - packet too short for MAC ...`). Data is never
//!   rejected, as in the reference.

/// Checks a response fragment's MAC: `(datagram, count) -> log line`.
pub type ResponseCheck = Box<dyn FnMut(&[u8], usize) -> Option<String> + Send>;
