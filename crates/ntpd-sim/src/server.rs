//! The deterministic core: request datagram in, response datagrams out.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::time::SystemTime;

use ntp_control::header::{
    Header, Opcode, ServerErrorCode, CTL_MAX_DATA_LEN, HEADER_LEN, MODE_CONTROL,
};

use crate::mru::{parse_addr, Entry, MruList};
use crate::reply::{datagrams, ReplyBuilder};
use crate::scenario::{Malformed, Reorder, Scenario};
use crate::util::{
    expand_templates, scan_0x_u16, scan_f32, scan_i32, scan_nonce, scan_ntp_ts, scan_u16, scan_u32,
    NtpTs, Rng,
};

/// ntpd 1.2.2's system variable names (table order).
pub const SYS_NAMES: &[&str] = &[
    "leap",
    "stratum",
    "precision",
    "rootdelay",
    "rootdisp",
    "refid",
    "reftime",
    "tc",
    "peer",
    "offset",
    "frequency",
    "sys_jitter",
    "clk_jitter",
    "clock",
    "processor",
    "system",
    "version",
    "clk_wander",
    "sys_var_list",
    "tai",
    "leapsec",
    "expire",
    "mintc",
    "mru_enabled",
    "mru_depth",
    "mru_deepest",
    "mru_mindepth",
    "mru_maxage",
    "mru_minage",
    "mru_maxdepth",
    "mru_mem",
    "mru_maxmem",
    "ss_uptime",
    "ss_reset",
    "ss_received",
    "ss_thisver",
    "ss_oldver",
    "ss_badformat",
    "ss_badauth",
    "ss_declined",
    "ss_restricted",
    "ss_limited",
    "ss_kodsent",
    "ss_processed",
    "peeradr",
    "peermode",
    "authdelay",
    "authkeys",
    "authfreek",
    "authklookups",
    "authknotfound",
    "authencrypts",
    "authdigestencrypts",
    "authcmacencrypts",
    "authdecrypts",
    "authreset",
    "koffset",
    "kfreq",
    "kmaxerr",
    "kesterr",
    "kstflags",
    "ktimeconst",
    "kprecis",
    "kfreqtol",
    "kppsfreq",
    "kppsstab",
    "kppsjitter",
    "kppscalibdur",
    "kppscalibs",
    "kppscaliberrs",
    "kppsjitexc",
    "kppsstbexc",
    "iostats_reset",
    "total_rbuf",
    "free_rbuf",
    "used_rbuf",
    "rbuf_lowater",
    "io_dropped",
    "io_ignored",
    "io_received",
    "io_sent",
    "io_sendfailed",
    "io_wakeups",
    "io_goodwakeups",
    "timerstats_reset",
    "timer_overruns",
    "timer_xmts",
    "fuzz",
    "clk_wander_threshold",
    "mru_exists",
    "mru_new",
    "mru_recycleold",
    "mru_recyclefull",
    "mru_none",
    "mru_oldest_age",
    "tick",
    "ss_numctlreq",
    "rootdist",
    "authdigestdecrypts",
    "authdigestfails",
    "authcmacdecrypts",
    "authcmacfails",
    "lockclock",
    "mru_hashslots",
    "ss_reset_r",
    "ss_received_r",
    "ss_thisver_r",
    "ss_oldver_r",
    "ss_badformat_r",
    "ss_badauth_r",
    "ss_declined_r",
    "ss_restricted_r",
    "ss_limited_r",
    "ss_kodsent_r",
    "ss_processed_r",
    "ss_ver1",
    "ss_ver1_r",
    "ss_ver1client",
    "ss_ver1client_r",
    "ss_ver1zero",
    "ss_ver1zero_r",
    "ss_ver1symm",
    "ss_ver1symm_r",
    "nts_client_send",
    "nts_client_recv_good",
    "nts_client_recv_bad",
    "nts_server_send",
    "nts_server_recv_good",
    "nts_server_recv_bad",
    "nts_cookie_make",
    "nts_cookie_decode",
    "nts_cookie_decode_old",
    "nts_cookie_decode_old2",
    "nts_cookie_decode_older",
    "nts_cookie_decode_too_old",
    "nts_cookie_decode_error",
    "nts_ke_serves_good",
    "nts_ke_serves_bad",
    "nts_ke_probes_good",
    "nts_ke_probes_bad",
];

