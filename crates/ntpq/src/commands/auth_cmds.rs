//! Authenticated commands: `passwd`, `:config`, `config-from-file`,
//! `ifstats`, `reslist` (commands.md §10–§12).

use ntp_control::varlist::{parse_varlist, Value, Variable};
use ntp_control::Opcode;

use crate::context::Context;
use crate::error::{CmdError, CmdResult};

pub fn passwd(cx: &mut Context, _: &str) -> CmdResult {
    cx.obtain_credentials()
}

/// Sends one CONFIGURE request; the reply text cut at a NUL and stripped
/// (protocol.md §5.3). An empty reply is the reference's "disallowed".
fn configure(cx: &mut Context, text: &str) -> Result<String, CmdError> {
    let r = cx.query(Opcode::Configure, 0, text.as_bytes())?;
    if r.data.is_empty() {
        return Err(CmdError::Paragraph(
            "***Server disallowed request (authentication?)".to_string(),
        ));
    }
    let data = match r.data.iter().position(|&b| b == 0) {
        Some(i) => &r.data[..i],
        None => &r.data[..],
    };
    let text = String::from_utf8_lossy(data);
    Ok(text
        .trim_end_matches(|c: char| c.is_whitespace() || c == '\x0b' || c == '\x0c')
        .to_string())
}

pub fn hot_config(cx: &mut Context, line: &str) -> CmdResult {
    cx.obtain_credentials()?;
    if cx.settings.debug > 2 {
        cx.out
            .warn(&format!("In Config\nKeyword = :config\nCommand = {line}"));
    }
    let reply = configure(cx, line)?;
    if let Some(col) = syntax_error_column(&reply) {
        if col <= line.chars().count() as u64 {
            let col = col as usize;
            if cx.run.batch || !(cx.out.stdin_is_tty && cx.out.stdout_is_tty) {
                cx.out.say(&format!("{line}\n"));
            } else {
                cx.out.say(&"_".repeat("ntpq> ".len() + 2 + col));
            }
            cx.out.say(&"_".repeat(col.saturating_sub(1)));
        }
        cx.out.say("^\n");
    }
    cx.out.say(&format!("{reply}\n"));
    Ok(())
}

/// `column <n> syntax error` at the start of the reply (Python `re.match`).
fn syntax_error_column(reply: &str) -> Option<u64> {
    let rest = reply.strip_prefix("column ")?;
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || !rest[digits.len()..].starts_with(" syntax error") {
        return None;
    }
    Some(digits.parse().unwrap_or(u64::MAX))
}

pub fn config_from_file(cx: &mut Context, line: &str) -> CmdResult {
    // Configuration goes to the server in one request: a file larger
    // than the key-file bound is not one (nor is /dev/zero).
    let limit = ntp_auth::MAX_KEY_FILE_BYTES;
    let text = match ntp_auth::read_limited(std::path::Path::new(line), limit) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => return Err(CmdError::Message(format!("Could not read {line}"))),
        },
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            return Err(CmdError::Message(format!("Could not read {line}: {e}")))
        }
        Err(_) => return Err(CmdError::Message(format!("Could not read {line}"))),
    };
    match configure(cx, &text) {
        Ok(reply) => {
            let ok = reply == "Config Succeeded";
            cx.out.say(if ok { "True\n" } else { "False\n" });
            Ok(())
        }
        Err(CmdError::Interrupted) => Err(CmdError::Interrupted),
        // The reference does not catch this: it ends the whole run.
        Err(e) => Err(CmdError::EndRun(Box::new(e))),
    }
}

/// READ_ORDLIST_A: stanzas by the `.N` suffix of the tags (protocol.md §5.4).
fn ordlist(cx: &mut Context, name: &str) -> Result<(Vec<Vec<Variable>>, Vec<u8>), CmdError> {
    cx.obtain_credentials()?;
    let r = cx.query(Opcode::ReadOrdlistA, 0, name.as_bytes())?;
    let mut stanzas: Vec<Vec<Variable>> = Vec::new();
    for mut var in parse_varlist(&r.data) {
        if !var.name.ends_with(|c: char| c.is_ascii_digit()) || !var.name.contains('.') {
            continue;
        }
        let mut parts = var.name.splitn(3, '.');
        let (Some(stem), Some(idx), None) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Ok(idx) = idx.parse::<usize>() else {
            continue;
        };
        if idx > 4096 {
            continue;
        }
        let stem = stem.to_string();
        if stanzas.len() <= idx {
            stanzas.resize_with(idx + 1, Vec::new);
        }
        var.name = stem;
        let stanza = &mut stanzas[idx];
        match stanza.iter_mut().find(|v| v.name == var.name) {
            Some(old) => *old = var,
            None => stanza.push(var),
        }
    }
    Ok((stanzas, r.data))
}

fn get<'a>(stanza: &'a [Variable], name: &str) -> Option<&'a Variable> {
    stanza.iter().find(|v| v.name == name)
}

/// Python `'%s' % value` of a typed value.
fn py_str(v: &Variable) -> String {
    match &v.value {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => ntpq_format::pyfmt::float_repr(*f),
    }
}

fn raw_text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

const IFSTATS_HEADER: &str = "    interface name                                  send
 #  address/broadcast     drop flag received sent failed peers   uptime
 ";

pub fn ifstats(cx: &mut Context, _: &str) -> CmdResult {
    let (stanzas, data) = ordlist(cx, "ifstats")?;
    if cx.settings.raw {
        cx.out.say(&format!("{}\n", raw_text(&data)));
        return Ok(());
    }
    cx.out.say(IFSTATS_HEADER);
    cx.out.say(&format!("{}\n", "=".repeat(74)));
    for (i, stanza) in stanzas.iter().enumerate() {
        cx.out.say(&ifstats_row(i, stanza));
    }
    Ok(())
}

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
    let en = get(stanza, "en").is_some_and(truthy);
    let mut s = format!(
        "{i:3} {name:<24} {} {flags} {rx} {tx} {txerr} {pc} {up}\n    {}\n",
        if en { '.' } else { 'D' },
        py_str(addr)
    );
    if let Some(b) = get(stanza, "bcast").filter(|v| truthy(v)) {
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

/// Python truth of a typed value.
fn truthy(v: &Variable) -> bool {
    match &v.value {
        Value::Int(n) => *n != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !s.is_empty(),
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

const RESLIST_HEADER: &str = "   hits    addr/prefix or addr mask
           restrictions
";

pub fn reslist(cx: &mut Context, _: &str) -> CmdResult {
    let (stanzas, data) = ordlist(cx, "addr_restrictions")?;
    if cx.settings.raw {
        cx.out.say(&format!("{}\n", raw_text(&data)));
        return Ok(());
    }
    cx.out.say(RESLIST_HEADER);
    cx.out.say(&format!("{}\n", "=".repeat(72)));
    for stanza in &stanzas {
        cx.out.say(&reslist_row(stanza));
    }
    Ok(())
}

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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn syntax_error_columns() {
        assert_eq!(syntax_error_column("column 2 syntax error"), Some(2));
        assert_eq!(syntax_error_column("column x syntax error"), None);
        assert_eq!(syntax_error_column("Config Succeeded"), None);
    }
}
