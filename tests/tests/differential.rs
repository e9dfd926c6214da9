//! Differential suite: NTPsec's ntpq 1.2.2 and ours, same arguments, same
//! simulated server; stdout, stderr and exit status must match (modulo the
//! deliberate differences in tests/differences.toml).
//!
//! Each case gets its own simulator on its own loopback address, port 123
//! (the reference only talks to port 123, so this needs root), and cases run
//! in parallel. To add a case, add a line to `CASES`:
//!
//! ```text
//! case("name", "scenario.toml", &["-n", "-c", "rv"]),
//! ```
//!
//! The host address is appended to the arguments, or substituted for
//! `{host}` / `{host2}` (a second simulator with the same scenario) when
//! they appear (also inside an argument and in the stdin text); `{scenarios}`
//! is the scenario directory (key files, configuration snippets).
//! `with_stdin("text", case)`
//! feeds commands on stdin (script mode when there is no `-c`);
//! `{nohost}` among the arguments means no host is added;
//! `stdout_only(case)` compares stdout and exit status but not stderr (for
//! debug output, which carries timestamps).
//!
//! Environment: `DIFF_FILTER=substr` runs only matching cases;
//! `NTPQ_RS_BIN` overrides our binary; `DIFF_SELF_CHECK=1` also runs the
//! reference against itself on every case (a check of the harness, the
//! simulator's determinism and the scenarios; it doubles the suite's time).

use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use ntpq_conformance::sim::{loopback, start_on_123};
use ntpq_conformance::{diff_report, have, ntpq_rs, run, shown, Need, RunOutput, REFERENCE_NTPQ};

struct Case {
    name: &'static str,
    scenario: &'static str,
    args: &'static [&'static str],
    stdin: &'static str,
    compare_stderr: bool,
}

const fn case(name: &'static str, scenario: &'static str, args: &'static [&'static str]) -> Case {
    Case {
        name,
        scenario,
        args,
        stdin: "",
        compare_stderr: true,
    }
}

/// Feeds `text` to stdin (both programs get the same bytes).
const fn with_stdin(text: &'static str, c: Case) -> Case {
    Case { stdin: text, ..c }
}

/// Stderr is not compared (debug output carries timestamps); stdout and
/// the exit status are.
const fn stdout_only(c: Case) -> Case {
    Case {
        compare_stderr: false,
        ..c
    }
}

/// A host name that fails to resolve without asking DNS: glibc rejects
/// names longer than 253 characters locally (never use a name that would
/// reach the network's resolver).
macro_rules! long_host {
    () => {
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    };
}

/// The second log file's path, as a literal for `concat!`.
macro_rules! log_file_2 {
    () => {
        "/tmp/ntpq-rs-differential-logfile.log"
    };
}

/// Log files the cases write (a fixed path: both programs print it); removed
/// after the run.
const LOG_FILES: [&str; 2] = ["/tmp/ntpq-rs-differential.log", log_file_2!()];

