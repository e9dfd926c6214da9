//! Authentication end to end against a real NTPsec ntpd 1.2.2 on 127.0.0.1
//! (see `ntpq_conformance::ntpd`): a key file with one key of each type
//! ntpd accepts and `trustedkey` for all of them. For each type, made the
//! `controlkey` in turn, `:config` changes something observable
//! (`restrict 127.0.0.N` shows up in `reslist`) and `ifstats` and
//! `reslist` work; on a shared ntpd (control key 1, left unchanged) a
//! wrong key, a wrong type, an unknown key id and a non-control key get the
//! reference's error text. Where the reference ntpq can do the same (it
//! sends untruncated MACs, so SHA-2 keys fail for it), its output is
//! compared with ours.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ntpq_conformance::ntpd::{self, Shared, NTPD_ADDR};
use ntpq_conformance::{
    diff_report, have, ntpq_rs, run, without_added_lines, Need, RunOutput, REFERENCE_NTPQ,
};

/// `(key id, type, key)`; ids 1..=8 are trusted, 9 is not; the client's
/// file adds 42, which ntpd does not have.
/// The AES key is exactly 16 characters: NTPsec 1.2.2's ntpq reads past
/// shorter CMAC keys (its MAC then depends on uninitialised memory).
const KEYS: &[(u32, &str, &str)] = &[
    (1, "MD5", "md5-secret-key"),
    (2, "SHA1", "0123456789abcdef0123456789abcdef01234567"),
    (3, "AES", "aes128cmac-key16"),
    (4, "SHA256", "sha256-secret"),
    (5, "SHA512", "sha512-secret"),
    (6, "SHA224", "sha224-secret"),
    (7, "SHA384", "sha384-secret"),
    (8, "MD5", "other-md5-key"),
    (9, "SHA1", "untrusted-sha1"),
    (10, "SHA512-224", "sha512-224-secret"),
    (11, "SHA512-256", "sha512-256-secret"),
    (12, "SHA3-224", "sha3-224-secret"),
    (13, "SHA3-256", "sha3-256-secret"),
    (14, "SHA3-384", "sha3-384-secret"),
    (15, "SHA3-512", "sha3-512-secret"),
    (
        16,
        "AES-192",
        "000102030405060708090a0b0c0d0e0f1011121314151617",
    ),
    (
        17,
        "AES-256",
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
    ),
    (18, "AES128CMAC", "00112233445566778899aabbccddeeff"),
    (19, "sha1", "lower-case-type"),
    (20, "RIPEMD160", "ripemd160-secret"),
    (21, "BLAKE2B512", "blake2b512-secret"),
    (22, "BLAKE2S256", "blake2s256-secret"),
    (23, "SM3", "sm3-secret"),
    (24, "MD5-SHA1", "md5-sha1-secret"),
    (25, "SHAKE128", "shake128-secret"),
    (26, "SHAKE256", "shake256-secret"),
    (27, "ARIA-128", "aria128-key-16ch"),
    (
        28,
        "ARIA-256",
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
    ),
    (29, "CAMELLIA-128", "camellia-key-16c"),
    (
        30,
        "CAMELLIA-192",
        "000102030405060708090a0b0c0d0e0f1011121314151617",
    ),
    (31, "SM4", "sm4-cmac-key-16c"),
];

/// Keys that may control ntpd (all trusted ones but the spare MD5 key 8).
fn control_keys() -> impl Iterator<Item = &'static (u32, &'static str, &'static str)> {
    KEYS.iter().filter(|(id, _, _)| *id != 8 && *id != 9)
}

/// Key types the reference ntpq 1.2.2 can use (it does not truncate MACs).
fn reference_works(keyid: u32) -> bool {
    matches!(keyid, 1..=3 | 8 | 18 | 19 | 20 | 25 | 27 | 29 | 31)
}

/// The key files, written once per run into the build's own temporary
/// directory (`target/tmp`: the shared ntpd reads them for as long as the
/// test binary runs, and nothing is left in the system's /tmp).
struct Keys {
    dir: PathBuf,
}

