//! Variable tables and ntpd's item tokenizer: which variables a READVAR or
//! READCLOCK names, and the errors ntpd gives for unknown or bad ones.

use std::collections::HashSet;

use ntp_control::header::ServerErrorCode;

/// ntpd refuses item values of this length or more (and stops parsing).
const MAX_VALUE_LEN: usize = 128;

/// A variable set: items in server order, the default subset, known names.
#[derive(Clone, Debug)]
pub(super) struct VarTable {
    items: Vec<(String, String)>,
    default: Option<HashSet<String>>,
    known: HashSet<String>,
}

impl VarTable {
    pub(super) fn new(
        items: &[String],
        default: Option<&Vec<String>>,
        silent: &[String],
        unknown: &[String],
        builtin: &[&str],
    ) -> VarTable {
        let items: Vec<(String, String)> = items
            .iter()
            .map(|it| {
                let name = it.split('=').next().unwrap_or("").to_string();
                (name, it.clone())
            })
            .collect();
        let mut known: HashSet<String> = builtin.iter().map(|s| s.to_string()).collect();
        known.extend(silent.iter().cloned());
        known.extend(items.iter().map(|(n, _)| n.clone()));
        for name in unknown {
            known.remove(name);
        }
        VarTable {
            items,
            default: default.map(|d| d.iter().cloned().collect()),
            known,
        }
    }

    /// Items to send for a request's data, or the error.
    pub(super) fn select(&self, data: &[u8]) -> Result<Vec<&str>, ServerErrorCode> {
        let mut wants: HashSet<&[u8]> = HashSet::new();
        let mut any = false;
        for item in ItemScanner::new(data) {
            let (name, _value) = item;
            if !self
                .known
                .contains(std::str::from_utf8(name).unwrap_or("\u{0}"))
            {
                return Err(ServerErrorCode::UNKNOWNVAR);
            }
            wants.insert(name);
            any = true;
        }
        Ok(self
            .items
            .iter()
            .filter(|(n, _)| {
                if any {
                    wants.contains(n.as_bytes())
                } else {
                    self.default.as_ref().is_none_or(|d| d.contains(n))
                }
            })
            .map(|(_, it)| it.as_str())
            .collect())
    }
}

/// ntpd's `ctl_getitem` tokenizer: yields (name, value) until the data ends
/// or an over-long value makes ntpd give up on the packet.
pub(super) struct ItemScanner<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> ItemScanner<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        ItemScanner { data, pos: 0 }
    }
}

impl<'a> Iterator for ItemScanner<'a> {
    type Item = (&'a [u8], Option<&'a [u8]>);

    fn next(&mut self) -> Option<Self::Item> {
        let d = self.data;
        while self.pos < d.len() && (d[self.pos] == b',' || is_c_space(d[self.pos])) {
            self.pos += 1;
        }
        if self.pos >= d.len() {
            return None;
        }
        let start = self.pos;
        let mut eq = None;
        let mut end = start;
        while end < d.len() && d[end] != b',' {
            if d[end] == b'=' && eq.is_none() {
                eq = Some(end);
            }
            end += 1;
        }
        let (name, value) = match eq {
            Some(e) => {
                let mut v = &d[e + 1..end];
                while let [first, rest @ ..] = v {
                    if is_c_space(*first) {
                        v = rest;
                    } else {
                        break;
                    }
                }
                while let [rest @ .., last] = v {
                    if is_c_space(*last) {
                        v = rest;
                    } else {
                        break;
                    }
                }
                if v.len() >= MAX_VALUE_LEN {
                    self.pos = d.len();
                    return None;
                }
                (&d[start..e], Some(v))
            }
            None => (&d[start..end], None),
        };
        self.pos = (end + 1).min(d.len());
        Some((name, value))
    }
}

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}
