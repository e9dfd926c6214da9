//! Hooks for authenticated exchanges (protocol.md §9). The cryptography
//! lives in the `ntp-auth` crate; this crate only carries the closures.
//!
//! * Requests: a [`crate::query::Signer`] receives the request padded to 4
//!   octets and pads it further to the alignment of the server generation
//!   (8 for NTPsec 1.2.2, 4 for 1.2.3+) before appending key id and MAC.
//! * Responses: a [`ResponseCheck`] sees every fragment that passed the
//!   header checks (not error replies), with its data count, before the
//!   MAC is clipped off. It may return a line for the log stream (the
//!   reference's `AUTH - packet too short for MAC ...`). Data is never
//!   rejected, as in the reference.

/// Checks a response fragment's MAC: `(datagram, count) -> log line`.
pub type ResponseCheck = Box<dyn FnMut(&[u8], usize) -> Option<String> + Send>;

/// Where the key id of a request with `count` data octets starts when
/// header and data are padded to `align` octets.
pub fn keyid_offset(count: usize, align: usize) -> usize {
    (crate::header::HEADER_LEN + count).div_ceil(align) * align
}

#[cfg(test)]
mod tests {
    #[test]
    fn offsets() {
        assert_eq!(super::keyid_offset(7, 8), 24);
        assert_eq!(super::keyid_offset(7, 4), 20);
        assert_eq!(super::keyid_offset(17, 4), 32);
        assert_eq!(super::keyid_offset(17, 8), 32);
    }
}
