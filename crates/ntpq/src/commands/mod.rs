//! The command table: one entry per interactive command. It drives the
//! REPL's dispatch, `help`, completion and the man page.

pub mod assoc;
pub mod auth_cmds;
pub mod help;
mod help_texts;
pub mod mrulist;
pub mod peers;
pub mod settings;
pub mod summary;
pub mod vars;

use crate::app::App;
use crate::error::CmdResult;

/// What a command's arguments are, for completion and the man page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Args {
    None,
    AssocAndVars,
    Assoc,
    AssocRange,
    Vars,
    Words(&'static [&'static str]),
    Host,
    Number,
    File,
    Text,
    Command,
}

pub struct CommandDef {
    /// The name `help` lists and users type.
    pub name: &'static str,
    pub run: fn(&mut App, &str) -> CmdResult,
    pub args: Args,
}

impl CommandDef {
    /// The name the reference's parser sees (`:config` is `hot_config`).
    pub fn internal_name(&self) -> &'static str {
        match self.name {
            ":config" => "hot_config",
            "config-from-file" => "config_from_file",
            n => n,
        }
    }
}

macro_rules! cmd {
    ($name:literal, $run:expr, $args:expr) => {
        CommandDef {
            name: $name,
            run: $run,
            args: $args,
        }
    };
}

const HOSTNAMES_WORDS: &[&str] = &["yes", "no", "hostnum", "hostname"];
const DEBUG_WORDS: &[&str] = &["more", "less", "no"];
const YES_NO: &[&str] = &["yes", "no"];
const KEYTYPES: &[&str] = &[
    "MD5",
    "SHA1",
    "AES",
    "AES128CMAC",
    "SHA256",
    "SHA384",
    "SHA512",
];
const MRU_TAGS: &[&str] = &[
    "mincount=",
    "mindrop=",
    "minscore=",
    "maxlstint=",
    "minlstint=",
    "laddr=",
    "resall=",
    "resany=",
    "kod",
    "limited",
    "recent=",
    "limit=",
    "frags=",
    "sort=",
    "direct",
];

/// Every command of NTPsec ntpq 1.2.2, in `help` order.
pub static TABLE: &[CommandDef] = &[
    cmd!(":config", auth_cmds::hot_config, Args::Text),
    cmd!("EOF", settings::eof, Args::None),
    cmd!("addvars", vars::addvars, Args::Vars),
    cmd!("apeers", peers::apeers, Args::None),
    cmd!("associations", assoc::associations, Args::None),
    cmd!("authenticate", settings::authenticate, Args::Words(YES_NO)),
    cmd!("authinfo", summary::authinfo, Args::None),
    cmd!("cl", vars::clocklist, Args::Assoc),
    cmd!("clearvars", vars::clearvars, Args::None),
    cmd!("clocklist", vars::clocklist, Args::Assoc),
    cmd!("clockvar", vars::clockvar, Args::AssocAndVars),
    cmd!("config-from-file", auth_cmds::config_from_file, Args::File),
    cmd!("cooked", settings::cooked, Args::None),
    cmd!("cv", vars::clockvar, Args::AssocAndVars),
    cmd!("debug", settings::debug, Args::Words(DEBUG_WORDS)),
    cmd!("delay", settings::delay, Args::Number),
    cmd!("direct", settings::direct, Args::None),
    cmd!("doflake", settings::doflake, Args::Number),
    cmd!("exit", settings::quit, Args::None),
    cmd!("help", help::help, Args::Command),
    cmd!("host", settings::host, Args::Host),
    cmd!(
        "hostnames",
        settings::hostnames,
        Args::Words(HOSTNAMES_WORDS)
    ),
    cmd!("ifstats", auth_cmds::ifstats, Args::None),
    cmd!("iostats", summary::iostats, Args::None),
    cmd!("kerninfo", summary::kerninfo, Args::None),
    cmd!("keyid", settings::keyid, Args::Number),
    cmd!("keytype", settings::keytype, Args::Words(KEYTYPES)),
    cmd!("lassociations", assoc::associations, Args::None),
    cmd!("logfile", settings::logfile, Args::File),
    cmd!("lopeers", peers::opeers, Args::None),
    cmd!("lpassociations", assoc::passociations, Args::None),
    cmd!("lpeers", peers::peers, Args::None),
    cmd!("monstats", summary::monstats, Args::None),
    cmd!("mreadlist", vars::mreadlist, Args::AssocRange),
    cmd!("mreadvar", vars::mreadvar, Args::AssocRange),
    cmd!("mrl", vars::mreadlist, Args::AssocRange),
    cmd!("mrulist", mrulist::mrulist, Args::Words(MRU_TAGS)),
    cmd!("mrv", vars::mreadvar, Args::AssocRange),
    // NTPsec 1.2.3+ (not in 1.2.2's list).
    cmd!("mssntpinfo", summary::mssntpinfo, Args::None),
    cmd!("noflake", settings::noflake, Args::None),
    cmd!("ntpversion", settings::ntpversion, Args::Number),
    cmd!("ntsinfo", summary::ntsinfo, Args::None),
    cmd!("opeers", peers::opeers, Args::None),
    cmd!("passociations", assoc::passociations, Args::None),
    cmd!("passwd", auth_cmds::passwd, Args::None),
    cmd!("peers", peers::peers, Args::None),
    cmd!("poll", settings::poll, Args::Number),
    cmd!("pstats", summary::pstats, Args::Assoc),
    cmd!("quit", settings::quit, Args::None),
    cmd!("raw", settings::raw, Args::None),
    cmd!("readlist", vars::readlist, Args::Assoc),
    cmd!("readvar", vars::readvar, Args::AssocAndVars),
    cmd!("reslist", auth_cmds::reslist, Args::None),
    cmd!("rl", vars::readlist, Args::Assoc),
    cmd!("rmvars", vars::rmvars, Args::Vars),
    cmd!("rpeers", peers::rpeers, Args::None),
    cmd!("rv", vars::readvar, Args::AssocAndVars),
    cmd!("showvars", vars::showvars, Args::None),
    cmd!("sysinfo", summary::sysinfo, Args::None),
    cmd!("sysstats", summary::sysstats, Args::None),
    cmd!("timeout", settings::timeout, Args::Number),
    cmd!("timerstats", summary::timerstats, Args::None),
    cmd!("units", settings::units, Args::None),
    cmd!("version", settings::version, Args::None),
    cmd!("writelist", vars::writelist, Args::Assoc),
    cmd!("writevar", vars::writevar, Args::AssocAndVars),
];

/// Exact match on the internal name.
pub fn find(word: &str) -> Option<&'static CommandDef> {
    TABLE.iter().find(|c| c.internal_name() == word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        let names: Vec<_> = TABLE.iter().map(|c| c.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted);
    }

    #[test]
    fn every_command_but_two_has_a_help_topic() {
        for c in TABLE {
            assert!(help::topic_text(c.internal_name()).is_some(), "{}", c.name);
        }
    }
}
