//! MAC computation: `digest(key ‖ packet)` for digest types, AES-CMAC for
//! cipher types, truncated to 20 octets as ntpd does (protocol.md §9.2).

use std::fmt;

use aes::{Aes128, Aes192, Aes256};
use cmac::{Cmac, Mac};
use sha2::Digest;
use subtle::ConstantTimeEq;

/// The longest MAC ntpd accepts (and the length longer digests are cut to).
pub const MAX_MAC_LEN: usize = 20;

/// The key types this client can compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sha512_224,
    Sha512_256,
    Sha3_224,
    Sha3_256,
    Sha3_384,
    Sha3_512,
    /// AES-128-CMAC (`AES`, `AES128CMAC`, `AES-128`).
    Aes128,
    Aes192,
    Aes256,
    Ripemd160,
    Blake2b512,
    Blake2s256,
    Sm3,
    /// OpenSSL's MD5-SHA1: both digests concatenated.
    Md5Sha1,
    /// SHAKE128 with OpenSSL's default output length (16 octets).
    Shake128,
    /// SHAKE256 with OpenSSL's default output length (32 octets).
    Shake256,
    Aria128,
    Aria192,
    Aria256,
    Camellia128,
    Camellia192,
    Camellia256,
    Sm4,
}

impl KeyType {
    /// Every supported type, in a stable order.
    pub const ALL: &'static [KeyType] = &[
        KeyType::Md5,
        KeyType::Sha1,
        KeyType::Sha224,
        KeyType::Sha256,
        KeyType::Sha384,
        KeyType::Sha512,
        KeyType::Sha512_224,
        KeyType::Sha512_256,
        KeyType::Sha3_224,
        KeyType::Sha3_256,
        KeyType::Sha3_384,
        KeyType::Sha3_512,
        KeyType::Aes128,
        KeyType::Aes192,
        KeyType::Aes256,
        KeyType::Ripemd160,
        KeyType::Blake2b512,
        KeyType::Blake2s256,
        KeyType::Sm3,
        KeyType::Md5Sha1,
        KeyType::Shake128,
        KeyType::Shake256,
        KeyType::Aria128,
        KeyType::Aria192,
        KeyType::Aria256,
        KeyType::Camellia128,
        KeyType::Camellia192,
        KeyType::Camellia256,
        KeyType::Sm4,
    ];

    /// Looks a type name up case-insensitively, with the aliases OpenSSL
    /// and NTPsec accept (`AES`/`AES128CMAC`, `SHA-1`, `SHA2-256`, ...).
    pub fn from_name(name: &str) -> Option<KeyType> {
        let upper = name.to_ascii_uppercase();
        let t = match upper.as_str() {
            "MD5" | "RSA-MD5" | "SSL3-MD5" => KeyType::Md5,
            "SHA1" | "SHA-1" | "RSA-SHA1" | "SSL3-SHA1" | "RSA-SHA1-2" => KeyType::Sha1,
            "SHA224" | "SHA-224" | "SHA2-224" | "RSA-SHA224" => KeyType::Sha224,
            "SHA256" | "SHA-256" | "SHA2-256" | "RSA-SHA256" => KeyType::Sha256,
            "SHA384" | "SHA-384" | "SHA2-384" | "RSA-SHA384" => KeyType::Sha384,
            "SHA512" | "SHA-512" | "SHA2-512" | "RSA-SHA512" => KeyType::Sha512,
            "SHA512-224" | "SHA-512/224" | "SHA2-512/224" | "RSA-SHA512/224" => KeyType::Sha512_224,
            "SHA512-256" | "SHA-512/256" | "SHA2-512/256" | "RSA-SHA512/256" => KeyType::Sha512_256,
            "SHA3-224" | "RSA-SHA3-224" => KeyType::Sha3_224,
            "SHA3-256" | "RSA-SHA3-256" => KeyType::Sha3_256,
            "SHA3-384" | "RSA-SHA3-384" => KeyType::Sha3_384,
            "SHA3-512" | "RSA-SHA3-512" => KeyType::Sha3_512,
            "AES" | "AES128CMAC" | "AES-128" => KeyType::Aes128,
            "AES-192" => KeyType::Aes192,
            "AES-256" => KeyType::Aes256,
            "RIPEMD160" | "RIPEMD-160" | "RIPEMD" | "RMD160" | "RSA-RIPEMD160" => {
                KeyType::Ripemd160
            }
            "BLAKE2B512" | "BLAKE2B-512" => KeyType::Blake2b512,
            "BLAKE2S256" | "BLAKE2S-256" => KeyType::Blake2s256,
            "SM3" | "RSA-SM3" => KeyType::Sm3,
            "MD5-SHA1" => KeyType::Md5Sha1,
            "SHAKE128" | "SHAKE-128" => KeyType::Shake128,
            "SHAKE256" | "SHAKE-256" => KeyType::Shake256,
            "ARIA-128" => KeyType::Aria128,
            "ARIA-192" => KeyType::Aria192,
            "ARIA-256" => KeyType::Aria256,
            "CAMELLIA-128" => KeyType::Camellia128,
            "CAMELLIA-192" => KeyType::Camellia192,
            "CAMELLIA-256" => KeyType::Camellia256,
            "SM4" => KeyType::Sm4,
            _ => return None,
        };
        Some(t)
    }

    /// The canonical (OpenSSL) name.
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Md5 => "MD5",
            KeyType::Sha1 => "SHA1",
            KeyType::Sha224 => "SHA224",
            KeyType::Sha256 => "SHA256",
            KeyType::Sha384 => "SHA384",
            KeyType::Sha512 => "SHA512",
            KeyType::Sha512_224 => "SHA512-224",
            KeyType::Sha512_256 => "SHA512-256",
            KeyType::Sha3_224 => "SHA3-224",
            KeyType::Sha3_256 => "SHA3-256",
            KeyType::Sha3_384 => "SHA3-384",
            KeyType::Sha3_512 => "SHA3-512",
            KeyType::Aes128 => "AES-128",
            KeyType::Aes192 => "AES-192",
            KeyType::Aes256 => "AES-256",
            KeyType::Ripemd160 => "RIPEMD160",
            KeyType::Blake2b512 => "BLAKE2B512",
            KeyType::Blake2s256 => "BLAKE2S256",
            KeyType::Sm3 => "SM3",
            KeyType::Md5Sha1 => "MD5-SHA1",
            KeyType::Shake128 => "SHAKE128",
            KeyType::Shake256 => "SHAKE256",
            KeyType::Aria128 => "ARIA-128",
            KeyType::Aria192 => "ARIA-192",
            KeyType::Aria256 => "ARIA-256",
            KeyType::Camellia128 => "CAMELLIA-128",
            KeyType::Camellia192 => "CAMELLIA-192",
            KeyType::Camellia256 => "CAMELLIA-256",
            KeyType::Sm4 => "SM4",
        }
    }

    pub fn is_cmac(self) -> bool {
        matches!(
            self,
            KeyType::Aes128
                | KeyType::Aes192
                | KeyType::Aes256
                | KeyType::Aria128
                | KeyType::Aria192
                | KeyType::Aria256
                | KeyType::Camellia128
                | KeyType::Camellia192
                | KeyType::Camellia256
                | KeyType::Sm4
        )
    }

    /// Octets of MAC on the wire (after truncation to 20).
    pub fn mac_len(self) -> usize {
        if self.is_cmac() || matches!(self, KeyType::Md5 | KeyType::Shake128) {
            16
        } else {
            MAX_MAC_LEN
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Key material. Never printed: `Debug` shows only its length, and the
/// octets are overwritten when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(bytes)
    }

    /// A password as typed or written in a key file: up to 20 characters
    /// literally, longer ones as hex (the first 64 digits; an odd last
    /// digit dropped). `None` for an invalid hex digit.
    pub fn from_text(text: &str) -> Option<Secret> {
        if text.chars().count() <= 20 {
            return Some(Secret(text.as_bytes().to_vec()));
        }
        let digits: Vec<char> = text.chars().take(64).collect();
        let even = digits.len() & !1;
        let mut out = Vec::with_capacity(even / 2);
        for pair in digits[..even].chunks(2) {
            let hi = pair[0].to_digit(16)?;
            let lo = pair[1].to_digit(16)?;
            out.push((hi * 16 + lo) as u8);
        }
        Some(Secret(out))
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} octets)", self.0.len())
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        for b in self.0.iter_mut() {
            // SAFETY: `b` is a valid, aligned, exclusive reference.
            unsafe { std::ptr::write_volatile(b, 0) };
        }
    }
}

