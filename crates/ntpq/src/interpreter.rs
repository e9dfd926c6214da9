//! The interpreter: settings, run state, the association cache, the
//! variable list and the name resolver around a [`Client`], and the line
//! parser that finds a command in the table (commands.md §2) and runs its
//! handler with a [`Context`].

use std::collections::BTreeSet;
use std::io::{BufWriter, Stdout, Write};

use crate::auth::{Auth, TerminalPrompt};
use crate::cli::Options;
use crate::client::Client;
use crate::commands::{self, help, CommandDef, TABLE};
use crate::context::{Context, RunKind, Settings};
use crate::error::{exit, CmdError, CmdResult};
use crate::explain::{explain, Attempt};
use crate::names::NameResolver;
use crate::output::Output;
use crate::resolve::Family;
use crate::session::UdpConnect;
use crate::signal;

/// What the caller does after a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// `quit`, `exit` or `EOF` typed in full: the REPL ends.
    Quit,
    /// The run is over: a command ended it, or the output is gone.
    Stop,
}

pub struct Interpreter<W: Write + 'static = BufWriter<Stdout>> {
    pub client: Client,
    pub settings: Settings,
    peers: Vec<(u16, u16)>,
    varlist: Vec<(String, String)>,
    var_names: BTreeSet<String>,
    names: NameResolver,
    pub run: RunKind,
    pub out: Output<W>,
    /// A command failed: the exit status is 1.
    pub failed: bool,
    /// Ctrl-C was pressed during the last command.
    pub interrupted: bool,
    /// A command ended the whole run (`CmdError::EndRun`).
    ended: bool,
}

impl Interpreter {
    /// The program's interpreter for the command line: UDP, the terminal
    /// for password prompts, stdout and stderr.
    pub fn for_options(opts: &Options) -> Interpreter {
        Interpreter::for_options_into(opts, Output::new(), true)
    }
}

impl<W: Write + 'static> Interpreter<W> {
    /// As [`Interpreter::for_options`], writing to `out`; the key file's
    /// warnings are printed when `warn` (once per run).
    pub fn for_options_into(opts: &Options, mut out: Output<W>, warn: bool) -> Interpreter<W> {
        out.mode = opts.output_mode;
        let settings = Settings {
            units: opts.units,
            hostnames: opts.hostnames,
            wide: opts.wide,
            width: opts.width,
            debug: opts.debug,
            family: opts.family,
            ..Settings::default()
        };
        let run = RunKind {
            multi_host: if !opts.commands.is_empty() && opts.hosts.len() > 1 {
                opts.hosts.iter().map(|(h, _)| h.chars().count()).max()
            } else {
                None
            },
            batch: !opts.commands.is_empty(),
        };
        // Read once by main(), whatever the number of hosts.
        let keyfile = opts.keys.clone();
        if let Some(kf) = keyfile.as_ref().filter(|_| warn) {
            for w in &kf.warnings {
                out.warn_code("key_file", w);
            }
        }
        let mut auth = Auth::new(keyfile);
        auth.keyid = opts.keyid;
        let client = Client::new(Box::new(UdpConnect), auth, Box::new(TerminalPrompt));
        Interpreter::new(client, settings, run, out, NameResolver::from_env())
    }
}

