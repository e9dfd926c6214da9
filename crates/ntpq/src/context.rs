//! What a command handler works with: the client, the interpreter's
//! settings and caches, and the output. Handlers take a [`Context`] and
//! nothing else, so they depend on this module, not on each other.

use std::collections::BTreeSet;
use std::io::Write;
use std::time::Duration;

use ntp_control::{Opcode, Request, Response, Timeouts};

use crate::client::Client;
use crate::error::CmdError;
use crate::names::NameResolver;
use crate::output::Output;
use crate::pyint::py_int;
use crate::resolve::Family;
use crate::transport::QueryParams;

/// Everything the settings commands change (the credentials live in the
/// client's [`crate::auth::Auth`]).
#[derive(Clone, Debug)]
pub struct Settings {
    pub raw: bool,
    pub units: bool,
    /// 1.2.2 hostnames mode (bit 0: resolve names, bit 1: prefer srchost).
    pub hostnames: u8,
    pub wide: bool,
    /// `-W`: forced width of the peers tables.
    pub width: Option<i64>,
    pub ntpversion: u8,
    /// Signed as in the reference: `debug -1` is shown as such, and only
    /// its "any debugging" checks (non-zero) react to it.
    pub debug: i64,
    /// Milliseconds as typed: the reference accepts and shows a negative
    /// value (its next query then crashes; ours times out at once).
    pub primary_timeout_ms: i64,
    pub delay_ms: i64,
    pub authenticate: bool,
    pub direct: bool,
    pub flake: f64,
    pub family: Family,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            raw: false,
            units: false,
            hostnames: 1,
            wide: false,
            width: None,
            ntpversion: 2,
            debug: 0,
            primary_timeout_ms: 5000,
            delay_ms: 20,
            authenticate: false,
            direct: false,
            flake: 0.0,
            family: Family::Any,
        }
    }
}

/// How the run was started (fixed for the whole run).
#[derive(Clone, Copy, Debug, Default)]
pub struct RunKind {
    /// Longest host name when several hosts are queried in batch mode.
    pub multi_host: Option<usize>,
    /// `-c` commands given (no REPL): `:config` points at errors differently.
    pub batch: bool,
}

/// The interpreter's state as a handler sees it.
pub struct Context<'a> {
    pub client: &'a mut Client,
    pub settings: &'a mut Settings,
    /// The cached association list (id, status), sorted by id. It belongs
    /// to the process, not to a host (commands.md §3).
    pub peers: &'a mut Vec<(u16, u16)>,
    /// The `addvars` list.
    pub varlist: &'a mut Vec<(String, String)>,
    /// Variable names servers sent this session (REPL completion).
    pub var_names: &'a mut BTreeSet<String>,
    /// Reverse lookups, cached for 300 s across commands (commands.md §13).
    pub names: &'a mut NameResolver,
    pub run: RunKind,
    pub out: &'a mut Output<dyn Write>,
    /// Set by [`Context::report`]: the command goes on but has failed.
    failed: bool,
}

