//! `ntpd-sim --listen 127.0.0.1:12345 --scenario FILE`

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;
use std::time::SystemTime;

use ntpd_sim::net::{bind_loopback, serve};
use ntpd_sim::{Scenario, ServerState};

const USAGE: &str = "usage: ntpd-sim --listen ADDR:PORT --scenario FILE";

fn main() -> ExitCode {
    let mut listen: Option<String> = None;
    let mut scenario: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--listen" | "-l" => listen = args.next(),
            "--scenario" | "-s" => scenario = args.next(),
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => {
                if let Some(v) = a.strip_prefix("--listen=") {
                    listen = Some(v.to_string());
                } else if let Some(v) = a.strip_prefix("--scenario=") {
                    scenario = Some(v.to_string());
                } else {
                    eprintln!("ntpd-sim: unknown argument {a:?}\n{USAGE}");
                    return ExitCode::from(2);
                }
            }
        }
    }
    let (Some(listen), Some(scenario)) = (listen, scenario) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let bind: SocketAddr = match listen.parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("ntpd-sim: bad --listen address {listen:?}: {e}");
            return ExitCode::from(2);
        }
    };
    let scenario = match Scenario::load(&scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ntpd-sim: {e}");
            return ExitCode::FAILURE;
        }
    };
    let socket = match bind_loopback(bind) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ntpd-sim: cannot listen on {bind}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = match socket.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("ntpd-sim: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on {addr}");
    let _ = std::io::stdout().flush();
    let state = Mutex::new(ServerState::new(scenario, SystemTime::now()));
    let stop = AtomicBool::new(false);
    serve(&socket, &state, &stop);
    ExitCode::SUCCESS
}
