//! **The command table** (`TABLE`): one entry per interactive command with
//! everything about it — name, the name the parser sees, help text, usage
//! message, argument kinds and handler. Dispatch and prefix matching,
//! `help`, REPL completion, the man page and the shell completions all
//! read it; adding a command means adding one entry here (and its handler).

pub mod assoc;
pub mod auth_cmds;
pub mod help;
mod help_texts;
pub mod json_quiet;
pub mod mrulist;
pub mod params;
pub mod peers;
pub mod settings;
pub mod summary;
pub mod vars;

use ntp_control::mru::options::{CLIENT_WORDS, FILTERS, FOLLOW_TAGS};
use ntp_control::mru::SortKey;

use crate::context::Context;
use crate::error::CmdResult;
use crate::output_mode::OutputMode;
use help::Topic;
use help_texts as text;

/// A command's handler: the context and the rest of the line.
pub type Handler = fn(&mut Context<'_>, &str) -> CmdResult;

/// What a command's arguments are. REPL completion, the shell
/// completions and the man page's synopsis read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Args {
    None,
    /// One of these words.
    Words(&'static [&'static str]),
    /// One of these words, or a number.
    WordsOrNumber(&'static [&'static str]),
    /// `mrulist`: any of the filter tags (`tag=value`, `kod`, `limited`),
    /// `sort=` one of the sort keys, and ntpq-rs's own words.
    MruTags,
    /// An association id (or `&index`).
    Assoc,
    /// An association id, then variable names.
    AssocAndVars,
    /// Two association ids, then variable names.
    AssocRange,
    /// Variable names (`name[=value][,...]`).
    Vars,
    Number,
    File,
    Host,
    /// Free text (a configuration line).
    Text,
    /// A command name.
    Command,
    /// A key type (the names ntp-auth computes MACs for).
    KeyType,
}

/// The `mrulist` tags that take no value.
const MRU_FLAGS: &[&str] = &["kod", "limited"];

impl Args {
    /// The arguments as the man page shows them.
    pub fn synopsis(&self) -> String {
        match self {
            Args::None => String::new(),
            Args::Words(w) => format!("[{}]", w.join("|")),
            Args::WordsOrNumber(w) => format!("[{}|number]", w.join("|")),
            Args::MruTags => {
                "[tag=value ...] [sort=key] [direct] [stats] [follow [interval=s] [duration=s]]"
                    .into()
            }
            Args::Assoc => "[assocID]".into(),
            Args::AssocAndVars => "[assocID] [name[=value][,...]]".into(),
            Args::AssocRange => "assocIDlow assocIDhigh [name[=value][,...]]".into(),
            Args::Vars => "name[=value][,...]".into(),
            Args::Number => "[number]".into(),
            Args::File => "file".into(),
            Args::Host => "[-4|-6] [host]".into(),
            Args::Text => "configuration-line".into(),
            Args::Command => "[command]".into(),
            Args::KeyType => "[MD5|SHA1|AES|...]".into(),
        }
    }

    /// Words that complete an argument (empty: nothing to offer; files
    /// and hosts are the shell's to complete).
    pub fn words(&self) -> Vec<String> {
        match self {
            Args::Words(w) | Args::WordsOrNumber(w) => w.iter().map(|s| s.to_string()).collect(),
            Args::MruTags => {
                let mut words: Vec<String> = FILTERS
                    .iter()
                    .filter(|t| **t != "sort")
                    .map(|t| {
                        if MRU_FLAGS.contains(t) {
                            t.to_string()
                        } else {
                            format!("{t}=")
                        }
                    })
                    .collect();
                words.extend(SortKey::NAMES.iter().map(|k| format!("sort={k}")));
                words.extend(CLIENT_WORDS.iter().map(|w| w.to_string()));
                words.extend(FOLLOW_TAGS.iter().map(|t| format!("{t}=")));
                words
            }
            Args::Command => TABLE.iter().map(|c| c.name.to_string()).collect(),
            Args::KeyType => ntp_auth::KeyType::ALL
                .iter()
                .map(|k| k.name().to_string())
                .collect(),
            _ => Vec::new(),
        }
    }
}

pub struct CommandDef {
    /// The name `help` lists and users type.
    pub name: &'static str,
    /// The name the reference's parser sees (`:config` is `hot_config`):
    /// prefixes match it and `help` topics are named by it.
    pub parsed_as: &'static str,
    /// `help <command>`'s text.
    pub help: &'static str,
    /// Whether a prefix finds the help topic (not for `EOF`, `logfile`).
    pub help_by_prefix: bool,
    /// The message for wrong arguments (the handler returns `CmdError::Usage`).
    pub usage: Option<&'static str>,
    pub args: Args,
    pub run: Handler,
    /// Only reads from the server and prints: it changes nothing the next
    /// host of a run would see (settings, caches, credentials), so hosts
    /// running only such commands may be queried at once.
    pub reads_only: bool,
    /// Sets a setting to the value given (`timeout 500`, `raw`): run again
    /// from any state it leaves the same state and prints the same.
    pub absolute_setting: bool,
}

