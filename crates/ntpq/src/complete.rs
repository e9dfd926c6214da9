//! What Tab offers at the prompt, from the command table: command names,
//! then the arguments of the command (also when it was abbreviated) by
//! its argument kind — words (`hostnames`, `debug`, `keytype`, ...),
//! mrulist tags and `sort=` keys, association ids of the last list,
//! variable names servers sent, hosts used before, file names.

use crate::commands::{Args, TABLE};
use crate::interpreter::command_of;

/// The candidates for the word before the cursor.
#[derive(Debug, PartialEq, Eq)]
pub enum Candidates {
    /// Where the word starts, and the words that complete it.
    Words(usize, Vec<String>),
    /// A file name (the editor's file-name completion does it).
    File,
}

/// What the session has seen, for completion.
#[derive(Default)]
pub struct Known {
    /// Hosts used before, most recent last.
    pub hosts: Vec<String>,
    /// The association ids of the last association list.
    pub assoc_ids: Vec<u16>,
    /// Variable names servers sent.
    pub var_names: Vec<String>,
}

/// Completes the last word of `before` (the line up to the cursor).
pub fn complete(before: &str, known: &Known) -> Candidates {
    let start = before
        .rfind(char::is_whitespace)
        .map(|i| i + 1)
        .unwrap_or(0);
    let mut word = &before[start..];
    let first = before.split_whitespace().next().unwrap_or("");
    // Which argument the word is (1: the first after the command).
    let arg_index = before[..start].split_whitespace().count();
    let candidates: Vec<String> = if before[..start].trim().is_empty() {
        TABLE.iter().map(|c| c.name.to_string()).collect()
    } else {
        // The command as the interpreter finds it: `hostn` is `hostnames`.
        let def = TABLE
            .iter()
            .find(|c| c.name == first)
            .or_else(|| command_of(first).map(|(def, _)| def));
        match def.map(|d| d.args) {
            Some(Args::File) => return Candidates::File,
            Some(args @ (Args::Assoc | Args::AssocAndVars | Args::AssocRange | Args::Vars)) => {
                let ids = match args {
                    Args::Assoc | Args::AssocAndVars => 1,
                    Args::AssocRange => 2,
                    _ => 0,
                };
                if arg_index <= ids {
                    known.assoc_ids.iter().map(u16::to_string).collect()
                } else {
                    // `name[=value][,...]`: the name after the last comma.
                    if let Some(comma) = word.rfind(',') {
                        word = &word[comma + 1..];
                        let at = start + comma + 1;
                        let names = prefixed(&known.var_names, word);
                        return Candidates::Words(at, names);
                    }
                    known.var_names.clone()
                }
            }
            Some(Args::Host) => {
                let mut words: Vec<String> = vec!["-4".into(), "-6".into()];
                for h in known.hosts.iter().rev() {
                    if !words.contains(h) {
                        words.push(h.clone());
                    }
                }
                words
            }
            Some(args) => args.words(),
            None => Vec::new(),
        }
    };
    Candidates::Words(start, prefixed(&candidates, word))
}

fn prefixed(candidates: &[String], word: &str) -> Vec<String> {
    candidates
        .iter()
        .filter(|c| starts_with_ignoring_case(c, word))
        .cloned()
        .collect()
}

/// What a command expects, shown after `command ` until an argument is
/// typed: its arguments as the man page writes them.
pub fn hint(before: &str) -> Option<String> {
    let command = before.strip_suffix(' ')?;
    if command.is_empty() || command.contains(char::is_whitespace) {
        return None;
    }
    let def = TABLE
        .iter()
        .find(|c| c.name == command)
        .or_else(|| command_of(command).map(|(def, _)| def))?;
    let synopsis = def.args.synopsis();
    (!synopsis.is_empty()).then_some(synopsis)
}

