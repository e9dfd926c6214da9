//! NTP `l_fp` timestamps as the reference's C helpers read and print them
//! (commands.md §4.4).

/// Unix time of the 1.2.2 release date; 32-bit NTP seconds are unfolded
/// into the 2^32-second window centred on it when printing dates.
pub const PIVOT_1_2_2: i64 = 1_671_006_760;

/// Seconds from 1900-01-01 (NTP epoch) to 1970-01-01 (Unix epoch).
const JAN_1970: u32 = 2_208_988_800;

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

/// Unix seconds of 32-bit NTP seconds, chosen in [pivot − 2^31, pivot + 2^31).
pub fn unfold_ntp_seconds(ntp: u32, pivot_unix: i64) -> i64 {
    let base = pivot_unix - (1i64 << 31);
    let offset = ntp.wrapping_sub(JAN_1970).wrapping_sub(base as u32);
    base + i64::from(offset)
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
    let unix = unfold_ntp_seconds(seconds, pivot_unix);
    let nanos = (u64::from(fraction) * 1_000_000_000 + 0x8000_0000) >> 32;
    Some(unix as f64 + nanos as f64 * 1e-9)
}

/// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
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

    #[test]
    fn unfolding_window_edges() {
        let pivot = PIVOT_1_2_2;
        let lo = pivot - (1 << 31);
        let ntp_lo = (lo + i64::from(JAN_1970)) as u32;
        assert_eq!(unfold_ntp_seconds(ntp_lo, pivot), lo);
        assert_eq!(
            unfold_ntp_seconds(ntp_lo.wrapping_sub(1), pivot),
            lo + (1 << 32) - 1
        );
    }
}
