//! Known-answer tests. The expected values were computed with Python's
//! hashlib / `cryptography` (CMAC) and with NTPsec's own `ntp.ntpc.mac`
//! (OpenSSL) for the SHA-512/t types.

use super::*;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

const KEY: &[u8] = b"ntpq-rs-key";

fn data() -> Vec<u8> {
    (0u8..40).collect()
}

fn mac(kind: KeyType) -> String {
    hex(&compute_mac(kind, &Secret::new(KEY.to_vec()), &data()))
}

#[test]
fn digest_vectors() {
    assert_eq!(mac(KeyType::Md5), "3be3962859d17c1fbbf721c3014c4761");
    assert_eq!(
        mac(KeyType::Sha1),
        "91a9d7ff85e4dcbed5602571fd03b36d5b6a3026"
    );
    // Longer digests are cut to 20 octets as ntpd does.
    assert_eq!(
        mac(KeyType::Sha224),
        "f11fc1f8ddc1cf03dd1acdc967b3723a4846767f"
    );
    assert_eq!(
        mac(KeyType::Sha256),
        "81bb88b7958f20ccd2ba47a07c4fbe24191dc16a"
    );
    assert_eq!(
        mac(KeyType::Sha384),
        "5964d8921de21a2af96ffcb8be9241551ea60294"
    );
    assert_eq!(
        mac(KeyType::Sha512),
        "a3aea50dec83326796d629f1258c44ef7da8d528"
    );
    assert_eq!(
        mac(KeyType::Sha512_224),
        "d8e8c6a0180e115ad6ad006fb500ed19cb3beff3"
    );
    assert_eq!(
        mac(KeyType::Sha512_256),
        "14fd95a2df1478871c88dbc95b179d646b4af536"
    );
    assert_eq!(
        mac(KeyType::Sha3_224),
        "f050d63dabd8cc2730aadc7abb7cde2f07473a6c"
    );
    assert_eq!(
        mac(KeyType::Sha3_256),
        "2f10bf12eb2da331d7816c68c92c0da1b73d61ab"
    );
    assert_eq!(
        mac(KeyType::Sha3_384),
        "4620e473920281192f0c47f2cd5dc5f6c770a7c3"
    );
    assert_eq!(
        mac(KeyType::Sha3_512),
        "4333272284205e412ffe6ede078a233439086e69"
    );
}

#[test]
fn cmac_vectors_with_zero_padded_key() {
    assert_eq!(mac(KeyType::Aes128), "163367e02950b8d48d56689189f49144");
    assert_eq!(mac(KeyType::Aes192), "963e8bd022e9abdc9fb872e50569f85d");
    assert_eq!(mac(KeyType::Aes256), "61d7552c441c54ff63b4e41cb8a87529");
    // A 16-octet key as is; a 20-octet key cut to 16 (ntpc.mac agrees).
    let k16 = Secret::new((0u8..16).collect());
    assert_eq!(
        hex(&compute_mac(KeyType::Aes128, &k16, &data())),
        "29146ca62a432ad98f98c34f23d2091a"
    );
    let k20 = Secret::new(b"0123456789abcdefghij".to_vec());
    assert_eq!(
        hex(&compute_mac(KeyType::Aes128, &k20, &data())),
        "b242c2ec799c68b2f153fcaac1063344"
    );
}

