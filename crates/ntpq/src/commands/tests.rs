//! The command table, dispatch and the handlers, in-process: an
//! interpreter writing to memory, talking to the simulator's server core
//! (`crate::testing`). No sockets, no root, no ntpsec.

use super::*;
use crate::interpreter::Flow;
use crate::testing::{Harness, SILENT};

/// A small server: system variables, two peers, authentication as
/// ntpd 1.2.2 does it (`{align}` 8) or 1.2.3+ (4), and a failing
/// association (READVAR of 3 → error 7, BADASSOC... as `code`).
pub(super) fn scenario(align: u8) -> String {
    format!(
        r#"
[system]
status = 0x0615
variables = ["leap=0", "stratum=2", "precision=-24", "offset=-0.123456"]
default = ["leap", "stratum", "offset"]

[[peer]]
associd = 11
status = 0x961a
variables = ["srcadr=192.0.2.10", "srcport=123", "stratum=1", "reach=0xff"]

[[peer]]
associd = 12
status = 0x9424
variables = ["srcadr=192.0.2.11", "srcport=123", "stratum=2", "reach=0x7f"]

[auth]
keys = ["1 MD5 md5-secret-key", "2 SHA1 0123456789abcdef0123456789abcdef01234567"]
controlkey = 1
align = {align}
ifstats = ['addr=127.0.0.1:123, bcast=, en=1, name="lo", flags=0x5, rx=5, tx=2, txerr=0, pc=0, up=146']
reslist = ['addr=127.0.0.9, mask=255.255.255.255, hits=0, flags=ntpport interface ignore']
config = [["tos bogus 12", "column 5 syntax error"]]

[faults]
errors = [{{ opcode = 2, associd = 12, code = 7 }}]
"#
    )
}

pub(super) const KEYS: &str =
    "1 MD5 md5-secret-key\n2 SHA1 0123456789abcdef0123456789abcdef01234567\n";

fn sim() -> Harness {
    Harness::new(&scenario(8))
}

// ---- the table ----

#[test]
fn table_is_sorted_and_unique() {
    let names: Vec<_> = TABLE.iter().map(|c| c.name).collect();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(names, sorted);
}

#[test]
fn every_command_has_help_that_names_it() {
    for c in TABLE {
        let first = c.help.lines().next().unwrap_or("");
        assert!(!first.is_empty(), "{}", c.name);
        if let Some(usage) = c.usage {
            assert!(usage.starts_with("usage: "), "{}", c.name);
        }
    }
}

#[test]
fn every_offered_word_is_accepted() {
    // A word completion offers must not make the handler complain.
    for c in TABLE {
        let (Args::Words(words) | Args::WordsOrNumber(words)) = c.args else {
            continue;
        };
        for w in words {
            let mut h = sim();
            let ran = h.run(&format!("{} {w}", c.name));
            assert!(!ran.failed, "{} {w}: {ran:?}", c.name);
            assert!(!ran.stdout.contains("What?"), "{} {w}: {ran:?}", c.name);
        }
    }
    for k in Args::KeyType.words() {
        let ran = sim().run(&format!("keytype {k}"));
        assert!(!ran.failed, "keytype {k}: {ran:?}");
    }
}

#[test]
fn mrulist_words_come_from_the_protocol_crate() {
    let words = Args::MruTags.words();
    for w in [
        "mincount=",
        "kod",
        "limited",
        "sort=-count",
        "direct",
        "stats",
    ] {
        assert!(words.iter().any(|x| x == w), "{w}");
    }
    for k in SortKey::NAMES {
        assert!(SortKey::parse(k).is_some(), "{k}");
    }
    for w in &words {
        let arg = match w.as_str() {
            "laddr=" => "laddr=127.0.0.1".to_string(),
            // Only with follow.
            "interval=" | "duration=" => format!("follow {w}1"),
            w if w.ends_with('=') => format!("{w}1"),
            w => w.to_string(),
        };
        assert!(
            ntp_control::mru::parse_mrulist_args(&arg).is_ok(),
            "{arg} is refused"
        );
    }
}

// ---- dispatch and prefix matching ----

