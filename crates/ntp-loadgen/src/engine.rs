//! The sending engine shared by both modes: options, flow control (a window
//! of unanswered requests and an optional rate), per-client ground truth and
//! the counters every summary reports.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use crate::net::{Loader, Reply, BATCH};
use crate::report::{iso_utc, unix_secs, Json};
use crate::*;
use ntp_control::time::{format_stamp, stamp_from_system};

/// Settings shared by both modes.
#[derive(Clone, Debug)]
pub struct Options {
    pub target: SocketAddrV4,
    pub first: Ipv4Addr,
    /// Source port (0: ephemeral).
    pub port: u16,
    /// Packets per second limit (None: as fast as the window allows).
    pub rate: Option<f64>,
    /// Most requests in flight (0: no flow control).
    pub window: usize,
    /// With a full window, how long without any reply before the
    /// outstanding requests are written off as lost.
    pub stall: Duration,
    /// How long to wait for the last replies at the end.
    pub linger: Duration,
    /// Write per-client ground truth here.
    pub truth_file: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            target: SocketAddrV4::new(Ipv4Addr::LOCALHOST, 123),
            first: DEFAULT_FIRST,
            port: 0,
            rate: None,
            window: 64,
            stall: Duration::from_millis(200),
            linger: Duration::from_millis(500),
            truth_file: None,
        }
    }
}

/// What one client was sent (ground truth).
#[derive(Clone, Copy, Debug, Default)]
struct Truth {
    count: u32,
    first: u64,
    last: u64,
}

/// Counters and ground truth of a run.
pub struct Engine {
    pub(crate) loader: Loader,
    pub(crate) opts: Options,
    base: u32,
    /// Client indices below this are tracked (bitmap, truth).
    capacity: u64,
    start: Instant,
    pub sent: u64,
    pub replies: u64,
    pub kod: u64,
    pub foreign_replies: u64,
    pub retransmits: u64,
    /// Requests written off after a stall (their replies never came).
    pub written_off: u64,
    pub stalls: u64,
    answered: Vec<u64>,
    truth: Option<Vec<Truth>>,
    first_send: Option<SystemTime>,
    last_send: Option<SystemTime>,
    /// Rate limiter origin (reset after pauses).
    window_enabled: bool,
    pub warnings: Vec<String>,
}

impl Engine {
    /// Opens the socket; `capacity` = how many client indices can occur.
    pub fn new(opts: Options, capacity: u64) -> io::Result<Engine> {
        let loader = Loader::new(opts.target, opts.port)?;
        let words = capacity.div_ceil(64) as usize;
        Ok(Engine {
            loader,
            base: u32::from(opts.first),
            capacity,
            start: Instant::now(),
            sent: 0,
            replies: 0,
            kod: 0,
            foreign_replies: 0,
            retransmits: 0,
            written_off: 0,
            stalls: 0,
            answered: vec![0; words],
            truth: opts
                .truth_file
                .as_ref()
                .map(|_| vec![Truth::default(); capacity as usize]),
            first_send: None,
            last_send: None,
            window_enabled: opts.window > 0,
            warnings: Vec::new(),
            opts,
        })
    }

    /// The source port in use.
    pub fn port(&self) -> u16 {
        self.loader.port()
    }

    fn in_flight(&self) -> u64 {
        self.sent.saturating_sub(self.replies + self.written_off)
    }

    fn is_answered(&self, i: u64) -> bool {
        self.answered[(i / 64) as usize] >> (i % 64) & 1 == 1
    }

    /// Reads all queued replies.
    pub fn drain(&mut self) -> io::Result<()> {
        let base = self.base;
        let cap = self.capacity;
        let answered = &mut self.answered;
        let (mut replies, mut kod, mut foreign) = (0, 0, 0);
        self.loader.drain(|r: Reply| {
            let i = u32::from(r.client).wrapping_sub(base) as u64;
            if i < cap {
                replies += 1;
                answered[(i / 64) as usize] |= 1 << (i % 64);
                if r.kiss.is_some() {
                    kod += 1;
                }
            } else {
                foreign += 1;
            }
        })?;
        self.replies += replies;
        self.kod += kod;
        self.foreign_replies += foreign;
        Ok(())
    }

