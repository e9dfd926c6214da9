//! The MAC trailer of Mode 6 packets: `data | zero padding | key id | MAC`
//! (protocol.md §9.2–9.5), with the padding of either server generation.

use crate::keys::KeyFile;
use crate::mac::{compute_mac, verify_mac, KeyType, Secret};

const HEADER_LEN: usize = 12;
const KEYID_LEN: usize = 4;
/// The shortest MAC the reference looks for in a response.
const MIN_MAC_LEN: usize = 16;

/// How far header+data are padded before the key id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// NTPsec 1.2.2 ntpq and ntpd.
    Eight,
    /// NTPsec 1.2.3 and later.
    Four,
}

impl Align {
    pub fn octets(self) -> usize {
        match self {
            Align::Eight => 8,
            Align::Four => 4,
        }
    }

    pub fn other(self) -> Align {
        match self {
            Align::Eight => Align::Four,
            Align::Four => Align::Eight,
        }
    }

    /// Parses `8` or `4`.
    pub fn from_octets(text: &str) -> Option<Align> {
        match text.trim() {
            "8" => Some(Align::Eight),
            "4" => Some(Align::Four),
            _ => None,
        }
    }
}

/// Where the key id of a packet with `count` data octets starts: header
/// and data padded to the alignment.
pub fn keyid_offset(count: usize, align: Align) -> usize {
    (HEADER_LEN + count).div_ceil(align.octets()) * align.octets()
}

/// Whether the two alignments put the key id of a request with `count`
/// data octets at different places (12+count, rounded up to 4, ≡ 4 mod 8).
pub fn alignments_differ(count: usize) -> bool {
    keyid_offset(count, Align::Four) != keyid_offset(count, Align::Eight)
}

/// Pads `pkt` (header + data, any padding to 4 included) with zeros to
/// the alignment and appends the key id and the MAC over everything
/// before the key id.
pub fn sign(pkt: &mut Vec<u8>, align: Align, keyid: u32, kind: KeyType, key: &Secret) {
    while !pkt.len().is_multiple_of(align.octets()) {
        pkt.push(0);
    }
    let mac = compute_mac(kind, key, pkt);
    pkt.extend_from_slice(&keyid.to_be_bytes());
    pkt.extend_from_slice(&mac);
}

/// Verifies the MAC of a request as a server of the given generation
/// does: the key id is looked for at 12+count rounded up to the
/// alignment. Returns the key id when the MAC verifies with that key.
pub fn verify_request(pkt: &[u8], align: Align, keys: &KeyFile) -> Option<u32> {
    if pkt.len() < HEADER_LEN {
        return None;
    }
    let count = u16::from_be_bytes([pkt[10], pkt[11]]) as usize;
    let at = keyid_offset(count, align);
    let rest = pkt.get(at..)?;
    if rest.len() < KEYID_LEN + MIN_MAC_LEN || rest.len() > KEYID_LEN + 20 {
        return None;
    }
    let keyid = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]);
    let key = keys.get(keyid)?;
    let kind = key.kind?;
    verify_mac(kind, &key.secret, &pkt[..at], &rest[KEYID_LEN..]).then_some(keyid)
}

/// The reference's check of a response fragment's MAC (protocol.md §9.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResponseMac {
    /// The MAC verified with a key of the key file.
    Good,
    /// The fragment is too short to hold a MAC: the reference logs
    /// `AUTH - packet too short for MAC <len> < <needed>`.
    TooShort { len: usize, needed: usize },
    /// Unknown key or wrong MAC (the reference says nothing).
    Bad,
}

