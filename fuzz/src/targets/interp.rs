//! The interpreter as the operator drives it — command lines typed at
//! the prompt (`repl`) against a simulated ntpd, and a fixed set of
//! commands against a server whose every reply the input writes
//! (`hostile_server`) — in memory, on a virtual clock. What reaches the
//! terminal must never carry a server's control characters.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use arbitrary::Unstructured;
use ntp_control::header::{encode_error, encode_response, Header, ServerErrorCode};
use ntpd_sim::ServerState;
use ntpq::auth::{Auth, Prompt};
use ntpq::client::Client;
use ntpq::commands::TABLE;
use ntpq::context::{RunKind, Settings};
use ntpq::interpreter::{split_command, Flow, Interpreter};
use ntpq::memory::{MemoryServer, MemoryTransport, NoNames};
use ntpq::names::NameResolver;
use ntpq::output::Output;
use ntpq::resolve::Family;
use ntpq::transport::{Connect, Transport};

use super::{assert_visible, client_addr, scenario, t0};

/// A server answering each request from a function of the time since the
/// start and the request.
struct AnswerFn<F> {
    answer: F,
    elapsed: Duration,
}

impl<F: FnMut(Duration, &[u8]) -> Vec<Vec<u8>>> MemoryServer for AnswerFn<F> {
    fn answer(&mut self, at: Duration, request: &[u8]) -> Vec<Vec<u8>> {
        (self.answer)(at, request)
    }
    fn elapsed(&mut self) -> &mut Duration {
        &mut self.elapsed
    }
}

type Shared = Rc<RefCell<dyn MemoryServer>>;

fn answering(answer: impl FnMut(Duration, &[u8]) -> Vec<Vec<u8>> + 'static) -> Shared {
    Rc::new(RefCell::new(AnswerFn {
        answer,
        elapsed: Duration::ZERO,
    }))
}

/// One host, `sim`; any other name fails to resolve (no DNS).
struct FuzzConnect(Shared);

impl Connect for FuzzConnect {
    fn connect(&mut self, host: &str, _: Family) -> Result<Box<dyn Transport>, Vec<String>> {
        if host == "sim" {
            Ok(Box::new(MemoryTransport::new(Rc::clone(&self.0))))
        } else {
            Err(vec![format!("ntpq: lookup of {host} failed")])
        }
    }
}

/// Answers every password prompt.
struct FixedPrompt;

impl Prompt for FixedPrompt {
    fn can_ask(&self) -> bool {
        true
    }
    fn ask(&mut self, _: &str, _: bool) -> Option<String> {
        Some("fuzz".to_string())
    }
}

const KEYS: &str = "1 MD5 fuzzkey\n2 SHA1 0123456789abcdef0123456789abcdef01234567\n3 AES 0123456789abcdef0123456789abcdef\n";

fn interpreter(server: Shared) -> Interpreter<Vec<u8>> {
    let keys = ntp_auth::KeyFile::parse(KEYS, std::path::Path::new("fuzz.keys"));
    let mut auth = Auth::new(Some(keys));
    auth.forced = false;
    auth.align = ntp_auth::Align::Eight;
    let client = Client::new(Box::new(FuzzConnect(server)), auth, Box::new(FixedPrompt));
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
    interp
}

/// Commands that open files by a name on the line (`logfile`,
/// `config-from-file`), or a prefix that could become one: not run, so
/// that fuzzing never writes or reads the machine's files.
fn touches_files(line: &str) -> bool {
    let line = match line.strip_prefix("config-from-file") {
        Some(rest) => format!("config_from_file{rest}"),
        None => line.to_string(),
    };
    let (word, _) = split_command(line.trim());
    !word.is_empty()
        && TABLE
            .iter()
            .filter(|c| c.name == "logfile" || c.name == "config-from-file")
            .any(|c| c.parsed_as.starts_with(word))
}

/// Runs `line`; with `check`, what it printed must carry no control
/// characters but line ends and tabs (`raw` mode keeps the server's CR).
/// (A line the operator typed may come back in an error message as typed.)
fn run_line(interp: &mut Interpreter<Vec<u8>>, line: &str, check: bool) -> Flow {
    interp.out.clear();
    let flow = interp.run_line(line);
    if std::env::var_os("NTPQ_FUZZ_VERBOSE").is_some() {
        eprintln!(
            "ntpq> {line}\n{}{}",
            interp.out.stdout_text().escape_debug(),
            interp.out.stderr_text().escape_debug()
        );
    }
    if !check {
        return flow;
    }
    let raw = interp.settings.raw;
    let allowed = if raw { "\n\r" } else { "\n" };
    assert_visible(&interp.out.stdout_text(), allowed);
    assert_visible(&interp.out.stderr_text(), allowed);
    flow
}

