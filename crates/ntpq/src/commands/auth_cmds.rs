//! Authenticated commands: `passwd`, `:config`, `config-from-file`,
//! `ifstats`, `reslist` (commands.md §10–§12).

use ntp_control::varlist::{parse_varlist, Variable};
use ntp_control::Opcode;
use ntpq_format::ordlist as ordlist_fmt;
use ntpq_format::table;

use crate::context::Context;
use crate::error::{CmdError, CmdResult};
use crate::output_mode::OutputMode;

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
    if cx.out.mode.is_json() {
        return config_json(cx, &reply);
    }
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
        Ok(reply) if cx.out.mode.is_json() => config_json(cx, &reply),
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

/// Raw mode: the reply text as received.
fn raw_text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

pub fn ifstats(cx: &mut Context, _: &str) -> CmdResult {
    let (stanzas, data) = ordlist(cx, "ifstats")?;
    if cx.out.mode.is_json() {
        return ordlist_json(cx, "ifstats", "interfaces", &stanzas);
    }
    if cx.settings.raw {
        cx.out.say(&format!("{}\n", raw_text(&data)));
        return Ok(());
    }
    if cx.out.mode == OutputMode::Table {
        let style = crate::table_style::table_style(cx.out, cx.settings.width);
        cx.out.say(&table::ordlist::ifstats_table(&stanzas, &style));
        return Ok(());
    }
    cx.out.say(&ordlist_fmt::ifstats_heading());
    for (i, stanza) in stanzas.iter().enumerate() {
        cx.out.say(&ordlist_fmt::ifstats_row(i, stanza));
    }
    Ok(())
}

pub fn reslist(cx: &mut Context, _: &str) -> CmdResult {
    let (stanzas, data) = ordlist(cx, "addr_restrictions")?;
    if cx.out.mode.is_json() {
        return ordlist_json(cx, "reslist", "restrictions", &stanzas);
    }
    if cx.settings.raw {
        cx.out.say(&format!("{}\n", raw_text(&data)));
        return Ok(());
    }
    if cx.out.mode == OutputMode::Table {
        let style = crate::table_style::table_style(cx.out, cx.settings.width);
        cx.out.say(&table::ordlist::reslist_table(&stanzas, &style));
        return Ok(());
    }
    cx.out.say(&ordlist_fmt::reslist_heading());
    for stanza in &stanzas {
        cx.out.say(&ordlist_fmt::reslist_row(stanza));
    }
    Ok(())
}

/// `{"type":"ifstats","interfaces":[…]}` / `{"type":"reslist","restrictions":[…]}`.
fn ordlist_json(cx: &mut Context, kind: &str, list: &str, stanzas: &[Vec<Variable>]) -> CmdResult {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let record =
        ntpq_format::json::ordlist_record(kind, cx.out.host.as_deref(), list, stanzas, now);
    cx.out.record(record);
    Ok(())
}

/// `{"type":"config","reply":…,"succeeded":…}` for `:config` and
/// `config-from-file`.
fn config_json(cx: &mut Context, reply: &str) -> CmdResult {
    let mut r = cx.out.record_head("config");
    r.insert("reply".into(), reply.into());
    r.insert("succeeded".into(), (reply == "Config Succeeded").into());
    cx.out.record(r);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_error_columns() {
        assert_eq!(syntax_error_column("column 2 syntax error"), Some(2));
        assert_eq!(syntax_error_column("column x syntax error"), None);
        assert_eq!(syntax_error_column("Config Succeeded"), None);
    }
}
