//! `associations` and friends (commands.md §7).

use ntpq_format::assoc::{associations_table, passociations_text};

use crate::context::Context;
use crate::error::CmdResult;

pub fn associations(cx: &mut Context, _: &str) -> CmdResult {
    if cx.out.mode.is_json() {
        cx.fetch_associations()?;
        return passociations(cx, "");
    }
    if cx.fetch_associations()? {
        let text = associations_table(cx.peers);
        cx.out.say(&text);
    }
    Ok(())
}

pub fn passociations(cx: &mut Context, _: &str) -> CmdResult {
    if cx.out.mode.is_json() {
        let record = ntpq_format::json::associations_record(cx.out.host.as_deref(), cx.peers);
        cx.out.record(record);
        return Ok(());
    }
    let text = passociations_text(cx.peers);
    cx.out.say(&text);
    Ok(())
}
