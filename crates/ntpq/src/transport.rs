//! How the client reaches a server: a [`Transport`] moves the datagrams of
//! one protocol state machine — a single [`Query`] or a whole
//! [`MruRetrieval`] — until it is finished. `crate::session` does it over
//! UDP; the unit tests do it in memory against the simulator's server.

use std::io::Write;
use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use ntp_control::mru::{MruRetrieval, RetrievalEvent};
use ntp_control::{Query, QueryError, Timeouts};

use crate::output::Output;
use crate::resolve::Family;

/// Why a conversation produced no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Query(QueryError),
    Interrupted,
}

impl From<QueryError> for Failure {
    fn from(e: QueryError) -> Self {
        Failure::Query(e)
    }
}

/// Per-query knobs from the settings.
#[derive(Clone, Debug)]
pub struct QueryParams {
    pub timeouts: Timeouts,
    pub debug: u32,
    /// Probability of dropping each received datagram (`doflake`).
    pub flake: f64,
}

/// What a transport calls after each batch of sends (it may stop the run).
pub type AfterSend<'a, C> = dyn FnMut(&mut C, &mut Output<dyn Write>) -> ControlFlow<()> + 'a;

/// What [`Transport::retrieve`] calls after each batch of sends.
pub type ReadReplies<'a> = AfterSend<'a, MruRetrieval>;

/// One open host.
pub trait Transport {
    /// The server's address (MRU nonces are bound to it).
    fn server(&self) -> SocketAddr;

    /// Whether the last conversation was refused (nothing listens there).
    fn refused(&self) -> bool {
        false
    }

    /// Runs an exchange begun by the caller (sequence, signer and
    /// verbosity set) until it has an outcome.
    fn exchange(
        &mut self,
        q: &mut Query,
        out: &mut Output<dyn Write>,
        params: &QueryParams,
    ) -> Result<(), Failure>;

    /// Runs a whole MRU retrieval. After each batch of sends, `read` reads
    /// the replies received (so parsing overlaps the server's work on the
    /// next request); it may stop the run.
    fn retrieve(
        &mut self,
        m: &mut MruRetrieval,
        out: &mut Output<dyn Write>,
        params: &QueryParams,
        read: &mut ReadReplies<'_>,
    ) -> Result<(), Failure>;

    /// The clock conversations run on (the tests' transport keeps a
    /// virtual one).
    fn now(&self) -> Instant {
        Instant::now()
    }

    /// Waits between two polls of `mrulist follow`: `interval`, or what is
    /// `left` of the run if less. True when Ctrl-C came or the run is over.
    fn pause(&mut self, interval: Duration, left: Option<Duration>) -> bool {
        let until = Instant::now() + left.map_or(interval, |l| l.min(interval));
        while Instant::now() < until {
            if crate::signal::interrupted() {
                return true;
            }
            std::thread::sleep((until - Instant::now()).min(Duration::from_millis(50)));
        }
        left.is_some_and(|l| l <= interval)
    }
}

/// Opens transports to hosts by name (UDP in the program).
pub trait Connect {
    /// A transport to `host`, or the lookup messages to print.
    fn connect(&mut self, host: &str, family: Family) -> Result<Box<dyn Transport>, Vec<String>>;
}

/// What a transport drives: a single exchange or a whole retrieval.
pub trait Conversation {
    fn poll_transmit(&mut self) -> Option<Vec<u8>>;
    fn deadline(&self) -> Option<Instant>;
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, pkt: &[u8]);
    fn handle_timeout(&mut self, now: Instant);
    fn handle_socket_error(&mut self, now: Instant);
    /// Writes what happened to the log stream.
    fn log_events(&mut self, out: &mut Output<dyn Write>, debug: u32);
    fn is_finished(&self) -> bool;
    /// The wait in progress, for the level-5 `select` line.
    fn current_wait(&self) -> Duration;
}

impl Conversation for Query {
    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        Query::poll_transmit(self)
    }
    fn deadline(&self) -> Option<Instant> {
        Query::deadline(self)
    }
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, pkt: &[u8]) {
        Query::handle_datagram(self, now, from, pkt)
    }
    fn handle_timeout(&mut self, now: Instant) {
        Query::handle_timeout(self, now)
    }
    fn handle_socket_error(&mut self, _now: Instant) {
        Query::handle_socket_error(self)
    }
    fn log_events(&mut self, out: &mut Output<dyn Write>, debug: u32) {
        while let Some(ev) = self.poll_event() {
            log_event(out, &ev, debug);
        }
    }
    fn is_finished(&self) -> bool {
        Query::is_finished(self)
    }
    fn current_wait(&self) -> Duration {
        Query::current_wait(self)
    }
}

impl Conversation for MruRetrieval {
    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        MruRetrieval::poll_transmit(self)
    }
    fn deadline(&self) -> Option<Instant> {
        MruRetrieval::deadline(self)
    }
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, pkt: &[u8]) {
        MruRetrieval::handle_datagram(self, now, from, pkt)
    }
    fn handle_timeout(&mut self, now: Instant) {
        MruRetrieval::handle_timeout(self, now)
    }
    fn handle_socket_error(&mut self, now: Instant) {
        MruRetrieval::handle_socket_error(self, now)
    }
    fn log_events(&mut self, out: &mut Output<dyn Write>, debug: u32) {
        while let Some(ev) = self.poll_event() {
            match ev {
                RetrievalEvent::Query(q) => log_event(out, &q, debug),
                RetrievalEvent::Engine(e) => {
                    if debug >= 2 {
                        out.log_debug(&ntpq_format::debug::engine_event_text(&e));
                    }
                }
                RetrievalEvent::Outpaced {
                    restarts,
                    read_per_sec,
                    changed_per_sec,
                } => out.warn_code(
                    "mrulist_outpaced",
                    &ntpq_format::mrulist::outpaced_warning(
                        restarts,
                        read_per_sec,
                        changed_per_sec,
                    ),
                ),
            }
        }
    }
    fn is_finished(&self) -> bool {
        MruRetrieval::is_finished(self)
    }
    fn current_wait(&self) -> Duration {
        MruRetrieval::current_wait(self)
    }
}

/// Writes a protocol event's log lines (the core only makes the events the
/// debug level shows, and warnings).
pub fn log_event(out: &mut Output<dyn Write>, ev: &ntp_control::QueryEvent, debug: u32) {
    use ntpq_format::debug::{query_event_lines, LogLine};
    for line in query_event_lines(ev, debug) {
        match line {
            LogLine::Stamped(text) => out.log_debug(&text),
            LogLine::Plain(text) => out.log(&text),
        }
    }
}
