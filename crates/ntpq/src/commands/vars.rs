//! The readvar family and the local variable list (commands.md §5, §6).

use ntp_control::status::{clock_status_text, peer_status_text, system_status_text};
use ntp_control::{parse_varlist, Opcode};
use ntpq_format::cooked;

use crate::app::App;
use crate::error::{CmdError, CmdResult};

/// Which status decoding applies to a reply.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    System,
    Peer,
    Clock,
}

fn kind_for(associd: u16) -> Kind {
    if associd == 0 {
        Kind::System
    } else {
        Kind::Peer
    }
}

/// Reads variables and prints them (the reference's `__dolist`).
/// `quiet` drops the `associd=` prefix; the status line is printed only
/// when no names were asked for.
fn read_and_print(
    app: &mut App,
    names: &[String],
    associd: u16,
    opcode: Opcode,
    kind: Kind,
    quiet: bool,
) -> CmdResult {
    let r = app.query(opcode, associd, names.join(",").as_bytes())?;
    if let Some(prefix) = app.server_prefix() {
        app.out.say(&prefix);
    }
    let vars = parse_varlist(&r.data);
    if vars.is_empty() {
        if associd == 0 {
            if kind == Kind::Clock {
                app.out.say("No system clock variables returned\n");
            }
        } else {
            let clock = if kind == Kind::Clock { " clock" } else { "" };
            app.out.say(&format!(
                "No information returned for{clock} association {associd}\n"
            ));
        }
        return Ok(());
    }
    if !quiet {
        app.out.say(&format!("associd={associd} "));
    }
    let with_status = names.is_empty();
    let text = if app.settings.raw {
        if with_status {
            app.out.say(&format!("status=0x{:04x},\n", r.status));
        }
        cooked::raw_varlist_text(&r.data)
    } else {
        if with_status {
            let decoded = match kind {
                Kind::System => system_status_text(r.status),
                Kind::Peer => peer_status_text(r.status),
                Kind::Clock => clock_status_text(r.status),
            };
            app.out
                .say(&format!("status={:04x} {decoded},\n", r.status));
        }
        cooked::cook(
            &vars,
            crate::output::cooked_width(&app.out),
            app.settings.units,
        )
    };
    app.out.say(&text.replace('\'', "\""));
    Ok(())
}

fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

fn uservar_names(app: &App) -> Vec<String> {
    app.varlist.iter().map(|(n, _)| n.clone()).collect()
}

pub fn readvar(app: &mut App, line: &str) -> CmdResult {
    let Some(associd) = app.parse_associd(line)? else {
        return Ok(());
    };
    let args = words(line);
    let names: Vec<String> = args.iter().skip(1).cloned().collect();
    read_and_print(
        app,
        &names,
        associd,
        Opcode::ReadVar,
        kind_for(associd),
        args.len() >= 2,
    )
}

pub fn readlist(app: &mut App, line: &str) -> CmdResult {
    let Some(associd) = app.parse_associd(line)? else {
        return Ok(());
    };
    let names = uservar_names(app);
    read_and_print(
        app,
        &names,
        associd,
        Opcode::ReadVar,
        kind_for(associd),
        false,
    )
}

pub fn clockvar(app: &mut App, line: &str) -> CmdResult {
    let Some(associd) = app.parse_associd(line)? else {
        return Ok(());
    };
    if associd == 0 {
        return Err(CmdError::Message(
            "This command requires the association ID of a clock.".into(),
        ));
    }
    let names: Vec<String> = words(line).into_iter().skip(1).collect();
    read_and_print(app, &names, associd, Opcode::ReadClock, Kind::Clock, false)
}

pub fn clocklist(app: &mut App, line: &str) -> CmdResult {
    let Some(associd) = app.parse_associd(line)? else {
        return Ok(());
    };
    let names = uservar_names(app);
    read_and_print(app, &names, associd, Opcode::ReadClock, Kind::Clock, false)
}

