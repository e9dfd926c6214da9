//! One open host: its UDP socket and sequence counter, and the loop that
//! drives a protocol state machine over tokio — one [`Query`], or a whole
//! [`MruRetrieval`] — moving datagrams, time and Ctrl-C, nothing more.

use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ntp_control::mru::{MruRetrieval, RetrievalEvent};
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
        })
    }

    pub fn sequence(&self) -> u16 {
        self.sequence
    }

    /// Runs a whole MRU retrieval. After each batch of sends, `read` is
    /// given the retrieval to read the replies received (so parsing
    /// overlaps the server's work on the next request); it may stop the
    /// run. Returns when the retrieval is finished or stopped.
    pub fn run_retrieval(
        &mut self,
        rt: &Runtime,
        out: &mut Output,
        params: &QueryParams,
        m: &mut MruRetrieval,
        read: &mut dyn FnMut(&mut MruRetrieval, &mut Output) -> ControlFlow<()>,
    ) -> Result<(), Failure> {
        let result = rt.block_on(drive(
            &self.socket,
            self.addr,
            m,
            out,
            params,
            &self.name,
            read,
        ));
        self.sequence = m.sequence();
        result
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
            &mut |_, _| ControlFlow::Continue(()),
        ));
        self.sequence = q.sequence();
        result?;
        match q.take_outcome() {
            Some(outcome) => outcome.map_err(Failure::Query),
            None => Err(Failure::Query(QueryError::Timeout)),
        }
    }
}