const fn cmd(name: &'static str, run: Handler, args: Args, help: &'static str) -> CommandDef {
    CommandDef {
        name,
        parsed_as: name,
        help,
        help_by_prefix: true,
        usage: None,
        args,
        run,
        reads_only: false,
        absolute_setting: false,
    }
}

impl CommandDef {
    const fn usage(mut self, text: &'static str) -> CommandDef {
        self.usage = Some(text);
        self
    }
    const fn parsed_as(mut self, name: &'static str) -> CommandDef {
        self.parsed_as = name;
        self
    }
    const fn reads_only(mut self) -> CommandDef {
        self.reads_only = true;
        self
    }
    const fn absolute_setting(mut self) -> CommandDef {
        self.absolute_setting = true;
        self
    }
    const fn exact_help(mut self) -> CommandDef {
        self.help_by_prefix = false;
        self
    }
}

use settings::{DEBUG_WORDS, HOSTNAMES_WORDS, YES_NO};

/// Every command of NTPsec ntpq 1.2.2, in `help` order.
#[rustfmt::skip]
pub static TABLE: &[CommandDef] = &[
    cmd(":config", auth_cmds::hot_config, Args::Text, text::HOT_CONFIG).parsed_as("hot_config"),
    cmd("EOF", settings::eof, Args::None, text::EOF).exact_help(),
    cmd("addvars", vars::addvars, Args::Vars, text::ADDVARS)
        .usage("usage: addvars name[=value][,...]\n"),
    cmd("apeers", peers::apeers, Args::None, text::APEERS).reads_only(),
    cmd("associations", assoc::associations, Args::None, text::ASSOCIATIONS).reads_only(),
    cmd("authenticate", settings::authenticate, Args::Words(YES_NO), text::AUTHENTICATE),
    cmd("authinfo", summary::authinfo, Args::None, text::AUTHINFO).reads_only(),
    cmd("cl", vars::clocklist, Args::Assoc, text::CL).reads_only(),
    cmd("clearvars", vars::clearvars, Args::None, text::CLEARVARS),
    cmd("clocklist", vars::clocklist, Args::Assoc, text::CLOCKLIST).reads_only(),
    cmd("clockvar", vars::clockvar, Args::AssocAndVars, text::CLOCKVAR).reads_only(),
    cmd("config-from-file", auth_cmds::config_from_file, Args::File, text::CONFIG_FROM_FILE)
        .parsed_as("config_from_file"),
    cmd("cooked", settings::cooked, Args::None, text::COOKED).absolute_setting(),
    cmd("cv", vars::clockvar, Args::AssocAndVars, text::CV).reads_only(),
    cmd("debug", settings::debug, Args::WordsOrNumber(DEBUG_WORDS), text::DEBUG),
    cmd("delay", settings::delay, Args::Number, text::DELAY).absolute_setting(),
    cmd("direct", settings::direct, Args::None, text::DIRECT),
    cmd("doflake", settings::doflake, Args::Number, text::DOFLAKE),
    cmd("exit", settings::quit, Args::None, text::EXIT),
    // ntpq-rs's own: classic, json or table output.
    cmd("format", settings::format, Args::Words(OutputMode::WORDS), text::FORMAT).absolute_setting(),
    cmd("help", help_command, Args::Command, text::HELP).reads_only(),
    cmd("host", settings::host, Args::Host, text::HOST),
    cmd("hostnames", settings::hostnames, Args::Words(&HOSTNAMES_WORDS), text::HOSTNAMES).absolute_setting(),
    cmd("ifstats", auth_cmds::ifstats, Args::None, text::IFSTATS),
    cmd("iostats", summary::iostats, Args::None, text::IOSTATS).reads_only(),
    cmd("kerninfo", summary::kerninfo, Args::None, text::KERNINFO).reads_only(),
    cmd("keyid", settings::keyid, Args::Number, text::KEYID),
    cmd("keytype", settings::keytype, Args::KeyType, text::KEYTYPE),
    cmd("lassociations", assoc::associations, Args::None, text::LASSOCIATIONS).reads_only(),
    cmd("logfile", settings::logfile, Args::File, text::LOGFILE).exact_help(),
    cmd("lopeers", peers::opeers, Args::None, text::LOPEERS).reads_only(),
    cmd("lpassociations", assoc::passociations, Args::None, text::LPASSOCIATIONS),
    cmd("lpeers", peers::peers, Args::None, text::LPEERS).reads_only(),
    cmd("monstats", summary::monstats, Args::None, text::MONSTATS).reads_only(),
    cmd("mreadlist", vars::mreadlist, Args::AssocRange, text::MREADLIST)
        .usage("usage: mreadlist assocIDlow assocIDhigh\n").reads_only(),
    cmd("mreadvar", vars::mreadvar, Args::AssocRange, text::MREADVAR)
        .usage("usage: mreadvar assocIDlow assocIDhigh  [ name=value[,...] ]").reads_only(),
    cmd("mrl", vars::mreadlist, Args::AssocRange, text::MRL)
        .usage("usage: mrl assocIDlow assocIDhigh").reads_only(),
    cmd("mrulist", mrulist::mrulist, Args::MruTags, text::MRULIST).reads_only(),
    cmd("mrv", vars::mreadvar, Args::AssocRange, text::MRV)
        .usage("usage: mrv assocIDlow assocIDhigh [name=value[,...]]").reads_only(),
    // NTPsec 1.2.3+ (not in 1.2.2's list).
    cmd("mssntpinfo", summary::mssntpinfo, Args::None, text::MSSNTPINFO).reads_only(),
    cmd("noflake", settings::noflake, Args::None, text::NOFLAKE),
    cmd("ntpversion", settings::ntpversion, Args::Number, text::NTPVERSION).absolute_setting(),
    cmd("ntsinfo", summary::ntsinfo, Args::None, text::NTSINFO).reads_only(),
    cmd("opeers", peers::opeers, Args::None, text::OPEERS).reads_only(),
    cmd("passociations", assoc::passociations, Args::None, text::PASSOCIATIONS),
    cmd("passwd", auth_cmds::passwd, Args::None, text::PASSWD),
    cmd("peers", peers::peers, Args::None, text::PEERS).reads_only(),
    cmd("poll", settings::poll, Args::Number, text::POLL),
    cmd("pstats", summary::pstats, Args::Assoc, text::PSTATS).usage("usage: pstats assocID").reads_only(),
    cmd("quit", settings::quit, Args::None, text::QUIT),
    cmd("raw", settings::raw, Args::None, text::RAW).absolute_setting(),
    cmd("readlist", vars::readlist, Args::Assoc, text::READLIST).reads_only(),
    cmd("readvar", vars::readvar, Args::AssocAndVars, text::READVAR).reads_only(),
    cmd("reslist", auth_cmds::reslist, Args::None, text::RESLIST),
    cmd("rl", vars::readlist, Args::Assoc, text::RL).reads_only(),
    cmd("rmvars", vars::rmvars, Args::Vars, text::RMVARS).usage("usage: rmvars name[,...]\n"),
    cmd("rpeers", peers::rpeers, Args::None, text::RPEERS).reads_only(),
    cmd("rv", vars::readvar, Args::AssocAndVars, text::RV).reads_only(),
    cmd("showvars", vars::showvars, Args::None, text::SHOWVARS).reads_only(),
    cmd("sysinfo", summary::sysinfo, Args::None, text::SYSINFO).reads_only(),
    cmd("sysstats", summary::sysstats, Args::None, text::SYSSTATS).reads_only(),
    cmd("timeout", settings::timeout, Args::Number, text::TIMEOUT).absolute_setting(),
    cmd("timerstats", summary::timerstats, Args::None, text::TIMERSTATS).reads_only(),
    cmd("units", settings::units, Args::None, text::UNITS),
    cmd("version", settings::version, Args::None, text::VERSION).reads_only(),
    cmd("writelist", vars::writelist, Args::Assoc, text::WRITELIST),
    cmd("writevar", vars::writevar, Args::AssocAndVars, text::WRITEVAR),
];

/// Exact match on the parser's name.
pub fn find(word: &str) -> Option<&'static CommandDef> {
    TABLE.iter().find(|c| c.parsed_as == word)
}

/// The help topics, one per command.
pub fn topics() -> Vec<Topic> {
    TABLE
        .iter()
        .map(|c| Topic {
            name: c.parsed_as,
            text: c.help,
            by_prefix: c.help_by_prefix,
        })
        .collect()
}

/// `help` and `help <topic>`.
fn help_command(cx: &mut Context, arg: &str) -> CmdResult {
    if arg.is_empty() {
        let names: Vec<&str> = TABLE.iter().map(|c| c.name).collect();
        cx.out.say(&help::listing(&names));
        return Ok(());
    }
    let text = help::answer(&topics(), arg)?;
    cx.out.say(&text);
    // Where 1.2.2's text does not list the valid values, they follow it.
    let topic = TABLE.iter().find(|c| c.help == text);
    if let Some(block) = topic.and_then(|c| params::help_block(c.args)) {
        cx.out.say(&block);
    }
    Ok(())
}

#[cfg(test)]
mod json_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_auth;
#[cfg(test)]
mod tests_table;