/// ntpd 1.2.2's peer variable names (table order).
pub const PEER_NAMES: &[&str] = &[
    "config",
    "authenable",
    "authentic",
    "srcadr",
    "srcport",
    "dstadr",
    "dstport",
    "leap",
    "hmode",
    "stratum",
    "ppoll",
    "hpoll",
    "precision",
    "rootdelay",
    "rootdisp",
    "refid",
    "reftime",
    "org",
    "rec",
    "xmt",
    "reach",
    "unreach",
    "timer",
    "delay",
    "offset",
    "jitter",
    "dispersion",
    "keyid",
    "filtdelay",
    "filtoffset",
    "pmode",
    "received",
    "sent",
    "filtdisp",
    "flash",
    "mode",
    "peer_var_list",
    "headway",
    "bias",
    "srchost",
    "timerec",
    "timereach",
    "badauth",
    "bogusorg",
    "oldpkt",
    "seldisp",
    "selbroken",
    "candidate",
    "ntscookies",
];

/// ntpd 1.2.2's clock variable names (table order).
pub const CLOCK_NAMES: &[&str] = &[
    "name",
    "timecode",
    "poll",
    "noreply",
    "badformat",
    "baddata",
    "fudgetime1",
    "fudgetime2",
    "stratum",
    "refid",
    "flags",
    "device",
    "clock_var_list",
];

/// Nonces are valid this many seconds (ntpd's NONCE_TIMEOUT).
pub const NONCE_TIMEOUT: u32 = 16;
const MRU_ROW_LIMIT: u32 = 256;
const MRU_FRAGS_LIMIT: u16 = 128;
/// ntpd refuses item values of this length or more (and stops parsing).
const MAX_VALUE_LEN: usize = 128;

/// A variable set: items in server order, the default subset, known names.
#[derive(Clone, Debug)]
struct VarTable {
    items: Vec<(String, String)>,
    default: Option<HashSet<String>>,
    known: HashSet<String>,
}

impl VarTable {
    fn new(
        items: &[String],
        default: Option<&Vec<String>>,
        silent: &[String],
        unknown: &[String],
        builtin: &[&str],
    ) -> VarTable {
        let items: Vec<(String, String)> = items
            .iter()
            .map(|it| {
                let name = it.split('=').next().unwrap_or("").to_string();
                (name, it.clone())
            })
            .collect();
        let mut known: HashSet<String> = builtin.iter().map(|s| s.to_string()).collect();
        known.extend(silent.iter().cloned());
        known.extend(items.iter().map(|(n, _)| n.clone()));
        for name in unknown {
            known.remove(name);
        }
        VarTable {
            items,
            default: default.map(|d| d.iter().cloned().collect()),
            known,
        }
    }

    /// Items to send for a request's data, or the error.
    fn select(&self, data: &[u8]) -> Result<Vec<&str>, ServerErrorCode> {
        let mut wants: HashSet<&[u8]> = HashSet::new();
        let mut any = false;
        for item in ItemScanner::new(data) {
            let (name, _value) = item;
            if !self
                .known
                .contains(std::str::from_utf8(name).unwrap_or("\u{0}"))
            {
                return Err(ServerErrorCode::UNKNOWNVAR);
            }
            wants.insert(name);
            any = true;
        }
        Ok(self
            .items
            .iter()
            .filter(|(n, _)| {
                if any {
                    wants.contains(n.as_bytes())
                } else {
                    self.default.as_ref().is_none_or(|d| d.contains(n))
                }
            })
            .map(|(_, it)| it.as_str())
            .collect())
    }
}

