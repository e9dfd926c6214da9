//! The whole `mrulist` conversation as one state machine with no I/O:
//! the server's MRU counters before the walk, the nonce, the walk itself
//! (the [`MruEngine`]'s requests run as [`Query`] exchanges, pipelined,
//! with salvage of cut replies, stalls and restarts) and the counters
//! after it, for the busy-server report.
//!
//! The driver moves datagrams and time, as for a [`Query`]:
//! [`MruRetrieval::poll_transmit`] → send; wait until
//! [`MruRetrieval::deadline`] or a datagram; feed it to
//! [`MruRetrieval::handle_datagram`] / [`MruRetrieval::handle_timeout`];
//! after sending, read the replies received with
//! [`MruRetrieval::next_unread`] and [`MruRetrieval::ingest`] — the
//! next request is then already on its way, so the server never waits
//! for our parsing. Until [`MruRetrieval::finish`] is set. Ctrl-C is the
//! driver's: it stops driving and shows what it read.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::engine::{EngineEvent, MruEngine, MruError, Next, RetrievalStats};
use super::entry::{parse_stamp, MruEntry, NtpStamp, V6Table};
use super::options::MruOptions;
use crate::auth_trailer::ResponseCheck;
use crate::header::Opcode;
use crate::query::{Query, QueryError, QueryEvent, Request, Response, Signer, Timeouts};
use crate::varlist::parse_varlist;

/// How to run one retrieval.
#[derive(Clone, Copy, Debug)]
pub struct RetrievalConfig {
    /// The only source accepted.
    pub server: SocketAddr,
    /// The session's timeouts (the counters and nonce exchanges use them;
    /// they bound the MRU timer).
    pub timeouts: Timeouts,
    /// The session's guess of the server's row limit.
    pub row_limit: u32,
    /// Largest reply asked for, in fragments (2..=128).
    pub frags_cap: u32,
    /// The session's sequence counter.
    pub sequence: u16,
    /// Debug level (see [`crate::query::event`]).
    pub verbosity: u8,
    /// Read the MRU counters before and after the walk.
    pub read_counters: bool,
}

/// The server's MRU counters, and when we had them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MruCounters {
    pub depth: i128,
    pub new: i128,
    /// `mru_recycleold + mru_recyclefull`.
    pub recycled: i128,
    /// `mru_recycleold` (entries recycled for age) and `mru_recyclefull`
    /// (for room), as sent; 0 when absent.
    pub recycled_old: i128,
    pub recycled_full: i128,
    /// The server's clock when it read them, if it said.
    pub clock: Option<NtpStamp>,
    /// The most entries the server keeps (`mru_maxdepth`), if it said.
    pub maxdepth: Option<i128>,
    pub at: Instant,
}

impl MruCounters {
    /// Entries the server added between `earlier` and these counters:
    /// freshly allocated ones (`mru_new`) and those that took a recycled
    /// entry's place (a full list counts its additions only there).
    pub fn added_since(&self, earlier: &MruCounters) -> u64 {
        let added = (self.new - earlier.new) + (self.recycled - earlier.recycled);
        u64::try_from(added).unwrap_or(0)
    }
}

/// How a retrieval ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Finish {
    /// The server sent its end marker.
    Complete,
    /// The list turned over faster than it could be read (after the
    /// reference's eight restarts); what was read is worth showing.
    Stalled,
    Failed(MruError),
}

/// Something for the log stream.
#[derive(Debug, Clone, PartialEq)]
pub enum RetrievalEvent {
    Query(QueryEvent),
    Engine(EngineEvent),
    /// Once per retrieval: the server's list changes about as fast as it
    /// is read (`restarts` > 0: entries were dropped before we read them).
    Outpaced {
        restarts: u32,
        read_per_sec: f64,
        changed_per_sec: f64,
    },
}

/// A reply received and not yet read.
#[derive(Debug)]
pub struct Unread {
    data: Vec<u8>,
    /// For a salvaged reply: how many entries are whole.
    limit: Option<usize>,
}

