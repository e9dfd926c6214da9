//! What `mrulist follow` keeps between polls (the wait is the
//! transport's: `Transport::pause`).

use crate::error::CmdError;

/// What `mrulist follow` did after its first walk.
#[derive(Default)]
pub(super) struct Polls {
    pub(super) count: u32,
    pub(super) entries: u64,
    /// Entries first seen by the server since the previous poll.
    pub(super) new: u64,
    /// What the server's `mru_new` counter says it added meanwhile.
    pub(super) counted_new: u64,
    pub(super) missed: u64,
    pub(super) rewalks: u32,
    pub(super) error: Option<CmdError>,
}

/// The warning (stderr) when a poll came too late for some new clients:
/// the server recycled them before the poll reached them.
pub(super) fn behind_warning(poll: u32, missed: u64) -> String {
    format!(
        "mrulist follow: poll {poll} fell behind: about {missed} new clients were recycled before it read them (a shorter interval= may help)"
    )
}
