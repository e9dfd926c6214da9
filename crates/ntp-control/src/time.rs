//! NTP time: 64-bit timestamps (32.32 fixed point, era folded) to and from
//! Unix time, and the civil date of a Unix day. The one place that knows
//! the 1900→1970 offset; every crate converts through here.
//!
//! Only conversions of values handed in: nothing here reads a clock.

use std::time::{SystemTime, UNIX_EPOCH};

/// An NTP timestamp (32.32 fixed point) as ntpd sends it in `0x%08x.%08x`.
pub type NtpStamp = u64;

/// Seconds from 1900-01-01 (NTP epoch, era 0) to 1970-01-01 (Unix epoch).
pub const NTP_UNIX_OFFSET: i64 = 2_208_988_800;

const NANOS_PER_SEC: i128 = 1_000_000_000;

/// The stamp of a system time, folded into one era (seconds modulo 2^32);
/// the fraction is the nanoseconds scaled down (truncated) as ntpd does.
/// Times before 1970 count backwards from the epoch like any other.
pub fn stamp_from_system(t: SystemTime) -> NtpStamp {
    let nanos = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    };
    let secs = nanos.div_euclid(NANOS_PER_SEC) + i128::from(NTP_UNIX_OFFSET);
    let subsec = nanos.rem_euclid(NANOS_PER_SEC) as u64;
    let frac = (subsec << 32) / NANOS_PER_SEC as u64;
    (secs.rem_euclid(1 << 32) as u64) << 32 | frac
}

/// Unix seconds of 32-bit NTP seconds, chosen in [pivot − 2^31, pivot + 2^31).
pub fn unfold_ntp_seconds(ntp: u32, pivot_unix: i64) -> i64 {
    let base = pivot_unix - (1i64 << 31);
    let offset = ntp
        .wrapping_sub(NTP_UNIX_OFFSET as u32)
        .wrapping_sub(base as u32);
    base + i64::from(offset)
}

/// Unix time of a stamp as the reference's `lfptofloat` computes it: the
/// seconds unfolded around `pivot_unix`, the fraction rounded to
/// nanoseconds, then `sec + nsec * 1e-9` in doubles (C's `S_PER_NS`).
pub fn stamp_to_unix(stamp: NtpStamp, pivot_unix: i64) -> f64 {
    let unix = unfold_ntp_seconds((stamp >> 32) as u32, pivot_unix);
    let nanos = ((stamp & 0xffff_ffff) * 1_000_000_000 + 0x8000_0000) >> 32;
    unix as f64 + nanos as f64 * 1e-9
}

/// `0xSSSSSSSS.FFFFFFFF`, the form ntpd sends timestamps in.
pub fn format_stamp(stamp: NtpStamp) -> String {
    format!("0x{:08x}.{:08x}", stamp >> 32, stamp & 0xffff_ffff)
}

/// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
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
    use std::time::Duration;

    #[test]
    fn system_to_stamp() {
        assert_eq!(
            format_stamp(stamp_from_system(UNIX_EPOCH)),
            "0x83aa7e80.00000000"
        );
        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 500_000_000);
        assert_eq!(stamp_from_system(t), 0xe8fe_6f80_8000_0000);
        // Era 1 starts 2036-02-07T06:28:16Z: the seconds wrap to 0.
        let era1 = UNIX_EPOCH + Duration::from_secs((1 << 32) - NTP_UNIX_OFFSET as u64);
        assert_eq!(stamp_from_system(era1), 0);
    }

    #[test]
    fn before_1970_counts_backwards_with_its_fraction() {
        // 0.25 s before the Unix epoch. The simulator's old copy dropped
        // the fraction and rounded the seconds towards the epoch
        // (0x83aa7e80.00000000); the loadgen's clamped to the epoch itself.
        let t = UNIX_EPOCH - Duration::from_millis(250);
        assert_eq!(format_stamp(stamp_from_system(t)), "0x83aa7e7f.c0000000");
    }

    #[test]
    fn stamp_to_unix_is_sec_plus_nsec_times_1e_9() {
        // 3 ns after the epoch: the reference's 3 * 1e-9 is not 3e-9, which
        // the old mrulist copy (nanoseconds / 1e9) computed.
        let three_ns = (NTP_UNIX_OFFSET as u64) << 32 | 13;
        assert_eq!(stamp_to_unix(three_ns, 0), 3.0000000000000004e-9);
        assert_ne!(stamp_to_unix(three_ns, 0), 3e-9);
        // Fraction rounded to nanoseconds, half up.
        let half = (NTP_UNIX_OFFSET as u64) << 32 | 0x8000_0000;
        assert_eq!(stamp_to_unix(half, 0), 0.5);
        assert_eq!(
            stamp_to_unix(0xe9c0_a1b2_ffff_ffff, 1_795_683_804),
            1712726835.0
        );
    }

    #[test]
    fn unfolding_window_edges() {
        let pivot = 1_671_006_760;
        let lo = pivot - (1 << 31);
        let ntp_lo = (lo + NTP_UNIX_OFFSET) as u32;
        assert_eq!(unfold_ntp_seconds(ntp_lo, pivot), lo);
        assert_eq!(
            unfold_ntp_seconds(ntp_lo.wrapping_sub(1), pivot),
            lo + (1 << 32) - 1
        );
        assert_eq!(
            stamp_to_unix(0x8000_0000_0000_0000, 1_795_683_804),
            -61505152.0
        );
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20418), (2025, 11, 26));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(-25_567), (1900, 1, 1));
    }
}
