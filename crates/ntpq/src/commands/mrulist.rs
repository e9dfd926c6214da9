//! `mrulist` (mrulist.md): retrieval driven by the protocol crate's
//! [`MruEngine`], the reference's normal, direct and raw output, and
//! ntpq-rs's report on busy servers.

use std::collections::HashMap;
use std::time::Instant;

use ntp_control::mru::entry::{ip_text, parse_stamp, stamp_to_unix, MruEntry, NtpStamp, V6Table};
use ntp_control::mru::{parse_mrulist_args, MruEngine, MruError, MruList, Next};
use ntp_control::{parse_varlist, Opcode, QueryError};
use ntpq_format::cooked::raw_varlist_text;
use ntpq_format::mrulist as rows;

use crate::app::App;
use crate::error::{CmdError, CmdResult};

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

/// MRU counters from the system variables, for the busy-server report,
/// with the server's clock when they were read.
#[derive(Clone, Copy, Debug, Default)]
struct MruCounters {
    depth: i128,
    new: i128,
    recycled: i128,
    clock: Option<NtpStamp>,
}

/// `Err` when the server does not answer at all (the retrieval would fail
/// the same way; better to say so now than after another timeout).
fn read_counters(app: &mut App) -> Result<Option<MruCounters>, CmdError> {
    let mut ask = |names: &[u8]| match app.query(Opcode::ReadVar, 0, names) {
        Ok(r) => Ok(Some(parse_varlist(&r.data))),
        Err(CmdError::Query(ntp_control::QueryError::Server(_))) => Ok(None),
        Err(e) => Err(e),
    };
    // `clock` dates the counters on the server's own clock; a server
    // without it (a simulator scenario) is asked again without it.
    let vars = match ask(b"mru_depth,mru_new,mru_recycleold,mru_recyclefull,clock")? {
        Some(v) => v,
        None => match ask(b"mru_depth,mru_new,mru_recycleold,mru_recyclefull")? {
            Some(v) => v,
            None => return Ok(None),
        },
    };
    let get = |n: &str| vars.iter().find(|v| v.name == n);
    let int = |n: &str| get(n).and_then(|v| v.value.as_i128());
    Ok((|| {
        Some(MruCounters {
            depth: int("mru_depth")?,
            new: int("mru_new")?,
            recycled: int("mru_recycleold").unwrap_or(0) + int("mru_recyclefull").unwrap_or(0),
            clock: get("clock").and_then(|v| parse_stamp(&v.raw)),
        })
    })())
}

/// Remote-address column: numeric, or names (reverse lookup, forward
/// confirmed) when hostnames are on. Names are looked up concurrently for
/// a whole list or batch ([`RemoteNames::prefetch`]) by the process-wide
/// [`crate::names::NameResolver`], which caches them for 300 s.
struct RemoteNames {
    resolve: bool,
    cache: HashMap<std::net::IpAddr, String>,
}

impl RemoteNames {
    /// Resolves every distinct address of `entries` at once (Ctrl-C stops
    /// the lookups; the rest are then shown as addresses).
    fn prefetch(&mut self, entries: &[MruEntry], v6: &V6Table) {
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
        use std::sync::atomic::Ordering;
        let earlier = crate::session::take_interrupt();
        let stop = || crate::session::INTERRUPTED.load(Ordering::SeqCst);
        let found = crate::names::global().resolve_all_until(&addrs, &stop);
        if earlier {
            crate::session::INTERRUPTED.store(true, Ordering::SeqCst);
        }
        self.cache.extend(found);
    }

    fn text(&mut self, e: &MruEntry, v6: &V6Table) -> String {
        let Some(ip) = ip_text(e.addr, v6) else {
            return String::new();
        };
        if !self.resolve {
            return ip;
        }
        match ip.parse::<std::net::IpAddr>() {
            Ok(addr) => self.cache.get(&addr).cloned().unwrap_or(ip),
            // A scoped IPv6 address (`fe80::1%2`) is shown as it is.
            Err(_) => ip,
        }
    }
}

