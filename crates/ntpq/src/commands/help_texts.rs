//! `help <topic>` texts, exactly as NTPsec ntpq 1.2.2 prints them (commands.md Appendix A).

/// (topic, text); the text is printed as is.
pub const HELP_TEXTS: &[(&str, &str)] = &[
    (
        "addvars",
        r#"function: add variables to the variable list or change their values
usage: addvars name[=value][,...]
"#,
    ),
    (
        "apeers",
        r#"function: obtain and print a list of the server's peers and their
          assocIDs [IP version]
usage: apeers
"#,
    ),
    (
        "associations",
        r#"function: print list of association IDs and statuses for the server's peers
usage: associations
"#,
    ),
    (
        "authenticate",
        r#"function: always authenticate requests to this server
usage: authenticate [yes|no]
"#,
    ),
    (
        "authinfo",
        r#"function: display symmetric authentication counters
usage: authinfo
"#,
    ),
    (
        "cl",
        r#"function: read the clock variables included in the variable list
usage: cl [assocID]
"#,
    ),
    (
        "clearvars",
        r#"function: remove all variables from the variable list
usage: clearvars
"#,
    ),
    (
        "clocklist",
        r#"function: read the clock variables included in the variable list
usage: clocklist [assocID]
"#,
    ),
    (
        "clockvar",
        r#"function: read clock variables
usage: clockvar [assocID] [name=value[,...]]
"#,
    ),
    (
        "config_from_file",
        r#"function: configure ntpd using the configuration filename
usage: config_from_file <configuration filename>
"#,
    ),
    (
        "cooked",
        r#"function: do cooked mode variable output
usage: cooked
"#,
    ),
    (
        "cv",
        r#"function: read clock variables
usage: cv [ assocID ] [ name=value[,...] ]
"#,
    ),
    (
        "debug",
        r#"function: set/change debugging level
usage: debug [no|more|less|n]
"#,
    ),
    (
        "delay",
        r#"function: set the delay added to encryption time stamps
usage: delay [ msec ]
"#,
    ),
    (
        "direct",
        r#"function: toggle direct-mode MRU output
usage: direct
"#,
    ),
    (
        "doflake",
        r#"function: Enables the dropping of control packets by
ntpq for testing. Probabilities 0 and 1 should be
certainly accepted and discarded respectively. No
default, but 0.1 should be a one in ten loss rate.
usage: doflake <probability>
"#,
    ),
    (
        "exit",
        r#"function: exit ntpq
usage: exit
"#,
    ),
    (
        "help",
        r#"function: tell the use and syntax of commands
usage: help [ command ]
"#,
    ),
    (
        "host",
        r#"function: specify the host whose NTP server we talk to
usage: host [-4|-6] [hostname]
"#,
    ),
    (
        "hostnames",
        r#"function: specify whether hostnames or net numbers are printed
usage: hostnames [yes|no|hostname|hostnum]
"#,
    ),
    (
        "hot_config",
        r#"function: send a remote configuration command to ntpd
usage: config <configuration command line>
"#,
    ),
    (
        "ifstats",
        r#"function: show statistics for each local address ntpd is using
usage: ifstats
"#,
    ),
    (
        "iostats",
        r#"function: display network input and output counters
usage: iostats
"#,
    ),
    (
        "kerninfo",
        r#"function: display kernel loop and PPS statistics
usage: kerninfo
"#,
    ),
    (
        "keyid",
        r#"function: set keyid to use for authenticated requests
usage: keyid [key#]
"#,
    ),
    (
        "keytype",
        r#"function: set key type to use for authenticated requests, one of:
    DSA, MD4, MD5, MDC2, RIPEMD160, SHA-1, AES-CMAC
usage: keytype [digest-name]
"#,
    ),
    (
        "lassociations",
        r#"function: print list of associations including all client information
usage: lassociations
"#,
    ),
    (
        "logfile",
        r#"view/change logfile. "<stderr>" will log to stderr
           instead of a file
"#,
    ),
    (
        "lopeers",
        r#"function: obtain and print a list of all peers and clients showing
          dstadr [IP version]
usage: lopeers
"#,
    ),
    (
        "lpassociations",
        r#"function: print last obtained list of associations, including
          client information
usage: lpassociations
"#,
    ),
    (
        "lpeers",
        r#"function: obtain and print a list of all peers and clients [IP version]
usage: lpeers
"#,
    ),
    (
        "monstats",
        r#"function: display monitor (mrulist) counters and limits
usage: monstats
"#,
    ),
    (
        "mreadlist",
        r#"function: read the peer variables in the variable list for multiple peers
usage: mreadlist assocIDlow assocIDhigh
"#,
    ),
    (
        "mreadvar",
        r#"function: read peer variables from multiple peers
usage: mreadvar assocIDlow assocIDhigh [name=value[,...]]
"#,
    ),
    (
        "mrl",
        r#"function: read the peer variables in the variable list for multiple peers
usage: mrl assocIDlow assocIDhigh
"#,
    ),
    (
        "mrulist",
        r#"function: display the list of most recently seen source addresses,
          tags mincount=... resall=0x... resany=0x...
usage: mrulist [tag=value] [tag=value] [tag=value] [tag=value]
"#,
    ),
    (
        "mrv",
        r#"function: read peer variables from multiple peers
usage: mrv assocIDlow assocIDhigh [name=value[,...]]
"#,
    ),
    (
        "mssntpinfo",
        r#"function: display MSSNTP authentication counters
usage: mssntpinfo
"#,
    ),
    (
        "noflake",
        r#"function: Disables the dropping of received packets by ntpq for testing.
usage: noflake
"#,
    ),
    (
        "ntpversion",
        r#"function: set the NTP version number to use for requests
usage: ntpversion [version number]
"#,
    ),
    (
        "ntsinfo",
        r#"function: display NTS authentication counters
usage: ntsinfo
"#,
    ),
    (
        "opeers",
        r#"function: print peer list the old way, with dstadr shown rather than
          refid [IP version]
usage: opeers
"#,
    ),
    (
        "passociations",
        r#"function: print list of associations returned by last associations command
usage: passociations
"#,
    ),
    (
        "passwd",
        r#"function: specify a password to use for authenticated requests
usage: passwd []
"#,
    ),
    (
        "peers",
        r#"function: obtain and print a list of the server's peers [IP version]
usage: peers
"#,
    ),
    (
        "poll",
        r#"function: poll an NTP server in client mode `n' times
usage: poll [n] [verbose]
"#,
    ),
    (
        "pstats",
        r#"function: show statistics for a peer
usage: pstats assocID
"#,
    ),
    (
        "quit",
        r#"function: exit ntpq
usage: quit
"#,
    ),
    (
        "raw",
        r#"function: do raw mode variable output
usage: raw
"#,
    ),
    (
        "readlist",
        r#"function: read the system or peer variables included in the variable list
usage: readlist [assocID]
"#,
    ),
    (
        "readvar",
        r#"function: read system or peer variables
usage: readvar [assocID] [varname1] [varname2] [varname3]
"#,
    ),
    (
        "reslist",
        r#"function: show ntpd access control list
usage: reslist
"#,
    ),
    (
        "rl",
        r#"function: read the system or peer variables included in the variable list
usage: rl [assocID]
"#,
    ),
    (
        "rmvars",
        r#"function: remove variables from the variable list
usage: rmvars name[,...]
"#,
    ),
    (
        "rpeers",
        r#"function: obtain and print a list of the server's peers (dextral)
usage: rpeers
"#,
    ),
    (
        "rv",
        r#"function: read system or peer variables
usage: rv [assocID] [varname1] [varname2] [varname3]
"#,
    ),
    (
        "showvars",
        r#"function: print variables on the variable list
usage: showvars
"#,
    ),
    (
        "sysinfo",
        r#"function: display system summary
usage: sysinfo
"#,
    ),
    (
        "sysstats",
        r#"function: display system uptime and packet counts
usage: sysstats
"#,
    ),
    (
        "timeout",
        r#"function: set the primary receive time out
usage: timeout [ msec ]
"#,
    ),
    (
        "timerstats",
        r#"function: display interval timer counters
usage: timerstats
"#,
    ),
    (
        "units",
        r#"function: toggle unit display
usage: units
"#,
    ),
    (
        "version",
        r#"function: print version number
usage: version
"#,
    ),
    (
        "writelist",
        r#"function: write the system or peer variables included in the variable list
usage: writelist [ assocID ]
"#,
    ),
    (
        "writevar",
        r#"function: write system or peer variables
usage: writevar assocID name=value,[...]
"#,
    ),
    (
        "EOF",
        r#"exit ntpq
"#,
    ),
];
