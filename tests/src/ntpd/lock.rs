//! The lock file that serialises every user of 127.0.0.1:123 across
//! processes (several test binaries, several `cargo test` runs):
//! `$TMPDIR/ntpq-rs-real-ntpd.lock` holds "`<test pid> <ntpd pid>`". A lock
//! left by a dead test process is stale: its ntpd, if still alive and
//! recognisably ours (its command line names one of our temporary
//! directories), is killed and its directories are removed.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::DIR_PREFIX;

pub(super) struct ProcessLock {
    path: PathBuf,
}

impl ProcessLock {
    pub(super) fn acquire(wait: Duration) -> ProcessLock {
        let path = std::env::temp_dir().join("ntpq-rs-real-ntpd.lock");
        let deadline = Instant::now() + wait;
        let me = std::process::id();
        let mut said = false;
        loop {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    let _ = write!(f, "{me} 0");
                    return ProcessLock { path };
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    let content = fs::read_to_string(&path).unwrap_or_default();
                    let mut it = content.split_whitespace().map(|s| s.parse::<u32>().ok());
                    let (owner, ntpd) = (it.next().flatten(), it.next().flatten());
                    match owner {
                        Some(pid) if pid != me && pid_alive(pid) => {
                            if Instant::now() >= deadline {
                                panic!(
                                    "real ntpd fixture: {} is held by live process {pid}; \
                                     another test run is using the real ntpd",
                                    path.display()
                                );
                            }
                            if !said {
                                eprintln!("real ntpd fixture: waiting for test process {pid} to release the real ntpd");
                                said = true;
                            }
                            std::thread::sleep(Duration::from_millis(250));
                        }
                        None if content.is_empty() => {
                            // Being written right now by another process.
                            if Instant::now() >= deadline {
                                let _ = fs::remove_file(&path);
                            }
                            std::thread::sleep(Duration::from_millis(50));
                        }
                        _ => {
                            // Stale: the test process died without Drop.
                            if let Some(npid) = ntpd.filter(|&p| p != 0) {
                                kill_stale_ntpd(npid);
                            }
                            if let Some(pid) = owner.filter(|&p| p != me) {
                                remove_dirs_of(pid);
                            }
                            let _ = fs::remove_file(&path);
                        }
                    }
                }
                Err(e) => panic!("real ntpd fixture: cannot create {}: {e}", path.display()),
            }
        }
    }

    pub(super) fn record_ntpd(&mut self, ntpd_pid: u32) {
        let _ = fs::write(&self.path, format!("{} {ntpd_pid}", std::process::id()));
    }
}

impl Drop for ProcessLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

fn pid_alive(pid: u32) -> bool {
    // A zombie has no cmdline content; treat it as dead.
    Path::new(&format!("/proc/{pid}")).exists()
        && fs::read(format!("/proc/{pid}/cmdline"))
            .map(|c| !c.is_empty())
            .unwrap_or(false)
}

/// Kills an ntpd left behind by a crashed test process — only if its command
/// line shows it was started by this fixture.
fn kill_stale_ntpd(pid: u32) {
    let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
    if cmdline.contains("ntpd") && cmdline.contains(DIR_PREFIX) {
        eprintln!("real ntpd fixture: killing stale fixture ntpd (pid {pid}): {cmdline}");
        let _ = Command::new("kill")
            .arg("-KILL")
            .arg(pid.to_string())
            .status();
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Removes the ntpd directories a dead test process `pid` left behind.
fn remove_dirs_of(pid: u32) {
    let prefix = format!("{DIR_PREFIX}{pid}-");
    let tmp = std::env::temp_dir();
    for entry in fs::read_dir(&tmp).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}
