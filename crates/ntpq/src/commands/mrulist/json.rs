//! `mrulist` with `--json` (docs/json-mrulist.md): the records around the
//! entries and the entries themselves (ntpq-format's `mru_json` writes
//! them). Chosen once per command: the classic rows never pass here.

use std::io::Write;

use ntp_control::mru::entry::{ip_text, stamp_to_unix, MruEntry, V6Table};
use ntp_control::mru::{MruCounters, MruList, MruOptions, MruRetrieval, RetrievalStats};
use ntpq_format::mru_json::{self as records, EntryView};
use ntpq_format::mru_report::missed_estimate;
use serde_json::{Map, Value};

use super::follow::PollNumbers;
use super::{Ending, RemoteNames};
use crate::output::Output;

/// Entries formatted per chunk (about 1.5 MB of text; a few are formatted
/// ahead, on two threads).
const ENTRIES_PER_WRITE: usize = 4_096;

/// One command's JSON output: the host's record head, built once.
pub(super) struct JsonOut {
    host: Option<String>,
    entry_head: String,
    /// `mrulist_start` without the counters, until it is written.
    start: Option<Map<String, Value>>,
    pivot: i64,
}

impl JsonOut {
    pub(super) fn new(
        host: Option<&str>,
        args: &str,
        o: &MruOptions,
        direct: bool,
        pivot: i64,
    ) -> JsonOut {
        let mut start = Map::new();
        start.insert("args".into(), Value::from(args.trim()));
        start.insert("direct".into(), Value::from(direct));
        start.insert(
            "sort".into(),
            o.sort.map_or(Value::Null, |_| {
                Value::from(sort_word(args).unwrap_or_default())
            }),
        );
        start.insert("params".into(), records::params_object(&o.params));
        start.insert(
            "follow".into(),
            o.follow.map_or(Value::Null, |f| {
                let mut m = Map::new();
                m.insert(
                    "interval".into(),
                    records::seconds(f.interval.as_secs_f64()),
                );
                m.insert(
                    "duration".into(),
                    f.duration
                        .map_or(Value::Null, |d| records::seconds(d.as_secs_f64())),
                );
                Value::Object(m)
            }),
        );
        start.insert("stats".into(), Value::from(o.stats));
        JsonOut {
            host: host.map(str::to_string),
            entry_head: records::entry_head(host),
            start: Some(start),
            pivot,
        }
    }

    pub(super) fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// Writes `mrulist_start` (once): before the first entry, when the
    /// server's counters are known.
    pub(super) fn start(&mut self, out: &mut Output<dyn Write>, counters: Option<MruCounters>) {
        if let Some(mut fields) = self.start.take() {
            fields.insert(
                "counters".into(),
                records::counters(counters.as_ref(), self.pivot),
            );
            out.say(&records::record_line("mrulist_start", self.host(), fields));
        }
    }

    /// A batch of entries as JSON Lines.
    pub(super) fn entries_text(
        &self,
        entries: &[MruEntry],
        v6: &V6Table,
        names: &RemoteNames,
        view: EntryView,
    ) -> String {
        let mut text = String::with_capacity(entries.len() * 400);
        for e in entries {
            let name = names.name_of(e, v6);
            records::push_entry(&mut text, &self.entry_head, e, v6, name, view);
        }
        text
    }

    /// The whole (sorted) list; false when the output is gone.
    pub(super) fn write_list(
        &self,
        out: &mut Output<dyn Write>,
        list: &MruList,
        names: &RemoteNames,
        view: EntryView,
    ) -> bool {
        let chunks: Vec<&[MruEntry]> = list.entries.chunks(ENTRIES_PER_WRITE).collect();
        let format = |i: usize| self.entries_text(chunks[i], &list.v6, names, view);
        let mut going = true;
        super::print::write_in_order(chunks.len(), &format, &mut |text| {
            out.say(text);
            going = !out.broken;
            going
        });
        going
    }
}

/// The `sort=` word as typed (the last one wins, as in parsing).
fn sort_word(args: &str) -> Option<String> {
    args.split_whitespace()
        .filter_map(|w| w.strip_prefix("sort="))
        .next_back()
        .map(str::to_string)
}

impl RemoteNames {
    /// The host name found for `e`'s address (names on, lookup done).
    pub(super) fn name_of(&self, e: &MruEntry, v6: &V6Table) -> Option<&str> {
        if !self.resolve {
            return None;
        }
        let ip: std::net::IpAddr = ip_text(e.addr, v6)?.parse().ok()?;
        self.cache.get(&ip).map(String::as_str)
    }
}

