//! The TOML scenario format (see the crate README for a full example).

use std::path::Path;

use serde::Deserialize;

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid scenario: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("invalid scenario: {0}")]
    Invalid(String),
}

/// A complete scripted server state.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default)]
    pub system: System,
    #[serde(default, rename = "peer")]
    pub peers: Vec<Peer>,
    #[serde(default)]
    pub mru: Mru,
    #[serde(default)]
    pub faults: Faults,
    /// Authenticated requests (absent: they get PERMISSION).
    #[serde(default)]
    pub auth: Option<crate::auth::AuthScenario>,
}

/// The server itself (association 0).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct System {
    /// System status word (protocol.md §6.1).
    #[serde(default = "default_sys_status")]
    pub status: u16,
    /// Leap indicator put in every response header; defaults to the top
    /// two bits of `status`.
    pub leap: Option<u8>,
    /// `name=value` items exactly as ntpd sends them, in its table order.
    #[serde(default)]
    pub variables: Vec<String>,
    /// Names returned for a READVAR without names; all variables if absent.
    pub default: Option<Vec<String>>,
    /// Further names the server knows but sends nothing for (ntpd 1.2.2's
    /// table names are built in).
    #[serde(default)]
    pub silent: Vec<String>,
    /// Names answered with UNKNOWNVAR although ntpd 1.2.2 knows them (a
    /// server of another version).
    #[serde(default)]
    pub unknown: Vec<String>,
}

fn default_sys_status() -> u16 {
    0xc016
}

impl Default for System {
    fn default() -> Self {
        System {
            status: default_sys_status(),
            leap: None,
            variables: Vec::new(),
            default: None,
            silent: Vec::new(),
            unknown: Vec::new(),
        }
    }
}

/// One association.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Peer {
    pub associd: u16,
    /// Peer status word (protocol.md §6.2).
    pub status: u16,
    #[serde(default)]
    pub variables: Vec<String>,
    pub default: Option<Vec<String>>,
    #[serde(default)]
    pub silent: Vec<String>,
    /// As `System::unknown`.
    #[serde(default)]
    pub unknown: Vec<String>,
    /// Present for reference clocks: READCLOCK answers with these.
    pub clock_variables: Option<Vec<String>>,
    pub clock_default: Option<Vec<String>>,
    /// Clock status word (protocol.md §6.3).
    #[serde(default)]
    pub clock_status: u16,
}

impl Peer {
    pub fn is_refclock(&self) -> bool {
        self.clock_variables.is_some()
    }
}

/// The MRU list.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mru {
    /// Explicit entries, oldest first (by `last_ago`, larger = older;
    /// the list is sorted on load).
    #[serde(default)]
    pub entries: Vec<MruEntry>,
    /// Synthetic entries with distinct addresses.
    pub generate: Option<MruGenerate>,
    /// New entries appearing per second of server time.
    #[serde(default)]
    pub churn_new_per_sec: f64,
    /// Existing entries receiving a packet (moving to the newest end) per second.
    #[serde(default)]
    pub churn_touch_per_sec: f64,
    /// Report `now=` as the server's start time (lstint then equals `last_ago`
    /// exactly). Not meant to be combined with churn.
    #[serde(default)]
    pub frozen_now: bool,
    /// Random three-letter noise tags as ntpd adds them.
    #[serde(default = "yes")]
    pub noise: bool,
    /// Local addresses of the server (for the `laddr=` filter); the
    /// entries' `laddr` values are added.
    #[serde(default)]
    pub local_addresses: Vec<String>,
    /// Answer READ_MRU with PERMISSION (the `nomrulist` restriction).
    #[serde(default)]
    pub nomrulist: bool,
    /// Most entries held (ntpd's `mru maxdepth`): a new client then
    /// recycles the oldest entry at once (as with `minage 0`).
    pub max_depth: Option<usize>,
    #[serde(default = "default_seed")]
    pub seed: u64,
}

fn yes() -> bool {
    true
}

fn default_seed() -> u64 {
    1
}

impl Default for Mru {
    fn default() -> Self {
        Mru {
            entries: Vec::new(),
            generate: None,
            churn_new_per_sec: 0.0,
            churn_touch_per_sec: 0.0,
            frozen_now: false,
            noise: true,
            local_addresses: Vec::new(),
            nomrulist: false,
            max_depth: None,
            seed: default_seed(),
        }
    }
}

