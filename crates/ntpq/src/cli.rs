//! The command line: NTPsec's options, defined once with clap (which also
//! feeds `--help`, the man page and the completions), with the reference's
//! getopt-style error texts.

use clap::{Arg, ArgAction, Command};

pub use crate::output_mode::OutputMode;
use crate::pyint::py_int;
pub use crate::resolve::Family;

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

/// What the command line asks for, in the reference's terms.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub family: Family,
    pub keyid: Option<i64>,
    /// `-c` and `-p` in command-line order.
    pub commands: Vec<String>,
    /// May be negative (`-D -1`), as in the reference.
    pub debug: i64,
    pub keyfile: Option<String>,
    /// The `-k` file as the program read it, once (every host's
    /// interpreter gets a copy); None until then.
    pub keys: Option<ntp_auth::KeyFile>,
    pub logfile: Option<String>,
    /// 1.2.2 hostnames mode: 0 numeric, 1 names, 2 srchost+numbers, 3 srchost+names.
    pub hostnames: u8,
    pub wide: bool,
    pub width: Option<i64>,
    pub units: bool,
    /// Hosts with the family in force where each was named.
    pub hosts: Vec<(String, Family)>,
    /// `--json`, `--format` (ntpq-rs's own).
    pub output_mode: OutputMode,
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

/// The options' ids: the clap definition and [`parse`] name them through
/// these constants only, so a renamed id cannot fall through unnoticed.
pub mod opt {
    pub const IPV4: &str = "ipv4";
    pub const IPV6: &str = "ipv6";
    pub const AUTHENTICATION: &str = "authentication";
    pub const COMMAND: &str = "command";
    pub const DEBUG: &str = "debug";
    pub const SET_DEBUG_LEVEL: &str = "set-debug-level";
    pub const HELP: &str = "help";
    pub const KEYFILE: &str = "keyfile";
    pub const LOGFILE: &str = "logfile";
    pub const NUMERIC: &str = "numeric";
    pub const PEERS: &str = "peers";
    pub const SRCNAME: &str = "srcname";
    pub const SRCNUMBER: &str = "srcnumber";
    pub const VERSION: &str = "version";
    pub const WIDE: &str = "wide";
    pub const WIDTH: &str = "width";
    pub const UNITS: &str = "units";
    pub const JSON: &str = "json";
    pub const FORMAT: &str = "format";
    /// The positional host operands.
    pub const HOSTS: &str = "hosts";
    /// Every option id, for the check that each is handled.
    pub const ALL: &[&str] = &[
        IPV4,
        IPV6,
        AUTHENTICATION,
        COMMAND,
        DEBUG,
        SET_DEBUG_LEVEL,
        HELP,
        KEYFILE,
        LOGFILE,
        NUMERIC,
        PEERS,
        SRCNAME,
        SRCNUMBER,
        VERSION,
        WIDE,
        WIDTH,
        UNITS,
        JSON,
        FORMAT,
    ];
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
        .arg(flag(opt::IPV4, '4', "ipv4", "Force IPv4 DNS name resolution"))
        .arg(flag(opt::IPV6, '6', "ipv6", "Force IPv6 DNS name resolution"))
        .arg(value(opt::AUTHENTICATION, 'a', "authentication", "KEYID", "Enable authentication with the numbered key"))
        .arg(value(opt::COMMAND, 'c', "command", "COMMAND", "Run a command and exit (may appear multiple times)"))
        .arg(flag(opt::DEBUG, 'd', "debug", "Increase output debug message level (may appear multiple times)"))
        .arg(value(opt::SET_DEBUG_LEVEL, 'D', "set-debug-level", "LEVEL", "Set the output debug message level"))
        .arg(flag(opt::HELP, 'h', "help", "Print a usage message"))
        .arg(value(opt::KEYFILE, 'k', "keyfile", "FILE", "Key file holding the key given with -a"))
        .arg(value(opt::LOGFILE, 'l', "logfile", "FILE", "Log debug messages to FILE"))
        .arg(flag(opt::NUMERIC, 'n', "numeric", "Numeric host addresses"))
        .arg(flag(opt::PEERS, 'p', "peers", "Print a list of the peers (like -c peers)"))
        .arg(flag(opt::SRCNAME, 's', "srcname", "Prefer the names ntpd was configured with, then reverse DNS"))
        .arg(flag(opt::SRCNUMBER, 'S', "srcnumber", "Prefer the names ntpd was configured with, else numbers"))
        .arg(flag(opt::VERSION, 'V', "version", "Output version information and exit"))
        .arg(flag(opt::WIDE, 'w', "wide", "Print long remote names on a line of their own"))
        .arg(value(opt::WIDTH, 'W', "width", "COLUMNS", "Force the output width of the peers tables"))
        .arg(flag(opt::UNITS, 'u', "units", "Display times with units"))
        .arg(
            Arg::new(opt::JSON)
                .long("json")
                .help("JSON Lines output, one object per line (same as --format json; schema in docs/json.md)")
                .action(ArgAction::Count),
        )
        .arg(
            Arg::new(opt::FORMAT)
                .long("format")
                .value_name("FORMAT")
                .value_parser(clap::builder::PossibleValuesParser::new(OutputMode::WORDS))
                .help("Output format: classic (NTPsec ntpq's text, the default), json (JSON Lines) or table")
                .action(ArgAction::Append),
        )
        .arg(
            Arg::new(opt::HOSTS)
                .value_name("HOST")
                .help("Servers to query: name, address, host:port or [IPv6]:port (default localhost); -4/-6 before a host set its family")
                .num_args(0..)
                .trailing_var_arg(true)
                .action(ArgAction::Append),
        )
}