/// Checks a response fragment with `count` data octets whose MAC the
/// server placed at 12+count rounded up to 8 (both server generations).
pub fn check_response(pkt: &[u8], count: usize, keys: &KeyFile) -> ResponseMac {
    let end = keyid_offset(count, Align::Eight);
    let needed = end + KEYID_LEN + MIN_MAC_LEN;
    if pkt.len() < needed {
        return ResponseMac::TooShort {
            len: pkt.len(),
            needed,
        };
    }
    let keyid = u32::from_be_bytes([pkt[end], pkt[end + 1], pkt[end + 2], pkt[end + 3]]);
    match keys.get(keyid) {
        Some(key) => match key.kind {
            Some(kind) if verify_mac(kind, &key.secret, &pkt[..end], &pkt[end + KEYID_LEN..]) => {
                ResponseMac::Good
            }
            _ => ResponseMac::Bad,
        },
        None => ResponseMac::Bad,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn request(count: usize) -> Vec<u8> {
        let mut p = vec![0x16, 0x08, 0, 1, 0, 0, 0, 0, 0, 0, 0, count as u8];
        p.extend(std::iter::repeat_n(b'x', count));
        while p.len() % 4 != 0 {
            p.push(0);
        }
        p
    }

    fn keys() -> KeyFile {
        KeyFile::parse(
            "1 MD5 md5secret\n2 SHA1 sha1secret\n3 AES 000102030405060708090a0b0c0d0e0f\n4 SHA256 sha256secret\n",
            Path::new("keys"),
        )
    }

    #[test]
    fn keyid_offsets() {
        assert_eq!(keyid_offset(7, Align::Eight), 24);
        assert_eq!(keyid_offset(7, Align::Four), 20);
        assert_eq!(keyid_offset(17, Align::Four), 32);
        assert_eq!(keyid_offset(17, Align::Eight), 32);
    }

    #[test]
    fn padding_for_each_generation() {
        let kf = keys();
        let k = kf.get(1).unwrap();
        // ifstats: 12+7 -> 20; 1.2.2 pads to 24, 1.2.3+ leaves 20.
        let mut eight = request(7);
        sign(&mut eight, Align::Eight, 1, KeyType::Md5, &k.secret);
        assert_eq!(eight.len(), 24 + 4 + 16);
        assert_eq!(&eight[24..28], &[0, 0, 0, 1]);
        let mut four = request(7);
        sign(&mut four, Align::Four, 1, KeyType::Md5, &k.secret);
        assert_eq!(four.len(), 20 + 4 + 16);
        assert_eq!(verify_request(&eight, Align::Eight, &kf), Some(1));
        assert_eq!(verify_request(&four, Align::Four, &kf), Some(1));
        assert_eq!(verify_request(&eight, Align::Four, &kf), None);
        assert_eq!(verify_request(&four, Align::Eight, &kf), None);
        // reslist: 12+17 -> 32 either way; the two agree.
        let mut a = request(17);
        let mut b = request(17);
        sign(&mut a, Align::Eight, 1, KeyType::Md5, &k.secret);
        sign(&mut b, Align::Four, 1, KeyType::Md5, &k.secret);
        assert_eq!(a, b);
        assert!(alignments_differ(7));
        assert!(alignments_differ(15));
        assert!(!alignments_differ(17));
        assert!(alignments_differ(0));
        assert!(!alignments_differ(4));
    }

    #[test]
    fn every_type_round_trips_in_both_alignments() {
        let kf = keys();
        for id in 1..=4 {
            let key = kf.get(id).unwrap();
            for align in [Align::Eight, Align::Four] {
                for count in 0..20 {
                    let mut p = request(count);
                    sign(&mut p, align, id, key.kind.unwrap(), &key.secret);
                    assert_eq!(verify_request(&p, align, &kf), Some(id));
                }
            }
        }
        // SHA256 is cut to 20 octets.
        let mut p = request(0);
        sign(
            &mut p,
            Align::Eight,
            4,
            KeyType::Sha256,
            &kf.get(4).unwrap().secret,
        );
        assert_eq!(p.len(), 16 + 4 + 20);
    }

    #[test]
    fn response_check() {
        let kf = keys();
        let short = request(4);
        assert_eq!(
            check_response(&short, 4, &kf),
            ResponseMac::TooShort {
                len: 16,
                needed: 36
            }
        );
        let mut p = request(5);
        sign(
            &mut p,
            Align::Eight,
            2,
            KeyType::Sha1,
            &kf.get(2).unwrap().secret,
        );
        assert_eq!(check_response(&p, 5, &kf), ResponseMac::Good);
        let n = p.len();
        p[n - 1] ^= 1;
        assert_eq!(check_response(&p, 5, &kf), ResponseMac::Bad);
    }
}
