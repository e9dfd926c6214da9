//! The in-process test harness: the simulator's server core
//! ([`ntpd_sim::ServerState`]) behind the [`Transport`] trait on a virtual
//! clock — no sockets, no waiting, no root — and an interpreter writing
//! to memory.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Write;
use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ntp_control::mru::MruRetrieval;
use ntp_control::Query;
use ntpd_sim::{Scenario, ServerState};

use crate::auth::{Auth, Prompt};
use crate::client::Client;
use crate::context::{RunKind, Settings};
use crate::interpreter::{Flow, Interpreter};
use crate::names::{Lookup, NameResolver};
use crate::output::Output;
use crate::resolve::Family;
use crate::transport::{
    AfterSend, Connect, Conversation, Failure, QueryParams, ReadReplies, Transport,
};

const SERVER: &str = "127.0.0.1:123";
const CLIENT: &str = "127.0.0.1:40000";

/// A simulated server and the requests it was sent.
pub struct SimServer {
    state: ServerState,
    start: SystemTime,
    /// Virtual time since the start.
    elapsed: Duration,
    pub requests: Vec<Vec<u8>>,
}

impl SimServer {
    /// The server core (its MRU list, for comparing what a command showed).
    pub fn state(&self) -> &ServerState {
        &self.state
    }
}

pub type Shared = Rc<RefCell<SimServer>>;

pub fn server(toml: &str) -> Shared {
    let scenario = Scenario::from_toml_str(toml).expect("scenario");
    let start = UNIX_EPOCH + Duration::from_secs(1_790_000_000);
    Rc::new(RefCell::new(SimServer {
        state: ServerState::new(scenario, start),
        start,
        elapsed: Duration::ZERO,
        requests: Vec::new(),
    }))
}

/// A [`Transport`] to a [`SimServer`]: requests are answered as they are
/// sent; with nothing to read, time jumps to the conversation's deadline.
pub struct MemoryTransport {
    server: Shared,
    /// The virtual clock's zero: now is `origin` + the server's elapsed time.
    origin: Instant,
}

impl MemoryTransport {
    fn drive<C: Conversation>(
        &mut self,
        c: &mut C,
        out: &mut Output<dyn Write>,
        params: &QueryParams,
        after_send: &mut AfterSend<'_, C>,
    ) -> Result<(), Failure> {
        let from: SocketAddr = CLIENT.parse().expect("address");
        let server: SocketAddr = SERVER.parse().expect("address");
        let base = self.now();
        let mut now = base;
        // A bound, so that a bug cannot hang the test run.
        for _ in 0..100_000 {
            c.log_events(out, params.debug);
            let mut replies = Vec::new();
            while let Some(pkt) = c.poll_transmit() {
                let mut s = self.server.borrow_mut();
                let at = s.start + s.elapsed + (now - base);
                s.requests.push(pkt.clone());
                replies.extend(s.state.handle(at, from, &pkt));
            }
            if after_send(c, out).is_break() {
                break;
            }
            c.log_events(out, params.debug);
            if c.is_finished() {
                break;
            }
            if replies.is_empty() {
                let Some(deadline) = c.deadline() else {
                    break;
                };
                now = now.max(deadline);
                c.handle_timeout(now);
            } else {
                for r in &replies {
                    c.handle_datagram(now, server, r);
                }
            }
        }
        self.server.borrow_mut().elapsed += now - base;
        Ok(())
    }
}

impl Transport for MemoryTransport {
    fn server(&self) -> SocketAddr {
        SERVER.parse().expect("address")
    }

    fn exchange(
        &mut self,
        q: &mut Query,
        out: &mut Output<dyn Write>,
        params: &QueryParams,
    ) -> Result<(), Failure> {
        self.drive(q, out, params, &mut |_, _| ControlFlow::Continue(()))
    }

    fn retrieve(
        &mut self,
        m: &mut MruRetrieval,
        out: &mut Output<dyn Write>,
        params: &QueryParams,
        read: &mut ReadReplies<'_>,
    ) -> Result<(), Failure> {
        self.drive(m, out, params, read)
    }

    fn now(&self) -> Instant {
        self.origin + self.server.borrow().elapsed
    }

