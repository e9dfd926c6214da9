//! The daemon's configuration file, read for its `controlkey` line when
//! ntpq talks to the local ntpd (protocol.md §9.7).

use std::path::{Path, PathBuf};

/// Where the daemon's configuration is looked for, in order: the Debian
/// build's path first (what 1.2.2 on this platform reads), then upstream's.
pub const NTP_CONF_PATHS: &[&str] = &["/etc/ntpsec/ntp.conf", "/etc/ntp.conf"];

/// The key id of the first `controlkey N` line (the reference takes the
/// first line starting with `control`). `Err` when no such line exists.
pub fn control_key_id(text: &str) -> Option<Result<u32, String>> {
    for line in text.lines() {
        let line = line.trim_start();
        let mut words = line.split_whitespace();
        if words.next() == Some("controlkey") {
            let arg = words.next().unwrap_or("");
            return Some(match arg.parse::<u32>() {
                Ok(n) if (1..=65535).contains(&n) => Ok(n),
                _ => Err(arg.to_string()),
            });
        }
    }
    None
}

/// The result of looking for the control key in the first readable file.
#[derive(Debug, PartialEq, Eq)]
pub enum ControlKey {
    Found {
        path: PathBuf,
        keyid: u32,
    },
    /// Readable, but no (valid) `controlkey` line.
    NotDeclared {
        path: PathBuf,
    },
    /// None of the files could be read.
    Unreadable {
        paths: Vec<PathBuf>,
    },
}

pub fn find_control_key(paths: &[&Path]) -> ControlKey {
    for p in paths {
        if let Ok(text) = std::fs::read_to_string(p) {
            return match control_key_id(&text) {
                Some(Ok(keyid)) => ControlKey::Found {
                    path: p.to_path_buf(),
                    keyid,
                },
                _ => ControlKey::NotDeclared {
                    path: p.to_path_buf(),
                },
            };
        }
    }
    ControlKey::Unreadable {
        paths: paths.iter().map(|p| p.to_path_buf()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_controlkey() {
        assert_eq!(
            control_key_id("server x\n  controlkey 7\ncontrolkey 8\n"),
            Some(Ok(7))
        );
        assert_eq!(control_key_id("controlkey x\n"), Some(Err("x".into())));
        assert_eq!(control_key_id("# controlkey 1\ntrustedkey 1\n"), None);
    }
}