const REPL_SCENARIO: &str = include_str!("../../../crates/ntpd-sim/scenarios/demo.toml");

/// Lines typed at the prompt, against the demo scenario.
pub fn repl(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut state = ServerState::new(scenario(REPL_SCENARIO), t0());
    let server = answering(move |at, pkt| state.handle(t0() + at, client_addr(), pkt));
    let mut interp = interpreter(server);
    for line in text.lines().take(24) {
        // `mrulist follow` polls until Ctrl-C.
        if touches_files(line) || line.contains("follow") {
            continue;
        }
        if run_line(&mut interp, line, false) != Flow::Continue {
            break;
        }
    }
}

/// The commands run against the hostile server.
const COMMANDS: &[&str] = &[
    "rv",
    "rv 0 refid,stratum,clock",
    "peers",
    "apeers",
    "opeers",
    "rpeers",
    "associations",
    "lassociations",
    "readlist 1",
    "cv",
    "clocklist",
    "mreadvar 1 3",
    "pstats 1",
    "sysinfo",
    "sysstats",
    "kerninfo",
    "monstats",
    "iostats",
    "timerstats",
    "authinfo",
    "ntsinfo",
    "mssntpinfo",
    "ifstats",
    "reslist",
    "mrulist",
    "mrulist sort=addr stats",
    "mrulist direct",
    ":config server 1.2.3.4",
    "writevar 0 a=1",
];

/// A server whose replies come from the input: for each request, its own
/// text as a reply to it (split into fragments), an error code, garbage,
/// or silence. `raw`, `units`, `debug` and `hostnames` settings vary.
pub fn hostile_server(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let settings: u8 = u.arbitrary().unwrap_or(0);
    let commands: Vec<&str> = (0..u.int_in_range(1..=4).unwrap_or(1))
        .map(|_| COMMANDS[u.choose_index(COMMANDS.len()).unwrap_or(0)])
        .collect();
    let script = Rc::new(RefCell::new(u.take_rest().to_vec()));
    let answers = Rc::clone(&script);
    let server = answering(move |_at, pkt| {
        let bytes = answers.borrow();
        let mut u = Unstructured::new(&bytes);
        let replies = hostile_reply(&mut u, pkt);
        let used = bytes.len() - u.len();
        drop(bytes);
        answers.borrow_mut().drain(..used);
        replies
    });
    let mut interp = interpreter(server);
    interp.settings.raw = settings & 1 != 0;
    interp.settings.units = settings & 2 != 0;
    interp.settings.debug = i64::from((settings >> 2) & 3);
    interp.settings.hostnames = (settings >> 4) & 3;
    interp.settings.direct = settings & 0x40 != 0;
    for cmd in commands {
        if run_line(&mut interp, cmd, true) != Flow::Continue {
            break;
        }
    }
}

fn hostile_reply(u: &mut Unstructured, request: &[u8]) -> Vec<Vec<u8>> {
    let Some(req) = Header::decode(request) else {
        return Vec::new();
    };
    if u.is_empty() {
        return Vec::new();
    }
    match u.int_in_range(0u8..=5).unwrap_or(0) {
        0..=2 => {
            let len = u.int_in_range(0..=1500usize).unwrap_or(0);
            let text = u.bytes(len).unwrap_or(&[]);
            let status: u16 = u.arbitrary().unwrap_or(0);
            let mut reply = encode_response(&req, 0, status, text);
            if u.ratio(1u8, 8).unwrap_or(false) {
                reply.reverse();
            }
            reply
        }
        3 => vec![encode_error(
            &req,
            0,
            ServerErrorCode(u.arbitrary().unwrap_or(0)),
        )],
        4 => {
            let len = u.int_in_range(0..=600usize).unwrap_or(0);
            vec![u.bytes(len).unwrap_or(&[]).to_vec()]
        }
        _ => Vec::new(),
    }
}
