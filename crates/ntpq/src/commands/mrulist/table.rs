//! `mrulist` with `--format table`: the collected list as one table, drawn
//! once it is all read. `direct` and `follow` stream their rows as they
//! come, so they keep the classic rows (a table needs every row first).
//! The lines around the list (the Ctrl-C hint, `# Collected …`, the
//! report) stay text.

use ntp_control::mru::entry::MruEntry;
use ntp_control::mru::MruList;
use ntpq_format::table::mrulist::{entry_cells, mrulist_table_part, MruColumns};

use super::RemoteNames;
use crate::context::Context;
use crate::output_mode::OutputMode;

/// Rows drawn per part: the table's memory is that of one part.
const ROWS_PER_PART: usize = 4096;

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
    let cells = |e: &MruEntry| {
        let cells = entry_cells(e, now, pivot)?;
        let mut remote = String::new();
        names.push_text(&mut remote, e, &list.v6);
        Some((cells, remote))
    };
    // Two passes: the widths of the whole list, then the parts.
    let mut columns = MruColumns::default();
    for (c, remote) in list.entries.iter().filter_map(cells) {
        columns.measure(&c, &remote);
    }
    let style = crate::table_style::table_style(cx.out, cx.settings.width);
    let parts = list.entries.chunks(ROWS_PER_PART).count().max(1);
    let mut chunks = list.entries.chunks(ROWS_PER_PART);
    for i in 0..parts {
        let rows = chunks
            .next()
            .unwrap_or_default()
            .iter()
            .filter_map(cells)
            .collect();
        let ends = (i == 0, i + 1 == parts);
        cx.out
            .say(&mrulist_table_part(&columns, rows, ends, &style));
        if cx.out.broken {
            break;
        }
    }
    true
}
