//! Where output goes: stdout (buffered, flushed after every command), stderr
//! for warnings, and the log stream (stderr or the `-l`/`logfile` file) for
//! protocol warnings and debug lines.
//!
//! Write errors: a closed pipe on stdout (`ntpq … | head`) ends the run
//! quietly; any other failure (a full disk, an I/O error) on stdout or the
//! log file is reported once on stderr and makes the run exit 1.

use std::io::{self, BufWriter, IsTerminal, Stdout, Write};

use crate::output_mode::OutputMode;

mod json;

/// Where warnings go: the process's stderr, memory (tests), or a writer
/// of the caller's (a host's transcript when hosts are queried at once).
enum ErrSink {
    Stderr,
    Memory(Vec<u8>),
    Writer(Box<dyn Write>),
}

/// The `-l`/`logfile` file.
struct LogFile {
    name: String,
    file: Box<dyn Write>,
    /// A write failed (reported once); later lines are dropped.
    failed: bool,
}

/// The text of an I/O error without Rust's ` (os error N)` suffix:
/// `No space left on device`.
pub fn io_reason(e: &io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    }
}

/// The streams of a run. `W` is standard output's writer; handlers see an
/// `Output<dyn Write>`, so the program uses a buffered stdout and tests a
/// `Vec<u8>` (see [`Output::memory`]).
pub struct Output<W: ?Sized + Write = BufWriter<Stdout>> {
    log: Option<LogFile>,
    stderr: ErrSink,
    pub stdout_is_tty: bool,
    pub stdin_is_tty: bool,
    /// Set when stdout is gone (closed pipe, or another write error that
    /// was reported): nothing more is written and the run ends.
    pub broken: bool,
    /// A write to stdout or the log file failed other than by a closed
    /// pipe, and was reported on stderr.
    write_failed: bool,
    /// Classic text, JSON Lines or tables (`--json`, `--format`, `format`).
    pub mode: OutputMode,
    /// The open host as given, for the `host` field of JSON records.
    pub host: Option<String>,
    /// Text on stdout is dropped (a setting's confirmation in JSON mode).
    pub quiet: bool,
    /// Text on stdout is kept here instead (help in JSON mode).
    pub captured: Option<String>,
    stdout: W,
}

impl Default for Output {
    fn default() -> Self {
        Self::new()
    }
}

impl Output {
    pub fn new() -> Output {
        let ttys = (io::stdout().is_terminal(), io::stdin().is_terminal());
        Output::with_streams(
            BufWriter::with_capacity(64 * 1024, io::stdout()),
            ErrSink::Stderr,
            ttys,
        )
    }
}

impl<W: Write> Output<W> {
    /// Output into the caller's writers, with the process's terminal
    /// flags: a host's part of a run, printed later in its place.
    pub fn captured(stdout: W, stderr: Box<dyn Write>) -> Output<W> {
        let ttys = (io::stdout().is_terminal(), io::stdin().is_terminal());
        Output::with_streams(stdout, ErrSink::Writer(stderr), ttys)
    }

    /// The one constructor: `ttys` are (stdout, stdin) on a terminal.
    fn with_streams(stdout: W, stderr: ErrSink, ttys: (bool, bool)) -> Output<W> {
        Output {
            log: None,
            stderr,
            stdout_is_tty: ttys.0,
            stdin_is_tty: ttys.1,
            broken: false,
            write_failed: false,
            mode: OutputMode::Classic,
            host: None,
            quiet: false,
            captured: None,
            stdout,
        }
    }
}

impl Output<Vec<u8>> {
    /// Output kept in memory, as if stdin and stdout were pipes.
    pub fn memory() -> Output<Vec<u8>> {
        Output::with_streams(Vec::new(), ErrSink::Memory(Vec::new()), (false, false))
    }

