//! A real NTPsec `ntpd` on 127.0.0.1:123 for the end-to-end suites.
//!
//! Only one ntpd can own 127.0.0.1:123 (ntpd has no port option, and ntpq
//! always queries port 123), so a test binary takes turns (module `turns`):
//!
//! * [`shared`]: tests that only read from ntpd share one, started at first
//!   use (with a setup step, e.g. filling its MRU list) and stopped when
//!   the test binary exits;
//! * [`exclusive`] (also [`RealNtpd::start`]): a test that changes ntpd
//!   gets a fresh one of its own, stopped when the returned guard drops.
//!
//! Across processes a lock file serialises every user (module `lock`).
//!
//! Each ntpd runs `/usr/sbin/ntpd -n -c CONF -p PIDFILE` in the foreground
//! from a fresh temporary directory (stdout and stderr go to `ntpd.log`
//! there); it is ready when this very process has bound 127.0.0.1:123 and
//! answers Mode 6. An ntpd that cannot bind the port does not exit (it
//! keeps running without a socket), so the fixture also checks ntpd's own
//! log for the bind result. ntpd is started with a parent-death signal
//! from a thread that lives as long as the test binary: should the test
//! binary die without cleaning up, ntpd dies with it.
//!
//! Without root or ntpd, outside CI, these return None and the test binary
//! prints one SKIP line at exit ([`crate::needs`]); in CI they panic.

mod lock;
mod turns;

use std::fs::{self, File};
use std::io::{self, ErrorKind};
use std::net::UdpSocket;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::{Duration, Instant};

pub use turns::{exclusive, exclusive_with_config, shared, Exclusive, Shared};

use crate::REAL_NTPD;
use lock::ProcessLock;

/// The ntpd the fixture starts: `$NTPD_BIN` when set (CI runs the real-ntpd
/// suites a second time with NTPsec 1.2.3's, built by
/// `.ci/build-ntpsec-1.2.3`), else the installed [`REAL_NTPD`].
pub fn ntpd_binary() -> String {
    std::env::var("NTPD_BIN")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| REAL_NTPD.to_string())
}

/// The address every real-ntpd test talks to.
pub const NTPD_ADDR: &str = "127.0.0.1";

/// Marker in temporary directory names; used to recognise our own ntpd.
const DIR_PREFIX: &str = "ntpq-rs-real-ntpd-";