/// `SHA256` completes `sha`: key types are case-insensitive, and no two
/// candidates of one kind differ only in case.
fn starts_with_ignoring_case(candidate: &str, prefix: &str) -> bool {
    candidate
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// The host a `host` line switches to (for the hosts used before).
pub fn host_of(line: &str) -> Option<String> {
    let (def, args) = command_of(line)?;
    if def.args != Args::Host {
        return None;
    }
    args.split_whitespace()
        .find(|w| *w != "-4" && *w != "-6")
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Known {
        Known {
            hosts: vec!["ntp1.example".into(), "192.0.2.7".into()],
            assoc_ids: vec![11, 12, 2001],
            var_names: vec![
                "offset".into(),
                "refid".into(),
                "reach".into(),
                "stratum".into(),
            ],
        }
    }

    fn words(before: &str) -> Vec<String> {
        match complete(before, &known()) {
            Candidates::Words(_, w) => w,
            Candidates::File => panic!("{before}: file"),
        }
    }

    #[test]
    fn commands_and_their_words() {
        assert_eq!(
            complete("hostn", &Known::default()),
            Candidates::Words(0, vec!["hostnames".into()])
        );
        assert_eq!(words("hostnames hostn"), ["hostnum", "hostname"]);
        assert_eq!(words("debug m"), ["more"]);
        assert_eq!(words("help mrul"), ["mrulist"]);
        assert!(words("keytype sha").contains(&"SHA256".to_string()));
        assert_eq!(words("authenticate "), ["yes", "no"]);
        assert!(words("peers ").is_empty());
        // Spaces before the command are not an argument.
        assert_eq!(words("  hostn"), ["hostnames"]);
    }

    #[test]
    fn abbreviated_commands_complete_their_arguments() {
        assert_eq!(words("hostn hostn"), ["hostnum", "hostname"]);
        assert_eq!(words("mrul sort=-c"), ["sort=-count"]);
        assert_eq!(words("deb l"), ["less"]);
    }

    #[test]
    fn mrulist_tags_and_sort_keys() {
        assert_eq!(words("mrulist sort=-c"), ["sort=-count"]);
        assert_eq!(
            words("mrulist mincount=3 sort=a"),
            ["sort=avgint", "sort=addr"]
        );
        assert_eq!(
            words("mrulist min"),
            ["mincount=", "mindrop=", "minscore=", "minlstint="]
        );
        assert_eq!(words("mrulist sta"), ["stats"]);
        let all = words("mrulist ");
        for key in ntp_control::mru::SortKey::NAMES {
            assert!(all.contains(&format!("sort={key}")), "{key}");
        }
    }

    #[test]
    fn association_ids_and_variable_names() {
        assert_eq!(words("rv "), ["11", "12", "2001"]);
        assert_eq!(words("pstats 1"), ["11", "12"]);
        assert_eq!(words("rv 0 r"), ["refid", "reach"]);
        assert_eq!(words("mrv 11 12 st"), ["stratum"]);
        assert_eq!(words("mrv 11 "), ["11", "12", "2001"]);
        assert_eq!(words("addvars off"), ["offset"]);
        // After a comma: the next name, replacing only what follows it.
        assert_eq!(
            complete("rv 0 stratum,re", &known()),
            Candidates::Words(13, vec!["refid".into(), "reach".into()])
        );
    }

    #[test]
    fn hints_show_what_a_command_expects() {
        assert_eq!(
            hint("hostnames ").as_deref(),
            Some("[yes|no|hostnum|hostname]")
        );
        assert!(hint("mrul ").is_some_and(|h| h.contains("sort=key")));
        assert_eq!(hint("peers "), None);
        assert_eq!(hint("hostnames"), None);
        assert_eq!(hint("hostnames y"), None);
    }

    #[test]
    fn files_and_hosts() {
        let none = Known::default();
        assert_eq!(
            complete("config-from-file /etc/nt", &none),
            Candidates::File
        );
        assert_eq!(complete("logfile ", &none), Candidates::File);
        assert_eq!(complete("config-f ./x", &none), Candidates::File);
        // Most recent first.
        assert_eq!(words("host "), ["-4", "-6", "192.0.2.7", "ntp1.example"]);
        assert_eq!(words("host -6 nt"), ["ntp1.example"]);
        assert_eq!(
            host_of("host -4 ntp2.example").as_deref(),
            Some("ntp2.example")
        );
        assert_eq!(host_of("host 192.0.2.9").as_deref(), Some("192.0.2.9"));
        assert_eq!(host_of("ho 192.0.2.9"), None); // ambiguous
        assert_eq!(host_of("hostnames yes"), None);
        assert_eq!(host_of("host"), None);
    }
}