#[rustfmt::skip]
const CASES: &[Case] = &[
    // readvar family
    case("rv", "synced.toml", &["-n", "-c", "rv"]),
    case("rv-names", "synced.toml", &["-n", "-c", "rv 0 offset,stratum"]),
    case("rv-names-spaces", "synced.toml", &["-n", "-c", "rv 0 stratum offset leap"]),
    case("rv-names-dup", "synced.toml", &["-n", "-c", "rv 0 leap,leap,stratum"]),
    case("rv-silent-name", "synced.toml", &["-n", "-c", "rv 0 sys_var_list"]),
    case("rv-peer-ref", "synced.toml", &["-n", "-c", "rv &1"]),
    case("rv-peer-refclock", "synced.toml", &["-n", "-c", "rv &4"]),
    case("rv-peer-pool", "synced.toml", &["-n", "-c", "rv &3"]),
    case("rv-peer-ipv6", "synced.toml", &["-n", "-c", "rv &2"]),
    case("rv-small-id", "synced.toml", &["-n", "-c", "rv 1 srcadr"]),
    case("rv-associd", "synced.toml", &["-n", "-c", "rv 17775 srcadr,srchost,stratum"]),
    case("readvar-long", "synced.toml", &["-n", "-c", "readvar 0 leap"]),
    case("rl", "synced.toml", &["-n", "-c", "rl"]),
    case("rv-unsynced", "unsynced.toml", &["-n", "-c", "rv"]),
    case("rv-empty", "empty.toml", &["-n", "-c", "rv"]),
    // Control characters: repr'd values, and folding on the text as sent.
    case("rv-controls", "controls.toml", &["-n", "-c", "rv"]),
    case("rv-controls-peer", "controls.toml", &["-n", "-c", "rv &1"]),
    case("rv-hostile", "hostile-text.toml", &["-n", "-c", "rv 0 leap,stratum,refid,processor"]),
    case("rv-hostile-peer", "hostile-text.toml", &["-n", "-c", "rv 1"]),
    case("peers-hostile-w", "hostile-text.toml", &["-n", "-w", "-p"]),
    case("apeers-hostile", "hostile-text.toml", &["-n", "-c", "apeers"]),
    case("rpeers-hostile", "hostile-text.toml", &["-n", "-c", "rpeers"]),
    case("sysinfo-hostile", "hostile-text.toml", &["-n", "-c", "sysinfo"]),
    case("pstats-hostile", "hostile-text.toml", &["-n", "-c", "pstats 1"]),
    case("as-hostile", "hostile-text.toml", &["-n", "-c", "as"]),
    case("peers-hostile", "hostile-text.toml", &["-n", "-p"]),
    case("rv-sysstats-vars", "synced.toml", &["-n", "-c", "rv 0 ss_uptime,ss_received,ss_kodsent"]),
    case("cv-refclock", "synced.toml", &["-n", "-c", "cv &4"]),
    case("cv-names", "synced.toml", &["-n", "-c", "cv 17773 device,name"]),
    case("mrv", "synced.toml", &["-n", "-c", "mrv &1 &3 srcadr,stratum"]),
    // errors
    case("err-unknownvar", "synced.toml", &["-n", "-c", "rv 0 nosuchvar"]),
    case("err-no-such-assoc", "synced.toml", &["-n", "-c", "rv &9"]),
    case("err-badassoc", "synced.toml", &["-n", "-c", "rv 4242"]),
    case("err-unknown-command", "synced.toml", &["-n", "-c", "frobnicate"]),
    case("err-ambiguous-command", "synced.toml", &["-n", "-c", "r"]),
    case("err-cv-no-clock", "unsynced.toml", &["-n", "-c", "cv"]),
    case("err-continue-after-error", "synced.toml", &["-n", "-c", "rv 0 nosuchvar", "-c", "rv 0 stratum"]),
    // associations
    case("as", "synced.toml", &["-n", "-c", "as"]),
    case("as-long", "synced.toml", &["-n", "-c", "associations"]),
    case("as-none", "unsynced.toml", &["-n", "-c", "as"]),
    case("as-empty", "empty.toml", &["-n", "-c", "as"]),
    case("passociations", "synced.toml", &["-n", "-c", "as", "-c", "passociations"]),
    // peers tables
    case("peers", "synced.toml", &["-p"]),
    case("peers-n", "synced.toml", &["-pn"]),
    case("peers-w", "synced.toml", &["-pw"]),
    case("peers-nw", "synced.toml", &["-n", "-w", "-p"]),
    case("peers-W60", "synced.toml", &["-n", "-W", "60", "-p"]),
    case("peers-W70", "synced.toml", &["-n", "-W", "70", "-p"]),
    case("peers-W100", "synced.toml", &["-n", "-W", "100", "-p"]),
    case("peers-W120", "synced.toml", &["-n", "-W", "120", "-p"]),
    case("peers-W60-w", "synced.toml", &["-n", "-W", "60", "-w", "-p"]),
    case("peers-command", "synced.toml", &["-n", "-c", "peers"]),
    case("peers-none", "unsynced.toml", &["-n", "-p"]),
    case("peers-hostnames-no", "synced.toml", &["-c", "hostnames no", "-c", "peers"]),
    case("peers-ntpversion-1", "synced.toml", &["-n", "-c", "ntpversion 1", "-c", "peers"]),
    case("lpeers", "synced.toml", &["-n", "-c", "lpeers"]),
    case("apeers", "synced.toml", &["-n", "-c", "apeers"]),
    case("opeers", "synced.toml", &["-n", "-c", "opeers"]),
    case("lopeers", "synced.toml", &["-n", "-c", "lopeers"]),
    case("rpeers", "synced.toml", &["-n", "-c", "rpeers"]),
    // units and raw
    case("units-rv", "synced.toml", &["-n", "-u", "-c", "rv"]),
    case("units-peer", "synced.toml", &["-n", "-u", "-c", "rv &1"]),
    case("units-peers", "synced.toml", &["-n", "-u", "-p"]),
    case("units-command", "synced.toml", &["-n", "-c", "units", "-c", "rv 0 offset,rootdelay,frequency"]),
    case("raw-rv", "synced.toml", &["-n", "-c", "raw", "-c", "rv"]),
    case("raw-peer", "synced.toml", &["-n", "-c", "raw", "-c", "rv &1"]),
    case("raw-names", "synced.toml", &["-n", "-c", "raw", "-c", "rv 0 offset,stratum"]),
    case("raw-cv", "synced.toml", &["-n", "-c", "raw", "-c", "cv &4"]),
    // help and settings
    case("help", "synced.toml", &["-c", "help"]),
    case("help-rv", "synced.toml", &["-c", "help rv"]),
    case("help-peers", "synced.toml", &["-c", "help peers"]),
    // several commands, several hosts
    case("multi-c", "synced.toml", &["-n", "-c", "rv 0 stratum", "-c", "as", "-c", "peers"]),
    case("two-hosts-rv", "synced.toml", &["-n", "-c", "rv 0 stratum,refid", "{host}", "{host2}"]),
    case("two-hosts-peers", "synced.toml", &["-n", "-p", "{host}", "{host2}"]),
    case("two-hosts-as", "synced.toml", &["-n", "-c", "as", "{host}", "{host2}"]),
    // summary commands
    case("sysinfo", "synced.toml", &["-n", "-c", "sysinfo"]),
    case("sysstats", "synced.toml", &["-n", "-c", "sysstats"]),
    case("kerninfo", "synced.toml", &["-n", "-c", "kerninfo"]),
    case("pstats", "synced.toml", &["-n", "-c", "pstats &1"]),
    case("sysinfo-units-s", "synced.toml", &["-n", "-u", "-c", "sysinfo"]),
    case("sysinfo-raw-s", "synced.toml", &["-n", "-c", "raw", "-c", "sysinfo"]),
    case("sysinfo-u", "unsynced.toml", &["-n", "-c", "sysinfo"]),
    case("sysinfo-units-u", "unsynced.toml", &["-n", "-u", "-c", "sysinfo"]),
    case("sysinfo-raw-u", "unsynced.toml", &["-n", "-c", "raw", "-c", "sysinfo"]),
    case("sysinfo-fb", "summary_fallback.toml", &["-n", "-c", "sysinfo"]),
    case("sysinfo-units-fb", "summary_fallback.toml", &["-n", "-u", "-c", "sysinfo"]),
    case("sysinfo-raw-fb", "summary_fallback.toml", &["-n", "-c", "raw", "-c", "sysinfo"]),
    case("sysinfo-edge", "summary_edge.toml", &["-n", "-c", "sysinfo"]),
    case("sysinfo-units-edge", "summary_edge.toml", &["-n", "-u", "-c", "sysinfo"]),
    case("sysstats-units-s", "synced.toml", &["-n", "-u", "-c", "sysstats"]),
    case("sysstats-raw-s", "synced.toml", &["-n", "-c", "raw", "-c", "sysstats"]),
    case("sysstats-u", "unsynced.toml", &["-n", "-c", "sysstats"]),
    case("sysstats-units-u", "unsynced.toml", &["-n", "-u", "-c", "sysstats"]),
    case("sysstats-raw-u", "unsynced.toml", &["-n", "-c", "raw", "-c", "sysstats"]),
    case("sysstats-fb", "summary_fallback.toml", &["-n", "-c", "sysstats"]),
    case("sysstats-units-fb", "summary_fallback.toml", &["-n", "-u", "-c", "sysstats"]),
    case("sysstats-raw-fb", "summary_fallback.toml", &["-n", "-c", "raw", "-c", "sysstats"]),
    case("sysstats-edge", "summary_edge.toml", &["-n", "-c", "sysstats"]),
    case("sysstats-units-edge", "summary_edge.toml", &["-n", "-u", "-c", "sysstats"]),
    case("kerninfo-units-s", "synced.toml", &["-n", "-u", "-c", "kerninfo"]),
    case("kerninfo-raw-s", "synced.toml", &["-n", "-c", "raw", "-c", "kerninfo"]),
    case("kerninfo-u", "unsynced.toml", &["-n", "-c", "kerninfo"]),
    case("kerninfo-units-u", "unsynced.toml", &["-n", "-u", "-c", "kerninfo"]),
    case("kerninfo-raw-u", "unsynced.toml", &["-n", "-c", "raw", "-c", "kerninfo"]),
    case("kerninfo-fb", "summary_fallback.toml", &["-n", "-c", "kerninfo"]),
    case("kerninfo-units-fb", "summary_fallback.toml", &["-n", "-u", "-c", "kerninfo"]),
    case("kerninfo-raw-fb", "summary_fallback.toml", &["-n", "-c", "raw", "-c", "kerninfo"]),
    case("kerninfo-edge", "summary_edge.toml", &["-n", "-c", "kerninfo"]),
    case("kerninfo-units-edge", "summary_edge.toml", &["-n", "-u", "-c", "kerninfo"]),
    case("monstats-s", "synced.toml", &["-n", "-c", "monstats"]),
    case("monstats-units-s", "synced.toml", &["-n", "-u", "-c", "monstats"]),
    case("monstats-raw-s", "synced.toml", &["-n", "-c", "raw", "-c", "monstats"]),
    case("monstats-u", "unsynced.toml", &["-n", "-c", "monstats"]),
    case("monstats-units-u", "unsynced.toml", &["-n", "-u", "-c", "monstats"]),
    case("monstats-raw-u", "unsynced.toml", &["-n", "-c", "raw", "-c", "monstats"]),
    case("monstats-fb", "summary_fallback.toml", &["-n", "-c", "monstats"]),
    case("monstats-units-fb", "summary_fallback.toml", &["-n", "-u", "-c", "monstats"]),
    case("monstats-raw-fb", "summary_fallback.toml", &["-n", "-c", "raw", "-c", "monstats"]),
    case("monstats-edge", "summary_edge.toml", &["-n", "-c", "monstats"]),
    case("monstats-units-edge", "summary_edge.toml", &["-n", "-u", "-c", "monstats"]),
    case("iostats-s", "synced.toml", &["-n", "-c", "iostats"]),
    case("iostats-units-s", "synced.toml", &["-n", "-u", "-c", "iostats"]),
    case("iostats-raw-s", "synced.toml", &["-n", "-c", "raw", "-c", "iostats"]),
    case("iostats-u", "unsynced.toml", &["-n", "-c", "iostats"]),
    case("iostats-units-u", "unsynced.toml", &["-n", "-u", "-c", "iostats"]),
    case("iostats-raw-u", "unsynced.toml", &["-n", "-c", "raw", "-c", "iostats"]),
    case("iostats-fb", "summary_fallback.toml", &["-n", "-c", "iostats"]),
    case("iostats-units-fb", "summary_fallback.toml", &["-n", "-u", "-c", "iostats"]),
    case("iostats-raw-fb", "summary_fallback.toml", &["-n", "-c", "raw", "-c", "iostats"]),
    case("iostats-edge", "summary_edge.toml", &["-n", "-c", "iostats"]),
    case("iostats-units-edge", "summary_edge.toml", &["-n", "-u", "-c", "iostats"]),
    case("timerstats-s", "synced.toml", &["-n", "-c", "timerstats"]),
    case("timerstats-units-s", "synced.toml", &["-n", "-u", "-c", "timerstats"]),
    case("timerstats-raw-s", "synced.toml", &["-n", "-c", "raw", "-c", "timerstats"]),
    case("timerstats-u", "unsynced.toml", &["-n", "-c", "timerstats"]),
    case("timerstats-units-u", "unsynced.toml", &["-n", "-u", "-c", "timerstats"]),
    case("timerstats-raw-u", "unsynced.toml", &["-n", "-c", "raw", "-c", "timerstats"]),
    case("timerstats-fb", "summary_fallback.toml", &["-n", "-c", "timerstats"]),
    case("timerstats-units-fb", "summary_fallback.toml", &["-n", "-u", "-c", "timerstats"]),
    case("timerstats-raw-fb", "summary_fallback.toml", &["-n", "-c", "raw", "-c", "timerstats"]),
    case("timerstats-edge", "summary_edge.toml", &["-n", "-c", "timerstats"]),
    case("timerstats-units-edge", "summary_edge.toml", &["-n", "-u", "-c", "timerstats"]),
    case("authinfo-s", "synced.toml", &["-n", "-c", "authinfo"]),
    case("authinfo-units-s", "synced.toml", &["-n", "-u", "-c", "authinfo"]),
    case("authinfo-raw-s", "synced.toml", &["-n", "-c", "raw", "-c", "authinfo"]),
    case("authinfo-u", "unsynced.toml", &["-n", "-c", "authinfo"]),
    case("authinfo-units-u", "unsynced.toml", &["-n", "-u", "-c", "authinfo"]),
    case("authinfo-raw-u", "unsynced.toml", &["-n", "-c", "raw", "-c", "authinfo"]),
    case("authinfo-fb", "summary_fallback.toml", &["-n", "-c", "authinfo"]),
    case("authinfo-units-fb", "summary_fallback.toml", &["-n", "-u", "-c", "authinfo"]),
    case("authinfo-raw-fb", "summary_fallback.toml", &["-n", "-c", "raw", "-c", "authinfo"]),
    case("authinfo-edge", "summary_edge.toml", &["-n", "-c", "authinfo"]),
    case("authinfo-units-edge", "summary_edge.toml", &["-n", "-u", "-c", "authinfo"]),
    case("ntsinfo-s", "synced.toml", &["-n", "-c", "ntsinfo"]),
    case("ntsinfo-units-s", "synced.toml", &["-n", "-u", "-c", "ntsinfo"]),
    case("ntsinfo-raw-s", "synced.toml", &["-n", "-c", "raw", "-c", "ntsinfo"]),
    case("ntsinfo-u", "unsynced.toml", &["-n", "-c", "ntsinfo"]),
    case("ntsinfo-units-u", "unsynced.toml", &["-n", "-u", "-c", "ntsinfo"]),
    case("ntsinfo-raw-u", "unsynced.toml", &["-n", "-c", "raw", "-c", "ntsinfo"]),
    case("ntsinfo-fb", "summary_fallback.toml", &["-n", "-c", "ntsinfo"]),
    case("ntsinfo-units-fb", "summary_fallback.toml", &["-n", "-u", "-c", "ntsinfo"]),
    case("ntsinfo-raw-fb", "summary_fallback.toml", &["-n", "-c", "raw", "-c", "ntsinfo"]),
    case("ntsinfo-edge", "summary_edge.toml", &["-n", "-c", "ntsinfo"]),
    case("ntsinfo-units-edge", "summary_edge.toml", &["-n", "-u", "-c", "ntsinfo"]),
    case("pstats-units-s", "synced.toml", &["-n", "-u", "-c", "pstats &1"]),
    case("pstats-raw-s", "synced.toml", &["-n", "-c", "raw", "-c", "pstats &1"]),
    case("pstats-fb", "summary_fallback.toml", &["-n", "-c", "pstats &1"]),
    case("pstats-units-fb", "summary_fallback.toml", &["-n", "-u", "-c", "pstats &1"]),
    case("pstats-raw-fb", "summary_fallback.toml", &["-n", "-c", "raw", "-c", "pstats &1"]),
    case("pstats-edge", "summary_edge.toml", &["-n", "-c", "pstats &1"]),
    case("pstats-units-edge", "summary_edge.toml", &["-n", "-u", "-c", "pstats &1"]),
    case("pstats-raw-edge", "summary_edge.toml", &["-n", "-c", "raw", "-c", "pstats &1"]),
    case("pstats-id", "synced.toml", &["-n", "-c", "pstats 17773"]),
    case("pstats-index-2", "synced.toml", &["-n", "-c", "pstats &2"]),
    case("pstats-no-arg", "synced.toml", &["-n", "-c", "pstats"]),
    case("pstats-unknown-id", "synced.toml", &["-n", "-c", "pstats 12345"]),
    case("pstats-bad-index", "synced.toml", &["-n", "-c", "pstats &99"]),
    case("pstats-bad-literal", "synced.toml", &["-n", "-c", "pstats &x"]),
    case("pstats-bad-id-literal", "synced.toml", &["-n", "-c", "pstats x1"]),
    case("pstats-no-peers", "unsynced.toml", &["-n", "-c", "pstats &1"]),
    case("pstats-server-error", "faults_errors.toml", &["-n", "-c", "timeout 300", "-c", "pstats 1"]),
    case("summary-timeout", "faults_silent.toml", &["-n", "-c", "timeout 100", "-c", "sysinfo", "-c", "sysstats", "-c", "authinfo"]),
    case("summary-prefix", "synced.toml", &["-n", "-c", "sysi", "-c", "kern", "-c", "timer"]),
    case("summary-units-toggle", "summary_edge.toml", &["-n", "-c", "units", "-c", "kerninfo", "-c", "units", "-c", "kerninfo"]),
    case("summary-raw-toggle", "summary_fallback.toml", &["-n", "-c", "raw", "-c", "iostats", "-c", "cooked", "-c", "iostats"]),
    case("summary-two-hosts", "synced.toml", &["-n", "-c", "sysinfo", "-c", "iostats", "{host}", "{host2}"]),
    case("summary-two-hosts-fallback", "summary_fallback.toml", &["-n", "-c", "authinfo", "-c", "sysstats", "-c", "pstats &1", "{host}", "{host2}"]),
    case("summary-all", "synced.toml", &["-n", "-c", "sysinfo", "-c", "sysstats", "-c", "kerninfo", "-c", "monstats", "-c", "iostats", "-c", "timerstats", "-c", "authinfo", "-c", "ntsinfo", "-c", "pstats &1"]),
    // mrulist
    case("mrulist", "mru_small.toml", &["-n", "-c", "mrulist"]),
    case("mrulist-limit", "mru_small.toml", &["-n", "-c", "mrulist limit=5 sort=-avgint"]),
    case("mrulist-frags", "mru_small.toml", &["-n", "-c", "mrulist frags=3"]),
    case("mrulist-sort-count", "mru_small.toml", &["-n", "-c", "mrulist sort=count"]),
    case("mrulist-sort-rcount", "mru_small.toml", &["-n", "-c", "mrulist sort=-count"]),
    case("mrulist-sort-addr", "mru_small.toml", &["-n", "-c", "mrulist sort=addr"]),
    case("mrulist-sort-raddr", "mru_small.toml", &["-n", "-c", "mrulist sort=-addr"]),
    case("mrulist-sort-avgint", "mru_small.toml", &["-n", "-c", "mrulist sort=avgint"]),
    case("mrulist-sort-lstint", "mru_small.toml", &["-n", "-c", "mrulist sort=lstint"]),
    case("mrulist-sort-rlstint", "mru_small.toml", &["-n", "-c", "mrulist sort=-lstint"]),
    case("mrulist-sort-score", "mru_small.toml", &["-n", "-c", "mrulist sort=score"]),
    case("mrulist-sort-rscore", "mru_small.toml", &["-n", "-c", "mrulist sort=-score"]),
    case("mrulist-sort-drop", "mru_small.toml", &["-n", "-c", "mrulist sort=drop"]),
    case("mrulist-sort-rdrop", "mru_small.toml", &["-n", "-c", "mrulist sort=-drop"]),
    case("mrulist-mincount", "mru_small.toml", &["-n", "-c", "mrulist mincount=1000"]),
    case("mrulist-mindrop", "mru_small.toml", &["-n", "-c", "mrulist mindrop=1"]),
    case("mrulist-recent", "mru_small.toml", &["-n", "-c", "mrulist recent=4"]),
    case("mrulist-kod", "mru_small.toml", &["-n", "-c", "mrulist kod"]),
    case("mrulist-limited", "mru_small.toml", &["-n", "-c", "mrulist limited"]),
    case("mrulist-resall", "mru_small.toml", &["-n", "-c", "mrulist resall=0x0"]),
    case("mrulist-bad-sort", "mru_small.toml", &["-n", "-c", "mrulist sort=nosuch"]),
    case("mrulist-bad-param", "mru_small.toml", &["-n", "-c", "mrulist foo=1"]),
    case("mrulist-bad-param-bare", "mru_small.toml", &["-n", "-c", "mrulist bar"]),
    case("mrulist-direct", "mru_small.toml", &["-n", "-c", "direct", "-c", "mrulist"]),
    case("mrulist-direct-toggle", "mru_small.toml", &["-n", "-c", "direct", "-c", "direct"]),
    case("mrulist-empty", "empty.toml", &["-n", "-c", "mrulist"]),
    case("mrulist-twice", "mru_small.toml", &["-n", "-c", "mrulist limit=3", "-c", "mrulist sort=addr"]),
    // command line
    case("opt-4", "synced.toml", &["-4", "-n", "-c", "rv 0 stratum"]),
    case("opt-6", "synced.toml", &["-6", "-n", "-c", "rv 0 stratum"]),
    case("opt-64", "synced.toml", &["-64", "-n", "-c", "rv 0 stratum"]),
    case("opt-a", "synced.toml", &["-a", "5", "-c", "keyid"]),
    case("opt-a-attached", "synced.toml", &["-a1_0", "-c", "keyid"]),
    case("opt-a-bad", "synced.toml", &["-a", "x", "-c", "rv"]),
    case("opt-c-repeated", "synced.toml", &["-n", "-c", "rv 0 stratum", "-c", "rv 0 leap", "-c", "rv 0 stratum"]),
    case("opt-c-p-order", "synced.toml", &["-n", "-c", "rv 0 stratum", "-p", "-c", "as"]),
    case("opt-p-c-order", "synced.toml", &["-p", "-n", "-c", "rv 0 stratum"]),
    case("opt-c-attached", "synced.toml", &["-n", "-crv 0 stratum"]),
    case("opt-c-missing", "synced.toml", &["{nohost}", "-n", "-c"]),
    case("opt-c-dash-value", "synced.toml", &["-n", "-c", "-p"]),
    stdout_only(case("opt-d", "synced.toml", &["-d", "-n", "-c", "rv 0 stratum"])),
    stdout_only(case("opt-dd", "synced.toml", &["-dd", "-n", "-c", "as"])),
    stdout_only(case("opt-D2", "synced.toml", &["-D", "2", "-n", "-c", "rv 0 stratum"])),
    case("opt-D-bad", "synced.toml", &["-D", "x", "-c", "rv"]),
    stdout_only(case("opt-D-debug-command", "synced.toml", &["-D", "4", "-c", "debug"])),
    case("opt-h", "synced.toml", &["-h"]),
    case("opt-h-before-error", "synced.toml", &["-h", "-a", "x"]),
    case("opt-error-before-h", "synced.toml", &["-a", "x", "-h"]),
    case("opt-k-missing", "synced.toml", &["-k", "/nonexistent/ntpq-keys", "-c", "rv"]),
    case("opt-l", "synced.toml", &["-l", LOG_FILES[0], "-d", "-n", "-c", "rv 0 stratum"]),
    case("opt-s-hostnames", "synced.toml", &["-s", "-c", "hostnames"]),
    case("opt-S-hostnames", "synced.toml", &["-S", "-c", "hostnames"]),
    case("opt-n-hostnames", "synced.toml", &["-n", "-c", "hostnames"]),
    case("opt-S-peers", "synced.toml", &["-S", "-p"]),
    case("opt-last-of-nsS-wins", "synced.toml", &["-s", "-S", "-n", "-c", "hostnames"]),
    case("opt-V", "synced.toml", &["-V"]),
    case("opt-V-before-h", "synced.toml", &["-V", "-h"]),
    case("opt-w-long", "synced.toml", &["--wide", "-n", "-p"]),
    case("opt-W-attached", "synced.toml", &["-nW80", "-p"]),
    case("opt-W-bad", "synced.toml", &["-W", "x", "-p"]),
    case("opt-u-long", "synced.toml", &["--units", "-n", "-c", "rv 0 offset,rootdisp"]),
    case("opt-unknown", "synced.toml", &["-x"]),
    case("opt-unknown-i", "synced.toml", &["-i", "-c", "rv"]),
    case("opt-unknown-after-c", "synced.toml", &["-c", "rv", "-O"]),
    case("long-num", "synced.toml", &["--num", "-c", "rv 0 stratum"]),
    case("long-peers", "synced.toml", &["--peers", "--numeric"]),
    case("long-ambiguous-w", "synced.toml", &["--w", "-p"]),
    case("long-ambiguous-s", "synced.toml", &["--s"]),
    case("long-unknown", "synced.toml", &["--foo"]),
    case("long-flag-with-value", "synced.toml", &["--numeric=1"]),
    case("long-missing-value", "synced.toml", &["{nohost}", "--command"]),
    case("long-command-eq", "synced.toml", &["--command=rv 0 stratum", "-n"]),
    case("long-command-prefix", "synced.toml", &["--com", "rv 0 stratum", "--numeric"]),
    stdout_only(case("long-set-debug-level", "synced.toml", &["--set-debug-level=1", "-n", "-c", "rv 0 stratum"])),
    case("long-set-debug-level-bad", "synced.toml", &["--set-debug-level=x"]),
    case("long-version", "synced.toml", &["--version"]),
    case("long-help", "synced.toml", &["--help"]),
    case("long-keyfile-eq", "synced.toml", &["--keyfile=/nonexistent/ntpq-keys", "-c", "rv"]),
    case("long-keyfile-space", "synced.toml", &["--keyfile", "/nonexistent/ntpq-keys", "-c", "rv"]),
    case("host-option-like", "synced.toml", &["-n", "-c", "rv 0 stratum", "{host}", "-x"]),
    case("host-dash", "synced.toml", &["-n", "-c", "rv 0 stratum", "{host}", "-"]),
    case("host-dashdash-qualifier", "synced.toml", &["-n", "-c", "rv 0 stratum", "--", "-4", "{host}"]),
    case("host-qualifier-between", "synced.toml", &["-n", "-c", "rv 0 stratum", "{host}", "-4", "{host2}"]),
    case("host-lookup-fails", "synced.toml", &["-n", "-c", "rv 0 stratum", long_host!()]),
    case("two-hosts-full-rv", "synced.toml", &["-n", "-c", "rv", "{host}", "{host2}"]),
    case("two-hosts-peers-wide", "synced.toml", &["-n", "-w", "-p", "{host}", "{host2}"]),
    case("two-hosts-apeers", "synced.toml", &["-n", "-c", "apeers", "{host}", "{host2}"]),
    case("two-hosts-cv", "synced.toml", &["-n", "-c", "cv &4", "{host}", "{host2}"]),
    case("two-hosts-mrv", "synced.toml", &["-n", "-c", "mrv &1 &2 srcadr", "{host}", "{host2}"]),
    case("two-hosts-rl", "synced.toml", &["-n", "-c", "addvars stratum", "-c", "rl", "{host}", "{host2}"]),
    case("two-hosts-empty-as", "empty.toml", &["-n", "-c", "as", "-c", "rv 0 stratum", "{host}", "{host2}"]),
    with_stdin("rv 0 stratum\n", case("two-hosts-interactive", "synced.toml", &["-n", "{host}", "{host2}"])),
    // REPL parsing
    with_stdin("rv 0 stratum\n", case("stdin-basic", "synced.toml", &["-n"])),
    with_stdin("rv 0 stratum", case("stdin-no-final-newline", "synced.toml", &["-n"])),
    with_stdin("", case("stdin-empty", "synced.toml", &["-n"])),
    with_stdin("\n\n  \nrv 0 stratum\n\n\t\n", case("stdin-empty-lines", "synced.toml", &["-n"])),
    with_stdin("rv 0 stratum\nquit\nrv 0 leap\n", case("stdin-quit", "synced.toml", &["-n"])),
    with_stdin("rv 0 stratum\nexit\nrv 0 leap\n", case("stdin-exit", "synced.toml", &["-n"])),
    with_stdin("rv 0 stratum\nEOF\nrv 0 leap\n", case("stdin-EOF", "synced.toml", &["-n"])),
    with_stdin("  rv 0 stratum  \r\nqu\n", case("stdin-blanks-and-prefix-quit", "synced.toml", &["-n"])),
    case("c-quit-exit-EOF", "synced.toml", &["-n", "-c", "rv 0 stratum", "-c", "quit", "-c", "rv 0 leap", "-c", "exit", "-c", "EOF", "-c", "rv 0 tai"]),
    case("c-empty-command", "synced.toml", &["-n", "-c", "", "-c", "  ", "-c", "rv 0 stratum"]),
    with_stdin("?rv\n? peers\n?\n?zz\n", case("qmark-help", "synced.toml", &["-n"])),
    with_stdin("help :config\nhelp config-from-file\nhelp hot_config\nhelp config_from_file\n", case("help-config", "synced.toml", &["-n"])),
    with_stdin("help zz\nhelp p\nhelp m\nhelp EO\nhelp log\nhelp mrul\nhelp\n", case("help-unknown-ambiguous", "synced.toml", &["-n"])),
    with_stdin("he zz\nhe p\nhe EO\nhe log\nhe mrul\nhe rv\nhel\nh\n", case("help-abbreviated", "synced.toml", &["-n"])),
    with_stdin("help :config\nhelp EOF\nhelp addvars\nhelp apeers\nhelp associations\nhelp authenticate\nhelp authinfo\nhelp cl\nhelp clearvars\nhelp clocklist\nhelp clockvar\nhelp config-from-file\nhelp cooked\nhelp cv\nhelp debug\nhelp delay\n", case("help-topics-1", "synced.toml", &["-n"])),
    with_stdin("help direct\nhelp doflake\nhelp exit\nhelp help\nhelp host\nhelp hostnames\nhelp ifstats\nhelp iostats\nhelp kerninfo\nhelp keyid\nhelp keytype\nhelp lassociations\nhelp logfile\nhelp lopeers\nhelp lpassociations\nhelp lpeers\n", case("help-topics-2", "synced.toml", &["-n"])),
    with_stdin("help monstats\nhelp mreadlist\nhelp mreadvar\nhelp mrl\nhelp mrulist\nhelp mrv\nhelp noflake\nhelp ntpversion\nhelp ntsinfo\nhelp opeers\nhelp passociations\nhelp passwd\nhelp peers\nhelp poll\nhelp pstats\nhelp quit\n", case("help-topics-3", "synced.toml", &["-n"])),
    with_stdin("help raw\nhelp readlist\nhelp readvar\nhelp reslist\nhelp rl\nhelp rmvars\nhelp rpeers\nhelp rv\nhelp showvars\nhelp sysinfo\nhelp sysstats\nhelp timeout\nhelp timerstats\nhelp units\nhelp version\nhelp writelist\nhelp writevar\n", case("help-topics-4", "synced.toml", &["-n"])),
    case("prefix-unique-pe", "synced.toml", &["-n", "-c", "pe"]),
    case("prefix-ambiguous-p", "synced.toml", &["-n", "-c", "p"]),
    case("prefix-unknown-zz", "synced.toml", &["-n", "-c", "zz 1 2"]),
    case("prefix-colon-foo", "synced.toml", &["-n", "-c", ":foo"]),
    case("prefix-bang", "synced.toml", &["-n", "-c", "!ls -l"]),
    case("prefix-case-sensitive", "synced.toml", &["-n", "-c", "RV", "-c", "eof"]),
    case("prefix-replaces-every-occurrence", "synced.toml", &["-n", "-c", "hostn hostn"]),
    case("prefix-args-kept", "synced.toml", &["-n", "-c", "readv 0 stratum", "-c", "asso"]),
    with_stdin("pe\np\nzz\n:foo\n!ls\nvers\n", case("prefix-stdin", "synced.toml", &["-n"])),
    // settings
    with_stdin("raw\ncooked\nraw\nrv 0 stratum,offset,refid\ncooked\nrv 0 stratum,offset,refid\n", case("set-raw-cooked", "synced.toml", &["-n"])),
    with_stdin("units\nrv 0 offset\nunits\nrv 0 offset\n", case("set-units-toggle", "synced.toml", &["-n"])),
    case("set-units-with-u", "synced.toml", &["-n", "-u", "-c", "units", "-c", "rv 0 offset"]),
    with_stdin("direct\ndirect\ndirect\n", case("set-direct", "synced.toml", &["-n"])),
    with_stdin("hostnames\nhostnames no\nhostnames hostnum\nhostnames hostname\nhostnames yes\nhostnames zz\n", case("set-hostnames", "synced.toml", &["-n"])),
    case("set-host-noarg", "synced.toml", &["-n", "-c", "host"]),
    case("set-host-switch", "synced.toml", &["-n", "-c", "host {host2}", "-c", "rv 0 stratum", "-c", "host"]),
    case("set-host-family", "synced.toml", &["-n", "-c", "host -4 {host2}", "-c", "host", "-c", "host -4"]),
    case("set-host-fails", "synced.toml", &["-n", "-c", concat!("host ", long_host!()), "-c", "host"]),
    with_stdin("host\nrv 0 stratum\n", case("set-host-none-open", "synced.toml", &["-n", long_host!()])),
    with_stdin("timeout\ntimeout 100\ntimeout x\ntimeout\ntimeout 1_000\n", case("set-timeout", "synced.toml", &["-n"])),
    with_stdin("timeout -5\ntimeout\n", case("set-timeout-negative", "synced.toml", &["-n"])),
    with_stdin("timeout -5\nrv 0 stratum\n", case("set-timeout-negative-query", "synced.toml", &["-n"])),
    with_stdin("delay\ndelay 5\ndelay\ndelay -5\ndelay\ndelay x\ndelay\n", case("set-delay-huh", "synced.toml", &["-n"])),
    with_stdin("keyid\nkeyid 7\nkeyid\nkeyid x\nkeyid\n", case("set-keyid", "synced.toml", &["-n"])),
    with_stdin("keytype\nkeytype sha1\nkeytype\nkeytype aes\nkeytype\nkeytype AES128CMAC\nkeytype\n", case("set-keytype-aliases", "synced.toml", &["-n"])),
    with_stdin("keytype nonesuch\nkeytype\nkeytype md5\nkeytype\n", case("set-keytype-unsupported", "synced.toml", &["-n"])),
    with_stdin("authenticate\nauthenticate yes\nauthenticate\nauthenticate no\nauthenticate maybe\n", case("set-authenticate", "synced.toml", &["-n"])),
    with_stdin("ntpversion\nntpversion 1\nntpversion 5\nntpversion 0\nntpversion x\nntpversion 4\n", case("set-ntpversion", "synced.toml", &["-n"])),
    case("set-ntpversion-apeers", "synced.toml", &["-n", "-c", "ntpversion 1", "-c", "apeers", "-c", "ntpversion 3", "-c", "apeers"]),
    with_stdin("debug\ndebug more\ndebug more\ndebug less\ndebug no\ndebug less\ndebug 3\ndebug x\n", case("set-debug", "synced.toml", &["-n"])),
    with_stdin(concat!("logfile\nlogfile ", log_file_2!(), "\nlogfile\nlogfile <stderr>\nlogfile\n"), case("set-logfile", "synced.toml", &["-n"])),
    case("set-logfile-fails", "synced.toml", &["-n", "-c", "logfile /nonexistent/dir/log", "-c", "logfile"]),
    case("set-version", "synced.toml", &["-c", "version", "-c", "vers"]),
    case("set-poll", "synced.toml", &["-c", "poll", "-c", "poll 5 verbose"]),
    with_stdin("doflake\ndoflake 2\ndoflake 0\ndoflake x\ndoflake 0.5\n", case("set-doflake", "synced.toml", &["-n"])),
    with_stdin("noflake\nrv 0 stratum\n", case("set-noflake", "synced.toml", &["-n"])),
    case("set-noflake-abbreviated", "synced.toml", &["-n", "-c", "nofl", "-c", "rv 0 stratum"]),
    // variable list
    with_stdin("addvars\nrmvars\n", case("vl-usage", "synced.toml", &["-n"])),
    with_stdin("showvars\nclearvars\nshowvars\n", case("vl-empty", "synced.toml", &["-n"])),
    with_stdin("addvars leap,stratum\nshowvars\naddvars stratum=3,tai\nshowvars\n", case("vl-add-update", "synced.toml", &["-n"])),
    with_stdin("addvars  a = 1 , b=2=3,c=,d\nshowvars\n", case("vl-pieces", "synced.toml", &["-n"])),
    with_stdin("addvars a,b,c\nrmvars b\nrmvars zz,a\nrmvars  c\nshowvars\nclearvars\nshowvars\n", case("vl-rmvars", "synced.toml", &["-n"])),
    with_stdin("addvars leap,stratum\nrl\nreadlist\nrl &1\naddvars srcadr\nrl &1\n", case("vl-readlist", "synced.toml", &["-n"])),
    with_stdin("rl 0\nreadlist &1\n", case("vl-readlist-empty-list", "synced.toml", &["-n"])),
    with_stdin("addvars nosuchvar\nrl\n", case("vl-readlist-unknown", "synced.toml", &["-n"])),
    with_stdin("mreadvar\nmrv\nmreadlist\nmrl\n", case("vl-mrv-usage", "synced.toml", &["-n"])),
    with_stdin("mrv 1\nmrl 5\nmreadvar &1\n", case("vl-mrv-one-token", "synced.toml", &["-n"])),
    case("vl-mrv-gap", "synced.toml", &["-n", "-c", "mrv &1 &4 srcadr"]),
    case("vl-mrv-full", "synced.toml", &["-n", "-c", "mreadvar &1 &2"]),
    case("vl-mrv-ids", "synced.toml", &["-n", "-c", "mrv 17767 17770 srcadr"]),
    case("vl-mrv-same", "synced.toml", &["-n", "-c", "mrv &2 &2 srcadr,stratum"]),
    with_stdin("mrv &4 &1\nmrv &x &1\nmrv 0 &99\nmrv zz 5\nmrv 0x1 &1\n", case("vl-mrv-bad-ends", "synced.toml", &["-n"])),
    with_stdin("addvars srcadr,stratum\nmrl &1 &2\nmreadlist &2 &3\n", case("vl-mrl", "synced.toml", &["-n"])),
    case("vl-cv-0", "synced.toml", &["-n", "-c", "cv 0"]),
    case("vl-cv-bare", "synced.toml", &["-n", "-c", "cv"]),
    case("vl-cl-bare", "synced.toml", &["-n", "-c", "cl"]),
    case("vl-cl-0", "synced.toml", &["-n", "-c", "clocklist 0"]),
    case("vl-cl-refclock", "synced.toml", &["-n", "-c", "addvars name,device", "-c", "cl &4"]),
    case("vl-cv-not-a-clock", "synced.toml", &["-n", "-c", "cv &1"]),
    case("vl-cl-no-refclock", "unsynced.toml", &["-n", "-c", "cl", "-c", "cv 0"]),
    case("vl-cv-raw", "synced.toml", &["-n", "-c", "raw", "-c", "clockvar &4 name,device"]),
    with_stdin("writevar 0 a=1\nwritelist\nwritevar\nwritelist &1\n", case("vl-write", "synced.toml", &["-n"])),
    // readvar family more
    case("assoc-amp0", "synced.toml", &["-n", "-c", "rv &0"]),
    case("assoc-amp-x", "synced.toml", &["-n", "-c", "rv &x"]),
    case("assoc-amp-huge", "synced.toml", &["-n", "-c", "rv &99999"]),
    case("assoc-amp-negative", "synced.toml", &["-n", "-c", "rv &-1"]),
    case("assoc-amp-limits", "synced.toml", &["-n", "-c", "rv &65535", "-c", "rv &65534"]),
    case("assoc-hex", "synced.toml", &["-n", "-c", "rv 0x1", "-c", "rv 0b1", "-c", "rv 0o17"]),
    case("assoc-decimal-forms", "synced.toml", &["-n", "-c", "rv 017770 srcadr", "-c", "rv 17_770 srcadr", "-c", "rv +17770 srcadr"]),
    case("assoc-negative", "synced.toml", &["-n", "-c", "rv -1"]),
    case("assoc-float", "synced.toml", &["-n", "-c", "rv 1.5"]),
    case("assoc-zero-forms", "synced.toml", &["-n", "-c", "rv 00 stratum", "-c", "rv -0 stratum"]),
    case("as-passoc-before-fetch", "synced.toml", &["-n", "-c", "passociations", "-c", "lpassociations"]),
    case("as-lassociations", "synced.toml", &["-n", "-c", "lassociations", "-c", "lpassociations"]),
    case("as-empty-passoc", "empty.toml", &["-n", "-c", "as", "-c", "passociations", "-c", "lassociations"]),
    case("as-empty-rv-repeats-readstat", "empty.toml", &["-n", "-c", "rv 0 stratum", "-c", "rv 0 leap", "-c", "rv &1"]),
    case("as-empty-peers", "empty.toml", &["-n", "-p", "-c", "apeers"]),
    case("as-cache-across-hosts", "synced.toml", &["-n", "-c", "rv &1 srcadr", "{host}", "{host2}"]),
    case("rv-timeout", "faults_silent.toml", &["-n", "-c", "timeout 200", "-c", "rv 0 stratum", "-c", "as", "-c", "rv &1"]),
    case("rv-timeout-peers", "faults_silent.toml", &["-n", "-c", "timeout 100", "-p"]),
    case("rv-unknownvar-peer", "synced.toml", &["-n", "-c", "rv &1 nosuchvar", "-c", "rv 0 stratum,nosuch"]),
    case("rv-badassoc-cl", "unsynced.toml", &["-n", "-c", "clocklist"]),
    case("rv-value-syntax", "synced.toml", &["-n", "-c", "rv 0 stratum=3", "-c", "rv 0 stratum,"]),
    case("rv-raw-status", "synced.toml", &["-n", "-c", "raw", "-c", "rv &2"]),
    case("rv-units-peer-names", "synced.toml", &["-n", "-u", "-c", "rv &1 delay,offset,jitter,rootdisp"]),
    case("rv-comma-space", "synced.toml", &["-n", "-c", "rv 0 stratum, leap", "-c", "help  rv"]),
    case("opt-W-zero", "synced.toml", &["-n", "-W", "0", "-p"]),
    case("opt-W-negative", "synced.toml", &["-n", "-W", "-5", "-p"]),
    case("opt-a-missing", "synced.toml", &["{nohost}", "-a"]),
    case("two-hosts-peers-first-fails", "synced.toml", &["-n", "-p", long_host!(), "{host}"]),
    case("two-hosts-first-fails-as", "synced.toml", &["-n", "-c", "rv 0 stratum", "-c", "as", long_host!(), "{host}"]),
    case("set-host-switch-keeps-cache", "synced.toml", &["-n", "-c", "rv &2 srcadr", "-c", "host {host2}", "-c", "rv &2 srcadr", "-c", "as"]),
    with_stdin("rv 0 stratum\nhost\nhost {host}\nrv 0 stratum\n", case("interactive-first-host-fails", "synced.toml", &["-n", long_host!(), "{host}"])),
    with_stdin("addvars stratum=3,leap\nrl\nmrl &1 &1\ncl &4\n", case("vl-values-not-sent", "synced.toml", &["-n"])),
    with_stdin("mrv &1 &2 srcadr=1\nmrv 0 0\nmrv 0 &1 stratum\n", case("vl-mrv-zero-and-values", "synced.toml", &["-n"])),
    case("opt-D-negative", "synced.toml", &["-D", "-1", "-n", "-c", "rv 0 stratum", "-c", "debug"]),
    with_stdin("debug -3\ndebug less\ndebug more\ndebug 500\ndebug\n", case("set-debug-signed", "synced.toml", &["-n"])),
    with_stdin("keytype sha-1\nkeytype SHA3-256\nkeytype ripemd160\nkeytype md4\nkeytype aes-128-cbc\nkeytype AES-256\nkeytype des\nkeytype shake128\nkeytype camellia-128\nkeytype chacha20\nkeytype\n", case("set-keytype-openssl-names", "synced.toml", &["-n"])),
    with_stdin("keyid -1\nkeyid\nkeyid 4294967296\nkeyid +3\n", case("set-keyid-any-integer", "synced.toml", &["-n"])),
    case("opt-a-negative", "synced.toml", &["-a", "-7", "-c", "keyid"]),
    with_stdin("timeout 5000x\ntimeout  300 \ndelay +5\ndelay\nntpversion +2\nntpversion 2.0\n", case("set-number-forms", "synced.toml", &["-n"])),
    // authentication (simulator with [auth]: ntpd 1.2.2's 8-octet MAC alignment)
    case("auth-ifstats", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "1", "-c", "ifstats"]),
    case("auth-reslist", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "1", "-c", "reslist"]),
    case("auth-sha1-ifstats", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "2", "-c", "ifstats", "-c", "reslist"]),
    case("auth-aes-ifstats", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "3", "-c", "ifstats"]),
    case("auth-raw-lists", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "1", "-c", "raw", "-c", "ifstats", "-c", "reslist"]),
    case("auth-config-ok", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "1", "-c", ":config tos maxclock 12"]),
    case("auth-config-syntax", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "1", "-c", ":config tos bogus 12"]),
    case("auth-config-syntax-col1", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "1", "-c", ":config bogus"]),
    case("auth-config-syntax-beyond", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "1", "-c", ":config tos maxclock"]),
    case("auth-config-nomodify", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "1", "-c", ":config nomodify please"]),
    case("auth-config-restrict-reslist", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "1", "-c", ":config restrict 10.9.8.7 nomodify", "-c", "reslist"]),
    case("auth-noncontrol-key", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "5", "-c", "ifstats", "-c", "keyid"]),
    case("auth-untrusted-key", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "6", "-c", "reslist"]),
    case("auth-unknown-key", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "7", "-c", ":config tos maxclock 12"]),
    case("auth-wrong-key", "auth.toml", &["-n", "-k", "{scenarios}/auth-wrong.keys", "-a", "1", "-c", "ifstats", "-c", "ifstats"]),
    case("auth-sha256-noncontrol", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "4", "-c", "reslist"]),
    case("auth-no-keyid-not-tty", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-c", "ifstats", "-c", "passwd", "-c", ":config tos maxclock 12"]),
    case("auth-passwd-keytype", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "3", "-c", "keytype", "-c", "passwd", "-c", "keytype", "-c", "keyid"]),
    case("auth-passwd-sha1-keytype", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "2", "-c", "passwd", "-c", "keytype"]),
    case("auth-cff-no-credentials", "auth.toml", &["-n", "-c", "config-from-file {scenarios}/auth-config.txt", "-c", "rv 0 stratum", "{host}", "{host2}"]),
    case("auth-cff-true", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "1", "-c", "passwd", "-c", "config-from-file {scenarios}/auth-config.txt", "-c", "rv 0 stratum"]),
    case("auth-cff-false", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "1", "-c", "passwd", "-c", "config-from-file {scenarios}/auth-config-bad.txt"]),
    case("auth-cff-too-large", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "1", "-c", "passwd", "-c", "config-from-file {scenarios}/auth-config-big.txt", "-c", "rv 0 stratum"]),
    with_stdin("rv 0 stratum\nconfig-from-file {scenarios}/auth-config.txt\nrv 0 leap\n", case("auth-cff-ends-script", "auth.toml", &["-n"])),
    with_stdin("keyid 1\nconfig-from-file {scenarios}/auth-config.txt\nrv 0 leap\n", case("auth-cff-keyid-no-password", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys"])),
    case("auth-server-error-clears-keyid", "auth.toml", &["-n", "-a", "5", "-c", "keyid", "-c", "rv 0 nosuchvar", "-c", "keyid"]),
    case("auth-unusable-key-type", "auth.toml", &["-n", "-k", "{scenarios}/auth-unusable.keys", "-a", "1", "-c", "passwd", "-c", "keytype", "-c", "ifstats", "-c", "keyid", "-c", "reslist"]),
    case("auth-keyfile-directory", "auth.toml", &["-n", "-k", "{scenarios}", "-c", "rv 0 stratum"]),
    case("auth-cff-unreadable", "auth.toml", &["-n", "-c", "config-from-file /nonexistent/ntpq-rs.conf", "-c", "rv 0 stratum"]),
    case("auth-cff-permission-ends-run", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "5", "-c", "passwd", "-c", "config-from-file {scenarios}/auth-config.txt", "-c", "rv 0 stratum", "{host}", "{host2}"]),
    case("auth-authenticate-no-credentials", "auth.toml", &["-n", "-c", "authenticate yes", "-c", "rv 0 stratum", "-c", "peers", "-c", "rv &1 srcadr"]),
    case("auth-authenticate-signed", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "1", "-c", "passwd", "-c", "authenticate yes", "-c", "rv 0 stratum", "-c", "as", "-c", "authenticate no", "-c", "rv 0 leap"]),
    case("auth-keyfile-unsigned-reply", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-c", "rv 0 stratum", "-c", "rv 0 leap"]),
    case("auth-keyfile-signed-then-unsigned", "auth.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "1", "-c", "reslist", "-c", "rv 0 stratum"]),
    case("auth-keyfile-missing", "auth.toml", &["-n", "-k", "/nonexistent/ntp.keys", "-c", "rv 0 stratum"]),
    case("auth-head-reslist", "auth_head.toml", &["-n", "-k", "{scenarios}/auth.keys", "-a", "1", "-c", "reslist"]),
];

/// Suite ids in the loopback address (127.<suite>.x.y): one per test
/// function, as the test functions of this file run in parallel too.
const SUITE_OURS: u8 = 61;
const SUITE_SELF_CHECK: u8 = 63;
/// Cases run at once.
const PARALLEL: usize = 4;

#[derive(Default)]
struct Differences {
    /// (reference status, accepted ours, only when reference stderr non-empty)
    exit_status: Vec<(i32, i32, bool)>,
    skip_cases: Vec<String>,
    /// (line prefix, after, before)
    masks: Vec<(String, String, String)>,
    /// Prefixes of the stderr lines ours adds (see `drop_added`).
    added_lines: Vec<String>,
}

fn load_differences() -> Differences {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("differences.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: ntpd_sim::toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Differences::default();
    let list = doc
        .get("difference")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    for d in list {
        let kind = d.get("kind").and_then(|v| v.as_str()).unwrap_or("");
        match kind {
            "exit_status" => {
                let get = |k: &str| {
                    d.get(k)
                        .and_then(|v| v.as_integer())
                        .unwrap_or_else(|| panic!("difference: missing {k}"))
                        as i32
                };
                let when = d.get("when").and_then(|v| v.as_str()).unwrap_or("always");
                let only_on_error = match when {
                    "always" => false,
                    "reference_stderr_nonempty" => true,
                    other => panic!("differences.toml: unknown condition {other:?}"),
                };
                out.exit_status
                    .push((get("reference"), get("ours"), only_on_error));
            }
            "skip_cases" => {
                for c in d
                    .get("cases")
                    .and_then(|v| v.as_array())
                    .cloned()
                    .unwrap_or_default()
                {
                    out.skip_cases
                        .push(c.as_str().unwrap_or_default().to_string());
                }
            }
            "mask" => {
                let get = |k: &str| {
                    d.get(k)
                        .and_then(|v| v.as_str())
                        .unwrap_or_else(|| panic!("differences.toml: mask without {k}"))
                        .to_string()
                };
                out.masks
                    .push((get("line_prefix"), get("after"), get("before")));
            }
            "added_lines" => {
                let prefix = d
                    .get("line_prefix")
                    .and_then(|v| v.as_str())
                    .unwrap_or_else(|| panic!("differences.toml: added_lines without line_prefix"));
                out.added_lines.push(prefix.to_string());
            }
            // Listed for completeness; no case shows them.
            "documented" => {}
            other => panic!("differences.toml: unknown kind {other:?}"),
        }
    }
    out
}

impl Differences {
    fn mask(&self, text: &str) -> String {
        if self.masks.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            let mut line = line.to_string();
            for (prefix, after, before) in &self.masks {
                if !line.starts_with(prefix.as_str()) {
                    continue;
                }
                if let Some(a) = line.find(after.as_str()) {
                    let from = a + after.len();
                    if let Some(b) = line[from..].find(before.as_str()) {
                        line.replace_range(from..from + b, "...");
                    }
                }
            }
            out.push_str(&line);
        }
        out
    }

    /// Our stderr without the lines we add: those starting with an
    /// `added_lines` prefix that the reference's stderr does not have.
    fn drop_added(&self, reference: &str, ours: &str) -> String {
        if self.added_lines.is_empty() {
            return ours.to_string();
        }
        let theirs: Vec<&str> = reference.split_inclusive('\n').collect();
        ours.split_inclusive('\n')
            .filter(|line| {
                let added = self
                    .added_lines
                    .iter()
                    .any(|p| line.starts_with(p.as_str()));
                !added || theirs.contains(line)
            })
            .collect()
    }

    /// Applies the masks to both outputs.
    fn normalize(&self, o: &RunOutput) -> RunOutput {
        RunOutput {
            stdout: self.mask(&shown(&o.stdout)),
            stderr: self.mask(&shown(&o.stderr)),
            status: o.status,
        }
    }

    fn same(&self, want: &RunOutput, got: &RunOutput) -> bool {
        if want.stdout != got.stdout || want.stderr != got.stderr {
            return false;
        }
        want.status == got.status
            || self.exit_status.iter().any(|&(r, o, only_on_error)| {
                want.status == r && got.status == o && (!only_on_error || !want.stderr.is_empty())
            })
    }
}

enum Verdict {
    Pass,
    Fail(String),
    ExpectedDiff,
    Skipped,
}

/// Replaces `{host}` and `{host2}` in `text`, and `{scenarios}` by the
/// scenario directory (whose key files are made private first: both
/// programs would otherwise warn about them, ours differently).
fn substitute(text: &str, h1: Ipv4Addr, h2: Ipv4Addr) -> String {
    let mut text = text
        .replace("{host}", &h1.to_string())
        .replace("{host2}", &h2.to_string());
    if text.contains("{scenarios}") {
        static PRIVATE: std::sync::Once = std::sync::Once::new();
        let dir = ntpq_conformance::sim::scenario_path("");
        PRIVATE.call_once(|| {
            use std::os::unix::fs::PermissionsExt;
            for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                if e.path().extension().is_some_and(|x| x == "keys") {
                    let _ =
                        std::fs::set_permissions(e.path(), std::fs::Permissions::from_mode(0o600));
                }
            }
        });
        text = text.replace(
            "{scenarios}",
            dir.to_str().unwrap_or("").trim_end_matches('/'),
        );
    }
    text
}

