//! The summary commands in JSON mode: one record each, the table's
//! variables typed at its top level (`units` and `raw` do not apply).

use ntpq_format::json;
use ntpq_format::summary::Row;

use super::{collect, Collected};
use crate::context::Context;
use crate::error::{CmdError, CmdResult};

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn emit(cx: &mut Context, kind: &str, associd: Option<u16>, names: &[&str], got: &Collected) {
    let mut record =
        json::summary_record(kind, cx.out.host.as_deref(), names, &got.vars, now_unix());
    if let Some(associd) = associd {
        // The text shows the status line too (sysinfo, kerninfo, pstats).
        let status = if associd == 0 {
            json::system_status(got.status)
        } else {
            json::peer_status(got.status)
        };
        let mut head = cx.out.record_head(kind);
        head.insert("associd".into(), associd.into());
        head.insert("status".into(), serde_json::Value::Object(status));
        record.retain(|k, _| !head.contains_key(k));
        head.extend(record);
        record = head;
    }
    cx.out.record(record);
}

/// One table: `associd` is given for the tables whose text shows the
/// status line.
pub fn show(
    cx: &mut Context,
    kind: &str,
    associd: u16,
    rows: &[Row],
    with_status: bool,
) -> CmdResult {
    let names: Vec<String> = rows.iter().map(|r| r.name.to_string()).collect();
    let got = collect(cx, associd, &names, false)?;
    let names: Vec<&str> = rows.iter().map(|r| r.name).collect();
    emit(cx, kind, with_status.then_some(associd), &names, &got);
    Ok(())
}

/// `sysstats`: both of its tables in one record (the second's `_r`
/// twins, counts since the last reset, included).
pub fn sysstats(cx: &mut Context, first: &[Row], totals: &[Row]) -> CmdResult {
    let first_names: Vec<String> = first.iter().map(|r| r.name.to_string()).collect();
    let mut got = match collect(cx, 0, &first_names, false) {
        Ok(got) => got,
        Err(e @ (CmdError::Interrupted | CmdError::EndRun(_))) => return Err(e),
        Err(e) => {
            cx.report(&e);
            Collected {
                vars: Vec::new(),
                last_text: Vec::new(),
                status: 0,
            }
        }
    };
    let mut second: Vec<String> = totals.iter().map(|r| r.name.to_string()).collect();
    second.extend(totals.iter().map(|r| format!("{}_r", r.name)));
    let more = collect(cx, 0, &second, true)?;
    got.merge(more.vars);
    let names: Vec<&str> = first_names
        .iter()
        .chain(&second)
        .map(String::as_str)
        .collect();
    emit(cx, "sysstats", None, &names, &got);
    Ok(())
}
