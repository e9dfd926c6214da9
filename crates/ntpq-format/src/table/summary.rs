//! The summary commands (sysinfo, sysstats, kerninfo, monstats, …) as
//! tables: each legend with its value, and the rate of packet counters.

use ntp_control::varlist::Variable;

use super::{Builder, TableStyle};
use crate::summary::cells::{dual_cells, single_cells};
use crate::summary::{Display, Row};

/// A single-column summary (`collect_display`) as a two- or three-column
/// table; the rate column only when a row has a rate.
pub fn single_table<'v>(
    rows: &[Row],
    lookup: impl Fn(&str) -> Option<&'v Variable>,
    display: &mut Display<'_>,
    style: &TableStyle,
) -> String {
    let cells = single_cells(rows, lookup, display);
    let rates = cells.iter().any(|(_, _, rate)| !rate.is_empty());
    let header: &[&str] = if rates {
        &["", "value", "rate"]
    } else {
        &["", "value"]
    };
    let mut table = Builder::new(style, header);
    table.no_wrap(0);
    table.align_right(&[1, 2]);
    for (legend, value, rate) in cells {
        let mut row = vec![legend, value];
        if rates {
            row.push(rate);
        }
        table.row(row, &[]);
    }
    table.finish()
}

/// The second sysstats table (`collect_display2`): each counter and its
/// `_r` twin, with their rates.
pub fn dual_table<'v>(
    rows: &[Row],
    lookup: impl Fn(&str) -> Option<&'v Variable>,
    style: &TableStyle,
) -> String {
    let header = ["", "value", "rate", "value (_r)", "rate (_r)"];
    let mut table = Builder::new(style, &header);
    table.no_wrap(0);
    table.align_right(&[1, 2, 3, 4]);
    for row in dual_cells(rows, lookup) {
        table.row(row.to_vec(), &[]);
    }
    table.finish()
}
