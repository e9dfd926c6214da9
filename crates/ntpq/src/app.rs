//! The interpreter: settings, the open host, the association cache, and the
//! line parser that finds a command in the table (commands.md §2).

use std::time::Duration;

use ntp_control::{Opcode, QueryError, Request, Response, ServerErrorCode, Timeouts};
use tokio::runtime::Runtime;

use crate::cli::{Family, Options};
use crate::commands::settings::py_int;
use crate::commands::{self, CommandDef};
use crate::error::{CmdError, CmdResult};
use crate::output::Output;
use crate::resolve;
use crate::session::{self, Failure, QueryParams, Session};

/// Everything the settings commands change.
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
    /// Any integer, as the reference stores it (`keyid -1` is shown).
    pub keyid: Option<i64>,
    pub keytype: String,
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
            keyid: None,
            keytype: "MD5".to_string(),
            authenticate: false,
            direct: false,
            flake: 0.0,
            family: Family::Any,
        }
    }
}

pub struct App {
    pub rt: Runtime,
    pub out: Output,
    pub settings: Settings,
    pub session: Option<Session>,
    /// Last sequence number used; survives host changes as in the reference.
    sequence: u16,
    /// The cached association list (id, status), sorted by id. It belongs
    /// to the process, not to a host (commands.md §3).
    pub peers: Vec<(u16, u16)>,
    /// The `addvars` list.
    pub varlist: Vec<(String, String)>,
    /// Longest host name when several hosts are queried in batch mode.
    pub multi_host: Option<usize>,
    pub failed: bool,
    pub interrupted: bool,
    /// The server's MRU row limit as learnt this session (BADVALUE lowers it).
    pub mru_row_limit: u32,
    /// The command word being run (usage texts differ between aliases).
    current: &'static str,
    /// Key file, password and MAC alignment (see [`crate::auth`]).
    pub auth: crate::auth::Auth,
    /// Ends the whole run after the current command (a failing
    /// `config-from-file` does this in the reference).
    pub stop: bool,
    /// `-c` commands given (no REPL): `:config` points at errors differently.
    pub batch: bool,
}