impl Keys {
    /// The key files, or None (the test is skipped) when the machine
    /// cannot run a real ntpd or the reference outside CI.
    fn get() -> Option<&'static Keys> {
        if !have(&[Need::Root, Need::RealNtpd, Need::ReferenceNtpq]) {
            return None;
        }
        static KEYS_FILES: OnceLock<Keys> = OnceLock::new();
        Some(KEYS_FILES.get_or_init(Keys::write_all))
    }

    fn write_all() -> Keys {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("real_ntpd_auth-keys");
        std::fs::create_dir_all(&dir).unwrap();
        let mut text = String::from("# test keys\n");
        for (id, t, k) in KEYS {
            text.push_str(&format!("{id} {t} {k}\n"));
        }
        Keys::write(&dir.join("ntp.keys"), &text);
        // The client's file also has a key ntpd does not know.
        text.push_str("42 MD5 unknown-to-ntpd\n");
        Keys::write(&dir.join("client.keys"), &text);
        // The same ids with wrong keys, and with wrong types.
        let mut wrong = String::new();
        let mut wrong_type = String::new();
        for (id, t, k) in KEYS {
            wrong.push_str(&format!("{id} {t} {}x\n", &k[..k.len().min(19)]));
            let other = if *t == "MD5" { "SHA1" } else { "MD5" };
            wrong_type.push_str(&format!("{id} {other} {k}\n"));
        }
        Keys::write(&dir.join("wrong.keys"), &wrong);
        Keys::write(&dir.join("wrongtype.keys"), &wrong_type);
        Keys { dir }
    }

    /// Private (both programs warn about readable key files), and replaced
    /// in one step: another test run may be reading the same file.
    fn write(path: &Path, text: &str) {
        use std::os::unix::fs::PermissionsExt;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, text).unwrap();
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::rename(&tmp, path).unwrap();
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// ntpd's configuration lines for the keys, `controlkey` last.
    fn config(&self, controlkey: u32) -> String {
        format!(
            "keys {}\ntrustedkey 1 2 3 4 5 6 7 8 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31\ncontrolkey {controlkey}\n",
            self.path("ntp.keys")
        )
    }

    /// The ntpd the tests that do not change it share: control key 1
    /// (MD5).
    fn shared_ntpd(&self) -> Option<Shared<()>> {
        ntpd::shared(&self.config(SHARED_CONTROL_KEY), |_| ())
    }
}

/// The control key of the shared ntpd.
const SHARED_CONTROL_KEY: u32 = 1;

fn ours(args: &[&str]) -> RunOutput {
    run(&ntpq_rs(), args, "")
}

fn reference(args: &[&str]) -> RunOutput {
    run(Path::new(REFERENCE_NTPQ), args, "")
}