#[test]
fn exact_prefix_unknown_and_ambiguous() {
    let mut h = sim();
    assert_eq!(h.run("version").stdout, "ntpsec-1.2.2\n");
    assert_eq!(h.run("vers").stdout, "ntpsec-1.2.2\n");
    let ran = h.run("p");
    assert_eq!(ran.stderr, "***Command `p' ambiguous\n");
    assert!(ran.failed);
    assert_eq!(h.run("zzz").stderr, "***Command `zzz' unknown\n");
    assert_eq!(h.run("!ls").stderr, "Command `!ls' is unknown\n");
    let ran = h.run("   ");
    assert_eq!((ran.stdout.as_str(), ran.failed), ("", false));
}

#[test]
fn quit_only_when_typed_in_full() {
    let mut h = sim();
    assert_eq!(h.run("quit").flow, Flow::Quit);
    assert_eq!(h.run("exit").flow, Flow::Quit);
    assert_eq!(h.run("qu").flow, Flow::Continue);
    let ran = h.run("EOF");
    assert_eq!((ran.flow, ran.stdout.as_str()), (Flow::Quit, "\n"));
}

#[test]
fn help_through_the_table() {
    let mut h = sim();
    assert!(h.run("help").stdout.contains("Documented commands"));
    assert_eq!(
        h.run("? rv").stdout,
        TABLE.iter().find(|c| c.name == "rv").unwrap().help
    );
    assert_eq!(h.run("help EOF").stdout, super::help_texts::EOF);
    assert_eq!(h.run("help zz").stdout, "*** No help on zz\n");
    // `help` abbreviated checks its argument first.
    assert_eq!(h.run("he zz").stderr, "Command `zz' is unknown\n");
    assert_eq!(h.run("he p").stderr, "Command `p' is ambiguous\n");
    assert_eq!(h.run("he peers").stdout, super::help_texts::PEERS);
    assert_eq!(h.run("help re").stderr, "Command `re' is ambiguous.\n");
}

#[test]
fn every_occurrence_of_a_prefix_is_replaced() {
    // 1.2.2 replaces the prefix everywhere in the line: `readv` in the
    // variable name becomes `readvar` too, and the server does not know it.
    let mut h = sim();
    let ran = h.run("readv 0 stratum");
    assert_eq!(ran.stdout, "stratum=2\n");
    let ran = h.run("hostnames hostname");
    assert!(
        ran.stdout.contains("supplied hostnames being shown"),
        "{ran:?}"
    );
    let ran = h.run("hostn hostnum");
    assert!(
        ran.stdout.starts_with("What?\n"),
        "hostnames hostnamesum: {ran:?}"
    );
}

#[test]
fn special_names_reach_their_handlers() {
    // `:config` and `config-from-file` are renamed before parsing.
    let mut h = Harness::with_auth(&scenario(8), Some(KEYS), &[]);
    h.run("keyid 1");
    let ran = h.run(":config tos bogus 12");
    assert_eq!(
        ran.stdout, "tos bogus 12\n____^\ncolumn 5 syntax error\n",
        "{ran:?}"
    );
    let ran = h.run("config-from-file /nonexistent/ntpq-rs-test");
    assert_eq!(ran.stderr, "Could not read /nonexistent/ntpq-rs-test\n");
}

#[test]
fn usage_texts_follow_the_word_typed() {
    let mut h = sim();
    for (line, want) in [
        (
            "mrv",
            "usage: mrv assocIDlow assocIDhigh [name=value[,...]]\n",
        ),
        (
            "mreadvar",
            "usage: mreadvar assocIDlow assocIDhigh  [ name=value[,...] ]\n",
        ),
        ("mrl", "usage: mrl assocIDlow assocIDhigh\n"),
        ("mreadlist", "usage: mreadlist assocIDlow assocIDhigh\n\n"),
        ("addvars", "usage: addvars name[=value][,...]\n\n"),
        ("rmvars", "usage: rmvars name[,...]\n\n"),
        ("pstats", "usage: pstats assocID\n"),
    ] {
        let ran = h.run(line);
        assert_eq!(ran.stderr, want, "{line}");
        assert!(ran.failed, "{line}");
    }
}

// ---- association ids ----

