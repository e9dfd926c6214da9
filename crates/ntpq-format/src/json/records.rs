//! The records of the commands that show server data (docs/json.md):
//! pure functions from parsed replies to JSON objects.

use ntp_control::status::{assoc_columns, tally_char};
use ntp_control::varlist::{Value as Typed, Variable};
use serde_json::{Map, Value};

use super::record;
use super::status::peer_status;
use super::value::{typed_value, vars_object};
use crate::peers::row_facts;

/// One readvar/clockvar record: `associd`, the decoded `status` and the
/// typed `vars`.
pub fn readvar_record(
    kind: &str,
    host: Option<&str>,
    associd: u16,
    status: Map<String, Value>,
    vars: &[Variable],
    pivot_unix: i64,
) -> Map<String, Value> {
    let mut r = record(kind, host);
    r.insert("associd".into(), Value::from(associd));
    r.insert("status".into(), Value::Object(status));
    r.insert("vars".into(), Value::Object(vars_object(vars, pivot_unix)));
    r
}

/// The association list: one object per association, in list order.
pub fn associations_record(host: Option<&str>, assocs: &[(u16, u16)]) -> Map<String, Value> {
    let list: Vec<Value> = assocs
        .iter()
        .enumerate()
        .map(|(i, (associd, word))| {
            let mut m = Map::new();
            m.insert("index".into(), Value::from(i + 1));
            m.insert("associd".into(), Value::from(*associd));
            m.insert("status".into(), Value::Object(peer_status(*word)));
            Value::Object(m)
        })
        .collect();
    let mut r = record("associations", host);
    r.insert("associations".into(), Value::Array(list));
    r
}

/// One association of the peers record.
pub struct PeerInput<'a> {
    pub associd: u16,
    /// Status word of the READVAR reply.
    pub status: u16,
    pub vars: &'a [Variable],
    /// The remote's name: `srchost`, or the reverse lookup when names are
    /// shown (`None` with `-n`).
    pub hostname: Option<String>,
    /// `ntpversion 1`: the old tally characters.
    pub old_version: bool,
}

/// The association type letter's meaning.
fn type_name(letter: char) -> &'static str {
    match letter {
        'l' => "local",
        'u' => "unicast",
        'p' => "pool",
        'a' => "manycast",
        'b' => "broadcast_client",
        'B' => "broadcast",
        'M' => "multicast",
        's' => "symmetric_active",
        'S' => "symmetric_passive",
        c if c.is_ascii_digit() || c.is_ascii_alphabetic() => "nts",
        _ => "unknown",
    }
}

/// One peer as the peers tables show it, every value typed and whole
/// (the remote address is never cut).
pub fn peer_object(p: &PeerInput, now_unix: f64) -> Map<String, Value> {
    let pivot = now_unix.floor() as i64;
    let last = |names: &[&str]| -> Value {
        p.vars
            .iter()
            .rev()
            .find(|v| names.contains(&v.name.as_str()))
            .map_or(Value::Null, |v| typed_value(v, pivot).0)
    };
    let facts = row_facts(p.vars, now_unix);
    let mut m = Map::new();
    m.insert("associd".into(), Value::from(p.associd));
    m.insert(
        "tally".into(),
        Value::from(tally_char(p.status, p.old_version).to_string()),
    );
    m.insert(
        "condition".into(),
        Value::from(assoc_columns(p.status).condition),
    );
    m.insert("remote".into(), last(&["srcadr", "peeradr"]));
    m.insert(
        "hostname".into(),
        p.hostname.clone().map_or(Value::Null, Value::from),
    );
    m.insert("local".into(), last(&["dstadr"]));
    m.insert("refid".into(), last(&["refid"]));
    m.insert("stratum".into(), last(&["stratum"]));
    m.insert("type".into(), Value::from(facts.type_letter.to_string()));
    m.insert(
        "type_name".into(),
        Value::from(type_name(facts.type_letter)),
    );
    m.insert("when".into(), opt_int(facts.when));
    m.insert("poll".into(), opt_int(facts.poll));
    let reach = last(&["reach"]);
    let octal = reach
        .as_u64()
        .map_or(Value::Null, |r| Value::from(format!("{r:o}")));
    m.insert("reach".into(), reach);
    m.insert("reach_octal".into(), octal);
    for (key, names) in [
        ("delay", &["delay"][..]),
        ("offset", &["offset"]),
        ("jitter", &["jitter"]),
        ("dispersion", &["rootdisp", "dispersion"]),
    ] {
        m.insert(key.into(), last(names));
    }
    m.insert("status".into(), Value::Object(peer_status(p.status)));
    m
}

fn opt_int(v: Option<i128>) -> Value {
    v.and_then(|i| i64::try_from(i).ok())
        .map_or(Value::Null, Value::from)
}

/// The peers record: every association's [`peer_object`].
pub fn peers_record(host: Option<&str>, peers: Vec<Map<String, Value>>) -> Map<String, Value> {
    let mut r = record("peers", host);
    r.insert(
        "peers".into(),
        Value::Array(peers.into_iter().map(Value::Object).collect()),
    );
    r
}

/// A summary command's record (`sysinfo`, `pstats`, …): the table's
/// variables at the top level, in table order. A name the server does not
/// know (the one-at-a-time fallback's `?`) is `null`; one it did not
/// send is left out.
pub fn summary_record(
    kind: &str,
    host: Option<&str>,
    names: &[&str],
    vars: &[Variable],
    pivot_unix: i64,
) -> Map<String, Value> {
    let mut r = record(kind, host);
    for name in names {
        let Some(var) = vars.iter().rev().find(|v| v.name == *name) else {
            continue;
        };
        let unknown = matches!(&var.value, Typed::Str(s) if s == "?" || s == "???");
        let (value, raw) = typed_value(var, pivot_unix);
        r.insert(
            (*name).to_string(),
            if unknown { Value::Null } else { value },
        );
        if let Some(raw) = raw {
            r.insert(format!("{name}_raw"), Value::from(raw));
        }
    }
    r
}

/// `ifstats` (`list` = "interfaces") or `reslist` ("restrictions"): one
/// object per stanza, its typed variables.
pub fn ordlist_record(
    kind: &str,
    host: Option<&str>,
    list: &str,
    stanzas: &[Vec<Variable>],
    pivot_unix: i64,
) -> Map<String, Value> {
    let items: Vec<Value> = stanzas
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.is_empty())
        .map(|(i, s)| {
            let mut m = Map::new();
            m.insert("index".into(), Value::from(i));
            m.extend(vars_object(s, pivot_unix));
            Value::Object(m)
        })
        .collect();
    let mut r = record(kind, host);
    r.insert(list.into(), Value::Array(items));
    r
}

#[cfg(test)]
mod tests;
