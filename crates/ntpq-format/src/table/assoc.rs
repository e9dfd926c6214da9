//! `associations` / `passociations` as a table.

use ntp_control::status::assoc_columns;

use super::{Builder, TableStyle};

/// The table of (association id, status) pairs, in the given order.
pub fn associations_table(assocs: &[(u16, u16)], style: &TableStyle) -> String {
    let header = [
        "ind",
        "assid",
        "status",
        "conf",
        "reach",
        "auth",
        "condition",
        "last_event",
        "cnt",
    ];
    let mut table = Builder::new(style, &header);
    table.align_right(&[0, 1, 8]);
    for (i, (associd, status)) in assocs.iter().enumerate() {
        let c = assoc_columns(*status);
        table.row(
            vec![
                (i + 1).to_string(),
                associd.to_string(),
                format!("{status:04x}"),
                c.conf.to_string(),
                c.reach.to_string(),
                c.auth.to_string(),
                c.condition.to_string(),
                c.last_event.to_string(),
                c.count.to_string(),
            ],
            &[],
        );
    }
    table.finish()
}