/// The `mru_poll` record.
pub(super) fn poll_record(
    host: Option<&str>,
    p: &PollNumbers,
    m: &MruRetrieval,
    pivot: i64,
) -> String {
    let s = m.stats();
    let mut f = Map::new();
    f.insert("poll".into(), Value::from(p.poll));
    records::insert_time(&mut f, "server_start", s.server_start, pivot);
    records::insert_time(&mut f, "server_end", s.server_end, pivot);
    f.insert("entries".into(), Value::from(p.entries));
    f.insert("new".into(), Value::from(p.new));
    f.insert(
        "touched".into(),
        Value::from(p.entries.saturating_sub(p.new)),
    );
    f.insert(
        "server_added".into(),
        p.counted_new.map_or(Value::Null, Value::from),
    );
    f.insert(
        "missed".into(),
        p.counted_new
            .map_or(Value::Null, |c| Value::from(c.saturating_sub(p.new))),
    );
    f.insert("rewalk".into(), Value::from(p.rewalk));
    f.insert("complete".into(), Value::from(p.complete));
    f.insert("seconds".into(), records::seconds(p.seconds));
    f.insert(
        "counters".into(),
        records::counters(m.counters_after().as_ref(), pivot),
    );
    records::record_line("mru_poll", host, f)
}

/// The `mrulist_follow_end` record: the classic `# Followed…` lines' numbers.
pub(super) fn follow_end_record(
    host: Option<&str>,
    s: &ntpq_format::mrulist::FollowSummary,
) -> String {
    let mut f = Map::new();
    f.insert("seconds".into(), records::seconds(s.seconds));
    f.insert("polls".into(), Value::from(s.polls));
    f.insert("entries".into(), Value::from(s.entries));
    f.insert("new".into(), Value::from(s.new));
    f.insert("server_added".into(), Value::from(s.counted_new));
    f.insert("missed".into(), Value::from(s.missed));
    f.insert("rewalks".into(), Value::from(s.rewalks));
    records::record_line("mrulist_follow_end", host, f)
}

/// What `mrulist_end` says.
pub(super) struct EndNumbers<'a> {
    pub(super) ending: &'a Ending,
    /// The error's message, when it failed.
    pub(super) error: Option<String>,
    /// Entries written (after de-duplication; in direct mode, received).
    pub(super) shown: usize,
    pub(super) collected: f64,
    pub(super) processed: f64,
    /// Whether the estimate of missed entries applies (no filter, not direct).
    pub(super) estimate: bool,
    pub(super) memory_mib: i64,
}

/// The `mrulist_end` record.
pub(super) fn end_record(
    host: Option<&str>,
    e: &EndNumbers,
    m: &MruRetrieval,
    stats: &RetrievalStats,
    pivot: i64,
) -> String {
    let (ending, reason) = match e.ending {
        Ending::Complete => ("complete", None),
        Ending::Interrupted => ("interrupted", None),
        Ending::Failed(ntp_control::mru::MruError::Stall) => ("stopped", Some("stall")),
        Ending::Failed(_) => ("failed", None),
        Ending::TooMany(_) => ("stopped", Some("too_many_entries")),
    };
    let mut f = Map::new();
    f.insert("ending".into(), Value::from(ending));
    f.insert("reason".into(), reason.map_or(Value::Null, Value::from));
    f.insert(
        "error".into(),
        e.error.clone().map_or(Value::Null, Value::from),
    );
    f.insert("entries".into(), Value::from(e.shown));
    f.insert("slots".into(), Value::from(stats.slots));
    let before = m.counters_before();
    f.insert(
        "expected".into(),
        before.map_or(Value::Null, |c| records::int(c.depth)),
    );
    f.insert("collected_seconds".into(), records::seconds(e.collected));
    f.insert("processed_seconds".into(), records::seconds(e.processed));
    f.insert("requests".into(), Value::from(stats.requests));
    f.insert("lost_replies".into(), Value::from(stats.timeouts));
    f.insert("salvaged".into(), Value::from(stats.salvaged));
    f.insert("restarts".into(), Value::from(stats.restarts));
    f.insert("changed_during".into(), Value::from(stats.changed_during));
    records::insert_time(&mut f, "server_start", stats.server_start, pivot);
    records::insert_time(&mut f, "server_end", stats.server_end, pivot);
    f.insert(
        "counters_before".into(),
        records::counters(before.as_ref(), pivot),
    );
    f.insert(
        "counters_after".into(),
        records::counters(m.counters_after().as_ref(), pivot),
    );
    let report = super::report_numbers(m, stats, e.shown, e.collected, pivot);
    let (mut new, mut recycled, mut missed, mut total) =
        (Value::Null, Value::Null, Value::Null, Value::Null);
    if let Some(c) = report.counters {
        new = records::int(c.new);
        recycled = records::int(c.recycled);
        if e.estimate {
            let (m, t) = missed_estimate(&c, e.shown);
            missed = records::int(m);
            total = records::int(t);
        }
    }
    f.insert("server_new".into(), new);
    f.insert("server_recycled".into(), recycled);
    f.insert("estimated_missed".into(), missed);
    f.insert("estimated_total".into(), total);
    f.insert("memory_mib".into(), Value::from(e.memory_mib));
    records::record_line("mrulist_end", host, f)
}

