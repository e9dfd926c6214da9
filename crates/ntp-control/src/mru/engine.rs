//! The MRU retrieval conversation as a state machine (mrulist.md §3): it
//! says which request to send next and digests each result. The driver
//! runs each request as a [`crate::Query`] and feeds back the outcome.
//!
//! Differences from the reference, all invisible on a healthy network:
//! timeouts really halve frags/limit, UNKNOWNVAR really drops the anchors
//! that failed, a lost reply is retransmitted after a short, RTT-based
//! timer instead of 5 s, and failures are bounded instead of endless.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::anchor::{nonce_time, scan_nonce, scan_older_last, Anchor, SentAnchors, TAIL_WINDOW};
use super::entry::{MruEntry, V6Table};
use super::new_clients::NewClients;
use super::options::MruOptions;
use super::reply::parse_reply;
use crate::header::{Opcode, ServerErrorCode, CTL_MAX_DATA_LEN};
use crate::query::{QueryError, Request, Response, Timeouts};

/// The server's row limit for `limit=` requests (MRU_ROW_LIMIT).
pub const MRU_ROW_LIMIT: u32 = 256;
/// The reference refetches a nonce this often (NONCE_TIMEOUT).
const NONCE_REFRESH: Duration = Duration::from_secs(16);
use super::anchor::ANCHOR_RING;
pub use super::outcome::{EngineEvent, MruError, Next, RetrievalStats, Salvage};
/// UNKNOWNVAR restarts before giving up, as in the reference.
const MAX_RESTARTS: u32 = 8;
/// Failed MRU queries in a row before giving up (the reference never does).
const MAX_CONSECUTIVE_FAILURES: u32 = 10;
/// Losses in a row after which the nonce is suspected and fetched again.
const NONCE_SUSPECT_AFTER: u32 = 4;
/// Runt datagrams tolerated in one retrieval.
const MAX_RUNTS: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Pending {
    None,
    Nonce { attempt: u32 },
    Mru { anchors: usize },
}

pub struct MruEngine {
    options: MruOptions,
    base: Timeouts,
    pending: Pending,
    sent_at: Option<Instant>,
    nonce: Option<String>,
    nonce_fetched: Option<Instant>,
    first_request: bool,
    frags: u32,
    frags_cap: u32,
    /// Reply size at which growth turns from doubling to creeping: half
    /// the size at the last loss (TCP's slow-start threshold).
    ssthresh: u32,
    limit: u32,
    row_limit: u32,
    cap_frags: bool,
    restarts: u32,
    /// Requests in a row that produced nothing (bounded: then give up).
    failures: u32,
    /// Replies in a row that lost something (drives the timer back-off).
    loss_streak: u32,
    /// Datagrams too short to be a reply, over the whole retrieval.
    runts: u32,
    /// Anchors that failed (UNKNOWNVAR) are skipped from the newest end.
    anchor_skip: usize,
    recent: VecDeque<Anchor>,
    sent_anchors: SentAnchors,
    /// Polls of `mrulist follow` after the first walk: a moved anchor
    /// means a re-walk.
    following: bool,
    /// While following: which entries are new since the previous poll.
    new_clients: NewClients,
    srtt: Option<Duration>,
    done: bool,
    stats: RetrievalStats,
    /// Debug level: engine events are kept from 2 on.
    verbosity: u8,
    events: VecDeque<EngineEvent>,
}

impl MruEngine {
    /// `base` are the session's timeouts (used for the nonce exchange and
    /// as the upper bound of the MRU timer); `row_limit` is the session's
    /// current guess of the server's row limit.
    pub fn new(options: MruOptions, base: Timeouts, row_limit: u32) -> MruEngine {
        let frags = options.frags;
        MruEngine {
            options,
            base,
            pending: Pending::None,
            sent_at: None,
            nonce: None,
            nonce_fetched: None,
            first_request: true,
            frags,
            frags_cap: 32,
            ssthresh: 32,
            limit: 96.min(row_limit),
            row_limit,
            cap_frags: true,
            restarts: 0,
            failures: 0,
            loss_streak: 0,
            runts: 0,
            anchor_skip: 0,
            recent: VecDeque::with_capacity(ANCHOR_RING),
            sent_anchors: SentAnchors::default(),
            following: false,
            new_clients: NewClients::default(),
            srtt: None,
            done: false,
            stats: RetrievalStats::default(),
            verbosity: 0,
            events: VecDeque::new(),
        }
    }