/// How long to wait for another user of port 123 to go away (another test
/// binary may hold its shared ntpd for its whole run).
const PORT_WAIT: Duration = Duration::from_secs(240);
/// How long a started ntpd may take to answer Mode 6.
const READY_WAIT: Duration = Duration::from_secs(20);

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A running NTPsec ntpd listening on 127.0.0.1:123; killed on drop (its
/// directory is removed, unless a test is panicking: then it is kept for
/// the post-mortem).
pub struct RealNtpd {
    child: Child,
    dir: PathBuf,
    /// The configuration as given, before `{dir}` was replaced: what
    /// [`shared`] compares to decide whether an ntpd can be reused.
    template: String,
    config: String,
    started: Instant,
    _process_lock: ProcessLock,
}

/// The configuration written by [`RealNtpd::start`] before `extra_config`.
/// `{dir}` is replaced by the temporary directory.
///
/// * no `server`/`pool` lines: nothing is contacted, the clock is never
///   adjusted, no DNS;
/// * `interface ignore wildcard` + `interface listen 127.0.0.1`: ntpd binds
///   only addresses configured on an interface; 127.0.0.1 is, on `lo`;
/// * `restrict 127.0.0.1` (and `::1`): without an explicit restrict entry
///   for the client's address, ntpd 1.2.2 silently drops Mode 6 requests
///   from loopback and every query times out (observed; the packet is
///   received but never answered, with or without `restrict default`);
/// * one SHM reference clock (unit 0, never fed) gives exactly one
///   association (`-p`, `as`, `rv &1` have something to show);
/// * the drift file lives in the temporary directory.
pub const BASE_CONFIG: &str = "\
interface ignore wildcard
interface listen 127.0.0.1
restrict 127.0.0.1
restrict ::1
driftfile {dir}/ntp.drift
server 127.127.28.0
";

/// [`BASE_CONFIG`] followed by `extra_config`, ending in a newline.
fn with_base(extra_config: &str) -> String {
    let mut config = BASE_CONFIG.to_string();
    config.push_str(extra_config);
    if !config.ends_with('\n') {
        config.push('\n');
    }
    config
}

impl RealNtpd {
    /// A fresh ntpd for this test alone ([`exclusive`]) with
    /// [`BASE_CONFIG`] followed by `extra_config` (e.g.
    /// `"mru maxdepth 100\n"`). None when root or ntpd is missing outside
    /// CI. Panics when ntpd cannot be started or does not answer.
    pub fn start(extra_config: &str) -> Option<Exclusive> {
        exclusive(extra_config)
    }

    /// Starts ntpd with exactly `template` (`{dir}` replaced by the
    /// temporary directory). The caller holds the turn ([`turns`]).
    fn launch(template: &str) -> RealNtpd {
        let mut process_lock = ProcessLock::acquire(PORT_WAIT);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("{DIR_PREFIX}{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let config = template.replace("{dir}", &dir.display().to_string());
        let conf_path = dir.join("ntp.conf");
        fs::write(&conf_path, &config).expect("write ntp.conf");

        let deadline = Instant::now() + PORT_WAIT;
        loop {
            wait_for_free_port(deadline);
            let mut child = spawn_ntpd(&dir, &conf_path);
            process_lock.record_ntpd(child.id());
            match wait_ready(&mut child, &dir) {
                Ok(()) => {
                    return RealNtpd {
                        child,
                        dir,
                        template: template.to_string(),
                        config,
                        started: Instant::now(),
                        _process_lock: process_lock,
                    };
                }
                // Someone else bound the port between our check and ntpd's
                // bind (an ntpd that cannot bind keeps running): stop this
                // one and wait for the port again.
                Err(Startup::PortTaken) if Instant::now() < deadline => {
                    terminate(&mut child);
                    eprintln!(
                        "real ntpd fixture: 127.0.0.1:123 was taken by {}; retrying",
                        port_owner()
                    );
                }
                Err(e) => {
                    terminate(&mut child);
                    let log = read_log(&dir);
                    let msg = match e {
                        Startup::PortTaken => {
                            format!(
                                "127.0.0.1:123 is taken by another process ({})",
                                port_owner()
                            )
                        }
                        Startup::Exited(status) => format!("ntpd exited early ({status})"),
                        Startup::NoAnswer => {
                            format!("ntpd did not answer Mode 6 within {READY_WAIT:?}")
                        }
                    };
                    panic!(
                        "real ntpd fixture: {msg}; files kept in {}\n--- ntpd log:\n{log}",
                        dir.display()
                    );
                }
            }
        }
    }

    /// The temporary directory (config, log, drift and pid files).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The configuration ntpd was started with.
    pub fn config(&self) -> &str {
        &self.config
    }

    /// ntpd's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// How long ntpd has been answering.
    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// Everything ntpd has logged so far.
    pub fn log(&self) -> String {
        read_log(&self.dir)
    }
}

fn read_log(dir: &Path) -> String {
    fs::read_to_string(dir.join("ntpd.log")).unwrap_or_default()
}

/// Waits until the ntpd `child` owns 127.0.0.1:123 (its log says so) and
/// answers a Mode 6 READSTAT request.
fn wait_ready(child: &mut Child, dir: &Path) -> Result<(), Startup> {
    let deadline = Instant::now() + READY_WAIT;
    let mut bound = false;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(Startup::Exited(status.to_string()));
        }
        if !bound {
            let log = read_log(dir);
            if log
                .lines()
                .any(|l| l.contains("AF_INET 127.0.0.1#123") && l.contains("failed"))
            {
                return Err(Startup::PortTaken);
            }
            bound = log
                .lines()
                .any(|l| l.contains("Listen normally on") && l.contains(" 127.0.0.1:123"));
        }
        if bound && mode6_probe(Duration::from_millis(300)) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(Startup::NoAnswer)
}

#[derive(Debug)]
enum Startup {
    PortTaken,
    Exited(String),
    NoAnswer,
}

impl Drop for RealNtpd {
    fn drop(&mut self) {
        let pid = self.child.id();
        terminate(&mut self.child);
        if std::thread::panicking() {
            eprintln!(
                "real ntpd fixture: ntpd (pid {pid}) stopped; its files are kept in {}",
                self.dir.display()
            );
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
        // Then the process lock is released.
    }
}

fn spawn_ntpd(dir: &Path, conf: &Path) -> Child {
    let log = File::create(dir.join("ntpd.log")).expect("create ntpd.log");
    let log2 = log.try_clone().expect("clone log handle");
    let ntpd = ntpd_binary();
    let mut command = Command::new(&ntpd);
    // -n: stay in the foreground (we own the process, Drop kills it);
    // no -u: no privilege dropping; no -g needed (no time sources).
    command
        .arg("-n")
        .arg("-c")
        .arg(conf)
        .arg("-p")
        .arg(dir.join("ntpd.pid"))
        .current_dir(dir)
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2);
    spawn_lasting(command).unwrap_or_else(|e| panic!("cannot start {ntpd}: {e}"))
}

/// Spawns `command` with SIGKILL as its parent-death signal, from a thread
/// that lives until the process exits: the signal follows the death of the
/// spawning *thread*, and a test's own thread ends with the test.
fn spawn_lasting(mut command: Command) -> io::Result<Child> {
    type Request = (Command, mpsc::Sender<io::Result<Child>>);
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<Request>>> = OnceLock::new();
    // SAFETY: prctl is async-signal-safe and touches no memory of ours.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Request>();
        std::thread::Builder::new()
            .name("real-ntpd-spawner".into())
            .spawn(move || {
                for (mut command, reply) in rx {
                    let _ = reply.send(command.spawn());
                }
            })
            .expect("spawner thread");
        Mutex::new(tx)
    });
    let (reply, answer) = mpsc::channel();
    spawner
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send((command, reply))
        .map_err(|_| io::Error::other("spawner thread is gone"))?;
    answer
        .recv()
        .map_err(|_| io::Error::other("spawner thread is gone"))?
}

