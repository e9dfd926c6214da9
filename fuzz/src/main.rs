//! `ntpq-fuzz`: runs the fuzz targets (see CONTRIBUTING, "Fuzzing").

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use ntpq_fuzz::driver::{self, Options};
use ntpq_fuzz::{find, Target, TARGETS};

const USAGE: &str = "usage:
  ntpq-fuzz list
  ntpq-fuzz <target>|all [--seconds S] [--runs N] [--seed N] [--max-len N]
                         [--timeout S] [--corpus DIR] [--save-new]
  ntpq-fuzz replay <target> <file-or-dir>...

--seconds is per target (default 10); --runs stops earlier; an input running
longer than --timeout (default 10 s) is a hang. Crashes and hangs are saved
under fuzz/artifacts/<target>/ and the exit status is 1. --save-new writes
inputs that reach new edges into the corpus (coverage builds only).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("ntpq-fuzz: {msg}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn target(name: &str) -> Result<&'static Target, String> {
    find(name).ok_or_else(|| format!("no target {name:?} (ntpq-fuzz list)"))
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    match args.first().map(String::as_str) {
        None | Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Some("list") => {
            for t in TARGETS {
                println!("{:<16} {}", t.name, t.about);
            }
            Ok(ExitCode::SUCCESS)
        }
        Some("replay") => {
            let t = target(args.get(1).ok_or("replay needs a target")?)?;
            let paths: Vec<PathBuf> = args[2..].iter().map(PathBuf::from).collect();
            let paths = if paths.is_empty() {
                vec![driver::corpus_dir(t)]
            } else {
                paths
            };
            match driver::replay(t, &paths) {
                Ok(n) => {
                    println!("{}: {n} inputs, no crash", t.name);
                    Ok(ExitCode::SUCCESS)
                }
                Err(c) => {
                    driver::print_crash(t, &c);
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Some(name) => {
            let targets: Vec<&'static Target> = if name == "all" {
                TARGETS.iter().collect()
            } else {
                vec![target(name)?]
            };
            let opts = options(&args[1..])?;
            for t in targets {
                match driver::fuzz(t, &opts) {
                    Ok(s) => println!(
                        "{:<16} {:>9} runs in {:5.1} s ({:.0}/s), {} seeds, pool {}{}",
                        t.name,
                        s.runs,
                        s.seconds,
                        s.runs as f64 / s.seconds.max(1e-9),
                        s.seeds,
                        s.pool,
                        s.coverage
                            .map(|(r, e)| format!(", edges {r}/{e}"))
                            .unwrap_or_default()
                    ),
                    Err(c) => {
                        driver::print_crash(t, &c);
                        return Ok(ExitCode::FAILURE);
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn options(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |what: &str| {
            it.next()
                .ok_or_else(|| format!("{a} needs {what}"))
                .cloned()
        };
        match a.as_str() {
            "--seconds" => o.seconds = Some(number(&value("seconds")?)?),
            "--runs" => o.runs = Some(number(&value("a count")?)? as u64),
            "--seed" => o.seed = number(&value("a number")?)? as u64,
            "--max-len" => o.max_len = Some(number(&value("octets")?)? as usize),
            "--timeout" => o.timeout = Duration::from_secs_f64(number(&value("seconds")?)?),
            "--corpus" => o.corpus = Some(PathBuf::from(value("a directory")?)),
            "--save-new" => o.save_new = true,
            "--quiet" => o.quiet = true,
            _ => return Err(format!("unknown option {a}")),
        }
    }
    if o.runs.is_some() && !args.iter().any(|a| a == "--seconds") {
        o.seconds = None;
    }
    Ok(o)
}

fn number(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| format!("not a number: {text}"))
}