    /// Waits for room in the window; writes off the outstanding requests
    /// after a stall. Returns how many packets may be sent now.
    fn window_room(&mut self, want: usize) -> io::Result<usize> {
        if !self.window_enabled {
            return Ok(want);
        }
        let window = self.opts.window as u64;
        loop {
            self.drain()?;
            let inflight = self.in_flight();
            if inflight < window {
                return Ok(want.min((window - inflight) as usize));
            }
            let before = self.replies;
            let until = Instant::now() + self.opts.stall;
            while self.replies == before && Instant::now() < until {
                self.loader
                    .wait(until.saturating_duration_since(Instant::now()), false);
                self.drain()?;
            }
            if self.replies == before {
                self.stalls += 1;
                self.written_off += self.in_flight();
                if self.replies == 0 && self.stalls >= 3 {
                    self.window_enabled = false;
                    self.warnings.push(format!(
                        "no replies from {} after {} requests: flow control off, sending open loop{}",
                        self.opts.target,
                        self.sent,
                        if self.opts.rate.is_some() { "" } else { " (consider --rate)" }
                    ));
                    return Ok(want);
                }
            }
        }
    }

    /// Waits until the rate limit allows `want` more packets; returns how
    /// many may go now (at least 1).
    fn rate_room(&mut self, want: usize) -> usize {
        let Some(rate) = self.opts.rate else {
            return want;
        };
        loop {
            let allowed = (self.start.elapsed().as_secs_f64() * rate) as u64 + 1;
            if allowed > self.sent {
                return want.min((allowed - self.sent) as usize);
            }
            let behind = (self.sent + 1 - allowed) as f64 / rate;
            std::thread::sleep(Duration::from_secs_f64(behind.min(0.002)));
        }
    }

    /// Sends one request from each client index in `idx` (in order),
    /// honouring the window and the rate limit.
    pub fn send(&mut self, idx: &[u64]) -> io::Result<()> {
        let mut pos = 0;
        let mut pkts = [(Ipv4Addr::UNSPECIFIED, 0u64); BATCH];
        while pos < idx.len() {
            let want = (idx.len() - pos).min(BATCH);
            let want = self.window_room(want)?;
            let want = self.rate_room(want);
            let now = SystemTime::now();
            let xmt = stamp_from_system(now);
            for (k, &i) in idx[pos..pos + want].iter().enumerate() {
                pkts[k] = (addr_of(self.opts.first, i), xmt);
            }
            let n = self.loader.send(&pkts[..want])?;
            if n == 0 {
                self.loader.wait(Duration::from_millis(1), true);
                continue;
            }
            self.first_send.get_or_insert(now);
            self.last_send = Some(now);
            if let Some(truth) = self.truth.as_mut() {
                for &i in &idx[pos..pos + n] {
                    let t = &mut truth[i as usize];
                    if t.count == 0 {
                        t.first = xmt;
                    }
                    t.count += 1;
                    t.last = xmt;
                }
            }
            self.sent += n as u64;
            pos += n;
        }
        Ok(())
    }

    /// Waits (at most `linger` without progress) for outstanding replies.
    pub fn linger(&mut self) -> io::Result<()> {
        let mut last_progress = Instant::now();
        let mut seen = self.replies;
        loop {
            self.drain()?;
            if self.replies + self.written_off >= self.sent {
                return Ok(());
            }
            if self.replies != seen {
                seen = self.replies;
                last_progress = Instant::now();
            }
            let idle = last_progress.elapsed();
            if idle >= self.opts.linger {
                return Ok(());
            }
            self.loader.wait(self.opts.linger - idle, false);
        }
    }