    /// Keeps [`EngineEvent`]s from debug level 2 on.
    pub fn set_verbosity(&mut self, level: u8) {
        self.verbosity = level;
    }

    pub fn poll_event(&mut self) -> Option<EngineEvent> {
        self.events.pop_front()
    }

    fn note(&mut self, event: EngineEvent) {
        if self.verbosity >= 2 {
            self.events.push_back(event);
        }
    }

    /// Lets fragments per reply grow up to `cap` (the reference: 32).
    pub fn set_frags_cap(&mut self, cap: u32) {
        self.frags_cap = cap.clamp(2, 128);
        self.ssthresh = self.frags_cap;
    }

    pub fn stats(&self) -> &RetrievalStats {
        &self.stats
    }

    pub fn row_limit(&self) -> u32 {
        self.row_limit
    }

    pub fn is_complete(&self) -> bool {
        self.done
    }

    /// After a complete walk, reads on from its newest entries (`mrulist
    /// follow`): ntpd moves every entry it touches to the newest end, so a
    /// walk from the previous end returns exactly what changed since. The
    /// anchors and nonce are kept; the entries read from now on count as
    /// changed after the previous end.
    pub fn resume(&mut self) {
        if !self.done {
            return;
        }
        self.done = false;
        self.following = true;
        self.pending = Pending::None;
        self.first_request = false;
        self.restarts = 0;
        self.failures = 0;
        self.anchor_skip = 0;
        self.new_clients.next_poll(self.stats.server_end);
        self.stats.server_start = self.stats.server_end;
        self.stats.server_end = None;
    }

    /// The timer for MRU requests: a few round trips, at least 40 ms, at
    /// most the session's primary timeout.
    fn mru_timeouts(&self) -> Timeouts {
        // Exponential back-off after losses in a row: a loaded server
        // spreads its fragments out, and giving up too early only makes
        // more traffic.
        let backoff = 1u32 << self.loss_streak.min(6);
        let rto = match self.srtt {
            Some(rtt) => {
                (rtt * 4 + Duration::from_millis(20)).max(Duration::from_millis(40)) * backoff
            }
            None => self.base.primary,
        }
        .min(self.base.primary);
        let frags = if self.cap_frags { self.frags } else { 128 };
        // Fragments of one reply follow each other closely; a gap is a loss.
        let gap = (rto / 8).max(Duration::from_millis(5)).min(rto);
        // One attempt: after a loss the engine salvages what arrived and
        // decides what to ask next.
        Timeouts {
            primary: rto,
            secondary: gap,
            attempts: 1,
            max_datagrams: frags as usize + 8,
            discard_runts: true,
            // Bounded by `max_datagrams` and the short gap timer.
            attempt_limit: None,
            // Once the final fragment is in, a hole is a loss but for a
            // straggler reordered on the way: wait a fraction of the gap.
            after_final: Some((gap / 4).max(Duration::from_millis(1))),
        }
    }

    pub fn next(&mut self, now: Instant) -> Next {
        if self.done {
            return Next::Done;
        }
        self.sent_at = Some(now);
        let stale = self
            .nonce_fetched
            .is_none_or(|t| now.duration_since(t) >= NONCE_REFRESH);
        if self.nonce.is_none() || stale {
            let attempt = match self.pending {
                Pending::Nonce { attempt } => attempt,
                _ => 1,
            };
            self.pending = Pending::Nonce { attempt };
            self.stats.nonce_fetches += 1;
            self.note(EngineEvent::NonceRequested);
            // A refresh is timed like the MRU requests (a lost one costs a
            // short timer); the first nonce as the reference times it.
            let timeouts = if self.nonce_fetched.is_some() {
                self.mru_timeouts()
            } else {
                self.base
            };
            return Next::Query(Request::new(Opcode::ReqNonce, 0, Vec::new()), timeouts);
        }
        let nonce = self.nonce.clone().unwrap_or_default();
        let mut req = if self.first_request {
            format!("{nonce}, frags={}{}", self.frags, self.options.first_params)
        } else if self.cap_frags {
            format!("{nonce}, frags={}{}", self.frags, self.options.params)
        } else {
            format!("{nonce}, limit={}{}", self.limit, self.options.params)
        };
        let anchors = self.append_anchors(&mut req);
        // Only the very first request carries `recent=`, even if it fails.
        self.first_request = false;
        self.pending = Pending::Mru { anchors };
        self.stats.requests += 1;
        Next::Query(
            Request::new(Opcode::ReadMru, 0, req.into_bytes()),
            self.mru_timeouts(),
        )
    }

