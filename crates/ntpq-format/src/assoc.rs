//! The `associations` / `passociations` table (commands.md §7).

use ntp_control::status::assoc_columns;

/// Leading empty line, column titles and the 59-character rule.
pub const ASSOCIATIONS_HEADER: &str = "\nind assid status  conf reach auth condition  last_event cnt\n===========================================================\n";

/// One row for the `index`-th (1-based) association.
pub fn association_row(index: usize, associd: u16, status: u16) -> String {
    let c = assoc_columns(status);
    format!(
        "{index:>3} {associd:>5}  {status:04x}   {:>3.3}  {:>4}  {:>4.4} {:>9.9} {:>11} {:>2}\n",
        c.conf, c.reach, c.auth, c.condition, c.last_event, c.count
    )
}

/// The full table for (association id, status) pairs, in the given order
/// (the caller sorts by id). An empty list gives just the header.
pub fn associations_table(assocs: &[(u16, u16)]) -> String {
    let mut out = String::from(ASSOCIATIONS_HEADER);
    for (i, (associd, status)) in assocs.iter().enumerate() {
        out.push_str(&association_row(i + 1, *associd, *status));
    }
    out
}

/// `passociations`: the cached list, or `No association IDs in list`.
pub fn passociations_text(cached: &[(u16, u16)]) -> String {
    if cached.is_empty() {
        "No association IDs in list\n".to_string()
    } else {
        associations_table(cached)
    }
}

/// What READSTAT with an empty reply prints (the `server=` prefix is
/// always there in the reference).
pub fn no_associations_text(host: &str) -> String {
    format!("server={host} No association IDs returned\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verified_table() {
        let want = "\nind assid status  conf reach auth condition  last_event cnt\n\
===========================================================\n  \
1 17767  801b   yes    no  none    reject clock_alarm  1\n";
        assert_eq!(associations_table(&[(17767, 0x801b)]), want);
    }

    #[test]
    fn rows_match_python_format() {
        // "%3d %5u  %04x   %3.3s  %4s  %4.4s %9.9s %11s %2lu" via python3
        // with ntp.util.PeerStatusWord.
        let cases: &[(usize, u16, u16, &str)] = &[
            (
                2,
                4,
                0x7c0c,
                "  2     4  7c0c    no  none   ok  candidate              0\n",
            ),
            (
                12,
                65535,
                0x961a,
                " 12 65535  961a   yes   yes  none  sys.peer    sys_peer  1\n",
            ),
            (
                3,
                1,
                0x0000,
                "  3     1  0000    no    no  none    reject              0\n",
            ),
            (
                4,
                2,
                0xf4f3,
                "  4     2  f4f3   yes   yes   ok  candidate unreachable 15\n",
            ),
        ];
        for (i, id, st, want) in cases {
            assert_eq!(association_row(*i, *id, *st), *want, "{st:04x}");
        }
    }

    #[test]
    fn empty_lists() {
        assert_eq!(passociations_text(&[]), "No association IDs in list\n");
        assert_eq!(
            no_associations_text("localhost"),
            "server=localhost No association IDs returned\n"
        );
    }
}
