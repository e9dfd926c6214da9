//! Turns on 127.0.0.1:123 within one test binary (test threads run in
//! parallel): any number of readers of the shared ntpd at once, or one
//! test with an exclusive ntpd. A waiting exclusive test goes before new
//! readers; a reader wanting another configuration or setup than the
//! running shared ntpd waits until its readers are done, then replaces it.
//! The shared ntpd is stopped when the test binary exits. A test holds at
//! most one turn at a time: asking for another while holding one can wait
//! for itself.

use std::any::{Any, TypeId};
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Once};

use super::{with_base, RealNtpd};
use crate::{have, Need};

/// The shared ntpd and what its setup step returned.
struct Running {
    ntpd: RealNtpd,
    /// Which setup made `data`: its function and result type.
    setup: (usize, TypeId),
    data: Box<dyn Any + Send + Sync>,
}

struct Turns {
    shared: Option<Arc<Running>>,
    readers: usize,
    exclusive: bool,
    exclusive_waiting: usize,
}

static TURNS: Mutex<Turns> = Mutex::new(Turns {
    shared: None,
    readers: 0,
    exclusive: false,
    exclusive_waiting: 0,
});
static CHANGED: Condvar = Condvar::new();

fn turns() -> MutexGuard<'static, Turns> {
    TURNS.lock().unwrap_or_else(|e| e.into_inner())
}

fn wait(guard: MutexGuard<'static, Turns>) -> MutexGuard<'static, Turns> {
    CHANGED.wait(guard).unwrap_or_else(|e| e.into_inner())
}

fn needs_met() -> bool {
    have(&[Need::Root, Need::RealNtpd])
}

/// A reader's turn on the shared ntpd; derefs to it.
pub struct Shared<T> {
    running: Arc<Running>,
    data: PhantomData<T>,
}

/// The shared ntpd of this test binary with [`super::BASE_CONFIG`]
/// followed by `extra_config`, on which `setup` ran once after it started
/// (it is started again, and `setup` runs again, if an exclusive test
/// needed the port meanwhile). For tests that only read: what one test
/// does must not change what another sees. None when root or ntpd is
/// missing outside CI.
pub fn shared<T: Send + Sync + 'static>(
    extra_config: &str,
    setup: fn(&RealNtpd) -> T,
) -> Option<Shared<T>> {
    if !needs_met() {
        return None;
    }
    let template = with_base(extra_config);
    let key = (setup as usize, TypeId::of::<T>());
    let mut t = turns();
    loop {
        if t.exclusive || t.exclusive_waiting > 0 {
            t = wait(t);
            continue;
        }
        match &t.shared {
            Some(r) if r.ntpd.template == template && r.setup == key => {
                let running = Arc::clone(r);
                t.readers += 1;
                return Some(Shared {
                    running,
                    data: PhantomData,
                });
            }
            Some(_) if t.readers > 0 => t = wait(t),
            _ => {
                // Stop the old one first: the port is needed.
                drop(t.shared.take());
                stop_at_exit();
                let ntpd = RealNtpd::launch(&template);
                let data = Box::new(setup(&ntpd));
                t.shared = Some(Arc::new(Running {
                    ntpd,
                    setup: key,
                    data,
                }));
            }
        }
    }
}

impl<T: 'static> Shared<T> {
    /// What the setup step returned.
    pub fn data(&self) -> &T {
        self.running
            .data
            .downcast_ref::<T>()
            .expect("the setup's result type is part of the key")
    }
}

impl<T> Deref for Shared<T> {
    type Target = RealNtpd;
    fn deref(&self) -> &RealNtpd {
        &self.running.ntpd
    }
}

impl<T> Drop for Shared<T> {
    fn drop(&mut self) {
        let mut t = turns();
        t.readers -= 1;
        CHANGED.notify_all();
    }
}

/// An ntpd for one test alone, which may change it; stopped on drop.
/// Derefs to the ntpd.
pub struct Exclusive {
    // Dropped in this order: the ntpd, then the turn.
    ntpd: RealNtpd,
    _turn: ExclusiveTurn,
}

struct ExclusiveTurn;

impl Drop for ExclusiveTurn {
    fn drop(&mut self) {
        turns().exclusive = false;
        CHANGED.notify_all();
    }
}

/// A fresh ntpd for this test alone with [`super::BASE_CONFIG`] followed
/// by `extra_config`; waits for the shared ntpd's readers to finish and
/// stops it. None when root or ntpd is missing outside CI.
pub fn exclusive(extra_config: &str) -> Option<Exclusive> {
    exclusive_with_config(&with_base(extra_config))
}

/// [`exclusive`] with exactly `config` (`{dir}` replaced by the temporary
/// directory); nothing is added.
pub fn exclusive_with_config(config: &str) -> Option<Exclusive> {
    if !needs_met() {
        return None;
    }
    let mut t = turns();
    t.exclusive_waiting += 1;
    while t.exclusive || t.readers > 0 {
        t = wait(t);
    }
    t.exclusive_waiting -= 1;
    t.exclusive = true;
    let turn = ExclusiveTurn;
    let old = t.shared.take();
    drop(t);
    drop(old);
    Some(Exclusive {
        ntpd: RealNtpd::launch(config),
        _turn: turn,
    })
}

impl Deref for Exclusive {
    type Target = RealNtpd;
    fn deref(&self) -> &RealNtpd {
        &self.ntpd
    }
}

/// Statics are never dropped: stop the shared ntpd (and remove its
/// directory and lock file) when the process exits.
fn stop_at_exit() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // SAFETY: registering a plain function that does not unwind.
        unsafe { libc::atexit(stop_shared) };
    });
}

extern "C" fn stop_shared() {
    let _ = std::panic::catch_unwind(|| {
        let running = turns().shared.take();
        drop(running);
    });
}
