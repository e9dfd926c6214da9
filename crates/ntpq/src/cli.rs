//! The command line: NTPsec's options, defined once with clap (which also
//! feeds `--help`, the man page and the completions), with the reference's
//! getopt-style error texts.

use clap::{Arg, ArgAction, ArgMatches, Command};

/// The usage text the reference prints (to stderr) for `-h` and errors.
pub const USAGE: &str = "
USAGE: ntpq [-46dphinOV] [-c str] [-D lvl] [host ...]
  Flg Arg Option-Name    Description
   -4 no  ipv4            Force IPv4 DNS name resolution
                                - prohibits the option 'ipv6'
   -6 no  ipv6            Force IPv6 DNS name resolution
                                - prohibits the option 'ipv4'
   -a Num authentication  Enable authentication with the numbered key
   -c Str command         Run a command and exit
                                - may appear multiple times
   -d no  debug-level     Increase output debug message level
                                - may appear multiple times
   -l Str logfile         Logs debug messages to the provided filename
   -D Int set-debug-level Set the output debug message level
                                - may appear multiple times
   -h no  help            Print a usage message.
   -p no  peers           Print a list of the peers
   -n no  numeric         Numeric host addresses
   -k Str keyfile         Specify a keyfile. ntpq will look in this file
                          for the key specified with -a
   -V opt version         Output version information and exit
   -w no  wide            Enable wide display of addresses / hosts
                          on a separate line
   -W Num width           Force output width to this value instead of
                          querying the terminal size
   -u no  units           Display time with units.
";

/// Address family requested for host lookups.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Family {
    #[default]
    Any,
    V4,
    V6,
}

/// What the command line asks for, in the reference's terms.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub family: Family,
    pub keyid: Option<u32>,
    /// `-c` and `-p` in command-line order.
    pub commands: Vec<String>,
    pub debug: u32,
    pub keyfile: Option<String>,
    pub logfile: Option<String>,
    /// 1.2.2 hostnames mode: 0 numeric, 1 names, 2 srchost+numbers, 3 srchost+names.
    pub hostnames: u8,
    pub wide: bool,
    pub width: Option<i64>,
    pub units: bool,
    /// Hosts with the family in force where each was named.
    pub hosts: Vec<(String, Family)>,
}

/// How parsing ended when it did not produce options.
#[derive(Debug, PartialEq, Eq)]
pub enum Exit {
    /// Print to stdout, exit 0 (`-V`).
    Stdout(String),
    /// Print to stderr, exit 0 (`-h`).
    Help,
    /// Print to stderr, exit 2 (a usage error; the reference exits 1).
    Usage(String),
}

/// The clap definition: the single source for parsing, `--help`, man page
/// and completions.
pub fn command() -> Command {
    let flag = |id: &'static str, short: char, long: &'static str, help: &'static str| {
        Arg::new(id)
            .short(short)
            .long(long)
            .help(help)
            .action(ArgAction::Count)
    };
    let value = |id: &'static str,
                 short: char,
                 long: &'static str,
                 name: &'static str,
                 help: &'static str| {
        Arg::new(id)
            .short(short)
            .long(long)
            .value_name(name)
            .help(help)
            .allow_hyphen_values(true)
            .action(ArgAction::Append)
    };
    Command::new("ntpq")
        .about("standard NTP query program (ntpq-rs, compatible with NTPsec ntpq)")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .infer_long_args(true)
        .arg(flag("ipv4", '4', "ipv4", "Force IPv4 DNS name resolution").conflicts_with("ipv6"))
        .arg(flag("ipv6", '6', "ipv6", "Force IPv6 DNS name resolution"))
        .arg(value("authentication", 'a', "authentication", "KEYID", "Enable authentication with the numbered key"))
        .arg(value("command", 'c', "command", "COMMAND", "Run a command and exit (may appear multiple times)"))
        .arg(flag("debug", 'd', "debug", "Increase output debug message level (may appear multiple times)"))
        .arg(value("set-debug-level", 'D', "set-debug-level", "LEVEL", "Set the output debug message level"))
        .arg(flag("help", 'h', "help", "Print a usage message"))
        .arg(value("keyfile", 'k', "keyfile", "FILE", "Key file holding the key given with -a"))
        .arg(value("logfile", 'l', "logfile", "FILE", "Log debug messages to FILE"))
        .arg(flag("numeric", 'n', "numeric", "Numeric host addresses"))
        .arg(flag("peers", 'p', "peers", "Print a list of the peers (like -c peers)"))
        .arg(flag("srcname", 's', "srcname", "Prefer the names ntpd was configured with, then reverse DNS"))
        .arg(flag("srcnumber", 'S', "srcnumber", "Prefer the names ntpd was configured with, else numbers"))
        .arg(flag("version", 'V', "version", "Output version information and exit"))
        .arg(flag("wide", 'w', "wide", "Print long remote names on a line of their own"))
        .arg(value("width", 'W', "width", "COLUMNS", "Force the output width of the peers tables"))
        .arg(flag("units", 'u', "units", "Display times with units"))
        .arg(
            Arg::new("hosts")
                .value_name("HOST")
                .help("Servers to query: name, address, host:port or [IPv6]:port (default localhost); -4/-6 before a host set its family")
                .num_args(0..)
                .trailing_var_arg(true)
                .action(ArgAction::Append),
        )
}