/// ntpd's `ctl_getitem` tokenizer: yields (name, value) until the data ends
/// or an over-long value makes ntpd give up on the packet.
struct ItemScanner<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> ItemScanner<'a> {
    fn new(data: &'a [u8]) -> Self {
        ItemScanner { data, pos: 0 }
    }
}

impl<'a> Iterator for ItemScanner<'a> {
    type Item = (&'a [u8], Option<&'a [u8]>);

    fn next(&mut self) -> Option<Self::Item> {
        let d = self.data;
        while self.pos < d.len() && (d[self.pos] == b',' || is_c_space(d[self.pos])) {
            self.pos += 1;
        }
        if self.pos >= d.len() {
            return None;
        }
        let start = self.pos;
        let mut eq = None;
        let mut end = start;
        while end < d.len() && d[end] != b',' {
            if d[end] == b'=' && eq.is_none() {
                eq = Some(end);
            }
            end += 1;
        }
        let (name, value) = match eq {
            Some(e) => {
                let mut v = &d[e + 1..end];
                while let [first, rest @ ..] = v {
                    if is_c_space(*first) {
                        v = rest;
                    } else {
                        break;
                    }
                }
                while let [rest @ .., last] = v {
                    if is_c_space(*last) {
                        v = rest;
                    } else {
                        break;
                    }
                }
                if v.len() >= MAX_VALUE_LEN {
                    self.pos = d.len();
                    return None;
                }
                (&d[start..e], Some(v))
            }
            None => (&d[start..end], None),
        };
        self.pos = (end + 1).min(d.len());
        Some((name, value))
    }
}

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

#[derive(Clone, Debug)]
struct PeerState {
    associd: u16,
    status: u16,
    vars: VarTable,
    clock: Option<(u16, VarTable)>,
}

/// What a request produced before fault injection.
enum Outcome {
    Ignore,
    Error(ServerErrorCode),
    Reply {
        status: u16,
        fragments: Vec<Vec<u8>>,
    },
}

/// The simulated server.
#[derive(Debug)]
pub struct ServerState {
    scenario: Scenario,
    start: SystemTime,
    leap: u8,
    sys_status: u16,
    sys: VarTable,
    peers: Vec<PeerState>,
    mru: MruList,
    local_addrs: HashSet<IpAddr>,
    recent_countdown: u64,
    nonce_secret: u64,
    rng: Rng,
    fault_rng: Rng,
    /// Replies sent to requests the faults apply to (for `silence_after`).
    faulted_replies: u32,
    auth: Option<crate::auth::SimAuth>,
    /// Key id of the request being processed when its MAC verified.
    req_keyid: Option<u32>,
}

impl ServerState {
    /// Loads the scenario; `start` anchors MRU times and `{ts:start…}`.
    pub fn new(scenario: Scenario, start: SystemTime) -> ServerState {
        let sysc = &scenario.system;
        let sys = VarTable::new(
            &sysc.variables,
            sysc.default.as_ref(),
            &sysc.silent,
            &sysc.unknown,
            SYS_NAMES,
        );
        let peers = scenario
            .peers
            .iter()
            .map(|p| PeerState {
                associd: p.associd,
                status: p.status,
                vars: VarTable::new(
                    &p.variables,
                    p.default.as_ref(),
                    &p.silent,
                    &p.unknown,
                    PEER_NAMES,
                ),
                clock: p.clock_variables.as_ref().map(|cv| {
                    (
                        p.clock_status,
                        VarTable::new(cv, p.clock_default.as_ref(), &[], &[], CLOCK_NAMES),
                    )
                }),
            })
            .collect();
        let mru = MruList::new(&scenario.mru, start);
        let mut local_addrs: HashSet<IpAddr> = scenario
            .mru
            .local_addresses
            .iter()
            .filter_map(|a| a.parse().ok())
            .collect();
        local_addrs.extend(
            scenario
                .mru
                .entries
                .iter()
                .filter_map(|e| e.laddr.as_deref()?.parse::<IpAddr>().ok()),
        );
        let leap = sysc.leap.unwrap_or((sysc.status >> 14) as u8) & 3;
        let seed = scenario.mru.seed;
        let fseed = scenario.faults.seed;
        ServerState {
            leap,
            sys_status: sysc.status,
            sys,
            peers,
            mru,
            local_addrs,
            recent_countdown: 0,
            nonce_secret: seed.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0x5eed,
            rng: Rng::new(seed ^ 0xabcdef),
            fault_rng: Rng::new(fseed),
            faulted_replies: 0,
            auth: scenario
                .auth
                .as_ref()
                .and_then(|a| crate::auth::SimAuth::new(a).ok()),
            req_keyid: None,
            start,
            scenario,
        }
    }