/// One explicit MRU entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MruEntry {
    /// `a.b.c.d:port` or `[v6]:port`.
    pub addr: String,
    /// Seconds before the server's start time of the last packet.
    pub last_ago: f64,
    /// Seconds before the start time of the first packet (default: last_ago).
    pub first_ago: Option<f64>,
    #[serde(default = "one")]
    pub ct: i64,
    /// Mode | version << 3 (0x23 = v4 client).
    #[serde(default = "default_mv")]
    pub mv: u32,
    #[serde(default)]
    pub rs: u32,
    #[serde(default)]
    pub sc: f64,
    #[serde(default)]
    pub dr: u32,
    /// The server address the packets arrived on.
    pub laddr: Option<String>,
}

fn one() -> i64 {
    1
}

fn default_mv() -> u32 {
    0x23
}

/// A generator of synthetic MRU entries: `count` entries with addresses
/// 10.b.c.d (IPv6 `2001:db8::N` every `ipv6_every`-th), the newest `newest_ago`
/// seconds before the start, spaced `spacing` seconds apart.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MruGenerate {
    pub count: usize,
    #[serde(default = "default_spacing")]
    pub spacing: f64,
    #[serde(default)]
    pub newest_ago: f64,
    #[serde(default)]
    pub ipv6_every: usize,
}

fn default_spacing() -> f64 {
    1.0
}

/// Fault injection. Everything is seeded and deterministic for a given
/// sequence of requests.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    #[serde(default)]
    pub seed: u64,
    /// Only apply the datagram faults (drop, duplicate, reorder, silence,
    /// malformed) to these opcodes; all opcodes if empty.
    #[serde(default)]
    pub opcodes: Vec<u8>,
    /// Fraction (0..1) of response datagrams dropped.
    #[serde(default)]
    pub drop: f64,
    /// Fraction (0..1) of response datagrams sent twice.
    #[serde(default)]
    pub duplicate: f64,
    /// Fragment order: "none" (default), "reverse", "rotate" (first sent last),
    /// "swap" (first two exchanged).
    #[serde(default)]
    pub reorder: Reorder,
    /// Never answer.
    #[serde(default)]
    pub silence: bool,
    /// Answer this many requests (of `opcodes`), then never again: a
    /// server that dies or is cut off part-way through a command.
    pub silence_after: Option<u32>,
    /// Corrupt reply datagrams: "truncate" (cut inside the header),
    /// "short_data" (cut the data, count unchanged), "wrong_sequence",
    /// "bad_count" (count larger than the data).
    pub malformed: Option<Malformed>,
    /// Fraction of reply datagrams corrupted (default 1).
    pub malformed_fraction: Option<f64>,
    /// Fixed error replies.
    #[serde(default)]
    pub errors: Vec<ErrorRule>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reorder {
    #[default]
    None,
    Reverse,
    Rotate,
    Swap,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Malformed {
    Truncate,
    ShortData,
    WrongSequence,
    BadCount,
}

/// Answer `opcode` (optionally only for `associd`) with error `code`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorRule {
    pub opcode: u8,
    pub associd: Option<u16>,
    pub code: u8,
}

impl Scenario {
    pub fn from_toml_str(text: &str) -> Result<Scenario, ScenarioError> {
        let s: Scenario = toml::from_str(text)?;
        s.validate()?;
        Ok(s)
    }

    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Scenario::from_toml_str(&text)
    }

    fn validate(&self) -> Result<(), ScenarioError> {
        if let Some(a) = &self.auth {
            crate::auth::SimAuth::new(a).map_err(ScenarioError::Invalid)?;
        }
        let mut seen = std::collections::HashSet::new();
        for p in &self.peers {
            if p.associd == 0 {
                return Err(ScenarioError::Invalid("peer associd 0".into()));
            }
            if !seen.insert(p.associd) {
                return Err(ScenarioError::Invalid(format!(
                    "duplicate associd {}",
                    p.associd
                )));
            }
        }
        for e in &self.mru.entries {
            if crate::mru::parse_addr(&e.addr).is_none() {
                return Err(ScenarioError::Invalid(format!(
                    "bad MRU address {:?}",
                    e.addr
                )));
            }
        }
        for f in [self.faults.drop, self.faults.duplicate] {
            if !(0.0..=1.0).contains(&f) {
                return Err(ScenarioError::Invalid("fault fraction outside 0..1".into()));
            }
        }
        Ok(())
    }
}
