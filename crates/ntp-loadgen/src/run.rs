//! The two modes, `fill` and `churn`, and the [`Summary`] they return.

use std::io;
use std::time::{Duration, Instant};

use crate::engine::{round1, round6};
use crate::net::BATCH;
use crate::report::Json;
use crate::*;

/// Result of a run, printable as text or one JSON line.
pub struct Summary {
    pub mode: &'static str,
    pub fields: Vec<(String, Json)>,
    pub text: String,
    pub warnings: Vec<String>,
}

impl Summary {
    pub fn json(&self) -> String {
        let mut f = vec![("mode".to_string(), Json::Str(self.mode.into()))];
        f.extend(self.fields.iter().cloned());
        f.push((
            "warnings".into(),
            Json::Obj(
                self.warnings
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (i.to_string(), Json::Str(w.clone())))
                    .collect(),
            ),
        ));
        Json::Obj(f).render()
    }
}

/// The end of every mode: the run's time, ntpd's counters read again
/// (with `verify`) and the ground truth written.
fn wrap_up(e: &Engine, check: &mut MruCheck, verify: bool) -> io::Result<f64> {
    let elapsed = e.elapsed();
    if verify {
        check.read(e.opts.target, true);
    }
    e.write_truth()?;
    Ok(elapsed)
}

/// A mode's own fields, text and warnings, then what every mode reports:
/// the engine's totals and, with `verify`, ntpd's MRU counters.
struct Report {
    fields: Vec<(String, Json)>,
    text: String,
    warnings: Vec<String>,
}

impl Report {
    fn summary(
        mut self,
        mode: &'static str,
        e: &Engine,
        check: &MruCheck,
        verify: bool,
        elapsed: f64,
    ) -> Summary {
        self.fields.extend(e.common_json(elapsed));
        self.text.push_str(&e.common_text(elapsed));
        if verify {
            self.fields.push(("mru".into(), check.json()));
            self.text.push('\n');
            self.text.push_str(&check.text());
        }
        Summary {
            mode,
            fields: self.fields,
            text: self.text,
            warnings: self.warnings,
        }
    }
}

/// `fill`: each of `count` clients sends one request; unanswered ones are
/// retransmitted up to `retries` times.
pub fn fill(opts: Options, count: u64, retries: u32, verify: bool) -> io::Result<Summary> {
    check_range(opts.first, count, opts.target).map_err(io::Error::other)?;
    let mut check = MruCheck::default();
    if verify {
        check.read(opts.target, false);
    }
    let first = opts.first;
    let mut e = Engine::new(opts, count)?;
    let chunk = 1 << 16;
    let mut i = 0;
    let mut idx = Vec::with_capacity(chunk as usize);
    while i < count {
        let end = (i + chunk).min(count);
        idx.clear();
        idx.extend(i..end);
        e.send(&idx)?;
        i = end;
    }
    e.linger()?;
    for _ in 0..retries {
        if e.replies == 0 {
            break;
        }
        let missing = e.unanswered(0..count);
        if missing.is_empty() {
            break;
        }
        e.retransmits += missing.len() as u64;
        e.send(&missing)?;
        e.linger()?;
    }
    let elapsed = wrap_up(&e, &mut check, verify)?;
    let answered = e.answered_count(0..count);
    let last = (count > 0).then(|| addr_of(first, count - 1));
    let mut warnings = std::mem::take(&mut e.warnings);
    if e.replies > 0 && answered < count {
        warnings.push(format!(
            "{} of {count} clients never got a reply",
            count - answered
        ));
    }
    warnings.extend(check.warnings());
    if let Some(depth) = check.depth_after().filter(|&d| d < count) {
        warnings.push(format!(
            "ntpd mru_depth is {depth}, below the {count} clients sent"
        ));
    }
    let fields = vec![
        ("clients".into(), Json::Int(count as i64)),
        ("first_addr".into(), Json::Str(first.to_string())),
        (
            "last_addr".into(),
            last.map(|a| Json::Str(a.to_string())).unwrap_or(Json::Null),
        ),
        ("answered_clients".into(), Json::Int(answered as i64)),
    ];
    let text = format!(
        "fill: {count} clients {first} .. {} -> {}; {answered} answered\n",
        last.map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
        e.opts.target,
    );
    let report = Report {
        fields,
        text,
        warnings,
    };
    Ok(report.summary("fill", &e, &check, verify, elapsed))
}

/// `churn` parameters.
#[derive(Clone, Debug)]
pub struct Churn {
    /// Brand-new client addresses per second.
    pub new_per_sec: f64,
    /// Re-touches of existing clients per second.
    pub touch_per_sec: f64,
    pub duration: Duration,
    /// Clients `first .. first+existing-1` already exist (e.g. from an
    /// earlier `fill`): touches may pick them, new clients start after them.
    pub existing: u64,
    pub seed: u64,
}

/// xorshift64*: fast, good enough to pick clients to touch.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
}