#[test]
fn association_arguments() {
    let mut h = sim();
    // The cache is filled on first use: &1 is the first association.
    let ran = h.run("rv &1 stratum");
    assert_eq!(ran.stdout, "stratum=1\n", "{ran:?}");
    assert_eq!(h.run("rv 11 stratum").stdout, "stratum=1\n");
    assert_eq!(h.run("rv 0 stratum").stdout, "stratum=2\n");
    for (line, err) in [
        ("rv &3", "No such association as 3."),
        ("rv &0", "No such association as 0."),
        ("rv &x", "Invalid index literal."),
        ("rv &0x1", "Invalid index literal."),
        ("rv &70000", "70000 is not a valid association number."),
        ("rv abc", "Invalid associd literal."),
        ("rv 5", "Unknown associd."),
    ] {
        let ran = h.run(line);
        assert_eq!(ran.stderr, format!("{err}\n"), "{line}");
        assert!(ran.failed, "{line}");
    }
}

#[test]
fn a_failing_readstat_is_reported_and_parsing_goes_on() {
    let mut h = Harness::new(SILENT);
    let ran = h.run("rv 7");
    assert_eq!(
        ran.stderr, "***Request timed out\n\nUnknown associd.\n",
        "{ran:?}"
    );
    assert!(ran.failed);
}

#[test]
fn association_ranges_report_each_bad_end() {
    let mut h = sim();
    let ran = h.run("mrv 11 x");
    assert_eq!(ran.stderr, "Invalid associd literal.\n");
    assert!(ran.failed);
    let ran = h.run("mrv 11 11 stratum");
    assert_eq!(ran.stdout, "associd=11 stratum=1\n", "{ran:?}");
}

// ---- handlers' error paths ----

#[test]
fn settings_errors() {
    let mut h = sim();
    for (line, out, err) in [
        ("timeout x", "primary timeout 5000 ms\n", "What?\n"),
        ("keyid x", "no keyid defined\n", "What?\n"),
        (
            "ntpversion 9",
            "NTP version being claimed is 2\n",
            "versions 1 to 4, please\n",
        ),
        (
            "ntpversion x",
            "NTP version being claimed is 2\n",
            "What?\n",
        ),
        (
            "debug x",
            "debug level is 0\n",
            "What?\nntpq: debug takes more, less, no or a number\n",
        ),
        (
            "authenticate maybe",
            "unauthenticated requests being sent\n",
            "What?\nntpq: authenticate takes yes or no\n",
        ),
        (
            "keytype bogus",
            "",
            "Keytype bogus is not supported by openSSL or ntpq.\n\n\
             ntpq: key types ntpq-rs signs with: MD5, SHA1, SHA224, SHA256, SHA384, SHA512, \
             SHA512-224, SHA512-256, SHA3-224, SHA3-256, SHA3-384, SHA3-512, AES-128, AES-192, \
             AES-256, RIPEMD160, BLAKE2B512, BLAKE2S256, SM3, MD5-SHA1, SHAKE128, SHAKE256, \
             ARIA-128, ARIA-192, ARIA-256, CAMELLIA-128, CAMELLIA-192, CAMELLIA-256, SM4\n",
        ),
        ("poll", "", "WARNING: poll not implemented yet\n"),
    ] {
        let ran = h.run(line);
        assert_eq!(
            (ran.stdout.as_str(), ran.stderr.as_str()),
            (out, err),
            "{line}"
        );
        assert!(ran.failed, "{line}");
    }
    // Not failures in the reference's eyes.
    for (line, out) in [
        (
            "doflake 2",
            "Flakiness must be a (positive) float less than 1.",
        ),
        ("delay x", "Huh?"),
        (
            "hostnames x",
            "What?\nresolved hostnames not being shown\nsupplied hostnames not being shown\n",
        ),
    ] {
        let ran = h.run(line);
        assert_eq!(ran.stdout, out, "{line}");
        assert!(!ran.failed, "{line}");
    }
    let ran = h.run("logfile /nonexistent/dir/log");
    assert_eq!(
        ran.stderr,
        "Could not open /nonexistent/dir/log for logging.\n"
    );
}

#[test]
fn host_changes() {
    let mut h = sim();
    assert_eq!(h.run("host").stdout, "current host is sim\n");
    let ran = h.run("host nowhere");
    assert_eq!(ran.stdout, "current host remains sim\n");
    assert_eq!(ran.stderr, "ntpq: lookup of nowhere failed\n");
    assert!(ran.failed);
    let ran = h.run("host -4");
    assert_eq!(
        (ran.stdout.as_str(), ran.failed),
        ("current host remains sim\n", false)
    );
    assert_eq!(h.run("host sim").stdout, "current host set to sim\n");
}

