//! Authentication state of the process: the `-k` key file, the password
//! of the session, the MAC alignment, and the reference's credential
//! procedure (protocol.md §9.7) with its terminal prompts.
//!
//! MAC alignment: NTPsec 1.2.2 pads to 8 octets before the key id,
//! 1.2.3 and later to 4 (protocol.md §9.3). We start with 1.2.2's and,
//! when an authenticated request whose two alignments differ is refused
//! with PERMISSION, retry it once with the other one (which is then kept
//! for the rest of the run). The environment variable `NTPQ_MAC_ALIGN=8`
//! or `=4` forces one alignment and disables the retry.
//!
//! Secrets: a password lives only in [`Auth::password`] (a
//! [`Secret`], whose `Debug` shows its length only); prompts read the
//! terminal (`/dev/tty`) with echo off, so passwords never pass through
//! the line editor, its history, the log stream or an error message.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ntp_auth::conf::{find_control_key, ControlKey, NTP_CONF_PATHS};
use ntp_auth::trailer::{check_response, ResponseMac};
use ntp_auth::{Align, KeyFile, KeyType, Secret};
use ntp_control::auth_trailer::ResponseCheck;
use ntp_control::query::Signer;

use crate::error::CmdError;
use crate::output::Output;
use crate::pyint::py_int;
use crate::signal;

/// Environment variable forcing the MAC alignment (`8` or `4`).
pub const ALIGN_ENV: &str = "NTPQ_MAC_ALIGN";
/// Environment variable naming the daemon configuration file(s) to read
/// the control key from (colon-separated), instead of
/// /etc/ntpsec/ntp.conf and /etc/ntp.conf.
pub const NTP_CONF_ENV: &str = "NTPQ_NTP_CONF";

pub const SERR_BADKEY: &str = "***Invalid key identifier";
pub const SERR_INVPASS: &str = "***Invalid password";
pub const SERR_NOCRED: &str = "***No credentials";
pub const SERR_NOTRUST: &str = "***No trusted keys have been declared";

pub struct Auth {
    /// The `-k` key file, when one was given.
    pub keyfile: Option<Arc<KeyFile>>,
    /// Any integer, as the reference stores it (`keyid -1` is shown).
    pub keyid: Option<i64>,
    /// The key type name as the `keytype` command shows it.
    pub keytype: String,
    /// The session's password (set by the credential procedure).
    pub password: Option<Secret>,
    pub align: Align,
    /// Alignment forced by [`ALIGN_ENV`]: no retry with the other one.
    pub forced: bool,
    /// The reference checks response MACs until the first failure.
    authpass: Arc<AtomicBool>,
}

impl Auth {
    pub fn new(keyfile: Option<KeyFile>) -> Auth {
        let forced = std::env::var(ALIGN_ENV)
            .ok()
            .and_then(|v| Align::from_octets(&v));
        Auth {
            keyfile: keyfile.map(Arc::new),
            keyid: None,
            keytype: "MD5".to_string(),
            password: None,
            align: forced.unwrap_or(Align::Eight),
            forced: forced.is_some(),
            authpass: Arc::new(AtomicBool::new(true)),
        }
    }

    /// A key file with at least one key (the reference's truth test).
    pub fn has_keys(&self) -> bool {
        self.keyfile.as_ref().is_some_and(|k| !k.is_empty())
    }

    /// A server error clears the session's credentials (protocol.md §4.2).
    pub fn clear_credentials(&mut self) {
        self.keyid = None;
        self.password = None;
    }

    /// The signer for one request with the session's credentials.
    pub fn signer(&self, align: Align) -> Result<Signer, &'static str> {
        let (Some(keyid), Some(secret)) = (self.keyid, self.password.clone()) else {
            return Err(SERR_NOCRED);
        };
        let keyid = keyid as u32;
        match KeyType::from_name(&self.keytype) {
            Some(kind) => Ok(Box::new(move |pkt: &mut Vec<u8>| {
                ntp_auth::sign(pkt, align, keyid, kind, &secret)
            })),
            // A type OpenSSL names but cannot compute (MD4, WHIRLPOOL,
            // DES, ...): 1.2.2 pads the request and sends it without a
            // MAC, and the server refuses it with PERMISSION.
            None => Ok(Box::new(move |pkt: &mut Vec<u8>| {
                while !pkt.len().is_multiple_of(align.octets()) {
                    pkt.push(0);
                }
            })),
        }
    }

    /// The response MAC check of the reference (only with a `-k` file that
    /// holds keys, and only until the first failure in the run).
    pub fn response_check(&self) -> Option<ResponseCheck> {
        if !self.has_keys() || !self.authpass.load(Ordering::Relaxed) {
            return None;
        }
        let keys = Arc::clone(self.keyfile.as_ref()?);
        let pass = Arc::clone(&self.authpass);
        Some(Box::new(move |pkt: &[u8], count: usize| {
            if !pass.load(Ordering::Relaxed) {
                return None;
            }
            match check_response(pkt, count, &keys) {
                ResponseMac::Good => None,
                ResponseMac::Bad => {
                    pass.store(false, Ordering::Relaxed);
                    None
                }
                ResponseMac::TooShort { len, needed } => {
                    pass.store(false, Ordering::Relaxed);
                    Some(format!("AUTH - packet too short for MAC {len} < {needed}"))
                }
            }
        }))
    }
}

