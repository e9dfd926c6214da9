//! The deterministic core: request datagram in, response datagrams out.
//!
//! This file dispatches a request by opcode and answers READSTAT, READVAR
//! and READCLOCK; `vars.rs` selects variables as ntpd does, `names.rs`
//! holds ntpd's variable tables, `read_mru.rs` answers READ_MRU (nonces
//! and the list walk), `faults.rs` spoils the replies as the scenario asks.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::time::SystemTime;

use ntp_control::header::{
    Header, Opcode, ServerErrorCode, CTL_MAX_DATA_LEN, HEADER_LEN, MODE_CONTROL,
};

use crate::mru::MruList;
use crate::reply::{datagrams, ReplyBuilder};
use crate::scenario::Scenario;
use crate::util::{expand_templates, Rng};

mod faults;
mod names;
mod read_mru;
mod vars;

pub use names::{CLOCK_NAMES, PEER_NAMES, SYS_NAMES};
pub use read_mru::NONCE_TIMEOUT;
use vars::VarTable;

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

    /// `{mru:depth}`, `{mru:new}`, `{mru:recycleold}`, `{mru:recyclefull}`:
    /// the list's live counters (recycling for room is `recyclefull`).
    fn expand_mru_counters(&self, text: String) -> String {
        if !text.contains("{mru:") {
            return text;
        }
        text.replace("{mru:depth}", &self.mru.len().to_string())
            // ntpd's mru_new counts only additions that took fresh memory.
            .replace(
                "{mru:new}",
                &(self.mru.added() - self.mru.recycled().min(self.mru.added())).to_string(),
            )
            .replace("{mru:recycleold}", "0")
            .replace("{mru:recyclefull}", &self.mru.recycled().to_string())
    }

    fn text_reply(&self, now: SystemTime, status: u16, items: &[&str]) -> Outcome {
        let mut b = ReplyBuilder::new();
        for it in items {
            let text = expand_templates(it, now, self.start);
            b.put_str(&self.expand_mru_counters(text));
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
}
