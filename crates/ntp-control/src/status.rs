//! Status words and their text decodings (protocol.md §6).

fn event_count(n: u16) -> String {
    match n {
        0 => "no events".to_string(),
        1 => "1 event".to_string(),
        n => format!("{n} events"),
    }
}

/// Leap indicator names (status bits 14-15).
pub const LEAP: [&str; 4] = ["leap_none", "leap_add_sec", "leap_del_sec", "leap_alarm"];
/// Sync source names (system status bits 8-13).
pub const SYNC_SOURCE: [&str; 10] = [
    "sync_unspec",
    "sync_pps",
    "sync_lf_radio",
    "sync_hf_radio",
    "sync_uhf_radio",
    "sync_local",
    "sync_ntp",
    "sync_other",
    "sync_wristwatch",
    "sync_telephone",
];
/// System event names (status bits 0-3).
pub const SYS_EVENT: [&str; 16] = [
    "unspecified",
    "freq_not_set",
    "freq_set",
    "spike_detect",
    "freq_mode",
    "clock_sync",
    "restart",
    "panic_stop",
    "no_sys_peer",
    "leap_armed",
    "leap_disarmed",
    "leap_event",
    "clock_step",
    "kern",
    "TAI",
    "stale_leapsecond_values",
];
const PEER_SELECT: [&str; 8] = [
    "sel_reject",
    "sel_falsetick",
    "sel_excess",
    "sel_outlier",
    "sel_candidate",
    "sel_backup",
    "sel_sys.peer",
    "sel_pps.peer",
];
const PEER_EVENT: [&str; 14] = [
    "",
    "mobilize",
    "demobilize",
    "unreachable",
    "reachable",
    "restart",
    "no_reply",
    "rate_exceeded",
    "access_denied",
    "leap_armed",
    "sys_peer",
    "clock_event",
    "bad_auth",
    "popcorn",
];
/// Clock status codes (clock status bits 0-3).
pub const CLOCK_CODE: [&str; 7] = [
    "clk_unspec",
    "clk_no_reply",
    "clk_bad_format",
    "clk_fault",
    "clk_bad_signal",
    "clk_bad_date",
    "clk_bad_time",
];

/// `leap_alarm, sync_unspec, 1 event, restart` for a system status word.
pub fn system_status_text(status: u16) -> String {
    let leap = LEAP[(status >> 14) as usize];
    let src = ((status >> 8) & 0x3f) as usize;
    let source = SYNC_SOURCE
        .get(src)
        .map(|s| s.to_string())
        .unwrap_or_else(|| format!("sync_{src}"));
    let count = event_count((status >> 4) & 0xf);
    let event = SYS_EVENT[(status & 0xf) as usize];
    format!("{leap}, {source}, {count}, {event}")
}

/// `conf, sel_reject, 1 event, clock_event` for a peer status word.
pub fn peer_status_text(status: u16) -> String {
    let hi = (status >> 8) as u8;
    let flags: Vec<&str> = [
        (0x80, "conf"),
        (0x40, "authenb"),
        (0x20, "auth"),
        (0x10, "reach"),
        (0x08, "bcast"),
    ]
    .iter()
    .filter(|(bit, _)| hi & bit != 0)
    .map(|(_, name)| *name)
    .collect();
    let select = PEER_SELECT[(hi & 7) as usize];
    let count = event_count((status >> 4) & 0xf);
    let mut text = format!("{}, {select}, {count}", flags.join(", "));
    let event = (status & 0xf) as usize;
    if event != 0 {
        text.push_str(", ");
        match PEER_EVENT.get(event) {
            Some(name) => text.push_str(name),
            None => text.push_str(&format!("_{event}")),
        }
    }
    text
}

/// `2 events, clk_no_reply` for a clock status word.
pub fn clock_status_text(status: u16) -> String {
    let count = event_count((status >> 4) & 0xf);
    let code = (status & 0xf) as usize;
    let code = CLOCK_CODE
        .get(code)
        .map(|s| s.to_string())
        .unwrap_or_else(|| format!("clk_{code}"));
    format!("{count}, {code}")
}