fn uses_host2(c: &Case) -> bool {
    c.args.iter().any(|a| a.contains("{host2}")) || c.stdin.contains("{host2}")
}

fn host_args(c: &Case, h1: Ipv4Addr, h2: Ipv4Addr) -> Vec<String> {
    let mut args: Vec<String> = c.args.iter().map(|a| substitute(a, h1, h2)).collect();
    // Placeholders only count as "the host" when they are whole arguments;
    // `{nohost}` (dropped) asks for no host at all.
    if !c
        .args
        .iter()
        .any(|a| matches!(*a, "{host}" | "{host2}" | "{nohost}"))
    {
        args.push(h1.to_string());
    }
    args.retain(|a| a != "{nohost}");
    args
}

/// Runs one case: `first` is the reference, `second` the binary under test.
fn run_case(
    suite: u8,
    i: usize,
    c: &Case,
    first: &Path,
    second: &Path,
    diffs: &Differences,
    self_check: bool,
) -> Verdict {
    let h1 = loopback(suite, 2 * i);
    let h2 = loopback(suite, 2 * i + 1);
    let Some(_sim1) = start_on_123(h1, c.scenario) else {
        return Verdict::Skipped;
    };
    let _sim2 = if uses_host2(c) {
        match start_on_123(h2, c.scenario) {
            Some(s) => Some(s),
            None => return Verdict::Skipped,
        }
    } else {
        None
    };
    let args = host_args(c, h1, h2);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let stdin = substitute(c.stdin, h1, h2);
    let mut want = diffs.normalize(&run(first, &args, &stdin));
    let mut got = diffs.normalize(&run(second, &args, &stdin));
    got.stderr = diffs.drop_added(&want.stderr, &got.stderr);
    if !c.compare_stderr {
        // Kept non-empty when the reference's is, for the exit-status rules.
        let marker = if want.stderr.is_empty() {
            ""
        } else {
            "(not compared)\n"
        };
        want.stderr = marker.to_string();
        got.stderr = marker.to_string();
    }
    let label = format!(
        "{} ({}: ntpq {} <<< {:?})",
        c.name,
        c.scenario,
        args.join(" "),
        stdin
    );
    if diffs.same(&want, &got) {
        Verdict::Pass
    } else if !self_check && diffs.skip_cases.iter().any(|s| s == c.name) {
        Verdict::ExpectedDiff
    } else {
        Verdict::Fail(diff_report(&label, &want, &got))
    }
}

