//! `mrulist` (mrulist.md): retrieval driven by the protocol crate's
//! [`MruEngine`](ntp_control::mru::MruEngine), the reference's normal, direct and raw output, and
//! ntpq-rs's report on busy servers (its text is ntpq-format's).

use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;

use std::ops::ControlFlow;

use ntp_control::mru::entry::{ip_text, push_ip, stamp_to_unix, MruEntry, V6Table};
use ntp_control::mru::{
    entry_bound, parse_mrulist_args, Finish, MruError, MruList, MruRetrieval, DEFAULT_MAX_ENTRIES,
};
use ntpq_format::cooked::raw_varlist_text;
use ntpq_format::mru_report::{busy_report, BusyReport, CounterChange};
use ntpq_format::mrulist as rows;

use crate::commands::params::mrulist_hint;
use crate::context::Context;
use crate::error::{CmdError, CmdResult};

use crate::names::NameResolver;
use crate::output::Output;
use crate::signal;

mod follow;
mod json;
mod print;
mod table;
use follow::{PollStart, Polls};
use json::JsonOut;
use ntpq_format::mru_json::EntryView;
use print::print_rows;

fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Peak resident set size in MiB (`ru_maxrss` is in KiB on Linux).
fn peak_rss_mib() -> i64 {
    // SAFETY: getrusage fills the struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } == 0 {
        ru.ru_maxrss / 1024
    } else {
        0
    }
}

/// Remote-address column: numeric, or names (reverse lookup, forward
/// confirmed) when hostnames are on. Names are looked up concurrently for
/// a whole list or batch ([`RemoteNames::prefetch`]) by the interpreter's
/// [`NameResolver`], which caches them for 300 s.
struct RemoteNames {
    resolve: bool,
    cache: HashMap<std::net::IpAddr, String>,
}

impl RemoteNames {
    /// Resolves every distinct address of `entries` at once (Ctrl-C stops
    /// the lookups; the rest are then shown as addresses).
    fn prefetch(&mut self, resolver: &mut NameResolver, entries: &[MruEntry], v6: &V6Table) {
        if !self.resolve {
            return;
        }
        let addrs: Vec<std::net::IpAddr> = entries
            .iter()
            .filter_map(|e| ip_text(e.addr, v6)?.parse().ok())
            .filter(|ip| !self.cache.contains_key(ip))
            .collect();
        if addrs.is_empty() {
            return;
        }
        // A Ctrl-C that already ended the retrieval should not also stop the
        // lookups for the partial list: only a new one does.
        let earlier = signal::take_interrupt();
        let found = resolver.resolve_all_until(&addrs, &signal::interrupted);
        if earlier {
            signal::raise_interrupt();
        }
        self.cache.extend(found);
    }

    /// Appends the remote column of `e` (numeric: no allocation).
    fn push_text(&self, out: &mut String, e: &MruEntry, v6: &V6Table) {
        if !self.resolve {
            push_ip(out, e.addr, v6);
            return;
        }
        let Some(ip) = ip_text(e.addr, v6) else {
            return;
        };
        match ip.parse::<std::net::IpAddr>() {
            Ok(addr) => out.push_str(self.cache.get(&addr).unwrap_or(&ip)),
            // A scoped IPv6 address (`fe80::1%2`) is shown as it is.
            Err(_) => out.push_str(&ip),
        }
    }
}

