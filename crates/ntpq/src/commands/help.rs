//! `help` and `help <topic>` (commands.md §2, §2.1, Appendix A), over the
//! topics the command table gives (see `commands::topics`).

use crate::error::CmdError;

/// One help topic: the command's name as the parser sees it, its text,
/// and whether a prefix finds it (`EOF` and `logfile` are reached only by
/// their exact name: their text is the command's own description).
#[derive(Clone, Copy, Debug)]
pub struct Topic {
    pub name: &'static str,
    pub text: &'static str,
    pub by_prefix: bool,
}

fn find<'a>(topics: &'a [Topic], name: &str) -> Option<&'a Topic> {
    topics.iter().find(|t| t.name == name)
}

fn prefix_topics<'a>(topics: &'a [Topic], prefix: &str) -> Vec<&'a Topic> {
    topics
        .iter()
        .filter(|t| t.name.starts_with(prefix) && t.by_prefix)
        .collect()
}

/// The check the reference makes when `help` itself was abbreviated.
pub fn abbreviated_help_error(topics: &[Topic], arg: &str) -> Option<String> {
    if find(topics, arg).is_some_and(|t| t.by_prefix) {
        return None;
    }
    match prefix_topics(topics, arg).len() {
        1 => None,
        0 => Some(format!("Command `{arg}' is unknown")),
        _ => Some(format!("Command `{arg}' is ambiguous")),
    }
}

/// What `help <arg>` prints.
pub fn answer(topics: &[Topic], arg: &str) -> Result<String, CmdError> {
    let mut topic = arg;
    if !find(topics, arg).is_some_and(|t| t.by_prefix) {
        match prefix_topics(topics, arg).as_slice() {
            [] => {}
            [one] => topic = one.name,
            _ => return Err(CmdError::msg(format!("Command `{arg}' is ambiguous."))),
        }
    }
    Ok(match find(topics, topic) {
        Some(t) => t.text.to_string(),
        None => format!("*** No help on {topic}\n"),
    })
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
        let names: Vec<&str> = super::super::TABLE
            .iter()
            .map(|c| c.name)
            .filter(|n| !["mssntpinfo", "format"].contains(n))
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
        // ... and with HEAD's mssntpinfo, HEAD's (commands.md §2.1).
        let head_names: Vec<&str> = super::super::TABLE
            .iter()
            .map(|c| c.name)
            .filter(|n| *n != "format")
            .collect();
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
        assert_eq!(listing(&head_names), head);
        // ntpq-rs's own `format` is listed too.
        let all: Vec<&str> = super::super::TABLE.iter().map(|c| c.name).collect();
        assert!(listing(&all).contains(" format "));
    }

    #[test]
    fn topics_and_prefixes() {
        let topics = super::super::topics();
        assert!(find(&topics, "hot_config").is_some());
        let err = |arg| abbreviated_help_error(&topics, arg);
        assert_eq!(err("zz").as_deref(), Some("Command `zz' is unknown"));
        assert_eq!(err("p").as_deref(), Some("Command `p' is ambiguous"));
        assert_eq!(err("peers"), None);
        assert_eq!(err("EO").as_deref(), Some("Command `EO' is unknown"));
        // Exact names only: EOF and logfile.
        assert_eq!(answer(&topics, "EOF").unwrap(), "exit ntpq\n");
        assert_eq!(answer(&topics, "EO").unwrap(), "*** No help on EO\n");
        assert!(answer(&topics, "hot")
            .unwrap()
            .contains("remote configuration"));
        assert!(
            matches!(answer(&topics, "re"), Err(CmdError::Message(m)) if m == "Command `re' is ambiguous.")
        );
    }
}