impl<W: Write + 'static> Interpreter<W> {
    pub fn new(
        client: Client,
        settings: Settings,
        run: RunKind,
        out: Output<W>,
        names: NameResolver,
    ) -> Interpreter<W> {
        Interpreter {
            client,
            settings,
            peers: Vec::new(),
            varlist: Vec::new(),
            var_names: BTreeSet::new(),
            names,
            run,
            out,
            failed: false,
            interrupted: false,
            ended: false,
        }
    }

    /// Opens `host`; on failure prints the lookup messages and returns false.
    pub fn open_host(&mut self, host: &str, family: Family) -> bool {
        self.client
            .open(host, family, &mut self.out, self.settings.debug)
    }

    pub fn close_host(&mut self) {
        self.client.close();
    }

    /// Whether the association cache (which belongs to the process, not
    /// to a host) is empty: a command with an association argument reads
    /// the list first when it is.
    pub fn associations_cached(&self) -> bool {
        !self.peers.is_empty()
    }

    /// The association ids of the last association list.
    pub fn association_ids(&self) -> Vec<u16> {
        self.peers.iter().map(|(id, _)| *id).collect()
    }

    /// Variable names servers sent this session.
    pub fn variable_names(&self) -> &BTreeSet<String> {
        &self.var_names
    }

    /// Starts a host's part of a run as if an earlier host had filled the
    /// association cache: its content is never read by the commands that
    /// may run that way (`crate::hosts`), only whether it is empty.
    pub fn assume_associations_cached(&mut self) {
        self.peers = vec![(0, 0)];
    }

    /// The exit status of the run so far.
    pub fn exit_code(&self) -> i32 {
        if self.out.broken {
            // A closed pipe (`ntpq ... | head`): end quietly.
            exit::FAILED
        } else if self.interrupted {
            exit::INTERRUPTED
        } else if self.failed || self.out.write_failed() {
            exit::FAILED
        } else {
            exit::OK
        }
    }

    /// Runs one input line: the reference's parsing, prefix matching and
    /// messages; records failure, Ctrl-C and the end of the run.
    pub fn run_line(&mut self, line: &str) -> Flow {
        self.out.host = self.client.host_name().map(str::to_string);
        let (def, result) = self.dispatch(line);
        let mut flow = Flow::Continue;
        match &result {
            Ok(()) => {}
            Err(CmdError::Quit) => flow = Flow::Quit,
            Err(CmdError::Usage) => {
                if let Some(text) = def.and_then(|d| d.usage) {
                    if self.out.mode.is_json() {
                        self.out.problem("error", "usage", text, None);
                    } else {
                        self.out.warn(text);
                    }
                }
                self.failed = true;
            }
            Err(e) if self.out.mode.is_json() => {
                let explanation = self.explanation(e);
                let refused = self.client.refused();
                self.failed |= e.report_json(&mut self.out, explanation, refused);
                match e.root() {
                    CmdError::Interrupted => self.interrupted = true,
                    CmdError::EndRun(_) => self.ended = true,
                    _ => {}
                }
            }
            Err(e) => {
                self.failed |= e.report(&mut self.out);
                self.explain(e);
                match e.root() {
                    CmdError::Interrupted => self.interrupted = true,
                    CmdError::EndRun(_) => self.ended = true,
                    _ => {}
                }
            }
        }
        self.out.flush();
        if signal::take_interrupt() {
            self.interrupted = true;
        }
        if self.ended || self.out.broken {
            flow = Flow::Stop;
        }
        flow
    }

    /// After a failed query's message: the host, the address and the
    /// likely cause (`crate::explain`).
    fn explain(&mut self, e: &CmdError) {
        if let Some(line) = self.explanation(e) {
            self.out.warn(&format!("ntpq: {line}"));
        }
    }

    /// The likely cause of a failed query, when one is known.
    fn explanation(&self, e: &CmdError) -> Option<String> {
        let mut e = e;
        while let CmdError::EndRun(inner) | CmdError::WithHint { error: inner, .. } = e {
            e = inner;
        }
        let CmdError::Query(q) = e else {
            return None;
        };
        let (Some(host), Some(addr)) = (self.client.host_name(), self.client.server_addr()) else {
            return None;
        };
        let attempt = Attempt {
            host,
            addr,
            timeout_ms: self.settings.primary_timeout_ms,
            keyid: self.client.signed_with,
            refused: self.client.refused(),
        };
        explain(q, &attempt)
    }

    /// Runs `def`'s handler; a problem it reported and went on after
    /// fails it too.
    fn call(&mut self, def: &'static CommandDef, args: &str) -> CmdResult {
        let mut cx = Context::new(
            &mut self.client,
            &mut self.settings,
            &mut self.peers,
            &mut self.varlist,
            &mut self.var_names,
            &mut self.names,
            self.run,
            &mut self.out,
        );
        // JSON mode: settings only confirm (nothing on stdout); texts
        // for people come as one record.
        let json = cx.out.mode.is_json();
        cx.out.quiet = json && commands::json_quiet::is_quiet(def.parsed_as);
        if json && commands::json_quiet::is_text(def.parsed_as) {
            cx.out.captured = Some(String::new());
        }
        let result = (def.run)(&mut cx, args);
        cx.out.quiet = false;
        if let Some(text) = cx.out.captured.take() {
            let mut r = cx.out.record_head("text");
            r.insert("command".into(), def.name.into());
            r.insert("text".into(), text.into());
            cx.out.record(r);
        }
        match result {
            Ok(()) if cx.reported_failure() => Err(CmdError::Reported),
            other => other,
        }
    }

    /// Finds the command of `line` and runs it.
    fn dispatch(&mut self, line: &str) -> (Option<&'static CommandDef>, CmdResult) {
        let line = normalize_special(line);
        let line = line.trim();
        if line.is_empty() {
            return (None, Ok(()));
        }
        let line = match line.strip_prefix('?') {
            Some(rest) => format!("help {rest}"),
            None => line.to_string(),
        };
        if line.starts_with('!') {
            return (
                None,
                Err(CmdError::UnknownCommand(format!(
                    "Command `{line}' is unknown"
                ))),
            );
        }
        let (word, args) = split_command(&line);
        if let Some(def) = commands::find(word) {
            return (Some(def), self.call(def, args));
        }
        let candidates: Vec<&CommandDef> = TABLE
            .iter()
            .filter(|c| c.parsed_as.starts_with(word))
            .collect();
        match candidates.as_slice() {
            [one] => {
                // Reference quirk: every occurrence of the prefix is replaced.
                let full = if word.is_empty() {
                    line.clone()
                } else {
                    line.replace(word, one.parsed_as)
                };
                let (w, a) = split_command(&full);
                if w == "help" && !a.is_empty() {
                    if let Some(msg) = help::abbreviated_help_error(&commands::topics(), a) {
                        return (None, Err(CmdError::Message(msg)));
                    }
                }
                match commands::find(w) {
                    // The reference drops the result of an abbreviated
                    // command: `qu` or `EO` do not end the session.
                    Some(def) => match self.call(def, a) {
                        Err(CmdError::Quit) => (Some(def), Ok(())),
                        other => (Some(def), other),
                    },
                    None => (
                        None,
                        Err(CmdError::UnknownCommand(format!(
                            "Command `{full}' is unknown"
                        ))),
                    ),
                }
            }
            [] => (
                None,
                Err(CmdError::UnknownCommand(format!(
                    "***Command `{word}' unknown"
                ))),
            ),
            _ => (
                None,
                Err(CmdError::UnknownCommand(format!(
                    "***Command `{word}' ambiguous"
                ))),
            ),
        }
    }
}