impl Unread {
    /// The reply as the server sent it (for raw mode); `None` for what was
    /// salvaged of a cut one.
    pub fn whole_reply(&self) -> Option<&[u8]> {
        self.limit.is_none().then_some(&self.data[..])
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    CountersBefore { with_clock: bool },
    Walk,
    CountersAfter { with_clock: bool },
    Done,
}

/// The variables read for the report; `clock` dates them on the server's
/// own clock and `mru_maxdepth` bounds what the list can hold (a server
/// without them is asked again for the four counters alone).
const COUNTERS: &[u8] = b"mru_depth,mru_new,mru_recycleold,mru_recyclefull";
const COUNTERS_AND_CLOCK: &[u8] =
    b"mru_depth,mru_maxdepth,mru_new,mru_recycleold,mru_recyclefull,clock";

/// How long before the outpaced check looks at the rates.
const OUTPACED_AFTER: Duration = Duration::from_secs(3);

pub struct MruRetrieval {
    engine: MruEngine,
    config: RetrievalConfig,
    step: Step,
    query: Option<Query>,
    /// The request in flight is a READ_MRU (not a nonce).
    query_is_mru: bool,
    signer: Option<Signer>,
    check: Option<ResponseCheck>,
    sequence: u16,
    unread: VecDeque<Unread>,
    events: VecDeque<RetrievalEvent>,
    before: Option<MruCounters>,
    after: Option<MruCounters>,
    walk_end: Option<Instant>,
    started: Instant,
    warned: bool,
    stalled: bool,
    finish: Option<Finish>,
    /// Addresses of anchors and salvage (entries are read into the
    /// caller's table by [`MruRetrieval::ingest`]).
    scratch_v6: V6Table,
}

impl MruRetrieval {
    pub fn new(
        options: MruOptions,
        config: RetrievalConfig,
        signer: Option<Signer>,
        check: Option<ResponseCheck>,
        now: Instant,
    ) -> MruRetrieval {
        let mut engine = MruEngine::new(options, config.timeouts, config.row_limit);
        engine.set_frags_cap(config.frags_cap);
        engine.set_verbosity(config.verbosity);
        let mut r = MruRetrieval {
            engine,
            config,
            step: Step::Walk,
            query: None,
            query_is_mru: false,
            signer,
            check,
            sequence: config.sequence,
            unread: VecDeque::new(),
            events: VecDeque::new(),
            before: None,
            after: None,
            walk_end: None,
            started: now,
            warned: false,
            stalled: false,
            finish: None,
            scratch_v6: V6Table::default(),
        };
        if config.read_counters {
            r.step = Step::CountersBefore { with_clock: true };
            r.start_counters(true, now);
        } else {
            r.advance(now);
        }
        r
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.query.as_mut()?.poll_transmit()
    }

    /// The wait of the exchange in flight (primary or between fragments).
    pub fn current_wait(&self) -> Duration {
        self.query
            .as_ref()
            .map_or(Duration::ZERO, Query::current_wait)
    }

    /// When [`MruRetrieval::handle_timeout`] must be called.
    pub fn deadline(&self) -> Option<Instant> {
        self.query.as_ref()?.deadline()
    }

    pub fn poll_event(&mut self) -> Option<RetrievalEvent> {
        self.events.pop_front()
    }

