//! A server in memory behind [`Transport`], on a virtual clock: no
//! sockets, no waiting, no root. The unit tests put the simulator's server
//! core behind it, the fuzz targets a server that answers from the input.

use std::cell::RefCell;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::ops::ControlFlow;
use std::rc::Rc;
use std::time::{Duration, Instant};

use ntp_control::mru::MruRetrieval;
use ntp_control::Query;

use crate::names::Lookup;
use crate::output::Output;
use crate::transport::{AfterSend, Conversation, Failure, QueryParams, ReadReplies, Transport};

/// The address the memory server answers from.
pub const SERVER_ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 123);

/// A server in memory. It owns the virtual clock, so that time goes on
/// across the transports opened to it (one per host in a run).
pub trait MemoryServer {
    /// The replies to one request datagram, sent `at` after the start.
    fn answer(&mut self, at: Duration, request: &[u8]) -> Vec<Vec<u8>>;
    /// Virtual time since the start.
    fn elapsed(&mut self) -> &mut Duration;
}

/// A [`Transport`] to a [`MemoryServer`]: requests are answered as they
/// are sent; with nothing to read, time jumps to the conversation's
/// deadline, and `mrulist follow`'s pauses take no time.
pub struct MemoryTransport {
    server: Rc<RefCell<dyn MemoryServer>>,
    /// The virtual clock's zero: now is `origin` + the server's elapsed time.
    origin: Instant,
}

impl MemoryTransport {
    pub fn new(server: Rc<RefCell<dyn MemoryServer>>) -> MemoryTransport {
        MemoryTransport {
            server,
            origin: Instant::now(),
        }
    }

    fn drive<C: Conversation>(
        &mut self,
        c: &mut C,
        out: &mut Output<dyn Write>,
        params: &QueryParams,
        after_send: &mut AfterSend<'_, C>,
    ) -> Result<(), Failure> {
        let base = self.now();
        let mut now = base;
        let start = *self.server.borrow_mut().elapsed();
        // A bound, so that a bug cannot hang a test or a fuzz run.
        for _ in 0..100_000 {
            c.log_events(out, params.debug);
            let mut replies = Vec::new();
            while let Some(pkt) = c.poll_transmit() {
                let at = start + (now - base);
                replies.extend(self.server.borrow_mut().answer(at, &pkt));
            }
            if after_send(c, out).is_break() {
                break;
            }
            c.log_events(out, params.debug);
            if c.is_finished() {
                break;
            }
            if replies.is_empty() {
                let Some(deadline) = c.deadline() else {
                    break;
                };
                now = now.max(deadline);
                c.handle_timeout(now);
            } else {
                for r in &replies {
                    c.handle_datagram(now, SERVER_ADDR, r);
                }
            }
        }
        *self.server.borrow_mut().elapsed() += now - base;
        Ok(())
    }
}

impl Transport for MemoryTransport {
    fn server(&self) -> SocketAddr {
        SERVER_ADDR
    }

    fn exchange(
        &mut self,
        q: &mut Query,
        out: &mut Output<dyn Write>,
        params: &QueryParams,
    ) -> Result<(), Failure> {
        self.drive(q, out, params, &mut |_, _| ControlFlow::Continue(()))
    }

    fn retrieve(
        &mut self,
        m: &mut MruRetrieval,
        out: &mut Output<dyn Write>,
        params: &QueryParams,
        read: &mut ReadReplies<'_>,
    ) -> Result<(), Failure> {
        self.drive(m, out, params, read)
    }

    fn now(&self) -> Instant {
        self.origin + *self.server.borrow_mut().elapsed()
    }

    /// No waiting: the virtual clock jumps.
    fn pause(&mut self, interval: Duration, left: Option<Duration>) -> bool {
        *self.server.borrow_mut().elapsed() += left.map_or(interval, |l| l.min(interval));
        left.is_some_and(|l| l <= interval)
    }
}

/// Name lookups that find nothing, without asking DNS.
pub struct NoNames;

impl Lookup for NoNames {
    fn reverse(&self, _: IpAddr) -> Option<String> {
        None
    }
    fn forward(&self, _: &str) -> Vec<IpAddr> {
        Vec::new()
    }
    fn canonicalize(&self, text: &str) -> String {
        text.to_string()
    }
}