    /// Adds `addr.i`/`last.i` pairs, newest first, while they fit.
    fn append_anchors(&mut self, req: &mut String) -> usize {
        use std::fmt::Write as _;
        req.reserve(CTL_MAX_DATA_LEN.saturating_sub(req.len()));
        let mut n = 0;
        self.sent_anchors.len = 0;
        for anchor in self.recent.iter().rev().skip(self.anchor_skip) {
            let before = req.len();
            let _ = write!(
                req,
                ", addr.{n}={anchor}, last.{n}=0x{:08x}.{:08x}",
                anchor.last >> 32,
                anchor.last & 0xffff_ffff
            );
            if req.len() >= CTL_MAX_DATA_LEN {
                req.truncate(before);
                break;
            }
            self.sent_anchors.lasts[n] = anchor.last;
            self.sent_anchors.len = n + 1;
            n += 1;
        }
        n
    }

    fn update_rtt(&mut self, now: Instant) {
        if let Some(sent) = self.sent_at {
            let sample = now.saturating_duration_since(sent);
            self.srtt = Some(match self.srtt {
                Some(s) => (s * 7 + sample) / 8,
                None => sample,
            });
        }
    }

    /// Digests the outcome of the request from [`MruEngine::next`] in one
    /// step ([`MruEngine::accept`] then [`MruEngine::ingest`] for a reply).
    /// Entries go to `sink` in server order; `v6` interns IPv6 addresses.
    pub fn handle(
        &mut self,
        now: Instant,
        result: Result<&Response, &QueryError>,
        v6: &mut V6Table,
        sink: &mut dyn FnMut(&MruEntry, &V6Table),
    ) -> Result<(), MruError> {
        match (self.pending, result) {
            (Pending::Nonce { attempt }, Ok(resp)) => {
                self.update_rtt(now);
                let text = String::from_utf8_lossy(&resp.data);
                let text = text.trim();
                if text.starts_with("nonce=") {
                    if self.stats.server_start.is_none() {
                        self.stats.server_start = nonce_time(text);
                    }
                    self.nonce = Some(text.to_string());
                    self.nonce_fetched = Some(now);
                    self.pending = Pending::None;
                    Ok(())
                } else if attempt < 4 {
                    // Ask again (the reference tries four times).
                    self.nonce = None;
                    self.pending = Pending::Nonce {
                        attempt: attempt + 1,
                    };
                    Ok(())
                } else {
                    Err(MruError::BadNonce {
                        reply: text.to_string(),
                    })
                }
            }
            // A refresh that failed is one more failure in a row; the
            // first nonce is the reference's: its failure ends the command.
            (Pending::Nonce { .. }, Err(e)) if self.nonce_fetched.is_some() => {
                self.pending = Pending::None;
                self.nonce = None;
                self.stats.timeouts += 1;
                self.count_failure(e)
            }
            (Pending::Nonce { .. }, Err(e)) => Err(MruError::Query(e.clone())),
            (Pending::Mru { .. }, Ok(resp)) => {
                self.accept(now, resp, v6)?;
                self.ingest(&resp.data, None, v6, sink)
            }
            (Pending::Mru { anchors }, Err(e)) => {
                self.pending = Pending::None;
                self.mru_error(e, anchors)
            }
            (Pending::None, _) => Ok(()),
        }
    }

