//! `help <command>` texts, exactly as NTPsec ntpq 1.2.2 prints them (commands.md
//! Appendix A); the command table gives each command its text.

pub const ADDVARS: &str = r#"function: add variables to the variable list or change their values
usage: addvars name[=value][,...]
"#;

pub const APEERS: &str = r#"function: obtain and print a list of the server's peers and their
          assocIDs [IP version]
usage: apeers
"#;

pub const ASSOCIATIONS: &str = r#"function: print list of association IDs and statuses for the server's peers
usage: associations
"#;

pub const AUTHENTICATE: &str = r#"function: always authenticate requests to this server
usage: authenticate [yes|no]
"#;

pub const AUTHINFO: &str = r#"function: display symmetric authentication counters
usage: authinfo
"#;

pub const CL: &str = r#"function: read the clock variables included in the variable list
usage: cl [assocID]
"#;

pub const CLEARVARS: &str = r#"function: remove all variables from the variable list
usage: clearvars
"#;

pub const CLOCKLIST: &str = r#"function: read the clock variables included in the variable list
usage: clocklist [assocID]
"#;

pub const CLOCKVAR: &str = r#"function: read clock variables
usage: clockvar [assocID] [name=value[,...]]
"#;

pub const CONFIG_FROM_FILE: &str = r#"function: configure ntpd using the configuration filename
usage: config_from_file <configuration filename>
"#;

pub const COOKED: &str = r#"function: do cooked mode variable output
usage: cooked
"#;

pub const CV: &str = r#"function: read clock variables
usage: cv [ assocID ] [ name=value[,...] ]
"#;

pub const DEBUG: &str = r#"function: set/change debugging level
usage: debug [no|more|less|n]
"#;

pub const DELAY: &str = r#"function: set the delay added to encryption time stamps
usage: delay [ msec ]
"#;

pub const DIRECT: &str = r#"function: toggle direct-mode MRU output
usage: direct
"#;

/// ntpq-rs's own command (not in 1.2.2).
pub const FORMAT: &str = r#"function: set the output format: classic (NTPsec ntpq's text,
the default), json (JSON Lines, one object per line; schema in
docs/json.md) or table (tables fitted to the terminal, never truncated)
usage: format [ classic | json | table ]
"#;

pub const DOFLAKE: &str = r#"function: Enables the dropping of control packets by
ntpq for testing. Probabilities 0 and 1 should be
certainly accepted and discarded respectively. No
default, but 0.1 should be a one in ten loss rate.
usage: doflake <probability>
"#;

pub const EXIT: &str = r#"function: exit ntpq
usage: exit
"#;

pub const HELP: &str = r#"function: tell the use and syntax of commands
usage: help [ command ]
"#;

pub const HOST: &str = r#"function: specify the host whose NTP server we talk to
usage: host [-4|-6] [hostname]
"#;

pub const HOSTNAMES: &str = r#"function: specify whether hostnames or net numbers are printed
usage: hostnames [yes|no|hostname|hostnum]
"#;

pub const HOT_CONFIG: &str = r#"function: send a remote configuration command to ntpd
usage: config <configuration command line>
"#;

pub const IFSTATS: &str = r#"function: show statistics for each local address ntpd is using
usage: ifstats
"#;

pub const IOSTATS: &str = r#"function: display network input and output counters
usage: iostats
"#;

pub const KERNINFO: &str = r#"function: display kernel loop and PPS statistics
usage: kerninfo
"#;

