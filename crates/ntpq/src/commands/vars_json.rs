//! The readvar family in JSON mode: one record per association read.

use ntp_control::Variable;
use ntpq_format::json;

use super::Kind;
use crate::context::Context;

pub fn now_unix() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// `{"type":"readvar"|"clockvar","associd":…,"status":{…},"vars":{…}}`;
/// a reply without variables is a `no_data` warning instead.
pub fn print(cx: &mut Context, associd: u16, kind: Kind, status: u16, vars: &[Variable]) {
    if vars.is_empty() {
        let what = if kind == Kind::Clock { " clock" } else { "" };
        cx.out.warn_code(
            "no_data",
            &format!("No information returned for{what} association {associd}"),
        );
        return;
    }
    let (record_type, status) = match kind {
        Kind::System => ("readvar", json::system_status(status)),
        Kind::Peer => ("readvar", json::peer_status(status)),
        Kind::Clock => ("clockvar", json::clock_status(status)),
    };
    let record = json::readvar_record(
        record_type,
        cx.out.host.as_deref(),
        associd,
        status,
        vars,
        now_unix().floor() as i64,
    );
    cx.out.record(record);
}