/// The server's time of the end marker, for `lstint` (else our clock).
pub(super) fn list_now(stats: &RetrievalStats, pivot: i64) -> f64 {
    stats
        .server_end
        .map(|s| stamp_to_unix(s, pivot))
        .unwrap_or_else(super::unix_now)
}

/// What the end of a JSON `mrulist` needs besides the retrieval.
pub(super) struct Tail {
    pub(super) direct: bool,
    pub(super) sort: Option<ntp_control::mru::SortKey>,
    pub(super) start: std::time::Instant,
    pub(super) pivot: i64,
    pub(super) estimate: bool,
}

/// After the retrieval: the list (unless it streamed) and `mrulist_end`;
/// errors and warnings go to stderr as in classic mode.
pub(super) fn finish(
    cx: &mut crate::context::Context,
    j: &mut JsonOut,
    (list, names): (&mut MruList, &mut RemoteNames),
    m: &MruRetrieval,
    ending: Ending,
    t: Tail,
) -> crate::error::CmdResult {
    use crate::error::CmdError;
    j.start(cx.out, m.counters_before());
    let stats = m.stats().clone();
    let stalled = ending == Ending::Failed(ntp_control::mru::MruError::Stall);
    let collected = m
        .walk_end()
        .unwrap_or_else(|| cx.client.now())
        .saturating_duration_since(t.start)
        .as_secs_f64();
    let mut error = None;
    let mut failed = None;
    if let Ending::Failed(e) = &ending {
        if !stalled {
            let e = super::mru_failure(cx, e.clone());
            error = Some(e.to_string());
            failed = Some(e);
        }
    }
    if stalled {
        cx.out.warn(&ntp_control::mru::MruError::Stall.to_string());
    }
    if let Ending::TooMany(bound) = &ending {
        cx.out.warn(&ntpq_format::mrulist::too_many_entries_warning(
            *bound,
            m.counters_before().and_then(|c| c.maxdepth),
        ));
    }
    let shown = if t.direct {
        usize::try_from(stats.slots).unwrap_or(usize::MAX)
    } else {
        list.dedup();
        list.sort_for_display(t.sort);
        names.prefetch(cx.names, &list.entries, &list.v6);
        let now = match ending {
            Ending::Complete => list_now(&stats, t.pivot),
            _ => super::unix_now(),
        };
        let view = EntryView {
            pivot_unix: t.pivot,
            now_unix: Some(now),
            poll: None,
        };
        if !j.write_list(cx.out, list, names, view) {
            return Ok(());
        }
        list.entries.len()
    };
    let numbers = EndNumbers {
        ending: &ending,
        error,
        shown,
        collected,
        processed: cx
            .client
            .now()
            .saturating_duration_since(t.start)
            .as_secs_f64(),
        estimate: t.estimate,
        memory_mib: super::peak_rss_mib(),
    };
    cx.out
        .say(&end_record(j.host(), &numbers, m, &stats, t.pivot));
    match (ending, failed) {
        (Ending::Complete | Ending::Interrupted, _) => Ok(()),
        // Nothing to show, or shown as it came: the error is the message.
        (_, Some(e)) if stats.slots == 0 || t.direct => Err(e),
        (_, Some(e)) => {
            cx.report(&e);
            Err(CmdError::Reported)
        }
        (_, None) => Err(CmdError::Reported),
    }
}

#[cfg(test)]
mod tests;
