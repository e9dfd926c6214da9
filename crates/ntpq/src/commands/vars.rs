//! The readvar family and the local variable list (commands.md §5, §6).

use ntp_control::status::{clock_status_text, peer_status_text, system_status_text};
use ntp_control::{parse_varlist, Opcode};
use ntpq_format::cooked;
use ntpq_format::table::vars::vars_table;

use crate::context::Context;
use crate::error::{CmdError, CmdResult};
use crate::output_mode::OutputMode;

#[path = "vars_json.rs"]
mod json_out;

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
    cx: &mut Context,
    names: &[String],
    associd: u16,
    opcode: Opcode,
    kind: Kind,
    quiet: bool,
) -> CmdResult {
    let r = cx.query(opcode, associd, names.join(",").as_bytes())?;
    if let Some(prefix) = cx.server_prefix() {
        cx.out.say(&prefix);
    }
    let vars = parse_varlist(&r.data);
    cx.remember_names(&vars);
    if cx.out.mode.is_json() {
        json_out::print(cx, associd, kind, r.status, &vars);
        return Ok(());
    }
    if vars.is_empty() {
        if associd == 0 {
            if kind == Kind::Clock {
                cx.out.say("No system clock variables returned\n");
            }
        } else {
            let clock = if kind == Kind::Clock { " clock" } else { "" };
            cx.out.say(&format!(
                "No information returned for{clock} association {associd}\n"
            ));
        }
        return Ok(());
    }
    let with_status = names.is_empty();
    let decoded = || match kind {
        Kind::System => system_status_text(r.status),
        Kind::Peer => peer_status_text(r.status),
        Kind::Clock => clock_status_text(r.status),
    };
    if cx.out.mode == OutputMode::Table && !cx.settings.raw {
        let mut title = Vec::new();
        if !quiet {
            title.push(format!("associd={associd}"));
        }
        if with_status {
            title.push(format!("status={:04x} {}", r.status, decoded()));
        }
        let style = crate::table_style::table_style(cx.out, cx.settings.width);
        let sent = ntp_control::varlist::parse_varlist_as_sent(&r.data);
        let text = vars_table(&title.join(" "), &sent, cx.settings.units, &style);
        cx.out.say(&text);
        return Ok(());
    }
    if !quiet {
        cx.out.say(&format!("associd={associd} "));
    }
    let text = if cx.settings.raw {
        if with_status {
            cx.out.say(&format!("status=0x{:04x},\n", r.status));
        }
        cooked::raw_varlist_text(&r.data)
    } else {
        if with_status {
            cx.out
                .say(&format!("status={:04x} {},\n", r.status, decoded()));
        }
        // Folded and repr'd on the text as sent, as the reference does.
        cooked::cook(
            &ntp_control::varlist::parse_varlist_as_sent(&r.data),
            crate::output::cooked_width(cx.out),
            cx.settings.units,
        )
    };
    cx.out.say(&text.replace('\'', "\""));
    Ok(())
}

fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

fn uservar_names(cx: &Context) -> Vec<String> {
    cx.varlist.iter().map(|(n, _)| n.clone()).collect()
}

pub fn readvar(cx: &mut Context, line: &str) -> CmdResult {
    let associd = cx.parse_associd(line)?;
    let args = words(line);
    let names: Vec<String> = args.iter().skip(1).cloned().collect();
    read_and_print(
        cx,
        &names,
        associd,
        Opcode::ReadVar,
        kind_for(associd),
        args.len() >= 2,
    )
}

pub fn readlist(cx: &mut Context, line: &str) -> CmdResult {
    let associd = cx.parse_associd(line)?;
    let names = uservar_names(cx);
    read_and_print(
        cx,
        &names,
        associd,
        Opcode::ReadVar,
        kind_for(associd),
        false,
    )
}

