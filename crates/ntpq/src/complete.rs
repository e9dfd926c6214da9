//! What Tab offers at the prompt, from the command table: command names,
//! then the arguments of the command (also when it was abbreviated) by
//! its argument kind — words (`hostnames`, `debug`, `keytype`, ...),
//! mrulist tags and `sort=` keys, hosts used before, file names.

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

/// Completes the last word of `before` (the line up to the cursor);
/// `hosts` are the hosts used before, most recent last.
pub fn complete(before: &str, hosts: &[String]) -> Candidates {
    let start = before
        .rfind(char::is_whitespace)
        .map(|i| i + 1)
        .unwrap_or(0);
    let word = &before[start..];
    let first = before.split_whitespace().next().unwrap_or("");
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
            Some(Args::Host) => {
                let mut words: Vec<String> = vec!["-4".into(), "-6".into()];
                for h in hosts.iter().rev() {
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
    let found = candidates
        .into_iter()
        .filter(|c| starts_with_ignoring_case(c, word))
        .collect();
    Candidates::Words(start, found)
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

    fn words(before: &str) -> Vec<String> {
        match complete(before, &["ntp1.example".into(), "192.0.2.7".into()]) {
            Candidates::Words(_, w) => w,
            Candidates::File => panic!("{before}: file"),
        }
    }

    #[test]
    fn commands_and_their_words() {
        assert_eq!(
            complete("hostn", &[]),
            Candidates::Words(0, vec!["hostnames".into()])
        );
        assert_eq!(words("hostnames hostn"), ["hostnum", "hostname"]);
        assert_eq!(words("debug m"), ["more"]);
        assert_eq!(words("help mrul"), ["mrulist"]);
        assert!(words("keytype sha").contains(&"SHA256".to_string()));
        assert_eq!(words("authenticate "), ["yes", "no"]);
        assert!(words("rv 0 ").is_empty());
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
        assert_eq!(complete("config-from-file /etc/nt", &[]), Candidates::File);
        assert_eq!(complete("logfile ", &[]), Candidates::File);
        assert_eq!(complete("config-f ./x", &[]), Candidates::File);
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