    /// First half of digesting a successful READ_MRU reply: just what the
    /// next request needs (the reply's nonce, the end marker, the newest
    /// entries as anchors), so the driver can send it at once and parse the
    /// rest with [`MruEngine::ingest`] while the server works.
    pub fn accept(
        &mut self,
        now: Instant,
        resp: &Response,
        v6: &mut V6Table,
    ) -> Result<(), MruError> {
        let Pending::Mru { anchors } = self.pending else {
            return Ok(());
        };
        self.update_rtt(now);
        self.failures = 0;
        self.loss_streak = 0;
        self.anchor_skip = 0;
        if let Some(n) = scan_nonce(&resp.data) {
            self.nonce = Some(n);
        }
        // ntpd resumes after the first anchor it finds unchanged, or else
        // after the last one it found at all: then `last.older` is none of
        // the times we sent.
        let sent = &self.sent_anchors.lasts[..self.sent_anchors.len];
        let moved =
            anchors > 0 && scan_older_last(&resp.data).is_some_and(|older| !sent.contains(&older));
        // The newest entries and the end marker are at the end of the reply.
        let data = &resp.data;
        let tail = if data.len() > TAIL_WINDOW {
            let from = data.len() - TAIL_WINDOW;
            let comma = data[from..]
                .iter()
                .position(|&b| b == b',')
                .map_or(data.len(), |p| from + p + 1);
            &data[comma..]
        } else {
            &data[..]
        };
        let recent = &mut self.recent;
        let meta = parse_reply(tail, v6, &mut |e: MruEntry, v6: &V6Table| {
            if let Some(a) = Anchor::of(&e, v6) {
                if recent.len() == ANCHOR_RING {
                    recent.pop_front();
                }
                recent.push_back(a);
            }
        })
        .map_err(MruError::Reply)?;
        if moved {
            self.stats.anchor_moves += 1;
            let rewalk = self.following;
            self.note(EngineEvent::AnchorMoved { rewalk });
            if rewalk {
                // What this reply holds is good; the rest is read again
                // from the oldest entry, so that nothing is passed over.
                self.recent.clear();
                self.pending = Pending::None;
                return Ok(());
            }
        }
        if let Some(end) = meta.now {
            self.stats.server_end = Some(end);
            self.done = true;
        } else if self.cap_frags {
            // The reference creeps up by one to its cap of 32; with a
            // larger cap, double up to the threshold (a clean path reaches
            // 128 in a few replies), then creep (after a loss).
            self.frags = if self.frags_cap > 32 && self.frags < self.ssthresh {
                (self.frags * 2).min(self.ssthresh)
            } else {
                self.frags_cap.min(self.frags + 1)
            };
        } else {
            let grown = (self.limit + 1).max(self.limit * 33 / 32);
            self.limit = 96.min(self.row_limit).min(grown);
        }
        self.pending = Pending::None;
        Ok(())
    }

    /// Second half: the entries of an accepted reply (or the first
    /// `limit` of a salvaged one), in server order.
    pub fn ingest(
        &mut self,
        data: &[u8],
        limit: Option<usize>,
        v6: &mut V6Table,
        sink: &mut dyn FnMut(&MruEntry, &V6Table),
    ) -> Result<(), MruError> {
        let start = self.stats.server_start;
        let limit = limit.map_or(u64::MAX, |n| n as u64);
        let (mut count, mut changed, mut new) = (0u64, 0u64, 0u64);
        let (following, new_clients) = (self.following, &mut self.new_clients);
        parse_reply(data, v6, &mut |e: MruEntry, v6: &V6Table| {
            if count == limit {
                return;
            }
            count += 1;
            if let Some(s) = start {
                changed += u64::from(e.last > s);
                new += u64::from(if following {
                    new_clients.is_new(&e, s)
                } else {
                    e.first > s
                });
            }
            sink(&e, v6);
        })
        .map_err(MruError::Reply)?;
        self.stats.slots += count;
        self.stats.changed_during += changed;
        self.stats.new_during += new;
        Ok(())
    }

    /// Digests what arrived of a reply that lost a fragment (the data
    /// contiguous from offset 0): its complete entries become anchors and
    /// are to be kept ([`MruEngine::ingest`] them with the returned limit),
    /// so a loss costs one short timer instead of the whole reply. Then the
    /// loss is handled like a timeout.
    pub fn salvage(
        &mut self,
        prefix: &[u8],
        v6: &mut V6Table,
    ) -> Result<Option<Salvage>, MruError> {
        let Pending::Mru { anchors } = self.pending else {
            return Ok(None);
        };
        // Only whole items: cut after the last separator.
        let cut = prefix.iter().rposition(|&b| b == b',').unwrap_or(0);
        // Every entry but the last is whole (ntpd sends entry N's items
        // before N+1's); the last may miss fields that were in the lost
        // fragment, so it is left for the next request to fetch again.
        let mut found: Vec<Option<Anchor>> = Vec::new();
        let meta = parse_reply(&prefix[..cut], v6, &mut |e: MruEntry, v6: &V6Table| {
            found.push(Anchor::of(&e, v6))
        })
        .map_err(MruError::Reply)?;
        found.pop();
        if let Some(n) = meta.nonce {
            self.nonce = Some(n);
        }
        for a in found.iter().flatten() {
            if self.recent.len() == ANCHOR_RING {
                self.recent.pop_front();
            }
            self.recent.push_back(*a);
        }
        self.pending = Pending::None;
        if found.is_empty() {
            return self
                .mru_error(&QueryError::Incomplete, anchors)
                .map(|()| None);
        }
        self.anchor_skip = 0;
        self.stats.salvaged += found.len() as u64;
        self.note(EngineEvent::Salvaged {
            entries: found.len(),
        });
        // Progress was made, and what came before the loss is kept, so a
        // reply need not arrive whole: it should be about twice as long as
        // what arrives before a loss (then it is lost in about half the
        // replies, and the other half arrive whole). That length is
        // estimated from this prefix, averaged with the size asked for,
        // then grows slowly, as TCP's window does after a loss. (Halving at
        // every loss shrank replies to a few fragments, a request each.)
        if self.cap_frags {
            let got = (prefix.len() / crate::CTL_MAX_DATA_LEN) as u32;
            let target = 2 * got + 2;
            self.ssthresh = ((self.frags + target) / 2).clamp(2, self.frags_cap.max(2));
            self.frags = self.ssthresh;
        }
        self.stats.timeouts += 1;
        // The server answers: no back-off, which is for a server that
        // does not (it stretched the gap timer after every partial reply).
        self.failures = 0;
        Ok(Some(Salvage {
            len: cut,
            entries: found.len(),
        }))
    }

