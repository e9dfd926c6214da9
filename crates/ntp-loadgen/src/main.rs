//! `ntp-loadgen`: fill a local ntpd's MRU list with many distinct
//! loopback clients (see the library documentation).

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use ntp_loadgen::{churn, fill, parse_target, Churn, Options, DEFAULT_FIRST};

#[derive(Parser, Debug)]
#[command(
    name = "ntp-loadgen",
    version,
    about = "Fill a local ntpd's MRU list with many distinct 127/8 clients (NTP mode 3 requests)",
    long_about = "Fill a local ntpd's MRU list with many distinct 127/8 clients.\n\n\
        Client i sends from address FIRST+i (default 127.1.0.0, 127.1.0.1, ... 127.2.0.0, ...), \
        all from one UDP socket (source address chosen per packet with IP_PKTINFO). \
        ntpd's replies come back to that socket and pace the sending (--window). \
        Only loopback targets are accepted.\n\n\
        NTPsec 1.2.2 keeps about `mru maxdepth` entries (default 10922, i.e. `maxmem 1024` KB \
        at 96 bytes per entry; `mru maxmem KB` also sets maxdepth, whichever comes last wins). \
        Once full, new clients are NOT added while the oldest entry is younger than \
        `mru minage` (64 s): raise maxdepth to hold many clients \
        (e.g. `mru maxdepth 1100000` for 1M). --verify reads ntpd's counters and warns."
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
    #[command(flatten)]
    common: Common,
}

#[derive(Args, Debug)]
struct Common {
    /// ntpd to load: IPv4 loopback address[:port]
    #[arg(long, global = true, default_value = "127.0.0.1:123")]
    target: String,
    /// First client address (must be in 127/8)
    #[arg(long, global = true, default_value_t = DEFAULT_FIRST)]
    first: Ipv4Addr,
    /// Source port of every request (0: ephemeral)
    #[arg(long, global = true, default_value_t = 0)]
    sport: u16,
    /// Packets per second limit (default: as fast as ntpd answers, see --window)
    #[arg(long, global = true)]
    rate: Option<f64>,
    /// Most unanswered requests at any time (0: no flow control)
    #[arg(long, global = true, default_value_t = 64)]
    window: usize,
    /// Read ntpd's MRU counters (Mode 6, from 127.0.0.1) before and after and check them
    #[arg(long, global = true)]
    verify: bool,
    /// Print the summary as one JSON object line
    #[arg(long, global = true)]
    json: bool,
    /// Write per-client ground truth (addr count first_send last_send answered; oldest last first)
    #[arg(long, global = true, value_name = "FILE")]
    ground_truth: Option<PathBuf>,
    /// Milliseconds to wait for the last replies
    #[arg(long, global = true, default_value_t = 500)]
    linger_ms: u64,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Each of COUNT clients sends one request (unanswered ones are retried)
    Fill {
        /// Number of distinct clients
        #[arg(long, short = 'n')]
        count: u64,
        /// Retransmission rounds for clients that got no reply
        #[arg(long, default_value_t = 3)]
        retries: u32,
    },
    /// Continuous churn: new clients and re-touches of known ones, for a bounded time
    Churn {
        /// Brand-new client addresses per second
        #[arg(long, default_value_t = 1000.0)]
        new_per_sec: f64,
        /// Requests from already known clients per second
        #[arg(long, default_value_t = 0.0)]
        touch_per_sec: f64,
        /// Seconds to run (at most 86400)
        #[arg(long, default_value_t = 10.0)]
        duration: f64,
        /// Clients FIRST .. FIRST+K-1 already exist (e.g. from a fill): touches may pick them, new ones follow them
        #[arg(long, default_value_t = 0, value_name = "K")]
        existing: u64,
        /// Seed for choosing the clients to touch (default: from the clock)
        #[arg(long)]
        seed: Option<u64>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ntp-loadgen: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let c = cli.common;
    let target = parse_target(&c.target)?;
    if let Some(r) = c.rate {
        if !(r.is_finite() && r > 0.0) {
            return Err(format!("--rate {r}: must be a positive number"));
        }
    }
    let opts = Options {
        target,
        first: c.first,
        port: c.sport,
        rate: c.rate,
        window: c.window,
        linger: Duration::from_millis(c.linger_ms),
        truth_file: c.ground_truth,
        ..Options::default()
    };
    let summary = match cli.cmd {
        Cmd::Fill { count, retries } => fill(opts, count, retries, c.verify),
        Cmd::Churn {
            new_per_sec,
            touch_per_sec,
            duration,
            existing,
            seed,
        } => {
            for (name, v) in [
                ("--new-per-sec", new_per_sec),
                ("--touch-per-sec", touch_per_sec),
            ] {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(format!("{name} {v}: must be a non-negative number"));
                }
            }
            if !(duration.is_finite() && duration > 0.0 && duration <= 86_400.0) {
                return Err(format!(
                    "--duration {duration}: must be in (0, 86400] seconds"
                ));
            }
            let seed = seed.unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            });
            let spec = Churn {
                new_per_sec,
                touch_per_sec,
                duration: Duration::from_secs_f64(duration),
                existing,
                seed,
            };
            churn(opts, &spec, c.verify)
        }
    }
    .map_err(|e| e.to_string())?;
    if c.json {
        println!("{}", summary.json());
    } else {
        println!("{}", summary.text);
    }
    for w in &summary.warnings {
        eprintln!("ntp-loadgen: warning: {w}");
    }
    Ok(())
}
