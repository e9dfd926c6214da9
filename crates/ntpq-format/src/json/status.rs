//! Status words as JSON objects: the raw `word` and its decoded fields
//! (the names of the text display, protocol.md §6).

use ntp_control::status::{assoc_columns, CLOCK_CODE, LEAP, SYNC_SOURCE, SYS_EVENT};
use serde_json::{Map, Value};

fn object(word: u16) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("word".into(), Value::from(word));
    m
}

fn event_count(word: u16) -> Value {
    Value::from((word >> 4) & 0xf)
}

/// The system status word (association 0): leap, sync source, event
/// count and last event.
pub fn system_status(word: u16) -> Map<String, Value> {
    let mut m = object(word);
    let source = ((word >> 8) & 0x3f) as usize;
    m.insert("leap".into(), Value::from(LEAP[(word >> 14) as usize]));
    m.insert(
        "sync_source".into(),
        SYNC_SOURCE.get(source).map_or_else(
            || Value::from(format!("sync_{source}")),
            |s| Value::from(*s),
        ),
    );
    m.insert("event_count".into(), event_count(word));
    m.insert(
        "last_event".into(),
        Value::from(SYS_EVENT[(word & 0xf) as usize]),
    );
    m
}

/// A peer status word, decoded as the `associations` columns: `conf`
/// (yes/no), `reach` (yes/no/none), `auth` (none/ok/bad), `condition`
/// (reject, falsetick, …, sys.peer), `last_event` (`null` for none) and
/// `event_count`.
pub fn peer_status(word: u16) -> Map<String, Value> {
    let c = assoc_columns(word);
    let mut m = object(word);
    m.insert("conf".into(), Value::from(c.conf));
    m.insert("reach".into(), Value::from(c.reach));
    m.insert("auth".into(), Value::from(c.auth.trim_end()));
    m.insert("condition".into(), Value::from(c.condition));
    m.insert(
        "last_event".into(),
        if c.last_event.is_empty() {
            Value::Null
        } else {
            Value::from(c.last_event)
        },
    );
    m.insert("event_count".into(), Value::from(c.count));
    m
}

/// A clock status word: event count and the clock's last status code.
pub fn clock_status(word: u16) -> Map<String, Value> {
    let mut m = object(word);
    let code = (word & 0xf) as usize;
    m.insert("event_count".into(), event_count(word));
    m.insert(
        "last_event".into(),
        CLOCK_CODE
            .get(code)
            .map_or_else(|| Value::from(format!("clk_{code}")), |s| Value::from(*s)),
    );
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn system_words_decode_into_named_fields() {
        assert_eq!(
            Value::Object(system_status(0x0615)),
            json!({"word": 0x0615, "leap": "leap_none", "sync_source": "sync_ntp",
                   "event_count": 1, "last_event": "clock_sync"})
        );
        assert_eq!(system_status(0xff00)["sync_source"], "sync_63");
        assert_eq!(system_status(0xc000)["leap"], "leap_alarm");
    }

    #[test]
    fn peer_words_decode_as_the_associations_columns() {
        assert_eq!(
            Value::Object(peer_status(0x961a)),
            json!({"word": 0x961a, "conf": "yes", "reach": "yes", "auth": "none",
                   "condition": "sys.peer", "last_event": "sys_peer", "event_count": 1})
        );
        let m = peer_status(0x7c00);
        assert_eq!(
            (m["auth"].as_str(), &m["last_event"]),
            (Some("ok"), &Value::Null)
        );
        assert_eq!(m["reach"], "none");
    }

    #[test]
    fn clock_words() {
        assert_eq!(
            Value::Object(clock_status(0x0021)),
            json!({"word": 0x21, "event_count": 2, "last_event": "clk_no_reply"})
        );
        assert_eq!(clock_status(0x000f)["last_event"], "clk_15");
    }
}
