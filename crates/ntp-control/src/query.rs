//! One request/response exchange as a state machine with no I/O.
//!
//! The driver calls [`Query::poll_transmit`] and sends what it returns,
//! sleeps until [`Query::deadline`] or a datagram arrives, and feeds either
//! to [`Query::handle_timeout`] / [`Query::handle_datagram`] until
//! `Query::outcome` is set. Typed events come out of [`Query::poll_event`]
//! (only those the verbosity asks for, and warnings; see [`event`]).
//! Retry, timeouts and fragment reassembly follow protocol.md §4, with the
//! out-of-order and hole handling fixed as the spec decides.

pub mod event;
mod reassembly;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::header::{
    encode_request, pad_len, Header, Opcode, ServerErrorCode, CTL_MAX_DATA_LEN, HEADER_LEN,
    MODE_CONTROL,
};
pub use event::{FragmentRejected, Ignored, QueryEvent, QueryWarning};
use reassembly::Reassembly;

/// Timing, size limits and loss policy of one exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Wait for the first fragment (the `timeout` command).
    pub primary: Duration,
    /// Wait for each further fragment.
    pub secondary: Duration,
    /// Sends before giving up (the reference tries twice).
    pub attempts: u32,
    /// Datagrams one attempt may receive before "buffer size exceeded".
    pub max_datagrams: usize,
    /// Drop datagrams shorter than a header instead of failing the
    /// exchange (as the reference does). mrulist sets it: a runt may be a
    /// straggler of an earlier reply, and a lost fragment is salvageable.
    pub discard_runts: bool,
    /// The longest one attempt may last, however its fragments trickle in
    /// (the reference restarts the secondary wait at each fragment, so a
    /// server dripping one every few seconds holds a command for minutes).
    /// `None`: no bound but `max_datagrams`.
    pub attempt_limit: Option<Duration>,
    /// The wait for missing fragments once the final one is in, when only
    /// a straggler could still fill the holes (mrulist keeps what came
    /// before a loss, so it need not wait long). `None`: `secondary`.
    pub after_final: Option<Duration>,
}

impl Timeouts {
    /// The session's timeouts for a `timeout` of `primary`: an attempt
    /// lasts at most `primary` plus twice the secondary wait (11 s by
    /// default), so a command of two attempts ends within 22 s.
    pub fn with_primary(primary: Duration) -> Timeouts {
        let base = Timeouts::default();
        Timeouts {
            primary,
            attempt_limit: Some(primary + base.secondary * 2),
            ..base
        }
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            primary: Duration::from_millis(5000),
            secondary: Duration::from_millis(3000),
            attempts: 2,
            max_datagrams: 63,
            discard_runts: false,
            attempt_limit: None,
            after_final: None,
        }
    }
}

/// What to ask: opcode, association and request data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub opcode: Opcode,
    pub associd: u16,
    pub data: Vec<u8>,
}

impl Request {
    pub fn new(opcode: Opcode, associd: u16, data: impl Into<Vec<u8>>) -> Request {
        Request {
            opcode,
            associd,
            data: data.into(),
        }
    }
}

/// A complete, reassembled response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub opcode: Opcode,
    /// Status word of the final fragment.
    pub status: u16,
    pub associd: u16,
    /// Data of all fragments in offset order (padding and MACs removed).
    pub data: Vec<u8>,
    pub fragments: usize,
}

/// Why an exchange failed; `Display` gives the reference's message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("***Request timed out")]
    Timeout,
    #[error("***Response from server was incomplete")]
    Incomplete,
    #[error("***Server returned an unspecified error")]
    Unspecified,
    #[error("***Buffer size exceeded for returned data")]
    BufferExceeded,
    #[error("***Server error code {0}")]
    Server(ServerErrorCode),
    #[error("***Socket error; probably ntpd is not running")]
    Socket,
}

impl QueryError {
    /// The reference ends these messages with an extra newline (a blank line).
    pub fn blank_line_after(&self) -> bool {
        !matches!(self, QueryError::Server(_))
    }
}

