//! `help` and `help <topic>` (commands.md §2, §2.1, Appendix A).

use super::help_texts::HELP_TEXTS;
use super::TABLE;
use crate::app::App;
use crate::error::{CmdError, CmdResult};

/// Topics reached only by exact name: their text is the command's own
/// description, not a help topic, so prefixes do not find them.
const DESCRIPTION_ONLY: &[&str] = &["EOF", "logfile"];

pub fn topic_text(topic: &str) -> Option<&'static str> {
    HELP_TEXTS
        .iter()
        .find(|(t, _)| *t == topic)
        .map(|(_, text)| *text)
}

fn prefix_topics(prefix: &str) -> Vec<&'static str> {
    HELP_TEXTS
        .iter()
        .map(|(t, _)| *t)
        .filter(|t| t.starts_with(prefix) && !DESCRIPTION_ONLY.contains(t))
        .collect()
}

/// The check the reference makes when `help` itself was abbreviated.
pub fn abbreviated_help_error(arg: &str) -> Option<String> {
    if topic_text(arg).is_some() && !DESCRIPTION_ONLY.contains(&arg) {
        return None;
    }
    match prefix_topics(arg).len() {
        1 => None,
        0 => Some(format!("Command `{arg}' is unknown")),
        _ => Some(format!("Command `{arg}' is ambiguous")),
    }
}

pub fn help(app: &mut App, arg: &str) -> CmdResult {
    if arg.is_empty() {
        let names: Vec<&str> = TABLE.iter().map(|c| c.name).collect();
        app.out.say(&listing(&names));
        return Ok(());
    }
    let mut topic = arg.to_string();
    let is_topic = topic_text(arg).is_some() && !DESCRIPTION_ONLY.contains(&arg);
    if !is_topic {
        let found = prefix_topics(arg);
        match found.len() {
            0 => {}
            1 => topic = found[0].to_string(),
            _ => return Err(CmdError::Message(format!("Command `{arg}' is ambiguous."))),
        }
    }
    match topic_text(&topic) {
        Some(text) => app.out.say(text),
        None => app.out.say(&format!("*** No help on {topic}\n")),
    }
    Ok(())
}

/// The command listing: Python `cmd` columnized to 79 columns.
pub fn listing(names: &[&str]) -> String {
    let mut sorted: Vec<&str> = names.to_vec();
    sorted.sort();
    let header = "Documented commands (type help <topic>):";
    let mut s = format!("\n{header}\n{}\n", "=".repeat(header.len()));
    s.push_str(&columnize(&sorted, 79));
    s.push('\n');
    s
}

fn columnize(items: &[&str], width: usize) -> String {
    if items.is_empty() {
        return "<empty>\n".to_string();
    }
    let n = items.len();
    for nrows in 1..n {
        let ncols = n.div_ceil(nrows);
        let mut widths = Vec::new();
        let mut total = 0;
        for col in 0..ncols {
            let w = (col * nrows..((col + 1) * nrows).min(n))
                .map(|i| items[i].len())
                .max()
                .unwrap_or(0);
            widths.push(w);
            total += w + if col > 0 { 2 } else { 0 };
        }
        if total <= width {
            return render_rows(items, nrows, &widths);
        }
    }
    items.iter().map(|i| format!("{i}\n")).collect()
}

fn render_rows(items: &[&str], nrows: usize, widths: &[usize]) -> String {
    let mut s = String::new();
    for row in 0..nrows {
        let mut cells: Vec<String> = Vec::new();
        for (col, w) in widths.iter().enumerate() {
            match items.get(col * nrows + row) {
                Some(item) => cells.push(format!("{item:<w$}")),
                None => break,
            }
        }
        s.push_str(&cells.join("  "));
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_matches_the_reference() {
        // 1.2.2's command set gives 1.2.2's listing ...
        let names: Vec<&str> = TABLE
            .iter()
            .map(|c| c.name)
            .filter(|n| *n != "mssntpinfo")
            .collect();
        let want = "
Documented commands (type help <topic>):
========================================
:config           cv         keytype         ntpversion     rl        
EOF               debug      lassociations   ntsinfo        rmvars    
addvars           delay      logfile         opeers         rpeers    
apeers            direct     lopeers         passociations  rv        
associations      doflake    lpassociations  passwd         showvars  
authenticate      exit       lpeers          peers          sysinfo   
authinfo          help       monstats        poll           sysstats  
cl                host       mreadlist       pstats         timeout   
clearvars         hostnames  mreadvar        quit           timerstats
clocklist         ifstats    mrl             raw            units     
clockvar          iostats    mrulist         readlist       version   
config-from-file  kerninfo   mrv             readvar        writelist 
cooked            keyid      noflake         reslist        writevar  

";
        assert_eq!(listing(&names), want);
        // ... and ours, with HEAD's mssntpinfo, HEAD's (commands.md §2.1).
        let all: Vec<&str> = TABLE.iter().map(|c| c.name).collect();
        let head = "
Documented commands (type help <topic>):
========================================
:config           debug          logfile         opeers         rv        
EOF               delay          lopeers         passociations  showvars  
addvars           direct         lpassociations  passwd         sysinfo   
apeers            doflake        lpeers          peers          sysstats  
associations      exit           monstats        poll           timeout   
authenticate      help           mreadlist       pstats         timerstats
authinfo          host           mreadvar        quit           units     
cl                hostnames      mrl             raw            version   
clearvars         ifstats        mrulist         readlist       writelist 
clocklist         iostats        mrv             readvar        writevar  
clockvar          kerninfo       mssntpinfo      reslist      
config-from-file  keyid          noflake         rl           
cooked            keytype        ntpversion      rmvars       
cv                lassociations  ntsinfo         rpeers       

";
        assert_eq!(listing(&all), head);
    }

    #[test]
    fn topics_and_prefixes() {
        assert!(topic_text("hot_config").is_some());
        assert_eq!(
            abbreviated_help_error("zz").as_deref(),
            Some("Command `zz' is unknown")
        );
        assert_eq!(
            abbreviated_help_error("p").as_deref(),
            Some("Command `p' is ambiguous")
        );
        assert_eq!(abbreviated_help_error("peers"), None);
        assert_eq!(
            abbreviated_help_error("EO").as_deref(),
            Some("Command `EO' is unknown")
        );
    }
}