/// Parses `args` (without the program name) the way the reference does:
/// Python's non-GNU `getopt` over the options of [`command`], then the
/// options applied in command-line order (so `-h`, `-V` and a bad number
/// act where they appear).
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Options, Exit> {
    let args: Vec<String> = args.into_iter().collect();
    let (given, operands) =
        getopt(&command(), &args).map_err(|msg| Exit::Usage(format!("{msg}\n{USAGE}")))?;
    options_from(given, operands)
}

/// One option as given: its clap id and its value, if it takes one.
type Given = (String, Option<String>);

/// Python `getopt.getopt`: options end at the first operand, `-` or `--`;
/// long options may be abbreviated to a unique prefix. Errors carry
/// getopt's messages.
fn getopt(cmd: &Command, args: &[String]) -> Result<(Vec<Given>, Vec<String>), String> {
    // (id, short, long, takes a value)
    let table: Vec<(String, Option<char>, Option<&str>, bool)> = cmd
        .get_arguments()
        .filter(|a| !a.is_positional())
        .map(|a| {
            let takes = a.get_action().takes_values();
            (a.get_id().to_string(), a.get_short(), a.get_long(), takes)
        })
        .collect();
    let mut given = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let candidates: Vec<_> = table
                .iter()
                .filter(|o| o.2.is_some_and(|l| l.starts_with(name)))
                .collect();
            let opt = match candidates.iter().find(|o| o.2 == Some(name)) {
                Some(exact) => *exact,
                None => match candidates.as_slice() {
                    [one] => *one,
                    [] => return Err(format!("option --{name} not recognized")),
                    _ => return Err(format!("option --{name} not a unique prefix")),
                },
            };
            let full = opt.2.unwrap_or(name);
            let value = match (opt.3, inline) {
                (true, Some(v)) => Some(v),
                (true, None) => match args.get(i) {
                    Some(v) => {
                        i += 1;
                        Some(v.clone())
                    }
                    None => return Err(format!("option --{full} requires argument")),
                },
                (false, Some(_)) => {
                    return Err(format!("option --{full} must not have an argument"))
                }
                (false, None) => None,
            };
            given.push((opt.0.clone(), value));
            continue;
        }
        let Some(shorts) = arg.strip_prefix('-').filter(|s| !s.is_empty()) else {
            // The first operand ends the options (`-` is an operand too).
            i -= 1;
            break;
        };
        for (pos, c) in shorts.char_indices() {
            let Some(opt) = table.iter().find(|o| o.1 == Some(c)) else {
                return Err(format!("option -{c} not recognized"));
            };
            if !opt.3 {
                given.push((opt.0.clone(), None));
                continue;
            }
            // The rest of this argument, or else the next one, is the value.
            let rest = &shorts[pos + c.len_utf8()..];
            let value = if !rest.is_empty() {
                rest.to_string()
            } else if let Some(v) = args.get(i) {
                i += 1;
                v.clone()
            } else {
                return Err(format!("option -{c} requires argument"));
            };
            given.push((opt.0.clone(), Some(value)));
            break;
        }
    }
    Ok((given, args[i.min(args.len())..].to_vec()))
}

/// A numeric option value as Python's `int()` reads it.
fn number(value: &str, flag: char) -> Result<i64, Exit> {
    py_int(value).ok_or_else(|| {
        Exit::Usage(format!(
            "Error: -{flag} parameter '{value}' not a number\n{USAGE}"
        ))
    })
}

/// An option [`command`] defines but [`options_from`] does not handle: a
/// programming error the `every_option_is_handled` test catches.
fn unreachable_option(id: &str) {
    debug_assert!(false, "option {id} is not handled");
}

