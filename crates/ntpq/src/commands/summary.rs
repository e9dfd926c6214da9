//! The summary commands (commands.md §9): one READVAR for a fixed list of
//! names, printed as a table. On UNKNOWNVAR the names are asked for one at
//! a time, unknown ones getting a placeholder.

use ntp_control::status::{peer_status_text, system_status_text};
use ntp_control::{parse_varlist, Opcode, QueryError, ServerErrorCode, Variable};
use ntpq_format::summary::{self, Display, Row};
use ntpq_format::table;

use crate::context::Context;
use crate::error::{CmdError, CmdResult};
use crate::output_mode::OutputMode;

#[path = "summary_tables.rs"]
mod tables;

#[path = "summary_json.rs"]
mod json_out;

/// What one collection (possibly many requests) produced.
struct Collected {
    vars: Vec<Variable>,
    /// Data of the last reply: raw mode prints only that (empty after an
    /// error reply, which carries no text).
    last_text: Vec<u8>,
    /// Status word of the last successful reply (the reference keeps it
    /// across error replies).
    status: u16,
}

impl Collected {
    fn get(&self, name: &str) -> Option<&Variable> {
        self.vars.iter().find(|v| v.name == name)
    }

    /// Adds variables with the reply parser's rule for duplicates (a later
    /// value replaces an earlier one in place).
    fn merge(&mut self, new: Vec<Variable>) {
        for var in new {
            match self.vars.iter_mut().find(|v| v.name == var.name) {
                Some(old) => *old = var,
                None => self.vars.push(var),
            }
        }
    }
}

fn is_unknown_var(e: &CmdError) -> bool {
    matches!(e, CmdError::Query(QueryError::Server(c)) if *c == ServerErrorCode::UNKNOWNVAR)
}

/// Reads `names` of `associd`, falling back to one name at a time on
/// UNKNOWNVAR (`dual`: the second sysstats table's placeholder). An error
/// of the first request is returned for the caller to report.
fn collect(
    cx: &mut Context,
    associd: u16,
    names: &[String],
    dual: bool,
) -> Result<Collected, CmdError> {
    match cx.query(Opcode::ReadVar, associd, names.join(",").as_bytes()) {
        Ok(r) => {
            return Ok(Collected {
                vars: parse_varlist(&r.data),
                last_text: r.data,
                status: r.status,
            })
        }
        Err(e) if is_unknown_var(&e) => {}
        Err(e) => return Err(e),
    }
    cx.out.warn_code(
        "unknown_variable_retry",
        "Unknown variable.  Trying one at a time.",
    );
    let mut got = Collected {
        vars: Vec::new(),
        last_text: Vec::new(),
        status: 0,
    };
    for name in names {
        match cx.query(Opcode::ReadVar, associd, name.as_bytes()) {
            Ok(r) => {
                got.merge(parse_varlist(&r.data));
                got.last_text = r.data;
                got.status = r.status;
            }
            Err(e) if is_unknown_var(&e) => {
                got.merge(vec![summary::placeholder(name, dual)]);
                got.last_text.clear();
            }
            Err(CmdError::Interrupted) => return Err(CmdError::Interrupted),
            // The reference does not handle other errors here: the
            // exception ends the whole run (commands.md §1.3).
            Err(e) => return Err(CmdError::EndRun(Box::new(e))),
        }
    }
    Ok(got)
}

/// Raw mode: the last reply's text as received (Latin-1), its line ends
/// kept and other control characters shown as `\xHH` (they would act on
/// the terminal).
fn say_raw(cx: &mut Context, data: &[u8]) {
    let text: String = data.iter().map(|&b| b as char).collect();
    cx.out
        .say(&ntp_control::visible::visible_keeping_line_ends(&text));
}

fn names_of(rows: &[Row]) -> Vec<String> {
    rows.iter().map(|r| r.name.to_string()).collect()
}

/// The reference's `collect_display`: a single-column table, with the
/// `associd=… status=…` header line when `header` is set.
fn show(cx: &mut Context, associd: u16, rows: &[Row], header: bool) -> CmdResult {
    let got = collect(cx, associd, &names_of(rows), false)?;
    if cx.settings.raw {
        say_raw(cx, &got.last_text);
        return Ok(());
    }
    if header {
        let decoded = if associd == 0 {
            system_status_text(got.status)
        } else {
            peer_status_text(got.status)
        };
        cx.out.say(&format!(
            "associd={associd} status={:04x} {decoded},\n",
            got.status
        ));
    }
    let mut resolve = |addr: &str| crate::resolve::canonicalize(addr);
    let mut display = Display {
        units: cx.settings.units,
        resolve: if cx.settings.hostnames & 1 != 0 {
            Some(&mut resolve)
        } else {
            None
        },
        debug: cx.settings.debug > 0,
    };
    let text = if cx.out.mode == OutputMode::Table {
        let style = crate::table_style::table_style(cx.out, cx.settings.width);
        table::summary::single_table(rows, |n| got.get(n), &mut display, &style)
    } else {
        summary::single_table(rows, |n| got.get(n), &mut display)
    };
    cx.out.say(&text);
    Ok(())
}

