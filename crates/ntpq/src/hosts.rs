//! The `-c`/`-p` commands over the hosts of the command line.
//!
//! 1.2.2 queries one host after the other, so every silent host costs a
//! full timeout. When the commands only read from the server
//! ([`CommandDef::reads_only`](crate::commands::CommandDef)) the hosts are
//! queried at once, up to [`AT_ONCE`] at a time, each by its own
//! interpreter writing to a transcript, and the transcripts are printed in
//! argument order: the output is the one-by-one run's, byte for byte.
//!
//! One thing crosses from host to host in a one-by-one run: the
//! association cache (1.2.2 keeps it per process), whose emptiness decides
//! whether `rv 0 ...` reads the association list first. Each host after
//! the first starts as if the host before it left the cache filled; when
//! that turns out wrong, the host is queried again from the right state.
//!
//! `mrulist follow` on several hosts never finishes by itself: its output
//! is streamed as it comes instead (`streamed`).

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};

use crate::cli::Options;
use crate::commands::Args;
use crate::interpreter::{command_of, Flow, Interpreter};
use crate::output::Output;
use crate::pyint::py_int;
use crate::signal;

mod streamed;

/// Hosts queried at the same time.
pub const AT_ONCE: usize = 16;

/// Runs `opts.commands` on every host of `opts.hosts`.
pub fn run(opts: &Options, interp: &mut Interpreter) {
    if streamed::wanted(opts) {
        streamed::run(opts, interp);
    } else if opts.hosts.len() > 1 && may_run_at_once(opts) {
        at_once(opts, interp);
    } else {
        one_by_one(opts, interp);
    }
}

fn one_by_one(opts: &Options, interp: &mut Interpreter) {
    for (host, family) in &opts.hosts {
        if !interp.open_host(host, *family) {
            interp.failed = true;
            continue;
        }
        for command in &opts.commands {
            // `quit` among -c commands does not end the run (1.2.2).
            let flow = interp.run_line(command);
            if interp.interrupted || flow == Flow::Stop {
                return;
            }
        }
        interp.close_host();
    }
}

/// Whether querying the hosts at once prints what one by one does: the
/// commands only read, after settings given in full (`timeout 500`: each
/// host's interpreter sets them as the one-by-one run's second host
/// already has them); no association index (`&N`) or id other than 0
/// (they read the cache's content); no debug output (it shows sequence
/// numbers, which run on from host to host) and no log file.
pub fn may_run_at_once(opts: &Options) -> bool {
    if opts.logfile.is_some() || opts.debug != 0 {
        return false;
    }
    let mut settings_done = false;
    opts.commands.iter().all(|line| {
        let setting = command_of(line).is_some_and(|(def, _)| def.absolute_setting);
        if setting && !settings_done {
            return true;
        }
        settings_done = true;
        host_independent(line)
    })
}

fn host_independent(line: &str) -> bool {
    let Some((def, args)) = command_of(line) else {
        // Unknown or ambiguous: a message, nothing else.
        return true;
    };
    if !def.reads_only || line.contains('&') {
        return false;
    }
    let ids = match def.args {
        Args::Assoc | Args::AssocAndVars => 1,
        Args::AssocRange => 2,
        _ => 0,
    };
    args.split_whitespace()
        .take(ids)
        .all(|t| matches!(py_int(t), None | Some(0)))
}

