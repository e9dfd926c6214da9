//! The MRU list as a table, built after the whole list is read (direct
//! and `follow` output stays the classic rows, which stream). A long list
//! is measured first and then drawn in parts of the same column widths,
//! so memory stays that of one part.

use ntp_control::mru::entry::MruEntry;
use ntp_control::visible::visible;

use super::{longest_word, Builder, TableStyle};
use crate::mrulist::{row_into, HEADER};

/// The column titles of the classic header, one per column.
fn titles() -> Vec<&'static str> {
    let mut t: Vec<&str> = HEADER.split_whitespace().collect();
    // "remote address" is one column.
    t.truncate(10);
    t.push("remote address");
    t
}

const RIGHT: [usize; 7] = [0, 1, 2, 6, 7, 8, 9];

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

/// The widest word of each column over a whole list: measure every row,
/// then draw the parts with [`mrulist_table_part`].
#[derive(Clone, Debug)]
pub struct MruColumns {
    longest: Vec<usize>,
}

impl Default for MruColumns {
    fn default() -> Self {
        MruColumns {
            longest: titles().iter().map(|t| longest_word(t)).collect(),
        }
    }
}

impl MruColumns {
    /// Takes one row (its [`entry_cells`] and remote address) into account.
    pub fn measure(&mut self, cells: &[String], remote: &str) {
        let remote = visible(remote);
        let texts = cells.iter().map(String::as_str).chain([remote.as_ref()]);
        for (w, text) in self.longest.iter_mut().zip(texts) {
            *w = (*w).max(longest_word(text));
        }
    }
}

/// One part of the table: the header and top border when `first`, the
/// bottom border when `last`. Parts drawn one after another with the same
/// `columns` make one table.
pub fn mrulist_table_part(
    columns: &MruColumns,
    rows: Vec<(Vec<String>, String)>,
    (first, last): (bool, bool),
    style: &TableStyle,
) -> String {
    let titles = titles();
    let header: &[&str] = if first { &titles } else { &[] };
    let mut table = Builder::new(style, header);
    table.part(&columns.longest, first, last);
    table.align_right(&RIGHT);
    for (mut cells, remote) in rows {
        cells.push(remote);
        table.row(cells, &[]);
    }
    table.finish()
}

/// The whole table of `rows` in one part.
pub fn mrulist_table(rows: Vec<(Vec<String>, String)>, style: &TableStyle) -> String {
    let mut columns = MruColumns::default();
    for (cells, remote) in &rows {
        columns.measure(cells, remote);
    }
    mrulist_table_part(&columns, rows, (true, true), style)
}
