//! The MRU list as a table, built after the whole list is read (direct
//! and `follow` output stays the classic rows, which stream).

use ntp_control::mru::entry::MruEntry;

use super::{Builder, TableStyle};
use crate::mrulist::{row_into, HEADER};

/// The column titles of the classic header, one per column.
fn titles() -> Vec<&'static str> {
    let mut t: Vec<&str> = HEADER.split_whitespace().collect();
    // "remote address" is one column.
    t.truncate(10);
    t.push("remote address");
    t
}

/// The cells of one entry before the remote address: the classic row's
/// fields (each a single word; the port is empty when the server sent
/// none). `None` for an entry the server sent corrupt.
pub fn entry_cells(e: &MruEntry, now_unix: f64, pivot_unix: i64) -> Option<Vec<String>> {
    let mut text = String::with_capacity(96);
    if !row_into(&mut text, e, Some(now_unix), pivot_unix) {
        return None;
    }
    let mut cells: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    if !e.has_port {
        cells.push(String::new());
    }
    Some(cells)
}

/// The table of `rows`: an entry's cells ([`entry_cells`]) and its remote
/// address (numeric or a name). Corrupt entries are left out.
pub fn mrulist_table(rows: Vec<(Vec<String>, String)>, style: &TableStyle) -> String {
    let header = titles();
    let mut table = Builder::new(style, &header);
    table.align_right(&[0, 1, 2, 6, 7, 8, 9]);
    for (mut cells, remote) in rows {
        cells.push(remote);
        table.row(cells, &[]);
    }
    table.finish()
}