pub fn mrulist(app: &mut App, line: &str) -> CmdResult {
    let parsed = parse_mrulist_args(line);
    let direct = app.settings.direct || parsed.as_ref().is_ok_and(|o| o.direct);
    if !direct {
        app.out
            .say("Ctrl-C will stop MRU retrieval and display partial results.\n");
    }
    let options = parsed.map_err(|e| CmdError::Message(e.to_string()))?;
    let sort = options.sort;
    let want_stats = options.stats;
    let filtered = !options.params.trim_start_matches(", ").is_empty();
    let raw = app.settings.raw;
    let start = Instant::now();
    let before = if want_stats || !direct {
        read_counters(app)?.map(|c| (c, Instant::now()))
    } else {
        None
    };
    let mut engine = MruEngine::new(options, app.timeouts(), app.mru_row_limit);
    // Replies of up to 128 fragments (the server's limit; the reference
    // stops at 32): fewer round trips, and salvage keeps losses cheap.
    // NTPQRS_MRU_FRAGS overrides it for experiments.
    let cap = std::env::var("NTPQRS_MRU_FRAGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128);
    engine.set_frags_cap(cap);
    let mut list = MruList::default();
    let mut names = RemoteNames {
        resolve: app.settings.hostnames & 1 != 0,
        cache: HashMap::new(),
    };
    let pivot = unix_now() as i64;
    let mut outcome: Result<(), CmdError> = Ok(());
    let mut warned = false;
    let mut stalled = false;
    // A reply whose entries are still to be read: they are parsed while
    // the server works on the next request, so it never waits for us.
    let mut unread: Option<ntp_control::Response> = None;
    loop {
        let inflight = match engine.next(Instant::now()) {
            Next::Done => None,
            Next::Query(request, timeouts) => {
                let is_mru = request.opcode == Opcode::ReadMru;
                match app.start_query(request, timeouts) {
                    Ok(q) => Some((q, timeouts, is_mru)),
                    Err(e) => {
                        outcome = Err(e);
                        break;
                    }
                }
            }
        };
        if let Some(resp) = unread.take() {
            let read = deliver(app, &mut list, &mut names, direct, pivot, |v6, sink| {
                engine.ingest(&resp.data, v6, sink)
            });
            if let Err(e) = read {
                outcome = Err(mru_failure(app, e));
                break;
            }
            if app.out.broken {
                return Ok(());
            }
        }
        let Some((q, timeouts, is_mru)) = inflight else {
            break;
        };
        let query_result: Result<ntp_control::Response, QueryError> =
            match app.finish_query(q, timeouts) {
                Ok(r) => Ok(r),
                Err(CmdError::Query(e)) => Err(e),
                Err(CmdError::Interrupted) => break,
                Err(other) => {
                    outcome = Err(other);
                    break;
                }
            };
        if raw && is_mru {
            let text = query_result
                .as_ref()
                .map(|r| raw_varlist_text(&r.data))
                .unwrap_or_default();
            app.out.say(&text);
        }
        let handled = match query_result {
            Ok(resp) if is_mru => engine
                .accept(Instant::now(), &resp, &mut list.v6)
                .map(|()| unread = Some(resp)),
            other => {
                let partial = match &other {
                    Err(QueryError::Incomplete) if is_mru => app
                        .session
                        .as_mut()
                        .map(|s| s.take_partial())
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                deliver(app, &mut list, &mut names, direct, pivot, |v6, sink| {
                    if partial.is_empty() {
                        engine.handle(Instant::now(), other.as_ref(), v6, sink)
                    } else {
                        engine.handle_partial(Instant::now(), &partial, v6, sink)
                    }
                })
            }
        };
        if let Err(e) = handled {
            if e == MruError::Stall && !list.entries.is_empty() {
                // The list turns over faster than it can be read: say so,
                // then show what was collected rather than lose it.
                app.out.warn(&e.to_string());
                stalled = true;
            } else {
                outcome = Err(mru_failure(app, e));
            }
            break;
        }
        if app.out.broken {
            return Ok(());
        }
        if !warned && (engine.stats().restarts > 0 || start.elapsed().as_secs() >= 3) {
            warned = warn_if_outpaced(app, &engine, start);
        }
    }
    app.mru_row_limit = engine.row_limit();
    let stats = engine.stats().clone();
    // A failed retrieval prints only its error, as the reference does.
    outcome?;
    let collected = start.elapsed().as_secs_f64();
    let complete = engine.is_complete();
    // The counters right away: entries arriving from now on are not missed.
    let retrieval_end = Instant::now();
    let after = match before {
        Some(_) if (complete || stalled) && !app.interrupted => read_counters(app)
            .ok()
            .flatten()
            .map(|c| (c, Instant::now())),
        _ => None,
    };
    if !direct && !raw {
        let now = if complete {
            stats
                .server_end
                .map(|s| stamp_to_unix(s, pivot))
                .unwrap_or_else(unix_now)
        } else if stalled {
            app.out.say("mrulist retrieval stopped: the server's list changed faster than it could be read.\nDisplaying partial client list.\n");
            unix_now()
        } else {
            app.out.say(
                "mrulist retrieval interrupted by operator.\nDisplaying partial client list.\n",
            );
            unix_now()
        };
        let distinct_before = list.entries.len();
        list.dedup();
        let duplicates = distinct_before - list.entries.len();
        list.sort_for_display(sort);
        names.prefetch(&list.entries, &list.v6);
        let mut text = rows::header();
        for e in &list.entries {
            let remote = names.text(e, &list.v6);
            rows::row_into(&mut text, e, Some(now), pivot, &remote);
            text.push('\n');
            if text.len() > 60_000 {
                app.out.say(&text);
                text.clear();
                if app.out.broken {
                    return Ok(());
                }
            }
        }
        app.out.say(&text);
        app.out.say(&format!(
            "# Collected {} slots in {collected:.3} seconds\n",
            stats.slots
        ));
        let _ = duplicates;
    }
    let processed = start.elapsed().as_secs_f64();
    app.out.say(&format!(
        "# Processed {} slots in {processed:.3} seconds\n",
        stats.slots
    ));
    app.out
        .say(&format!("# Used {} megabytes of memory\n", peak_rss_mib()));
    if (complete || stalled) && !app.interrupted {
        let r = Report {
            stats: &stats,
            before,
            after,
            retrieval_end,
            shown: list.entries.len(),
            seconds: collected,
            pivot,
        };
        let text = r.render(want_stats || stalled, !filtered && !direct);
        app.out.say(&text);
    }
    if stalled {
        return Err(CmdError::Reported);
    }
    Ok(())
}

/// Runs `read` (which feeds entries to a sink) and files the entries: in
/// the list, or straight to the output in direct mode.
fn deliver(
    app: &mut App,
    list: &mut MruList,
    names: &mut RemoteNames,
    direct: bool,
    pivot: i64,
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
        let mut text = String::new();
        names.prefetch(&batch, &list.v6);
        for e in &batch {
            let remote = names.text(e, &list.v6);
            rows::row_into(&mut text, e, None, pivot, &remote);
            text.push('\n');
        }
        app.out.say(&text);
        app.out.flush();
        // Constant memory: IPv6 addresses are only needed for this batch.
        list.v6 = V6Table::default();
    }
    result
}

/// The message for a failed retrieval (and the nonce reply, logged).
fn mru_failure(app: &mut App, e: MruError) -> CmdError {
    if let MruError::BadNonce { reply } = &e {
        app.out.log(&format!("## Nonce expected: {reply}"));
    }
    match e {
        MruError::Query(q) => CmdError::Query(q),
        other => CmdError::Message(other.to_string()),
    }
}

/// Warns once on stderr when the server's list grows faster than we read.
fn warn_if_outpaced(app: &mut App, engine: &MruEngine, start: Instant) -> bool {
    let s = engine.stats();
    let secs = start.elapsed().as_secs_f64();
    let changed_rate = s.changed_during as f64 / secs;
    let read_rate = s.slots as f64 / secs;
    if s.restarts > 0 {
        app.out.warn(&format!(
            "ntpq: warning: the server dropped entries before they could be read (restart {} from the oldest entry; reading {read_rate:.0} entries/s, {changed_rate:.0}/s new or updated)",
            s.restarts
        ));
        return true;
    }
    if s.changed_during > 0 && changed_rate > 0.5 * read_rate {
        app.out.warn(&format!(
            "ntpq: warning: the server's MRU list is changing about as fast as it can be read ({changed_rate:.0} new or updated entries/s, reading {read_rate:.0}/s); retrieval may not finish"
        ));
        return true;
    }
    false
}

/// What the busy-server report is made of.
struct Report<'a> {
    stats: &'a ntp_control::mru::RetrievalStats,
    /// Server MRU counters before and after, with when they were read.
    before: Option<(MruCounters, Instant)>,
    after: Option<(MruCounters, Instant)>,
    retrieval_end: Instant,
    shown: usize,
    seconds: f64,
    pivot: i64,
}