    /// Client indices in `range` whose requests got no reply.
    pub fn unanswered(&self, range: std::ops::Range<u64>) -> Vec<u64> {
        range.filter(|&i| !self.is_answered(i)).collect()
    }

    /// Number of distinct clients in `range` that were answered.
    pub fn answered_count(&self, range: std::ops::Range<u64>) -> u64 {
        range.filter(|&i| self.is_answered(i)).count() as u64
    }

    /// Writes `addr count first last` lines (NTP hex times), oldest last
    /// send first (the order ntpd's MRU list walks), for clients sent to.
    pub fn write_truth(&self) -> io::Result<()> {
        let (Some(path), Some(truth)) = (&self.opts.truth_file, &self.truth) else {
            return Ok(());
        };
        let mut order: Vec<u32> = (0..truth.len() as u32)
            .filter(|&i| truth[i as usize].count > 0)
            .collect();
        order.sort_by_key(|&i| (truth[i as usize].last, i));
        let mut w = BufWriter::new(File::create(path)?);
        writeln!(w, "# addr count first_send last_send answered")?;
        for i in order {
            let t = truth[i as usize];
            writeln!(
                w,
                "{} {} {} {} {}",
                addr_of(self.opts.first, i as u64),
                t.count,
                format_stamp(t.first),
                format_stamp(t.last),
                u8::from(self.is_answered(i as u64))
            )?;
        }
        w.flush()
    }

    pub(crate) fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Summary fields common to both modes.
    pub(crate) fn common_json(&self, elapsed: f64) -> Vec<(String, Json)> {
        let t = |t: Option<SystemTime>, f: fn(SystemTime) -> Json| t.map(f).unwrap_or(Json::Null);
        vec![
            ("target".into(), Json::Str(self.opts.target.to_string())),
            ("source_port".into(), Json::Int(self.port() as i64)),
            ("packets_sent".into(), Json::Int(self.sent as i64)),
            ("replies".into(), Json::Int(self.replies as i64)),
            ("kod".into(), Json::Int(self.kod as i64)),
            ("retransmits".into(), Json::Int(self.retransmits as i64)),
            ("stalls".into(), Json::Int(self.stalls as i64)),
            ("elapsed_s".into(), Json::Num(round6(elapsed))),
            (
                "pps".into(),
                Json::Num(round1(self.sent as f64 / elapsed.max(1e-9))),
            ),
            (
                "first_send_unix".into(),
                t(self.first_send, |t| Json::Num(round6(unix_secs(t)))),
            ),
            (
                "last_send_unix".into(),
                t(self.last_send, |t| Json::Num(round6(unix_secs(t)))),
            ),
            (
                "first_send".into(),
                t(self.first_send, |t| Json::Str(iso_utc(t))),
            ),
            (
                "last_send".into(),
                t(self.last_send, |t| Json::Str(iso_utc(t))),
            ),
            (
                "first_send_ntp".into(),
                t(self.first_send, |t| {
                    Json::Str(format_stamp(stamp_from_system(t)))
                }),
            ),
            (
                "last_send_ntp".into(),
                t(self.last_send, |t| {
                    Json::Str(format_stamp(stamp_from_system(t)))
                }),
            ),
        ]
    }

    pub(crate) fn common_text(&self, elapsed: f64) -> String {
        let mut s = format!(
            "sent {} packets in {:.3} s ({:.0} packets/s) from port {}; {} replies ({} KoD), {} retransmitted",
            self.sent,
            elapsed,
            self.sent as f64 / elapsed.max(1e-9),
            self.port(),
            self.replies,
            self.kod,
            self.retransmits
        );
        if let (Some(f), Some(l)) = (self.first_send, self.last_send) {
            s.push_str(&format!(
                "\nfirst send {} ({}), last send {} ({})",
                iso_utc(f),
                format_stamp(stamp_from_system(f)),
                iso_utc(l),
                format_stamp(stamp_from_system(l))
            ));
        }
        s
    }
}

pub(crate) fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