    fn mru_error(&mut self, e: &QueryError, anchors: usize) -> Result<(), MruError> {
        match e {
            QueryError::Server(ServerErrorCode::UNKNOWNVAR) => {
                // None of the anchors is in the server's list any more:
                // skip them and try older ones, or start over.
                self.restarts += 1;
                self.stats.restarts += 1;
                if self.restarts > MAX_RESTARTS {
                    return Err(MruError::Stall);
                }
                self.anchor_skip += anchors.max(1);
                let from_oldest = self.anchor_skip >= self.recent.len();
                if from_oldest {
                    self.anchor_skip = 0;
                    self.recent.clear();
                }
                self.note(EngineEvent::StaleAnchors {
                    restart: self.restarts,
                    from_oldest,
                });
                Ok(())
            }
            QueryError::Server(ServerErrorCode::BADVALUE) => {
                if self.cap_frags {
                    self.cap_frags = false;
                } else {
                    self.row_limit = self.row_limit.saturating_sub(1).max(1);
                    self.limit = self.limit.min(self.row_limit);
                }
                self.note(EngineEvent::RowLimit {
                    row_limit: self.row_limit,
                });
                self.count_failure(e)
            }
            // A runt datagram (shorter than a header: it may even be a
            // straggler of an earlier reply) spoils one exchange, not the
            // retrieval; many of them mean a broken server.
            QueryError::Unspecified => {
                self.stats.timeouts += 1;
                self.runts += 1;
                if self.runts > MAX_RUNTS {
                    Err(MruError::Query(e.clone()))
                } else {
                    Ok(())
                }
            }
            QueryError::Timeout | QueryError::Incomplete | QueryError::BufferExceeded => {
                self.stats.timeouts += 1;
                // Back off only from a server that did not answer at all:
                // one whose reply lost its first fragment is answering.
                if *e != QueryError::Incomplete {
                    self.loss_streak += 1;
                }
                // ntpd ignores a request whose nonce it no longer accepts
                // (it restarted: a new secret): after a few silences in a
                // row, ask for a fresh nonce once before trying again.
                if *e == QueryError::Timeout && self.loss_streak == NONCE_SUSPECT_AFTER {
                    self.nonce = None;
                }
                let shrunk = if self.cap_frags {
                    self.frags = (self.frags / 2).max(2);
                    self.ssthresh = self.frags;
                    EngineEvent::Shrunk {
                        frags: Some(self.frags),
                        limit: None,
                    }
                } else {
                    self.limit = (self.limit / 2).max(2);
                    EngineEvent::Shrunk {
                        frags: None,
                        limit: Some(self.limit),
                    }
                };
                self.note(shrunk);
                self.count_failure(e)
            }
            QueryError::Server(ServerErrorCode::UNSPEC) => self.count_failure(e),
            other => Err(MruError::Query(other.clone())),
        }
    }

    fn count_failure(&mut self, e: &QueryError) -> Result<(), MruError> {
        self.failures += 1;
        if self.failures >= MAX_CONSECUTIVE_FAILURES {
            Err(MruError::Query(e.clone()))
        } else {
            Ok(())
        }
    }
}