fn options_from(given: Vec<Given>, operands: Vec<String>) -> Result<Options, Exit> {
    let mut o = Options {
        hostnames: 1,
        ..Options::default()
    };
    for (id, value) in given {
        let value = value.unwrap_or_default();
        match id.as_str() {
            opt::IPV4 => o.family = Family::V4,
            opt::IPV6 => o.family = Family::V6,
            opt::AUTHENTICATION => o.keyid = Some(number(&value, 'a')?),
            opt::COMMAND => o.commands.push(value),
            opt::DEBUG => o.debug += 1,
            opt::SET_DEBUG_LEVEL => o.debug = number(&value, 'D')?,
            opt::HELP => return Err(Exit::Help),
            opt::NUMERIC => o.hostnames = 0,
            opt::PEERS => o.commands.push("peers".to_string()),
            opt::KEYFILE => o.keyfile = Some(value),
            opt::SRCNAME => o.hostnames = 3,
            opt::SRCNUMBER => o.hostnames = 2,
            opt::VERSION => return Err(Exit::Stdout(format!("ntpq {}\n", crate::VERSION_TEXT))),
            opt::WIDE => o.wide = true,
            opt::WIDTH => o.width = Some(number(&value, 'W')?),
            opt::UNITS => o.units = true,
            opt::LOGFILE => o.logfile = Some(value),
            opt::JSON => o.output_mode = OutputMode::Json,
            opt::FORMAT => {
                o.output_mode = OutputMode::parse(&value).ok_or_else(|| {
                    Exit::Usage(format!(
                        "option --format: '{value}' is not one of {}\n{USAGE}",
                        OutputMode::WORDS.join(", ")
                    ))
                })?
            }
            other => unreachable_option(other),
        }
    }
    // Hosts; `-4`/`-6` among them set the family of the following hosts
    // (the reference skips hosts here; ntpq-rs does what it documents).
    let mut family = o.family;
    for token in operands {
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
            o.hosts.push((token, family));
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
    fn getopt_long_options_and_messages() {
        let o = p(&["--num", "--com=rv", "--command", "as", "--width=90", "h"]).unwrap();
        assert_eq!(o.hostnames, 0);
        assert_eq!(o.commands, ["rv", "as"]);
        assert_eq!(o.width, Some(90));
        let err = |args: &[&str]| match p(args) {
            Err(Exit::Usage(m)) => m.lines().next().unwrap_or("").to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(err(&["--w"]), "option --w not a unique prefix");
        assert_eq!(err(&["--foo"]), "option --foo not recognized");
        assert_eq!(
            err(&["--num=3"]),
            "option --numeric must not have an argument"
        );
        assert_eq!(err(&["--command"]), "option --command requires argument");
        assert_eq!(err(&["-c"]), "option -c requires argument");
        assert_eq!(err(&["-D", "x"]), "Error: -D parameter 'x' not a number");
    }

    #[test]
    fn every_option_is_handled() {
        let defined: Vec<String> = command()
            .get_arguments()
            .filter(|a| !a.is_positional())
            .map(|a| a.get_id().to_string())
            .collect();
        let mut listed: Vec<String> = opt::ALL.iter().map(|s| s.to_string()).collect();
        let mut sorted = defined.clone();
        sorted.sort();
        listed.sort();
        assert_eq!(sorted, listed);
        // Each one parses without reaching the fall-through.
        for id in defined {
            let arg = command()
                .get_arguments()
                .find(|a| a.get_id() == id.as_str())
                .cloned()
                .unwrap();
            let mut line = vec![format!("--{}", arg.get_long().unwrap())];
            if arg.get_action().takes_values() {
                line.push("1".into());
            }
            let _ = parse(line);
        }
    }

    #[test]
    fn options_act_in_order() {
        assert_eq!(p(&["-h", "-a", "x"]).unwrap_err(), Exit::Help);
        assert!(matches!(p(&["-a", "x", "-h"]), Err(Exit::Usage(_))));
        assert!(matches!(p(&["-V", "-h"]), Err(Exit::Stdout(_))));
        assert_eq!(p(&["-46"]).unwrap().family, Family::V6);
        assert_eq!(p(&["-W", " 1_0 "]).unwrap().width, Some(10));
        let o = p(&["-c", "rv", "--", "-4", "h"]).unwrap();
        assert_eq!(o.hosts, [("h".to_string(), Family::V4)]);
    }

    #[test]
    fn output_format_options() {
        assert_eq!(p(&["h"]).unwrap().output_mode, OutputMode::Classic);
        assert_eq!(p(&["--json", "h"]).unwrap().output_mode, OutputMode::Json);
        assert_eq!(p(&["--js", "h"]).unwrap().output_mode, OutputMode::Json);
        assert_eq!(
            p(&["--format", "table", "h"]).unwrap().output_mode,
            OutputMode::Table
        );
        assert_eq!(
            p(&["--json", "--format=classic"]).unwrap().output_mode,
            OutputMode::Classic
        );
        match p(&["--format", "yaml"]) {
            Err(Exit::Usage(m)) => assert!(
                m.starts_with("option --format: 'yaml' is not one of classic, json, table\n"),
                "{m}"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn command_value_may_start_with_dash() {
        let o = p(&["-c", "-p"]).unwrap();
        assert_eq!(o.commands, ["-p"]);
    }
}
