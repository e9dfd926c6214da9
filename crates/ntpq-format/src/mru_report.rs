//! The report `mrulist` prints after the list when the server's list
//! changed while it was read (always with `mrulist stats`): an ntpq-rs
//! addition, a pure function of the retrieval's numbers.

/// How the server's MRU counters moved during the retrieval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CounterChange {
    pub new: i128,
    pub recycled: i128,
    /// Entries in the list before.
    pub depth_before: i128,
    /// Seconds between the two readings of the counters.
    pub span: f64,
    /// Seconds from the end of the walk to the second reading.
    pub tail: f64,
}

/// The numbers the report is made of.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BusyReport {
    /// Wall time of the retrieval.
    pub seconds: f64,
    pub requests: u32,
    pub lost_replies: u32,
    pub salvaged: u64,
    pub restarts: u32,
    /// The server's clock at the start and the end (Unix seconds).
    pub server_time: Option<(f64, f64)>,
    /// Entries new or updated meanwhile, as the replies told.
    pub changed_during: u64,
    pub counters: Option<CounterChange>,
    /// Rows shown.
    pub shown: usize,
}

/// The `# ` lines: empty when nothing changed (a quiet server's output
/// stays the reference's) unless `asked`. `estimate` is false when a
/// filter or direct mode makes the shown count incomparable with the
/// counters.
pub fn busy_report(r: &BusyReport, asked: bool, estimate: bool) -> String {
    let arrived = r.counters.map(|c| c.new + c.recycled).unwrap_or(0).max(0);
    // Our own queries update one entry (the client's address).
    let changed = r.changed_during.saturating_sub(1);
    if !asked && arrived == 0 && changed == 0 {
        return String::new();
    }
    let mut out = format!(
        "# Retrieval took {:.3} seconds: {} requests, {} lost replies ({} entries salvaged), {} restarts\n",
        r.seconds, r.requests, r.lost_replies, r.salvaged, r.restarts
    );
    if let Some((start, end)) = r.server_time {
        out.push_str(&format!(
            "# Server time {start:.3} to {end:.3}; entries new or updated meanwhile: {}\n",
            r.changed_during
        ));
    }
    if let Some(c) = r.counters {
        out.push_str(&format!(
            "# Server counters meanwhile: {} new entries, {} recycled (list held {} before)\n",
            c.new, c.recycled, c.depth_before
        ));
        if estimate {
            let (missed, total) = missed_estimate(&c, r.shown);
            out.push_str(&format!(
                "# Estimated entries missed: {missed} of {total}\n"
            ));
        }
    }
    out
}

/// The estimate of entries missed: (missed, of total) — what the list
/// held before, plus what arrived during the walk, less what was shown.
pub fn missed_estimate(c: &CounterChange, shown: usize) -> (i128, i128) {
    // Arrivals after the end of the walk are not missed: take them out at
    // the rate the counters moved.
    let late = if c.span > 0.0 {
        ((c.new + c.recycled) as f64 * c.tail.max(0.0) / c.span).round() as i128
    } else {
        0
    };
    let total = c.depth_before + c.new + c.recycled - late;
    ((total - shown as i128).max(0), total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet() -> BusyReport {
        BusyReport {
            seconds: 0.25,
            requests: 4,
            lost_replies: 0,
            salvaged: 0,
            restarts: 0,
            server_time: Some((1000.0, 1000.25)),
            changed_during: 1,
            counters: Some(CounterChange {
                new: 0,
                recycled: 0,
                depth_before: 30,
                span: 0.3,
                tail: 0.05,
            }),
            shown: 30,
        }
    }

    #[test]
    fn a_quiet_server_gets_no_report_unless_asked() {
        assert_eq!(busy_report(&quiet(), false, true), "");
        assert_eq!(
            busy_report(&quiet(), true, true),
            "# Retrieval took 0.250 seconds: 4 requests, 0 lost replies (0 entries salvaged), 0 restarts\n\
             # Server time 1000.000 to 1000.250; entries new or updated meanwhile: 1\n\
             # Server counters meanwhile: 0 new entries, 0 recycled (list held 30 before)\n\
             # Estimated entries missed: 0 of 30\n"
        );
    }

    #[test]
    fn late_arrivals_are_not_counted_as_missed() {
        let mut r = quiet();
        r.counters = Some(CounterChange {
            new: 60,
            recycled: 0,
            depth_before: 30,
            span: 3.0,
            tail: 1.0, // a third of the arrivals came after the walk
        });
        r.shown = 50;
        let text = busy_report(&r, false, true);
        assert!(
            text.ends_with("# Estimated entries missed: 20 of 70\n"),
            "{text}"
        );
        assert!(!busy_report(&r, false, false).contains("Estimated"));
    }
}
