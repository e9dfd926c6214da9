//! The fuzzing loop: replay the seed corpus, then mutate for a time or a
//! number of runs; a panic is a crash, an input running longer than the
//! timeout a hang. Either is written to the artifacts directory with the
//! command that replays it, and the run fails.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::coverage::Coverage;
use crate::mutate::{Mutator, Rng};
use crate::Target;

pub struct Options {
    /// Time budget for the mutation phase.
    pub seconds: Option<f64>,
    /// Run budget for the mutation phase (whichever ends first).
    pub runs: Option<u64>,
    pub seed: u64,
    /// Longest input built (default: the target's).
    pub max_len: Option<usize>,
    /// An input running longer than this is a hang.
    pub timeout: Duration,
    /// Where the seeds are (default `fuzz/corpus/<target>`).
    pub corpus: Option<PathBuf>,
    /// Write inputs reaching new coverage here (coverage builds only).
    pub save_new: bool,
    pub quiet: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seconds: Some(10.0),
            runs: None,
            seed: 1,
            max_len: None,
            timeout: Duration::from_secs(10),
            corpus: None,
            save_new: false,
            quiet: false,
        }
    }
}

/// What a clean run did.
#[derive(Debug)]
pub struct Stats {
    pub runs: u64,
    pub seconds: f64,
    pub seeds: usize,
    pub pool: usize,
    /// (edges reached, edges instrumented) in a coverage build.
    pub coverage: Option<(usize, usize)>,
}

/// A panic, with the input that caused it.
#[derive(Debug)]
pub struct Crash {
    pub message: String,
    pub input: Vec<u8>,
    pub artifact: Option<PathBuf>,
}

pub fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn corpus_dir(target: &Target) -> PathBuf {
    fuzz_dir().join("corpus").join(target.name)
}

pub fn artifacts_dir(target: &Target) -> PathBuf {
    fuzz_dir().join("artifacts").join(target.name)
}

/// The files of a corpus directory, by name (empty if it does not exist).
pub fn read_corpus(dir: &Path) -> std::io::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut files = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(files),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_file() {
            let data = std::fs::read(&path)?;
            files.push((path, data));
        }
    }
    files.sort();
    Ok(files)
}

/// The last panic's message and place (the hook keeps it; the driver
/// prints it with the input).
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn install_quiet_hook() {
    panic::set_hook(Box::new(|info| {
        let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
            s.to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "panic".to_string()
        };
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        // The frames of this workspace's code, not the runtime's.
        let backtrace = std::backtrace::Backtrace::force_capture().to_string();
        let frames: Vec<&str> = backtrace
            .lines()
            .filter(|l| l.contains("ntp") && !l.contains("ntpq_fuzz::driver"))
            .collect();
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(format!("{msg}{place}\n{}", frames.join("\n")));
        }
    }));
}

/// Runs one input; the panic message if it panicked.
pub fn run_one(target: &Target, input: &[u8]) -> Result<(), String> {
    match panic::catch_unwind(AssertUnwindSafe(|| (target.run)(input))) {
        Ok(()) => Ok(()),
        Err(_) => Err(LAST_PANIC
            .lock()
            .ok()
            .and_then(|mut l| l.take())
            .unwrap_or_else(|| "panic".to_string())),
    }
}

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Writes `input` as `<kind>-<hash>` in the target's artifacts directory.
fn save_artifact(target: &Target, kind: &str, input: &[u8]) -> Option<PathBuf> {
    let dir = artifacts_dir(target);
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join(format!("{kind}-{:016x}", fnv(input)));
    std::fs::write(&path, input).ok()?;
    Some(path)
}

/// The input as Rust byte-string text, for the report.
pub fn escaped(input: &[u8]) -> String {
    let shown = &input[..input.len().min(1024)];
    let mut s: String = shown.escape_ascii().to_string();
    if input.len() > shown.len() {
        s.push_str(&format!("… ({} octets)", input.len()));
    }
    s
}