fn digest<D: Digest>(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut d = D::new();
    d.update(key);
    d.update(data);
    d.finalize().to_vec()
}

fn shake<D: sha3::digest::Update + sha3::digest::ExtendableOutput + Default>(
    key: &[u8],
    data: &[u8],
    len: usize,
) -> Vec<u8> {
    let mut d = D::default();
    d.update(key);
    d.update(data);
    let mut out = vec![0u8; len];
    d.finalize_xof_into(&mut out);
    out
}

/// The cipher key: truncated or zero-padded to the cipher's key length.
fn cipher_key<const N: usize>(key: &[u8]) -> [u8; N] {
    let mut k = [0u8; N];
    let n = key.len().min(N);
    k[..n].copy_from_slice(&key[..n]);
    k
}

macro_rules! cmac {
    ($cipher:ty, $key:expr, $data:expr) => {{
        let mut m =
            <Cmac<$cipher> as Mac>::new_from_slice($key).expect("key has the cipher's length");
        m.update($data);
        m.finalize().into_bytes().to_vec()
    }};
}

/// The MAC of `data` (everything before the key id) with `key`, as ntpd
/// computes it, truncated to 20 octets.
pub fn compute_mac(kind: KeyType, key: &Secret, data: &[u8]) -> Vec<u8> {
    let k = key.expose();
    let mut mac = match kind {
        KeyType::Md5 => digest::<md5::Md5>(k, data),
        KeyType::Sha1 => digest::<sha1::Sha1>(k, data),
        KeyType::Sha224 => digest::<sha2::Sha224>(k, data),
        KeyType::Sha256 => digest::<sha2::Sha256>(k, data),
        KeyType::Sha384 => digest::<sha2::Sha384>(k, data),
        KeyType::Sha512 => digest::<sha2::Sha512>(k, data),
        KeyType::Sha512_224 => digest::<sha2::Sha512_224>(k, data),
        KeyType::Sha512_256 => digest::<sha2::Sha512_256>(k, data),
        KeyType::Sha3_224 => digest::<sha3::Sha3_224>(k, data),
        KeyType::Sha3_256 => digest::<sha3::Sha3_256>(k, data),
        KeyType::Sha3_384 => digest::<sha3::Sha3_384>(k, data),
        KeyType::Sha3_512 => digest::<sha3::Sha3_512>(k, data),
        KeyType::Aes128 => cmac!(Aes128, &cipher_key::<16>(k), data),
        KeyType::Aes192 => cmac!(Aes192, &cipher_key::<24>(k), data),
        KeyType::Aes256 => cmac!(Aes256, &cipher_key::<32>(k), data),
        KeyType::Ripemd160 => digest::<ripemd::Ripemd160>(k, data),
        KeyType::Blake2b512 => digest::<blake2::Blake2b512>(k, data),
        KeyType::Blake2s256 => digest::<blake2::Blake2s256>(k, data),
        KeyType::Sm3 => digest::<sm3::Sm3>(k, data),
        KeyType::Md5Sha1 => {
            let mut m = digest::<md5::Md5>(k, data);
            m.extend(digest::<sha1::Sha1>(k, data));
            m
        }
        KeyType::Shake128 => shake::<sha3::Shake128>(k, data, 16),
        KeyType::Shake256 => shake::<sha3::Shake256>(k, data, 32),
        KeyType::Aria128 => cmac!(aria::Aria128, &cipher_key::<16>(k), data),
        KeyType::Aria192 => cmac!(aria::Aria192, &cipher_key::<24>(k), data),
        KeyType::Aria256 => cmac!(aria::Aria256, &cipher_key::<32>(k), data),
        KeyType::Camellia128 => cmac!(camellia::Camellia128, &cipher_key::<16>(k), data),
        KeyType::Camellia192 => cmac!(camellia::Camellia192, &cipher_key::<24>(k), data),
        KeyType::Camellia256 => cmac!(camellia::Camellia256, &cipher_key::<32>(k), data),
        KeyType::Sm4 => cmac!(sm4::Sm4, &cipher_key::<16>(k), data),
    };
    mac.truncate(MAX_MAC_LEN);
    mac
}

/// Whether `mac` is the MAC of `data`; compared in constant time.
pub fn verify_mac(kind: KeyType, key: &Secret, data: &[u8], mac: &[u8]) -> bool {
    let expected = compute_mac(kind, key, data);
    expected.len() == mac.len() && bool::from(expected.ct_eq(mac))
}

#[cfg(test)]
mod tests;