/// Host names for which the control key is taken from the local daemon's
/// configuration (the reference: `localhost` only).
pub fn is_local_host(name: &str) -> bool {
    matches!(name, "localhost" | "127.0.0.1" | "::1" | "[::1]")
}

/// The configuration files to read the control key from.
pub fn ntp_conf_paths() -> Vec<PathBuf> {
    match std::env::var_os(NTP_CONF_ENV) {
        Some(v) => std::env::split_paths(&v).collect(),
        None => NTP_CONF_PATHS.iter().map(PathBuf::from).collect(),
    }
}

/// The control key of the local daemon: `(keyid, type, secret)` or the
/// message to print.
pub fn local_control_key(keys: &KeyFile) -> Result<(u32, String, Secret), String> {
    let paths = ntp_conf_paths();
    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    match find_control_key(&refs) {
        ControlKey::Found { path, keyid } => match keys.get(keyid) {
            Some(k) => Ok((keyid, k.type_name.clone(), k.secret.clone())),
            None => Err(format!(
                "***Control key {keyid} (from {}) is not in the key file {}",
                path.display(),
                keys.path.display()
            )),
        },
        ControlKey::NotDeclared { .. } => Err(SERR_NOTRUST.to_string()),
        ControlKey::Unreadable { paths } => Err(format!(
            "***Can't read control key from {}",
            paths
                .first()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        )),
    }
}

/// Where the credential procedure asks for a key id and a password.
pub trait Prompt {
    /// Whether to ask at all (the reference asks only with a terminal on stdin).
    fn can_ask(&self) -> bool;
    /// One answer (`echo` false: not shown); `None` at end of input or Ctrl-C.
    fn ask(&mut self, prompt: &str, echo: bool) -> Option<String>;
}

/// The controlling terminal (`/dev/tty`), when stdin is one.
#[derive(Default)]
pub struct TerminalPrompt;

impl Prompt for TerminalPrompt {
    fn can_ask(&self) -> bool {
        // SAFETY: isatty only inspects the descriptor.
        unsafe { libc::isatty(0) == 1 }
    }
    fn ask(&mut self, prompt: &str, echo: bool) -> Option<String> {
        prompt_terminal(prompt, echo)
    }
}