/// Watches the input in progress: past the timeout it is saved as a
/// hang and the process exits (a hung run cannot be unwound).
struct Watchdog {
    input: Mutex<Vec<u8>>,
    /// Milliseconds since `base` when the current input started; 0 = idle.
    started: AtomicU64,
    stop: AtomicBool,
    base: Instant,
}

impl Watchdog {
    fn spawn(target: &'static Target, timeout: Duration) -> Arc<Watchdog> {
        let w = Arc::new(Watchdog {
            input: Mutex::new(Vec::new()),
            started: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            base: Instant::now(),
        });
        let watch = Arc::clone(&w);
        std::thread::spawn(move || {
            while !watch.stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                let started = watch.started.load(Ordering::Relaxed);
                if started == 0 {
                    continue;
                }
                let now = watch.base.elapsed().as_millis() as u64 + 1;
                if now.saturating_sub(started) > timeout.as_millis() as u64 {
                    let input = watch.input.lock().map(|i| i.clone()).unwrap_or_default();
                    let path = save_artifact(target, "slow", &input);
                    eprintln!(
                        "\n==> {}: an input ran longer than {:?} (a hang or a quadratic path)\ninput: b\"{}\"",
                        target.name,
                        timeout,
                        escaped(&input)
                    );
                    report_artifact(target, path.as_deref());
                    std::process::exit(1);
                }
            }
        });
        w
    }

    fn begin(&self, input: &[u8]) {
        if let Ok(mut i) = self.input.lock() {
            i.clear();
            i.extend_from_slice(input);
        }
        let now = self.base.elapsed().as_millis() as u64 + 1;
        self.started.store(now, Ordering::Relaxed);
    }

    fn end(&self) {
        self.started.store(0, Ordering::Relaxed);
    }
}

fn report_artifact(target: &Target, path: Option<&Path>) {
    match path {
        Some(p) => eprintln!(
            "saved as {}\nreplay: cargo run --profile fuzz -p ntpq-fuzz -- replay {} {}",
            p.display(),
            target.name,
            p.display()
        ),
        None => eprintln!("(could not save the input)"),
    }
}

fn crash(target: &Target, message: String, input: Vec<u8>) -> Crash {
    let artifact = save_artifact(target, "crash", &input);
    Crash {
        message,
        input,
        artifact,
    }
}

/// Prints a crash as the command line shows it.
pub fn print_crash(target: &Target, c: &Crash) {
    eprintln!(
        "\n==> {}: CRASH: {}\ninput: b\"{}\"",
        target.name,
        c.message,
        escaped(&c.input)
    );
    report_artifact(target, c.artifact.as_deref());
}

/// Replays the seeds, then mutates until the budget is spent.
pub fn fuzz(target: &'static Target, opts: &Options) -> Result<Stats, Crash> {
    install_quiet_hook();
    let result = fuzz_quietly(target, opts);
    // Panics after the run (a test's assertion) print as usual again.
    let _ = panic::take_hook();
    result
}