/// Signs an outgoing request (the auth crate provides one); it receives the
/// padded request and appends key id and MAC.
pub type Signer = Box<dyn FnMut(&mut Vec<u8>) + Send>;

pub struct Query {
    opcode: Opcode,
    associd: u16,
    data: Vec<u8>,
    server: Option<SocketAddr>,
    timeouts: Timeouts,
    signer: Option<Signer>,
    response_check: Option<crate::auth_trailer::ResponseCheck>,
    sequence: u16,
    attempt: u32,
    /// When the current attempt must end (see [`Timeouts::attempt_limit`]).
    attempt_end: Option<Instant>,
    transmit: Option<Vec<u8>>,
    deadline: Option<Instant>,
    reassembly: Reassembly,
    datagrams: usize,
    outcome: Option<Result<Response, QueryError>>,
    /// Debug level: events above it are not even built.
    verbosity: u8,
    events: VecDeque<QueryEvent>,
}

impl Query {
    /// Starts an exchange at verbosity 0 (see [`Query::prepare`]).
    pub fn new(
        request: Request,
        last_sequence: u16,
        server: Option<SocketAddr>,
        timeouts: Timeouts,
        signer: Option<Signer>,
        now: Instant,
    ) -> Query {
        let mut q = Query::prepare(request, last_sequence, server, timeouts);
        q.signer = signer;
        q.begin(now);
        q
    }

    /// An exchange not yet sent: set it up, then [`Query::begin`] it.
    /// `last_sequence` is the session's counter; the query increments it
    /// before every send (read it back with [`Query::sequence`]).
    /// `server`, when given, is the only source accepted.
    pub fn prepare(
        request: Request,
        last_sequence: u16,
        server: Option<SocketAddr>,
        timeouts: Timeouts,
    ) -> Query {
        let Request {
            opcode,
            associd,
            data,
        } = request;
        Query {
            opcode,
            associd,
            data,
            server,
            timeouts,
            signer: None,
            response_check: None,
            sequence: last_sequence,
            attempt: 0,
            attempt_end: None,
            transmit: None,
            deadline: None,
            reassembly: Reassembly::default(),
            datagrams: 0,
            outcome: None,
            verbosity: 0,
            events: VecDeque::new(),
        }
    }

    /// Signs every request datagram.
    pub fn set_signer(&mut self, signer: Option<Signer>) {
        self.signer = signer;
    }

    /// Gives the signer back (for the next exchange of a conversation).
    pub fn take_signer(&mut self) -> Option<Signer> {
        self.signer.take()
    }

    /// The debug level: events of higher levels are never built.
    pub fn set_verbosity(&mut self, level: u8) {
        self.verbosity = level;
    }

    /// Sends the first request.
    pub fn begin(&mut self, now: Instant) {
        if self.attempt > 0 || self.outcome.is_some() {
            return;
        }
        if self.verbosity >= 1 {
            self.events.push_back(QueryEvent::Request {
                opcode: self.opcode,
                associd: self.associd,
                data: self.data.clone(),
            });
        }
        if self.data.len() > CTL_MAX_DATA_LEN {
            // The reference logs this once per attempt, sends nothing and
            // then times out (we do not wait for the timeouts).
            for _ in 0..self.timeouts.attempts.max(1) {
                self.warn(QueryWarning::DataTooLarge(self.data.len()));
            }
            self.outcome = Some(Err(QueryError::Timeout));
        } else {
            self.send(now);
        }
    }

    /// Checks the MAC of every response fragment (see [`crate::auth_trailer`]).
    pub fn set_response_check(&mut self, check: crate::auth_trailer::ResponseCheck) {
        self.response_check = Some(check);
    }

    /// Gives the response check back (for the next exchange).
    pub fn take_response_check(&mut self) -> Option<crate::auth_trailer::ResponseCheck> {
        self.response_check.take()
    }

    /// The session's sequence counter after this query's sends.
    pub fn sequence(&self) -> u16 {
        self.sequence
    }

