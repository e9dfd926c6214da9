//! What the MRU engine reports: its errors, its decisions (for the debug
//! log), what to do next, and the numbers of a retrieval.

use super::entry::NtpStamp;
use super::reply::ReplyError;
use crate::query::{QueryError, Request, Timeouts};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MruError {
    #[error("{0}")]
    Query(QueryError),
    #[error("***No response, probably high-traffic server with low MRU limit")]
    Stall,
    #[error("***Unexpected nonce response format")]
    BadNonce { reply: String },
    #[error("{0}")]
    Reply(ReplyError),
}

/// The engine's own decisions, for the debug log (level 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineEvent {
    /// A reply was lost or cut: replies are made smaller.
    Shrunk {
        frags: Option<u32>,
        limit: Option<u32>,
    },
    /// The server refused `frags=` (BADVALUE): rows are asked with `limit=`,
    /// or the row limit is lowered.
    RowLimit { row_limit: u32 },
    /// None of the anchors sent is in the list any more (UNKNOWNVAR):
    /// older ones are tried, or the walk starts over from the oldest entry.
    StaleAnchors { restart: u32, from_oldest: bool },
    /// Whole entries kept from a reply that lost a fragment.
    Salvaged { entries: usize },
    /// A new nonce is asked for (first, or after 16 s).
    NonceRequested,
    /// The server resumed after an anchor that changed since we read it
    /// (ntpd does so when every anchor sent was touched): entries touched
    /// before it were passed over. `rewalk`: in `follow`, the list is
    /// read again from its oldest entry so that none is missed.
    AnchorMoved { rewalk: bool },
}

/// What to keep of a reply that lost a fragment: its first `len` octets,
/// of which the first `entries` entries are whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Salvage {
    pub len: usize,
    pub entries: usize,
}

/// What to do next.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    Query(Request, Timeouts),
    Done,
}

/// Numbers about one retrieval, for the busy-server report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RetrievalStats {
    pub requests: u32,
    pub timeouts: u32,
    pub restarts: u32,
    pub nonce_fetches: u32,
    /// Entries received, duplicates included (the reference's "slots").
    pub slots: u64,
    /// Server time when retrieval began (from the first nonce).
    pub server_start: Option<NtpStamp>,
    /// Server time of the end marker.
    pub server_end: Option<NtpStamp>,
    /// Entries whose last packet arrived after the retrieval began.
    pub changed_during: u64,
    /// Of those, entries whose first packet did too (new clients).
    pub new_during: u64,
    /// Entries kept from replies that lost a fragment.
    pub salvaged: u64,
    /// Replies that resumed after a changed anchor ([`EngineEvent::AnchorMoved`]).
    pub anchor_moves: u32,
}