/// Runs the table with up to PARALLEL cases at once; panics listing failures.
fn run_table(first: &Path, second: &Path, diffs: &Differences, self_check: bool) {
    let filter = std::env::var("DIFF_FILTER").unwrap_or_default();
    let selected: Vec<(usize, &Case)> = CASES
        .iter()
        .enumerate()
        .filter(|(_, c)| c.name.contains(&filter))
        .collect();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Verdict)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..PARALLEL {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::SeqCst);
                let Some(&(i, c)) = selected.get(k) else {
                    break;
                };
                let suite = if self_check {
                    SUITE_SELF_CHECK
                } else {
                    SUITE_OURS
                };
                let v = run_case(suite, i, c, first, second, diffs, self_check);
                results.lock().unwrap().push((i, v));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.0);
    let (mut pass, mut expected, mut skipped) = (0, 0, 0);
    let mut failures = Vec::new();
    for (i, v) in results {
        let name = CASES[i].name;
        match v {
            Verdict::Pass => pass += 1,
            Verdict::ExpectedDiff => expected += 1,
            Verdict::Skipped => skipped += 1,
            Verdict::Fail(report) => failures.push((name, report)),
        }
    }
    eprintln!(
        "differential: {pass} passed, {} failed, {expected} deliberate differences, {skipped} skipped",
        failures.len()
    );
    if !failures.is_empty() {
        let names: Vec<&str> = failures.iter().map(|f| f.0).collect();
        let reports: Vec<String> = failures.into_iter().map(|f| f.1).collect();
        panic!(
            "{} case(s) differ: {}\n\n{}",
            names.len(),
            names.join(", "),
            reports.join("\n")
        );
    }
}