/// Columns of one `associations` row (a different decoding, §6.2 b).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssocColumns {
    pub conf: &'static str,
    pub reach: &'static str,
    pub auth: &'static str,
    pub condition: &'static str,
    pub last_event: &'static str,
    pub count: u16,
}

pub fn assoc_columns(status: u16) -> AssocColumns {
    let hi = (status >> 8) as u8;
    const CONDITION: [&str; 8] = [
        "reject",
        "falsetick",
        "excess",
        "outlier",
        "candidate",
        "backup",
        "sys.peer",
        "pps.peer",
    ];
    const LAST_EVENT: [&str; 12] = [
        "",
        "mobilize",
        "demobilize",
        "unreachable",
        "reachable",
        "restart",
        "no_reply",
        "rate_exceeded",
        "access_denied",
        "leap_armed",
        "sys_peer",
        "clock_alarm",
    ];
    AssocColumns {
        conf: if hi & 0x80 != 0 { "yes" } else { "no" },
        reach: if hi & 0x08 != 0 {
            "none"
        } else if hi & 0x10 != 0 {
            "yes"
        } else {
            "no"
        },
        auth: if hi & 0x40 == 0 {
            "none"
        } else if hi & 0x20 != 0 {
            "ok "
        } else {
            "bad"
        },
        condition: CONDITION[(hi & 7) as usize],
        last_event: LAST_EVENT
            .get((status & 0xf) as usize)
            .copied()
            .unwrap_or(""),
        count: (status >> 4) & 0xf,
    }
}

/// The peers-table tally character (§6.2 c); `old` is `ntpversion 1`.
pub fn tally_char(status: u16, old: bool) -> char {
    let hi = (status >> 8) as u8;
    if old {
        b" .+*"[(hi & 3) as usize] as char
    } else {
        b" x.-+#*o"[(hi & 7) as usize] as char
    }
}

const FLASH_BITS: [&str; 13] = [
    "pkt_dup",
    "pkt_bogus",
    "pkt_unsync",
    "pkt_denied",
    "pkt_auth",
    "pkt_stratum",
    "pkt_header",
    "pkt_autokey",
    "pkt_crypto",
    "peer_stratum",
    "peer_dist",
    "peer_loop",
    "peer_unreach",
];

/// Names of the set bits of a peer `flash` value, lowest bit first.
pub fn flash_names(flash: u32) -> Vec<&'static str> {
    FLASH_BITS
        .iter()
        .enumerate()
        .filter(|(i, _)| flash & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verified_examples() {
        assert_eq!(
            system_status_text(0xc016),
            "leap_alarm, sync_unspec, 1 event, restart"
        );
        assert_eq!(
            peer_status_text(0x801b),
            "conf, sel_reject, 1 event, clock_event"
        );
        assert_eq!(clock_status_text(0x0021), "2 events, clk_no_reply");
    }

    #[test]
    fn edge_decodings() {
        assert_eq!(
            system_status_text(0x3f00),
            "leap_none, sync_63, no events, unspecified"
        );
        assert_eq!(peer_status_text(0x0000), ", sel_reject, no events");
        assert_eq!(
            peer_status_text(0x961e),
            "conf, reach, sel_sys.peer, 1 event, _14"
        );
        assert_eq!(clock_status_text(0x000f), "no events, clk_15");
        let a = assoc_columns(0x801b);
        assert_eq!(
            (a.conf, a.reach, a.auth, a.condition, a.last_event, a.count),
            ("yes", "no", "none", "reject", "clock_alarm", 1)
        );
        let a = assoc_columns(0x7c0c);
        assert_eq!(
            (a.conf, a.reach, a.auth, a.last_event),
            ("no", "none", "ok ", "")
        );
        assert_eq!(tally_char(0x961a, false), '*');
        assert_eq!(tally_char(0x9614, true), '+');
        assert_eq!(flash_names(0x1200), ["peer_stratum", "peer_unreach"]);
    }
}