/// SIGTERM (ntpd exits cleanly), then SIGKILL after a grace period; reaps.
fn terminate(child: &mut Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill has no memory effects; the pid is our unreaped child.
        unsafe { libc::kill(pid, libc::SIGTERM) };
    }
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Sends one Mode 6 READSTAT request to 127.0.0.1:123 and reports whether
/// a Mode 6 response came back within `timeout`.
pub fn mode6_probe(timeout: Duration) -> bool {
    let Ok(sock) = UdpSocket::bind("127.0.0.1:0") else {
        return false;
    };
    if sock.connect("127.0.0.1:123").is_err() || sock.set_read_timeout(Some(timeout)).is_err() {
        return false;
    }
    let req = ntp_control::header::encode_request(ntp_control::Opcode::ReadStat, 0x4242, 0, b"");
    if sock.send(&req).is_err() {
        return false;
    }
    let mut buf = [0u8; 600];
    match sock.recv(&mut buf) {
        Ok(n) => {
            n >= 12
                && buf[0] & 0x07 == 6
                && buf[1] & 0x80 != 0
                && buf[1] & 0x1f == 1
                && buf[2..4] == [0x42, 0x42]
        }
        Err(_) => false,
    }
}

/// True when 127.0.0.1:123 can be bound (nobody listens there). A
/// permission error counts as free: ntpd itself will then fail and the log
/// says why.
fn port_free() -> bool {
    match UdpSocket::bind("127.0.0.1:123") {
        Ok(_) => true,
        Err(e) => e.kind() != ErrorKind::AddrInUse,
    }
}

fn wait_for_free_port(deadline: Instant) {
    let mut said = false;
    while !port_free() {
        if Instant::now() >= deadline {
            panic!(
                "real ntpd fixture: 127.0.0.1:123 is in use ({}); a system ntpd/chronyd or another \
                 test run is listening there. Stop it (e.g. `systemctl stop ntpsec`) and rerun.",
                port_owner()
            );
        }
        if !said {
            eprintln!(
                "real ntpd fixture: 127.0.0.1:123 is busy ({}); waiting up to {PORT_WAIT:?}",
                port_owner()
            );
            said = true;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// A best-effort description of who owns UDP port 123 (via `ss`).
fn port_owner() -> String {
    let out = Command::new("ss")
        .args(["-Hulnp", "sport = :123"])
        .stderr(Stdio::null())
        .output();
    match out {
        Ok(o) if o.status.success() && !o.stdout.is_empty() => String::from_utf8_lossy(&o.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        _ => "owner unknown".to_string(),
    }
}