/// ifstats counters and uptimes change between two runs.
fn mask_ifstats(text: &str) -> String {
    text.lines()
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            if w.len() == 9 && w[0].parse::<u32>().is_ok() {
                format!("{} {} {} <counters>", w[0], w[1], w[2])
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// reslist hit counts change between two runs.
fn mask_reslist(text: &str) -> String {
    text.lines()
        .map(|l| {
            let t = l.trim_start();
            match t.split_once(' ') {
                Some((hits, rest)) if hits.parse::<u64>().is_ok() && l.starts_with("  ") => {
                    format!("<hits> {rest}")
                }
                _ => l.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn masked(o: &RunOutput) -> RunOutput {
    RunOutput {
        stdout: mask_reslist(&mask_ifstats(&o.stdout)),
        stderr: o.stderr.clone(),
        status: o.status,
    }
}

/// Same output as the reference (exit status: the reference always 0).
fn same_as_reference(label: &str, args: &[&str]) {
    let want = masked(&reference(args));
    let mut got = masked(&ours(args));
    got.stderr = without_added_lines(&want.stderr, &got.stderr);
    let want_status = if want.stderr.is_empty() { 0 } else { 1 };
    let got_cmp = RunOutput {
        status: if got.status == want_status {
            want.status
        } else {
            got.status
        },
        ..got.clone()
    };
    assert!(want == got_cmp, "{}", diff_report(label, &want, &got));
}

/// One ntpd of its own (it is reconfigured): each key type in turn is made
/// the control key at run time (`:config controlkey N`, signed with the
/// previous one), then must configure and list.
#[test]
fn every_key_type_configures_and_lists() {
    let Some(keys) = Keys::get() else {
        return;
    };
    let keyfile = keys.path("ntp.keys");
    let mut control = 1;
    let Some(_ntpd) = ntpd::exclusive(&keys.config(control)) else {
        return;
    };
    for &(id, kind, _) in control_keys() {
        if id != control {
            let out = ours(&[
                "-n",
                "-k",
                &keyfile,
                "-a",
                &control.to_string(),
                "-c",
                &format!(":config controlkey {id}"),
                NTPD_ADDR,
            ]);
            assert_eq!(
                (out.stdout.as_str(), out.stderr.as_str()),
                ("Config Succeeded\n", ""),
                "making key {id} ({kind}) the control key with key {control}"
            );
            control = id;
        }
        let a = id.to_string();
        let addr = format!("127.0.0.{}", 100 + id);
        eprintln!("key {id} {kind}");
        let restrict = format!(":config restrict {addr} nomodify");
        let out = ours(&[
            "-n", "-k", &keyfile, "-a", &a, "-c", &restrict, "-c", "reslist", "-c", "ifstats",
            NTPD_ADDR,
        ]);
        assert!(
            out.stdout.starts_with("Config Succeeded\n"),
            "{kind}: {out:?}"
        );
        assert!(
            out.stdout
                .contains(&format!("{addr}/32\n           nomodify\n")),
            "{kind}: restriction not in reslist: {out:?}"
        );
        assert!(out.stdout.contains("127.0.0.1:123"), "{kind}: {out:?}");
        assert_eq!(out.stderr, "", "{kind}");
        if reference_works(id) {
            same_as_reference(
                kind,
                &[
                    "-n",
                    "-k",
                    &keyfile,
                    "-a",
                    &a,
                    "-c",
                    "reslist",
                    "-c",
                    "ifstats",
                    "-c",
                    ":config tos maxclock 12",
                    NTPD_ADDR,
                ],
            );
        }
    }
}

#[test]
fn refused_credentials_get_the_reference_errors() {
    let Some(keys) = Keys::get() else {
        return;
    };
    let Some(_ntpd) = keys.shared_ntpd() else {
        return;
    };
    let good = keys.path("client.keys");
    let cases: &[(&str, &[&str])] = &[
        (
            "wrong key",
            &["-n", "-k", &keys.path("wrong.keys"), "-a", "1"],
        ),
        (
            "wrong type",
            &["-n", "-k", &keys.path("wrongtype.keys"), "-a", "1"],
        ),
        ("unknown key id", &["-n", "-k", &good, "-a", "42"]),
        ("untrusted key", &["-n", "-k", &good, "-a", "9"]),
        ("non-control key", &["-n", "-k", &good, "-a", "8"]),
    ];
    for (label, base) in cases {
        for cmd in [
            ":config restrict 127.0.0.77",
            "ifstats",
            "reslist",
            "ifstats",
        ] {
            let mut args: Vec<&str> = base.to_vec();
            args.extend(["-c", cmd, NTPD_ADDR]);
            let out = ours(&args);
            assert_eq!(
                without_added_lines("", &out.stderr),
                "***Server error code PERMISSION\n",
                "{label} {cmd}: {out:?}"
            );
            assert_eq!(out.stdout, "", "{label} {cmd}");
            same_as_reference(&format!("{label} {cmd}"), &args);
        }
    }
}

/// `authenticate yes`: every request signed (any trusted key will do for
/// reading); ntpd signs its replies, which the client checks silently.
#[test]
fn authenticate_yes_signs_every_request() {
    let Some(keys) = Keys::get() else {
        return;
    };
    let Some(_ntpd) = keys.shared_ntpd() else {
        return;
    };
    let k = keys.path("ntp.keys");
    for id in ["1", "8", "2"] {
        let args = [
            "-n",
            "-k",
            &k,
            "-a",
            id,
            "-c",
            "passwd",
            "-c",
            "authenticate yes",
            "-c",
            "rv 0 stratum,leap",
            "-c",
            "authenticate no",
            "-c",
            "rv 0 stratum",
            NTPD_ADDR,
        ];
        let out = ours(&args);
        assert!(
            out.stdout.contains("leap=11, stratum=16\n"),
            "{id}: {out:?}"
        );
        // The signed replies verify; the first unsigned one (after
        // `authenticate no`) is reported once, as by the reference.
        assert_eq!(
            out.stderr, "AUTH - packet too short for MAC 24 < 44\n",
            "{id}: {out:?}"
        );
        same_as_reference(&format!("authenticate yes, key {id}"), &args);
    }
    // Without credentials every request fails.
    let args = [
        "-n",
        "-c",
        "authenticate yes",
        "-c",
        "rv 0 stratum",
        NTPD_ADDR,
    ];
    let out = ours(&args);
    // Twice: the association check's READSTAT, then the READVAR.
    assert_eq!(out.stderr, "***No credentials\n".repeat(2), "{out:?}");
    same_as_reference("authenticate yes without credentials", &args);
}

/// The control key of the local ntpd from its configuration: for
/// `localhost` as 1.2.2 does, and also for 127.0.0.1 (ntpq-rs).
#[test]
fn local_control_key_from_the_configuration() {
    let Some(keys) = Keys::get() else {
        return;
    };
    let Some(ntpd) = keys.shared_ntpd() else {
        return;
    };
    let k = keys.path("ntp.keys");
    let conf = ntpd.dir().join("ntp.conf");
    let with_conf = |host: &str| -> RunOutput {
        std::process::Command::new(ntpq_rs())
            .args([
                "-n", "-k", &k, "-c", "reslist", "-c", "keyid", "-c", "keytype", host,
            ])
            .env("NTPQ_NTP_CONF", &conf)
            .env("LC_ALL", "C.UTF-8")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run ntpq")
            .into()
    };
    for host in ["localhost", NTPD_ADDR] {
        let out = with_conf(host);
        assert_eq!(out.stderr, "", "{host}: {out:?}");
        assert!(out.stdout.contains("127.0.0.1/32"), "{host}: {out:?}");
        assert!(
            out.stdout.ends_with("keyid is 1\nKeytype: MD5\n"),
            "{host}: {out:?}"
        );
    }
    // The system configuration has no controlkey: the reference's message
    // for localhost; for 127.0.0.1 the prompt (no terminal: invalid id).
    for host in ["localhost", NTPD_ADDR] {
        same_as_reference(host, &["-n", "-k", &k, "-c", "reslist", host]);
    }
}