    /// No waiting: the virtual clock jumps.
    fn pause(&mut self, interval: Duration, left: Option<Duration>) -> bool {
        self.server.borrow_mut().elapsed += left.map_or(interval, |l| l.min(interval));
        left.is_some_and(|l| l <= interval)
    }
}

/// Hosts by name: each a [`SimServer`]; other names fail to resolve.
#[derive(Default)]
pub struct MemoryConnect {
    pub hosts: Vec<(String, Shared)>,
}

impl Connect for MemoryConnect {
    fn connect(&mut self, host: &str, _: Family) -> Result<Box<dyn Transport>, Vec<String>> {
        match self.hosts.iter().find(|(name, _)| name == host) {
            Some((_, s)) => Ok(Box::new(MemoryTransport {
                server: Rc::clone(s),
                origin: Instant::now(),
            })),
            None => Err(vec![format!("ntpq: lookup of {host} failed")]),
        }
    }
}

/// Answers prompts from a list; records what was asked.
pub struct ScriptedPrompt {
    pub answers: VecDeque<String>,
    pub asked: Rc<RefCell<Vec<String>>>,
}

impl Prompt for ScriptedPrompt {
    fn can_ask(&self) -> bool {
        true
    }
    fn ask(&mut self, prompt: &str, _echo: bool) -> Option<String> {
        self.asked.borrow_mut().push(prompt.to_string());
        self.answers.pop_front()
    }
}

/// Reverse lookups that find no names (tests never use the resolver).
struct NoNames;

impl Lookup for NoNames {
    fn reverse(&self, _: std::net::IpAddr) -> Option<String> {
        None
    }
    fn forward(&self, _: &str) -> Vec<std::net::IpAddr> {
        Vec::new()
    }
    fn canonicalize(&self, text: &str) -> String {
        text.to_string()
    }
}

/// An interpreter on a simulated host named `sim`, writing to memory.
pub struct Harness {
    pub interp: Interpreter<Vec<u8>>,
    pub server: Shared,
    /// The prompts the credential procedure showed.
    pub asked: Rc<RefCell<Vec<String>>>,
}

/// What one line printed.
#[derive(Debug)]
pub struct Ran {
    pub stdout: String,
    pub stderr: String,
    pub flow: Flow,
    pub failed: bool,
}

impl Harness {
    pub fn new(toml: &str) -> Harness {
        Harness::with_auth(toml, None, &[])
    }

    /// With a key file (its text) and answers for the prompts.
    pub fn with_auth(toml: &str, keys: Option<&str>, answers: &[&str]) -> Harness {
        let server = server(toml);
        let connect = MemoryConnect {
            hosts: vec![("sim".to_string(), Rc::clone(&server))],
        };
        let keyfile = keys.map(|k| ntp_auth::KeyFile::parse(k, std::path::Path::new("test.keys")));
        let asked = Rc::new(RefCell::new(Vec::new()));
        let prompt = ScriptedPrompt {
            answers: answers.iter().map(|a| a.to_string()).collect(),
            asked: Rc::clone(&asked),
        };
        let mut auth = Auth::new(keyfile);
        // Whatever NTPQ_MAC_ALIGN says: the tests set the alignment.
        auth.forced = false;
        auth.align = ntp_auth::Align::Eight;
        let client = Client::new(Box::new(connect), auth, Box::new(prompt));
        let settings = Settings {
            hostnames: 0,
            ..Settings::default()
        };
        let names = NameResolver::with_lookup(1, Arc::new(NoNames));
        let mut interp = Interpreter::new(
            client,
            settings,
            RunKind::default(),
            Output::memory(),
            names,
        );
        assert!(interp.open_host("sim", Family::Any));
        Harness {
            interp,
            server,
            asked,
        }
    }

    /// Runs one line; what it printed, with the failure flag it left.
    pub fn run(&mut self, line: &str) -> Ran {
        self.interp.out.clear();
        self.interp.failed = false;
        let flow = self.interp.run_line(line);
        Ran {
            stdout: self.interp.out.stdout_text(),
            stderr: self.interp.out.stderr_text(),
            flow,
            failed: self.interp.failed,
        }
    }

    /// Requests the server has received so far.
    pub fn requests(&self) -> usize {
        self.server.borrow().requests.len()
    }
}

use std::sync::Arc;

/// A server never answering.
pub const SILENT: &str = "[faults]\nsilence = true\n";
