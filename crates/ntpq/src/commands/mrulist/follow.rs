//! What `mrulist follow` keeps between polls, and its wait.

use std::time::{Duration, Instant};

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
    pub(super) rewalks: u32,
    pub(super) error: Option<CmdError>,
}

/// Sleeps `interval` (or what is `left` of the duration, if less); true
/// when Ctrl-C came or the duration is over.
pub(super) fn sleep_unless_interrupted(interval: Duration, left: Option<Duration>) -> bool {
    let until = Instant::now() + left.map_or(interval, |l| l.min(interval));
    while Instant::now() < until {
        if crate::signal::interrupted() {
            return true;
        }
        std::thread::sleep((until - Instant::now()).min(Duration::from_millis(50)));
    }
    left.is_some_and(|l| l <= interval)
}
