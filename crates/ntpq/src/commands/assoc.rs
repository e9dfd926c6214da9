//! `associations` and friends (commands.md §7).

use ntpq_format::assoc::{associations_table, passociations_text};

use crate::context::Context;
use crate::error::CmdResult;

pub fn associations(cx: &mut Context, _: &str) -> CmdResult {
    if cx.fetch_associations()? {
        let text = associations_table(cx.peers);
        cx.out.say(&text);
    }
    Ok(())
}

pub fn passociations(cx: &mut Context, _: &str) -> CmdResult {
    let text = passociations_text(cx.peers);
    cx.out.say(&text);
    Ok(())
}
