//! `mrulist` rows (mrulist.md §8): the normal table and direct mode.

use ntp_control::mru::entry::{stamp_to_unix, AddrRef, MruEntry};

use crate::pyfmt::{percent_d_float, percent_f};

/// The column titles (69 characters); the rule is as many `=`.
pub const HEADER: &str = " lstint avgint rstr r m v  count    score   drop rport remote address";

/// `header`, rule, each with a newline.
pub fn header() -> String {
    format!("{HEADER}\n{}\n", "=".repeat(HEADER.len()))
}

/// One row without its newline. `now_unix` is the display's "now" (server
/// time of the end marker, or the client's clock after an interruption);
/// `None` selects direct mode. `pivot_unix` unfolds NTP eras (current
/// time). `remote` is the remote-address column text. An entry the server
/// sent corrupt gives an empty row, as in the reference.
pub fn row(e: &MruEntry, now_unix: Option<f64>, pivot_unix: i64, remote: &str) -> String {
    if e.addr == AddrRef::Invalid {
        return String::new();
    }
    let last = stamp_to_unix(e.last, pivot_unix);
    let first = stamp_to_unix(e.first, pivot_unix);
    let active = last - first;
    let count = i64::from(e.count);
    let mut s = match now_unix {
        Some(now) => {
            let lstint = percent_d_float(now - last + 0.5).unwrap_or_default();
            let favg = if count == 1 {
                0.0
            } else {
                active / (count - 1) as f64
            };
            let avg = percent_d_float(favg + 0.5).unwrap_or_default();
            let avg_col = if favg > 5.0 || count == 1 {
                format!(" {avg:>6}")
            } else if favg >= 1.0 {
                format!(" {}", percent_f(favg, 6, 2))
            } else {
                format!(" {}", percent_f(favg, 6, 3))
            };
            format!("{lstint:>7}{avg_col}")
        }
        None => {
            const MJD_1970: i64 = 40587;
            let l = last.trunc() as i64;
            let (days, secs) = (l.div_euclid(86400), l.rem_euclid(86400));
            let active = percent_d_float(active).unwrap_or_default();
            format!("{:5} {:5} {active:>6}", days + MJD_1970, secs)
        }
    };
    let rscode = if e.rs & 0x400 != 0 {
        'K'
    } else if e.rs & 0x20 != 0 {
        'L'
    } else {
        '.'
    };
    let score = match e.score() {
        Some(sc) if sc != 0.0 => {
            if sc > 100000.0 {
                percent_f(sc, 8, 1)
            } else if sc > 10000.0 {
                percent_f(sc, 8, 2)
            } else {
                percent_f(sc, 8, 3)
            }
        }
        _ => "-".to_string(),
    };
    let drop = match e.drop_count() {
        Some(d) => format!("{d:4}"),
        None => "-".to_string(),
    };
    let port = if e.has_port {
        e.port.to_string()
    } else {
        String::new()
    };
    s.push_str(&format!(
        " {:4x} {rscode} {} {} {:6} {score:>8} {drop:>6} {port:>5} {remote}",
        e.rs,
        e.mv & 7,
        (e.mv >> 3) & 7,
        e.count
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntp_control::mru::entry::{parse_stamp, NO_DROP, NO_SCORE};

    fn entry(
        last: &str,
        first: &str,
        count: u32,
        rs: u16,
        sc: u32,
        dr: u32,
        port: Option<u16>,
    ) -> MruEntry {
        MruEntry {
            last: parse_stamp(last).unwrap(),
            first: parse_stamp(first).unwrap(),
            addr: AddrRef::V4(0xc000_0201),
            count,
            drop: dr,
            score_milli: sc,
            port: port.unwrap_or(0),
            rs,
            mv: 35,
            has_port: port.is_some(),
        }
    }

    const NOW: i64 = 1_795_680_000;

    #[test]
    fn rows_like_the_reference() {
        // 0xeeb26395 is Unix 1795679509.
        let now = Some(1_795_679_512.7);
        let e = entry(
            "0xeeb26395.00000000",
            "0xeeb26395.00000000",
            1,
            0xc0,
            50,
            0,
            Some(123),
        );
        assert_eq!(
            row(&e, now, NOW, "192.0.2.1"),
            "      4      0   c0 . 3 4      1    0.050      0   123 192.0.2.1"
        );
        let e = entry(
            "0xeeb26395.00000000",
            "0xeeb26390.00000000",
            3,
            0x20,
            12_345_678,
            5,
            Some(40001),
        );
        assert_eq!(
            row(&e, now, NOW, "192.0.2.3"),
            "      4   2.50   20 L 3 4      3 12345.68      5 40001 192.0.2.3"
        );
        let e = entry(
            "0xeeb26395.00000000",
            "0xeeb26394.80000000",
            3,
            0,
            NO_SCORE,
            0,
            Some(40002),
        );
        assert_eq!(
            row(&e, now, NOW, "192.0.2.4"),
            "      4  0.250    0 . 3 4      3        -      0 40002 192.0.2.4"
        );
        let e = entry(
            "0xeeb26395.00000000",
            "0xeeb26394.00000000",
            2,
            0x420,
            123_456_789,
            NO_DROP,
            None,
        );
        assert_eq!(
            row(&e, now, NOW, "192.0.2.5"),
            "      4   1.00  420 K 3 4      2 123456.8      -       192.0.2.5"
        );
    }

    #[test]
    fn direct_rows() {
        let e = entry(
            "0xeeb26395.80000000",
            "0xeeb262d1.00000000",
            147,
            0,
            1304,
            0,
            Some(57100),
        );
        // 1795679509 = MJD 61370 + 28309 s.
        assert_eq!(
            row(&e, None, NOW, "127.0.0.9"),
            "61370 28309    196    0 . 3 4    147    1.304      0 57100 127.0.0.9"
        );
    }

    #[test]
    fn corrupt_entries_are_empty_rows() {
        let mut e = entry(
            "0xeeb26395.00000000",
            "0xeeb26395.00000000",
            1,
            0,
            0,
            0,
            None,
        );
        e.addr = AddrRef::Invalid;
        assert_eq!(row(&e, Some(0.0), NOW, "x"), "");
        assert_eq!(header().lines().next().unwrap().len(), 69);
    }
}
