//! One open host: its UDP socket and sequence counter, and the loop that
//! drives a protocol [`Query`] over tokio with the reference's timeouts.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use ntp_control::query::Signer;
use ntp_control::{Query, QueryError, Request, Response, Timeouts};
use tokio::net::UdpSocket;
use tokio::runtime::Runtime;

use crate::output::Output;

/// Set by the SIGINT handler; checked by the query loop and between commands.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Installs the Ctrl-C handler (a flag; the loops check it).
pub fn install_sigint_handler() {
    // SAFETY: the handler only stores to an atomic, which is signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_sigint as *const () as libc::sighandler_t);
    }
}

pub fn take_interrupt() -> bool {
    INTERRUPTED.swap(false, Ordering::SeqCst)
}

/// Why a query produced no response.
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

pub struct Session {
    /// The host as the user typed it.
    pub name: String,
    pub addr: SocketAddr,
    socket: UdpSocket,
    sequence: u16,
    /// Data contiguous from offset 0 of the last reply that was incomplete.
    partial: Vec<u8>,
}

/// Per-query knobs from the settings.
pub struct QueryParams {
    pub timeouts: Timeouts,
    pub debug: u32,
    /// Probability of dropping each received datagram (`doflake`).
    pub flake: f64,
}

impl Session {
    pub fn open(
        rt: &Runtime,
        name: &str,
        addr: SocketAddr,
        sequence: u16,
    ) -> std::io::Result<Session> {
        let socket = rt.block_on(async {
            let bind: SocketAddr = if addr.is_ipv4() {
                "0.0.0.0:0".parse()
            } else {
                "[::]:0".parse()
            }
            .expect("literal socket address");
            let s = UdpSocket::bind(bind).await?;
            s.connect(addr).await?;
            Ok::<_, std::io::Error>(s)
        })?;
        Ok(Session {
            name: name.to_string(),
            addr,
            socket,
            sequence,
            partial: Vec::new(),
        })
    }

    /// What arrived of the last reply that was incomplete (from offset 0).
    pub fn take_partial(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.partial)
    }

    pub fn sequence(&self) -> u16 {
        self.sequence
    }

    /// Sends a request and returns the exchange in flight; the caller may
    /// work (e.g. parse the previous reply) before [`Session::finish`].
    pub fn start(
        &mut self,
        rt: &Runtime,
        out: &mut Output,
        params: &QueryParams,
        request: Request,
        signer: Option<Signer>,
    ) -> Query {
        let mut q = Query::prepare(request, self.sequence, Some(self.addr), params.timeouts);
        q.set_signer(signer);
        q.set_verbosity(params.debug.min(u32::from(u8::MAX)) as u8);
        q.begin(Instant::now());
        self.sequence = q.sequence();
        if let Some(pkt) = q.poll_transmit() {
            if rt.block_on(self.socket.send(&pkt)).is_err() {
                out.log(&format!("Write to {} failed", self.name));
            }
        }
        q
    }

    /// Collects the response of an exchange begun with [`Session::start`].
    pub fn finish(
        &mut self,
        rt: &Runtime,
        out: &mut Output,
        params: &QueryParams,
        mut q: Query,
    ) -> Result<Response, Failure> {
        let result = rt.block_on(drive(
            &self.socket,
            self.addr,
            &mut q,
            out,
            params,
            &self.name,
        ));
        self.sequence = q.sequence();
        self.partial = if result == Err(Failure::Query(QueryError::Incomplete)) {
            q.contiguous_prefix()
        } else {
            Vec::new()
        };
        result
    }
}

async fn drive(
    socket: &UdpSocket,
    addr: SocketAddr,
    q: &mut Query,
    out: &mut Output,
    params: &QueryParams,
    host: &str,
) -> Result<Response, Failure> {
    let mut buf = vec![0u8; 4096];
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(50));
    let mut announced = false;
    loop {
        while let Some(ev) = q.poll_event() {
            log_event(out, &ev, params.debug);
        }
        if let Some(pkt) = q.poll_transmit() {
            if socket.send(&pkt).await.is_err() {
                out.log(&format!("Write to {host} failed"));
            }
        }
        if let Some(outcome) = q.take_outcome() {
            return outcome.map_err(Failure::Query);
        }
        let Some(deadline) = q.deadline() else {
            return Err(Failure::Query(QueryError::Timeout));
        };
        let select_text = |edge: &str| {
            format!(
                "At {}, select with timeout {} {edge}",
                crate::output::asctime_now(),
                q.current_wait().as_secs()
            )
        };
        // The 50 ms interrupt check wakes the loop too; one line per wait.
        if params.debug >= 5 && !announced {
            out.log_debug(&select_text("begins"));
            announced = true;
        }
        tokio::select! {
            r = socket.recv(&mut buf) => match r {
                Ok(n) => {
                    announced = false;
                    if params.debug >= 5 {
                        out.log_debug(&select_text("ends"));
                    }
                    if params.debug >= 4 {
                        out.log_debug(&format!("At {}, socket read begins", crate::output::asctime_now()));
                    }
                    if params.flake > 0.0 && flake_roll() < params.flake {
                        if params.debug >= 1 {
                            out.log_debug("Flaky: I deliberately dropped a packet.");
                        }
                        continue;
                    }
                    q.handle_datagram(Instant::now(), addr, &buf[..n]);
                }
                Err(_) => q.handle_socket_error(),
            },
            _ = tokio::time::sleep_until(deadline.into()) => {
                announced = false;
                q.handle_timeout(Instant::now())
            }
            _ = tick.tick() => {
                if INTERRUPTED.load(Ordering::SeqCst) {
                    return Err(Failure::Interrupted);
                }
            }
        }
    }
}

/// Writes a protocol event's log lines (the core only makes the events the
/// debug level shows, and warnings).
pub fn log_event(out: &mut Output, ev: &ntp_control::QueryEvent, debug: u32) {
    use ntpq_format::debug::{query_event_lines, LogLine};
    for line in query_event_lines(ev, debug) {
        match line {
            LogLine::Stamped(text) => out.log_debug(&text),
            LogLine::Plain(text) => out.log(&text),
        }
    }
}

/// A cheap uniform [0,1) roll for `doflake` (test aid, not cryptographic).
fn flake_roll() -> f64 {
    use std::cell::Cell;
    thread_local!(static STATE: Cell<u64> = Cell::new(0x9e3779b97f4a7c15 ^ std::process::id() as u64));
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    })
}
