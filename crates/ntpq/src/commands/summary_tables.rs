//! The summary commands' fixed variable tables, exactly as NTPsec ntpq
//! 1.2.2 defines them (commands.md §9): table order, legends with their
//! padding (and typos), and display kinds.

use ntpq_format::summary::{row, Kind::*, Row};

pub static PSTATS: &[Row] = &[
    row("srcadr", "remote host:          ", Add),
    row("dstadr", "local address:        ", Add),
    row("timerec", "time last received:   ", Uptime),
    row("timer", "time until next send: ", Uptime),
    row("timereach", "reachability change:  ", Int),
    row("sent", "packets sent:         ", Int),
    row("received", "packets received:     ", Int),
    row("badauth", "bad authentication:   ", Int),
    row("bogusorg", "bogus origin:         ", Int),
    row("oldpkt", "duplicate:            ", Int),
    row("seldisp", "bad dispersion:       ", Int),
    row("selbroken", "bad reference time:   ", Int),
    row("candidate", "candidate order:      ", Int),
    row("ntscookies", "count of nts cookies: ", Int),
];

pub static SYSINFO: &[Row] = &[
    row("peeradr", "system peer:      ", Adp),
    row("peermode", "system peer mode: ", Mode),
    row("leap", "leap indicator:   ", TwoBit),
    row("stratum", "stratum:          ", Int),
    row("precision", "log2 precision:   ", Int),
    row("rootdelay", "root delay:       ", Float),
    row("rootdisp", "root dispersion:  ", Float),
    row("rootdist", "root distance     ", Float),
    row("refid", "reference ID:     ", Str),
    row("reftime", "reference time:   ", Lfp),
    row("sys_jitter", "system jitter:    ", Float),
    row("clk_jitter", "clock jitter:     ", Float),
    row("clk_wander", "clock wander:     ", Float),
    row("authdelay", "symm. auth. delay:", Float),
];

pub static KERNINFO: &[Row] = &[
    row("koffset", "pll offset:          ", Float),
    row("kfreq", "pll frequency:       ", Float),
    row("kmaxerr", "maximum error:       ", Float),
    row("kesterr", "estimated error:     ", Float),
    row("kstflags", "kernel status:       ", Str),
    row("ktimeconst", "pll time constant:   ", Int),
    row("kprecis", "precision:           ", Float),
    row("kfreqtol", "frequency tolerance: ", Int),
    row("kppsfreq", "pps frequency:       ", Int),
    row("kppsstab", "pps stability:       ", Int),
    row("kppsjitter", "pps jitter:          ", Int),
    row("kppscalibdur", "calibration interval ", Int),
    row("kppscalibs", "calibration cycles:  ", Int),
    row("kppsjitexc", "jitter exceeded:     ", Int),
    row("kppsstbexc", "stability exceeded:  ", Int),
    row("kppscaliberrs", "calibration errors:  ", Int),
];

/// sysstats, first query: a single-column table.
pub static SYSSTATS: &[Row] = &[
    row("ss_uptime", "uptime:               ", Uptime),
    row("ss_numctlreq", "control requests:     ", Int),
];

/// sysstats, second query: each name with its `_r` twin (two columns).
pub static SYSSTATS_TOTALS: &[Row] = &[
    row("ss_reset", "sysstats reset:       ", Uptime),
    row("ss_received", "packets received:     ", Packets),
    row("ss_thisver", "current version:      ", Packets),
    row("ss_oldver", "older version:        ", Packets),
    row("ss_ver1", "NTPv1 total:          ", Packets),
    row("ss_ver1client", "NTPv1 clients:        ", Packets),
    row("ss_ver1zero", "NTPv1 mode0:          ", Packets),
    row("ss_ver1symm", "NTPv1 symm act:       ", Packets),
    row("ss_badformat", "bad length or format: ", Packets),
    row("ss_badauth", "authentication failed:", Packets),
    row("ss_declined", "declined:             ", Packets),
    row("ss_restricted", "restricted:           ", Packets),
    row("ss_limited", "rate limited:         ", Packets),
    row("ss_kodsent", "KoD responses:        ", Packets),
    row("ss_processed", "processed for time:   ", Packets),
];

pub static MONSTATS: &[Row] = &[
    row("mru_enabled", "enabled:              ", Int),
    row("mru_hashslots", "hash slots in use:    ", Int),
    row("mru_depth", "addresses in use:     ", Int),
    row("mru_deepest", "peak addresses:       ", Int),
    row("mru_maxdepth", "maximum addresses:    ", Int),
    row("mru_mindepth", "reclaim above count:  ", Int),
    row("mru_maxage", "reclaim maxage:       ", Uptime),
    row("mru_minage", "reclaim minage:       ", Uptime),
    row("mru_mem", "kilobytes:            ", Int),
    row("mru_maxmem", "maximum kilobytes:    ", Int),
    row("mru_exists", "alloc: exists:        ", Int),
    row("mru_new", "alloc: new:           ", Int),
    row("mru_recycleold", "alloc: recycle old:   ", Int),
    row("mru_recyclefull", "alloc: recycle full:  ", Int),
    row("mru_none", "alloc: none:          ", Int),
    row("mru_oldest_age", "age of oldest slot:   ", Uptime),
];

