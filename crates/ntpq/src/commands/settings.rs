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
            Some(v) => app.settings.keyid = Some(v),
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

/// The names 1.2.2's key-type check accepts (upper-cased): what OpenSSL 3
/// resolves as a digest, or as a cipher with `-CBC` appended, numeric OIDs
/// included. Captured from the reference; `AES`/`AES128CMAC` are handled
/// as aliases before the table is consulted.
#[rustfmt::skip]
const KEYTYPES: &[&str] = &[
    "1.2.156.10197.1.401", "1.2.840.113549.2.5", "1.3.14.3.2.26", "1.3.36.3.2.1",
    "1.3.6.1.4.1.1722.12.2.1.16", "1.3.6.1.4.1.1722.12.2.2.8", "2.16.840.1.101.3.4.2.1",
    "2.16.840.1.101.3.4.2.10", "2.16.840.1.101.3.4.2.11", "2.16.840.1.101.3.4.2.12",
    "2.16.840.1.101.3.4.2.2", "2.16.840.1.101.3.4.2.3", "2.16.840.1.101.3.4.2.4",
    "2.16.840.1.101.3.4.2.5", "2.16.840.1.101.3.4.2.6", "2.16.840.1.101.3.4.2.7",
    "2.16.840.1.101.3.4.2.8", "2.16.840.1.101.3.4.2.9", "AES-128", "AES-192", "AES-256",
    "ARIA-128", "ARIA-192", "ARIA-256", "BF", "BLAKE2B-512", "BLAKE2B512", "BLAKE2S-256",
    "BLAKE2S256", "CAMELLIA-128", "CAMELLIA-192", "CAMELLIA-256", "CAST", "CAST5", "DES",
    "DES-EDE", "DES-EDE3", "DESX", "ID-RSASSA-PKCS1-V1_5-WITH-SHA3-224",
    "ID-RSASSA-PKCS1-V1_5-WITH-SHA3-256", "ID-RSASSA-PKCS1-V1_5-WITH-SHA3-384",
    "ID-RSASSA-PKCS1-V1_5-WITH-SHA3-512", "MD4", "MD4WITHRSAENCRYPTION", "MD5", "MD5-SHA1",
    "MD5WITHRSAENCRYPTION", "RC2", "RC2-40", "RC2-64", "RIPEMD", "RIPEMD-160", "RIPEMD160",
    "RIPEMD160WITHRSA", "RMD160", "RSA-MD4", "RSA-MD5", "RSA-RIPEMD160", "RSA-SHA1", "RSA-SHA1-2",
    "RSA-SHA224", "RSA-SHA256", "RSA-SHA3-224", "RSA-SHA3-256", "RSA-SHA3-384", "RSA-SHA3-512",
    "RSA-SHA384", "RSA-SHA512", "RSA-SHA512/224", "RSA-SHA512/256", "RSA-SM3", "SEED", "SHA-1",
    "SHA-224", "SHA-256", "SHA-384", "SHA-512", "SHA-512/224", "SHA-512/256", "SHA1",
    "SHA1WITHRSAENCRYPTION", "SHA2-224", "SHA2-256", "SHA2-384", "SHA2-512", "SHA2-512/224",
    "SHA2-512/256", "SHA224", "SHA224WITHRSAENCRYPTION", "SHA256", "SHA256WITHRSAENCRYPTION",
    "SHA3-224", "SHA3-256", "SHA3-384", "SHA3-512", "SHA384", "SHA384WITHRSAENCRYPTION", "SHA512",
    "SHA512-224", "SHA512-224WITHRSAENCRYPTION", "SHA512-256", "SHA512-256WITHRSAENCRYPTION",
    "SHA512WITHRSAENCRYPTION", "SHAKE-128", "SHAKE-256", "SHAKE128", "SHAKE256", "SM3",
    "SM3WITHRSAENCRYPTION", "SM4", "SSL3-MD5", "SSL3-SHA1", "WHIRLPOOL",
];

pub fn keytype(app: &mut App, arg: &str) -> CmdResult {
    if arg.is_empty() {
        let t = app.settings.keytype.clone();
        app.out.say(&format!("Keytype: {t}\n"));
        return Ok(());
    }
    let upper = arg.to_ascii_uppercase();
    if upper == "AES" || upper == "AES128CMAC" {
        app.settings.keytype = "AES-128".to_string();
    } else if KEYTYPES.contains(&upper.as_str()) {
        app.settings.keytype = upper;
    } else {
        return Err(CmdError::Message(format!(
            "Keytype {arg} is not supported by openSSL or ntpq.\n"
        )));
    }
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