/// What the receive loop drives: a single exchange or a whole retrieval.
trait Conversation {
    fn poll_transmit(&mut self) -> Option<Vec<u8>>;
    fn deadline(&self) -> Option<Instant>;
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, pkt: &[u8]);
    fn handle_timeout(&mut self, now: Instant);
    fn handle_socket_error(&mut self, now: Instant);
    /// Writes what happened to the log stream.
    fn log_events(&mut self, out: &mut Output, debug: u32);
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
    fn log_events(&mut self, out: &mut Output, debug: u32) {
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
    fn log_events(&mut self, out: &mut Output, debug: u32) {
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
                } => out.warn(&ntpq_format::mrulist::outpaced_warning(
                    restarts,
                    read_per_sec,
                    changed_per_sec,
                )),
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

/// Sends what `c` has to send, hands it to `after_send`, and feeds it
/// datagrams and timeouts until it is finished (or stopped, or Ctrl-C).
async fn drive<C: Conversation>(
    socket: &UdpSocket,
    addr: SocketAddr,
    c: &mut C,
    out: &mut Output,
    params: &QueryParams,
    host: &str,
    after_send: &mut dyn FnMut(&mut C, &mut Output) -> ControlFlow<()>,
) -> Result<(), Failure> {
    let mut buf = vec![0u8; 4096];
    let fast = params.debug < 4 && params.flake <= 0.0;
    let mut batch = RecvBatch::new();
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(50));
    let mut announced = false;
    loop {
        c.log_events(out, params.debug);
        while let Some(pkt) = c.poll_transmit() {
            if socket.send(&pkt).await.is_err() {
                out.log(&format!("Write to {host} failed"));
            }
        }
        if after_send(c, out).is_break() {
            return Ok(());
        }
        c.log_events(out, params.debug);
        if c.is_finished() {
            return Ok(());
        }
        let Some(deadline) = c.deadline() else {
            return Ok(());
        };
        let select_text = |edge: &str, wait: Duration| {
            format!(
                "At {}, select with timeout {} {edge}",
                crate::output::asctime_now(),
                wait.as_secs()
            )
        };
        // The 50 ms interrupt check wakes the loop too; one line per wait.
        if params.debug >= 5 && !announced {
            out.log_debug(&select_text("begins", c.current_wait()));
            announced = true;
        }
        // Datagrams already waiting are read in batches, without a
        // select (the fragments of a large reply arrive back to back).
        // Debug levels 4 and up and `doflake` take the one-by-one path,
        // which logs each read as the reference does.
        if fast {
            let now = Instant::now();
            match batch.recv(socket) {
                Ok(0) => {}
                Ok(n) => {
                    for i in 0..n {
                        c.handle_datagram(now, addr, batch.datagram(i));
                    }
                    if now >= deadline {
                        c.handle_timeout(now);
                    }
                    if INTERRUPTED.load(Ordering::SeqCst) {
                        return Err(Failure::Interrupted);
                    }
                    continue;
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => {
                    c.handle_socket_error(now);
                    continue;
                }
            }
        }
        tokio::select! {
            r = socket.readable() => match r {
                Ok(()) if fast => {}
                Ok(()) => match socket.try_recv(&mut buf) {
                    Ok(n) => {
                        announced = false;
                        if params.debug >= 5 {
                            out.log_debug(&select_text("ends", c.current_wait()));
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
                        c.handle_datagram(Instant::now(), addr, &buf[..n]);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(_) => c.handle_socket_error(Instant::now()),
                },
                Err(_) => c.handle_socket_error(Instant::now()),
            },
            _ = tokio::time::sleep_until(deadline.into()) => {
                announced = false;
                c.handle_timeout(Instant::now())
            }
            _ = tick.tick() => {
                if INTERRUPTED.load(Ordering::SeqCst) {
                    return Err(Failure::Interrupted);
                }
            }
        }
    }
}

/// Receives up to [`RecvBatch::SIZE`] datagrams with one `recvmmsg`.
struct RecvBatch {
    bufs: Vec<u8>,
    lens: [usize; RecvBatch::SIZE],
}

impl RecvBatch {
    const SIZE: usize = 32;
    /// Larger than any Mode 6 datagram (12 + 468 + MAC); longer ones are
    /// cut, and then fail the fragment checks.
    const DATAGRAM: usize = 4096;

    fn new() -> RecvBatch {
        RecvBatch {
            bufs: vec![0; Self::SIZE * Self::DATAGRAM],
            lens: [0; Self::SIZE],
        }
    }

    fn datagram(&self, i: usize) -> &[u8] {
        &self.bufs[i * Self::DATAGRAM..i * Self::DATAGRAM + self.lens[i]]
    }

    /// Datagrams waiting now (none: `WouldBlock`).
    fn recv(&mut self, socket: &UdpSocket) -> std::io::Result<usize> {
        use std::os::fd::AsRawFd;
        let fd = socket.as_raw_fd();
        socket.try_io(tokio::io::Interest::READABLE, || {
            // SAFETY: every iovec points into `bufs` at a distinct
            // DATAGRAM-sized slot that outlives the call; the headers
            // point at those iovecs; recvmmsg writes at most SIZE headers.
            unsafe {
                let mut iov: [libc::iovec; Self::SIZE] = std::mem::zeroed();
                let mut hdrs: [libc::mmsghdr; Self::SIZE] = std::mem::zeroed();
                let base = self.bufs.as_mut_ptr();
                for i in 0..Self::SIZE {
                    iov[i].iov_base = base.add(i * Self::DATAGRAM).cast();
                    iov[i].iov_len = Self::DATAGRAM;
                    hdrs[i].msg_hdr.msg_iov = &mut iov[i];
                    hdrs[i].msg_hdr.msg_iovlen = 1;
                }
                let n = libc::recvmmsg(
                    fd,
                    hdrs.as_mut_ptr(),
                    Self::SIZE as libc::c_uint,
                    libc::MSG_DONTWAIT,
                    std::ptr::null_mut(),
                );
                if n < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                let n = n as usize;
                for (len, h) in self.lens.iter_mut().zip(&hdrs[..n]) {
                    *len = (h.msg_len as usize).min(Self::DATAGRAM);
                }
                Ok(n)
            }
        })
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
