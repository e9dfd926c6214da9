//! ntpq-rs: a drop-in replacement for NTPsec's `ntpq`.

use ntpq::cli::{self, Exit};
use ntpq::error::exit;
use ntpq::interpreter::Interpreter;
use ntpq::{hosts, repl, signal};

fn main() {
    std::process::exit(run());
}

/// `-V`/`--version` text on stdout; a closed pipe stays quiet, any other
/// write error is said (as for command output).
fn print_text(text: &str) -> i32 {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => exit::OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::FAILED,
        Err(e) => {
            let reason = ntpq::output::io_reason(&e);
            eprintln!("ntpq: cannot write to standard output: {reason}");
            exit::FAILED
        }
    }
}

fn run() -> i32 {
    let mut opts = match cli::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(Exit::Stdout(text)) => return print_text(&text),
        Err(Exit::Help) => {
            eprint!("{}", cli::USAGE);
            return exit::OK;
        }
        Err(Exit::Usage(text)) => {
            eprint!("{text}");
            return exit::USAGE;
        }
    };
    if let Some(keyfile) = &opts.keyfile {
        match ntp_auth::KeyFile::load(std::path::Path::new(keyfile)) {
            Ok(keys) => opts.keys = Some(keys),
            Err(e) if e.source.kind() == std::io::ErrorKind::InvalidData => {
                eprintln!("ntpq: {keyfile}: {}: not a key file", e.source);
                return exit::FAILED;
            }
            Err(_) => {
                eprint!("ntpq: {keyfile} nonexistent or unreadable");
                return exit::FAILED;
            }
        }
    }
    signal::install_sigint_handler();
    let mut interp = Interpreter::for_options(&opts);
    if let Some(log) = &opts.logfile {
        if let Err(e) = interp.out.set_log_file(Some(log)) {
            eprintln!("ntpq: cannot open log file {log}: {e}");
            return exit::USAGE;
        }
    }
    if opts.commands.is_empty() {
        if opts.hosts.len() > 1 {
            interp
                .out
                .warn("ntpq can only work interactively on one host.");
        }
        let (host, family) = &opts.hosts[0];
        interp.open_host(host, *family);
        repl::run(&mut interp);
    } else {
        hosts::run(&opts, &mut interp);
    }
    interp.out.flush();
    interp.exit_code()
}