/// Parses `args` (without the program name).
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Options, Exit> {
    let argv: Vec<String> = std::iter::once("ntpq".to_string()).chain(args).collect();
    let m = command().try_get_matches_from(&argv).map_err(clap_error)?;
    options_from(&m)
}

/// Turns clap's errors into the reference's getopt messages.
fn clap_error(e: clap::Error) -> Exit {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let arg = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => s.split_whitespace().next().unwrap_or("").to_string(),
        _ => String::new(),
    };
    let msg = match e.kind() {
        ErrorKind::InvalidValue | ErrorKind::NoEquals => format!("option {arg} requires argument"),
        ErrorKind::ArgumentConflict => "option -4 prohibits the option 'ipv6'".to_string(),
        _ => format!("option {arg} not recognized"),
    };
    Exit::Usage(format!("{msg}\n{USAGE}"))
}

fn number(m: &ArgMatches, id: &str, flag: char) -> Result<Option<i64>, Exit> {
    match m.get_many::<String>(id).and_then(|mut v| v.next_back()) {
        None => Ok(None),
        Some(v) => v.trim().parse::<i64>().map(Some).map_err(|_| {
            Exit::Usage(format!(
                "Error: -{flag} parameter '{v}' not a number\n{USAGE}"
            ))
        }),
    }
}

