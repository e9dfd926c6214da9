//! Authentication in-process: credentials from the key file or the
//! prompt, the MAC alignment retry, and credentials cleared on a server
//! error.

use super::tests::{scenario, KEYS};
use crate::testing::Harness;

#[test]
fn credentials_from_the_key_file_or_the_prompt() {
    // Key id typed, password from the key file.
    let mut h = Harness::with_auth(&scenario(8), Some(KEYS), &["2"]);
    let ran = h.run("passwd");
    assert!(!ran.failed, "{ran:?}");
    assert_eq!(*h.asked.borrow(), ["Keyid: "]);
    assert_eq!(h.interp.client.auth.keytype, "SHA1");
    // Both typed.
    let mut h = Harness::with_auth(&scenario(8), None, &["1", "md5-secret-key"]);
    assert!(!h.run("passwd").failed);
    assert_eq!(*h.asked.borrow(), ["Keyid: ", "MD5 Password: "]);
    assert!(!h.run("reslist").failed);
    // A bad key id, an empty password.
    let mut h = Harness::with_auth(&scenario(8), None, &["0"]);
    assert_eq!(h.run("passwd").stderr, "***Invalid key identifier\n");
    let mut h = Harness::with_auth(&scenario(8), None, &["1", ""]);
    assert_eq!(h.run("passwd").stderr, "***Invalid password\n");
}

#[test]
fn a_refused_request_is_retried_with_the_other_alignment() {
    // "ifstats" (7 octets): 12 + 7 rounds to 20, 4 mod 8, so 1.2.2 and
    // 1.2.3+ servers read the key id at different places.
    let mut h = Harness::with_auth(&scenario(4), Some(KEYS), &[]);
    h.run("keyid 1");
    let before = h.requests();
    let ran = h.run("ifstats");
    assert!(ran.stdout.contains("  0 lo "), "{ran:?}");
    assert_eq!(h.requests() - before, 2, "refused, then retried");
    assert_eq!(h.interp.client.auth.align, ntp_auth::Align::Four);
    // The alignment that worked is kept.
    let before = h.requests();
    assert!(!h.run("ifstats").failed);
    assert_eq!(h.requests() - before, 1);
    // A server of the kind guessed first needs no retry.
    let mut h = Harness::with_auth(&scenario(8), Some(KEYS), &[]);
    h.run("keyid 1");
    let before = h.requests();
    assert!(!h.run("ifstats").failed);
    assert_eq!(h.requests() - before, 1);
    assert_eq!(h.interp.client.auth.align, ntp_auth::Align::Eight);
    // No retry where both alignments put the key id at the same place:
    // "addr_restrictions" (17 octets) rounds to 32 either way.
    let mut h = Harness::with_auth(&scenario(4), Some(KEYS), &[]);
    h.run("keyid 1");
    let before = h.requests();
    let ran = h.run("reslist");
    assert!(!ran.failed, "{ran:?}");
    assert_eq!(h.requests() - before, 1);
}

#[test]
fn a_server_error_clears_the_credentials() {
    let mut h = Harness::with_auth(&scenario(8), Some(KEYS), &[]);
    h.run("keyid 1");
    h.run("passwd");
    assert!(h.interp.client.auth.password.is_some());
    // A timeout is not a server error: the credentials stay.
    h.interp.client.close();
    assert!(h.run("rv").failed);
    assert_eq!(h.interp.client.auth.keyid, Some(1));
    h.run("host sim");
    let ran = h.run("rv 12");
    assert!(ran.failed);
    assert_eq!(h.interp.client.auth.keyid, None);
    assert!(h.interp.client.auth.password.is_none());
    assert_eq!(h.run("keyid").stdout, "no keyid defined\n");
}
