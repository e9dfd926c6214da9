//! What the commands without server data print in JSON mode: settings
//! only confirm (nothing on stdout), and the texts for people (`help`,
//! `showvars`) come as one `text` record.

/// Commands whose stdout text is dropped in JSON mode (by parser name).
/// (`format` decides itself: switching back to classic confirms.)
const QUIET: &[&str] = &[
    "EOF",
    "addvars",
    "authenticate",
    "clearvars",
    "cooked",
    "debug",
    "delay",
    "direct",
    "doflake",
    "exit",
    "host",
    "hostnames",
    "keyid",
    "keytype",
    "logfile",
    "noflake",
    "ntpversion",
    "passwd",
    "poll",
    "quit",
    "raw",
    "rmvars",
    "timeout",
    "units",
    "writelist",
    "writevar",
];

/// Commands whose stdout text becomes a `{"type":"text",…}` record.
const AS_TEXT: &[&str] = &["help", "showvars"];

pub fn is_quiet(parsed_as: &str) -> bool {
    QUIET.contains(&parsed_as)
}

pub fn is_text(parsed_as: &str) -> bool {
    AS_TEXT.contains(&parsed_as)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::TABLE;

    #[test]
    fn every_listed_command_exists() {
        for name in QUIET.iter().chain(AS_TEXT) {
            assert!(
                TABLE.iter().any(|d| d.parsed_as == *name),
                "{name} is not a command"
            );
        }
    }
}