fn options_from(m: &ArgMatches) -> Result<Options, Exit> {
    // -h and -V act in option order in the reference; help wins when both
    // are given first, which is close enough for a usage question.
    if m.get_count("help") > 0 {
        return Err(Exit::Help);
    }
    if m.get_count("version") > 0 {
        return Err(Exit::Stdout(format!("ntpq {}\n", crate::VERSION_TEXT)));
    }
    let mut o = Options {
        family: if m.get_count("ipv6") > 0 {
            Family::V6
        } else if m.get_count("ipv4") > 0 {
            Family::V4
        } else {
            Family::Any
        },
        ..Options::default()
    };
    if let Some(k) = number(m, "authentication", 'a')? {
        o.keyid = Some(k.clamp(0, u32::MAX as i64) as u32);
    }
    o.debug = m.get_count("debug") as u32;
    if let Some(d) = number(m, "set-debug-level", 'D')? {
        o.debug = d.clamp(0, 99) as u32;
    }
    o.width = number(m, "width", 'W')?;
    o.keyfile = m
        .get_many::<String>("keyfile")
        .and_then(|mut v| v.next_back().cloned());
    o.logfile = m
        .get_many::<String>("logfile")
        .and_then(|mut v| v.next_back().cloned());
    o.wide = m.get_count("wide") > 0;
    o.units = m.get_count("units") > 0;
    o.hostnames = 1;
    // The last of -n/-s/-S wins, as in the reference's option loop.
    let given = |id: &str| m.value_source(id) == Some(clap::parser::ValueSource::CommandLine);
    let last = |id: &str| {
        if given(id) {
            m.indices_of(id).and_then(|i| i.max())
        } else {
            None
        }
    };
    let mut modes = [
        (last("numeric"), 0u8),
        (last("srcname"), 3),
        (last("srcnumber"), 2),
    ];
    modes.sort_by_key(|(i, _)| *i);
    if let Some((Some(_), mode)) = modes.last() {
        o.hostnames = *mode;
    }
    // -c and -p queue commands in their command-line order.
    let mut queued: Vec<(usize, String)> = Vec::new();
    if let (Some(idx), Some(vals)) = (m.indices_of("command"), m.get_many::<String>("command")) {
        queued.extend(idx.zip(vals.cloned()));
    }
    if let (true, Some(idx)) = (given("peers"), m.indices_of("peers")) {
        queued.extend(idx.map(|i| (i, "peers".to_string())));
    }
    queued.sort_by_key(|(i, _)| *i);
    o.commands = queued.into_iter().map(|(_, c)| c).collect();
    // Hosts; `-4`/`-6` among them set the family of the following hosts
    // (the reference skips hosts here; ntpq-rs does what it documents).
    let mut family = o.family;
    for token in m.get_many::<String>("hosts").into_iter().flatten() {
        if token.starts_with('-') {
            if token.ends_with('4') {
                family = Family::V4;
            } else if token.ends_with('6') {
                family = Family::V6;
            } else {
                return Err(Exit::Usage(
                    "ntpq: unexpected option-like thing.\n".to_string(),
                ));
            }
        } else {
            o.hosts.push((token.clone(), family));
        }
    }
    if o.hosts.is_empty() {
        o.hosts.push(("localhost".to_string(), family));
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Options, Exit> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn commands_keep_command_line_order() {
        let o = p(&["-c", "rv", "-p", "-c", "as", "127.0.0.1"]).unwrap();
        assert_eq!(o.commands, ["rv", "peers", "as"]);
        assert_eq!(o.hosts, [("127.0.0.1".to_string(), Family::Any)]);
    }

    #[test]
    fn combined_short_flags() {
        let o = p(&["-pn"]).unwrap();
        assert_eq!(o.commands, ["peers"]);
        assert_eq!(o.hostnames, 0);
        assert_eq!(o.hosts[0].0, "localhost");
        let o = p(&["-crv", "-W", "100", "h"]).unwrap();
        assert_eq!(o.commands, ["rv"]);
        assert_eq!(o.width, Some(100));
    }

    #[test]
    fn options_stop_at_first_host() {
        let o = p(&["h1", "h2"]).unwrap();
        assert_eq!(o.hosts.len(), 2);
        assert!(
            matches!(p(&["h1", "-c"]), Err(Exit::Usage(m)) if m == "ntpq: unexpected option-like thing.\n")
        );
    }

    #[test]
    fn family_qualifiers_among_hosts() {
        let o = p(&["-c", "rv", "a", "-6", "b"]).unwrap();
        assert_eq!(
            o.hosts,
            [
                ("a".to_string(), Family::Any),
                ("b".to_string(), Family::V6)
            ]
        );
    }

    #[test]
    fn reference_error_texts() {
        match p(&["-x"]) {
            Err(Exit::Usage(m)) => assert!(
                m.starts_with("option -x not recognized\n\nUSAGE: ntpq"),
                "{m}"
            ),
            other => panic!("{other:?}"),
        }
        match p(&["-a", "x"]) {
            Err(Exit::Usage(m)) => assert!(
                m.starts_with("Error: -a parameter 'x' not a number\n"),
                "{m}"
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            p(&["-V"]).unwrap_err(),
            Exit::Stdout("ntpq ntpsec-1.2.2\n".into())
        );
        assert_eq!(p(&["-h"]).unwrap_err(), Exit::Help);
    }

    #[test]
    fn command_value_may_start_with_dash() {
        let o = p(&["-c", "-p"]).unwrap();
        assert_eq!(o.commands, ["-p"]);
    }
}
