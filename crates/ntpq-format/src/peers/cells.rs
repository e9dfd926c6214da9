//! One peers row as separate cells, for the table mode: the same values as
//! the classic row, but nothing cut to a column width.

use super::*;

/// The cells of one row; `refid` is the local address for `opeers` and
/// `third` the jitter (dispersion for `opeers`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerCells {
    /// Multi-host mode: the host the row came from.
    pub host: Option<String>,
    pub tally: char,
    pub remote: String,
    pub refid: String,
    pub associd: u16,
    pub stratum: String,
    pub kind_letter: char,
    pub when: String,
    pub poll: String,
    pub reach: String,
    pub delay: String,
    pub offset: String,
    pub third: String,
}

/// The cells of `r`, as [`row`] would print them but whole and unpadded.
pub fn cells(kind: PeersKind, r: &PeerRow) -> PeerCells {
    let f = gather(kind, r.vars, r.now_unix);
    let mut refid = f.refid_text.clone();
    if !refid.contains('.') && !refid.contains(':') {
        refid = format!(".{refid}.");
    }
    let (when, third, style) = (when_text(&f), third_estimate(&f), number_style(&f));
    let cell = |e| est_cell(e, r.units, style).trim().to_string();
    PeerCells {
        host: r.host_label.map(str::to_string),
        tally: tally_char(r.status, r.old_version),
        remote: remote_name(&f, r),
        refid,
        associd: r.associd,
        stratum: stratum_text(&f).trim().to_string(),
        kind_letter: type_letter(&f),
        when,
        poll: poll_text(&f),
        reach: reach_text(&f).trim().to_string(),
        delay: cell(f.delay),
        offset: cell(f.offset),
        third: cell(third),
    }
}
