//! The thin UDP layer around [`ServerState`].

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use crate::scenario::Scenario;
use crate::server::ServerState;

/// A simulator serving one scenario on a loopback UDP socket from a
/// background thread; stops when dropped.
pub struct Simulator {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    state: Arc<Mutex<ServerState>>,
    thread: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Binds `bind` (must be a loopback address; port 0 picks one) and serves.
    pub fn spawn(bind: SocketAddr, scenario: Scenario) -> io::Result<Simulator> {
        let socket = bind_loopback(bind)?;
        socket.set_read_timeout(Some(Duration::from_millis(50)))?;
        let addr = socket.local_addr()?;
        let state = Arc::new(Mutex::new(ServerState::new(scenario, SystemTime::now())));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let state = Arc::clone(&state);
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name(format!("ntpd-sim {addr}"))
                .spawn(move || serve(&socket, &state, &stop))?
        };
        Ok(Simulator {
            addr,
            stop,
            state,
            thread: Some(thread),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Runs `f` on the server state (e.g. to touch MRU entries mid-test).
    pub fn with_state<R>(&self, f: impl FnOnce(&mut ServerState) -> R) -> R {
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// Stops serving and waits for the thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Binds a UDP socket, refusing anything but loopback addresses.
pub fn bind_loopback(bind: SocketAddr) -> io::Result<UdpSocket> {
    if !bind.ip().is_loopback() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("refusing to bind non-loopback address {bind}"),
        ));
    }
    UdpSocket::bind(bind)
}

/// Serves until `stop` is set (checked at least every read timeout).
pub fn serve(socket: &UdpSocket, state: &Mutex<ServerState>, stop: &AtomicBool) {
    let mut buf = vec![0u8; 65_536];
    while !stop.load(Ordering::SeqCst) {
        let (n, from) = match socket.recv_from(&mut buf) {
            Ok(x) => x,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) =>
            {
                continue
            }
            Err(_) => {
                // e.g. ECONNREFUSED surfaced from an earlier send; keep going.
                continue;
            }
        };
        let replies = {
            let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
            st.handle(SystemTime::now(), from, &buf[..n])
        };
        for r in replies {
            let _ = socket.send_to(&r, from);
        }
    }
}