/// One host's part of the run.
struct HostRun {
    transcript: Transcript,
    failed: bool,
    interrupted: bool,
    /// The run ends after this host (a command ended it, or stdout is gone).
    stop: bool,
    /// Whether it started with the association cache filled.
    started_cached: bool,
    /// Whether it left the cache filled.
    cached_after: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stream {
    Stdout,
    Stderr,
}

/// A host's output: runs of bytes written to one stream, in order.
type Transcript = Vec<(Stream, Vec<u8>)>;

/// One stream of a host's output, appended to the shared transcript so
/// that stdout and stderr keep their order.
struct Capture {
    stream: Stream,
    transcript: Rc<RefCell<Transcript>>,
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut t = self.transcript.borrow_mut();
        match t.last_mut() {
            Some((s, bytes)) if *s == self.stream => bytes.extend_from_slice(buf),
            _ => t.push((self.stream, buf.to_vec())),
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn run_host(opts: &Options, index: usize, start_cached: bool) -> HostRun {
    let transcript = Rc::new(RefCell::new(Vec::new()));
    let capture = |stream| Capture {
        stream,
        transcript: Rc::clone(&transcript),
    };
    let out = Output::captured(capture(Stream::Stdout), Box::new(capture(Stream::Stderr)));
    let mut interp = Interpreter::for_options_into(opts, out, false);
    if start_cached {
        interp.assume_associations_cached();
    }
    let mut stop = false;
    if let Some((host, family)) = opts.hosts.get(index) {
        if interp.open_host(host, *family) {
            for command in &opts.commands {
                let flow = interp.run_line(command);
                if interp.interrupted || flow == Flow::Stop {
                    stop = true;
                    break;
                }
            }
        } else {
            interp.failed = true;
        }
    }
    interp.out.flush();
    if interp.interrupted {
        // The flag was taken by this host's interpreter: the others stop too.
        signal::raise_interrupt();
    }
    let run = HostRun {
        transcript: Vec::new(),
        failed: interp.failed,
        interrupted: interp.interrupted,
        stop: stop || interp.out.broken,
        started_cached: start_cached,
        cached_after: interp.associations_cached(),
    };
    drop(interp);
    HostRun {
        transcript: Rc::try_unwrap(transcript)
            .map(RefCell::into_inner)
            .unwrap_or_default(),
        ..run
    }
}

fn at_once(opts: &Options, interp: &mut Interpreter) {
    interp.out.flush();
    let shared = Arc::new(opts.clone());
    let next = Arc::new(AtomicUsize::new(0));
    let cancel = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let hosts = opts.hosts.len();
    for _ in 0..AT_ONCE.min(hosts) {
        let (opts, next, cancel, tx) = (
            Arc::clone(&shared),
            Arc::clone(&next),
            Arc::clone(&cancel),
            tx.clone(),
        );
        // Not joined: when the run ends early the process exits under them.
        std::thread::spawn(move || loop {
            let i = next.fetch_add(1, Ordering::SeqCst);
            if i >= opts.hosts.len() || cancel.load(Ordering::SeqCst) {
                break;
            }
            if tx.send((i, run_host(&opts, i, i > 0))).is_err() {
                break;
            }
        });
    }
    drop(tx);
    let mut done: Vec<Option<HostRun>> = (0..hosts).map(|_| None).collect();
    // The association cache before host i in a one-by-one run.
    let mut cached = false;
    for i in 0..hosts {
        while done[i].is_none() {
            match rx.recv() {
                Ok((k, run)) => done[k] = Some(run),
                Err(_) => break,
            }
        }
        let Some(mut run) = done[i].take() else {
            break;
        };
        if run.started_cached != cached && depends_on_cache(opts) {
            run = run_host(opts, i, cached);
        }
        cached = run.cached_after;
        replay(&run.transcript, interp);
        interp.failed |= run.failed;
        interp.interrupted |= run.interrupted;
        if run.stop || run.interrupted || interp.out.broken {
            cancel.store(true, Ordering::SeqCst);
            break;
        }
    }
}

/// Whether a command may read the association list first (a non-empty
/// association argument with an empty cache): then the cache a host
/// starts with matters.
fn depends_on_cache(opts: &Options) -> bool {
    opts.commands.iter().any(|line| {
        command_of(line).is_some_and(|(def, args)| {
            matches!(
                def.args,
                Args::Assoc | Args::AssocAndVars | Args::AssocRange
            ) && !args.is_empty()
        })
    })
}

fn replay(transcript: &Transcript, interp: &mut Interpreter) {
    for (stream, bytes) in transcript {
        let text = String::from_utf8_lossy(bytes);
        match stream {
            Stream::Stdout => interp.out.say(&text),
            // Every stderr write is a warning line (text + newline).
            Stream::Stderr => interp
                .out
                .warn_text(text.strip_suffix('\n').unwrap_or(&text)),
        }
    }
    interp.out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::Family;

    fn opts(commands: &[&str]) -> Options {
        Options {
            commands: commands.iter().map(|c| c.to_string()).collect(),
            hosts: vec![("a".into(), Family::Any), ("b".into(), Family::Any)],
            ..Options::default()
        }
    }

    #[test]
    fn only_reading_commands_run_at_once() {
        for ok in [
            &["peers"][..],
            &["rv 0 stratum,refid"],
            &["rv"],
            &["pe", "sysinfo", "mrulist sort=-count", "help rv", "nosuch"],
            &["cv 0"],
            &["mrv 0 0"],
            &["timeout 500", "raw", "hostnames no", "rv"],
        ] {
            assert!(may_run_at_once(&opts(ok)), "{ok:?}");
        }
        for not in [
            &["rv &1"][..],
            &["rv 3 srcadr"],
            &["pstats 12"],
            &["passociations"],
            &["units", "rv"],
            &["addvars stratum", "rl"],
            &["debug more", "rv"],
            &[":config tos maxclock 5"],
            &["ifstats"],
            &["host other"],
            &["rv", "timeout 100"],
            &["timeout 100", "rv", "raw"],
        ] {
            assert!(!may_run_at_once(&opts(not)), "{not:?}");
        }
        let mut o = opts(&["rv"]);
        o.debug = 1;
        assert!(!may_run_at_once(&o));
        let mut o = opts(&["rv"]);
        o.logfile = Some("/tmp/log".into());
        assert!(!may_run_at_once(&o));
    }

    #[test]
    fn the_transcript_keeps_the_order_of_both_streams() {
        let transcript = Rc::new(RefCell::new(Vec::new()));
        let capture = |stream| Capture {
            stream,
            transcript: Rc::clone(&transcript),
        };
        let mut out = Output::captured(capture(Stream::Stdout), Box::new(capture(Stream::Stderr)));
        out.say("one ");
        out.say("two\n");
        out.warn("oops");
        out.say("three\n");
        drop(out);
        let t = transcript.borrow();
        let t: Vec<(Stream, &[u8])> = t.iter().map(|(s, b)| (*s, b.as_slice())).collect();
        assert!(
            t == [
                (Stream::Stdout, &b"one two\n"[..]),
                (Stream::Stderr, b"oops\n"),
                (Stream::Stdout, b"three\n"),
            ]
        );
    }
}
