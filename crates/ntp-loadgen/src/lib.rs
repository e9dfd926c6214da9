//! `ntp-loadgen`: fills a local ntpd's MRU list with many distinct clients.
//!
//! Client number `i` has the address `first + i` (default first
//! 127.1.0.0, so 127.1.0.0, 127.1.0.1, … 127.1.255.255, 127.2.0.0, …).
//! Every packet is an NTPv4 mode 3 request sent from one wildcard-bound UDP
//! socket; the source address is chosen per packet with `IP_PKTINFO` (see
//! [`net`]). ntpd's replies come back to the same socket, which gives flow
//! control (at most `window` requests unanswered, so ntpd's receive buffer
//! never overflows), and a per-client record of which requests were
//! answered (unanswered ones are retransmitted in `fill`).
//!
//! Only loopback is ever used: the target must be in 127.0.0.0/8 and every
//! source address is in 127/8.

pub mod mode6;
pub mod net;
pub mod report;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use net::{Loader, Reply, BATCH};
use ntp_control::time::{format_stamp, stamp_from_system};
use report::{iso_utc, unix_secs, Json};

/// Default first client address.
pub const DEFAULT_FIRST: Ipv4Addr = Ipv4Addr::new(127, 1, 0, 0);
/// The highest usable client address (127.255.255.255 is lo's broadcast).
pub const LAST_USABLE: Ipv4Addr = Ipv4Addr::new(127, 255, 255, 254);

/// Parses a target `ADDR[:PORT]` (IP literal, port default 123) and
/// refuses anything that is not IPv4 loopback.
pub fn parse_target(s: &str) -> Result<SocketAddrV4, String> {
    let addr: SocketAddr = match s.parse::<SocketAddr>() {
        Ok(a) => a,
        Err(_) => match s.trim_matches(|c| c == '[' || c == ']').parse::<IpAddr>() {
            Ok(ip) => SocketAddr::new(ip, 123),
            Err(_) => {
                return Err(format!(
                    "bad target {s:?}: expected an IP address, optionally with :PORT"
                ))
            }
        },
    };
    match addr {
        SocketAddr::V4(a) if a.ip().is_loopback() => Ok(a),
        SocketAddr::V6(a) if a.ip().is_loopback() => Err(format!(
            "target {s}: IPv6 (::1) is not supported; clients are IPv4 127/8 addresses, use 127.0.0.1"
        )),
        _ => Err(format!("target {s} refused: only loopback targets (127.0.0.0/8) are allowed")),
    }
}

/// Checks that `count` client addresses from `first` stay inside 127/8
/// (below the broadcast 127.255.255.255) and do not include the target.
pub fn check_range(first: Ipv4Addr, count: u64, target: SocketAddrV4) -> Result<(), String> {
    if !first.is_loopback() {
        return Err(format!(
            "first client address {first} is not in 127.0.0.0/8"
        ));
    }
    if count == 0 {
        return Ok(());
    }
    let lo = u64::from(u32::from(first));
    let hi = lo + count - 1;
    if hi > u64::from(u32::from(LAST_USABLE)) {
        let room = u64::from(u32::from(LAST_USABLE)) + 1 - lo;
        return Err(format!(
            "{count} clients from {first} would leave 127/8 (at most {room} fit below 127.255.255.255)"
        ));
    }
    let t = u64::from(u32::from(*target.ip()));
    if (lo..=hi).contains(&t) {
        return Err(format!(
            "client range {first}..{} includes the target {}",
            addr_of(first, count - 1),
            target.ip()
        ));
    }
    Ok(())
}