fn fuzz_quietly(target: &'static Target, opts: &Options) -> Result<Stats, Crash> {
    let started = Instant::now();
    let dir = opts.corpus.clone().unwrap_or_else(|| corpus_dir(target));
    let seeds: Vec<Vec<u8>> = match read_corpus(&dir) {
        Ok(files) => files.into_iter().map(|(_, d)| d).collect(),
        Err(e) => {
            return Err(Crash {
                message: format!("cannot read the corpus {}: {e}", dir.display()),
                input: Vec::new(),
                artifact: None,
            })
        }
    };
    let seeds = if seeds.is_empty() {
        vec![Vec::new()]
    } else {
        seeds
    };
    let watchdog = Watchdog::spawn(target, opts.timeout);
    let mut coverage = Coverage::new();
    let mut runs = 0u64;
    for seed in &seeds {
        watchdog.begin(seed);
        let result = run_one(target, seed);
        watchdog.end();
        runs += 1;
        if let Err(message) = result {
            watchdog.stop.store(true, Ordering::Relaxed);
            return Err(crash(target, message, seed.clone()));
        }
        if let Some(c) = coverage.as_mut() {
            c.take_news();
        }
    }
    let mut mutator = Mutator {
        rng: Rng::new(opts.seed),
        dict: target.dict,
        max_len: opts.max_len.unwrap_or(target.max_len),
    };
    // Mutants kept for further mutation: with coverage, those that reached
    // something new; without, a random sample (a random walk away from
    // the seeds, so that stacked edits accumulate).
    let mut pool: Vec<Vec<u8>> = Vec::new();
    const POOL_MAX: usize = 4096;
    let deadline = opts.seconds.map(|s| started + Duration::from_secs_f64(s));
    let mut last_status = Instant::now();
    let mut input = Vec::new();
    loop {
        if opts.runs.is_some_and(|r| runs >= r) {
            break;
        }
        // The clock is read every 64 runs: it costs as much as a small run.
        if runs % 64 == 0 {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            if !opts.quiet && last_status.elapsed() >= Duration::from_secs(10) {
                last_status = Instant::now();
                eprintln!(
                    "  {}: {} runs, {:.0}/s, pool {}{}",
                    target.name,
                    runs,
                    runs as f64 / started.elapsed().as_secs_f64(),
                    pool.len(),
                    coverage
                        .as_ref()
                        .map(|c| format!(", edges {}/{}", c.reached(), c.edges()))
                        .unwrap_or_default()
                );
            }
        }
        let from_pool = !pool.is_empty() && !mutator.rng.chance(4);
        let base = if from_pool {
            &pool[mutator.rng.below(pool.len())]
        } else {
            &seeds[mutator.rng.below(seeds.len())]
        };
        input.clear();
        input.extend_from_slice(base);
        mutator.mutate(&mut input, &seeds);
        watchdog.begin(&input);
        let result = run_one(target, &input);
        watchdog.end();
        runs += 1;
        if let Err(message) = result {
            watchdog.stop.store(true, Ordering::Relaxed);
            return Err(crash(target, message, input));
        }
        let keep = match coverage.as_mut() {
            Some(c) => c.take_news(),
            None => mutator.rng.chance(16),
        };
        if keep {
            if coverage.is_some() && opts.save_new {
                let path = dir.join(format!("cov-{:016x}", fnv(&input)));
                let _ = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(path, &input));
            }
            if pool.len() < POOL_MAX {
                pool.push(input.clone());
            } else {
                let i = mutator.rng.below(POOL_MAX);
                pool[i] = input.clone();
            }
        }
    }
    watchdog.stop.store(true, Ordering::Relaxed);
    Ok(Stats {
        runs,
        seconds: started.elapsed().as_secs_f64(),
        seeds: seeds.len(),
        pool: pool.len(),
        coverage: coverage.as_ref().map(|c| (c.reached(), c.edges())),
    })
}

/// Runs the given files (or every file of the given directories).
pub fn replay(target: &'static Target, paths: &[PathBuf]) -> Result<usize, Crash> {
    install_quiet_hook();
    let result = replay_quietly(target, paths);
    let _ = panic::take_hook();
    result
}

fn replay_quietly(target: &'static Target, paths: &[PathBuf]) -> Result<usize, Crash> {
    let mut n = 0;
    for p in paths {
        let files = if p.is_dir() {
            read_corpus(p).unwrap_or_default()
        } else {
            match std::fs::read(p) {
                Ok(d) => vec![(p.clone(), d)],
                Err(e) => {
                    return Err(Crash {
                        message: format!("cannot read {}: {e}", p.display()),
                        input: Vec::new(),
                        artifact: None,
                    })
                }
            }
        };
        for (path, data) in files {
            n += 1;
            if let Err(message) = run_one(target, &data) {
                return Err(Crash {
                    message,
                    input: data,
                    artifact: Some(path),
                });
            }
        }
    }
    Ok(n)
}
