//! A [`ServerState`] served from a loop of the test's own, for what the
//! simulator's [`ntpd_sim::Simulator`] does not offer: a hook that changes
//! the list at a chosen READ_MRU request, a delay before each READ_MRU
//! reply (a slow server), and a snapshot of the list at the moment the
//! final reply (the one with `now=`) was built — exactly what a complete
//! retrieval must print.

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use ntpd_sim::mru::Entry;
use ntpd_sim::{Scenario, ServerState};

/// Changes the list before READ_MRU request number `n` (1-based) is handled.
pub(super) type Hook = Box<dyn FnMut(&mut ServerState, u64, SystemTime) + Send>;

pub(super) struct Shared {
    pub(super) state: ServerState,
    pub(super) hook: Option<Hook>,
    /// READ_MRU requests seen.
    pub(super) mru_requests: u64,
    /// Time of the first REQ_NONCE (the retrieval's start on the server).
    pub(super) first_nonce: Option<SystemTime>,
    /// The list, and the time, when the last reply carrying `now=` was built.
    pub(super) final_list: Option<(SystemTime, Vec<Entry>)>,
}

/// A [`ServerState`] served on 127.0.0.1:<free port> by a thread of this
/// test, with a hook on READ_MRU requests and an optional delay before each
/// READ_MRU reply (a slow server).
pub(super) struct HookedSim {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HookedSim {
    pub(super) fn start(scenario: Scenario, delay: Duration, hook: Option<Hook>) -> HookedSim {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("timeout");
        let addr = socket.local_addr().expect("local addr");
        let shared = Arc::new(Mutex::new(Shared {
            state: ServerState::new(scenario, SystemTime::now()),
            hook,
            mru_requests: 0,
            first_nonce: None,
            final_list: None,
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let shared = Arc::clone(&shared);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || serve(&socket, &shared, &stop, delay))
        };
        HookedSim {
            addr,
            shared,
            stop,
            thread: Some(thread),
        }
    }

    pub(super) fn host(&self) -> String {
        self.addr.to_string()
    }

    pub(super) fn with<R>(&self, f: impl FnOnce(&mut Shared) -> R) -> R {
        f(&mut self.shared.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Drop for HookedSim {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub(super) fn serve(
    socket: &UdpSocket,
    shared: &Mutex<Shared>,
    stop: &AtomicBool,
    delay: Duration,
) {
    let mut buf = vec![0u8; 65_536];
    while !stop.load(Ordering::SeqCst) {
        let Ok((n, from)) = socket.recv_from(&mut buf) else {
            continue;
        };
        let opcode = if n >= 2 { buf[1] & 0x1f } else { 0 };
        if opcode == 10 && !delay.is_zero() {
            std::thread::sleep(delay);
        }
        let replies = {
            let mut sh = shared.lock().unwrap_or_else(|e| e.into_inner());
            let now = SystemTime::now();
            if opcode == 12 && sh.first_nonce.is_none() {
                sh.first_nonce = Some(now);
            }
            if opcode == 10 {
                sh.mru_requests += 1;
                let k = sh.mru_requests;
                let Shared { state, hook, .. } = &mut *sh;
                if let Some(h) = hook.as_mut() {
                    h(state, k, now);
                }
            }
            let replies = sh.state.handle(now, from, &buf[..n]);
            if opcode == 10 && replies.iter().any(|d| contains(d, b"now=0x")) {
                let list = sh.state.mru().entries();
                sh.final_list = Some((now, list));
            }
            replies
        };
        for r in replies {
            let _ = socket.send_to(&r, from);
        }
    }
}

pub(super) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