/// The command `line` runs and its arguments, found as `dispatch` finds
/// them (None: unknown, ambiguous or empty).
pub fn command_of(line: &str) -> Option<(&'static CommandDef, String)> {
    let line = normalize_special(line);
    let line = line.trim();
    let line = match line.strip_prefix('?') {
        Some(rest) => format!("help {rest}"),
        None => line.to_string(),
    };
    let (word, args) = split_command(&line);
    if line.is_empty() || line.starts_with('!') {
        return None;
    }
    if let Some(def) = commands::find(word) {
        return Some((def, args.to_string()));
    }
    let mut candidates = TABLE.iter().filter(|c| c.parsed_as.starts_with(word));
    let one = candidates.next()?;
    if candidates.next().is_some() || word.is_empty() {
        return None;
    }
    let full = line.replace(word, one.parsed_as);
    let (w, a) = split_command(&full);
    commands::find(w).map(|def| (def, a.to_string()))
}

/// The reference's `precmd`: commands whose names are not identifiers
/// get the parser's names (`:config` once, `config-from-file` everywhere
/// in the line, as 1.2.2 does).
fn normalize_special(line: &str) -> String {
    for def in TABLE.iter().filter(|d| d.parsed_as != d.name) {
        if let Some(rest) = line.strip_prefix(def.name) {
            return if def.name.starts_with(':') {
                format!("{}{rest}", def.parsed_as)
            } else {
                line.replace(def.name, def.parsed_as)
            };
        }
    }
    line.to_string()
}

/// Command word (longest `[A-Za-z0-9_]` prefix) and the stripped rest.
pub fn split_command(line: &str) -> (&str, &str) {
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(line.len());
    (&line[..end], line[end..].trim())
}