impl App {
    pub fn new(opts: &Options) -> std::io::Result<App> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let settings = Settings {
            units: opts.units,
            hostnames: opts.hostnames,
            wide: opts.wide,
            width: opts.width,
            debug: opts.debug,
            keyid: opts.keyid,
            family: opts.family,
            ..Settings::default()
        };
        let multi = if !opts.commands.is_empty() && opts.hosts.len() > 1 {
            opts.hosts.iter().map(|(h, _)| h.chars().count()).max()
        } else {
            None
        };
        let mut out = Output::new();
        // main() has checked that the file is readable.
        let keyfile = opts
            .keyfile
            .as_ref()
            .and_then(|p| ntp_auth::KeyFile::load(std::path::Path::new(p)).ok());
        if let Some(kf) = &keyfile {
            for w in &kf.warnings {
                out.warn(w);
            }
        }
        Ok(App {
            rt,
            out,
            settings,
            session: None,
            sequence: 0,
            peers: Vec::new(),
            varlist: Vec::new(),
            multi_host: multi,
            failed: false,
            interrupted: false,
            mru_row_limit: ntp_control::mru::MRU_ROW_LIMIT,
            current: "",
            auth: crate::auth::Auth::new(keyfile),
            stop: false,
            batch: !opts.commands.is_empty(),
        })
    }

    /// Opens `name`; on failure prints the lookup messages and returns false.
    pub fn open_host(&mut self, name: &str, family: Family) -> bool {
        match resolve::resolve_host(name, family) {
            Ok(addr) => match Session::open(&self.rt, name, addr, self.sequence) {
                Ok(s) => {
                    if self.settings.debug >= 3 {
                        self.out.log_debug(&format!("Opening host {name}"));
                    }
                    if let Some(old) = self.session.replace(s) {
                        self.sequence = old.sequence();
                    }
                    true
                }
                Err(e) => {
                    self.out
                        .log(&format!("ntpq: cannot open a socket for {name}: {e}"));
                    false
                }
            },
            Err(lines) => {
                for l in lines {
                    self.out.log(&l);
                }
                false
            }
        }
    }

    pub fn close_host(&mut self) {
        if let Some(s) = self.session.take() {
            self.sequence = s.sequence();
        }
    }

    pub fn host_name(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.name.as_str())
    }

    /// The session's timeouts (the `timeout` command sets the primary one).
    pub fn timeouts(&self) -> Timeouts {
        Timeouts::with_primary(Duration::from_millis(
            self.settings.primary_timeout_ms.max(0) as u64,
        ))
    }

    /// One query to the open host with the current settings.
    pub fn query(
        &mut self,
        opcode: Opcode,
        associd: u16,
        data: &[u8],
    ) -> Result<Response, CmdError> {
        let timeouts = self.timeouts();
        self.query_with(Request::new(opcode, associd, data), timeouts)
    }

    /// One query with explicit timeouts (mrulist uses a short timer).
    pub fn query_with(
        &mut self,
        request: Request,
        timeouts: Timeouts,
    ) -> Result<Response, CmdError> {
        let signed = self.needs_auth(request.opcode);
        let count = request.data.len();
        let align = self.auth.align;
        let q = self.start_signed(request.clone(), timeouts, align)?;
        let mut result = self.finish_unchecked(q, timeouts);
        // 1.2.2 and 1.2.3+ servers look for the key id at different places
        // when 12+count (rounded to 4) is 4 mod 8: try the other once.
        if signed
            && !self.auth.forced
            && ntp_auth::trailer::alignments_differ(count)
            && matches!(
                result,
                Err(CmdError::Query(QueryError::Server(
                    ServerErrorCode::PERMISSION
                )))
            )
        {
            let other = align.other();
            if self.settings.debug >= 1 {
                self.out.log_debug(&format!(
                    "PERMISSION with {}-octet MAC alignment; retrying with {}",
                    align.octets(),
                    other.octets()
                ));
            }
            let q = self.start_signed(request, timeouts, other)?;
            result = self.finish_unchecked(q, timeouts);
            if result.is_ok() {
                self.auth.align = other;
            }
        }
        self.after_query(&result);
        result
    }

    /// Whether requests with `opcode` carry a MAC (protocol.md §9.1).
    pub fn needs_auth(&self, opcode: Opcode) -> bool {
        self.settings.authenticate
            || matches!(
                opcode,
                Opcode::Configure | Opcode::ReadOrdlistA | Opcode::WriteVar
            )
    }

    /// A server error clears the session's credentials (protocol.md §4.2).
    fn after_query(&mut self, result: &Result<Response, CmdError>) {
        if let Err(CmdError::Query(QueryError::Server(_))) = result {
            self.settings.keyid = None;
            self.auth.password = None;
        }
    }

    fn query_params(&self, timeouts: Timeouts) -> QueryParams {
        QueryParams {
            timeouts,
            debug: self.settings.debug.clamp(0, i64::from(u32::MAX)) as u32,
            flake: self.settings.flake,
        }
    }

    /// Runs a whole MRU retrieval on the open host (see
    /// [`Session::run_retrieval`]); `read` reads the replies received.
    /// Requests are signed when `authenticate` is on.
    pub fn run_retrieval(
        &mut self,
        options: ntp_control::mru::MruOptions,
        frags_cap: u32,
        read_counters: bool,
        read: &mut dyn FnMut(
            &mut ntp_control::mru::MruRetrieval,
            &mut Output,
        ) -> std::ops::ControlFlow<()>,
    ) -> Result<ntp_control::mru::MruRetrieval, CmdError> {
        use ntp_control::mru::{MruRetrieval, RetrievalConfig};
        let params = self.query_params(self.timeouts());
        let signer = self.signer_for(Opcode::ReadMru, self.auth.align)?;
        let check = self.auth.response_check();
        let session = self.session.as_mut().ok_or(CmdError::NoHost)?;
        let config = RetrievalConfig {
            server: session.addr,
            timeouts: params.timeouts,
            row_limit: self.mru_row_limit,
            frags_cap,
            sequence: session.sequence(),
            verbosity: params.debug.min(u32::from(u8::MAX)) as u8,
            read_counters,
        };
        let mut m = MruRetrieval::new(options, config, signer, check, std::time::Instant::now());
        let run = session.run_retrieval(&self.rt, &mut self.out, &params, &mut m, read);
        self.mru_row_limit = m.row_limit();
        if let Some(ntp_control::mru::Finish::Failed(ntp_control::mru::MruError::Query(e))) =
            m.finish()
        {
            self.after_query(&Err(CmdError::Query(e.clone())));
        }
        match run {
            Ok(()) => Ok(m),
            Err(Failure::Interrupted) => {
                self.interrupted = true;
                Ok(m)
            }
            Err(Failure::Query(e)) => Err(CmdError::Query(e)),
        }
    }

    /// The signer for a request with `opcode`, if it must be signed.
    fn signer_for(
        &self,
        opcode: Opcode,
        align: ntp_auth::Align,
    ) -> Result<Option<ntp_control::query::Signer>, CmdError> {
        if !self.needs_auth(opcode) {
            return Ok(None);
        }
        self.auth
            .signer(self.settings.keyid, &self.settings.keytype, align)
            .map(Some)
            .map_err(|m| CmdError::Message(m.to_string()))
    }

    fn start_signed(
        &mut self,
        request: Request,
        timeouts: Timeouts,
        align: ntp_auth::Align,
    ) -> Result<ntp_control::Query, CmdError> {
        let params = self.query_params(timeouts);
        if self.session.is_none() {
            return Err(CmdError::NoHost);
        }
        let signer = self.signer_for(request.opcode, align)?;
        let check = self.auth.response_check();
        let session = self.session.as_mut().ok_or(CmdError::NoHost)?;
        let mut q = session.start(&self.rt, &mut self.out, &params, request, signer);
        if let Some(check) = check {
            q.set_response_check(check);
        }
        Ok(q)
    }

    fn finish_unchecked(
        &mut self,
        q: ntp_control::Query,
        timeouts: Timeouts,
    ) -> Result<Response, CmdError> {
        let params = self.query_params(timeouts);
        let session = self.session.as_mut().ok_or(CmdError::NoHost)?;
        session
            .finish(&self.rt, &mut self.out, &params, q)
            .map_err(|f| match f {
                Failure::Interrupted => {
                    self.interrupted = true;
                    CmdError::Interrupted
                }
                Failure::Query(e) => CmdError::Query(e),
            })
    }

    /// The command word being run.
    pub fn current_command(&self) -> &'static str {
        self.current
    }

    /// `server=<host> ` when several hosts are queried.
    pub fn server_prefix(&self) -> Option<String> {
        self.multi_host?;
        self.host_name().map(|h| format!("server={h} "))
    }

    /// Reads the association list (READSTAT) into the cache. An empty list
    /// prints `server=<host> No association IDs returned` and counts as
    /// failure (`Ok(false)`).
    pub fn fetch_associations(&mut self) -> Result<bool, CmdError> {
        let r = self.query(Opcode::ReadStat, 0, b"")?;
        if r.data.len() % 4 != 0 {
            return Err(CmdError::Message(
                "***Response length should have been a multiple of 4".into(),
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
        self.peers = list;
        if self.peers.is_empty() {
            let host = self.host_name().unwrap_or("").to_string();
            self.out
                .say(&ntpq_format::assoc::no_associations_text(&host));
            return Ok(false);
        }
        if self.settings.debug != 0 {
            self.out
                .warn(&format!("\n{} associations total", self.peers.len()));
        }
        Ok(true)
    }

    /// Parses an association argument (commands.md §3). `Ok(None)` means a
    /// message was printed and the command does nothing more.
    pub fn parse_associd(&mut self, token: &str) -> Result<Option<u16>, CmdError> {
        if token.is_empty() {
            return Ok(Some(0));
        }
        if self.peers.is_empty() {
            // The reference reports a failing READSTAT and goes on.
            match self.fetch_associations() {
                Ok(_) => {}
                Err(CmdError::Interrupted) => return Err(CmdError::Interrupted),
                Err(e) => {
                    e.report(&mut self.out);
                    self.failed = true;
                }
            }
        }
        let word = token.split_whitespace().next().unwrap_or("");
        if let Some(index) = token.trim_start().strip_prefix('&') {
            // Python `int()`: base 10 only (`&0x1` is not an index).
            let Some(idx) = py_int(index.split_whitespace().next().unwrap_or("")) else {
                return Err(CmdError::Message("Invalid index literal.".into()));
            };
            if !(0..65535).contains(&idx) {
                return Err(CmdError::Message(format!(
                    "{idx} is not a valid association number."
                )));
            }
            if idx < 1 || idx as usize > self.peers.len() {
                return Err(CmdError::Message(format!("No such association as {idx}.")));
            }
            return Ok(Some(self.peers[idx as usize - 1].0));
        }
        let Some(id) = py_int(word) else {
            return Err(CmdError::Message("Invalid associd literal.".into()));
        };
        if id != 0 && !self.peers.iter().any(|(a, _)| i64::from(*a) == id) {
            return Err(CmdError::Message("Unknown associd.".into()));
        }
        Ok(Some(id as u16))
    }

    /// Runs one input line: the reference's parsing, prefix matching and
    /// messages; updates the failure flag.
    pub fn run_line(&mut self, line: &str) -> CmdResult {
        let result = self.dispatch(line);
        if let Err(e) = &result {
            if e.report(&mut self.out) {
                self.failed = true;
            }
        }
        self.out.flush();
        if session::take_interrupt() {
            self.interrupted = true;
        }
        result
    }

    fn dispatch(&mut self, line: &str) -> CmdResult {
        let line = normalize_special(line);
        let line = line.trim();
        if line.is_empty() {
            return Ok(());
        }
        let line = match line.strip_prefix('?') {
            Some(rest) => format!("help {rest}"),
            None => line.to_string(),
        };
        if line.starts_with('!') {
            return Err(CmdError::Message(format!("Command `{line}' is unknown")));
        }
        let (word, args) = split_command(&line);
        if let Some(def) = commands::find(word) {
            self.current = def.name;
            return (def.run)(self, args);
        }
        let candidates: Vec<&CommandDef> = commands::TABLE
            .iter()
            .filter(|c| c.internal_name().starts_with(word))
            .collect();
        match candidates.as_slice() {
            [one] => {
                // Reference quirk: every occurrence of the prefix is replaced.
                let full = if word.is_empty() {
                    line.clone()
                } else {
                    line.replace(word, one.internal_name())
                };
                let (w, a) = split_command(&full);
                if w == "help" && !a.is_empty() {
                    if let Some(msg) = commands::help::abbreviated_help_error(a) {
                        return Err(CmdError::Message(msg));
                    }
                }
                match commands::find(w) {
                    Some(def) => {
                        self.current = def.name;
                        // The reference drops the result of an abbreviated
                        // command: `qu` or `EO` do not end the session.
                        match (def.run)(self, a) {
                            Err(CmdError::Quit) => Ok(()),
                            other => other,
                        }
                    }
                    None => Err(CmdError::Message(format!("Command `{full}' is unknown"))),
                }
            }
            [] => Err(CmdError::Message(format!("***Command `{word}' unknown"))),
            _ => Err(CmdError::Message(format!("***Command `{word}' ambiguous"))),
        }
    }
}

/// The reference's `precmd`: `:config` and `config-from-file` get internal
/// names that the identifier-based parser can handle.
fn normalize_special(line: &str) -> String {
    if let Some(rest) = line.strip_prefix(":config") {
        format!("hot_config{rest}")
    } else if line.starts_with("config-from-file") {
        line.replace("config-from-file", "config_from_file")
    } else {
        line.to_string()
    }
}

/// Command word (longest `[A-Za-z0-9_]` prefix) and the stripped rest.
pub fn split_command(line: &str) -> (&str, &str) {
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(line.len());
    (&line[..end], line[end..].trim())
}
