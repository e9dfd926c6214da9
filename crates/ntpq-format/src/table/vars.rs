//! The readvar family (rv, cv, mrv, …) as a table: each variable with its
//! value as the classic display cooks it (dates, units, decoded leap and
//! flash bits), under a title line naming the association and its status.

use ntp_control::varlist::Variable;

use super::{Builder, TableStyle};
use crate::cooked::cooked_value;

/// `title` (e.g. `associd=0 status=0615 leap_none, …`, or empty) on its
/// own line, then a variable / value table; `'` shown as `"`, as the
/// classic display does.
pub fn vars_table(title: &str, vars: &[Variable], units: bool, style: &TableStyle) -> String {
    let mut table = Builder::new(style, &["variable", "value"]);
    table.no_wrap(0);
    for var in vars {
        let value = cooked_value(var, units).replace('\'', "\"");
        table.row(vec![var.name.clone(), value], &[]);
    }
    let mut text = String::new();
    if !title.is_empty() {
        text.push_str(&ntp_control::visible::visible(title));
        text.push('\n');
    }
    text.push_str(&table.finish());
    text
}
