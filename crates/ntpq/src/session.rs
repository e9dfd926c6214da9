//! The UDP transport: one open host's socket, and the thin receive loop
//! that drives a protocol state machine over tokio — one [`Query`], or a
//! whole [`MruRetrieval`] — moving datagrams, time and Ctrl-C, nothing more.

use std::io::Write;
use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use ntp_control::mru::MruRetrieval;
use ntp_control::Query;
use tokio::net::UdpSocket;
use tokio::runtime::Runtime;

use crate::output::Output;
use crate::resolve::{self, Family};
use crate::signal;
use crate::transport::{
    AfterSend, Connect, Conversation, Failure, QueryParams, ReadReplies, Transport,
};

/// A connected UDP socket and the runtime that drives it.
pub struct UdpTransport {
    addr: SocketAddr,
    /// The host as the user typed it (for "Write to ... failed").
    name: String,
    // Dropped before the runtime it is registered with.
    socket: UdpSocket,
    rt: Runtime,
    /// The last conversation got "connection refused" (ICMP port
    /// unreachable): nothing listens at the address.
    refused: bool,
}

impl UdpTransport {
    pub fn open(name: &str, addr: SocketAddr) -> std::io::Result<UdpTransport> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let socket = rt.block_on(async {
            let bind: SocketAddr = if addr.is_ipv4() {
                SocketAddr::from(([0, 0, 0, 0], 0))
            } else {
                SocketAddr::from(([0u16; 8], 0))
            };
            let s = UdpSocket::bind(bind).await?;
            s.connect(addr).await?;
            Ok::<_, std::io::Error>(s)
        })?;
        Ok(UdpTransport {
            addr,
            name: name.to_string(),
            socket,
            rt,
            refused: false,
        })
    }
}

impl Transport for UdpTransport {
    fn server(&self) -> SocketAddr {
        self.addr
    }

    fn refused(&self) -> bool {
        self.refused
    }

    fn exchange(
        &mut self,
        q: &mut Query,
        out: &mut Output<dyn Write>,
        params: &QueryParams,
    ) -> Result<(), Failure> {
        self.refused = false;
        self.rt.block_on(drive(
            &self.socket,
            self.addr,
            q,
            out,
            params,
            (&self.name, &mut self.refused),
            &mut |_, _| ControlFlow::Continue(()),
        ))
    }

    fn retrieve(
        &mut self,
        m: &mut MruRetrieval,
        out: &mut Output<dyn Write>,
        params: &QueryParams,
        read: &mut ReadReplies<'_>,
    ) -> Result<(), Failure> {
        self.refused = false;
        self.rt.block_on(drive(
            &self.socket,
            self.addr,
            m,
            out,
            params,
            (&self.name, &mut self.refused),
            read,
        ))
    }
}

/// Opens UDP transports: name lookup (crate::resolve), then a socket.
#[derive(Default)]
pub struct UdpConnect;

impl Connect for UdpConnect {
    fn connect(&mut self, host: &str, family: Family) -> Result<Box<dyn Transport>, Vec<String>> {
        let addr = resolve::resolve_host(host, family)?;
        match UdpTransport::open(host, addr) {
            Ok(t) => Ok(Box::new(t)),
            Err(e) => Err(vec![format!("ntpq: cannot open a socket for {host}: {e}")]),
        }
    }
}

/// Sends what `c` has to send, hands it to `after_send`, and feeds it
/// datagrams and timeouts until it is finished (or stopped, or Ctrl-C).
async fn drive<C: Conversation>(
    socket: &UdpSocket,
    addr: SocketAddr,
    c: &mut C,
    out: &mut Output<dyn Write>,
    params: &QueryParams,
    (host, refused): (&str, &mut bool),
    after_send: &mut AfterSend<'_, C>,
) -> Result<(), Failure> {
    let is_refused = |e: &std::io::Error| e.kind() == std::io::ErrorKind::ConnectionRefused;
    let mut buf = vec![0u8; 4096];
    let fast = params.debug < 4 && params.flake <= 0.0;
    let mut batch = RecvBatch::new();
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(50));
    let mut announced = false;
    loop {
        c.log_events(out, params.debug);
        while let Some(pkt) = c.poll_transmit() {
            if let Err(e) = socket.send(&pkt).await {
                *refused |= is_refused(&e);
                out.log_code("send_failed", &format!("Write to {host} failed"));
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
                    if signal::interrupted() {
                        return Err(Failure::Interrupted);
                    }
                    continue;
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => {
                    *refused |= is_refused(&e);
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
                    Err(e) => {
                        *refused |= is_refused(&e);
                        c.handle_socket_error(Instant::now())
                    }
                },
                Err(_) => c.handle_socket_error(Instant::now()),
            },
            _ = tokio::time::sleep_until(deadline.into()) => {
                announced = false;
                c.handle_timeout(Instant::now())
            }
            _ = tick.tick() => {
                if signal::interrupted() {
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
