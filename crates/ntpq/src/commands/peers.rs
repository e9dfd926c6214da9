//! The peers family (commands.md §8).

use ntp_control::{parse_varlist, Opcode};
use ntpq_format::peers::{self, PeerRow, PeersKind, PeersLayout};

use crate::app::App;
use crate::error::{CmdError, CmdResult};

pub fn peers(app: &mut App, _: &str) -> CmdResult {
    table(app, PeersKind::Peers)
}

pub fn apeers(app: &mut App, _: &str) -> CmdResult {
    table(app, PeersKind::Apeers)
}

pub fn opeers(app: &mut App, _: &str) -> CmdResult {
    table(app, PeersKind::Opeers)
}

pub fn rpeers(app: &mut App, _: &str) -> CmdResult {
    table(app, PeersKind::Rpeers)
}

fn now_unix() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn table(app: &mut App, kind: PeersKind) -> CmdResult {
    if !app.fetch_associations()? {
        return Ok(());
    }
    let term = app
        .settings
        .width
        .unwrap_or_else(|| crate::output::terminal_columns(&app.out).unwrap_or(80) as i64);
    let layout = PeersLayout::new(kind, term, app.settings.wide, app.multi_host);
    app.out.say(&peers::header(&layout));
    // Reverse lookups are cached for 300 s, across commands (commands.md §13).
    let resolve = |addr: &str| -> String { crate::names::global().peers_name(addr) };
    let ids: Vec<u16> = app.peers.iter().map(|(id, _)| *id).collect();
    for associd in ids {
        let r = match app.query(Opcode::ReadVar, associd, b"") {
            Ok(r) => r,
            // Ctrl-C stops the table silently.
            Err(CmdError::Interrupted) => return Err(CmdError::Interrupted),
            Err(e) => return Err(e),
        };
        let vars = parse_varlist(&r.data);
        let host = app.host_name().unwrap_or("").to_string();
        if vars.is_empty() {
            if app.multi_host.is_some() {
                app.out.warn(&format!("server={host} "));
            }
            app.out.warn(&format!(
                "***No information returned for association {associd}"
            ));
            app.failed = true;
            continue;
        }
        let row = PeerRow {
            status: r.status,
            associd,
            vars: &vars,
            now_unix: now_unix(),
            units: app.settings.units,
            old_version: app.settings.ntpversion == 1,
            hostnames: app.settings.hostnames,
            host_label: app.multi_host.map(|_| host.as_str()),
            resolve: &resolve,
        };
        let text = peers::row(&layout, &row);
        app.out.say(&text);
    }
    Ok(())
}
