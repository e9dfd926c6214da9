//! The client's MRU retrieval and the simulator's server core, paired in
//! memory on a virtual clock (quinn-proto's `Pair` style): no sockets, no
//! sleeping, every run deterministic. Network faults are the scenario's
//! (`[faults]`); the pair adds a one-way delay and fragment spacing.

#![allow(dead_code)]

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ntp_control::mru::entry::{ip_text, MruEntry};
use ntp_control::mru::{
    parse_mrulist_args, Finish, MruList, MruRetrieval, RetrievalConfig, RetrievalEvent,
    MRU_ROW_LIMIT,
};
use ntp_control::Timeouts;
use ntpd_sim::{Scenario, ServerState};

pub const CLIENT: &str = "127.0.0.1:40000";
pub const SERVER: &str = "127.0.0.1:123";

pub fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_790_000_000)
}

/// A scenario with `count` generated MRU entries, plus `extra` TOML.
pub fn scenario(count: usize, extra: &str) -> String {
    format!(
        r#"
[system]
status = 0x0615
variables = ["leap=0", "stratum=2", "clock={{ts:now}}", "mru_depth={count}", "mru_new={count}", "mru_recycleold=0", "mru_recyclefull=0"]

[mru]
generate = {{ count = {count}, spacing = 0.001, ipv6_every = 7 }}
{extra}
"#
    )
}

pub struct Pair {
    pub server: ServerState,
    pub client: MruRetrieval,
    pub list: MruList,
    pub events: Vec<RetrievalEvent>,
    /// Virtual time since the start.
    pub elapsed: Duration,
    /// One-way delay of the loopback "network".
    pub delay: Duration,
    /// Spacing between the fragments of one reply.
    pub spacing: Duration,
    /// Datagrams the client sent.
    pub sent: usize,
    /// Called with true before and false after each call into the client
    /// (an allocation counter measures the client alone).
    pub meter: fn(bool),
    /// Runs for each entry the client reads.
    pub on_entry: fn(&MruEntry),
    base: Instant,
    network: BinaryHeap<Reverse<(Duration, u64, Vec<u8>)>>,
    order: u64,
}

impl Pair {
    /// `args` as typed after `mrulist`; `cap` the fragment cap (128 as
    /// ntpq-rs uses, 32 as the reference).
    pub fn new(toml: &str, args: &str, cap: u32) -> Pair {
        Pair::with_verbosity(toml, args, cap, 2)
    }

    pub fn with_verbosity(toml: &str, args: &str, cap: u32, verbosity: u8) -> Pair {
        let scenario = Scenario::from_toml_str(toml).expect("scenario");
        let server = ServerState::new(scenario, t0());
        let base = Instant::now();
        let config = RetrievalConfig {
            server: SERVER.parse().unwrap(),
            timeouts: Timeouts::default(),
            row_limit: MRU_ROW_LIMIT,
            frags_cap: cap,
            sequence: 0,
            verbosity,
            read_counters: true,
        };
        let options = parse_mrulist_args(args).expect("mrulist arguments");
        let client = MruRetrieval::new(options, config, None, None, base);
        Pair {
            server,
            client,
            list: MruList::default(),
            events: Vec::new(),
            elapsed: Duration::ZERO,
            delay: Duration::from_micros(50),
            spacing: Duration::from_micros(5),
            sent: 0,
            meter: |_| {},
            on_entry: |_| {},
            base,
            network: BinaryHeap::new(),
            order: 0,
        }
    }

    /// The real instant of virtual time zero.
    pub fn base(&self) -> Instant {
        self.base
    }

    fn client_addr() -> SocketAddr {
        CLIENT.parse().unwrap()
    }

    /// Requests out (answered by the server when they arrive), replies
    /// read; false once the retrieval is finished.
    pub fn step_io(&mut self) -> bool {
        loop {
            (self.meter)(true);
            let pkt = self.client.poll_transmit();
            (self.meter)(false);
            let Some(pkt) = pkt else { break };
            self.sent += 1;
            let at = self.elapsed + self.delay;
            let replies = self.server.handle(t0() + at, Self::client_addr(), &pkt);
            for (k, r) in replies.into_iter().enumerate() {
                let arrival = at + self.delay + self.spacing * k as u32;
                self.order += 1;
                self.network.push(Reverse((arrival, self.order, r)));
            }
        }
        (self.meter)(true);
        while let Some(reply) = self.client.next_unread() {
            let entries = &mut self.list.entries;
            let on_entry = self.on_entry;
            if self
                .client
                .ingest(&reply, &mut self.list.v6, &mut |e, _| {
                    on_entry(e);
                    entries.push(*e)
                })
                .is_err()
            {
                break;
            }
        }
        (self.meter)(false);
        self.events
            .extend(std::iter::from_fn(|| self.client.poll_event()));
        !self.client.is_finished()
    }

    /// Runs to the end, or until `limit` of virtual time has passed.
    pub fn run(&mut self, limit: Duration) -> Option<Finish> {
        while self.step_io() {
            let next_datagram = self.network.peek().map(|Reverse((t, _, _))| *t);
            let deadline = self
                .client
                .deadline()
                .map(|d| d.saturating_duration_since(self.base));
            let next = match (next_datagram, deadline) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => a.or(b).expect("the retrieval waits for something"),
            };
            if next > limit {
                return None;
            }
            self.elapsed = self.elapsed.max(next);
            let now = self.base + self.elapsed;
            let server: SocketAddr = SERVER.parse().unwrap();
            match self.network.peek() {
                Some(Reverse((t, _, _))) if *t <= self.elapsed => {
                    let Reverse((_, _, pkt)) = self.network.pop().unwrap();
                    (self.meter)(true);
                    self.client.handle_datagram(now, server, &pkt);
                    (self.meter)(false);
                }
                _ => {
                    (self.meter)(true);
                    self.client.handle_timeout(now);
                    (self.meter)(false);
                }
            }
        }
        self.client.finish().cloned()
    }

    /// Addresses read (IP text), de-duplicated as the display does.
    pub fn addresses(&mut self) -> Vec<String> {
        self.list.dedup();
        let mut v: Vec<String> = self
            .list
            .entries
            .iter()
            .filter_map(|e: &MruEntry| ip_text(e.addr, &self.list.v6))
            .collect();
        v.sort();
        v
    }

    /// The server's own list now (IP text), sorted.
    pub fn server_addresses(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .server
            .mru()
            .entries()
            .iter()
            .map(|e| e.addr.ip().to_string())
            .collect();
        v.sort();
        v
    }
}