/// Computed with NTPsec 1.2.2's `ntp.ntpc.mac` (OpenSSL 3.0), first 20 octets.
#[test]
fn openssl_vectors() {
    let k16 = b"ntpq-rs-key-0123".to_vec();
    let k24 = [&k16[..], b"45678901"].concat();
    let k32 = [&k24[..], b"23456789"].concat();
    for (kind, key, want) in [
        (
            KeyType::Ripemd160,
            &k16,
            "0731054879b45b24c0a45803ae7e1544ad57fca5",
        ),
        (
            KeyType::Blake2b512,
            &k16,
            "2304b21cbffb0682d36c9ff1572bc0321aa62973",
        ),
        (
            KeyType::Blake2s256,
            &k16,
            "cbb5ad6ebc8e6fe6cf99aa73cf8ca6e3ad627caf",
        ),
        (
            KeyType::Sm3,
            &k16,
            "8af3037a3b2eb33a7ccebf684cabd67233d20283",
        ),
        (
            KeyType::Md5Sha1,
            &k16,
            "f36cce0bcf65e268b1c1ce5659c4e9a1863d81aa",
        ),
        (KeyType::Shake128, &k16, "b9d670b29f5628144eb73b1abc603da7"),
        (
            KeyType::Shake256,
            &k16,
            "5a04e378dee77b57847f16d8a05377462661f266",
        ),
        (KeyType::Aria128, &k16, "04188fe307f94734ea5a4977f6e0acc5"),
        (KeyType::Aria192, &k24, "ee1a4fef03d85ddd3ad5c3952125d554"),
        (KeyType::Aria256, &k32, "6d5149532dde6ad8246fef2edcd9309b"),
        (
            KeyType::Camellia128,
            &k16,
            "082f7b7b82ef18f39832da4a10e82cee",
        ),
        (
            KeyType::Camellia192,
            &k24,
            "2e5665669fc979f36babbbab376b5959",
        ),
        (
            KeyType::Camellia256,
            &k32,
            "53001113632d1d3c893a3fe38ed5c435",
        ),
        (KeyType::Sm4, &k16, "f4e41a1d900769d34e6662f945ae7aff"),
        (KeyType::Aes192, &k24, "aab55ae219122c6dae5acd7adf9a3197"),
        (KeyType::Aes256, &k32, "fdabeb3c440e8a87da3ca98ad07c7dfd"),
    ] {
        let got = hex(&compute_mac(kind, &Secret::new(key.clone()), &data()));
        assert_eq!(got, want, "{kind}");
    }
}

#[test]
fn verify_accepts_only_the_right_mac() {
    let key = Secret::new(KEY.to_vec());
    for &kind in KeyType::ALL {
        let m = compute_mac(kind, &key, &data());
        assert_eq!(m.len(), kind.mac_len(), "{kind}");
        assert!(verify_mac(kind, &key, &data(), &m));
        let mut bad = m.clone();
        bad[0] ^= 1;
        assert!(!verify_mac(kind, &key, &data(), &bad));
        assert!(!verify_mac(kind, &key, &data(), &m[..m.len() - 1]));
    }
}

#[test]
fn names_and_aliases() {
    for (name, kind) in [
        ("md5", KeyType::Md5),
        ("SHA-1", KeyType::Sha1),
        ("sha1", KeyType::Sha1),
        ("AES", KeyType::Aes128),
        ("aes128cmac", KeyType::Aes128),
        ("AES-128", KeyType::Aes128),
        ("SHA2-256", KeyType::Sha256),
        ("sha3-512", KeyType::Sha3_512),
    ] {
        assert_eq!(KeyType::from_name(name), Some(kind), "{name}");
    }
    assert_eq!(KeyType::from_name("WHIRLPOOL"), None);
    for &kind in KeyType::ALL {
        assert_eq!(KeyType::from_name(kind.name()), Some(kind));
    }
}

#[test]
fn secret_text_and_debug() {
    assert_eq!(Secret::from_text("short").unwrap().expose(), b"short");
    let long = "0102030405060708090a0b0c0d0e0f1011121314";
    assert_eq!(
        Secret::from_text(long).unwrap().expose(),
        (1u8..=20).collect::<Vec<_>>()
    );
    // odd trailing digit dropped; only the first 64 digits used
    assert_eq!(Secret::from_text(&format!("{long}f")).unwrap().len(), 20);
    assert_eq!(Secret::from_text(&"ab".repeat(40)).unwrap().len(), 32);
    assert!(Secret::from_text("zz02030405060708090a0b").is_none());
    let s = Secret::from_text("hunter2").unwrap();
    assert!(!format!("{s:?}").contains("hunter2"));
}