    /// The MRU list (tests inspect it).
    pub fn mru(&self) -> &MruList {
        &self.mru
    }

    pub fn mru_mut(&mut self) -> &mut MruList {
        &mut self.mru
    }

    /// Handles one request datagram from `from` at time `now`; returns the
    /// datagrams to send back (possibly none).
    pub fn handle(&mut self, now: SystemTime, from: SocketAddr, request: &[u8]) -> Vec<Vec<u8>> {
        self.mru.advance(now);
        let Some(req) = Header::decode(request) else {
            return Vec::new();
        };
        if req.mode != MODE_CONTROL
            || req.response
            || req.error
            || req.more
            || req.offset != 0
            || !(1..=4).contains(&req.version)
        {
            return Vec::new();
        }
        self.req_keyid = self.auth.as_ref().and_then(|a| a.verify(request));
        let outcome = self.process(now, from, &req, request);
        let faults_apply = {
            let ops = &self.scenario.faults.opcodes;
            ops.is_empty() || ops.contains(&req.opcode.code())
        };
        let mut out = match outcome {
            Outcome::Ignore => return Vec::new(),
            Outcome::Error(code) => vec![ntp_control::header::encode_error(&req, self.leap, code)],
            Outcome::Reply { status, fragments } => datagrams(&req, self.leap, status, fragments),
        };
        if let (Some(auth), Some(keyid)) = (&self.auth, self.req_keyid) {
            for pkt in &mut out {
                let error = pkt[1] & 0x40 != 0;
                auth.sign_reply(pkt, keyid, error);
            }
        }
        if faults_apply {
            out = self.apply_faults(out);
        }
        out
    }

    fn process(&mut self, now: SystemTime, from: SocketAddr, req: &Header, raw: &[u8]) -> Outcome {
        let count = req.count as usize;
        let have = raw.len() - HEADER_LEN;
        if have < count || raw.len() & 3 != 0 || count > CTL_MAX_DATA_LEN {
            return Outcome::Error(ServerErrorCode::BADFMT);
        }
        let data = &raw[HEADER_LEN..HEADER_LEN + count];
        let op = req.opcode.code();
        if let Some(rule) = self
            .scenario
            .faults
            .errors
            .iter()
            .find(|r| r.opcode == op && r.associd.is_none_or(|a| a == req.associd))
        {
            return Outcome::Error(ServerErrorCode(rule.code));
        }
        match req.opcode {
            Opcode::Unspec => self.unspec(req.associd),
            Opcode::ReadStat => self.read_status(now, req.associd),
            Opcode::ReadVar => self.read_variables(now, req.associd, data),
            Opcode::ReadClock => self.read_clock(now, req.associd, data),
            Opcode::WriteVar | Opcode::WriteClock | Opcode::Configure | Opcode::ReadOrdlistA => {
                self.authenticated(req.opcode, data)
            }
            Opcode::ReqNonce => {
                let mut b = ReplyBuilder::new();
                b.put_str(&format!("nonce={}", self.make_nonce(now, from)));
                Outcome::Reply {
                    status: 0,
                    fragments: b.finish(),
                }
            }
            Opcode::ReadMru => self.read_mru(now, from, data),
            Opcode::Other(_) => Outcome::Error(ServerErrorCode::BADOP),
        }
    }

