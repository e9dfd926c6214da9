//! Authenticated requests (scenario section `[auth]`): MAC verification
//! as ntpd does it, with the key id looked for at 12+count rounded up to
//! 8 (ntpd 1.2.2) or to 4 (1.2.3+); `controlkey` for CONFIGURE,
//! READ_ORDLIST_A and WRITEVAR; signed replies; `ifstats`, `reslist` and
//! `:config` answers from the scenario (protocol.md §5.3–§5.4, §9).
//!
//! ```toml
//! [auth]
//! keys = ["1 MD5 md5-secret-key", "2 SHA1 0123…"]   # ntp.keys lines
//! trusted = [1, 2]          # default: every key
//! controlkey = 1
//! align = 8                 # 8: ntpd 1.2.2 (default), 4: 1.2.3+
//! ifstats = ['addr=127.0.0.1:123, bcast=, en=1, name="lo", flags=0x5, ...']
//! reslist = ['addr=0.0.0.0, mask=0.0.0.0, hits=62, flags=noquery']
//! config = [["tos bogus 12", "column 5 syntax error"]]  # else "Config Succeeded"
//! ```
//! A `restrict ADDR [flags…]` configuration adds a reslist stanza.

use std::path::Path;

use ntp_auth::trailer::verify_request;
use ntp_auth::{Align, KeyFile};
use serde::Deserialize;

use crate::reply::ReplyBuilder;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthScenario {
    #[serde(default)]
    pub keys: Vec<String>,
    pub trusted: Option<Vec<u32>>,
    #[serde(default)]
    pub controlkey: u32,
    #[serde(default = "default_align")]
    pub align: u8,
    #[serde(default)]
    pub ifstats: Vec<String>,
    #[serde(default)]
    pub reslist: Vec<String>,
    #[serde(default)]
    pub config: Vec<(String, String)>,
}

fn default_align() -> u8 {
    8
}

/// The simulator's authentication state.
#[derive(Debug)]
pub struct SimAuth {
    keys: KeyFile,
    trusted: Option<Vec<u32>>,
    controlkey: u32,
    align: Align,
    ifstats: Vec<String>,
    reslist: Vec<String>,
    config: Vec<(String, String)>,
}

impl SimAuth {
    pub fn new(s: &AuthScenario) -> Result<SimAuth, String> {
        let keys = KeyFile::parse(&s.keys.join("\n"), Path::new("[auth].keys"));
        if let Some(w) = keys.warnings.first() {
            return Err(w.clone());
        }
        let align = match s.align {
            8 => Align::Eight,
            4 => Align::Four,
            n => return Err(format!("[auth] align must be 8 or 4, not {n}")),
        };
        Ok(SimAuth {
            keys,
            trusted: s.trusted.clone(),
            controlkey: s.controlkey,
            align,
            ifstats: s.ifstats.clone(),
            reslist: s.reslist.clone(),
            config: s.config.clone(),
        })
    }

    /// The key id of a request whose MAC verifies with a trusted key.
    pub fn verify(&self, raw: &[u8]) -> Option<u32> {
        let id = verify_request(raw, self.align, &self.keys)?;
        match &self.trusted {
            Some(t) if !t.contains(&id) => None,
            _ => Some(id),
        }
    }

    pub fn is_control_key(&self, keyid: Option<u32>) -> bool {
        keyid.is_some_and(|k| k == self.controlkey)
    }

    /// Appends key id and MAC to a reply fragment (padded to 8 first, as
    /// both server generations do); error replies get them right after
    /// the header.
    pub fn sign_reply(&self, pkt: &mut Vec<u8>, keyid: u32, error: bool) {
        let Some(key) = self.keys.get(keyid) else {
            return;
        };
        let Some(kind) = key.kind else {
            return;
        };
        if error {
            pkt.truncate(12);
            ntp_auth::sign(pkt, Align::Four, keyid, kind, &key.secret);
        } else {
            ntp_auth::sign(pkt, Align::Eight, keyid, kind, &key.secret);
        }
    }

    /// READ_ORDLIST_A data → reply fragments, or None for an unknown list.
    pub fn ordlist(&self, data: &[u8]) -> Option<Vec<Vec<u8>>> {
        let stanzas = match data {
            b"" | b"ifstats" => &self.ifstats,
            b"addr_restrictions" => &self.reslist,
            _ => return None,
        };
        let mut b = ReplyBuilder::new();
        for (i, stanza) in stanzas.iter().enumerate() {
            for item in split_items(stanza) {
                let item = match item.split_once('=') {
                    Some((name, value)) => format!("{}.{i}={value}", name.trim()),
                    None => format!("{}.{i}", item.trim()),
                };
                b.put_str(&item);
            }
        }
        Some(b.finish())
    }

    /// CONFIGURE: the scripted reply, `Config Succeeded` otherwise; a
    /// `restrict` line adds a reslist stanza.
    pub fn configure(&mut self, data: &[u8]) -> Vec<Vec<u8>> {
        let text = String::from_utf8_lossy(data).trim().to_string();
        let reply = match self.config.iter().find(|(t, _)| *t == text) {
            Some((_, r)) => r.clone(),
            None => {
                let mut words = text.split_whitespace();
                if words.next() == Some("restrict") {
                    if let Some(addr) = words.next() {
                        let flags: Vec<&str> = words.collect();
                        // Replaces an earlier entry for the address, as ntpd does.
                        let prefix = format!("addr={addr}, ");
                        self.reslist.retain(|r| !r.starts_with(&prefix));
                        self.reslist.insert(
                            0,
                            format!(
                                "{prefix}mask=255.255.255.255, hits=0, flags={}",
                                flags.join(" ")
                            ),
                        );
                    }
                }
                "Config Succeeded".to_string()
            }
        };
        let mut b = ReplyBuilder::new();
        b.put_item(reply.as_bytes());
        b.finish()
    }
}

/// Splits `a=1, b="x, y", c=` at commas outside quotes.
fn split_items(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}
