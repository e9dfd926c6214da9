//! NTP symmetric-key authentication as used by Mode 6 (control) messages:
//! key files (`ntp.keys`), MAC computation and verification, and the MAC
//! trailer with its two alignments (protocol.md §9).
//!
//! The cryptography comes from the RustCrypto crates (`md-5`, `sha1`,
//! `sha2`, `sha3`, `ripemd`, `blake2`, `sm3`; `aes`, `aria`, `camellia`,
//! `sm4` with `cmac`; `subtle` for constant-time comparison); nothing here
//! is hand-written crypto. Every digest and cipher that NTPsec 1.2.2's ntpd
//! can use with Debian's OpenSSL 3 is covered (MD4, WHIRLPOOL and DES are
//! accepted in its key file but fail in OpenSSL's default provider).
//!
//! * [`keys`]: key files (`ntp.keys`) as the reference reads its `-k` file,
//!   and `read_limited`, the size-capped read of key and config files.
//! * [`mac`]: key types and MAC computation and verification.
//! * [`trailer`]: the MAC trailer of a packet — both alignments, the key id
//!   offset, signing requests and checking requests and responses.
//! * [`conf`]: the daemon's configuration file, for its `controlkey`.

pub mod conf;
pub mod keys;
pub mod keytype_names;
pub mod mac;
pub mod trailer;

pub use keys::{read_limited, Key, KeyFile, KeyFileError, MAX_KEY_FILE_BYTES};
pub use mac::{compute_mac, verify_mac, KeyType, Secret};
pub use trailer::{sign, Align, ResponseMac};
