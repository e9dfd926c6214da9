//! Where output goes: stdout (buffered, flushed after every command), stderr
//! for warnings, and the log stream (stderr or the `-l`/`logfile` file) for
//! protocol warnings and debug lines.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Stdout, Write};

/// Where warnings go: the process's stderr, or memory (tests).
enum ErrSink {
    Stderr,
    Memory(Vec<u8>),
}

/// The streams of a run. `W` is standard output's writer; handlers see an
/// `Output<dyn Write>`, so the program uses a buffered stdout and tests a
/// `Vec<u8>` (see [`Output::memory`]).
pub struct Output<W: ?Sized + Write = BufWriter<Stdout>> {
    log: Option<(String, File)>,
    stderr: ErrSink,
    pub stdout_is_tty: bool,
    pub stdin_is_tty: bool,
    /// Set when stdout is gone (closed pipe): the run ends quietly.
    pub broken: bool,
    stdout: W,
}

impl Default for Output {
    fn default() -> Self {
        Self::new()
    }
}

impl Output {
    pub fn new() -> Output {
        Output {
            log: None,
            stderr: ErrSink::Stderr,
            stdout_is_tty: io::stdout().is_terminal(),
            stdin_is_tty: io::stdin().is_terminal(),
            broken: false,
            stdout: BufWriter::with_capacity(64 * 1024, io::stdout()),
        }
    }
}

impl Output<Vec<u8>> {
    /// Output kept in memory, as if stdin and stdout were pipes.
    pub fn memory() -> Output<Vec<u8>> {
        Output {
            log: None,
            stderr: ErrSink::Memory(Vec::new()),
            stdout_is_tty: false,
            stdin_is_tty: false,
            broken: false,
            stdout: Vec::new(),
        }
    }

    /// What was written to stdout so far.
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// What was written to stderr (and the log stream without a log file).
    pub fn stderr_text(&self) -> String {
        match &self.stderr {
            ErrSink::Memory(v) => String::from_utf8_lossy(v).into_owned(),
            ErrSink::Stderr => String::new(),
        }
    }

    /// Forgets what was written (tests check one command at a time).
    pub fn clear(&mut self) {
        self.stdout.clear();
        if let ErrSink::Memory(v) = &mut self.stderr {
            v.clear();
        }
    }
}

impl<W: ?Sized + Write> Output<W> {
    /// Writes to stdout; a failed write marks the output broken.
    pub fn say(&mut self, text: &str) {
        if self.broken {
            return;
        }
        if self.stdout.write_all(text.as_bytes()).is_err() {
            self.broken = true;
        }
    }

    pub fn flush(&mut self) {
        if !self.broken && self.stdout.flush().is_err() {
            self.broken = true;
        }
    }

    /// A warning line on stderr (the reference's `warn`: text + newline).
    pub fn warn(&mut self, text: &str) {
        self.flush();
        match &mut self.stderr {
            ErrSink::Stderr => {
                let mut e = io::stderr().lock();
                let _ = e.write_all(text.as_bytes());
                let _ = e.write_all(b"\n");
            }
            ErrSink::Memory(v) => {
                v.extend_from_slice(text.as_bytes());
                v.push(b'\n');
            }
        }
    }

    /// A line on the log stream.
    pub fn log(&mut self, text: &str) {
        match &mut self.log {
            Some((_, f)) => {
                let _ = writeln!(f, "{text}");
            }
            None => self.warn(text),
        }
    }

    /// A debug line on the log stream, with the reference's timestamp prefix.
    pub fn log_debug(&mut self, text: &str) {
        let stamp = rfc3339_now();
        self.log(&format!("{stamp} {text}"));
    }

    /// `<stderr>` or the log file's name.
    pub fn log_name(&self) -> &str {
        self.log
            .as_ref()
            .map(|(n, _)| n.as_str())
            .unwrap_or("<stderr>")
    }

    pub fn set_log_file(&mut self, path: Option<&str>) -> io::Result<()> {
        match path {
            None => self.log = None,
            Some(p) => {
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)?;
                self.log = Some((p.to_string(), f));
            }
        }
        Ok(())
    }
}

/// `2026-11-26T07:51:22.0595331Z`: the fraction is the shortest repr of
/// the float time, as the reference's `rfc3339(time.time())` prints it
/// (Rust's `{}` for f64 is the same shortest round-trip form as Python's).
pub fn rfc3339_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    // Date and time from the same float, so they agree with its fraction.
    let secs = now.trunc() as i64;
    let (y, mo, d) = ntp_control::time::civil_from_days(secs.div_euclid(86400));
    let sod = secs.rem_euclid(86400);
    let float = format!("{now}");
    let fraction = match float.split_once('.') {
        Some((_, sub)) if sub.bytes().any(|b| b != b'0') => format!(".{sub}"),
        _ => String::new(),
    };
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}{fraction}Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
    )
}

/// Python's `time.asctime()` in local time: `Thu Nov 26 10:48:46 2026`.
pub fn asctime_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs() as libc::time_t;
    // SAFETY: localtime_r fills the struct we pass from a valid time_t.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    if unsafe { libc::localtime_r(&now, &mut tm) }.is_null() {
        return String::new();
    }
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {:2} {:02}:{:02}:{:02} {}",
        DAYS[tm.tm_wday.rem_euclid(7) as usize],
        MONTHS[tm.tm_mon.rem_euclid(12) as usize],
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        tm.tm_year + 1900
    )
}

/// Columns of the terminal on stdout: `COLUMNS` when set (as Python's
/// terminal-size query does), else the real size; `None` when not a terminal.
pub fn terminal_columns<W: ?Sized + Write>(out: &Output<W>) -> Option<usize> {
    if !out.stdout_is_tty {
        return None;
    }
    if let Some(c) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        if c > 0 {
            return Some(c);
        }
    }
    // SAFETY: TIOCGWINSZ fills a winsize struct for a terminal fd.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) };
    if rc == 0 && ws.ws_col > 0 {
        Some(ws.ws_col as usize)
    } else {
        Some(80)
    }
}

/// Line width of the cooked variable display: columns − 2 (78 when piped).
pub fn cooked_width<W: ?Sized + Write>(out: &Output<W>) -> usize {
    terminal_columns(out).unwrap_or(80).saturating_sub(2)
}