/// The reference's `collect_display2`: every name and its `_r` twin.
fn show_totals(cx: &mut Context, rows: &[Row]) -> CmdResult {
    let mut names = names_of(rows);
    names.extend(rows.iter().map(|r| format!("{}_r", r.name)));
    let got = collect(cx, 0, &names, true)?;
    if cx.settings.raw {
        say_raw(cx, &got.last_text);
        return Ok(());
    }
    let text = if cx.out.mode == OutputMode::Table {
        let style = crate::table_style::table_style(cx.out, cx.settings.width);
        table::summary::dual_table(rows, |n| got.get(n), &style)
    } else {
        summary::dual_table(rows, |n| got.get(n))
    };
    cx.out.say(&text);
    Ok(())
}

pub fn sysinfo(cx: &mut Context, _args: &str) -> CmdResult {
    if cx.out.mode.is_json() {
        return json_out::show(cx, "sysinfo", 0, tables::SYSINFO, true);
    }
    show(cx, 0, tables::SYSINFO, true)
}

pub fn kerninfo(cx: &mut Context, _args: &str) -> CmdResult {
    if cx.out.mode.is_json() {
        return json_out::show(cx, "kerninfo", 0, tables::KERNINFO, true);
    }
    show(cx, 0, tables::KERNINFO, true)
}

/// Two tables; a failure of the first is reported and the second still runs.
pub fn sysstats(cx: &mut Context, _args: &str) -> CmdResult {
    if cx.out.mode.is_json() {
        return json_out::sysstats(cx, tables::SYSSTATS, tables::SYSSTATS_TOTALS);
    }
    match show(cx, 0, tables::SYSSTATS, false) {
        Ok(()) => {}
        Err(e @ (CmdError::Interrupted | CmdError::EndRun(_))) => return Err(e),
        Err(e) => cx.report(&e),
    }
    show_totals(cx, tables::SYSSTATS_TOTALS)
}

pub fn monstats(cx: &mut Context, _args: &str) -> CmdResult {
    if cx.out.mode.is_json() {
        return json_out::show(cx, "monstats", 0, tables::MONSTATS, false);
    }
    show(cx, 0, tables::MONSTATS, false)
}

pub fn iostats(cx: &mut Context, _args: &str) -> CmdResult {
    if cx.out.mode.is_json() {
        return json_out::show(cx, "iostats", 0, tables::IOSTATS, false);
    }
    show(cx, 0, tables::IOSTATS, false)
}

pub fn timerstats(cx: &mut Context, _args: &str) -> CmdResult {
    if cx.out.mode.is_json() {
        return json_out::show(cx, "timerstats", 0, tables::TIMERSTATS, false);
    }
    show(cx, 0, tables::TIMERSTATS, false)
}

pub fn authinfo(cx: &mut Context, _args: &str) -> CmdResult {
    if cx.out.mode.is_json() {
        return json_out::show(cx, "authinfo", 0, tables::AUTHINFO, false);
    }
    show(cx, 0, tables::AUTHINFO, false)
}

pub fn mssntpinfo(cx: &mut Context, _args: &str) -> CmdResult {
    if cx.out.mode.is_json() {
        return json_out::show(cx, "mssntpinfo", 0, tables::MSSNTPINFO, false);
    }
    show(cx, 0, tables::MSSNTPINFO, false)
}

pub fn ntsinfo(cx: &mut Context, _args: &str) -> CmdResult {
    if cx.out.mode.is_json() {
        return json_out::show(cx, "ntsinfo", 0, tables::NTSINFO, false);
    }
    show(cx, 0, tables::NTSINFO, false)
}

pub fn pstats(cx: &mut Context, args: &str) -> CmdResult {
    if args.is_empty() {
        return Err(CmdError::Usage);
    }
    let associd = cx.parse_associd(args)?;
    if cx.out.mode.is_json() {
        return json_out::show(cx, "pstats", associd, tables::PSTATS, true);
    }
    show(cx, associd, tables::PSTATS, true)
}
