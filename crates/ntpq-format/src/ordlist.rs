//! The `ifstats` and `reslist` tables (commands.md §11): one stanza of
//! READ_ORDLIST_A variables per row, dropped where the reference's
//! formatting would fail.

use ntp_control::varlist::{Value, Variable};

use crate::pyfmt::{py_str, truthy};

fn get<'a>(stanza: &'a [Variable], name: &str) -> Option<&'a Variable> {
    stanza.iter().find(|v| v.name == name)
}

/// The heading of the ifstats table.
const IFSTATS_HEADER: &str = "    interface name                                  send
 #  address/broadcast     drop flag received sent failed peers   uptime
 ";

/// One ifstats stanza, or "" when the reference would drop it.
pub fn ifstats_row(i: usize, stanza: &[Variable]) -> String {
    let int = |name: &str, width: usize, hex: bool| -> Option<String> {
        let v = get(stanza, name)?;
        match v.value {
            Value::Int(n) if hex => Some(format!("{:>width$}", py_hex(n))),
            Value::Int(n) => Some(format!("{n:>width$}")),
            // '%d' of a float truncates; of a string it fails (dropped).
            Value::Float(f) if !hex && f.is_finite() => {
                Some(format!("{:>width$}", f.trunc() as i128))
            }
            _ => None,
        }
    };
    let Some(name) = get(stanza, "name") else {
        return String::new();
    };
    let name: String = py_str(name).chars().take(24).collect();
    let fields = (
        int("flags", 4, true),
        int("rx", 6, false),
        int("tx", 6, false),
        int("txerr", 6, false),
        int("pc", 5, false),
        int("up", 8, false),
    );
    let (Some(flags), Some(rx), Some(tx), Some(txerr), Some(pc), Some(up)) = fields else {
        return String::new();
    };
    let Some(addr) = get(stanza, "addr") else {
        return String::new();
    };
    let en = get(stanza, "en").is_some_and(|v| truthy(&v.value));
    let mut s = format!(
        "{i:3} {name:<24} {} {flags} {rx} {tx} {txerr} {pc} {up}\n    {}\n",
        if en { '.' } else { 'D' },
        py_str(addr)
    );
    if let Some(b) = get(stanza, "bcast").filter(|v| truthy(&v.value)) {
        s.push_str(&format!("    {}\n", py_str(b)));
    }
    if s.chars()
        .all(|c| c.is_alphanumeric() || "/.:[] %\\\n".contains(c))
    {
        s
    } else {
        String::new()
    }
}

/// Python `'%x'` (a minus sign before the digits).
fn py_hex(n: i128) -> String {
    if n < 0 {
        format!("-{:x}", n.unsigned_abs())
    } else {
        format!("{n:x}")
    }
}

/// The heading of the reslist table.
const RESLIST_HEADER: &str = "   hits    addr/prefix or addr mask
           restrictions
";

/// One reslist stanza, or "" when the reference would drop it.
pub fn reslist_row(stanza: &[Variable]) -> String {
    let (Some(addr), Some(mask)) = (get(stanza, "addr"), get(stanza, "mask")) else {
        return String::new();
    };
    let Some(prefix) = prefix_len(&py_str(mask)) else {
        return String::new();
    };
    let hits = get(stanza, "hits")
        .map(py_str)
        .unwrap_or_else(|| "?".into());
    let flags = get(stanza, "flags")
        .map(py_str)
        .unwrap_or_else(|| "?".into());
    let s = format!("{hits:>10} {}/{prefix}\n           {flags}\n", py_str(addr));
    if s.chars()
        .all(|c| c.is_alphanumeric() || "/.: \n".contains(c))
    {
        s
    } else {
        String::new()
    }
}

/// Number of one bits of a mask written as `a.b.c.d` or `x:y:...`.
fn prefix_len(mask: &str) -> Option<u32> {
    let (sep, radix) = if mask.contains(':') {
        (':', 16)
    } else {
        ('.', 10)
    };
    let mut n = 0;
    for part in mask.split(sep).filter(|p| !p.is_empty()) {
        n += i128::from_str_radix(part, radix).ok()?.count_ones();
    }
    Some(n)
}

/// The ifstats heading and rule.
pub fn ifstats_heading() -> String {
    format!("{IFSTATS_HEADER}{}\n", "=".repeat(74))
}

/// The reslist heading and rule.
pub fn reslist_heading() -> String {
    format!("{RESLIST_HEADER}{}\n", "=".repeat(72))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntp_control::varlist::parse_varlist;

    fn stanza(text: &str) -> Vec<Variable> {
        parse_varlist(text.as_bytes())
    }

    #[test]
    fn ifstats_rows() {
        let s = stanza("addr=127.0.0.1:123, bcast=, en=1, name=\"lo\", flags=0x5, rx=5, tx=2, txerr=10, pc=0, up=146");
        assert_eq!(
            ifstats_row(0, &s),
            "  0 lo                       .    5      5      2     10     0      146\n    127.0.0.1:123\n"
        );
        let s =
            stanza("addr=1.2.3.4:123, name=\"eth_0\", flags=0x5, rx=5, tx=2, txerr=1, pc=0, up=1");
        assert_eq!(ifstats_row(1, &s), "");
        let s = stanza("addr=1.2.3.4:123, name=\"eth0\", flags=0x5, rx=5, tx=2, txerr=1, pc=0");
        assert_eq!(ifstats_row(1, &s), "");
    }

    #[test]
    fn reslist_rows() {
        let s =
            stanza("addr=127.0.0.9, mask=255.255.255.255, hits=0, flags=ntpport interface ignore");
        assert_eq!(
            reslist_row(&s),
            "         0 127.0.0.9/32\n           ntpport interface ignore\n"
        );
        let s = stanza("addr=::1, mask=ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, hits=3, flags=");
        assert_eq!(reslist_row(&s), "         3 ::1/128\n           \n");
        let s = stanza("addr=::1, mask=ffff::, flags=");
        assert_eq!(reslist_row(&s), "");
    }
}