    /// What was written to stdout so far.
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// What was written to stderr (and the log stream without a log file).
    pub fn stderr_text(&self) -> String {
        match &self.stderr {
            ErrSink::Memory(v) => String::from_utf8_lossy(v).into_owned(),
            ErrSink::Stderr | ErrSink::Writer(_) => String::new(),
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
        if self.broken || self.quiet {
            return;
        }
        if let Some(c) = &mut self.captured {
            c.push_str(text);
            return;
        }
        if let Err(e) = self.stdout.write_all(text.as_bytes()) {
            self.stdout_failed(&e);
        }
    }

    pub fn flush(&mut self) {
        if self.broken {
            return;
        }
        if let Err(e) = self.stdout.flush() {
            self.stdout_failed(&e);
        }
    }

    /// True when a write to stdout or the log file failed other than by a
    /// closed pipe (it was reported on stderr): the run exits 1.
    pub fn write_failed(&self) -> bool {
        self.write_failed
    }

    /// Stdout is unusable from now on; a closed pipe is the reader's
    /// choice and stays quiet, anything else is said once.
    fn stdout_failed(&mut self, e: &io::Error) {
        self.broken = true;
        if e.kind() != io::ErrorKind::BrokenPipe {
            self.write_failed = true;
            let line = format!("ntpq: cannot write to standard output: {}", io_reason(e));
            self.stderr_line(&line);
        }
    }

    fn stderr_line(&mut self, line: &str) {
        match &mut self.stderr {
            ErrSink::Stderr => {
                let mut e = io::stderr().lock();
                let _ = e.write_all(line.as_bytes());
                let _ = e.write_all(b"\n");
            }
            ErrSink::Memory(v) => {
                v.extend_from_slice(line.as_bytes());
                v.push(b'\n');
            }
            ErrSink::Writer(w) => {
                let _ = w.write_all(line.as_bytes());
                let _ = w.write_all(b"\n");
            }
        }
    }

    /// A warning line on stderr (the reference's `warn`: text + newline);
    /// in JSON mode a warning record (see [`Output::warn_code`]).
    pub fn warn(&mut self, text: &str) {
        if self.mode.is_json() {
            self.problem("warning", "warning", text, None);
            return;
        }
        self.warn_text(text);
    }

    /// A line on stderr as it is, in every mode: lines already made (a
    /// host's transcript), and debug lines.
    pub fn warn_text(&mut self, text: &str) {
        self.flush();
        self.stderr_line(text);
    }

    /// Whether `-l`/`logfile` named a log file.
    pub fn has_log_file(&self) -> bool {
        self.log.is_some()
    }

    /// A line on the log stream. A log file that cannot be written is
    /// reported once and written no more (its name still shows in
    /// `logfile`); the lines are not moved to stderr, which may be the
    /// operator's terminal.
    pub fn log(&mut self, text: &str) {
        let Some(log) = &mut self.log else {
            self.warn_text(text);
            return;
        };
        if log.failed {
            return;
        }
        let mut line = String::with_capacity(text.len() + 1);
        line.push_str(text);
        line.push('\n');
        if let Err(e) = log.file.write_all(line.as_bytes()) {
            log.failed = true;
            let line = format!(
                "ntpq: cannot write to log file {}: {}",
                log.name,
                io_reason(&e)
            );
            self.write_failed = true;
            self.flush();
            self.stderr_line(&line);
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
            .map(|l| l.name.as_str())
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
                self.log = Some(LogFile {
                    name: p.to_string(),
                    file: Box::new(f),
                    failed: false,
                });
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that fails every write with `error`.
    struct Failing(fn() -> io::Error);

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err((self.0)())
        }
        fn flush(&mut self) -> io::Result<()> {
            Err((self.0)())
        }
    }

    fn disk_full() -> io::Error {
        io::Error::from_raw_os_error(libc::ENOSPC)
    }

    fn closed_pipe() -> io::Error {
        io::Error::from_raw_os_error(libc::EPIPE)
    }

    fn output_to(stdout: Failing) -> Output<Failing> {
        Output::with_streams(stdout, ErrSink::Memory(Vec::new()), (false, false))
    }

    fn stderr_of<W: ?Sized + Write>(out: &Output<W>) -> String {
        match &out.stderr {
            ErrSink::Memory(v) => String::from_utf8_lossy(v).into_owned(),
            ErrSink::Stderr | ErrSink::Writer(_) => unreachable!("tests write stderr to memory"),
        }
    }

    #[test]
    fn a_closed_pipe_ends_the_output_quietly() {
        let mut out = output_to(Failing(closed_pipe));
        out.say("some text\n");
        out.flush();
        assert!(out.broken);
        assert!(!out.write_failed());
        assert_eq!(stderr_of(&out), "");
    }

    #[test]
    fn a_full_disk_on_stdout_is_said_once() {
        let mut out = output_to(Failing(disk_full));
        out.say("line one\n");
        out.say("line two\n");
        out.flush();
        assert!(out.broken);
        assert!(out.write_failed());
        assert_eq!(
            stderr_of(&out),
            "ntpq: cannot write to standard output: No space left on device\n"
        );
    }

    #[test]
    fn a_log_file_that_cannot_be_written_is_said_once_and_stdout_goes_on() {
        let mut out = Output::memory();
        out.log = Some(LogFile {
            name: "/var/log/ntpq.log".to_string(),
            file: Box::new(Failing(disk_full)),
            failed: false,
        });
        out.log("first debug line");
        out.log_debug("second debug line");
        out.say("result\n");
        assert!(out.write_failed());
        assert!(!out.broken);
        assert_eq!(out.stdout_text(), "result\n");
        assert_eq!(
            out.stderr_text(),
            "ntpq: cannot write to log file /var/log/ntpq.log: No space left on device\n"
        );
        assert_eq!(out.log_name(), "/var/log/ntpq.log");
    }

    #[test]
    fn log_lines_reach_a_working_log_file_and_not_stderr() {
        let path = std::env::temp_dir().join(format!("ntpq-output-log-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let mut out = Output::memory();
        out.set_log_file(Some(path.to_str().expect("utf-8 temp path")))
            .expect("open log file");
        out.log("one");
        out.log("two");
        let written = std::fs::read_to_string(&path).expect("read log file");
        let _ = std::fs::remove_file(&path);
        assert_eq!(written, "one\ntwo\n");
        assert_eq!(out.stderr_text(), "");
        assert!(!out.write_failed());
    }
}
