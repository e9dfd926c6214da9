//! Tables for people (`--format table`): the same data the classic
//! formatters get, drawn with comfy-table to a given width. Cells wrap at
//! spaces, never inside a word: every column is at least as wide as its
//! longest word, so an IPv6 address or a host name is never cut (the table
//! grows past the width when nothing else fits). Colour only when asked
//! ([`colour_wanted`]); without it the text has no escape sequences.
//!
//! * [`peers`]: the peers family; [`assoc`]: associations;
//!   [`summary`]: sysinfo, sysstats and the other summary commands;
//!   [`ordlist`]: ifstats and reslist; [`mrulist`]: the MRU list;
//!   [`vars`]: the readvar family.

pub mod assoc;
pub mod mrulist;
pub mod ordlist;
pub mod peers;
pub mod summary;
pub mod vars;

#[cfg(test)]
mod tests;

use comfy_table::{
    modifiers, presets, Attribute, Cell, CellAlignment, Color, ColumnConstraint,
    ContentArrangement, Table, TableComponent, Width,
};
use ntp_control::visible::visible;

/// How tables are drawn: the width to fit and whether to colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableStyle {
    /// Columns available (the terminal's, `-W`, or 80).
    pub width: usize,
    pub colour: bool,
}

/// Narrower than this, no table is readable; wider than comfy-table counts.
const MIN_WIDTH: usize = 20;

impl TableStyle {
    pub fn new(width: usize, colour: bool) -> TableStyle {
        TableStyle {
            width: width.clamp(MIN_WIDTH, usize::from(u16::MAX)),
            colour,
        }
    }
}

/// Colour per no-color.org: only on a terminal, and never when `NO_COLOR`
/// is set to a non-empty value.
pub fn colour_wanted(stdout_is_tty: bool, no_color: Option<&str>) -> bool {
    stdout_is_tty && !matches!(no_color, Some(v) if !v.is_empty())
}

/// A table being filled: rows of text, measured for the column minimums.
pub(crate) struct Builder {
    table: Table,
    colour: bool,
    width: usize,
    /// Per column, the widest word of any cell (header included).
    longest: Vec<usize>,
    /// Columns whose cells never wrap (measured by whole lines).
    unwrapped: Vec<usize>,
    /// Column widths fixed by the caller (a long table drawn in parts).
    fixed: bool,
    /// Right-aligned columns (set when drawing: a part without a header
    /// has no columns before its rows).
    right: Vec<usize>,
}

/// The widest whitespace-free run of `text`, in characters.
pub(crate) fn longest_word(text: &str) -> usize {
    text.split_whitespace()
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0)
}

impl Builder {
    /// One shared look for every table: rounded UTF-8 lines, header bold
    /// when coloured, fitted to `style.width`.
    pub(crate) fn new(style: &TableStyle, header: &[&str]) -> Builder {
        let mut table = Table::new();
        table
            .load_preset(presets::UTF8_FULL_CONDENSED)
            .apply_modifier(modifiers::UTF8_ROUND_CORNERS)
            .set_content_arrangement(ContentArrangement::Dynamic)
            // Never ask the process's own stdout: the caller decided.
            .force_no_tty()
            .set_width(style.width as u16);
        if style.colour {
            table.enforce_styling();
        }
        let cells: Vec<Cell> = header
            .iter()
            .map(|h| {
                let cell = Cell::new(h);
                if style.colour {
                    cell.add_attribute(Attribute::Bold)
                } else {
                    cell
                }
            })
            .collect();
        if !cells.is_empty() {
            table.set_header(cells);
        }
        Builder {
            table,
            colour: style.colour,
            width: style.width,
            longest: header.iter().map(|h| longest_word(h)).collect(),
            unwrapped: Vec::new(),
            fixed: false,
            right: Vec::new(),
        }
    }

    /// Right-aligns the columns `columns` (numbers).
    pub(crate) fn align_right(&mut self, columns: &[usize]) {
        self.right.extend_from_slice(columns);
    }

    /// One part of a long table: the columns exactly `longest` wide (the
    /// widest word of the whole table, each), without the top border
    /// unless `first` (which has the header) and the bottom one unless
    /// `last`. The parts printed one after the other make one table.
    pub(crate) fn part(&mut self, longest: &[usize], first: bool, last: bool) {
        self.longest = longest.to_vec();
        self.fixed = true;
        if !first {
            for c in [
                TableComponent::TopLeftCorner,
                TableComponent::TopBorder,
                TableComponent::TopBorderIntersections,
                TableComponent::TopRightCorner,
            ] {
                self.table.remove_style(c);
            }
        }
        if !last {
            for c in [
                TableComponent::BottomLeftCorner,
                TableComponent::BottomBorder,
                TableComponent::BottomBorderIntersections,
                TableComponent::BottomRightCorner,
            ] {
                self.table.remove_style(c);
            }
        }
    }

    /// Keeps the cells of `column` on one line (short legends).
    pub(crate) fn no_wrap(&mut self, column: usize) {
        self.unwrapped.push(column);
    }

    /// Adds a row; `colours` colours some of its cells (when colour is on).
    /// Server text is shown with control characters as `\xHH`.
    pub(crate) fn row(&mut self, cells: Vec<String>, colours: &[(usize, Color)]) {
        let mut row = Vec::with_capacity(cells.len());
        for (i, text) in cells.iter().enumerate() {
            // Line breaks of our own (address / broadcast) are kept; a tab
            // (the classic filter arrays use them) would break the columns.
            let text = text
                .split('\n')
                .map(visible)
                .collect::<Vec<_>>()
                .join("\n")
                .replace('\t', " ");
            let width = if self.fixed {
                0
            } else if self.unwrapped.contains(&i) {
                text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
            } else {
                longest_word(&text)
            };
            match self.longest.get_mut(i) {
                Some(w) => *w = (*w).max(width),
                None => self.longest.push(width),
            }
            let mut cell = Cell::new(text);
            if self.colour {
                if let Some((_, c)) = colours.iter().find(|(col, _)| *col == i) {
                    cell = cell.fg(*c);
                }
            }
            row.push(cell);
        }
        self.table.add_row(row);
    }

    /// The table's text, ending in a newline. When whole words do not fit
    /// the width with the usual one-space padding, the cells lose their
    /// padding (the column lines still separate them).
    pub(crate) fn finish(mut self) -> String {
        let columns = self.longest.len();
        let words: usize = self.longest.iter().sum();
        let compact = words + 3 * columns + 1 > self.width;
        for (i, &w) in self.longest.iter().enumerate() {
            if let Some(c) = self.table.column_mut(i) {
                if self.right.contains(&i) {
                    c.set_cell_alignment(CellAlignment::Right);
                }
                if compact {
                    c.set_padding((0, 0));
                }
                // comfy-table's bounds include the cell padding.
                let w = u16::try_from(w)
                    .unwrap_or(u16::MAX)
                    .saturating_add(c.padding_width());
                c.set_constraint(if self.fixed {
                    ColumnConstraint::Absolute(Width::Fixed(w))
                } else {
                    ColumnConstraint::LowerBoundary(Width::Fixed(w))
                });
            }
        }
        let mut text = self.table.to_string();
        text.push('\n');
        text
    }
}