#[test]
fn no_host_open() {
    let mut h = sim();
    h.interp.close_host();
    let ran = h.run("rv");
    assert_eq!(ran.stderr, "***No host open\n\n");
    assert!(ran.failed);
    assert_eq!(h.run("host").stdout, "no current host\n");
}

#[test]
fn server_errors_and_timeouts() {
    let mut h = sim();
    let ran = h.run("rv 12");
    assert!(ran.stderr.starts_with("***"), "{ran:?}");
    assert!(ran.failed);
    let ran = h.run("clockvar 0");
    assert_eq!(
        ran.stderr,
        "This command requires the association ID of a clock.\n"
    );
    let mut h = Harness::new(SILENT);
    let ran = h.run("rv");
    // 1.2.2's message, then the host, its address and the likely causes.
    assert_eq!(
        ran.stderr,
        "***Request timed out\n\nntpq: no answer from sim (127.0.0.1:123) within 5000 ms: \
         is ntpd running there? A `restrict ... noquery` line for this client, or a \
         firewall dropping UDP port 123, looks the same\n"
    );
    assert!(ran.failed);
    // Two attempts (the reference's), on the virtual clock: no waiting.
    assert_eq!(h.requests(), 2);
}

#[test]
fn peers_and_associations() {
    let mut h = sim();
    let ran = h.run("associations");
    assert!(ran.stdout.contains(" 11 "), "{ran:?}");
    // A row's query fails: the table ends there, the command fails.
    let ran = h.run("peers");
    assert!(ran.stdout.contains("192.0.2.10"), "{ran:?}");
    assert!(!ran.stdout.contains("192.0.2.11"), "{ran:?}");
    assert_eq!(
        ran.stderr,
        "***Server error code RESTRICT\nntpq: sim (127.0.0.1:123) refuses this client: \
         a `restrict` line in its ntp.conf (noquery, nomodify) covers this address\n"
    );
    assert!(ran.failed);
    let mut h = Harness::new("[system]\nvariables = [\"stratum=2\"]\n");
    let ran = h.run("peers");
    assert!(
        ran.stdout.contains("No association IDs returned"),
        "{ran:?}"
    );
}

#[test]
fn variable_list() {
    let mut h = sim();
    assert_eq!(h.run("showvars").stdout, "No variables on list.\n");
    h.run("addvars stratum,offset=1");
    assert_eq!(h.run("showvars").stdout, "stratum\noffset=1\n");
    let ran = h.run("rmvars nothere");
    assert_eq!(ran.stderr, "nothere is not in the variable list\n");
    assert!(ran.failed);
    h.run("rmvars offset");
    assert_eq!(h.run("rl 0").stdout, "associd=0 stratum=2\n");
    h.run("clearvars");
    assert_eq!(h.run("showvars").stdout, "No variables on list.\n");
}

#[test]
fn a_failing_config_file_ends_the_run() {
    let path = std::env::temp_dir().join(format!("ntpq-rs-unit-{}.conf", std::process::id()));
    std::fs::write(&path, "tos bogus 12\n").unwrap();
    // No credentials: the request cannot be signed, and 1.2.2 dies of it.
    let mut h = Harness::with_auth(&scenario(8), None, &[]);
    let ran = h.run(&format!("config-from-file {}", path.display()));
    assert_eq!(ran.flow, Flow::Stop, "{ran:?}");
    assert!(ran.failed);
    assert_eq!(ran.stderr, "***No credentials\n");
    // With them, it works.
    let mut h = Harness::with_auth(&scenario(8), Some(KEYS), &[]);
    h.run("keyid 1");
    h.run("passwd");
    let ran = h.run(&format!("config-from-file {}", path.display()));
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        (ran.stdout.as_str(), ran.flow),
        ("False\n", Flow::Continue),
        "{ran:?}"
    );
}

#[test]
fn ifstats_and_reslist() {
    let mut h = Harness::with_auth(&scenario(8), Some(KEYS), &[]);
    h.run("keyid 1");
    let ran = h.run("ifstats");
    assert!(ran.stdout.contains("  0 lo "), "{ran:?}");
    let ran = h.run("reslist");
    assert!(ran.stdout.contains("127.0.0.9/32"), "{ran:?}");
}

// ---- summaries and mrulist ----