/// `churn`: for `duration`, `new_per_sec` brand-new clients and
/// `touch_per_sec` repeat requests from random known clients per second.
pub fn churn(opts: Options, c: &Churn, verify: bool) -> io::Result<Summary> {
    let secs = c.duration.as_secs_f64();
    let total_new = (c.new_per_sec * secs).floor() as u64;
    let total_touch = (c.touch_per_sec * secs).floor() as u64;
    if total_touch > 0 && c.existing == 0 && total_new == 0 {
        return Err(io::Error::other(
            "nothing to touch: no new clients and --existing 0",
        ));
    }
    let capacity = c.existing + total_new;
    check_range(opts.first, capacity, opts.target).map_err(io::Error::other)?;
    let mut check = MruCheck::default();
    if verify {
        check.read(opts.target, false);
    }
    let first = opts.first;
    let mut e = Engine::new(opts, capacity)?;
    let mut rng = Rng(c.seed | 1);
    let (mut created, mut touched) = (0u64, 0u64);
    let mut batch = Vec::with_capacity(BATCH);
    let start = Instant::now();
    // Time between sends when nothing is due: half the smaller interval.
    let rate = (c.new_per_sec + c.touch_per_sec).max(1.0);
    let nap = Duration::from_secs_f64((0.5 / rate).clamp(0.0002, 0.01));
    // Sending stops at the deadline even when behind schedule (a short
    // grace lets the final due packets go out at low rates).
    let hard_stop = secs + 0.05;
    let mut behind = false;
    loop {
        let now = start.elapsed().as_secs_f64();
        if now >= hard_stop {
            behind = true;
            break;
        }
        let t = now.min(secs);
        let due_new = ((c.new_per_sec * t) as u64).min(total_new);
        let due_touch = ((c.touch_per_sec * t) as u64).min(total_touch);
        if created == due_new && touched == due_touch {
            if t >= secs {
                break;
            }
            e.drain()?;
            e.loader.wait(nap, false);
            continue;
        }
        batch.clear();
        // Interleave: new clients and touches in proportion to what is due.
        while batch.len() < BATCH && (created < due_new || touched < due_touch) {
            let pool = c.existing + created;
            let touch_next = touched < due_touch
                && pool > 0
                && (created >= due_new || touched * (due_new.max(1)) <= created * due_touch.max(1));
            if touch_next {
                batch.push(rng.below(pool));
                touched += 1;
            } else if created < due_new {
                batch.push(c.existing + created);
                created += 1;
            } else {
                // Touches due but nobody to touch yet.
                break;
            }
        }
        if batch.is_empty() {
            e.loader.wait(nap, false);
            continue;
        }
        e.send(&batch)?;
    }
    let send_elapsed = start.elapsed().as_secs_f64();
    e.linger()?;
    let elapsed = wrap_up(&e, &mut check, verify)?;
    let new_first = addr_of(first, c.existing);
    let new_last = (created > 0).then(|| addr_of(first, c.existing + created - 1));
    let mut warnings = std::mem::take(&mut e.warnings);
    if behind {
        warnings.push(format!(
            "could not keep up: sent {created} of {total_new} new clients and {touched} of {total_touch} touches by the deadline"
        ));
    } else if touched < total_touch {
        warnings.push(format!(
            "only {touched} of {total_touch} touches sent (nothing to touch)"
        ));
    }
    warnings.extend(check.warnings());
    let fields = vec![
        ("new_clients".into(), Json::Int(created as i64)),
        ("touches".into(), Json::Int(touched as i64)),
        ("existing".into(), Json::Int(c.existing as i64)),
        (
            "distinct_clients".into(),
            Json::Int((c.existing + created) as i64),
        ),
        ("first_addr".into(), Json::Str(first.to_string())),
        (
            "new_first_addr".into(),
            new_last
                .map(|_| Json::Str(new_first.to_string()))
                .unwrap_or(Json::Null),
        ),
        (
            "new_last_addr".into(),
            new_last
                .map(|a| Json::Str(a.to_string()))
                .unwrap_or(Json::Null),
        ),
        (
            "new_per_sec_achieved".into(),
            Json::Num(round1(created as f64 / send_elapsed.max(1e-9))),
        ),
        (
            "touch_per_sec_achieved".into(),
            Json::Num(round1(touched as f64 / send_elapsed.max(1e-9))),
        ),
        ("duration_s".into(), Json::Num(round6(send_elapsed))),
        ("seed".into(), Json::Int(c.seed as i64)),
    ];
    let text = format!(
        "churn: {created} new clients {} .. {} and {touched} touches in {send_elapsed:.3} s ({} pre-existing from {first}) -> {}\n",
        if created > 0 { new_first.to_string() } else { "-".into() },
        new_last.map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
        c.existing,
        e.opts.target,
    );
    let report = Report {
        fields,
        text,
        warnings,
    };
    Ok(report.summary("churn", &e, &check, verify, elapsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_bounds() {
        let mut r = Rng(42);
        assert!((0..10_000).all(|_| r.below(7) < 7));
    }
}
