//! Settings and small commands (commands.md §12).

use crate::context::Context;
use crate::error::{CmdError, CmdResult};
use crate::output_mode::OutputMode;
use crate::pyint::py_int;
use crate::resolve::Family;

/// `<command> takes a, b or c`: what an invalid word is answered with.
fn words_hint(command: &str, words: &[&str]) -> String {
    format!("{command} takes {}", one_of(words))
}

fn one_of(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

pub fn eof(cx: &mut Context, _: &str) -> CmdResult {
    cx.out.say("\n");
    Err(CmdError::Quit)
}

pub fn quit(_: &mut Context, _: &str) -> CmdResult {
    Err(CmdError::Quit)
}

pub fn raw(cx: &mut Context, _: &str) -> CmdResult {
    cx.settings.raw = true;
    cx.out.say("Output set to raw\n");
    Ok(())
}

pub fn cooked(cx: &mut Context, _: &str) -> CmdResult {
    cx.settings.raw = false;
    cx.out.say("Output set to cooked\n");
    Ok(())
}

pub fn units(cx: &mut Context, _: &str) -> CmdResult {
    cx.settings.units = !cx.settings.units;
    Ok(())
}

pub fn direct(cx: &mut Context, _: &str) -> CmdResult {
    cx.settings.direct = !cx.settings.direct;
    cx.out.say(if cx.settings.direct {
        "Direct mode is on\n"
    } else {
        "Direct mode is off\n"
    });
    Ok(())
}

/// `format [classic|json|table]`: shows or sets the output format.
pub fn format(cx: &mut Context, arg: &str) -> CmdResult {
    let word = arg.split_whitespace().next().unwrap_or("");
    if !word.is_empty() {
        match OutputMode::parse(word) {
            Some(mode) => cx.out.mode = mode,
            None => {
                return Err(CmdError::msg(format!("Unknown format `{word}'"))
                    .hint(words_hint("format", OutputMode::WORDS)))
            }
        }
    }
    if !cx.out.mode.is_json() {
        cx.out.say(&format!("Output format is {}\n", cx.out.mode));
    }
    Ok(())
}

/// `hostnames` arguments, and the 1.2.2 mode each sets.
pub const HOSTNAMES_WORDS: [&str; 4] = ["yes", "no", "hostnum", "hostname"];
const HOSTNAMES_MODES: [u8; 4] = [1, 0, 2, 3];

pub fn hostnames(cx: &mut Context, arg: &str) -> CmdResult {
    match HOSTNAMES_WORDS.iter().position(|w| *w == arg) {
        Some(i) => cx.settings.hostnames = HOSTNAMES_MODES[i],
        None if arg.is_empty() => {}
        None => {
            cx.out.say("What?\n");
            cx.out.warn(&format!(
                "ntpq: {}",
                words_hint("hostnames", &HOSTNAMES_WORDS)
            ));
        }
    }
    let mode = cx.settings.hostnames;
    cx.out.say(if mode & 1 != 0 {
        "resolved hostnames being shown\n"
    } else {
        "resolved hostnames not being shown\n"
    });
    cx.out.say(if mode & 2 != 0 {
        "supplied hostnames being shown\n"
    } else {
        "supplied hostnames not being shown\n"
    });
    Ok(())
}

pub fn host(cx: &mut Context, arg: &str) -> CmdResult {
    let mut words = arg.split_whitespace().peekable();
    if words.peek().is_none() {
        match cx.host_name() {
            Some(h) => {
                let h = h.to_string();
                cx.out.say(&format!("current host is {h}\n"));
            }
            None => cx.out.say("no current host\n"),
        }
        return Ok(());
    }
    // The family qualifier persists for later `host` commands.
    if let Some(q @ ("-4" | "-6")) = words.peek().copied() {
        cx.settings.family = if q == "-4" { Family::V4 } else { Family::V6 };
        words.next();
    }
    let name = words.next();
    if let Some(name) = name {
        if cx
            .client
            .open(name, cx.settings.family, cx.out, cx.settings.debug)
        {
            cx.out.say(&format!("current host set to {name}\n"));
            return Ok(());
        }
    }
    // Also for a bare `host -4`: the host stays as it was.
    match cx.host_name() {
        Some(h) => {
            let h = h.to_string();
            cx.out.say(&format!("current host remains {h}\n"));
        }
        None => cx.out.say("still no current host\n"),
    }
    match name {
        Some(_) => Err(CmdError::Reported),
        None => Ok(()),
    }
}

pub fn timeout(cx: &mut Context, arg: &str) -> CmdResult {
    if !arg.is_empty() {
        match py_int(arg) {
            Some(ms) => cx.settings.primary_timeout_ms = ms,
            None => {
                cx.report(&CmdError::msg("What?"));
            }
        }
    }
    let ms = cx.settings.primary_timeout_ms;
    cx.out.say(&format!("primary timeout {ms} ms\n"));
    Ok(())
}

pub fn delay(cx: &mut Context, arg: &str) -> CmdResult {
    if arg.is_empty() {
        let d = cx.settings.delay_ms;
        cx.out.say(&format!("delay {d} ms\n"));
        return Ok(());
    }
    match py_int(arg) {
        Some(v) => {
            cx.settings.delay_ms = v;
            if v < 0 {
                cx.out.say("Huh?");
            }
        }
        None => cx.out.say("Huh?"),
    }
    Ok(())
}

pub fn keyid(cx: &mut Context, arg: &str) -> CmdResult {
    if !arg.is_empty() {
        match py_int(arg) {
            Some(v) => cx.client.auth.keyid = Some(v),
            None => {
                cx.report(&CmdError::msg("What?"));
            }
        }
    }
    match cx.client.auth.keyid {
        Some(k) => cx.out.say(&format!("keyid is {k}\n")),
        None => cx.out.say("no keyid defined\n"),
    }
    Ok(())
}

pub fn keytype(cx: &mut Context, arg: &str) -> CmdResult {
    if arg.is_empty() {
        let t = cx.client.auth.keytype.clone();
        cx.out.say(&format!("Keytype: {t}\n"));
        return Ok(());
    }
    if let Some(name) = ntp_auth::keytype_names::reference_keytype(arg) {
        cx.client.auth.keytype = name;
    } else {
        let names = ntp_auth::KeyType::ALL.iter().map(|k| k.name());
        let names: Vec<&str> = names.collect();
        return Err(CmdError::Paragraph(format!(
            "Keytype {arg} is not supported by openSSL or ntpq."
        ))
        .hint(format!(
            "key types ntpq-rs signs with: {}",
            names.join(", ")
        )));
    }
    Ok(())
}

/// `authenticate` arguments.
pub const YES_NO: &[&str] = &["yes", "no"];

pub fn authenticate(cx: &mut Context, arg: &str) -> CmdResult {
    match arg {
        "" => {}
        "yes" => cx.settings.authenticate = true,
        "no" => cx.settings.authenticate = false,
        _ => cx.report(&CmdError::msg("What?").hint(words_hint("authenticate", YES_NO))),
    }
    cx.out.say(if cx.settings.authenticate {
        "authenticated requests being sent\n"
    } else {
        "unauthenticated requests being sent\n"
    });
    Ok(())
}

pub fn ntpversion(cx: &mut Context, arg: &str) -> CmdResult {
    if !arg.is_empty() {
        match py_int(arg) {
            Some(v @ 1..=4) => cx.settings.ntpversion = v as u8,
            Some(_) => {
                cx.report(&CmdError::msg("versions 1 to 4, please"));
            }
            None => {
                cx.report(&CmdError::msg("What?"));
            }
        }
    }
    let v = cx.settings.ntpversion;
    cx.out.say(&format!("NTP version being claimed is {v}\n"));
    Ok(())
}

/// `debug` arguments besides a number.
pub const DEBUG_WORDS: &[&str] = &["more", "less", "no"];

pub fn debug(cx: &mut Context, arg: &str) -> CmdResult {
    match arg {
        "" => {}
        "more" => cx.settings.debug += 1,
        "less" if cx.settings.debug > 0 => cx.settings.debug -= 1,
        "less" => {}
        "no" => cx.settings.debug = 0,
        other => match py_int(other) {
            Some(v) => cx.settings.debug = v,
            None => {
                let hint = words_hint("debug", &[DEBUG_WORDS, &["a number"]].concat());
                cx.report(&CmdError::msg("What?").hint(hint));
            }
        },
    }
    let d = cx.settings.debug;
    cx.out.say(&format!("debug level is {d}\n"));
    Ok(())
}

pub fn logfile(cx: &mut Context, arg: &str) -> CmdResult {
    if arg.is_empty() {
        let name = cx.out.log_name().to_string();
        cx.out.say(&format!("'{name}'\n"));
        return Ok(());
    }
    if arg == "<stderr>" {
        let _ = cx.out.set_log_file(None);
        return Ok(());
    }
    match cx.out.set_log_file(Some(arg)) {
        Ok(()) => {
            cx.out.say(&format!("Logfile set to {arg}\n"));
            Ok(())
        }
        Err(_) => Err(CmdError::Message(format!(
            "Could not open {arg} for logging."
        ))),
    }
}

pub fn version(cx: &mut Context, _: &str) -> CmdResult {
    if cx.out.mode.is_json() {
        let mut r = cx.out.record_head("version");
        r.insert("version".into(), crate::VERSION_TEXT.into());
        r.insert("program".into(), "ntpq-rs".into());
        r.insert("program_version".into(), env!("CARGO_PKG_VERSION").into());
        cx.out.record(r);
        return Ok(());
    }
    cx.out.say(&format!("{}\n", crate::VERSION_TEXT));
    Ok(())
}

pub fn poll(_: &mut Context, _: &str) -> CmdResult {
    Err(CmdError::Message(
        "WARNING: poll not implemented yet".into(),
    ))
}

pub fn doflake(cx: &mut Context, arg: &str) -> CmdResult {
    match ntp_control::varlist::parse_python_float(arg) {
        Some(p) if p > 0.0 && p < 1.0 => {
            cx.settings.flake = p;
            Ok(())
        }
        _ => {
            cx.out
                .say("Flakiness must be a (positive) float less than 1.");
            Ok(())
        }
    }
}

pub fn noflake(cx: &mut Context, _: &str) -> CmdResult {
    cx.settings.flake = 0.0;
    Ok(())
}