    /// Opcodes that need the control key (protocol.md §9.1).
    fn authenticated(&mut self, opcode: Opcode, data: &[u8]) -> Outcome {
        let keyid = self.req_keyid;
        let status = self.sys_status;
        let Some(auth) = self.auth.as_mut().filter(|a| a.is_control_key(keyid)) else {
            return Outcome::Error(ServerErrorCode::PERMISSION);
        };
        match opcode {
            Opcode::Configure => Outcome::Reply {
                status,
                fragments: auth.configure(data),
            },
            Opcode::ReadOrdlistA => match auth.ordlist(data) {
                Some(fragments) => Outcome::Reply { status, fragments },
                None => Outcome::Error(ServerErrorCode::UNKNOWNVAR),
            },
            // 1.2.2: nothing is writable.
            Opcode::WriteVar => Outcome::Error(ServerErrorCode::UNSPEC),
            _ => Outcome::Error(ServerErrorCode::PERMISSION),
        }
    }

    fn peer(&self, associd: u16) -> Option<&PeerState> {
        self.peers.iter().find(|p| p.associd == associd)
    }

    fn text_reply(&self, now: SystemTime, status: u16, items: &[&str]) -> Outcome {
        let mut b = ReplyBuilder::new();
        for it in items {
            b.put_str(&expand_templates(it, now, self.start));
        }
        Outcome::Reply {
            status,
            fragments: b.finish(),
        }
    }

    fn unspec(&self, associd: u16) -> Outcome {
        let status = if associd != 0 {
            match self.peer(associd) {
                Some(p) => p.status,
                None => return Outcome::Error(ServerErrorCode::BADASSOC),
            }
        } else {
            self.sys_status
        };
        Outcome::Reply {
            status,
            fragments: vec![Vec::new()],
        }
    }

    fn read_status(&self, now: SystemTime, associd: u16) -> Outcome {
        if associd != 0 {
            // ntpd answers with the peer status and (by a table mix-up) a
            // variable dump; the default peer variables are close enough.
            let Some(p) = self.peer(associd) else {
                return Outcome::Error(ServerErrorCode::BADASSOC);
            };
            let items = p.vars.select(b"").unwrap_or_default();
            return self.text_reply(now, p.status, &items);
        }
        let mut b = ReplyBuilder::new();
        for p in &self.peers {
            let mut pair = [0u8; 4];
            pair[..2].copy_from_slice(&p.associd.to_be_bytes());
            pair[2..].copy_from_slice(&p.status.to_be_bytes());
            b.put_binary(&pair);
        }
        Outcome::Reply {
            status: self.sys_status,
            fragments: b.finish(),
        }
    }

    fn read_variables(&self, now: SystemTime, associd: u16, data: &[u8]) -> Outcome {
        let (status, table) = if associd == 0 {
            (self.sys_status, &self.sys)
        } else {
            match self.peer(associd) {
                Some(p) => (p.status, &p.vars),
                None => return Outcome::Error(ServerErrorCode::BADASSOC),
            }
        };
        match table.select(data) {
            Ok(items) => self.text_reply(now, status, &items),
            Err(e) => Outcome::Error(e),
        }
    }

    fn read_clock(&self, now: SystemTime, associd: u16, data: &[u8]) -> Outcome {
        let peer = if associd != 0 {
            self.peer(associd)
        } else {
            // The system peer if it is a clock, else the first clock.
            self.peers
                .iter()
                .find(|p| p.clock.is_some() && (p.status >> 8) & 7 == 6)
                .or_else(|| self.peers.iter().find(|p| p.clock.is_some()))
        };
        let Some((status, table)) = peer.and_then(|p| p.clock.as_ref()) else {
            return Outcome::Error(ServerErrorCode::BADASSOC);
        };
        match table.select(data) {
            Ok(items) => self.text_reply(now, *status, &items),
            Err(e) => Outcome::Error(e),
        }
    }

