//! `ifstats` and `reslist` as tables. A stanza the classic table drops
//! (one the reference could not format) is dropped here too.

use ntp_control::varlist::{Value, Variable};

use super::{Builder, TableStyle};
use crate::ordlist::{ifstats_row, reslist_row};
use crate::pyfmt::{py_str, truthy};

fn get<'a>(stanza: &'a [Variable], name: &str) -> Option<&'a Variable> {
    stanza.iter().find(|v| v.name == name)
}

/// A number cell: the integer (a float truncated), or the text as sent.
fn number(stanza: &[Variable], name: &str) -> String {
    match get(stanza, name).map(|v| &v.value) {
        Some(Value::Int(n)) => n.to_string(),
        Some(Value::Float(f)) if f.is_finite() => (f.trunc() as i128).to_string(),
        _ => get(stanza, name).map(py_str).unwrap_or_default(),
    }
}

/// The ifstats table: one row per interface, the address and broadcast
/// address on lines of their own in one cell.
pub fn ifstats_table(stanzas: &[Vec<Variable>], style: &TableStyle) -> String {
    let header = [
        "#",
        "interface",
        "address / broadcast",
        "drop",
        "flags",
        "received",
        "sent",
        "send failed",
        "peers",
        "uptime",
    ];
    let mut table = Builder::new(style, &header);
    table.align_right(&[0, 4, 5, 6, 7, 8, 9]);
    for (i, stanza) in stanzas.iter().enumerate() {
        if ifstats_row(i, stanza).is_empty() {
            continue;
        }
        let mut address = get(stanza, "addr").map(py_str).unwrap_or_default();
        if let Some(b) = get(stanza, "bcast").filter(|v| truthy(&v.value)) {
            address.push('\n');
            address.push_str(&py_str(b));
        }
        let en = get(stanza, "en").is_some_and(|v| truthy(&v.value));
        let flags = match get(stanza, "flags").map(|v| &v.value) {
            Some(Value::Int(n)) if *n < 0 => format!("-{:x}", n.unsigned_abs()),
            Some(Value::Int(n)) => format!("{n:x}"),
            _ => String::new(),
        };
        table.row(
            vec![
                i.to_string(),
                get(stanza, "name").map(py_str).unwrap_or_default(),
                address,
                if en { "." } else { "D" }.to_string(),
                flags,
                number(stanza, "rx"),
                number(stanza, "tx"),
                number(stanza, "txerr"),
                number(stanza, "pc"),
                number(stanza, "up"),
            ],
            &[],
        );
    }
    table.finish()
}

/// The reslist table: hits, address/prefix and the restriction flags.
pub fn reslist_table(stanzas: &[Vec<Variable>], style: &TableStyle) -> String {
    let header = ["hits", "address/prefix", "restrictions"];
    let mut table = Builder::new(style, &header);
    table.align_right(&[0]);
    for stanza in stanzas {
        let classic = reslist_row(stanza);
        // The prefix length is the classic row's, after the last `/` of
        // its first line.
        let Some(prefix) = classic
            .lines()
            .next()
            .and_then(|l| l.rsplit_once('/'))
            .map(|(_, p)| p.to_string())
        else {
            continue;
        };
        let addr = get(stanza, "addr").map(py_str).unwrap_or_default();
        let text = |name| get(stanza, name).map(py_str).unwrap_or_else(|| "?".into());
        table.row(
            vec![text("hits"), format!("{addr}/{prefix}"), text("flags")],
            &[],
        );
    }
    table.finish()
}
