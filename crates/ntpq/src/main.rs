//! ntpq-rs: a drop-in replacement for NTPsec's `ntpq`.

use ntpq::cli::{self, Exit};
use ntpq::error::exit;
use ntpq::{app, repl, session};

fn main() {
    std::process::exit(run());
}

fn run() -> i32 {
    let opts = match cli::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(Exit::Stdout(text)) => {
            print!("{text}");
            return exit::OK;
        }
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
        match ntp_auth::read_limited(std::path::Path::new(keyfile), ntp_auth::MAX_KEY_FILE_BYTES) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                eprintln!("ntpq: {keyfile}: {e}: not a key file");
                return exit::FAILED;
            }
            Err(_) => {
                eprint!("ntpq: {keyfile} nonexistent or unreadable");
                return exit::FAILED;
            }
        }
    }
    session::install_sigint_handler();
    let mut app = match app::App::new(&opts) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("ntpq: cannot start: {e}");
            return exit::FAILED;
        }
    };
    if let Some(log) = &opts.logfile {
        if let Err(e) = app.out.set_log_file(Some(log)) {
            eprintln!("ntpq: cannot open log file {log}: {e}");
            return exit::USAGE;
        }
    }
    if opts.commands.is_empty() {
        if opts.hosts.len() > 1 {
            app.out
                .warn("ntpq can only work interactively on one host.");
        }
        let (host, family) = &opts.hosts[0];
        app.open_host(host, *family);
        repl::run(&mut app);
    } else {
        'hosts: for (host, family) in &opts.hosts {
            if !app.open_host(host, *family) {
                app.failed = true;
                continue;
            }
            for command in &opts.commands {
                let _ = app.run_line(command);
                if app.interrupted || app.out.broken || app.stop {
                    break 'hosts;
                }
            }
            app.close_host();
        }
    }
    app.out.flush();
    if app.out.broken {
        // A closed pipe (`ntpq ... | head`): end quietly.
        exit::FAILED
    } else if app.interrupted {
        exit::INTERRUPTED
    } else if app.failed {
        exit::FAILED
    } else {
        exit::OK
    }
}
