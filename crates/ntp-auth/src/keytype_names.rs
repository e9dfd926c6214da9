//! The key type names NTPsec 1.2.2's ntpq accepts in its `keytype`
//! command: a wider set than [`crate::KeyType`] computes (OpenSSL names
//! digests and ciphers it cannot use for a MAC, such as MD4 or WHIRLPOOL;
//! requests are then sent unsigned, as 1.2.2 does).

/// The names 1.2.2's key-type check accepts (upper-cased): what OpenSSL 3
/// resolves as a digest, or as a cipher with `-CBC` appended, numeric OIDs
/// included. Captured from the reference; `AES`/`AES128CMAC` are handled
/// as aliases before the table is consulted.
#[rustfmt::skip]
pub const REFERENCE_NAMES: &[&str] = &[
    "1.2.156.10197.1.401", "1.2.840.113549.2.5", "1.3.14.3.2.26", "1.3.36.3.2.1",
    "1.3.6.1.4.1.1722.12.2.1.16", "1.3.6.1.4.1.1722.12.2.2.8", "2.16.840.1.101.3.4.2.1",
    "2.16.840.1.101.3.4.2.10", "2.16.840.1.101.3.4.2.11", "2.16.840.1.101.3.4.2.12",
    "2.16.840.1.101.3.4.2.2", "2.16.840.1.101.3.4.2.3", "2.16.840.1.101.3.4.2.4",
    "2.16.840.1.101.3.4.2.5", "2.16.840.1.101.3.4.2.6", "2.16.840.1.101.3.4.2.7",
    "2.16.840.1.101.3.4.2.8", "2.16.840.1.101.3.4.2.9", "AES-128", "AES-192", "AES-256",
    "ARIA-128", "ARIA-192", "ARIA-256", "BF", "BLAKE2B-512", "BLAKE2B512", "BLAKE2S-256",
    "BLAKE2S256", "CAMELLIA-128", "CAMELLIA-192", "CAMELLIA-256", "CAST", "CAST5", "DES",
    "DES-EDE", "DES-EDE3", "DESX", "ID-RSASSA-PKCS1-V1_5-WITH-SHA3-224",
    "ID-RSASSA-PKCS1-V1_5-WITH-SHA3-256", "ID-RSASSA-PKCS1-V1_5-WITH-SHA3-384",
    "ID-RSASSA-PKCS1-V1_5-WITH-SHA3-512", "MD4", "MD4WITHRSAENCRYPTION", "MD5", "MD5-SHA1",
    "MD5WITHRSAENCRYPTION", "RC2", "RC2-40", "RC2-64", "RIPEMD", "RIPEMD-160", "RIPEMD160",
    "RIPEMD160WITHRSA", "RMD160", "RSA-MD4", "RSA-MD5", "RSA-RIPEMD160", "RSA-SHA1", "RSA-SHA1-2",
    "RSA-SHA224", "RSA-SHA256", "RSA-SHA3-224", "RSA-SHA3-256", "RSA-SHA3-384", "RSA-SHA3-512",
    "RSA-SHA384", "RSA-SHA512", "RSA-SHA512/224", "RSA-SHA512/256", "RSA-SM3", "SEED", "SHA-1",
    "SHA-224", "SHA-256", "SHA-384", "SHA-512", "SHA-512/224", "SHA-512/256", "SHA1",
    "SHA1WITHRSAENCRYPTION", "SHA2-224", "SHA2-256", "SHA2-384", "SHA2-512", "SHA2-512/224",
    "SHA2-512/256", "SHA224", "SHA224WITHRSAENCRYPTION", "SHA256", "SHA256WITHRSAENCRYPTION",
    "SHA3-224", "SHA3-256", "SHA3-384", "SHA3-512", "SHA384", "SHA384WITHRSAENCRYPTION", "SHA512",
    "SHA512-224", "SHA512-224WITHRSAENCRYPTION", "SHA512-256", "SHA512-256WITHRSAENCRYPTION",
    "SHA512WITHRSAENCRYPTION", "SHAKE-128", "SHAKE-256", "SHAKE128", "SHAKE256", "SM3",
    "SM3WITHRSAENCRYPTION", "SM4", "SSL3-MD5", "SSL3-SHA1", "WHIRLPOOL",
];

/// The name the reference's `keytype` command stores for `typed`, or
/// `None` when it refuses it. `AES` and `AES128CMAC` mean AES-128.
pub fn reference_keytype(typed: &str) -> Option<String> {
    let upper = typed.to_ascii_uppercase();
    if upper == "AES" || upper == "AES128CMAC" {
        return Some("AES-128".to_string());
    }
    REFERENCE_NAMES.contains(&upper.as_str()).then_some(upper)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KeyType;

    #[test]
    fn reference_names() {
        assert_eq!(reference_keytype("aes").as_deref(), Some("AES-128"));
        assert_eq!(reference_keytype("sha-256").as_deref(), Some("SHA-256"));
        assert_eq!(reference_keytype("md4").as_deref(), Some("MD4"));
        assert_eq!(reference_keytype("nonsense"), None);
        // Every type we compute is one the reference accepts by its name.
        for k in KeyType::ALL {
            assert!(reference_keytype(k.name()).is_some(), "{k:?}");
        }
    }
}