    fn nonce_hash(&self, secs: u32, frac: u32, from: SocketAddr) -> u32 {
        // FNV-1a over secret, timestamp, address and port.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |bytes: &[u8]| {
            for &b in bytes {
                h ^= b as u64;
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        };
        feed(&self.nonce_secret.to_be_bytes());
        feed(&secs.to_be_bytes());
        feed(&frac.to_be_bytes());
        match from.ip() {
            IpAddr::V4(a) => feed(&a.octets()),
            IpAddr::V6(a) => feed(&a.octets()),
        }
        feed(&from.port().to_be_bytes());
        (h ^ (h >> 32)) as u32
    }

    /// A nonce for `from` issued at `now` (24 lowercase hex digits).
    pub fn make_nonce(&self, now: SystemTime, from: SocketAddr) -> String {
        let ts = NtpTs::from_system(now);
        format!(
            "{:08x}{:08x}{:08x}",
            ts.secs,
            ts.frac,
            self.nonce_hash(ts.secs, ts.frac, from)
        )
    }

    fn nonce_valid(&self, nonce: &str, now: SystemTime, from: SocketAddr) -> bool {
        let Some((secs, frac, hash)) = scan_nonce(nonce) else {
            return false;
        };
        if hash != self.nonce_hash(secs, frac, from) {
            return false;
        }
        let n = NtpTs::from_system(now);
        let now64 = (n.secs as u64) << 32 | n.frac as u64;
        let ts64 = (secs as u64) << 32 | frac as u64;
        let delta = now64.wrapping_sub(ts64);
        ((delta >> 32) as u32) < NONCE_TIMEOUT
    }

    fn read_mru(&mut self, now: SystemTime, from: SocketAddr, data: &[u8]) -> Outcome {
        if self.scenario.mru.nomrulist {
            return Outcome::Error(ServerErrorCode::PERMISSION);
        }
        let p = match MruParams::decode(data) {
            Some(p) => p,
            None => return Outcome::Ignore,
        };
        let Some(nonce) = p.nonce.as_deref() else {
            return Outcome::Ignore;
        };
        if !self.nonce_valid(nonce, now, from) {
            return Outcome::Ignore;
        }
        let mut frags = p.frags;
        let mut limit = p.limit;
        if (frags == 0 && !(0 < limit && limit <= MRU_ROW_LIMIT)) || frags > MRU_FRAGS_LIMIT {
            return Outcome::Error(ServerErrorCode::BADVALUE);
        }
        if frags != 0 && limit == 0 {
            limit = u32::MAX;
        } else if limit != 0 && frags == 0 {
            frags = MRU_FRAGS_LIMIT;
        }
        let mru_now = if self.scenario.mru.frozen_now {
            self.start
        } else {
            now
        };
        let now_ts = NtpTs::from_system(mru_now);
        let new_nonce = self.make_nonce(now, from);
        let mut b = ReplyBuilder::new();

        if limit == 1 {
            for (i, a) in p.addr.iter().enumerate() {
                if let Some((_, e)) = a.and_then(|a| self.mru.lookup(a.ip())) {
                    put_entry(&mut b, e, i);
                }
            }
            b.put_str(&format!("nonce={new_nonce}"));
            b.put_str(&format!("now={}", now_ts.to_hex()));
            return Outcome::Reply {
                status: 0,
                fragments: b.finish(),
            };
        }

        // Find the starting point.
        let mut found: Option<(u64, &Entry)> = None;
        for i in 0..p.priors {
            found = p.addr[i].and_then(|a| self.mru.lookup(a.ip()));
            if let Some((_, e)) = found {
                if Some(e.last) == p.last[i] {
                    break;
                }
            }
        }
        let after = if p.priors > 0 {
            let Some((seq, e)) = found else {
                return Outcome::Error(ServerErrorCode::UNKNOWNVAR);
            };
            b.put_str(&format!("last.older={}", e.last.to_hex()));
            b.put_str(&format!("addr.older={}", e.addr));
            Some(seq)
        } else {
            self.recent_countdown = self.mru.len() as u64;
            None
        };

        b.put_str(&format!("nonce={new_nonce}"));
        let noise = self.scenario.mru.noise;
        let mut count: u32 = 0;
        let mut last_sent: Option<NtpTs> = None;
        let mut exhausted = true;
        let mut countdown = self.recent_countdown;
        let mut noise_rng = Rng::new(self.rng.next_u64());
        for (_, e) in self.mru.walk_from(after) {
            if !(b.frags() < frags as usize && count < limit) {
                exhausted = false;
                break;
            }
            if e.ct < p.mincount as i64
                || e.dr < p.mindrop
                || e.sc < p.minscore as f64
                || (p.resall != 0 && p.resall as u32 != (p.resall as u32 & e.rs))
                || (p.resany != 0 && (p.resany as u32 & e.rs) == 0)
            {
                continue;
            }
            let age = now_ts.secs.wrapping_sub(e.last.secs);
            if (p.maxlstint > 0 && age > p.maxlstint) || (p.minlstint > 0 && age < p.minlstint) {
                continue;
            }
            if let Some(l) = p.laddr {
                if self.local_addrs.contains(&l) && e.laddr.unwrap_or(l) != l {
                    continue;
                }
            }
            if p.recent != 0 {
                let c = countdown;
                countdown = countdown.wrapping_sub(1);
                if c > p.recent as u64 {
                    continue;
                }
            }
            put_entry(&mut b, e, count as usize);
            if count == 0 && noise {
                put_noise(&mut b, &mut noise_rng, 0);
            }
            count += 1;
            last_sent = Some(e.last);
        }
        self.recent_countdown = countdown;
        if exhausted {
            if noise && count > 1 {
                put_noise(&mut b, &mut noise_rng, count as usize - 1);
            }
            b.put_str(&format!("now={}", now_ts.to_hex()));
            if let Some(l) = last_sent {
                b.put_str(&format!("last.newest={}", l.to_hex()));
            }
        }
        Outcome::Reply {
            status: 0,
            fragments: b.finish(),
        }
    }

