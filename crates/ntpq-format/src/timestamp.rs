//! NTP `l_fp` timestamps as the reference's C helpers read and print them
//! (commands.md §4.4). The conversions themselves are [`ntp_control::time`].

use ntp_control::time::{civil_from_days, stamp_to_unix, unfold_ntp_seconds};

/// Unix time of the 1.2.2 release date; 32-bit NTP seconds are unfolded
/// into the 2^32-second window centred on it when printing dates.
pub const PIVOT_1_2_2: i64 = 1_671_006_760;

/// Reads `0xSSSSSSSS.FFFFFFFF`: two leading characters skipped unchecked,
/// optional blanks, exactly 8 hex digits, optional `.`, exactly 8 hex
/// digits, then end of text or a blank. Returns (seconds, fraction).
pub fn parse_lfp(raw: &str) -> Option<(u32, u32)> {
    let bytes = raw.as_bytes().get(2..)?;
    let mut pos = 0;
    while bytes.get(pos).is_some_and(|b| is_c_space(*b)) {
        pos += 1;
    }
    let seconds = hex8(bytes, &mut pos)?;
    if bytes.get(pos) == Some(&b'.') {
        pos += 1;
    }
    let fraction = hex8(bytes, &mut pos)?;
    match bytes.get(pos) {
        None => Some((seconds, fraction)),
        Some(b) if is_c_space(*b) => Some((seconds, fraction)),
        Some(_) => None,
    }
}

/// C `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// Exactly eight hex digits at `pos`, advancing past them.
fn hex8(bytes: &[u8], pos: &mut usize) -> Option<u32> {
    let chunk = bytes.get(*pos..*pos + 8)?;
    let mut v: u32 = 0;
    for &b in chunk {
        v = (v << 4) | (b as char).to_digit(16)?;
    }
    *pos += 8;
    Some(v)
}

/// `SSSSSSSS.FFFFFFFF YYYY-MM-DDTHH:MM:SS.mmmZ`, or `None` for a malformed
/// value (the reference raises; callers print the raw text instead).
pub fn prettydate(raw: &str) -> Option<String> {
    let (seconds, fraction) = parse_lfp(raw)?;
    // Milliseconds are truncated with a divisor slightly below 2^32/1000,
    // so fractions just under a second round up into the next one.
    let mut ms = fraction / 4_294_967;
    let mut shown = seconds;
    if ms >= 1000 {
        ms -= 1000;
        shown = shown.wrapping_add(1);
    }
    let unix = unfold_ntp_seconds(shown, PIVOT_1_2_2);
    let (y, mo, d) = civil_from_days(unix.div_euclid(86_400));
    let secs = unix.rem_euclid(86_400);
    Some(format!(
        "{seconds:08x}.{fraction:08x} {y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ))
}

/// Unix time (seconds, with the fraction rounded to nanoseconds) of a
/// timestamp, unfolded around `pivot_unix` (the current time for elapsed
/// time computations). `None` when malformed.
pub fn lfp_to_unix(raw: &str, pivot_unix: i64) -> Option<f64> {
    let (seconds, fraction) = parse_lfp(raw)?;
    Some(stamp_to_unix(
        u64::from(seconds) << 32 | u64::from(fraction),
        pivot_unix,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prettydate_matches_reference() {
        // From ntp.ntpc.prettydate of NTPsec 1.2.2.
        let cases: &[(&str, &str)] = &[
            (
                "0x00000000.00000000",
                "00000000.00000000 2036-02-07T06:28:16.000Z",
            ),
            (
                "0xffffffff.ffffffff",
                "ffffffff.ffffffff 2036-02-07T06:28:16.000Z",
            ),
            (
                "0X80000000.00000000",
                "80000000.00000000 1968-01-20T03:14:08.000Z",
            ),
            (
                "0xeeb26459.feeb33e1",
                "eeb26459.feeb33e1 2026-11-26T07:55:05.995Z",
            ),
            (
                "zz12345678.12345678",
                "12345678.12345678 2045-10-12T05:19:52.071Z",
            ),
            (
                "0x  12345678.12345678",
                "12345678.12345678 2045-10-12T05:19:52.071Z",
            ),
            (
                "0x12345678.12345678 junk",
                "12345678.12345678 2045-10-12T05:19:52.071Z",
            ),
            (
                "0x1234567812345678",
                "12345678.12345678 2045-10-12T05:19:52.071Z",
            ),
            (
                "0xE9C0A1B2.FFFFFFF0",
                "e9c0a1b2.fffffff0 2024-04-10T05:27:15.000Z",
            ),
            (
                "0xe9c0a1b2.fff00000",
                "e9c0a1b2.fff00000 2024-04-10T05:27:14.999Z",
            ),
            (
                "0x9b5a2b28.00000000",
                "9b5a2b28.00000000 1982-08-05T09:49:28.000Z",
            ),
            (
                "0x674408a8.00000000",
                "674408a8.00000000 1954-11-26T05:18:32.000Z",
            ),
            (
                "0x674408a7.00000000",
                "674408a7.00000000 2091-01-01T11:46:47.000Z",
            ),
            (
                "0xd6b4b7b0.80000000",
                "d6b4b7b0.80000000 2014-02-23T18:08:48.500Z",
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(prettydate(raw).as_deref(), Some(*want), "{raw}");
        }
    }

    #[test]
    fn prettydate_rejects_malformed() {
        for raw in [
            "0x",
            "",
            "0",
            "0x12345678",
            "0x12345678.1234567",
            "0x12345678.12345678x",
            "0x1234567g.12345678",
            "0x12345678..2345678",
        ] {
            assert_eq!(prettydate(raw), None, "{raw}");
        }
    }

    #[test]
    fn lfp_to_unix_matches_reference() {
        // ntp.ntpc.lfptofloat with the current time as pivot (late 2026).
        let now = 1_795_683_804;
        let cases: &[(&str, f64)] = &[
            ("0xe9c0a1b2.12345678", 1712726834.0711112),
            ("0x00000000.00000000", 2085978496.0),
            ("zz12345678.12345678", 2391398392.071111),
            ("0X80000000.00000000", -61505152.0),
            ("0xe9c0a1b2.ffffffff", 1712726835.0),
            ("0xe9c0a1b2.80000000", 1712726834.5),
        ];
        for (raw, want) in cases {
            assert_eq!(lfp_to_unix(raw, now), Some(*want), "{raw}");
        }
        assert_eq!(lfp_to_unix("0x12345678", now), None);
    }
}