pub fn clockvar(cx: &mut Context, line: &str) -> CmdResult {
    let associd = cx.parse_associd(line)?;
    if associd == 0 {
        return Err(CmdError::Message(
            "This command requires the association ID of a clock.".into(),
        ));
    }
    let names: Vec<String> = words(line).into_iter().skip(1).collect();
    read_and_print(cx, &names, associd, Opcode::ReadClock, Kind::Clock, false)
}

pub fn clocklist(cx: &mut Context, line: &str) -> CmdResult {
    let associd = cx.parse_associd(line)?;
    let names = uservar_names(cx);
    read_and_print(cx, &names, associd, Opcode::ReadClock, Kind::Clock, false)
}

/// Validates a `lo hi` range; `None` when nothing is to be done (messages
/// for each invalid end already printed).
fn assoc_range(cx: &mut Context, line: &str) -> Result<Option<Vec<u16>>, CmdError> {
    let toks = words(line);
    if toks.len() < 2 {
        return Ok(None);
    }
    let mut ends = [None, None];
    for (i, t) in toks.iter().take(2).enumerate() {
        match cx.parse_associd(t) {
            Ok(v) => ends[i] = Some(v),
            Err(e @ (CmdError::Message(_) | CmdError::Invalid(_))) => cx.report(&e),
            Err(e) => return Err(e),
        }
    }
    match ends {
        [Some(lo), Some(hi)] if hi >= lo => Ok(Some((lo..=hi).collect())),
        _ => Ok(None),
    }
}

fn read_range(cx: &mut Context, line: &str, names: &[String]) -> CmdResult {
    let Some(ids) = assoc_range(cx, line)? else {
        return Ok(());
    };
    for (i, id) in ids.iter().enumerate() {
        if i > 0 && !cx.out.mode.is_json() {
            cx.out.say("\n");
        }
        read_and_print(cx, names, *id, Opcode::ReadVar, Kind::Peer, false)?;
    }
    Ok(())
}

pub fn mreadvar(cx: &mut Context, line: &str) -> CmdResult {
    if line.is_empty() {
        return Err(CmdError::Usage);
    }
    let names: Vec<String> = words(line).into_iter().skip(2).collect();
    read_range(cx, line, &names)
}

pub fn mreadlist(cx: &mut Context, line: &str) -> CmdResult {
    if line.is_empty() {
        return Err(CmdError::Usage);
    }
    let names = uservar_names(cx);
    read_range(cx, line, &names)
}

pub fn writevar(_: &mut Context, _: &str) -> CmdResult {
    Ok(())
}

pub fn writelist(_: &mut Context, _: &str) -> CmdResult {
    Ok(())
}

pub fn addvars(cx: &mut Context, line: &str) -> CmdResult {
    if line.is_empty() {
        return Err(CmdError::Usage);
    }
    for piece in line.split(',') {
        let (name, value) = match piece.split('=').collect::<Vec<_>>().as_slice() {
            [n, v] => (n.trim().to_string(), v.trim().to_string()),
            _ => (piece.trim().to_string(), String::new()),
        };
        match cx.varlist.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = value,
            None => cx.varlist.push((name, value)),
        }
    }
    Ok(())
}

pub fn rmvars(cx: &mut Context, line: &str) -> CmdResult {
    if line.is_empty() {
        return Err(CmdError::Usage);
    }
    for piece in line.split(',') {
        match cx.varlist.iter().position(|(n, _)| n == piece) {
            Some(i) => {
                cx.varlist.remove(i);
            }
            None => {
                cx.report(&CmdError::msg(format!(
                    "{piece} is not in the variable list"
                )));
            }
        }
    }
    Ok(())
}

pub fn clearvars(cx: &mut Context, _: &str) -> CmdResult {
    cx.varlist.clear();
    Ok(())
}

pub fn showvars(cx: &mut Context, _: &str) -> CmdResult {
    if cx.varlist.is_empty() {
        cx.out.say("No variables on list.\n");
    }
    let lines: String = cx
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
    cx.out.say(&lines);
    Ok(())
}