    fn apply_faults(&mut self, mut out: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        let f = self.scenario.faults.clone();
        if f.silence || f.silence_after.is_some_and(|n| self.faulted_replies >= n) {
            return Vec::new();
        }
        self.faulted_replies = self.faulted_replies.saturating_add(1);
        if let Some(kind) = f.malformed {
            let frac = f.malformed_fraction.unwrap_or(1.0);
            for pkt in out.iter_mut() {
                if self.fault_rng.next_f64() < frac {
                    corrupt(pkt, kind);
                }
            }
        }
        match f.reorder {
            Reorder::None => {}
            Reorder::Reverse => out.reverse(),
            Reorder::Rotate => {
                if !out.is_empty() {
                    out.rotate_left(1);
                }
            }
            Reorder::Swap => {
                if out.len() >= 2 {
                    out.swap(0, 1);
                }
            }
        }
        let mut result = Vec::with_capacity(out.len());
        for pkt in out {
            if f.drop > 0.0 && self.fault_rng.next_f64() < f.drop {
                continue;
            }
            let dup = f.duplicate > 0.0 && self.fault_rng.next_f64() < f.duplicate;
            if dup {
                result.push(pkt.clone());
            }
            result.push(pkt);
        }
        result
    }
}

fn corrupt(pkt: &mut Vec<u8>, kind: Malformed) {
    match kind {
        Malformed::Truncate => pkt.truncate(8),
        Malformed::ShortData => {
            let count = u16::from_be_bytes([pkt[10], pkt[11]]) as usize;
            if count > 0 {
                pkt.truncate(HEADER_LEN + count / 2);
            } else {
                pkt[10..12].copy_from_slice(&8u16.to_be_bytes());
            }
        }
        Malformed::WrongSequence => {
            let s = u16::from_be_bytes([pkt[2], pkt[3]]).wrapping_add(1000);
            pkt[2..4].copy_from_slice(&s.to_be_bytes());
        }
        Malformed::BadCount => {
            let c = u16::from_be_bytes([pkt[10], pkt[11]]).saturating_add(100);
            pkt[10..12].copy_from_slice(&c.to_be_bytes());
        }
    }
}