    pub fn handle_datagram(&mut self, now: Instant, from: SocketAddr, pkt: &[u8]) {
        if let Some(q) = self.query.as_mut() {
            q.handle_datagram(now, from, pkt);
            self.pump(now);
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(q) = self.query.as_mut() {
            q.handle_timeout(now);
            self.pump(now);
        }
    }

    /// A transport failure (e.g. ICMP port unreachable).
    pub fn handle_socket_error(&mut self, now: Instant) {
        if let Some(q) = self.query.as_mut() {
            q.handle_socket_error();
            self.pump(now);
        }
    }

    /// After a complete walk, starts the next poll of `mrulist follow`:
    /// a walk from the newest entries read, returning what changed since,
    /// with the MRU counters read again at its end (the previous end's
    /// become this poll's "before"). False when the last walk did not
    /// complete (there is nothing to follow from).
    pub fn follow(&mut self, now: Instant) -> bool {
        if self.finish != Some(Finish::Complete) {
            return false;
        }
        self.finish = None;
        self.walk_end = None;
        self.stalled = false;
        self.warned = false;
        self.started = now;
        if self.after.is_some() {
            self.before = self.after.take();
        }
        self.step = Step::Walk;
        self.engine.resume();
        self.advance(now);
        true
    }

    /// A reply received and not yet read, oldest first.
    pub fn next_unread(&mut self) -> Option<Unread> {
        self.unread.pop_front()
    }

    /// Reads the entries of `reply` into `sink` in server order (`v6`
    /// interns their IPv6 addresses). An error (a malformed reply) ends
    /// the retrieval.
    pub fn ingest(
        &mut self,
        reply: &Unread,
        v6: &mut V6Table,
        sink: &mut dyn FnMut(&MruEntry, &V6Table),
    ) -> Result<(), MruError> {
        let result = self.engine.ingest(&reply.data, reply.limit, v6, sink);
        if let Err(e) = &result {
            self.end(Finish::Failed(e.clone()));
        }
        result
    }

    pub fn finish(&self) -> Option<&Finish> {
        self.finish.as_ref()
    }

    pub fn is_finished(&self) -> bool {
        self.finish.is_some()
    }

    pub fn stats(&self) -> &RetrievalStats {
        self.engine.stats()
    }

    pub fn counters_before(&self) -> Option<MruCounters> {
        self.before
    }

    pub fn counters_after(&self) -> Option<MruCounters> {
        self.after
    }

    /// When the walk ended (the end marker, or the stall).
    pub fn walk_end(&self) -> Option<Instant> {
        self.walk_end
    }

    /// The session's sequence counter after our sends.
    pub fn sequence(&self) -> u16 {
        self.sequence
    }

    /// The row limit learned, for the session's next retrieval.
    pub fn row_limit(&self) -> u32 {
        self.engine.row_limit()
    }

    fn end(&mut self, finish: Finish) {
        self.step = Step::Done;
        self.query = None;
        self.finish = Some(finish);
    }

    fn start_query(&mut self, request: Request, timeouts: Timeouts, now: Instant) {
        let mut q = Query::prepare(request, self.sequence, Some(self.config.server), timeouts);
        q.set_signer(self.signer.take());
        if let Some(check) = self.check.take() {
            q.set_response_check(check);
        }
        q.set_verbosity(self.config.verbosity);
        q.begin(now);
        self.query = Some(q);
        // An oversized request fails at once.
        self.pump(now);
    }

    fn start_counters(&mut self, with_clock: bool, now: Instant) {
        let names = if with_clock {
            COUNTERS_AND_CLOCK
        } else {
            COUNTERS
        };
        self.query_is_mru = false;
        let request = Request::new(Opcode::ReadVar, 0, names);
        self.start_query(request, self.config.timeouts, now);
    }

    /// Starts the next exchange of the walk, or what follows it.
    fn advance(&mut self, now: Instant) {
        match self.engine.next(now) {
            Next::Query(request, timeouts) => {
                self.query_is_mru = request.opcode == Opcode::ReadMru;
                self.start_query(request, timeouts, now);
            }
            Next::Done => self.walk_ended(now),
        }
        self.drain_engine_events();
    }

    fn walk_ended(&mut self, now: Instant) {
        self.walk_end = Some(now);
        if self.config.read_counters {
            self.step = Step::CountersAfter { with_clock: true };
            self.start_counters(true, now);
        } else {
            self.conclude();
        }
    }

    fn conclude(&mut self) {
        let finish = if self.stalled {
            Finish::Stalled
        } else {
            Finish::Complete
        };
        self.end(finish);
    }

    fn drain_engine_events(&mut self) {
        while let Some(e) = self.engine.poll_event() {
            self.events.push_back(RetrievalEvent::Engine(e));
        }
    }

    /// Moves the exchange's events out and, once it is over, digests it.
    fn pump(&mut self, now: Instant) {
        let Some(q) = self.query.as_mut() else {
            return;
        };
        while let Some(e) = q.poll_event() {
            self.events.push_back(RetrievalEvent::Query(e));
        }
        let Some(outcome) = q.take_outcome() else {
            return;
        };
        self.sequence = q.sequence();
        self.signer = q.take_signer();
        self.check = q.take_response_check();
        let prefix = match outcome {
            Err(QueryError::Incomplete) if self.query_is_mru => q.contiguous_prefix(),
            _ => Vec::new(),
        };
        self.query = None;
        match self.step {
            Step::CountersBefore { with_clock } => match outcome {
                Ok(r) => {
                    self.before = counters(&r, now);
                    self.step = Step::Walk;
                    self.advance(now);
                }
                Err(QueryError::Server(_)) if with_clock => {
                    self.step = Step::CountersBefore { with_clock: false };
                    self.start_counters(false, now);
                }
                Err(QueryError::Server(_)) => {
                    self.step = Step::Walk;
                    self.advance(now);
                }
                // A server that does not answer at all: say so now, not
                // after the nonce's timeouts too.
                Err(e) => self.end(Finish::Failed(MruError::Query(e))),
            },
            Step::Walk => {
                if let Err(e) = self.walk_result(outcome, prefix, now) {
                    self.drain_engine_events();
                    if e == MruError::Stall {
                        self.stalled = true;
                        self.walk_ended(now);
                    } else {
                        self.end(Finish::Failed(e));
                    }
                    return;
                }
                self.check_outpaced(now);
                self.advance(now);
            }
            Step::CountersAfter { with_clock } => match outcome {
                Ok(r) => {
                    self.after = counters(&r, now);
                    self.conclude();
                }
                Err(QueryError::Server(_)) if with_clock => {
                    self.step = Step::CountersAfter { with_clock: false };
                    self.start_counters(false, now);
                }
                // The list is read; the report only loses its estimate.
                Err(_) => self.conclude(),
            },
            Step::Done => {}
        }
    }

    fn walk_result(
        &mut self,
        outcome: Result<Response, QueryError>,
        prefix: Vec<u8>,
        now: Instant,
    ) -> Result<(), MruError> {
        match outcome {
            Ok(resp) if self.query_is_mru => {
                self.engine.accept(now, &resp, &mut self.scratch_v6)?;
                self.unread.push_back(Unread {
                    data: resp.data,
                    limit: None,
                });
            }
            Err(QueryError::Incomplete) if !prefix.is_empty() => {
                if let Some(keep) = self.engine.salvage(&prefix, &mut self.scratch_v6)? {
                    let mut data = prefix;
                    data.truncate(keep.len);
                    self.unread.push_back(Unread {
                        data,
                        limit: Some(keep.entries),
                    });
                }
            }
            other => {
                self.engine
                    .handle(now, other.as_ref(), &mut self.scratch_v6, &mut |_, _| {})?;
            }
        }
        // Anchors are kept as addresses, not table indices.
        self.scratch_v6 = V6Table::default();
        Ok(())
    }

    /// Warns once when the list changes about as fast as it is read.
    fn check_outpaced(&mut self, now: Instant) {
        let s = self.engine.stats();
        let elapsed = now.saturating_duration_since(self.started);
        if self.warned || (s.restarts == 0 && elapsed < OUTPACED_AFTER) {
            return;
        }
        let secs = elapsed.as_secs_f64().max(1e-3);
        let read_per_sec = s.slots as f64 / secs;
        let changed_per_sec = s.changed_during as f64 / secs;
        if s.restarts > 0 || (s.changed_during > 0 && changed_per_sec > 0.5 * read_per_sec) {
            self.warned = true;
            self.events.push_back(RetrievalEvent::Outpaced {
                restarts: s.restarts,
                read_per_sec,
                changed_per_sec,
            });
        }
    }
}

/// The counters of a READVAR reply; `None` when one is missing.
fn counters(r: &Response, at: Instant) -> Option<MruCounters> {
    let vars = parse_varlist(&r.data);
    let get = |n: &str| vars.iter().find(|v| v.name == n);
    let int = |n: &str| get(n).and_then(|v| v.value.as_i128());
    let (old, full) = (
        int("mru_recycleold").unwrap_or(0),
        int("mru_recyclefull").unwrap_or(0),
    );
    Some(MruCounters {
        depth: int("mru_depth")?,
        new: int("mru_new")?,
        recycled: old + full,
        recycled_old: old,
        recycled_full: full,
        clock: get("clock").and_then(|v| parse_stamp(&v.raw)),
        maxdepth: int("mru_maxdepth"),
        at,
    })
}
