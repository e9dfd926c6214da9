//! Optional coverage feedback on the stable toolchain: built with LLVM's
//! SanitizerCoverage inline 8-bit counters (see CONTRIBUTING, "Fuzzing"),
//! every instrumented edge has a counter, and the compiler registers the
//! counter arrays by calling `__sanitizer_cov_8bit_counters_init` before
//! `main`. An input that reaches a new edge, or an edge a new number of
//! times (AFL's buckets), is kept for further mutation. Built without the
//! instrumentation, nothing registers and the driver mutates blindly.

use std::sync::Mutex;

/// The counter arrays: (start, end) addresses.
static REGIONS: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());

/// Called by the instrumented code's module constructors.
///
/// # Safety
/// `start..stop` is a counter array the compiler emitted; it lives as long
/// as the program.
#[no_mangle]
pub unsafe extern "C" fn __sanitizer_cov_8bit_counters_init(start: *mut u8, stop: *mut u8) {
    if start.is_null() || stop <= start {
        return;
    }
    if let Ok(mut r) = REGIONS.lock() {
        r.push((start as usize, stop as usize));
    }
}

/// The edges seen so far, bucketed by hit count.
pub struct Coverage {
    regions: Vec<(usize, usize)>,
    seen: Vec<u8>,
}

fn bucket(hits: u8) -> u8 {
    match hits {
        0 => 0,
        1 => 1,
        2 => 2,
        3 => 4,
        4..=7 => 8,
        8..=15 => 16,
        16..=31 => 32,
        32..=127 => 64,
        _ => 128,
    }
}

impl Coverage {
    /// `None` when the binary was built without the counters.
    pub fn new() -> Option<Coverage> {
        let regions = REGIONS.lock().ok()?.clone();
        let total: usize = regions.iter().map(|(s, e)| e - s).sum();
        if total == 0 {
            return None;
        }
        let mut c = Coverage {
            regions,
            seen: vec![0; total],
        };
        c.reset();
        Some(c)
    }

    /// Edges instrumented.
    pub fn edges(&self) -> usize {
        self.seen.len()
    }

    /// Edges reached so far.
    pub fn reached(&self) -> usize {
        self.seen.iter().filter(|&&b| b != 0).count()
    }

    fn counters(&mut self) -> impl Iterator<Item = &mut [u8]> + '_ {
        self.regions.iter().map(|&(s, e)| {
            // SAFETY: a counter array registered by the compiler, alive
            // for the whole run; the instrumented code only increments
            // it, on this thread, and not while we look at it.
            unsafe { std::slice::from_raw_parts_mut(s as *mut u8, e - s) }
        })
    }

    /// Clears the counters before a run.
    pub fn reset(&mut self) {
        for c in self.counters() {
            c.fill(0);
        }
    }

    /// Whether the last run reached something new; records it and clears
    /// the counters.
    pub fn take_news(&mut self) -> bool {
        let mut news = false;
        let mut base = 0;
        let regions = self.regions.clone();
        for (s, e) in regions {
            let len = e - s;
            // SAFETY: as in `counters`.
            let counters = unsafe { std::slice::from_raw_parts_mut(s as *mut u8, len) };
            let seen = &mut self.seen[base..base + len];
            // Most counters are zero: skip them eight at a time.
            for (cs, ss) in counters.chunks_mut(8).zip(seen.chunks_mut(8)) {
                if cs.len() == 8 && u64::from_ne_bytes(cs.try_into().unwrap_or([1; 8])) == 0 {
                    continue;
                }
                for (c, seen) in cs.iter_mut().zip(ss.iter_mut()) {
                    if *c != 0 {
                        let b = bucket(*c);
                        if *seen & b == 0 {
                            *seen |= b;
                            news = true;
                        }
                        *c = 0;
                    }
                }
            }
            base += len;
        }
        news
    }
}
