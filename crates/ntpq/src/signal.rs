//! Ctrl-C: the process's one global, a flag set by the SIGINT handler and
//! checked by the receive loop, the name lookups, the password prompt and
//! the interpreter between commands.

use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Installs the Ctrl-C handler (a flag; the loops check it).
pub fn install_sigint_handler() {
    // SAFETY: the handler only stores to an atomic, which is signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_sigint as *const () as libc::sighandler_t);
    }
}

/// Whether Ctrl-C was pressed (the flag stays set).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Reads and clears the flag.
pub fn take_interrupt() -> bool {
    INTERRUPTED.swap(false, Ordering::SeqCst)
}

/// Sets the flag again (a Ctrl-C taken for one purpose still ends the run).
pub fn raise_interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}
