//! `associations` and friends (commands.md §7).

use ntpq_format::assoc::{associations_table, passociations_text};

use crate::context::Context;
use crate::error::CmdResult;
use crate::output_mode::OutputMode;

pub fn associations(cx: &mut Context, _: &str) -> CmdResult {
    if cx.out.mode.is_json() {
        cx.fetch_associations()?;
        return passociations(cx, "");
    }
    if cx.fetch_associations()? {
        let text = match cx.out.mode {
            OutputMode::Table => table(cx),
            _ => associations_table(cx.peers),
        };
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
    let text = match cx.out.mode {
        OutputMode::Table if !cx.peers.is_empty() => table(cx),
        _ => passociations_text(cx.peers),
    };
    cx.out.say(&text);
    Ok(())
}

/// `--format table`: the cached list as a table.
fn table(cx: &Context) -> String {
    let style = crate::table_style::table_style(cx.out, cx.settings.width);
    ntpq_format::table::assoc::associations_table(cx.peers, &style)
}