pub static AUTHINFO: &[Row] = &[
    row("authreset", "time since reset:    ", Uptime),
    row("authkeys", "stored keys:         ", Int),
    row("authfreek", "free keys:           ", Int),
    row("authklookups", "key lookups:         ", Int),
    row("authknotfound", "keys not found:      ", Int),
    row("authencrypts", "encryptions:         ", Packets),
    row("authdigestencrypts", "digest encryptions:  ", Packets),
    row("authcmacencrypts", "CMAC encryptions:    ", Packets),
    row("authdecrypts", "decryptions:         ", Packets),
    row("authdigestdecrypts", "digest decryptions:  ", Packets),
    row("authdigestfails", "digest failures:     ", Packets),
    row("authcmacdecrypts", "CMAC decryptions:    ", Packets),
    row("authcmacfails", "CMAC failures:       ", Packets),
    // Not in NTPsec's ntpd: authinfo always takes the fallback.
    row("authkuncached", "uncached keys:       ", Int),
    row("authkexpired", "expired keys:        ", Int),
];

/// `mssntpinfo` (NTPsec HEAD; a 1.2.2 ntpd knows none of these names, so
/// against it the one-at-a-time fallback shows placeholders).
pub static MSSNTPINFO: &[Row] = &[
    row("mssntp_serves", "MSSNTP requests processed:     ", Uint),
    row("mssntp_serves_no", "MSSNTP rejected by samba:      ", Uint),
    row("mssntp_serves_err", "MSSNTP errors talking to samba:", Uint),
    row(
        "mssntp_serves_good",
        "MSSNTP requests good:          ",
        Uint,
    ),
    row(
        "mssntp_serves_good_wall",
        "MSSNTP requests good wall:     ",
        Float,
    ),
    row(
        "mssntp_serves_good_slowest",
        "MSSNTP requests good slowest:  ",
        Float,
    ),
    row("mssntp_serves_bad", "MSSNTP requests bad:           ", Uint),
    row(
        "mssntp_serves_bad_wall",
        "MSSNTP requests bad wall:      ",
        Float,
    ),
    row(
        "mssntp_serves_bad_slowest",
        "MSSNTP requests bad slowest:   ",
        Float,
    ),
];

pub static NTSINFO: &[Row] = &[
    row("nts_client_send", "NTS client sends:          ", Uint),
    row("nts_client_recv_good", "NTS client recvs good:     ", Uint),
    row("nts_client_recv_bad", "NTS client recvs w error:  ", Uint),
    row("nts_server_recv_good", "NTS server recvs good:     ", Uint),
    row("nts_server_recv_bad", "NTS server recvs w error:  ", Uint),
    row("nts_server_send", "NTS server sends:          ", Uint),
    row("nts_cookie_make", "NTS make cookies:          ", Uint),
    row("nts_cookie_decode", "NTS decode cookies:        ", Uint),
    row("nts_cookie_decode_old", "NTS decode cookies old:    ", Uint),
    row(
        "nts_cookie_decode_old2",
        "NTS decode cookies old2:   ",
        Uint,
    ),
    row(
        "nts_cookie_decode_older",
        "NTS decode cookies older:  ",
        Uint,
    ),
    row(
        "nts_cookie_decode_too_old",
        "NTS decode cookies too old:",
        Uint,
    ),
    row(
        "nts_cookie_decode_error",
        "NTS decode cookies error:  ",
        Uint,
    ),
    row("nts_ke_probes_good", "NTS KE client probes good: ", Uint),
    row("nts_ke_probes_bad", "NTS KE client probes bad:  ", Uint),
    row("nts_ke_serves_good", "NTS KE serves good:        ", Uint),
    row("nts_ke_serves_bad", "NTS KE serves bad:         ", Uint),
];

pub static IOSTATS: &[Row] = &[
    row("iostats_reset", "time since reset:     ", Uptime),
    row("total_rbuf", "receive buffers:      ", Int),
    row("free_rbuf", "free receive buffers: ", Int),
    row("used_rbuf", "used receive buffers: ", Int),
    row("rbuf_lowater", "low water refills:    ", Int),
    row("io_dropped", "dropped packets:      ", Packets),
    row("io_ignored", "ignored packets:      ", Packets),
    row("io_received", "received packets:     ", Packets),
    row("io_sent", "packets sent:         ", Packets),
    row("io_sendfailed", "packet send failures: ", Packets),
    row("io_wakeups", "input wakeups:        ", Int),
    row("io_goodwakeups", "useful input wakeups: ", Int),
];

pub static TIMERSTATS: &[Row] = &[
    row("timerstats_reset", "time since reset:  ", Uptime),
    row("timer_overruns", "timer overruns:    ", Int),
    row("timer_xmts", "calls to transmit: ", Int),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Within a table every legend has the same length (commands.md §9).
    #[test]
    fn legend_lengths() {
        let tables: [(&[Row], usize); 11] = [
            (MSSNTPINFO, 31),
            (PSTATS, 22),
            (SYSINFO, 18),
            (KERNINFO, 21),
            (SYSSTATS, 22),
            (SYSSTATS_TOTALS, 22),
            (MONSTATS, 22),
            (AUTHINFO, 21),
            (NTSINFO, 27),
            (IOSTATS, 22),
            (TIMERSTATS, 19),
        ];
        for (table, len) in tables {
            for r in table {
                assert_eq!(r.legend.len(), len, "{}", r.name);
            }
        }
    }
}
