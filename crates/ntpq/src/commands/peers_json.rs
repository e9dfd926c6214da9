//! The peers family in JSON mode: one record with every association.

use ntp_control::{parse_varlist, Opcode};
use ntpq_format::json::{self, PeerInput};

use crate::context::Context;
use crate::error::CmdResult;

fn now_unix() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// The remote's name: `srchost` (a refclock's, or the server's own name
/// for the peer), else the reverse lookup when names are shown.
fn hostname(cx: &mut Context, vars: &[ntp_control::Variable]) -> Option<String> {
    let get = |n: &str| {
        vars.iter()
            .rev()
            .find(|v| v.name == n)
            .map(|v| v.raw.clone())
    };
    if let Some(h) = get("srchost").filter(|h| !h.is_empty()) {
        return Some(h);
    }
    if cx.settings.hostnames & 1 == 0 {
        return None;
    }
    let addr = get("srcadr").or_else(|| get("peeradr"))?;
    if addr == "0.0.0.0" || addr == "::" || addr.starts_with("127.127") {
        return None;
    }
    let name = cx.names.peers_name(&addr);
    (name != addr && !name.starts_with("DNSFAIL:")).then_some(name)
}

/// `peers`, `apeers`, `opeers`, `rpeers` (and their `l` forms) all give
/// the same record: every column whole and typed.
pub fn peers(cx: &mut Context) -> CmdResult {
    cx.fetch_associations()?;
    let ids: Vec<u16> = cx.peers.iter().map(|(id, _)| *id).collect();
    let mut list = Vec::with_capacity(ids.len());
    for associd in ids {
        let r = cx.query(Opcode::ReadVar, associd, b"")?;
        let vars = parse_varlist(&r.data);
        if vars.is_empty() {
            cx.out.warn_code(
                "no_data",
                &format!("***No information returned for association {associd}"),
            );
            continue;
        }
        let input = PeerInput {
            associd,
            status: r.status,
            vars: &vars,
            hostname: hostname(cx, &vars),
            old_version: cx.settings.ntpversion == 1,
        };
        list.push(json::peer_object(&input, now_unix()));
    }
    let record = json::peers_record(cx.out.host.as_deref(), list);
    cx.out.record(record);
    Ok(())
}