    pub fn opcode(&self) -> Opcode {
        self.opcode
    }

    /// The next datagram to send, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.take()
    }

    /// When [`Query::handle_timeout`] must be called; `None` once finished.
    pub fn deadline(&self) -> Option<Instant> {
        if self.outcome.is_some() {
            None
        } else {
            self.deadline
        }
    }

    pub fn poll_event(&mut self) -> Option<QueryEvent> {
        self.events.pop_front()
    }

    /// Whether a fragment of the current attempt has arrived (the wait is
    /// then the secondary timeout).
    pub fn has_fragments(&self) -> bool {
        !self.reassembly.is_empty()
    }

    /// The timeout the current wait uses.
    pub fn current_wait(&self) -> Duration {
        if self.has_fragments() {
            self.timeouts.secondary
        } else {
            self.timeouts.primary
        }
    }

    pub fn is_finished(&self) -> bool {
        self.outcome.is_some()
    }

    /// The result once finished; takes it out.
    pub fn take_outcome(&mut self) -> Option<Result<Response, QueryError>> {
        self.outcome.take()
    }

    /// The data received so far that is contiguous from offset 0, e.g. to
    /// salvage complete MRU entries from a reply that lost a fragment.
    pub fn contiguous_prefix(&self) -> Vec<u8> {
        self.reassembly.contiguous_prefix().to_vec()
    }

    /// Records a transport failure (e.g. ICMP port unreachable).
    pub fn handle_socket_error(&mut self) {
        if self.outcome.is_none() {
            self.outcome = Some(Err(QueryError::Socket));
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if self.outcome.is_some() {
            return;
        }
        match self.deadline {
            Some(d) if now >= d => {}
            _ => return,
        }
        let incomplete = !self.reassembly.is_empty();
        let error = if incomplete {
            QueryError::Incomplete
        } else {
            QueryError::Timeout
        };
        self.debug(QueryEvent::TimedOut {
            attempt: self.attempt,
            incomplete,
        });
        self.retry_or_fail(error, now);
    }

    fn retry_or_fail(&mut self, error: QueryError, now: Instant) {
        if self.attempt < self.timeouts.attempts {
            self.send(now);
        } else {
            self.outcome = Some(Err(error));
        }
    }

    fn send(&mut self, now: Instant) {
        self.attempt += 1;
        self.sequence = self.sequence.wrapping_add(1);
        self.reassembly = Reassembly::default();
        self.datagrams = 0;
        let mut pkt = encode_request(self.opcode, self.sequence, self.associd, &self.data);
        if let Some(sign) = self.signer.as_mut() {
            sign(&mut pkt);
        }
        self.debug(QueryEvent::Sending {
            len: pkt.len(),
            sequence: self.sequence,
        });
        if self.verbosity >= 5 {
            self.events
                .push_back(QueryEvent::RequestPacket(pkt.clone()));
        }
        self.debug(QueryEvent::CollectionBegins);
        self.transmit = Some(pkt);
        self.attempt_end = self.timeouts.attempt_limit.map(|l| now + l);
        self.deadline = Some(self.bounded(now + self.timeouts.primary));
    }

    /// `deadline`, or the end of the attempt if that comes first.
    fn bounded(&self, deadline: Instant) -> Instant {
        self.attempt_end.map_or(deadline, |end| deadline.min(end))
    }

    fn warn(&mut self, warning: QueryWarning) {
        self.events.push_back(QueryEvent::Warning(warning));
    }

    /// Queues a debug event if the verbosity shows it. Events are small
    /// and built before this check: only those carrying data are guarded
    /// by their callers.
    fn debug(&mut self, event: QueryEvent) {
        if self.verbosity >= event.level() {
            self.events.push_back(event);
        }
    }

    /// Feeds one received datagram.
    pub fn handle_datagram(&mut self, now: Instant, from: SocketAddr, pkt: &[u8]) {
        if self.outcome.is_some() {
            return;
        }
        if let Some(server) = self.server {
            if from != server {
                self.debug(QueryEvent::UnexpectedSource(from));
                return;
            }
        }
        self.debug(QueryEvent::Received { len: pkt.len() });
        let Some(h) = Header::decode(pkt) else {
            if self.timeouts.discard_runts {
                return self.warn(QueryWarning::RuntDiscarded(pkt.len()));
            }
            self.outcome = Some(Err(QueryError::Unspecified));
            return;
        };
        // Late fragments of an earlier request do not count towards the
        // bound (the reference counts them; after a short MRU timer gave up
        // on a big reply, its stragglers would exhaust the next exchange).
        if h.sequence == self.sequence {
            self.datagrams += 1;
            if self.datagrams > self.timeouts.max_datagrams {
                self.outcome = Some(Err(QueryError::BufferExceeded));
                return;
            }
        }
        if !(1..=4).contains(&h.version) {
            return self.debug(QueryEvent::Ignored(Ignored::Version(h.version)));
        }
        if h.mode != MODE_CONTROL {
            return self.debug(QueryEvent::Ignored(Ignored::Mode(h.mode)));
        }
        if !h.response {
            return self.debug(QueryEvent::Ignored(Ignored::NotAResponse));
        }
        if h.sequence != self.sequence {
            return self.debug(QueryEvent::Ignored(Ignored::Sequence {
                got: h.sequence,
                wanted: self.sequence,
            }));
        }
        if h.opcode != self.opcode {
            return self.debug(QueryEvent::Ignored(Ignored::Opcode {
                got: h.opcode.code(),
                wanted: self.opcode.code(),
            }));
        }
        if h.error {
            let code = (h.status >> 8) as u8;
            if h.more {
                self.warn(QueryWarning::ErrorOnNonFinal(code));
            }
            self.outcome = Some(Err(QueryError::Server(ServerErrorCode(code))));
            return;
        }
        if h.associd != self.associd {
            self.warn(QueryWarning::AssociationMismatch {
                got: h.associd,
                wanted: self.associd,
            });
        }
        if !pkt.len().is_multiple_of(4) {
            return self.warn(QueryWarning::NotPadded(pkt.len()));
        }
        let count = h.count as usize;
        if pkt.len() < pad_len(HEADER_LEN + count, 4) {
            self.warn(QueryWarning::CountPastDatagram {
                count,
                received: pkt.len() - HEADER_LEN,
            });
            return self.retry_or_fail(QueryError::Incomplete, now);
        }
        if count > CTL_MAX_DATA_LEN {
            return self.warn(QueryWarning::CountOverMaximum(count));
        }
        if let Some(check) = self.response_check.as_mut() {
            if let Some(text) = check(pkt, count) {
                self.warn(QueryWarning::Mac(text));
            }
        }
        if count == 0 && h.more {
            return self.warn(QueryWarning::EmptyNonFinal);
        }
        let data = &pkt[HEADER_LEN..HEADER_LEN + count];
        match self.reassembly.insert(h.offset, data, h.more, h.status) {
            Err(rejected) => self.warn(QueryWarning::Fragment(rejected)),
            Ok(()) => {
                self.debug(QueryEvent::FragmentRecorded {
                    index: self.reassembly.len(),
                    count,
                    offset: h.offset,
                    more: h.more,
                });
                if let Some((data, fragments, status)) = self.reassembly.complete() {
                    self.debug(QueryEvent::CollectionEnds {
                        len: data.len(),
                        fragments,
                    });
                    if self.verbosity >= 2 {
                        self.events
                            .push_back(QueryEvent::ResponsePacket(data.clone()));
                    }
                    self.outcome = Some(Ok(Response {
                        opcode: self.opcode,
                        status,
                        associd: h.associd,
                        data,
                        fragments,
                    }));
                } else {
                    let wait = match self.timeouts.after_final {
                        Some(wait) if self.reassembly.has_final() => wait,
                        _ => self.timeouts.secondary,
                    };
                    self.deadline = Some(self.bounded(now + wait));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
