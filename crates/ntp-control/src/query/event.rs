//! What an exchange has to say, as data. The core never builds text: the
//! formatting crate turns these into the reference's log lines, and only
//! for the events a debug level asks for ([`Query::set_verbosity`]); with
//! debugging off the only events are warnings, which are rare.
//!
//! [`Query::set_verbosity`]: crate::Query::set_verbosity

use std::net::SocketAddr;

use crate::header::Opcode;

/// One thing worth logging about an exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryEvent {
    /// A query begins (level 1): the reference's `sendrequest:` line.
    Request {
        opcode: Opcode,
        associd: u16,
        data: Vec<u8>,
    },
    /// A request datagram goes out (level 3).
    Sending { len: usize, sequence: u16 },
    /// The request datagram itself, for the level-5 dump.
    RequestPacket(Vec<u8>),
    /// Waiting for fragments begins (level 1).
    CollectionBegins,
    /// A wait ended without the whole reply (level 1).
    TimedOut { attempt: u32, incomplete: bool },
    /// A datagram from another address was dropped (level 1).
    UnexpectedSource(SocketAddr),
    /// A datagram arrived (level 3).
    Received { len: usize },
    /// A datagram was not a reply to this exchange (level 1).
    Ignored(Ignored),
    /// A fragment was stored (level 3); `index` counts stored fragments.
    FragmentRecorded {
        index: usize,
        count: usize,
        offset: u16,
        more: bool,
    },
    /// The reply is whole (level 1).
    CollectionEnds { len: usize, fragments: usize },
    /// The reassembled reply, for the level 2–5 renderings (first line,
    /// repr, hex dump); only produced at verbosity 2 and above.
    ResponsePacket(Vec<u8>),
    /// Always shown, whatever the debug level.
    Warning(QueryWarning),
}

/// Why a datagram was not taken as a fragment of this exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ignored {
    Version(u8),
    Mode(u8),
    NotAResponse,
    Sequence { got: u16, wanted: u16 },
    Opcode { got: u8, wanted: u8 },
}

/// Problems the reference reports at every debug level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryWarning {
    /// The request does not fit one datagram (logged once per attempt).
    DataTooLarge(usize),
    /// A datagram shorter than a header was dropped (mrulist only).
    RuntDiscarded(usize),
    ErrorOnNonFinal(u8),
    AssociationMismatch {
        got: u16,
        wanted: u16,
    },
    NotPadded(usize),
    CountPastDatagram {
        count: usize,
        received: usize,
    },
    CountOverMaximum(usize),
    EmptyNonFinal,
    /// The response MAC check's own line.
    Mac(String),
    Fragment(FragmentRejected),
}

/// A fragment that reassembly refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FragmentRejected {
    PastEnd {
        count: usize,
        offset: u16,
    },
    Duplicate {
        count: usize,
        offset: u16,
        prior: usize,
    },
    OverlapsPrevious {
        offset: u16,
        prior_len: usize,
        prior_offset: u16,
    },
    OverlapsNext {
        count: usize,
        offset: u16,
        next: u16,
    },
    SecondLast,
    LastBelow {
        offset: u16,
        next: u16,
    },
}

impl QueryEvent {
    /// The lowest debug level that shows the event (0: always).
    pub fn level(&self) -> u8 {
        match self {
            QueryEvent::Warning(_) => 0,
            QueryEvent::Request { .. }
            | QueryEvent::CollectionBegins
            | QueryEvent::TimedOut { .. }
            | QueryEvent::UnexpectedSource(_)
            | QueryEvent::Ignored(_)
            | QueryEvent::CollectionEnds { .. } => 1,
            QueryEvent::ResponsePacket(_) => 2,
            QueryEvent::Sending { .. }
            | QueryEvent::Received { .. }
            | QueryEvent::FragmentRecorded { .. } => 3,
            QueryEvent::RequestPacket(_) => 5,
        }
    }
}
