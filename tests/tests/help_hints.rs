//! Two deliberate differences checked exactly: `help-lists-parameters`
//! (the differential suite only reports its cases) and the invalid-value
//! lines of `added-explanations` (the suite drops them): our output minus
//! what we add is the reference's, and what we add is there. Nothing here talks to a server (help and
//! invalid arguments are answered before any traffic), so no root is
//! needed; the host named is a loopback address nobody listens on.

use ntpq_conformance::{have, ntpq_rs, run, Need, RunOutput, REFERENCE_NTPQ};

const HOST: &str = "127.0.0.2";

fn both(stdin: &str) -> Option<(RunOutput, RunOutput)> {
    if !have(&[Need::ReferenceNtpq]) {
        return None;
    }
    let args = ["-n", HOST];
    Some((
        run(REFERENCE_NTPQ.as_ref(), &args, stdin),
        run(&ntpq_rs(), &args, stdin),
    ))
}

/// `text` without its `parameters:` blocks (the header line and the
/// indented lines after it), and the commands' number of blocks.
fn strip_parameter_blocks(text: &str) -> (String, usize) {
    let mut kept = String::new();
    let mut blocks = 0;
    let mut in_block = false;
    for line in text.split_inclusive('\n') {
        if line == "parameters:\n" {
            in_block = true;
            blocks += 1;
            continue;
        }
        if in_block && line.starts_with("  ") {
            continue;
        }
        in_block = false;
        kept.push_str(line);
    }
    (kept, blocks)
}

#[test]
fn help_of_every_command_is_the_reference_text_then_at_most_its_parameters() {
    // The commands from our own listing (1.2.2's plus mssntpinfo and
    // ntpq-rs's format).
    let listing = run(&ntpq_rs(), &["-c", "help", HOST], "").stdout;
    let names: Vec<&str> = listing
        .lines()
        .skip(3)
        .flat_map(str::split_whitespace)
        .filter(|n| *n != "mssntpinfo" && *n != "format")
        .collect();
    assert!(names.len() > 60, "{listing}");
    let stdin: String = names.iter().map(|n| format!("help {n}\n")).collect();
    let Some((want, got)) = both(&stdin) else {
        return;
    };
    let (stripped, blocks) = strip_parameter_blocks(&got.stdout);
    assert_eq!(stripped, want.stdout);
    assert_eq!(got.stderr, want.stderr);
    // mrulist and keytype: 1.2.2's usage does not list their values.
    assert_eq!(blocks, 2, "{}", got.stdout);
    for key in ntp_control::mru::SortKey::NAMES {
        assert!(got.stdout.contains(&format!("      {key} ")), "{key}");
    }
    assert!(got.stdout.contains("  mincount=N "));
}

/// Our hint lines: `ntpq: ` and one of the forms the program uses.
fn is_hint(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("ntpq: ") else {
        return false;
    };
    rest.starts_with("sort keys: ")
        || rest.starts_with("mrulist parameters: ")
        || rest.starts_with("key types ntpq-rs signs with: ")
        || rest.contains(" takes ")
}

#[test]
fn invalid_values_get_the_reference_message_then_the_valid_ones() {
    // The lines of the differential cases this difference skips, and more.
    let invalid = [
        "hostnames zz",
        "authenticate maybe",
        "debug x",
        "keytype nonesuch",
        "keytype chacha20",
        "mrulist sort=nosuch",
        "mrulist sort=-c",
        "mrulist bogus=1",
    ];
    let valid = [
        "hostnames no",
        "keytype sha-1",
        "debug 0",
        "authenticate no",
    ];
    let stdin: String = invalid
        .iter()
        .chain(&valid)
        .map(|l| format!("{l}\n"))
        .collect();
    let Some((want, got)) = both(&stdin) else {
        return;
    };
    assert_eq!(got.stdout, want.stdout);
    let (hints, rest): (Vec<&str>, Vec<&str>) =
        got.stderr.split_inclusive('\n').partition(|l| is_hint(l));
    assert_eq!(rest.concat(), want.stderr);
    assert_eq!(hints.len(), invalid.len(), "{}", got.stderr);
    assert!(hints.iter().any(|h| h.contains("-lstint")), "{hints:?}");
    assert!(
        hints
            .iter()
            .any(|h| h.contains("hostnames takes yes, no, hostnum or hostname")),
        "{hints:?}"
    );
}
