//! `mrulist` with `--format table`: the collected list as one table, drawn
//! once it is all read. `direct` and `follow` stream their rows as they
//! come, so they keep the classic rows (a table needs every row first).
//! The lines around the list (the Ctrl-C hint, `# Collected …`, the
//! report) stay text.

use ntp_control::mru::MruList;
use ntpq_format::table::mrulist::{entry_cells, mrulist_table};

use super::RemoteNames;
use crate::context::Context;
use crate::output_mode::OutputMode;

/// Prints the list as a table when the output mode asks for tables;
/// false (nothing printed) otherwise.
pub(super) fn print_table(
    cx: &mut Context,
    list: &MruList,
    names: &RemoteNames,
    now: f64,
    pivot: i64,
) -> bool {
    if cx.out.mode != OutputMode::Table {
        return false;
    }
    let rows = list
        .entries
        .iter()
        .filter_map(|e| {
            let cells = entry_cells(e, now, pivot)?;
            let mut remote = String::new();
            names.push_text(&mut remote, e, &list.v6);
            Some((cells, remote))
        })
        .collect();
    let style = crate::table_style::table_style(cx.out, cx.settings.width);
    cx.out.say(&mrulist_table(rows, &style));
    true
}
