//! The peers family as a table: one row per association, the remote name
//! and refid whole, the tally code coloured when colour is on.

use comfy_table::Color;

use super::{Builder, TableStyle};
use crate::peers::cells::PeerCells;
use crate::peers::PeersKind;

/// The colour of a tally code: selected peers green, candidates cyan,
/// backups yellow, rejected ones red.
fn tally_colour(tally: char) -> Option<Color> {
    match tally {
        '*' | 'o' => Some(Color::Green),
        '+' => Some(Color::Cyan),
        '#' | '-' => Some(Color::Yellow),
        'x' => Some(Color::Red),
        '.' => Some(Color::DarkGrey),
        _ => None,
    }
}

/// The table of `rows`; `multi_host` adds the `server` column first.
pub fn peers_table(
    kind: PeersKind,
    rows: &[PeerCells],
    multi_host: bool,
    style: &TableStyle,
) -> String {
    let (middle, third): (&[&str], &str) = match kind {
        PeersKind::Peers => (&["refid"], "jitter"),
        PeersKind::Apeers => (&["refid", "assid"], "jitter"),
        PeersKind::Opeers => (&["local"], "disp"),
        PeersKind::Rpeers => (&[], "jitter"),
    };
    let numbers = ["st", "t", "when", "poll", "reach", "delay", "offset", third];
    let mut header: Vec<&str> = Vec::new();
    if multi_host {
        header.push("server");
    }
    let first = header.len();
    if kind == PeersKind::Rpeers {
        header.extend(numbers);
        header.extend(["refid", "T", "remote"]);
    } else {
        header.extend(["", "remote"]);
        header.extend(middle);
        header.extend(numbers);
    }
    let mut table = Builder::new(style, &header);
    // Numbers right-aligned: st (and assid), when … jitter.
    let number_start = header.iter().position(|h| *h == "st").unwrap_or(0);
    let mut right: Vec<usize> = (number_start..number_start + numbers.len())
        .filter(|&i| header[i] != "t")
        .collect();
    if kind == PeersKind::Apeers {
        right.push(first + 3);
    }
    table.align_right(&right);
    for r in rows {
        let mut cells = Vec::with_capacity(header.len());
        if multi_host {
            cells.push(r.host.clone().unwrap_or_default());
        }
        let numbers = [
            r.stratum.clone(),
            r.kind_letter.to_string(),
            r.when.clone(),
            r.poll.clone(),
            r.reach.clone(),
            r.delay.clone(),
            r.offset.clone(),
            r.third.clone(),
        ];
        let (tally_at, remote_at);
        if kind == PeersKind::Rpeers {
            cells.extend(numbers);
            cells.push(r.refid.clone());
            tally_at = cells.len();
            cells.push(r.tally.to_string());
            remote_at = cells.len();
            cells.push(r.remote.clone());
        } else {
            tally_at = cells.len();
            cells.push(r.tally.to_string());
            remote_at = cells.len();
            cells.push(r.remote.clone());
            cells.push(r.refid.clone());
            if kind == PeersKind::Apeers {
                cells.push(r.associd.to_string());
            }
            cells.extend(numbers);
        }
        let colours: Vec<(usize, Color)> = tally_colour(r.tally)
            .map(|c| vec![(tally_at, c), (remote_at, c)])
            .unwrap_or_default();
        table.row(cells, &colours);
    }
    table.finish()
}