/// Prompts on the controlling terminal and reads one line; `echo` false
/// turns terminal echo off while reading. `None` without a terminal, at
/// end of input, or on Ctrl-C (the session's interrupt flag is then set).
pub fn prompt_terminal(prompt: &str, echo: bool) -> Option<String> {
    let mut tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()?;
    use std::os::unix::io::AsRawFd;
    let fd = tty.as_raw_fd();
    // SAFETY: termios is plain data; tcgetattr fills it for a valid fd.
    let mut saved: libc::termios = unsafe { std::mem::zeroed() };
    let have_termios = unsafe { libc::tcgetattr(fd, &mut saved) } == 0;
    if !echo && have_termios {
        let mut quiet = saved;
        quiet.c_lflag &= !(libc::ECHO | libc::ECHONL);
        quiet.c_lflag |= libc::ICANON;
        // SAFETY: valid fd and termios.
        unsafe { libc::tcsetattr(fd, libc::TCSAFLUSH, &quiet) };
    }
    let _ = tty.write_all(prompt.as_bytes());
    let _ = tty.flush();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    let mut eof = false;
    loop {
        // Wait in short slices so that Ctrl-C (a flag set by our handler;
        // the read itself would be restarted) ends the prompt.
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let ready = unsafe { libc::poll(&mut pfd, 1, 100) };
        if crate::signal::interrupted() {
            eof = true;
            line.clear();
            break;
        }
        if ready == 0
            || (ready < 0
                && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted)
        {
            continue;
        }
        match tty.read(&mut byte) {
            Ok(1) if byte[0] == b'\n' => break,
            Ok(1) => line.push(byte[0]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            _ => {
                eof = true;
                break;
            }
        }
    }
    if !echo && have_termios {
        // SAFETY: restores the attributes read above.
        unsafe { libc::tcsetattr(fd, libc::TCSAFLUSH, &saved) };
        let _ = tty.write_all(b"\n");
    }
    let text = String::from_utf8_lossy(&line).into_owned();
    for b in line.iter_mut() {
        *b = 0;
    }
    if eof && text.is_empty() {
        None
    } else {
        Some(text)
    }
}

impl Auth {
    /// The reference's `password()`: obtains a key id and a password for
    /// the session unless both are set (protocol.md §9.7). `host` is the
    /// open host's name (local hosts use the daemon's control key).
    pub fn obtain_credentials(
        &mut self,
        host: &str,
        prompt: &mut dyn Prompt,
        out: &mut Output<dyn Write>,
    ) -> Result<(), CmdError> {
        if self.keyid.is_none() {
            if is_local_host(host) {
                if let Some(keys) = self.keyfile.clone().filter(|k| !k.is_empty()) {
                    match local_control_key(&keys) {
                        Ok((id, kind, secret)) => {
                            self.keyid = Some(i64::from(id));
                            self.keytype = kind;
                            self.password = Some(secret);
                            return Ok(());
                        }
                        // The reference's own case: `localhost` stops here.
                        Err(m) if host == "localhost" => return Err(CmdError::Message(m)),
                        // Our addition for the loopback addresses: when the
                        // local configuration names no usable key, ask as
                        // for any other host.
                        Err(_) => {}
                    }
                }
            }
            let id = if prompt.can_ask() {
                out.flush();
                let typed = prompt.ask("Keyid: ", true);
                if signal::interrupted() {
                    return Err(CmdError::Interrupted);
                }
                typed.and_then(|t| py_int(t.trim())).unwrap_or(0)
            } else {
                0
            };
            if !(1..=65535).contains(&id) {
                return Err(CmdError::msg(SERR_BADKEY));
            }
            self.keyid = Some(id);
        }
        if self.password.is_none() {
            let keyid = self.keyid.unwrap_or(0);
            let from_file = self
                .keyfile
                .as_ref()
                .and_then(|k| u32::try_from(keyid).ok().and_then(|id| k.get(id)))
                .map(|k| (k.type_name.clone(), k.secret.clone()));
            match from_file {
                Some((kind, secret)) => {
                    self.keytype = kind;
                    self.password = Some(secret);
                }
                None => {
                    out.flush();
                    let text = format!("{} Password: ", self.keytype);
                    let typed = prompt.ask(&text, false);
                    if signal::interrupted() {
                        return Err(CmdError::Interrupted);
                    }
                    let secret = typed
                        .filter(|t| !t.is_empty())
                        .and_then(|t| Secret::from_text(&t))
                        .ok_or_else(|| CmdError::msg(SERR_INVPASS))?;
                    self.password = Some(secret);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth_with_keys() -> Auth {
        let kf = KeyFile::parse("1 MD5 md5-secret-key\n2 SHA1 sha1-secret\n", Path::new("k"));
        Auth::new(Some(kf))
    }

    fn request(count: usize) -> Vec<u8> {
        let mut p = vec![0x16, 0x0b, 0, 1, 0, 0, 0, 0, 0, 0, 0, count as u8];
        p.extend(std::iter::repeat_n(b'x', count));
        p.resize(p.len().div_ceil(4) * 4, 0);
        p
    }

    #[test]
    fn signer_needs_both_credentials_and_a_known_type() {
        let mut a = auth_with_keys();
        a.keyid = Some(1);
        assert_eq!(a.signer(Align::Eight).err(), Some(SERR_NOCRED));
        a.password = Some(Secret::new(b"md5-secret-key".to_vec()));
        a.keyid = None;
        assert_eq!(a.signer(Align::Eight).err(), Some(SERR_NOCRED));
        a.keyid = Some(1);
        a.keytype = "MD4".into();
        let mut unsigned = a.signer(Align::Eight).unwrap();
        let mut p = request(7);
        unsigned(&mut p);
        assert_eq!(p.len(), 24, "padded, no MAC");
        let kf = a.keyfile.clone().unwrap();
        for align in [Align::Eight, Align::Four] {
            a.keytype = "md5".into();
            let mut sign = a.signer(align).unwrap();
            let mut p = request(7);
            sign(&mut p);
            assert_eq!(ntp_auth::trailer::verify_request(&p, align, &kf), Some(1));
            assert_eq!(
                ntp_auth::trailer::verify_request(&p, align.other(), &kf),
                None
            );
        }
    }

    #[test]
    fn response_check_reports_a_short_reply_once_then_stops() {
        let a = auth_with_keys();
        let kf = a.keyfile.clone().unwrap();
        let mut check = a.response_check().unwrap();
        // A signed reply verifies silently and checking goes on.
        let mut signed = request(5);
        signed[0] = 0x16;
        signed[1] = 0x8b;
        ntp_auth::sign(
            &mut signed,
            Align::Eight,
            2,
            KeyType::Sha1,
            &kf.get(2).unwrap().secret,
        );
        assert_eq!(check(&signed, 5), None);
        assert!(a.response_check().is_some());
        // The first unsigned reply is reported ...
        assert_eq!(
            check(&request(4), 4).as_deref(),
            Some("AUTH - packet too short for MAC 16 < 36")
        );
        // ... and nothing is checked any more for the rest of the run.
        assert_eq!(check(&request(4), 4), None);
        assert!(a.response_check().is_none());
    }

    #[test]
    fn no_check_without_keys() {
        assert!(Auth::new(None).response_check().is_none());
        let empty = KeyFile::parse("# nothing\n", Path::new("k"));
        assert!(Auth::new(Some(empty)).response_check().is_none());
    }

    #[test]
    fn local_hosts() {
        for h in ["localhost", "127.0.0.1", "::1"] {
            assert!(is_local_host(h));
        }
        assert!(!is_local_host("127.0.0.2"));
        assert!(!is_local_host("ntp.example.org"));
    }
}
