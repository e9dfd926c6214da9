//! What `--format table` takes from the run: the width to fit (`-W`, else
//! the terminal's columns, else 80) and whether to colour (a terminal and
//! no `NO_COLOR`, see no-color.org).

use std::io::Write;

use ntpq_format::table::{colour_wanted, TableStyle};

use crate::output::{terminal_columns, Output};

/// The table style for `out`; `forced_width` is the `-W` setting.
pub fn table_style<W: ?Sized + Write>(out: &Output<W>, forced_width: Option<i64>) -> TableStyle {
    let width = match forced_width {
        Some(w) if w > 0 => usize::try_from(w).unwrap_or(usize::MAX),
        _ => terminal_columns(out).unwrap_or(80),
    };
    // A value that is not UTF-8 is still a value: no colour.
    let no_color = std::env::var_os("NO_COLOR").map(|v| v.to_string_lossy().into_owned());
    TableStyle::new(width, colour_wanted(out.stdout_is_tty, no_color.as_deref()))
}