pub fn mrulist(cx: &mut Context, line: &str) -> CmdResult {
    let parsed = parse_mrulist_args(line);
    // `follow` streams rows as `direct` does.
    let direct = cx.settings.direct
        || parsed
            .as_ref()
            .is_ok_and(|o| o.direct || o.follow.is_some());
    let json = cx.out.mode.is_json();
    if !direct && !json {
        cx.out
            .say("Ctrl-C will stop MRU retrieval and display partial results.\n");
    }
    let options = parsed.map_err(|e| CmdError::Message(e.to_string()).hint(mrulist_hint(&e)))?;
    let sort = options.sort;
    let follow = options.follow;
    let want_stats = options.stats;
    let filtered = !options.params.trim_start_matches(", ").is_empty();
    // JSON Lines replace the raw text too.
    let raw = cx.settings.raw && !json;
    let start = cx.client.now();
    // Replies of up to 128 fragments (the server's limit; the reference
    // stops at 32): fewer round trips, and salvage keeps losses cheap.
    // NTPQRS_MRU_FRAGS overrides it for experiments.
    let cap = std::env::var("NTPQRS_MRU_FRAGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128);
    let mut list = MruList::default();
    let mut names = RemoteNames {
        resolve: cx.settings.hostnames & 1 != 0,
        cache: HashMap::new(),
    };
    let pivot = unix_now() as i64;
    let mut js = json.then(|| JsonOut::new(cx.host_name(), line, &options, direct, pivot));
    let host = cx.host_name().map(str::to_string);
    // The poll of `follow` that is reading (0: the first walk).
    let poll = std::cell::Cell::new(follow.map(|_| 0u32));
    let hard_cap = max_entries_setting();
    let mut read_error: Option<MruError> = None;
    let mut too_many: Option<usize> = None;
    // Replies are read while the server works on the next request.
    let params = cx.query_params();
    let resolver = &mut *cx.names;
    let mut read = |m: &mut MruRetrieval, out: &mut Output<dyn Write>| {
        while let Some(reply) = m.next_unread() {
            if raw {
                if let Some(data) = reply.whole_reply() {
                    out.say(&raw_varlist_text(data));
                }
            }
            if let Some(j) = js.as_mut() {
                j.start(out, m.counters_before());
            }
            let got = deliver(
                out,
                &mut list,
                (&mut names, &mut *resolver),
                (direct, pivot),
                js.as_ref().map(|j| (j, poll.get())),
                |v6, sink| m.ingest(&reply, v6, sink),
            );
            if let Err(e) = got {
                read_error = Some(e);
                return ControlFlow::Break(());
            }
            if out.broken {
                return ControlFlow::Break(());
            }
            if !direct {
                // Memory follows distinct addresses, within what the
                // server says it can hold.
                let before = m.counters_before();
                let depth = before.map_or(0, |c| usize::try_from(c.depth).unwrap_or(0));
                list.dedup_if_grown(depth);
                let bound = entry_bound(before.and_then(|c| c.maxdepth), hard_cap);
                if list.entries.len() > bound {
                    list.dedup();
                    if list.entries.len() > bound {
                        too_many = Some(bound);
                        return ControlFlow::Break(());
                    }
                }
            }
        }
        ControlFlow::Continue(())
    };
    let got = cx.client.retrieve(
        options,
        cap,
        want_stats || !direct || follow.is_some(),
        &params,
        cx.settings.authenticate,
        cx.out,
        &mut read,
    )?;
    let (mut m, mut interrupted) = (got.retrieval, got.interrupted);
    // `follow`: after the whole list, poll for what changed.
    let mut polls = Polls::default();
    if let Some(f) = follow {
        while !interrupted && m.finish() == Some(&Finish::Complete) && !cx.out.broken {
            let left = f
                .duration
                .map(|d| d.saturating_sub(cx.client.now().saturating_duration_since(start)));
            if left.is_some_and(|l| l.is_zero()) || cx.client.pause(f.interval, left) {
                interrupted = crate::signal::interrupted();
                break;
            }
            let begun = PollStart::of(&m, cx.client.now());
            poll.set(Some(polls.count + 1));
            m.follow(begun.at);
            match cx.client.retrieve_more(&mut m, &params, cx.out, &mut read) {
                Ok(stopped) => interrupted = stopped,
                Err(e) => {
                    polls.error = Some(e);
                    break;
                }
            }
            let numbers = polls.count_poll(&m, &begun, cx.client.now(), cx.out);
            if json {
                cx.out
                    .say(&json::poll_record(host.as_deref(), &numbers, &m, pivot));
            }
        }
    }
    if interrupted {
        // Replies that arrived before Ctrl-C are part of the partial list.
        let _ = read(&mut m, cx.out);
    }
    if cx.out.broken {
        return Ok(());
    }
    if follow.is_some() && m.stats().slots > 0 {
        let summary = rows::FollowSummary {
            polls: polls.count,
            entries: polls.entries,
            new: polls.new,
            counted_new: polls.counted_new,
            missed: polls.missed(),
            rewalks: polls.rewalks,
            seconds: cx
                .client
                .now()
                .saturating_duration_since(start)
                .as_secs_f64(),
        };
        if json {
            cx.out
                .say(&json::follow_end_record(host.as_deref(), &summary));
        } else {
            cx.out.say(&rows::follow_summary(&summary));
        }
        if let Some(e) = polls.error {
            return Err(e);
        }
        if matches!(m.finish(), Some(Finish::Complete) | None) && read_error.is_none() {
            return Ok(());
        }
    }
    let stats = m.stats().clone();
    let expected = m.counters_before().map(|c| c.depth);
    let ending = match (read_error, too_many, m.finish()) {
        (Some(e), _, _) => Ending::Failed(e),
        (None, Some(bound), _) => Ending::TooMany(bound),
        (None, None, Some(Finish::Failed(e))) => Ending::Failed(e.clone()),
        (None, None, Some(Finish::Complete)) => Ending::Complete,
        (None, None, Some(Finish::Stalled)) => Ending::Failed(MruError::Stall),
        (None, None, None) => Ending::Interrupted,
    };
    if let Some(j) = js.as_mut() {
        let tail = json::Tail {
            direct,
            sort,
            start,
            pivot,
            estimate: !filtered && !direct,
        };
        return json::finish(cx, j, (&mut list, &mut names), &m, ending, tail);
    }
    // With nothing read, or in direct mode (the rows are out), a failure
    // is only an error.
    let stalled = ending == Ending::Failed(MruError::Stall);
    if let Ending::Failed(e) = &ending {
        if stats.slots == 0 || ((direct || raw) && !stalled) {
            return Err(mru_failure(cx, e.clone()));
        }
    }
    if stalled {
        cx.out.warn(&MruError::Stall.to_string());
    }
    let collected = m
        .walk_end()
        .unwrap_or_else(Instant::now)
        .duration_since(start)
        .as_secs_f64();
    if !direct && !raw {
        let now = match &ending {
            Ending::Complete => stats
                .server_end
                .map(|s| stamp_to_unix(s, pivot))
                .unwrap_or_else(unix_now),
            Ending::Interrupted => {
                cx.out.say(
                    "mrulist retrieval interrupted by operator.\nDisplaying partial client list.\n",
                );
                unix_now()
            }
            Ending::Failed(MruError::Stall) => {
                cx.out.say("mrulist retrieval stopped: the server's list changed faster than it could be read.\nDisplaying partial client list.\n");
                unix_now()
            }
            Ending::Failed(e) => {
                let e = mru_failure(cx, e.clone());
                cx.report(&e);
                list.dedup();
                cx.out.say(&rows::partial_list_note(
                    "failed",
                    list.entries.len(),
                    expected,
                ));
                unix_now()
            }
            Ending::TooMany(bound) => {
                cx.out.warn(&rows::too_many_entries_warning(
                    *bound,
                    m.counters_before().and_then(|c| c.maxdepth),
                ));
                cx.out.say(&rows::partial_list_note(
                    "stopped",
                    list.entries.len(),
                    expected,
                ));
                unix_now()
            }
        };
        list.dedup();
        list.sort_for_display(sort);
        names.prefetch(cx.names, &list.entries, &list.v6);
        if !table::print_table(cx, &list, &names, now, pivot) {
            cx.out.say(&rows::header());
            let out = &mut *cx.out;
            print_rows(&list, &names, now, pivot, &mut |text| {
                out.say(text);
                !out.broken
            });
        }
        if cx.out.broken {
            return Ok(());
        }
        cx.out.say(&format!(
            "# Collected {} slots in {collected:.3} seconds\n",
            stats.slots
        ));
    }
    let processed = start.elapsed().as_secs_f64();
    cx.out.say(&format!(
        "# Processed {} slots in {processed:.3} seconds\n",
        stats.slots
    ));
    cx.out
        .say(&format!("# Used {} megabytes of memory\n", peak_rss_mib()));
    let complete = ending == Ending::Complete;
    // A list stopped at the bound outran the reader too: say what is known.
    let too_many = matches!(ending, Ending::TooMany(_));
    if (complete || stalled || too_many) && !interrupted {
        let r = report_numbers(&m, &stats, list.entries.len(), collected, pivot);
        let text = busy_report(&r, want_stats || stalled || too_many, !filtered && !direct);
        cx.out.say(&text);
    }
    if complete || ending == Ending::Interrupted {
        Ok(())
    } else {
        Err(CmdError::Reported)
    }
}

/// How a retrieval ended, for what is printed after it.
#[derive(Debug, PartialEq)]
enum Ending {
    Complete,
    Interrupted,
    /// Stopped by an error (a stall included) after entries were read.
    Failed(MruError),
    /// More distinct entries than the bound: a broken or hostile server.
    TooMany(usize),
}

/// `NTPQ_MRU_MAX_ENTRIES`: the most distinct entries one `mrulist` keeps
/// (default [`DEFAULT_MAX_ENTRIES`]).
fn max_entries_setting() -> usize {
    std::env::var("NTPQ_MRU_MAX_ENTRIES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(DEFAULT_MAX_ENTRIES)
}

/// Runs `read` (which feeds entries to a sink) and files the entries: in
/// the list, or straight to the output in direct mode.
fn deliver(
    out: &mut Output<dyn Write>,
    list: &mut MruList,
    (names, resolver): (&mut RemoteNames, &mut NameResolver),
    (direct, pivot): (bool, i64),
    json: Option<(&JsonOut, Option<u32>)>,
    read: impl FnOnce(&mut V6Table, &mut dyn FnMut(&MruEntry, &V6Table)) -> Result<(), MruError>,
) -> Result<(), MruError> {
    let mut batch: Vec<MruEntry> = Vec::new();
    let result = {
        let entries = &mut list.entries;
        read(&mut list.v6, &mut |e: &MruEntry, _: &V6Table| {
            if direct {
                batch.push(*e)
            } else {
                entries.push(*e)
            }
        })
    };
    if direct && !batch.is_empty() {
        names.prefetch(resolver, &batch, &list.v6);
        let text = match json {
            Some((j, poll)) => {
                let view = EntryView {
                    pivot_unix: pivot,
                    now_unix: None,
                    poll,
                };
                j.entries_text(&batch, &list.v6, names, view)
            }
            None => {
                let mut text = String::new();
                for e in &batch {
                    if rows::row_into(&mut text, e, None, pivot) {
                        names.push_text(&mut text, e, &list.v6);
                    }
                    text.push('\n');
                }
                text
            }
        };
        out.say(&text);
        out.flush();
        // Constant memory: IPv6 addresses are only needed for this batch.
        list.v6 = V6Table::default();
    }
    result
}

/// The message for a failed retrieval (and the nonce reply, logged).
fn mru_failure(cx: &mut Context, e: MruError) -> CmdError {
    if let MruError::BadNonce { reply } = &e {
        let reply = ntp_control::visible::visible(reply);
        cx.out.log(&format!("## Nonce expected: {reply}"));
    }
    match e {
        MruError::Query(q) => CmdError::Query(q),
        other => CmdError::Message(other.to_string()),
    }
}

/// The numbers of the busy-server report: the server's clock where it
/// told us (else ours) for how the counters moved.
fn report_numbers(
    m: &MruRetrieval,
    stats: &ntp_control::mru::RetrievalStats,
    shown: usize,
    seconds: f64,
    pivot: i64,
) -> BusyReport {
    let (before, after) = (m.counters_before(), m.counters_after());
    let retrieval_end = m.walk_end().unwrap_or_else(Instant::now);
    let counters = match (before, after) {
        (Some(b), Some(a)) => {
            let (span, tail) = match (b.clock, a.clock, stats.server_end) {
                (Some(c0), Some(c1), Some(end)) => (
                    stamp_to_unix(c1, pivot) - stamp_to_unix(c0, pivot),
                    stamp_to_unix(c1, pivot) - stamp_to_unix(end, pivot),
                ),
                _ => (
                    a.at.duration_since(b.at).as_secs_f64(),
                    a.at.duration_since(retrieval_end).as_secs_f64(),
                ),
            };
            Some(CounterChange {
                new: a.new - b.new,
                recycled: a.recycled - b.recycled,
                depth_before: b.depth,
                span,
                tail,
            })
        }
        _ => None,
    };
    BusyReport {
        seconds,
        requests: stats.requests,
        lost_replies: stats.timeouts,
        salvaged: stats.salvaged,
        restarts: stats.restarts,
        server_time: stats
            .server_start
            .zip(stats.server_end)
            .map(|(a, b)| (stamp_to_unix(a, pivot), stamp_to_unix(b, pivot))),
        changed_during: stats.changed_during,
        counters,
        shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntp_control::mru::entry::AddrRef;

    fn list(n: u32) -> MruList {
        let mut list = MruList::default();
        for i in 0..n {
            list.entries.push(MruEntry {
                last: (3_900_000_000u64 + u64::from(i)) << 32,
                first: 3_899_999_000u64 << 32,
                addr: AddrRef::V4(0x0a00_0000 + i),
                count: 1 + i % 7,
                drop: 0,
                score_milli: i % 5000,
                port: 123,
                rs: 0,
                mv: 0x23,
                has_port: true,
            });
        }
        list
    }

    #[test]
    fn rows_from_two_threads_come_out_in_order() {
        let list = list(100_000); // 7 chunks: the threaded path
        let names = RemoteNames {
            resolve: false,
            cache: HashMap::new(),
        };
        let (now, pivot) = (1_700_000_000.0, 1_700_000_000);
        let mut threaded = String::new();
        print_rows(&list, &names, now, pivot, &mut |t| {
            threaded.push_str(t);
            true
        });
        let mut one_by_one = String::new();
        for e in &list.entries {
            rows::row_into(&mut one_by_one, e, Some(now), pivot);
            names.push_text(&mut one_by_one, e, &list.v6);
            one_by_one.push('\n');
        }
        assert_eq!(threaded.lines().count(), 100_000);
        assert!(threaded == one_by_one, "same rows, same order");
    }

    #[test]
    fn a_closed_output_stops_the_formatting() {
        let list = list(100_000);
        let names = RemoteNames {
            resolve: false,
            cache: HashMap::new(),
        };
        let mut writes = 0;
        print_rows(&list, &names, 0.0, 0, &mut |_| {
            writes += 1;
            writes < 2
        });
        assert_eq!(writes, 2);
    }
}
