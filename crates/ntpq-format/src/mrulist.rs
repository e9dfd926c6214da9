//! `mrulist` rows (mrulist.md §8): the normal table and direct mode.

use ntp_control::mru::entry::{AddrRef, MruEntry};
use ntp_control::time::stamp_to_unix;

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
    let mut s = String::with_capacity(96);
    if row_into(&mut s, e, now_unix, pivot_unix) {
        s.push_str(remote);
    }
    s
}

/// Appends a row up to its last column, the remote address, which the
/// caller appends (numeric or a name) unless this returns false (a corrupt
/// entry: an empty row). No newline. Hand-formatted: a million-row list is
/// printed in well under a second.
pub fn row_into(out: &mut String, e: &MruEntry, now_unix: Option<f64>, pivot_unix: i64) -> bool {
    if e.addr == AddrRef::Invalid {
        return false;
    }
    let last = stamp_to_unix(e.last, pivot_unix);
    let first = stamp_to_unix(e.first, pivot_unix);
    let active = last - first;
    let count = i64::from(e.count);
    match now_unix {
        Some(now) => {
            push_trunc(out, now - last + 0.5, 7);
            out.push(' ');
            let favg = if count == 1 {
                0.0
            } else {
                active / (count - 1) as f64
            };
            if favg > 5.0 || count == 1 {
                push_trunc(out, favg + 0.5, 6);
            } else if favg >= 1.0 {
                push_percent_f(out, favg, 6, 2);
            } else {
                push_percent_f(out, favg, 6, 3);
            }
        }
        None => {
            const MJD_1970: i64 = 40587;
            let l = last.trunc() as i64;
            push_int(out, l.div_euclid(86400) + MJD_1970, 5);
            out.push(' ');
            push_int(out, l.rem_euclid(86400), 5);
            out.push(' ');
            push_trunc(out, active, 6);
        }
    }
    out.push(' ');
    push_hex(out, e.rs, 4);
    out.push(' ');
    out.push(if e.rs & 0x400 != 0 {
        'K'
    } else if e.rs & 0x20 != 0 {
        'L'
    } else {
        '.'
    });
    out.push(' ');
    out.push(char::from(b'0' + (e.mv & 7)));
    out.push(' ');
    out.push(char::from(b'0' + ((e.mv >> 3) & 7)));
    out.push(' ');
    push_int(out, i64::from(e.count), 6);
    out.push(' ');
    match e.score() {
        Some(sc) if sc != 0.0 => {
            if sc > 10000.0 {
                let text = if sc > 100000.0 {
                    percent_f(sc, 8, 1)
                } else {
                    percent_f(sc, 8, 2)
                };
                out.push_str(&format!("{text:>8}"));
            } else {
                // Thousandths are exact here: k/1000 prints as k at three decimals.
                push_milli(out, e.score_milli, 8);
            }
        }
        _ => out.push_str("       -"),
    }
    out.push(' ');
    match e.drop_count() {
        Some(d) => push_int(out, i64::from(d), 6),
        None => out.push_str("     -"),
    }
    out.push(' ');
    if e.has_port {
        push_int(out, i64::from(e.port), 5);
    } else {
        out.push_str("     ");
    }
    out.push(' ');
    true
}

/// Right-aligned decimal integer, at least `width` wide.
fn push_int(out: &mut String, v: i64, width: usize) {
    let mut buf = [0u8; 24];
    let mut i = buf.len();
    let neg = v < 0;
    let mut n = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if neg {
        i -= 1;
        buf[i] = b'-';
    }
    let len = buf.len() - i;
    for _ in len..width {
        out.push(' ');
    }
    // Byte by byte: cheaper than validating a slice this short as UTF-8
    // (a sixth fewer instructions per row).
    for &digit in &buf[i..] {
        out.push(char::from(digit));
    }
}

/// Python `%*d` of a float: truncation toward zero (`-` for non-finite
/// values, where the reference would raise).
fn push_trunc(out: &mut String, x: f64, width: usize) {
    if x.is_finite() && x.abs() < 9.0e18 {
        push_int(out, x.trunc() as i64, width);
    } else {
        out.push_str(&format!(
            "{:>width$}",
            percent_d_float(x).unwrap_or_else(|| "-".into())
        ));
    }
}

fn push_hex(out: &mut String, v: u16, width: usize) {
    let digits = if v == 0 {
        1
    } else {
        (16 - v.leading_zeros() as usize).div_ceil(4)
    };
    for _ in digits..width {
        out.push(' ');
    }
    for i in (0..digits).rev() {
        let d = ((v >> (4 * i)) & 0xf) as u8;
        out.push(char::from(if d < 10 { b'0' + d } else { b'a' + d - 10 }));
    }
}

/// `'%*.*f' % (width, prec, x)` appended without an allocation.
fn push_percent_f(out: &mut String, x: f64, width: usize, prec: usize) {
    use std::fmt::Write as _;
    if x.is_finite() {
        let _ = write!(out, "{x:>width$.prec$}");
    } else {
        out.push_str(&percent_f(x, width, prec));
    }
}