#[test]
fn summary_tables_fall_back_to_one_name_at_a_time() {
    let mut h = sim();
    let ran = h.run("sysinfo");
    assert!(ran.stdout.starts_with("associd=0 status=0615 "), "{ran:?}");
    assert!(
        ran.stdout.contains("\nstratum:                       2\n"),
        "{ran:?}"
    );
    assert!(!ran.failed);
    // Names 1.2.2 does not know: UNKNOWNVAR, then one at a time.
    let ran = h.run("mssntpinfo");
    assert_eq!(
        ran.stderr, "Unknown variable.  Trying one at a time.\n",
        "{ran:?}"
    );
    assert!(!ran.failed);
    let ran = h.run("pstats &1");
    assert!(ran.stdout.starts_with("associd=11 status=961a "), "{ran:?}");
    let ran = h.run("pstats 12");
    assert!(ran.stderr.starts_with("***"), "{ran:?}");
    assert!(ran.failed);
}

const MRU: &str = r#"
[system]
variables = ["stratum=2"]
[mru]
frozen_now = true
entries = [
  { addr = "198.51.100.1:123", last_ago = 16.5, first_ago = 1368.0, ct = 26, mv = 0x23, rs = 0x0, sc = 2.464, dr = 0 },
  { addr = "198.51.100.2:24989", last_ago = 29.9, first_ago = 7569.2, ct = 880, mv = 0x23, rs = 0x0, sc = 1.301, dr = 0 },
]
"#;

#[test]
fn mrulist_in_memory() {
    let mut h = Harness::new(MRU);
    let ran = h.run("mrulist");
    assert!(
        ran.stdout
            .starts_with("Ctrl-C will stop MRU retrieval and display partial results.\n"),
        "{ran:?}"
    );
    assert!(ran.stdout.contains("198.51.100.1"), "{ran:?}");
    assert!(ran.stdout.contains("198.51.100.2"), "{ran:?}");
    assert!(!ran.failed, "{ran:?}");
    let ran = h.run("mrulist sort=count");
    let first = ran.stdout.find("198.51.100.1").unwrap();
    let second = ran.stdout.find("198.51.100.2").unwrap();
    assert!(first < second, "{ran:?}");
    // Argument errors, before any request.
    let before = h.requests();
    let ran = h.run("mrulist sort=bogus");
    assert!(ran.failed);
    assert!(ran.stderr.contains("bogus"), "{ran:?}");
    let ran = h.run("mrulist nosuch=1");
    assert!(ran.failed);
    assert!(ran.stderr.contains("nosuch"), "{ran:?}");
    assert_eq!(h.requests(), before);
    // A silent server: the retrieval fails.
    let ran = Harness::new(SILENT).run("mrulist");
    assert!(ran.failed, "{ran:?}");
}

#[test]
fn an_error_in_the_one_at_a_time_fallback_ends_the_run() {
    // The first request gets UNKNOWNVAR (names 1.2.2 does not know), then
    // the server falls silent: the reference dies of the timeout, so the
    // run ends.
    let toml = "[system]\nvariables = [\"stratum=2\"]\n[faults]\nsilence_after = 1\n";
    let mut h = Harness::new(toml);
    let ran = h.run("mssntpinfo");
    assert_eq!(ran.flow, Flow::Stop, "{ran:?}");
    assert!(ran.failed);
    assert!(
        ran.stderr.starts_with(
            "Unknown variable.  Trying one at a time.\n***Request timed out\n\nntpq: no answer from sim"
        ),
        "{ran:?}"
    );
}

/// Found by fuzzing (hostile_server): raw mode of the summaries printed
/// the reply's control characters (here binary data, NUL and ESC) to the
/// terminal as they came.
#[test]
fn raw_summary_shows_control_characters_escaped() {
    let toml = r#"
[system]
variables = ["mru_enabled=1", "mru_depth=\u001b[2J", "mru_mem=\u0000x"]
"#;
    let mut h = Harness::new(toml);
    assert_eq!(h.run("raw").stdout, "Output set to raw\n");
    let out = h.run("monstats").stdout;
    assert!(out.contains("mru_depth=\\x1b[2J"), "{out:?}");
    assert!(out.contains("mru_mem=\\x00x"), "{out:?}");
    assert!(!out.contains('\u{1b}') && !out.contains('\0'), "{out:?}");
}