impl<'a> Context<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        client: &'a mut Client,
        settings: &'a mut Settings,
        peers: &'a mut Vec<(u16, u16)>,
        varlist: &'a mut Vec<(String, String)>,
        var_names: &'a mut BTreeSet<String>,
        names: &'a mut NameResolver,
        run: RunKind,
        out: &'a mut Output<dyn Write>,
    ) -> Context<'a> {
        Context {
            client,
            settings,
            peers,
            varlist,
            var_names,
            names,
            run,
            out,
            failed: false,
        }
    }

    /// Remembers the names of `vars` for completion: plain names only
    /// (what a hostile server sends must not reach the terminal), and a
    /// bounded number of them.
    pub fn remember_names(&mut self, vars: &[ntp_control::Variable]) {
        for v in vars {
            let plain = v.name.len() <= 64
                && v.name
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b',' && b != b'=');
            if plain && self.var_names.len() < 2048 {
                self.var_names.insert(v.name.clone());
            }
        }
    }

    /// Whether a problem was reported while the command went on.
    pub fn reported_failure(&self) -> bool {
        self.failed
    }

    /// The per-query knobs of the current settings.
    pub fn query_params(&self) -> QueryParams {
        QueryParams {
            timeouts: Timeouts::with_primary(Duration::from_millis(
                self.settings.primary_timeout_ms.max(0) as u64,
            )),
            debug: self.settings.debug.clamp(0, i64::from(u32::MAX)) as u32,
            flake: self.settings.flake,
        }
    }

    /// One query to the open host with the current settings.
    pub fn query(
        &mut self,
        opcode: Opcode,
        associd: u16,
        data: &[u8],
    ) -> Result<Response, CmdError> {
        let params = self.query_params();
        self.client.query(
            Request::new(opcode, associd, data),
            &params,
            self.settings.authenticate,
            self.out,
        )
    }

    /// The reference's `password()`: credentials for the open host.
    pub fn obtain_credentials(&mut self) -> Result<(), CmdError> {
        self.client.obtain_credentials(self.out)
    }

    pub fn host_name(&self) -> Option<&str> {
        self.client.host_name()
    }

    /// Prints `e` now and goes on; the command counts as failed. (A
    /// handler that stops returns its error instead.)
    pub fn report(&mut self, e: &CmdError) {
        if e.report(self.out) {
            self.failed = true;
        }
    }

    /// `server=<host> ` when several hosts are queried (JSON records
    /// name their host themselves).
    pub fn server_prefix(&self) -> Option<String> {
        self.run.multi_host?;
        if self.out.mode.is_json() {
            return None;
        }
        self.host_name().map(|h| format!("server={h} "))
    }

    /// Reads the association list (READSTAT) into the cache. An empty list
    /// prints `server=<host> No association IDs returned` and counts as
    /// failure (`Ok(false)`).
    pub fn fetch_associations(&mut self) -> Result<bool, CmdError> {
        let r = self.query(Opcode::ReadStat, 0, b"")?;
        if r.data.len() % 4 != 0 {
            return Err(CmdError::msg(
                "***Response length should have been a multiple of 4",
            ));
        }
        let mut list: Vec<(u16, u16)> = r
            .data
            .chunks_exact(4)
            .map(|c| {
                (
                    u16::from_be_bytes([c[0], c[1]]),
                    u16::from_be_bytes([c[2], c[3]]),
                )
            })
            .collect();
        list.sort_by_key(|(id, _)| *id);
        *self.peers = list;
        if self.peers.is_empty() {
            let host = self.host_name().unwrap_or("").to_string();
            let text = ntpq_format::assoc::no_associations_text(&host);
            if self.out.mode.is_json() {
                self.out.warn_code("no_associations", &text);
            } else {
                self.out.say(&text);
            }
            return Ok(false);
        }
        if self.settings.debug != 0 {
            self.out
                .warn_text(&format!("\n{} associations total", self.peers.len()));
        }
        Ok(true)
    }

    /// Parses an association argument (commands.md §3): an id, `&index`
    /// into the cached list, or nothing (0). The cache is filled first when
    /// empty; a failing READSTAT is reported and parsing goes on, as in the
    /// reference.
    pub fn parse_associd(&mut self, token: &str) -> Result<u16, CmdError> {
        if token.is_empty() {
            return Ok(0);
        }
        if self.peers.is_empty() {
            match self.fetch_associations() {
                Ok(_) => {}
                Err(CmdError::Interrupted) => return Err(CmdError::Interrupted),
                Err(e) => self.report(&e),
            }
        }
        let word = token.split_whitespace().next().unwrap_or("");
        if let Some(index) = token.trim_start().strip_prefix('&') {
            // Python `int()`: base 10 only (`&0x1` is not an index).
            let Some(idx) = py_int(index.split_whitespace().next().unwrap_or("")) else {
                return Err(CmdError::invalid("Invalid index literal."));
            };
            if !(0..65535).contains(&idx) {
                return Err(CmdError::invalid(format!(
                    "{idx} is not a valid association number."
                )));
            }
            if idx < 1 || idx as usize > self.peers.len() {
                return Err(CmdError::invalid(format!("No such association as {idx}.")));
            }
            return Ok(self.peers[idx as usize - 1].0);
        }
        let Some(id) = py_int(word) else {
            return Err(CmdError::invalid("Invalid associd literal."));
        };
        if id != 0 && !self.peers.iter().any(|(a, _)| i64::from(*a) == id) {
            return Err(CmdError::invalid("Unknown associd."));
        }
        Ok(id as u16)
    }
}
