//! What `mrulist follow` keeps between polls and counts after each (the
//! wait is the transport's: `Transport::pause`).

use std::io::Write;
use std::time::Instant;

use ntp_control::mru::{Finish, MruRetrieval};
use ntpq_format::mrulist as rows;

use crate::error::CmdError;
use crate::output::Output;

/// What `mrulist follow` did after its first walk.
#[derive(Default)]
pub(super) struct Polls {
    pub(super) count: u32,
    pub(super) entries: u64,
    /// Entries first seen by the server since the previous poll.
    pub(super) new: u64,
    /// What the server's counters say it added meanwhile (`mru_new` and
    /// the recycled entries, see `MruCounters::added_since`).
    pub(super) counted_new: u64,
    pub(super) rewalks: u32,
    pub(super) error: Option<CmdError>,
}

/// Where the retrieval stood when a poll began.
pub(super) struct PollStart {
    moves: u32,
    slots: u64,
    new: u64,
    pub(super) at: Instant,
}

impl PollStart {
    pub(super) fn of(m: &MruRetrieval, at: Instant) -> PollStart {
        let s = m.stats();
        PollStart {
            moves: s.anchor_moves,
            slots: s.slots,
            new: s.new_during,
            at,
        }
    }
}

/// One poll of `mrulist follow` (the numbers of the classic summary, per poll).
pub(super) struct PollNumbers {
    pub(super) poll: u32,
    /// False when Ctrl-C (or a failure) cut the poll short.
    pub(super) complete: bool,
    pub(super) entries: u64,
    pub(super) new: u64,
    /// The server's additions over the poll, if both readings came.
    pub(super) counted_new: Option<u64>,
    pub(super) rewalk: bool,
    pub(super) seconds: f64,
}

impl Polls {
    /// The estimate of clients missed so far. Summed before subtracting:
    /// a client added between a walk's end and the counters' reading is
    /// counted in one poll and seen in the next.
    pub(super) fn missed(&self) -> u64 {
        self.counted_new.saturating_sub(self.new)
    }

    /// Adds the poll that began at `begun` to the totals, warns when it
    /// read the whole list again or fell behind, and returns its numbers.
    pub(super) fn count_poll(
        &mut self,
        m: &MruRetrieval,
        begun: &PollStart,
        now: Instant,
        out: &mut Output<dyn Write>,
    ) -> PollNumbers {
        let s = m.stats();
        self.count += 1;
        let entries = s.slots - begun.slots;
        self.entries += entries;
        let new_seen = s.new_during - begun.new;
        self.new += new_seen;
        // The server's count of additions over the same poll: what it
        // added and we did not see was recycled before we came.
        let mut counted_new = None;
        if let (Some(b), Some(a)) = (m.counters_before(), m.counters_after()) {
            let counted = a.added_since(&b);
            self.counted_new += counted;
            counted_new = Some(counted);
        }
        let rewalk = s.anchor_moves > begun.moves;
        if rewalk {
            self.rewalks += 1;
            out.warn_code("follow_rewalk", rows::FOLLOW_REWALK_WARNING);
        }
        if let Some(missed) = counted_new
            .map(|c| c.saturating_sub(new_seen))
            .filter(|&n| n > 0)
        {
            out.warn_code("follow_behind", &behind_warning(self.count, missed));
        }
        PollNumbers {
            poll: self.count,
            complete: m.finish() == Some(&Finish::Complete),
            entries,
            new: new_seen,
            counted_new,
            rewalk,
            seconds: now.saturating_duration_since(begun.at).as_secs_f64(),
        }
    }
}

/// The warning (stderr) when a poll came too late for some new clients:
/// the server recycled them before the poll reached them.
pub(super) fn behind_warning(poll: u32, missed: u64) -> String {
    format!(
        "mrulist follow: poll {poll} fell behind: about {missed} new clients were recycled before it read them (a shorter interval= may help)"
    )
}