#[test]
fn ours_matches_reference() {
    if !have(&[Need::ReferenceNtpq, Need::Port123]) {
        return;
    }
    let diffs = load_differences();
    run_table(Path::new(REFERENCE_NTPQ), &ntpq_rs(), &diffs, false);
    for f in LOG_FILES {
        let _ = std::fs::remove_file(f);
    }
}

/// The harness itself: the reference against itself must agree on every
/// case (this checks the simulator's determinism and the scenarios).
/// Opt-in (`DIFF_SELF_CHECK=1`): it runs the reference twice per case.
#[test]
fn harness_self_check_reference_against_itself() {
    if !matches!(std::env::var("DIFF_SELF_CHECK").as_deref(), Ok(v) if !v.is_empty() && v != "0") {
        return;
    }
    if !have(&[Need::ReferenceNtpq, Need::Port123]) {
        return;
    }
    // No deliberate differences, only the masks of unreproducible text.
    let exact = Differences {
        masks: load_differences().masks,
        ..Differences::default()
    };
    run_table(
        Path::new(REFERENCE_NTPQ),
        Path::new(REFERENCE_NTPQ),
        &exact,
        true,
    );
    for f in LOG_FILES {
        let _ = std::fs::remove_file(f);
    }
}

#[test]
fn case_names_are_unique_and_table_is_large_enough() {
    let mut names: Vec<&str> = CASES.iter().map(|c| c.name).collect();
    names.sort_unstable();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n, "duplicate case names");
    assert!(n >= 40);
    for c in CASES {
        assert!(
            ntpq_conformance::sim::scenario_path(c.scenario).exists(),
            "{}: missing scenario {}",
            c.name,
            c.scenario
        );
    }
    let d = load_differences();
    for s in &d.skip_cases {
        assert!(
            CASES.iter().any(|c| c.name == s),
            "differences.toml names unknown case {s}"
        );
    }
}
