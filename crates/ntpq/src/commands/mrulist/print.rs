//! The rows of a long table (classic or JSON Lines), formatted on both
//! cores once the server is done, and written in order.

use std::sync::{Condvar, Mutex};

use ntp_control::mru::entry::MruEntry;
use ntp_control::mru::MruList;
use ntpq_format::mrulist as rows;

use super::RemoteNames;

/// Rows formatted per chunk: about 1.3 MB of text.
const ROWS_PER_CHUNK: usize = 16_384;

/// Chunks formatted ahead of the one being written (memory stays flat).
const AHEAD: usize = 4;

/// The table's rows. A long list is formatted on two threads (the server
/// is done by now, so the second core is free): a helper formats chunks
/// in order while this thread writes them in order and, whenever the
/// next one is not ready, formats the next free chunk itself, so neither
/// core waits while there is work. `write` returns false when the output
/// is gone (closed pipe): formatting stops.
pub(super) fn print_rows(
    list: &MruList,
    names: &RemoteNames,
    now: f64,
    pivot: i64,
    write: &mut dyn FnMut(&str) -> bool,
) {
    let chunks: Vec<&[MruEntry]> = list.entries.chunks(ROWS_PER_CHUNK).collect();
    let format = |i: usize| {
        let chunk = chunks[i];
        let mut text = String::with_capacity(chunk.len() * 80);
        for e in chunk {
            if rows::row_into(&mut text, e, Some(now), pivot) {
                names.push_text(&mut text, e, &list.v6);
            }
            text.push('\n');
        }
        text
    };
    write_in_order(chunks.len(), &format, write);
}

/// Formats chunks `0..n` with `format` and passes them to `write` in
/// order: on two threads when there are enough of them (the server is done
/// by now, so the second core is free). Stops when `write` returns false.
pub(super) fn write_in_order(
    n: usize,
    format: &(dyn Fn(usize) -> String + Sync),
    write: &mut dyn FnMut(&str) -> bool,
) {
    if n < 4 {
        for i in 0..n {
            if !write(&format(i)) {
                return;
            }
        }
        return;
    }
    in_order_on_two_threads(n, format, write);
}

/// Work shared by the writer and the helper.
struct Queue {
    /// The next chunk nobody has started.
    next: usize,
    /// Chunks written so far.
    written: usize,
    done: Vec<Option<String>>,
    /// The writer stopped (closed output).
    stopped: bool,
}

impl Queue {
    /// The next chunk to format, if one may start now.
    fn take(&mut self) -> Option<usize> {
        (self.next < self.done.len() && self.next < self.written + AHEAD).then(|| {
            self.next += 1;
            self.next - 1
        })
    }
}

/// Formats chunks `0..n` with `format` on this thread and a helper, and
/// passes them to `write` in order.
fn in_order_on_two_threads(
    n: usize,
    format: &(dyn Fn(usize) -> String + Sync),
    write: &mut dyn FnMut(&str) -> bool,
) {
    let queue = Mutex::new(Queue {
        next: 0,
        written: 0,
        done: vec![None; n],
        stopped: false,
    });
    let changed = Condvar::new();
    let lock = || queue.lock().unwrap_or_else(|e| e.into_inner());
    std::thread::scope(|scope| {
        scope.spawn(|| loop {
            let mut q = lock();
            let i = loop {
                if q.stopped || q.next >= n {
                    return;
                }
                match q.take() {
                    Some(i) => break i,
                    None => q = changed.wait(q).unwrap_or_else(|e| e.into_inner()),
                }
            };
            drop(q);
            let text = format(i);
            lock().done[i] = Some(text);
            changed.notify_all();
        });
        for w in 0..n {
            let text = loop {
                let mut q = lock();
                if let Some(text) = q.done[w].take() {
                    break text;
                }
                match q.take() {
                    Some(i) => {
                        drop(q);
                        let text = format(i);
                        lock().done[i] = Some(text);
                    }
                    None => drop(changed.wait(q).unwrap_or_else(|e| e.into_inner())),
                }
            };
            let going = write(&text);
            let mut q = lock();
            q.written = w + 1;
            q.stopped = !going;
            drop(q);
            changed.notify_all();
            if !going {
                return;
            }
        }
    });
}
