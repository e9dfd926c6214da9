//! The NTP Mode 6 protocol as NTPsec's `ntpq` speaks it, with no I/O.
//!
//! Everything here is deterministic: datagrams and the current time go in,
//! datagrams to send and the next deadline come out (see [`query`]). The
//! `ntpq` binary drives it over UDP; tests drive it with scripted replies.

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