pub const KEYID: &str = r#"function: set keyid to use for authenticated requests
usage: keyid [key#]
"#;

pub const KEYTYPE: &str = r#"function: set key type to use for authenticated requests, one of:
    DSA, MD4, MD5, MDC2, RIPEMD160, SHA-1, AES-CMAC
usage: keytype [digest-name]
"#;

pub const LASSOCIATIONS: &str = r#"function: print list of associations including all client information
usage: lassociations
"#;

pub const LOGFILE: &str = r#"view/change logfile. "<stderr>" will log to stderr
           instead of a file
"#;

pub const LOPEERS: &str = r#"function: obtain and print a list of all peers and clients showing
          dstadr [IP version]
usage: lopeers
"#;

pub const LPASSOCIATIONS: &str = r#"function: print last obtained list of associations, including
          client information
usage: lpassociations
"#;

pub const LPEERS: &str = r#"function: obtain and print a list of all peers and clients [IP version]
usage: lpeers
"#;

pub const MONSTATS: &str = r#"function: display monitor (mrulist) counters and limits
usage: monstats
"#;

pub const MREADLIST: &str = r#"function: read the peer variables in the variable list for multiple peers
usage: mreadlist assocIDlow assocIDhigh
"#;

pub const MREADVAR: &str = r#"function: read peer variables from multiple peers
usage: mreadvar assocIDlow assocIDhigh [name=value[,...]]
"#;

pub const MRL: &str = r#"function: read the peer variables in the variable list for multiple peers
usage: mrl assocIDlow assocIDhigh
"#;

pub const MRULIST: &str = r#"function: display the list of most recently seen source addresses,
          tags mincount=... resall=0x... resany=0x...
usage: mrulist [tag=value] [tag=value] [tag=value] [tag=value]
"#;

pub const MRV: &str = r#"function: read peer variables from multiple peers
usage: mrv assocIDlow assocIDhigh [name=value[,...]]
"#;

pub const MSSNTPINFO: &str = r#"function: display MSSNTP authentication counters
usage: mssntpinfo
"#;

pub const NOFLAKE: &str = r#"function: Disables the dropping of received packets by ntpq for testing.
usage: noflake
"#;

pub const NTPVERSION: &str = r#"function: set the NTP version number to use for requests
usage: ntpversion [version number]
"#;

pub const NTSINFO: &str = r#"function: display NTS authentication counters
usage: ntsinfo
"#;

pub const OPEERS: &str = r#"function: print peer list the old way, with dstadr shown rather than
          refid [IP version]
usage: opeers
"#;

pub const PASSOCIATIONS: &str = r#"function: print list of associations returned by last associations command
usage: passociations
"#;

pub const PASSWD: &str = r#"function: specify a password to use for authenticated requests
usage: passwd []
"#;

pub const PEERS: &str = r#"function: obtain and print a list of the server's peers [IP version]
usage: peers
"#;

pub const POLL: &str = r#"function: poll an NTP server in client mode `n' times
usage: poll [n] [verbose]
"#;

pub const PSTATS: &str = r#"function: show statistics for a peer
usage: pstats assocID
"#;

pub const QUIT: &str = r#"function: exit ntpq
usage: quit
"#;

pub const RAW: &str = r#"function: do raw mode variable output
usage: raw
"#;

pub const READLIST: &str = r#"function: read the system or peer variables included in the variable list
usage: readlist [assocID]
"#;

pub const READVAR: &str = r#"function: read system or peer variables
usage: readvar [assocID] [varname1] [varname2] [varname3]
"#;

pub const RESLIST: &str = r#"function: show ntpd access control list
usage: reslist
"#;

pub const RL: &str = r#"function: read the system or peer variables included in the variable list
usage: rl [assocID]
"#;

pub const RMVARS: &str = r#"function: remove variables from the variable list
usage: rmvars name[,...]
"#;

pub const RPEERS: &str = r#"function: obtain and print a list of the server's peers (dextral)
usage: rpeers
"#;

pub const RV: &str = r#"function: read system or peer variables
usage: rv [assocID] [varname1] [varname2] [varname3]
"#;

pub const SHOWVARS: &str = r#"function: print variables on the variable list
usage: showvars
"#;

pub const SYSINFO: &str = r#"function: display system summary
usage: sysinfo
"#;

pub const SYSSTATS: &str = r#"function: display system uptime and packet counts
usage: sysstats
"#;

pub const TIMEOUT: &str = r#"function: set the primary receive time out
usage: timeout [ msec ]
"#;

pub const TIMERSTATS: &str = r#"function: display interval timer counters
usage: timerstats
"#;

pub const UNITS: &str = r#"function: toggle unit display
usage: units
"#;

pub const VERSION: &str = r#"function: print version number
usage: version
"#;

pub const WRITELIST: &str = r#"function: write the system or peer variables included in the variable list
usage: writelist [ assocID ]
"#;

pub const WRITEVAR: &str = r#"function: write system or peer variables
usage: writevar assocID name=value,[...]
"#;

pub const EOF: &str = r#"exit ntpq
"#;
