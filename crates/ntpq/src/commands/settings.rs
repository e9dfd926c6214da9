//! Settings and small commands (commands.md §12).

use crate::app::App;
use crate::cli::Family;
use crate::error::{CmdError, CmdResult};

pub fn eof(app: &mut App, _: &str) -> CmdResult {
    app.out.say("\n");
    Err(CmdError::Quit)
}

pub fn quit(_: &mut App, _: &str) -> CmdResult {
    Err(CmdError::Quit)
}

pub fn raw(app: &mut App, _: &str) -> CmdResult {
    app.settings.raw = true;
    app.out.say("Output set to raw\n");
    Ok(())
}

pub fn cooked(app: &mut App, _: &str) -> CmdResult {
    app.settings.raw = false;
    app.out.say("Output set to cooked\n");
    Ok(())
}

pub fn units(app: &mut App, _: &str) -> CmdResult {
    app.settings.units = !app.settings.units;
    Ok(())
}

pub fn direct(app: &mut App, _: &str) -> CmdResult {
    app.settings.direct = !app.settings.direct;
    app.out.say(if app.settings.direct {
        "Direct mode is on\n"
    } else {
        "Direct mode is off\n"
    });
    Ok(())
}

pub fn hostnames(app: &mut App, arg: &str) -> CmdResult {
    match arg {
        "" => {}
        "yes" => app.settings.hostnames = 1,
        "no" => app.settings.hostnames = 0,
        "hostnum" => app.settings.hostnames = 2,
        "hostname" => app.settings.hostnames = 3,
        _ => app.out.say("What?\n"),
    }
    let mode = app.settings.hostnames;
    app.out.say(if mode & 1 != 0 {
        "resolved hostnames being shown\n"
    } else {
        "resolved hostnames not being shown\n"
    });
    app.out.say(if mode & 2 != 0 {
        "supplied hostnames being shown\n"
    } else {
        "supplied hostnames not being shown\n"
    });
    Ok(())
}

pub fn host(app: &mut App, arg: &str) -> CmdResult {
    let mut words = arg.split_whitespace().peekable();
    if words.peek().is_none() {
        match app.host_name() {
            Some(h) => {
                let h = h.to_string();
                app.out.say(&format!("current host is {h}\n"));
            }
            None => app.out.say("no current host\n"),
        }
        return Ok(());
    }
    // The family qualifier persists for later `host` commands.
    if let Some(q @ ("-4" | "-6")) = words.peek().copied() {
        app.settings.family = if q == "-4" { Family::V4 } else { Family::V6 };
        words.next();
    }
    let name = words.next();
    if let Some(name) = name {
        if app.open_host(name, app.settings.family) {
            app.out.say(&format!("current host set to {name}\n"));
            return Ok(());
        }
    }
    // Also for a bare `host -4`: the host stays as it was.
    match app.host_name() {
        Some(h) => {
            let h = h.to_string();
            app.out.say(&format!("current host remains {h}\n"));
        }
        None => app.out.say("still no current host\n"),
    }
    match name {
        Some(_) => Err(CmdError::Reported),
        None => Ok(()),
    }
}

/// Python `int(text)`: base 10, surrounding blanks, sign, underscores,
/// leading zeros allowed.
pub fn py_int(text: &str) -> Option<i64> {
    let t = text.trim();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if !clean.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = clean.parse().ok()?;
    Some(if neg { -v } else { v })
}

pub fn timeout(app: &mut App, arg: &str) -> CmdResult {
    if !arg.is_empty() {
        match py_int(arg) {
            Some(ms) => app.settings.primary_timeout_ms = ms,
            None => {
                app.out.warn("What?");
                app.failed = true;
            }
        }
    }
    let ms = app.settings.primary_timeout_ms;
    app.out.say(&format!("primary timeout {ms} ms\n"));
    Ok(())
}

pub fn delay(app: &mut App, arg: &str) -> CmdResult {
    if arg.is_empty() {
        let d = app.settings.delay_ms;
        app.out.say(&format!("delay {d} ms\n"));
        return Ok(());
    }
    match py_int(arg) {
        Some(v) => {
            app.settings.delay_ms = v;
            if v < 0 {
                app.out.say("Huh?");
            }
        }
        None => app.out.say("Huh?"),
    }
    Ok(())
}

pub fn keyid(app: &mut App, arg: &str) -> CmdResult {
    if !arg.is_empty() {
        match py_int(arg) {
            Some(v) => app.settings.keyid = u32::try_from(v).ok(),
            None => {
                app.out.warn("What?");
                app.failed = true;
            }
        }
    }
    match app.settings.keyid {
        Some(k) => app.out.say(&format!("keyid is {k}\n")),
        None => app.out.say("no keyid defined\n"),
    }
    Ok(())
}