fn put_entry(b: &mut ReplyBuilder, e: &Entry, i: usize) {
    b.put_str(&format!("addr.{i}={}", e.addr));
    b.put_str(&format!("last.{i}={}", e.last.to_hex()));
    b.put_str(&format!("first.{i}={}", e.first.to_hex()));
    b.put_str(&format!("ct.{i}={}", e.ct));
    b.put_str(&format!("mv.{i}={}", e.mv));
    b.put_str(&format!("rs.{i}=0x{:x}", e.rs));
    b.put_str(&format!("sc.{i}={:.3}", e.sc));
    b.put_str(&format!("dr.{i}={}", e.dr));
}

fn put_noise(b: &mut ReplyBuilder, rng: &mut Rng, i: usize) {
    let mut noise = (rng.next_u64() & 0x7fff_ffff) as u32;
    let mut tag = String::new();
    for _ in 0..3 {
        tag.push((b'a' + (noise % 26) as u8) as char);
        noise >>= 5;
    }
    b.put_str(&format!("{tag}.{i}={noise}"));
}

/// Decoded READ_MRU parameters (mrulist.md §4.1).
#[derive(Debug, Default)]
struct MruParams {
    nonce: Option<String>,
    frags: u16,
    limit: u32,
    mincount: i32,
    mindrop: u32,
    minscore: f32,
    resall: u16,
    resany: u16,
    maxlstint: u32,
    minlstint: u32,
    laddr: Option<IpAddr>,
    recent: u32,
    last: [Option<NtpTs>; 16],
    addr: [Option<SocketAddr>; 16],
    priors: usize,
}

impl MruParams {
    /// `None` when a value does not parse (ntpd then sends nothing).
    fn decode(data: &[u8]) -> Option<MruParams> {
        let mut p = MruParams::default();
        for (name, value) in ItemScanner::new(data) {
            let Ok(name) = std::str::from_utf8(name) else {
                break;
            };
            let val = value
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .unwrap_or_default();
            let val = val.as_str();
            match name {
                "nonce" => p.nonce = (!val.is_empty()).then(|| val.to_string()),
                "frags" => p.frags = scan_u16(val)?,
                "limit" => p.limit = scan_u32(val)?,
                "mincount" => p.mincount = scan_i32(val)?.max(0),
                "mindrop" => p.mindrop = scan_u32(val)?,
                "minscore" => p.minscore = scan_f32(val)?.max(0.0),
                "resall" => p.resall = scan_0x_u16(val)?,
                "resany" => p.resany = scan_0x_u16(val)?,
                "maxlstint" => p.maxlstint = scan_u32(val)?,
                "minlstint" => p.minlstint = scan_u32(val)?,
                "laddr" => p.laddr = Some(parse_addr(val)?.ip()),
                "recent" => p.recent = scan_u32(val)?,
                _ => {
                    let (kind, idx) = match name.split_once('.') {
                        Some((k @ ("last" | "addr"), i)) => (k, i),
                        _ => break, // the first unknown name ends the scan
                    };
                    let Some(si) = parse_index(idx) else {
                        break;
                    };
                    if kind == "last" {
                        let ts = scan_ntp_ts(val)?;
                        p.last[si] = Some(ts);
                        if p.addr[si].is_some() && si == p.priors {
                            p.priors += 1;
                        }
                    } else {
                        p.addr[si] = Some(parse_addr(val)?);
                        let ok = p.last[si].is_some_and(|t| t.secs != 0 && t.frac != 0);
                        if ok && si == p.priors {
                            p.priors += 1;
                        }
                    }
                }
            }
        }
        Some(p)
    }
}

/// Table names are `last.0`…`last.15`: exact decimal, no leading zeros.
fn parse_index(s: &str) -> Option<usize> {
    if s.is_empty()
        || s.len() > 2
        || !s.bytes().all(|b| b.is_ascii_digit())
        || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    let v: usize = s.parse().ok()?;
    (v < 16).then_some(v)
}
