//! `mrulist follow` on several hosts at once: a follow never ends by
//! itself, so its output cannot wait for the host to finish (as the
//! transcripts of `hosts::at_once` do). Each host runs in its own thread
//! and interpreter, as there, and its output is printed as it comes, in
//! whole lines only: lines of different hosts interleave, never their
//! parts. In JSON every record names its host; otherwise each line is
//! prefixed `server=<host> `, as the classic multi-host output names hosts.
//! Ctrl-C stops every host, and each prints its summary.

use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use ntp_control::mru::parse_mrulist_args;

use super::{Stream, AT_ONCE};
use crate::cli::Options;
use crate::interpreter::{command_of, Flow, Interpreter};
use crate::output::Output;
use crate::signal;

/// Whether the run must stream: several hosts and a `mrulist follow`.
pub(super) fn wanted(opts: &Options) -> bool {
    opts.hosts.len() > 1 && opts.commands.iter().any(|line| is_follow(line))
}

fn is_follow(line: &str) -> bool {
    command_of(line).is_some_and(|(def, args)| {
        def.name == "mrulist" && parse_mrulist_args(&args).is_ok_and(|o| o.follow.is_some())
    })
}

/// What a host's thread tells the printing thread.
enum Message {
    /// Whole lines (each ending in a newline, but perhaps the last
    /// output of a host).
    Lines(usize, Stream, Vec<u8>),
    Done {
        failed: bool,
        interrupted: bool,
    },
}

/// One stream of a host's output: passes on whole lines, keeps the rest
/// until its newline comes (or the host ends).
struct LineSender {
    host: usize,
    stream: Stream,
    partial: Vec<u8>,
    tx: mpsc::Sender<Message>,
}

impl Write for LineSender {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.partial.extend_from_slice(buf);
        if let Some(end) = self.partial.iter().rposition(|&b| b == b'\n') {
            let rest = self.partial.split_off(end + 1);
            let lines = std::mem::replace(&mut self.partial, rest);
            // The printer may be gone (stdout closed): the host goes on quietly.
            let _ = self.tx.send(Message::Lines(self.host, self.stream, lines));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for LineSender {
    fn drop(&mut self) {
        if !self.partial.is_empty() {
            let lines = std::mem::take(&mut self.partial);
            let _ = self.tx.send(Message::Lines(self.host, self.stream, lines));
        }
    }
}

/// Runs the commands on host `index`, its output sent line by line.
fn run_host(opts: &Options, index: usize, tx: &mpsc::Sender<Message>) -> Message {
    let sender = |stream| LineSender {
        host: index,
        stream,
        partial: Vec::new(),
        tx: tx.clone(),
    };
    let out = Output::captured(sender(Stream::Stdout), Box::new(sender(Stream::Stderr)));
    let mut interp = Interpreter::for_options_into(opts, out, false);
    if let Some((host, family)) = opts.hosts.get(index) {
        if interp.open_host(host, *family) {
            for command in &opts.commands {
                let flow = interp.run_line(command);
                if interp.interrupted || flow == Flow::Stop {
                    break;
                }
            }
        } else {
            interp.failed = true;
        }
    }
    interp.out.flush();
    Message::Done {
        failed: interp.failed,
        interrupted: interp.interrupted,
    }
}

/// Runs the commands on every host, up to [`AT_ONCE`] at a time (later
/// hosts start as earlier ones end, e.g. at their `duration=`).
pub(super) fn run(opts: &Options, interp: &mut Interpreter) {
    interp.out.flush();
    let shared = Arc::new(opts.clone());
    let next = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel();
    for _ in 0..AT_ONCE.min(opts.hosts.len()) {
        let (opts, next, tx) = (Arc::clone(&shared), Arc::clone(&next), tx.clone());
        // Not joined: when stdout closes the process exits under them.
        std::thread::spawn(move || loop {
            let i = next.fetch_add(1, Ordering::SeqCst);
            if i >= opts.hosts.len() {
                break;
            }
            let done = run_host(&opts, i, &tx);
            if tx.send(done).is_err() {
                break;
            }
        });
    }
    drop(tx);
    let prefixes: Option<Vec<String>> = (!opts.output_mode.is_json()).then(|| {
        opts.hosts
            .iter()
            .map(|(h, _)| format!("server={h} "))
            .collect()
    });
    let mut stopping = false;
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(Message::Lines(host, stream, bytes)) => {
                let prefix = prefixes.as_ref().map(|p| p[host].as_str());
                print_lines(interp, prefix, stream, &bytes);
            }
            Ok(Message::Done {
                failed,
                interrupted,
            }) => {
                interp.failed |= failed;
                interp.interrupted |= interrupted;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if interp.out.broken {
            return;
        }
        // Each host's interpreter takes the Ctrl-C flag when its command
        // ends: raise it again until every host has seen it.
        if stopping || signal::interrupted() {
            stopping = true;
            signal::raise_interrupt();
        }
    }
    if stopping {
        signal::take_interrupt();
        interp.interrupted = true;
    }
}

fn print_lines(interp: &mut Interpreter, prefix: Option<&str>, stream: Stream, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    match stream {
        Stream::Stdout => {
            match prefix {
                None => interp.out.say(&text),
                Some(p) => {
                    let mut prefixed = String::with_capacity(text.len() + 64);
                    for line in text.split_inclusive('\n') {
                        prefixed.push_str(p);
                        prefixed.push_str(line);
                    }
                    interp.out.say(&prefixed);
                }
            }
            interp.out.flush();
        }
        Stream::Stderr => {
            for line in text.lines() {
                match prefix {
                    None => interp.out.warn(line),
                    Some(p) => interp.out.warn(&format!("{p}{line}")),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::Family;

    #[test]
    fn only_lines_whole_lines_are_passed_on() {
        let (tx, rx) = mpsc::channel();
        let mut s = LineSender {
            host: 1,
            stream: Stream::Stdout,
            partial: Vec::new(),
            tx,
        };
        s.write_all(b"one\ntw").unwrap();
        s.write_all(b"o").unwrap();
        s.flush().unwrap();
        s.write_all(b"\nthree\nfo").unwrap();
        drop(s);
        let got: Vec<Vec<u8>> = rx
            .try_iter()
            .map(|m| match m {
                Message::Lines(1, Stream::Stdout, b) => b,
                _ => panic!("unexpected message"),
            })
            .collect();
        assert_eq!(got, [&b"one\n"[..], b"two\nthree\n", b"fo"]);
    }

    #[test]
    fn several_hosts_following_stream() {
        let opts = |commands: &[&str], hosts: usize| Options {
            commands: commands.iter().map(|c| c.to_string()).collect(),
            hosts: (0..hosts).map(|i| (format!("h{i}"), Family::Any)).collect(),
            ..Options::default()
        };
        assert!(wanted(&opts(&["mrulist follow interval=1"], 2)));
        assert!(wanted(&opts(&["rv", "mrulist mincount=2 follow"], 3)));
        assert!(!wanted(&opts(&["mrulist follow"], 1)));
        assert!(!wanted(&opts(&["mrulist direct"], 2)));
        assert!(
            !wanted(&opts(&["mrulist follow sort=count"], 2)),
            "refused anyway"
        );
    }
}
