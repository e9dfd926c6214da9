//! The peers family (commands.md §8).

use ntp_control::varlist::parse_varlist_as_sent;
use ntp_control::{parse_varlist, Opcode};
use ntpq_format::peers::cells::PeerCells;
use ntpq_format::peers::{self, PeerRow, PeersKind, PeersLayout};
use ntpq_format::table::peers::peers_table;

use crate::context::Context;
use crate::error::{CmdError, CmdResult};
use crate::output_mode::OutputMode;

#[path = "peers_json.rs"]
mod json_out;

pub fn peers(cx: &mut Context, _: &str) -> CmdResult {
    table(cx, PeersKind::Peers)
}

pub fn apeers(cx: &mut Context, _: &str) -> CmdResult {
    table(cx, PeersKind::Apeers)
}

pub fn opeers(cx: &mut Context, _: &str) -> CmdResult {
    table(cx, PeersKind::Opeers)
}

pub fn rpeers(cx: &mut Context, _: &str) -> CmdResult {
    table(cx, PeersKind::Rpeers)
}

fn now_unix() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn table(cx: &mut Context, kind: PeersKind) -> CmdResult {
    if cx.out.mode.is_json() {
        return json_out::peers(cx);
    }
    if !cx.fetch_associations()? {
        return Ok(());
    }
    let term = cx
        .settings
        .width
        .unwrap_or_else(|| crate::output::terminal_columns(cx.out).unwrap_or(80) as i64);
    let layout = PeersLayout::new(kind, term, cx.settings.wide, cx.run.multi_host);
    // Table mode: rows are collected and drawn once all are read (also
    // when a query fails or Ctrl-C stops it part-way).
    let mut cells = (cx.out.mode == OutputMode::Table).then(Vec::new);
    if cells.is_none() {
        cx.out.say(&peers::header(&layout));
    }
    let result = rows(cx, &layout, &mut cells);
    if let Some(cells) = cells {
        let style = crate::table_style::table_style(cx.out, cx.settings.width);
        let multi = cx.run.multi_host.is_some();
        cx.out.say(&peers_table(kind, &cells, multi, &style));
    }
    result
}

fn rows(cx: &mut Context, layout: &PeersLayout, cells: &mut Option<Vec<PeerCells>>) -> CmdResult {
    // Reverse lookups are cached for 300 s, across commands (commands.md §13).
    let ids: Vec<u16> = cx.peers.iter().map(|(id, _)| *id).collect();
    for associd in ids {
        let r = cx.query(Opcode::ReadVar, associd, b"")?;
        // The classic row is laid out on the text as sent and shows its
        // control characters itself; the table's cells take shown text.
        let vars = if cells.is_some() {
            parse_varlist(&r.data)
        } else {
            parse_varlist_as_sent(&r.data)
        };
        let host = cx.host_name().unwrap_or("").to_string();
        if vars.is_empty() {
            if cx.run.multi_host.is_some() {
                cx.out.warn(&format!("server={host} "));
            }
            cx.report(&CmdError::msg(format!(
                "***No information returned for association {associd}"
            )));
            continue;
        }
        let names = std::cell::RefCell::new(&mut *cx.names);
        let resolve = |addr: &str| -> String { names.borrow_mut().peers_name(addr) };
        let row = PeerRow {
            status: r.status,
            associd,
            vars: &vars,
            now_unix: now_unix(),
            units: cx.settings.units,
            old_version: cx.settings.ntpversion == 1,
            hostnames: cx.settings.hostnames,
            host_label: cx.run.multi_host.map(|_| host.as_str()),
            resolve: &resolve,
        };
        match cells {
            Some(cells) => cells.push(peers::cells::cells(layout.kind, &row)),
            None => {
                let text = peers::row(layout, &row);
                cx.out.say(&text);
            }
        }
    }
    Ok(())
}