pub fn keytype(app: &mut App, arg: &str) -> CmdResult {
    if arg.is_empty() {
        let t = app.settings.keytype.clone();
        app.out.say(&format!("Keytype: {t}\n"));
        return Ok(());
    }
    let upper = arg.to_ascii_uppercase();
    let name = match upper.as_str() {
        "AES" | "AES128CMAC" => "AES-128".to_string(),
        "MD5" | "SHA1" | "SHA224" | "SHA256" | "SHA384" | "SHA512" | "SHA3-224" | "SHA3-256"
        | "SHA3-384" | "SHA3-512" | "RIPEMD160" | "SM3" | "BLAKE2B512" | "BLAKE2S256"
        | "MD5-SHA1" | "SHA512-224" | "SHA512-256" | "AES-128" | "AES-192" | "AES-256" => {
            upper.clone()
        }
        _ => {
            return Err(CmdError::Message(format!(
                "Keytype {arg} is not supported by openSSL or ntpq.\n"
            )));
        }
    };
    app.settings.keytype = name;
    Ok(())
}

pub fn authenticate(app: &mut App, arg: &str) -> CmdResult {
    match arg {
        "" => {}
        "yes" => app.settings.authenticate = true,
        "no" => app.settings.authenticate = false,
        _ => {
            app.out.warn("What?");
            app.failed = true;
        }
    }
    app.out.say(if app.settings.authenticate {
        "authenticated requests being sent\n"
    } else {
        "unauthenticated requests being sent\n"
    });
    Ok(())
}

pub fn ntpversion(app: &mut App, arg: &str) -> CmdResult {
    if !arg.is_empty() {
        match py_int(arg) {
            Some(v @ 1..=4) => app.settings.ntpversion = v as u8,
            Some(_) => {
                app.out.warn("versions 1 to 4, please");
                app.failed = true;
            }
            None => {
                app.out.warn("What?");
                app.failed = true;
            }
        }
    }
    let v = app.settings.ntpversion;
    app.out.say(&format!("NTP version being claimed is {v}\n"));
    Ok(())
}

pub fn debug(app: &mut App, arg: &str) -> CmdResult {
    match arg {
        "" => {}
        "more" => app.settings.debug += 1,
        "less" if app.settings.debug > 0 => app.settings.debug -= 1,
        "less" => {}
        "no" => app.settings.debug = 0,
        other => match py_int(other) {
            Some(v) => app.settings.debug = v,
            None => {
                app.out.warn("What?");
                app.failed = true;
            }
        },
    }
    let d = app.settings.debug;
    app.out.say(&format!("debug level is {d}\n"));
    Ok(())
}

pub fn logfile(app: &mut App, arg: &str) -> CmdResult {
    if arg.is_empty() {
        let name = app.out.log_name().to_string();
        app.out.say(&format!("'{name}'\n"));
        return Ok(());
    }
    if arg == "<stderr>" {
        let _ = app.out.set_log_file(None);
        return Ok(());
    }
    match app.out.set_log_file(Some(arg)) {
        Ok(()) => {
            app.out.say(&format!("Logfile set to {arg}\n"));
            Ok(())
        }
        Err(_) => Err(CmdError::Message(format!(
            "Could not open {arg} for logging."
        ))),
    }
}

pub fn version(app: &mut App, _: &str) -> CmdResult {
    app.out.say(&format!("{}\n", crate::VERSION_TEXT));
    Ok(())
}

pub fn poll(_: &mut App, _: &str) -> CmdResult {
    Err(CmdError::Message(
        "WARNING: poll not implemented yet".into(),
    ))
}

pub fn doflake(app: &mut App, arg: &str) -> CmdResult {
    match ntp_control::varlist::parse_python_float(arg) {
        Some(p) if p > 0.0 && p < 1.0 => {
            app.settings.flake = p;
            Ok(())
        }
        _ => {
            app.out
                .say("Flakiness must be a (positive) float less than 1.");
            Ok(())
        }
    }
}

pub fn noflake(app: &mut App, _: &str) -> CmdResult {
    app.settings.flake = 0.0;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::py_int;

    #[test]
    fn python_int_base_10() {
        assert_eq!(py_int(" 007 "), Some(7));
        assert_eq!(py_int("-5"), Some(-5));
        assert_eq!(py_int("1_000"), Some(1000));
        assert_eq!(py_int("0x10"), None);
        assert_eq!(py_int("1.5"), None);
        assert_eq!(py_int(""), None);
    }
}
