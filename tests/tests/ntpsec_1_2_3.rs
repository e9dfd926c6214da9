//! NTPsec 1.2.3's own ntpq as a second reference (issue 12, item 10):
//! `rpeers` (whose layout ntpq-rs takes from 1.2.3, not 1.2.2) and
//! `mssntpinfo`, ours against 1.2.3's on the real-ntpd fixture.
//!
//! Needs `NTPSEC_1_2_3`, the directory `.ci/build-ntpsec-1.2.3` fills
//! (its `ntpq` wrapper runs 1.2.3's ntpq with its own library); CI sets it
//! and `NTPD_BIN` to that directory's ntpd. Without it: a SKIP line.

use std::path::PathBuf;

use ntpq_conformance::ntpd::{RealNtpd, NTPD_ADDR};
use ntpq_conformance::{diff_report, in_ci, ntpq_rs, run};

/// 1.2.3's ntpq, or None (SKIP outside CI, panic in CI).
fn ntpq_1_2_3() -> Option<PathBuf> {
    let dir = std::env::var("NTPSEC_1_2_3").ok().filter(|d| !d.is_empty());
    let Some(dir) = dir else {
        if in_ci() && std::env::var("NTPD_BIN").is_ok() {
            panic!("NTPD_BIN is set but NTPSEC_1_2_3 is not");
        }
        eprintln!("SKIP: NTPSEC_1_2_3 not set (build it with .ci/build-ntpsec-1.2.3)");
        return None;
    };
    let ntpq = PathBuf::from(dir).join("ntpq");
    assert!(ntpq.exists(), "{} is missing", ntpq.display());
    Some(ntpq)
}

/// Ours and 1.2.3's give the same stdout, stderr and exit status (up to
/// three tries: the fixture's counters move while it starts).
fn same_as_1_2_3(args: &[&str]) {
    let Some(reference) = ntpq_1_2_3() else {
        return;
    };
    let Some(ntpd) = RealNtpd::start("") else {
        return;
    };
    let version = run(&reference, &["-V"], "");
    assert!(version.stdout.contains("ntpsec-1.2.3"), "{version:?}");
    let mut full = args.to_vec();
    full.push(NTPD_ADDR);
    let label = format!("ntpq {}", full.join(" "));
    let mut report = String::new();
    for _ in 0..3 {
        let want = run(&reference, &full, "");
        assert!(
            want.status == 0 && !want.stdout.is_empty(),
            "{label}: 1.2.3's ntpq got no proper answer:\n{want:?}\n--- ntpd log:\n{}",
            ntpd.log()
        );
        let got = run(&ntpq_rs(), &full, "");
        // 1.2.3 exits 0 whatever happened; ours too when all went well.
        if got == want {
            return;
        }
        report = diff_report(&label, &want, &got);
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    panic!("{report}");
}

/// 1.2.3 prints the new rpeers header (refid, T, remote) but rows with the
/// numeric columns only — the rest of the layout came later, and ours
/// prints it (README: rpeers). So: the same header and, in every row, the
/// same numeric columns, followed in ours by refid, tally and remote.
#[test]
fn rpeers_matches_1_2_3_in_its_columns() {
    let Some(reference) = ntpq_1_2_3() else {
        return;
    };
    let Some(_ntpd) = RealNtpd::start("") else {
        return;
    };
    let args = ["-n", "-c", "rpeers", NTPD_ADDR];
    let mut report = String::new();
    for _ in 0..3 {
        let want = run(&reference, &args, "");
        let got = run(&ntpq_rs(), &args, "");
        assert!(
            want.status == 0 && want.stdout.lines().count() > 2,
            "{want:?}"
        );
        let (want_lines, got_lines): (Vec<&str>, Vec<&str>) =
            (want.stdout.lines().collect(), got.stdout.lines().collect());
        let same_columns = want_lines.len() == got_lines.len()
            && want_lines[..2] == got_lines[..2]
            && want_lines[2..].iter().zip(&got_lines[2..]).all(|(w, g)| {
                g.strip_prefix(w)
                    .is_some_and(|rest| rest.starts_with(' ') && rest.trim().len() > 1)
            });
        if same_columns && got.stderr == want.stderr && got.status == 0 {
            return;
        }
        report = diff_report("ntpq -n -c rpeers", &want, &got);
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    panic!("{report}");
}

#[test]
fn mssntpinfo_matches_1_2_3() {
    same_as_1_2_3(&["-c", "mssntpinfo"]);
}

/// The keys both ntpd and the clients read.
const KEYS: &str = "1 MD5 md5-secret-key\n2 SHA1 0123456789abcdef0123456789abcdef01234567\n";

/// `:config` signed with each key type, at a request length where 1.2.2
/// and 1.2.3 put the MAC at the same place (12 + 28 octets: a multiple of
/// 8) and at one where they differ (12 + 32: 1.2.3 looks 4 octets earlier
/// than 1.2.2 pads to). Ours must be accepted at both, as 1.2.3's ntpq is;
/// 1.2.2's ntpq is refused at the second, which shows the case is the one
/// the alignment retry is for.
#[test]
fn signed_requests_are_accepted_at_both_mac_alignments() {
    let Some(newer) = ntpq_1_2_3() else { return };
    let dir = std::env::temp_dir().join(format!("ntpq-rs-1.2.3-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("key directory");
    let keys = dir.join("ntp.keys");
    std::fs::write(&keys, KEYS).expect("write keys");
    // Private, or the clients warn that others can read it.
    std::fs::set_permissions(&keys, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("chmod keys");
    let keys = keys.to_str().expect("utf-8 temp path").to_string();
    for keyid in ["1", "2"] {
        let config = format!("keys {keys}\ntrustedkey 1 2\ncontrolkey {keyid}\n");
        let Some(ntpd) = RealNtpd::start(&config) else {
            return;
        };
        // "restrict 127.0.0.10 nomodify" is 28 octets, "…101…" 29 (32 padded).
        for (addr, alignments_differ) in [("127.0.0.10", false), ("127.0.0.101", true)] {
            let command = format!(":config restrict {addr} nomodify");
            let args = [
                "-n", "-k", &keys, "-a", keyid, "-c", "passwd", "-c", &command, NTPD_ADDR,
            ];
            let label = format!("key {keyid}, {command}");
            let want = run(&newer, &args, "");
            assert!(
                want.stdout.contains("Config Succeeded"),
                "{label}: 1.2.3's ntpq was refused (harness problem): {want:?}\n--- ntpd log:\n{}",
                ntpd.log()
            );
            // 1.2.3 puts a blank line before its answer; ours prints
            // 1.2.2's text.
            let got = run(&ntpq_rs(), &args, "");
            assert_eq!(
                (got.stdout.as_str(), got.stderr.as_str(), got.status),
                ("Config Succeeded\n", "", 0),
                "{}",
                diff_report(&label, &want, &got)
            );
            if alignments_differ && std::path::Path::new(ntpq_conformance::REFERENCE_NTPQ).exists()
            {
                let old = run(
                    std::path::Path::new(ntpq_conformance::REFERENCE_NTPQ),
                    &args,
                    "",
                );
                assert!(
                    !old.stdout.contains("Config Succeeded"),
                    "{label}: 1.2.2's ntpq was accepted, so the MAC positions did not differ: {old:?}"
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
