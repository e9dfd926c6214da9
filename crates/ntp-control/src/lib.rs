//! The NTP Mode 6 protocol as NTPsec's `ntpq` speaks it, with no I/O.
//!
//! Everything here is deterministic: datagrams and the current time go in,
//! datagrams to send and the next deadline come out (see [`query`]). The
//! `ntpq` binary drives it over UDP; tests drive it with scripted replies.
//!
//! * [`header`]: the 12-octet header, opcodes, server error codes, and
//!   the one request encoder (`encode_request`) every client and test
//!   uses; response fragmenting as ntpd does it (`encode_response`).
//! * [`query`]: one exchange (request, fragment reassembly, retries,
//!   timeouts) as a state machine emitting typed events
//!   ([`query::event`]).
//! * [`varlist`]: `name=value` lists parsed as the reference does, values
//!   typed by Python's rules (`int(v, 0)`, `float(v)`, `int(v)` parsing
//!   lives here; their rendering is `ntpq-format`'s `pyfmt`).
//! * [`status`]: status words and their text decodings.
//! * [`time`]: NTP timestamps to and from Unix time, the 1900→1970
//!   offset, era unfolding, civil dates.
//! * [`mru`]: MRU list retrieval (`mrulist`): argument parsing, the walk's
//!   decisions, the whole conversation, reply parsing, the compact list.
//! * [`auth_trailer`]: the hooks authenticated exchanges carry (the
//!   cryptography is the `ntp-auth` crate).

pub mod auth_trailer;
pub mod header;
pub mod mru;
pub mod query;
pub mod status;
pub mod time;
pub mod varlist;
pub mod visible;

pub use header::{Header, Opcode, ServerErrorCode, CTL_MAX_DATA_LEN, HEADER_LEN};
pub use query::{Query, QueryError, QueryEvent, QueryWarning, Request, Response, Timeouts};
pub use varlist::{parse_varlist, Value, Variable};
