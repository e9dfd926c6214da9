//! The parameters `help <command>` lists after the reference's text, and
//! the valid values an invalid one is answered with. Only where 1.2.2's
//! help does not already name them: its usage line lists the words of
//! `authenticate`, `debug` and `hostnames` (a test checks that), but not
//! `mrulist`'s tags and sort keys, nor the key types ntpq-rs signs with.

use ntp_control::mru::options::{CLIENT_WORDS, FILTERS, FOLLOW_TAGS};
use ntp_control::mru::{MruArgError, SortKey};

use super::Args;

/// `mrulist` parameters: the form, the tag (as in `FILTERS`/`CLIENT_WORDS`)
/// and what it does.
pub const MRU_PARAMETERS: &[(&str, &str, &str)] = &[
    (
        "mincount=N",
        "mincount",
        "only entries with at least N packets",
    ),
    (
        "mindrop=N",
        "mindrop",
        "only entries with at least N dropped packets",
    ),
    (
        "minscore=F",
        "minscore",
        "only entries with a score of at least F",
    ),
    (
        "maxlstint=S",
        "maxlstint",
        "only entries heard from in the last S seconds",
    ),
    (
        "minlstint=S",
        "minlstint",
        "only entries silent for at least S seconds",
    ),
    (
        "laddr=ADDR",
        "laddr",
        "only entries received on the local address ADDR",
    ),
    (
        "resall=0xHEX",
        "resall",
        "only entries with all these restriction bits",
    ),
    (
        "resany=0xHEX",
        "resany",
        "only entries with any of these restriction bits",
    ),
    (
        "kod",
        "kod",
        "only entries sent a kiss-o'-death (resany=0x400)",
    ),
    (
        "limited",
        "limited",
        "only rate-limited entries (resany=0x20)",
    ),
    (
        "recent=N",
        "recent",
        "start about N entries before the newest",
    ),
    ("limit=N", "limit", "entries per request (not a total)"),
    ("frags=N", "frags", "fragments per request (default 32)"),
    ("sort=KEY", "sort", "the order of the list, KEY one of:"),
    (
        "direct",
        "direct",
        "print entries as they arrive (also the `direct` command)",
    ),
    ("stats", "stats", "always print the retrieval report"),
    (
        "follow",
        "follow",
        "print the list, then what changes, until Ctrl-C",
    ),
    (
        "interval=S",
        "interval",
        "with follow: seconds between polls (default 1)",
    ),
    (
        "duration=S",
        "duration",
        "with follow: stop after S seconds",
    ),
    (
        "addr.N=ADDR",
        "addr.N",
        "with last.N=0xHEX.HEX (N 0..15): an anchor to start from",
    ),
];

/// What each `sort=` key orders by, in `SortKey::NAMES` order.
pub const SORT_MEANINGS: &[(&str, &str)] = &[
    ("lstint", "most recent first (the default)"),
    ("-lstint", "least recent first"),
    ("avgint", "shortest average interval first"),
    ("-avgint", "longest average interval first"),
    ("addr", "by address, ascending"),
    ("-addr", "by address, descending"),
    ("count", "fewest packets first"),
    ("-count", "most packets first"),
    ("score", "lowest score first"),
    ("-score", "highest score first"),
    ("drop", "fewest drops first"),
    ("-drop", "most drops first"),
];

/// The block `help <command>` prints after the reference's text, if the
/// command's valid values are not already in that text.
pub fn help_block(args: Args) -> Option<String> {
    let rows: Vec<(String, String)> = match args {
        Args::MruTags => {
            let mut rows = Vec::new();
            for (form, tag, meaning) in MRU_PARAMETERS {
                rows.push((format!("  {form}"), meaning.to_string()));
                if *tag == "sort" {
                    for (key, meaning) in SORT_MEANINGS {
                        rows.push((format!("      {key}"), meaning.to_string()));
                    }
                }
            }
            rows
        }
        Args::KeyType => {
            let names = keytype_names().join(", ");
            let text = format!("the key types ntpq-rs signs with: {names}");
            return Some(format!("parameters:\n{}", wrap(&text, "  ", 79)));
        }
        _ => return None,
    };
    let width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    let mut s = String::from("parameters:\n");
    for (left, right) in rows {
        s.push_str(&format!("{left:<width$}  {right}\n"));
    }
    Some(s)
}