/// Validates a `lo hi` range; `None` when nothing is to be done (messages
/// for each invalid end already printed).
fn assoc_range(app: &mut App, line: &str) -> Result<Option<Vec<u16>>, CmdError> {
    let toks = words(line);
    if toks.len() < 2 {
        return Ok(None);
    }
    let mut ends = [None, None];
    for (i, t) in toks.iter().take(2).enumerate() {
        match app.parse_associd(t) {
            Ok(v) => ends[i] = v,
            Err(CmdError::Message(m)) => {
                app.out.warn(&m);
                app.failed = true;
            }
            Err(e) => return Err(e),
        }
    }
    match ends {
        [Some(lo), Some(hi)] if hi >= lo => Ok(Some((lo..=hi).collect())),
        _ => Ok(None),
    }
}

fn read_range(app: &mut App, line: &str, names: &[String]) -> CmdResult {
    let Some(ids) = assoc_range(app, line)? else {
        return Ok(());
    };
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            app.out.say("\n");
        }
        read_and_print(app, names, *id, Opcode::ReadVar, Kind::Peer, false)?;
    }
    Ok(())
}

pub fn mreadvar(app: &mut App, line: &str) -> CmdResult {
    if line.is_empty() {
        let usage = if app.current_command() == "mrv" {
            "usage: mrv assocIDlow assocIDhigh [name=value[,...]]"
        } else {
            "usage: mreadvar assocIDlow assocIDhigh  [ name=value[,...] ]"
        };
        return Err(CmdError::Message(usage.into()));
    }
    let names: Vec<String> = words(line).into_iter().skip(2).collect();
    read_range(app, line, &names)
}

pub fn mreadlist(app: &mut App, line: &str) -> CmdResult {
    if line.is_empty() {
        let usage = if app.current_command() == "mrl" {
            "usage: mrl assocIDlow assocIDhigh"
        } else {
            "usage: mreadlist assocIDlow assocIDhigh\n"
        };
        return Err(CmdError::Message(usage.into()));
    }
    let names = uservar_names(app);
    read_range(app, line, &names)
}

pub fn writevar(_: &mut App, _: &str) -> CmdResult {
    Ok(())
}

pub fn writelist(_: &mut App, _: &str) -> CmdResult {
    Ok(())
}

pub fn addvars(app: &mut App, line: &str) -> CmdResult {
    if line.is_empty() {
        return Err(CmdError::Message(
            "usage: addvars name[=value][,...]\n".into(),
        ));
    }
    for piece in line.split(',') {
        let (name, value) = match piece.split('=').collect::<Vec<_>>().as_slice() {
            [n, v] => (n.trim().to_string(), v.trim().to_string()),
            _ => (piece.trim().to_string(), String::new()),
        };
        match app.varlist.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = value,
            None => app.varlist.push((name, value)),
        }
    }
    Ok(())
}

pub fn rmvars(app: &mut App, line: &str) -> CmdResult {
    if line.is_empty() {
        return Err(CmdError::Message("usage: rmvars name[,...]\n".into()));
    }
    for piece in line.split(',') {
        match app.varlist.iter().position(|(n, _)| n == piece) {
            Some(i) => {
                app.varlist.remove(i);
            }
            None => {
                app.out
                    .warn(&format!("{piece} is not in the variable list"));
                app.failed = true;
            }
        }
    }
    Ok(())
}

pub fn clearvars(app: &mut App, _: &str) -> CmdResult {
    app.varlist.clear();
    Ok(())
}

pub fn showvars(app: &mut App, _: &str) -> CmdResult {
    if app.varlist.is_empty() {
        app.out.say("No variables on list.\n");
    }
    let lines: String = app
        .varlist
        .iter()
        .map(|(n, v)| {
            if v.is_empty() {
                format!("{n}\n")
            } else {
                format!("{n}={v}\n")
            }
        })
        .collect();
    app.out.say(&lines);
    Ok(())
}
