//! The in-process test harness: the simulator's server core
//! ([`ntpd_sim::ServerState`]) as a [`MemoryServer`] — no sockets, no
//! waiting, no root — and an interpreter writing to memory.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ntpd_sim::{Scenario, ServerState};

use crate::auth::{Auth, Prompt};
use crate::client::Client;
use crate::context::{RunKind, Settings};
use crate::interpreter::{Flow, Interpreter};
use crate::memory::{MemoryServer, MemoryTransport, NoNames};
use crate::names::NameResolver;
use crate::output::Output;
use crate::resolve::Family;
use crate::transport::{Connect, Transport};

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

impl MemoryServer for SimServer {
    fn answer(&mut self, at: Duration, request: &[u8]) -> Vec<Vec<u8>> {
        self.requests.push(request.to_vec());
        let client: SocketAddr = CLIENT.parse().expect("address");
        self.state.handle(self.start + at, client, request)
    }
    fn elapsed(&mut self) -> &mut Duration {
        &mut self.elapsed
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
            Some((_, s)) => Ok(Box::new(MemoryTransport::new(Rc::clone(s) as _))),
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