/// `text` in lines of at most `width` columns, each starting with `indent`.
fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > width {
            out.push_str(&format!("{indent}{line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&format!("{indent}{line}\n"));
    out
}

pub fn keytype_names() -> Vec<&'static str> {
    ntp_auth::KeyType::ALL.iter().map(|k| k.name()).collect()
}

/// The line (after `ntpq: `) answering an invalid `mrulist` argument.
pub fn mrulist_hint(e: &MruArgError) -> String {
    match e {
        MruArgError::BadSort(_) => format!("sort keys: {}", SortKey::NAMES.join(" ")),
        MruArgError::UnknownParam(_) => {
            let tags: Vec<String> = FILTERS
                .iter()
                .map(|t| match *t {
                    "kod" | "limited" => t.to_string(),
                    _ => format!("{t}="),
                })
                .chain(CLIENT_WORDS.iter().map(|w| w.to_string()))
                .chain(FOLLOW_TAGS.iter().map(|t| format!("{t}=")))
                .chain(["addr.N=".to_string(), "last.N=".to_string()])
                .collect();
            format!("mrulist parameters: {} (help mrulist)", tags.join(" "))
        }
        MruArgError::NotWithFollow(_) => {
            "follow prints entries as they change: leave out sort= and limit=".to_string()
        }
        MruArgError::BadValue { tag, .. } => {
            match MRU_PARAMETERS.iter().find(|(_, t, _)| t == tag) {
                Some((form, _, meaning)) => format!("expected {form}: {meaning}"),
                None => "see help mrulist".to_string(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::TABLE;

    #[test]
    fn every_mrulist_tag_and_sort_key_is_described() {
        for tag in FILTERS.iter().chain(CLIENT_WORDS).chain(FOLLOW_TAGS) {
            assert!(
                MRU_PARAMETERS.iter().any(|(_, t, _)| t == tag),
                "{tag} has no description"
            );
        }
        let keys: Vec<&str> = SORT_MEANINGS.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, SortKey::NAMES);
        let keytype = help_block(Args::KeyType).unwrap();
        assert!(keytype.lines().all(|l| l.len() <= 79), "{keytype}");
        assert!(keytype.contains("SHA1,") && keytype.contains("AES-128,"));
        let block = help_block(Args::MruTags).unwrap();
        for key in SortKey::NAMES {
            assert!(block.contains(&format!("      {key} ")), "{key}");
        }
    }

    #[test]
    fn the_reference_usage_already_lists_the_words_it_has_no_block_for() {
        for c in TABLE {
            if let Args::Words(words) | Args::WordsOrNumber(words) = c.args {
                assert!(help_block(c.args).is_none());
                let usage = c.help.lines().find(|l| l.starts_with("usage:")).unwrap();
                for w in words {
                    assert!(usage.contains(w), "help {} does not name {w}", c.name);
                }
            }
        }
    }

    #[test]
    fn hints_name_the_valid_values() {
        let sort = mrulist_hint(&MruArgError::BadSort("bogus".into()));
        assert!(sort.contains("-lstint") && sort.contains("-drop"), "{sort}");
        let unknown = mrulist_hint(&MruArgError::UnknownParam("bogus".into()));
        assert!(
            unknown.contains("mincount=") && unknown.contains(" kod "),
            "{unknown}"
        );
        let value = mrulist_hint(&MruArgError::BadValue {
            tag: "mincount".into(),
            value: "x".into(),
        });
        assert_eq!(
            value,
            "expected mincount=N: only entries with at least N packets"
        );
    }

    #[test]
    fn help_appends_the_block_after_the_reference_text_only_where_needed() {
        let mut h = crate::testing::Harness::new(crate::testing::SILENT);
        for line in ["help mrulist", "help mrul", "he mrulist"] {
            let ran = h.run(line);
            let block = help_block(Args::MruTags).unwrap();
            assert_eq!(
                ran.stdout,
                format!("{}{block}", super::super::help_texts::MRULIST)
            );
        }
        let ran = h.run("help keytype");
        assert!(ran.stdout.starts_with(super::super::help_texts::KEYTYPE));
        assert!(ran.stdout.contains("parameters:\n  the key types"));
        // Words the reference's usage already names: its text alone.
        for (line, text) in [
            ("help debug", super::super::help_texts::DEBUG),
            ("help hostnames", super::super::help_texts::HOSTNAMES),
            ("help rv", super::super::help_texts::RV),
        ] {
            assert_eq!(h.run(line).stdout, text, "{line}");
        }
    }

    #[test]
    fn invalid_values_are_answered_with_the_valid_ones_after_the_reference_text() {
        let mut h = crate::testing::Harness::new(crate::testing::SILENT);
        let ran = h.run("mrulist sort=bogus");
        assert_eq!(
            ran.stderr,
            "***Sort order bogus is not implemented\nntpq: sort keys: lstint -lstint \
             avgint -avgint addr -addr count -count score -score drop -drop\n"
        );
        assert!(ran.failed);
        let ran = h.run("mrulist bogus=1");
        assert!(ran
            .stderr
            .starts_with("***Unknown parameter 'bogus'\nntpq: mrulist parameters: mincount="));
        let ran = h.run("hostnames maybe");
        assert!(ran.stdout.starts_with("What?\n"));
        assert_eq!(
            ran.stderr,
            "ntpq: hostnames takes yes, no, hostnum or hostname\n"
        );
    }
}