impl Report<'_> {
    /// The `# ` lines: printed when the list changed while it was being
    /// read (so a quiet server's output stays the reference's), or always
    /// when `asked` (`mrulist stats`). `estimate` is false when a filter or
    /// direct mode makes the shown count incomparable with the counters.
    fn render(&self, asked: bool, estimate: bool) -> String {
        let s = self.stats;
        let delta = match (self.before, self.after) {
            (Some((b, tb)), Some((a, ta))) => {
                Some((a.new - b.new, a.recycled - b.recycled, b.depth, tb, ta))
            }
            _ => None,
        };
        let arrived = delta.map(|d| d.0 + d.1).unwrap_or(0).max(0);
        // Our own queries update one entry (the client's address).
        let changed = s.changed_during.saturating_sub(1);
        if !asked && arrived == 0 && changed == 0 {
            return String::new();
        }
        let mut out = format!(
            "# Retrieval took {:.3} seconds: {} requests, {} lost replies ({} entries salvaged), {} restarts\n",
            self.seconds, s.requests, s.timeouts, s.salvaged, s.restarts
        );
        if let (Some(a), Some(b)) = (s.server_start, s.server_end) {
            out.push_str(&format!(
                "# Server time {:.3} to {:.3}; entries new or updated meanwhile: {}\n",
                stamp_to_unix(a, self.pivot),
                stamp_to_unix(b, self.pivot),
                s.changed_during
            ));
        }
        if let Some((new, recycled, depth, t_before, t_after)) = delta {
            out.push_str(&format!("# Server counters meanwhile: {new} new entries, {recycled} recycled (list held {depth} before)\n"));
            if estimate {
                // Arrivals after the end of the walk are not missed: take
                // them out at the rate the counters moved, on the server's
                // clock when it told us (else on ours).
                let (span, tail) = match (
                    self.before.and_then(|b| b.0.clock),
                    self.after.and_then(|a| a.0.clock),
                    s.server_end,
                ) {
                    (Some(c0), Some(c1), Some(end)) => (
                        stamp_to_unix(c1, self.pivot) - stamp_to_unix(c0, self.pivot),
                        stamp_to_unix(c1, self.pivot) - stamp_to_unix(end, self.pivot),
                    ),
                    _ => (
                        t_after.duration_since(t_before).as_secs_f64(),
                        t_after.duration_since(self.retrieval_end).as_secs_f64(),
                    ),
                };
                let late = if span > 0.0 {
                    ((new + recycled) as f64 * tail.max(0.0) / span).round() as i128
                } else {
                    0
                };
                let total = depth + new + recycled - late;
                let missed = (total - self.shown as i128).max(0);
                out.push_str(&format!(
                    "# Estimated entries missed: {missed} of {total}\n"
                ));
            }
        }
        out
    }
}
