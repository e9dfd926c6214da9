//! `dns-stub --listen 127.0.0.53:53 [--hosts FILE] [--rule CIDR=KIND]…
//!           [--zone example.test] [--delay-ms N] [-v]`
//!
//! Serves UDP and TCP on one loopback address until killed. Prints
//! `listening on <addr>` once bound; with `-v` one line per query on stderr.
//! With `--delay-ms` every answer leaves N ms after its query arrived
//! (queries are still taken concurrently, like a slow upstream server).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use dns_stub::{respond, Rule, Zone};

const USAGE: &str = "usage: dns-stub --listen ADDR:PORT [--hosts FILE] [--rule CIDR=host|mismatch|nxdomain|mix]... [--zone NAME] [--delay-ms N] [-v]";

struct Config {
    zone: Zone,
    delay: Duration,
    verbose: bool,
    queries: AtomicU64,
}

fn log(cfg: &Config, proto: &str, peer: SocketAddr, query: &[u8], rcode: u8, answers: usize) {
    cfg.queries.fetch_add(1, Ordering::Relaxed);
    if !cfg.verbose {
        return;
    }
    let what = match dns_stub::parse_query(query) {
        Ok(q) => format!("type {} {}", q.qtype, q.name),
        Err(_) => "malformed".to_string(),
    };
    eprintln!("{proto} {peer} {what} -> rcode {rcode} answers {answers}");
}

fn serve_udp(sock: UdpSocket, cfg: Arc<Config>) {
    let Ok(out) = sock.try_clone() else {
        eprintln!("dns-stub: cannot clone the UDP socket");
        return;
    };
    // Answers are queued with their due time; the delay is constant, so the
    // queue is in due order and one sender thread suffices.
    let (tx, rx) = mpsc::channel::<(Instant, SocketAddr, Vec<u8>)>();
    std::thread::spawn(move || {
        for (due, peer, reply) in rx {
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
            let _ = out.send_to(&reply, peer);
        }
    });
    let mut buf = [0u8; 4096];
    loop {
        let (n, peer) = match sock.recv_from(&mut buf) {
            Ok(x) => x,
            Err(_) => continue,
        };
        let arrived = Instant::now();
        let query = &buf[..n];
        if let Some((reply, rcode, answers)) = respond(&cfg.zone, query, 512) {
            log(&cfg, "udp", peer, query, rcode, answers);
            if tx.send((arrived + cfg.delay, peer, reply)).is_err() {
                return;
            }
        }
    }
}

fn serve_tcp_conn(mut conn: TcpStream, peer: SocketAddr, cfg: &Config) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    loop {
        let mut len = [0u8; 2];
        if conn.read_exact(&mut len).is_err() {
            return;
        }
        let mut query = vec![0u8; usize::from(u16::from_be_bytes(len))];
        if conn.read_exact(&mut query).is_err() {
            return;
        }
        let Some((reply, rcode, answers)) = respond(&cfg.zone, &query, 65535) else {
            return;
        };
        log(cfg, "tcp", peer, &query, rcode, answers);
        std::thread::sleep(cfg.delay);
        let mut framed = (reply.len() as u16).to_be_bytes().to_vec();
        framed.extend_from_slice(&reply);
        if conn.write_all(&framed).is_err() {
            return;
        }
    }
}

fn main() -> ExitCode {
    let mut listen: Option<String> = None;
    let mut zone_name = "example.test".to_string();
    let mut hosts: Vec<String> = Vec::new();
    let mut rules: Vec<String> = Vec::new();
    let mut delay_ms: u64 = 0;
    let mut verbose = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next());
        match flag.as_str() {
            "--listen" | "-l" => listen = value(),
            "--hosts" => hosts.extend(value()),
            "--rule" => rules.extend(value()),
            "--zone" => zone_name = value().unwrap_or(zone_name),
            "--delay-ms" => match value().and_then(|v| v.parse().ok()) {
                Some(v) => delay_ms = v,
                None => {
                    eprintln!("dns-stub: --delay-ms needs a number\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "-v" | "--verbose" => verbose = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => {
                eprintln!("dns-stub: unknown argument {a:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(listen) = listen else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let bind: SocketAddr = match listen.parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("dns-stub: bad --listen address {listen:?}: {e}");
            return ExitCode::from(2);
        }
    };
    if !bind.ip().is_loopback() {
        eprintln!("dns-stub: only loopback addresses are served ({bind} is not)");
        return ExitCode::from(2);
    }
    let mut zone = Zone::new(&zone_name);
    for path in &hosts {
        let loaded = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| zone.load_hosts(&text));
        if let Err(e) = loaded {
            eprintln!("dns-stub: {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    for r in &rules {
        match Rule::parse(r) {
            Ok(rule) => zone.add_rule(rule),
            Err(e) => {
                eprintln!("dns-stub: --rule {r}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let udp = match UdpSocket::bind(bind) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("dns-stub: cannot listen on udp {bind}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bound = udp.local_addr().unwrap_or(bind);
    let tcp = match TcpListener::bind(bound) {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!("dns-stub: no TCP on {bound}: {e}");
            None
        }
    };
    let cfg = Arc::new(Config {
        zone,
        delay: Duration::from_millis(delay_ms),
        verbose,
        queries: AtomicU64::new(0),
    });
    if let Some(tcp) = tcp {
        let cfg = Arc::clone(&cfg);
        std::thread::spawn(move || {
            for conn in tcp.incoming().flatten() {
                let cfg = Arc::clone(&cfg);
                let peer = conn
                    .peer_addr()
                    .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
                std::thread::spawn(move || serve_tcp_conn(conn, peer, &cfg));
            }
        });
    }
    println!("listening on {bound}");
    let _ = std::io::stdout().flush();
    serve_udp(udp, cfg);
    ExitCode::FAILURE
}