/// `milli / 1000` with three decimals, right-aligned.
fn push_milli(out: &mut String, milli: u32, width: usize) {
    let whole = milli / 1000;
    let frac = milli % 1000;
    let digits = if whole == 0 {
        1
    } else {
        whole.ilog10() as usize + 1
    };
    for _ in (digits + 4)..width {
        out.push(' ');
    }
    push_int(out, i64::from(whole), 0);
    out.push('.');
    out.push(char::from(b'0' + (frac / 100) as u8));
    out.push(char::from(b'0' + (frac / 10 % 10) as u8));
    out.push(char::from(b'0' + (frac % 10) as u8));
}

/// The warning (stderr) when a `follow` poll found every anchor changed
/// and read the whole list again.
pub const FOLLOW_REWALK_WARNING: &str =
    "mrulist follow: every anchor changed since the last poll; the whole list was read again";

/// What `mrulist follow` did after its first walk.
pub struct FollowSummary {
    pub polls: u32,
    /// Entries read by the polls (new or touched since the poll before).
    pub entries: u64,
    /// Of those, clients the server had not seen before.
    pub new: u64,
    /// New entries by the server's own `mru_new` counter.
    pub counted_new: u64,
    /// Estimated new clients recycled before a poll reached them.
    pub missed: u64,
    /// Polls that read the whole list again.
    pub rewalks: u32,
    pub seconds: f64,
}

/// The lines `mrulist follow` ends with.
pub fn follow_summary(s: &FollowSummary) -> String {
    format!(
        "# Followed for {:.1} seconds: {} polls after the first walk, {} entries changed ({} new clients), {} lists read again\n\
         # Server counted {} new clients meanwhile; estimated missed: {}\n",
        s.seconds, s.polls, s.entries, s.new, s.rewalks, s.counted_new, s.missed
    )
}

/// The line before a partial table when the retrieval `how` ("failed",
/// "stopped") part-way: what was collected against what the server held
/// when we began, if it said.
pub fn partial_list_note(how: &str, collected: usize, expected: Option<i128>) -> String {
    let of = match expected {
        Some(n) => format!(" of {n} the server held"),
        None => String::new(),
    };
    format!(
        "mrulist retrieval {how} after {collected} entries{of}.\nDisplaying partial client list.\n"
    )
}

/// The error (stderr) when a list goes on past [`entry_bound`].
///
/// [`entry_bound`]: ntp_control::mru::entry_bound
pub fn too_many_entries_warning(bound: usize, maxdepth: Option<i128>) -> String {
    let why = match maxdepth {
        Some(m) => format!("the server says it keeps at most {m}"),
        None => "the server did not say how many it keeps".to_string(),
    };
    format!("***MRU list goes on past {bound} distinct entries ({why}); NTPQ_MRU_MAX_ENTRIES sets the limit")
}

/// The warning (stderr) when the server's list changes about as fast as
/// it is read; `restarts` > 0: entries were dropped before they were read.
pub fn outpaced_warning(restarts: u32, read_per_sec: f64, changed_per_sec: f64) -> String {
    if restarts > 0 {
        format!(
            "ntpq: warning: the server dropped entries before they could be read (restart {restarts} from the oldest entry; reading {read_per_sec:.0} entries/s, {changed_per_sec:.0}/s new or updated)"
        )
    } else {
        format!(
            "ntpq: warning: the server's MRU list is changing about as fast as it can be read ({changed_per_sec:.0} new or updated entries/s, reading {read_per_sec:.0}/s); retrieval may not finish"
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hand_formatting_matches_format() {
        for v in [0u16, 1, 0x9, 0xa, 0x10, 0x400, 0x1234, 0xffff] {
            let mut s = String::new();
            super::push_hex(&mut s, v, 4);
            assert_eq!(s, format!("{v:>4x}"));
        }
        for x in [0.0, 0.0005, 0.1234, 1.005, 4.999, -0.25, 123456.789] {
            for prec in [2, 3] {
                let mut s = String::new();
                super::push_percent_f(&mut s, x, 6, prec);
                assert_eq!(s, super::percent_f(x, 6, prec));
            }
        }
    }

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
    fn fast_paths_match_python_formatting() {
        for milli in [1u32, 9, 10, 999, 1000, 1001, 9_999_999, 10_000_000, 123_456] {
            let mut s = String::new();
            push_milli(&mut s, milli, 8);
            assert_eq!(s, percent_f(f64::from(milli) / 1000.0, 8, 3), "{milli}");
        }
        for (x, w) in [(0.0, 7), (-3.7, 6), (12345678.9, 5), (0.49, 6)] {
            let mut s = String::new();
            push_trunc(&mut s, x, w);
            assert_eq!(s, format!("{:>w$}", percent_d_float(x).unwrap()));
        }
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