/// Client number `i`'s address.
pub fn addr_of(first: Ipv4Addr, i: u64) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(first).wrapping_add(i as u32))
}

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
    loader: Loader,
    opts: Options,
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

    fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Summary fields common to both modes.
    fn common_json(&self, elapsed: f64) -> Vec<(String, Json)> {
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

    fn common_text(&self, elapsed: f64) -> String {
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

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// ntpd's MRU counters before and after (when `--verify`).
#[derive(Clone, Debug, Default)]
pub struct MruCheck {
    pub before: Option<Vec<(String, String)>>,
    pub after: Option<Vec<(String, String)>>,
    pub error: Option<String>,
}

impl MruCheck {
    /// Reads the counters; a failure is recorded, not fatal.
    pub fn read(&mut self, target: SocketAddrV4, after: bool) {
        match mode6::read_vars(target, mode6::MRU_VARS, Duration::from_secs(3)) {
            Ok(v) if after => self.after = Some(v),
            Ok(v) => self.before = Some(v),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn delta(&self, name: &str) -> Option<i64> {
        let b = mode6::get_u64(self.before.as_ref()?, name)?;
        let a = mode6::get_u64(self.after.as_ref()?, name)?;
        Some(a as i64 - b as i64)
    }

    /// `mru_depth` after the run.
    pub fn depth_after(&self) -> Option<u64> {
        mode6::get_u64(self.after.as_ref()?, "mru_depth")
    }

    fn json(&self) -> Json {
        let obj = |v: &Option<Vec<(String, String)>>| match v {
            None => Json::Null,
            Some(v) => Json::Obj(
                v.iter()
                    .map(|(k, val)| {
                        let n = mode6::get_u64(v, k);
                        (
                            k.clone(),
                            n.map(|n| Json::Int(n as i64))
                                .unwrap_or(Json::Str(val.clone())),
                        )
                    })
                    .collect(),
            ),
        };
        let mut items = vec![
            ("before".into(), obj(&self.before)),
            ("after".into(), obj(&self.after)),
        ];
        if let Some(e) = &self.error {
            items.push(("error".into(), Json::Str(e.clone())));
        }
        Json::Obj(items)
    }

    fn text(&self) -> String {
        if let Some(e) = &self.error {
            return format!("ntpd MRU counters unavailable: {e}");
        }
        let mut s = String::from("ntpd MRU:");
        for name in [
            "mru_depth",
            "mru_new",
            "mru_exists",
            "mru_recycleold",
            "mru_recyclefull",
            "mru_none",
        ] {
            if let Some(a) = self.after.as_ref().and_then(|v| mode6::get_u64(v, name)) {
                s.push_str(&format!(" {name} {a}"));
                if let Some(d) = self.delta(name) {
                    s.push_str(&format!(" ({d:+})"));
                }
                s.push(',');
            }
        }
        if let Some(m) = self
            .after
            .as_ref()
            .and_then(|v| mode6::get_u64(v, "mru_maxdepth"))
        {
            s.push_str(&format!(" mru_maxdepth {m}"));
        }
        s.trim_end_matches(',').to_string()
    }

    /// Warnings about a list that could not hold every client.
    fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        for (name, why) in [
            (
                "mru_none",
                "list full and the oldest entry younger than `mru minage`: clients NOT added",
            ),
            (
                "mru_recyclefull",
                "list full (mru maxdepth/maxmem): oldest entries recycled",
            ),
            ("mru_recycleold", "entries older than `mru maxage` recycled"),
        ] {
            if let Some(d) = self.delta(name).filter(|&d| d > 0) {
                w.push(format!("ntpd {name} rose by {d}: {why}"));
            }
        }
        w
    }
}

/// Result of a run, printable as text or one JSON line.
pub struct Summary {
    pub mode: &'static str,
    pub fields: Vec<(String, Json)>,
    pub text: String,
    pub warnings: Vec<String>,
}

impl Summary {
    pub fn json(&self) -> String {
        let mut f = vec![("mode".to_string(), Json::Str(self.mode.into()))];
        f.extend(self.fields.iter().cloned());
        f.push((
            "warnings".into(),
            Json::Obj(
                self.warnings
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (i.to_string(), Json::Str(w.clone())))
                    .collect(),
            ),
        ));
        Json::Obj(f).render()
    }
}

/// `fill`: each of `count` clients sends one request; unanswered ones are
/// retransmitted up to `retries` times.
pub fn fill(opts: Options, count: u64, retries: u32, verify: bool) -> io::Result<Summary> {
    check_range(opts.first, count, opts.target).map_err(io::Error::other)?;
    let mut check = MruCheck::default();
    if verify {
        check.read(opts.target, false);
    }
    let first = opts.first;
    let mut e = Engine::new(opts, count)?;
    let chunk = 1 << 16;
    let mut i = 0;
    let mut idx = Vec::with_capacity(chunk as usize);
    while i < count {
        let end = (i + chunk).min(count);
        idx.clear();
        idx.extend(i..end);
        e.send(&idx)?;
        i = end;
    }
    e.linger()?;
    for _ in 0..retries {
        if e.replies == 0 {
            break;
        }
        let missing = e.unanswered(0..count);
        if missing.is_empty() {
            break;
        }
        e.retransmits += missing.len() as u64;
        e.send(&missing)?;
        e.linger()?;
    }
    let elapsed = e.elapsed();
    if verify {
        check.read(e.opts.target, true);
    }
    e.write_truth()?;
    let answered = e.answered_count(0..count);
    let last = (count > 0).then(|| addr_of(first, count - 1));
    let mut warnings = std::mem::take(&mut e.warnings);
    if e.replies > 0 && answered < count {
        warnings.push(format!(
            "{} of {count} clients never got a reply",
            count - answered
        ));
    }
    warnings.extend(check.warnings());
    if let Some(depth) = check.depth_after().filter(|&d| d < count) {
        warnings.push(format!(
            "ntpd mru_depth is {depth}, below the {count} clients sent"
        ));
    }
    let mut fields = vec![
        ("clients".into(), Json::Int(count as i64)),
        ("first_addr".into(), Json::Str(first.to_string())),
        (
            "last_addr".into(),
            last.map(|a| Json::Str(a.to_string())).unwrap_or(Json::Null),
        ),
        ("answered_clients".into(), Json::Int(answered as i64)),
    ];
    fields.extend(e.common_json(elapsed));
    if verify {
        fields.push(("mru".into(), check.json()));
    }
    let mut text = format!(
        "fill: {count} clients {first} .. {} -> {}; {answered} answered\n{}",
        last.map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
        e.opts.target,
        e.common_text(elapsed)
    );
    if verify {
        text.push('\n');
        text.push_str(&check.text());
    }
    Ok(Summary {
        mode: "fill",
        fields,
        text,
        warnings,
    })
}

/// `churn` parameters.
#[derive(Clone, Debug)]
pub struct Churn {
    /// Brand-new client addresses per second.
    pub new_per_sec: f64,
    /// Re-touches of existing clients per second.
    pub touch_per_sec: f64,
    pub duration: Duration,
    /// Clients `first .. first+existing-1` already exist (e.g. from an
    /// earlier `fill`): touches may pick them, new clients start after them.
    pub existing: u64,
    pub seed: u64,
}

/// xorshift64*: fast, good enough to pick clients to touch.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
}

/// `churn`: for `duration`, `new_per_sec` brand-new clients and
/// `touch_per_sec` repeat requests from random known clients per second.
pub fn churn(opts: Options, c: &Churn, verify: bool) -> io::Result<Summary> {
    let secs = c.duration.as_secs_f64();
    let total_new = (c.new_per_sec * secs).floor() as u64;
    let total_touch = (c.touch_per_sec * secs).floor() as u64;
    if total_touch > 0 && c.existing == 0 && total_new == 0 {
        return Err(io::Error::other(
            "nothing to touch: no new clients and --existing 0",
        ));
    }
    let capacity = c.existing + total_new;
    check_range(opts.first, capacity, opts.target).map_err(io::Error::other)?;
    let mut check = MruCheck::default();
    if verify {
        check.read(opts.target, false);
    }
    let first = opts.first;
    let mut e = Engine::new(opts, capacity)?;
    let mut rng = Rng(c.seed | 1);
    let (mut created, mut touched) = (0u64, 0u64);
    let mut batch = Vec::with_capacity(BATCH);
    let start = Instant::now();
    // Time between sends when nothing is due: half the smaller interval.
    let rate = (c.new_per_sec + c.touch_per_sec).max(1.0);
    let nap = Duration::from_secs_f64((0.5 / rate).clamp(0.0002, 0.01));
    // Sending stops at the deadline even when behind schedule (a short
    // grace lets the final due packets go out at low rates).
    let hard_stop = secs + 0.05;
    let mut behind = false;
    loop {
        let now = start.elapsed().as_secs_f64();
        if now >= hard_stop {
            behind = true;
            break;
        }
        let t = now.min(secs);
        let due_new = ((c.new_per_sec * t) as u64).min(total_new);
        let due_touch = ((c.touch_per_sec * t) as u64).min(total_touch);
        if created == due_new && touched == due_touch {
            if t >= secs {
                break;
            }
            e.drain()?;
            e.loader.wait(nap, false);
            continue;
        }
        batch.clear();
        // Interleave: new clients and touches in proportion to what is due.
        while batch.len() < BATCH && (created < due_new || touched < due_touch) {
            let pool = c.existing + created;
            let touch_next = touched < due_touch
                && pool > 0
                && (created >= due_new || touched * (due_new.max(1)) <= created * due_touch.max(1));
            if touch_next {
                batch.push(rng.below(pool));
                touched += 1;
            } else if created < due_new {
                batch.push(c.existing + created);
                created += 1;
            } else {
                // Touches due but nobody to touch yet.
                break;
            }
        }
        if batch.is_empty() {
            e.loader.wait(nap, false);
            continue;
        }
        e.send(&batch)?;
    }
    let send_elapsed = start.elapsed().as_secs_f64();
    e.linger()?;
    let elapsed = e.elapsed();
    if verify {
        check.read(e.opts.target, true);
    }
    e.write_truth()?;
    let new_first = addr_of(first, c.existing);
    let new_last = (created > 0).then(|| addr_of(first, c.existing + created - 1));
    let mut warnings = std::mem::take(&mut e.warnings);
    if behind {
        warnings.push(format!(
            "could not keep up: sent {created} of {total_new} new clients and {touched} of {total_touch} touches by the deadline"
        ));
    } else if touched < total_touch {
        warnings.push(format!(
            "only {touched} of {total_touch} touches sent (nothing to touch)"
        ));
    }
    warnings.extend(check.warnings());
    let mut fields = vec![
        ("new_clients".into(), Json::Int(created as i64)),
        ("touches".into(), Json::Int(touched as i64)),
        ("existing".into(), Json::Int(c.existing as i64)),
        (
            "distinct_clients".into(),
            Json::Int((c.existing + created) as i64),
        ),
        ("first_addr".into(), Json::Str(first.to_string())),
        (
            "new_first_addr".into(),
            new_last
                .map(|_| Json::Str(new_first.to_string()))
                .unwrap_or(Json::Null),
        ),
        (
            "new_last_addr".into(),
            new_last
                .map(|a| Json::Str(a.to_string()))
                .unwrap_or(Json::Null),
        ),
        (
            "new_per_sec_achieved".into(),
            Json::Num(round1(created as f64 / send_elapsed.max(1e-9))),
        ),
        (
            "touch_per_sec_achieved".into(),
            Json::Num(round1(touched as f64 / send_elapsed.max(1e-9))),
        ),
        ("duration_s".into(), Json::Num(round6(send_elapsed))),
        ("seed".into(), Json::Int(c.seed as i64)),
    ];
    fields.extend(e.common_json(elapsed));
    if verify {
        fields.push(("mru".into(), check.json()));
    }
    let mut text = format!(
        "churn: {created} new clients {} .. {} and {touched} touches in {send_elapsed:.3} s ({} pre-existing from {first}) -> {}\n{}",
        if created > 0 { new_first.to_string() } else { "-".into() },
        new_last.map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
        c.existing,
        e.opts.target,
        e.common_text(elapsed)
    );
    if verify {
        text.push('\n');
        text.push_str(&check.text());
    }
    Ok(Summary {
        mode: "churn",
        fields,
        text,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            parse_target("127.0.0.1").unwrap(),
            "127.0.0.1:123".parse().unwrap()
        );
        assert_eq!(
            parse_target("127.3.4.5:1234").unwrap(),
            "127.3.4.5:1234".parse().unwrap()
        );
        assert!(parse_target("::1").unwrap_err().contains("IPv6"));
        assert!(parse_target("[::1]:123").unwrap_err().contains("IPv6"));
        assert!(parse_target("192.0.2.1").unwrap_err().contains("refused"));
        assert!(parse_target("10.0.0.1:123")
            .unwrap_err()
            .contains("refused"));
        assert!(parse_target("localhost").is_err());
    }

    #[test]
    fn ranges() {
        let t = parse_target("127.0.0.1").unwrap();
        assert_eq!(addr_of(DEFAULT_FIRST, 0), Ipv4Addr::new(127, 1, 0, 0));
        assert_eq!(
            addr_of(DEFAULT_FIRST, 65_536 + 257),
            Ipv4Addr::new(127, 2, 1, 1)
        );
        assert!(check_range(DEFAULT_FIRST, 1_000_000, t).is_ok());
        let room = u32::from(LAST_USABLE) - u32::from(DEFAULT_FIRST) + 1;
        assert!(check_range(DEFAULT_FIRST, room as u64, t).is_ok());
        assert!(check_range(DEFAULT_FIRST, room as u64 + 1, t).is_err());
        assert!(check_range(Ipv4Addr::new(10, 0, 0, 0), 1, t).is_err());
        assert!(check_range(Ipv4Addr::new(127, 0, 0, 0), 2, t)
            .unwrap_err()
            .contains("includes the target"));
    }

    #[test]
    fn packet() {
        let p = net::client_packet(0x0102_0304_0506_0708);
        assert_eq!(p[0], 0x23);
        assert_eq!(&p[40..], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert!(p[4..40].iter().all(|&b| b == 0));
    }

    #[test]
    fn rng_bounds() {
        let mut r = Rng(42);
        assert!((0..10_000).all(|_| r.below(7) < 7));
    }
}
