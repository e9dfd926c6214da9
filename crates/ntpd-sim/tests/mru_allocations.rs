//! A deterministic guard on the mrulist hot path: heap allocations the
//! client makes per entry retrieved, counted by a global allocator while
//! the client (and only the client) runs. Per-entry work such as a debug
//! dump built and thrown away, or a `String` per field, multiplies this
//! number; time does not enter into it.

mod pair;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;

use ntp_control::mru::{Finish, MruEntry};
use pair::{scenario, Pair};

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count_one() {
    if COUNTING.with(Cell::get) {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: defers to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations per entry over a whole retrieval of `count` entries;
/// `on_entry` runs in the client's sink for each entry read.
fn allocations_per_entry(count: usize, on_entry: fn(&MruEntry)) -> f64 {
    let toml = scenario(count, "noise = false\n");
    let mut p = Pair::with_verbosity(&toml, "", 128, 0);
    p.meter = |on| COUNTING.with(|c| c.set(on));
    p.on_entry = on_entry;
    ALLOCATIONS.with(|n| n.set(0));
    assert_eq!(p.run(Duration::from_secs(60)), Some(Finish::Complete));
    let n = ALLOCATIONS.with(Cell::get);
    assert_eq!(p.client.stats().slots, count as u64);
    n as f64 / count as f64
}

/// The bound: a reply of ~460 entries may allocate a few dozen times
/// (request, reassembly buffer growth, anchors), not per entry.
const MAX_PER_ENTRY: f64 = 0.15;

#[test]
fn retrieval_allocates_per_reply_not_per_entry() {
    let per_entry = allocations_per_entry(50_000, |_| {});
    println!("allocations per entry: {per_entry:.4}");
    assert!(
        per_entry < MAX_PER_ENTRY,
        "{per_entry:.3} heap allocations per MRU entry (bound {MAX_PER_ENTRY})"
    );
}

#[test]
fn the_counter_sees_work_per_entry() {
    // One String per entry read, as a careless sink or formatter would
    // make: the meter must see it, or the bound above proves nothing.
    let careless = allocations_per_entry(5_000, |e| {
        std::hint::black_box(format!("{e:?}"));
    });
    assert!(careless > 1.0, "{careless}");
}
