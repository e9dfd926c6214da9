//! `associations` and friends (commands.md §7).

use ntpq_format::assoc::{associations_table, passociations_text};

use crate::app::App;
use crate::error::CmdResult;

pub fn associations(app: &mut App, _: &str) -> CmdResult {
    if app.fetch_associations()? {
        let text = associations_table(&app.peers);
        app.out.say(&text);
    }
    Ok(())
}

pub fn passociations(app: &mut App, _: &str) -> CmdResult {
    let text = passociations_text(&app.peers);
    app.out.say(&text);
    Ok(())
}
