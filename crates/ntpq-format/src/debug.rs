//! Texts of the debug output (`-d`, `-D N`), as the reference writes them,
//! from the protocol core's typed events. Nothing here runs unless an event
//! exists, and the core only makes the events a debug level asks for.

use std::fmt::Write as _;

use ntp_control::mru::EngineEvent;
use ntp_control::query::{FragmentRejected, Ignored, QueryEvent, QueryWarning};
use ntp_control::CTL_MAX_DATA_LEN;

/// One line (or block) for the log stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogLine {
    /// With the reference's RFC 3339 time stamp in front.
    Stamped(String),
    /// As it is (warnings, dumps, the blank line between exchanges).
    Plain(String),
}

/// The lines `ev` gives at debug level `debug` (none when it is not shown).
pub fn query_event_lines(ev: &QueryEvent, debug: u32) -> Vec<LogLine> {
    use LogLine::{Plain, Stamped};
    if debug < u32::from(ev.level()) {
        return Vec::new();
    }
    let line = match ev {
        QueryEvent::Warning(w) => Plain(warning_text(w)),
        QueryEvent::Request {
            opcode,
            associd,
            data,
        } => {
            // The data may carry server text (an MRU nonce): shown so that
            // it cannot act on the terminal.
            let text = format!(
                "sendrequest: opcode={}, associd={associd}, qdata={}",
                opcode.code(),
                ntp_control::visible::visible(&String::from_utf8_lossy(data))
            );
            // The reference separates exchanges with a blank line from -D3.
            return if debug >= 3 {
                vec![Plain(String::new()), Stamped(text)]
            } else {
                vec![Stamped(text)]
            };
        }
        QueryEvent::Sending { len, sequence } => {
            Stamped(format!("Sending {len} octets.  seq={sequence}"))
        }
        QueryEvent::RequestPacket(pkt) => {
            let mut s = String::from("Request packet:\n");
            hex_dump_into(&mut s, pkt);
            s.pop();
            Plain(s)
        }
        QueryEvent::CollectionBegins => Stamped("Fragment collection begins".into()),
        QueryEvent::TimedOut {
            attempt,
            incomplete,
        } => Stamped(format!(
            "{} (attempt {attempt})",
            if *incomplete { "incomplete" } else { "timeout" }
        )),
        QueryEvent::UnexpectedSource(from) => {
            Stamped(format!("Discarding packet from unexpected source {from}"))
        }
        QueryEvent::Received { len } => Stamped(format!("Received {len} octets")),
        QueryEvent::Ignored(why) => Stamped(match why {
            Ignored::Version(v) => format!("Fragment received with version {v}"),
            Ignored::Mode(m) => format!("Fragment received with mode {m}"),
            Ignored::NotAResponse => "Received request, wanted response".into(),
            Ignored::Sequence { got, wanted } => {
                format!("Received sequence number {got}, wanted {wanted}")
            }
            Ignored::Opcode { got, wanted } => format!("Received opcode {got}, wanted {wanted}"),
        }),
        QueryEvent::FragmentRecorded {
            index,
            count,
            offset,
            more,
        } => Stamped(format!(
            "Recording fragment {index}, size = {count} offset = {offset},  end = {}, more={}",
            *offset as usize + count,
            if *more { "True" } else { "False" }
        )),
        QueryEvent::CollectionEnds { len, fragments } => Stamped(format!(
            "Fragment collection ends. {len} bytes  in {fragments} fragments"
        )),
        QueryEvent::ResponsePacket(data) => Plain(match debug {
            5.. => {
                let mut s = String::from("Response packet:\n");
                hex_dump_into(&mut s, data);
                s.pop();
                s
            }
            3 | 4 => format!("Response packet:\n{}", py_bytes_repr(data)),
            // Python's `data[:data.find(b"\n")]`: without a newline the
            // last octet is cut off (find gives -1).
            _ => {
                let first = match data.iter().position(|&b| b == b'\n') {
                    Some(i) => &data[..i],
                    None => &data[..data.len().saturating_sub(1)],
                };
                format!("First line:\n{}", py_bytes_repr(first))
            }
        }),
    };
    vec![line]
}

/// The MRU engine's decisions at `-D2` and above (ntpq-rs's own lines;
/// the reference has none).
pub fn engine_event_text(e: &EngineEvent) -> String {
    match *e {
        EngineEvent::Shrunk { frags: Some(n), .. } => {
            format!("mrulist: reply lost or cut; asking for {n} fragments")
        }
        EngineEvent::Shrunk { limit, .. } => format!(
            "mrulist: reply lost or cut; asking for {} rows",
            limit.unwrap_or(0)
        ),
        EngineEvent::RowLimit { row_limit } => {
            format!("mrulist: server refused the reply size; rows limited to {row_limit}")
        }
        EngineEvent::StaleAnchors {
            restart,
            from_oldest,
        } => format!(
            "mrulist: anchors gone from the server's list (restart {restart}); {}",
            if from_oldest {
                "starting again from the oldest entry"
            } else {
                "trying older anchors"
            }
        ),
        EngineEvent::Salvaged { entries } => {
            format!("mrulist: kept {entries} whole entries of a reply that lost a fragment")
        }
        EngineEvent::NonceRequested => "mrulist: asking for a nonce".into(),
        EngineEvent::AnchorMoved { rewalk: true } => {
            "mrulist: every anchor changed since it was read; reading the list again from its oldest entry".into()
        }
        EngineEvent::AnchorMoved { rewalk: false } => {
            "mrulist: every anchor changed while the list was read; entries touched meanwhile may be passed over".into()
        }
    }
}

/// A warning's text, as the reference logs it at every level.
pub fn warning_text(w: &QueryWarning) -> String {
    match w {
        QueryWarning::DataTooLarge(n) => format!("***Internal error! Data too large ({n})"),
        QueryWarning::RuntDiscarded(n) => {
            format!("Discarding a {n} octet datagram (shorter than a header)")
        }
        QueryWarning::ErrorOnNonFinal(code) => {
            format!("Error {code} received on non-final fragment")
        }
        QueryWarning::AssociationMismatch { got, wanted } => {
            format!("Association ID {got} doesn't match expected {wanted}")
        }
        QueryWarning::NotPadded(n) => format!("Response fragment not padded, size = {n}"),
        QueryWarning::CountPastDatagram { count, received } => {
            format!("Response fragment claims {count} octets payload, above {received} received")
        }
        QueryWarning::CountOverMaximum(count) => format!(
            "Response fragment claims {count} octets payload, above the maximum {CTL_MAX_DATA_LEN}"
        ),
        QueryWarning::EmptyNonFinal => "Received count of 0 in non-final fragment".into(),
        QueryWarning::Mac(text) => text.clone(),
        QueryWarning::Fragment(r) => match *r {
            FragmentRejected::PastEnd { count, offset } => {
                format!("received {count} octet frag at {offset} runs past the end of the response")
            }
            FragmentRejected::Duplicate {
                count,
                offset,
                prior,
            } => {
                format!("duplicate {count} octets at {offset} ignored, prior  {prior} at {offset}")
            }
            FragmentRejected::OverlapsPrevious {
                offset,
                prior_len,
                prior_offset,
            } => format!(
                "received frag at {offset} overlaps with {prior_len} octet frag at {prior_offset}"
            ),
            FragmentRejected::OverlapsNext {
                count,
                offset,
                next,
            } => format!("received {count} octet frag at {offset} overlaps with frag at {next}"),
            FragmentRejected::SecondLast => "Received second last fragment".into(),
            FragmentRejected::LastBelow { offset, next } => {
                format!("received last frag at {offset} below frag at {next}")
            }
        },
    }
}

/// Python's `repr()` of a bytes object: `b'...'` with `\\`, `\'`, `\t`,
/// `\n`, `\r` and `\xNN` escapes (double quotes when that avoids escaping).
pub fn py_bytes_repr(data: &[u8]) -> String {
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut s = String::with_capacity(data.len() + 3);
    s.push('b');
    s.push(quote);
    for &b in data {
        match b {
            b'\\' => s.push_str("\\\\"),
            b'\t' => s.push_str("\\t"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\'' if quote == '\'' => s.push_str("\\'"),
            0x20..=0x7e => s.push(b as char),
            _ => {
                let _ = write!(s, "\\x{b:02x}");
            }
        }
    }
    s.push(quote);
    s
}

/// 16 octets a line as `%02x ` followed by the printable characters.
pub fn hex_dump(data: &[u8]) -> String {
    let mut s = String::with_capacity(data.len() * 4 + data.len() / 16 + 1);
    hex_dump_into(&mut s, data);
    s
}

/// [`hex_dump`] appended to `s`, without an allocation per octet.
pub fn hex_dump_into(s: &mut String, data: &[u8]) {
    for chunk in data.chunks(16) {
        for b in chunk {
            let _ = write!(s, "{b:02x} ");
        }
        for _ in chunk.len()..16 {
            s.push_str("   ");
        }
        for &b in chunk {
            s.push(if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '.'
            });
        }
        s.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntp_control::Opcode;

    /// Found by fuzzing (hostile_server): a nonce holding BEL went to the
    /// log stream raw in the next request's `qdata=`.
    #[test]
    fn request_data_from_the_server_is_shown_escaped() {
        let req = QueryEvent::Request {
            opcode: Opcode::ReadMru,
            associd: 0,
            data: b"nonce=12\x07\x1b[2J, frags=32".to_vec(),
        };
        assert_eq!(
            query_event_lines(&req, 1),
            [LogLine::Stamped(
                "sendrequest: opcode=10, associd=0, qdata=nonce=12\\x07\\x1b[2J, frags=32".into()
            )]
        );
    }

    #[test]
    fn events_render_at_their_levels() {
        let req = QueryEvent::Request {
            opcode: Opcode::ReadVar,
            associd: 0,
            data: b"stratum".to_vec(),
        };
        let line = LogLine::Stamped("sendrequest: opcode=2, associd=0, qdata=stratum".into());
        assert_eq!(query_event_lines(&req, 0), []);
        assert_eq!(query_event_lines(&req, 1), std::slice::from_ref(&line));
        assert_eq!(
            query_event_lines(&req, 3),
            [LogLine::Plain(String::new()), line],
            "a blank line between exchanges from -D3"
        );
        let reply = QueryEvent::ResponsePacket(b"a=1\r\nb".to_vec());
        assert_eq!(
            query_event_lines(&reply, 2),
            [LogLine::Plain("First line:\nb'a=1\\r'".into())]
        );
        assert_eq!(
            query_event_lines(&reply, 4),
            [LogLine::Plain("Response packet:\nb'a=1\\r\\nb'".into())]
        );
        let w = QueryEvent::Warning(QueryWarning::NotPadded(17));
        assert_eq!(
            query_event_lines(&w, 0),
            [LogLine::Plain(
                "Response fragment not padded, size = 17".into()
            )]
        );
    }

    #[test]
    fn engine_decisions_are_worded() {
        assert_eq!(
            engine_event_text(&EngineEvent::StaleAnchors {
                restart: 2,
                from_oldest: true
            }),
            "mrulist: anchors gone from the server's list (restart 2); starting again from the oldest entry"
        );
        assert!(engine_event_text(&EngineEvent::Salvaged { entries: 7 }).contains("kept 7 whole"));
    }

    #[test]
    fn bytes_repr_like_python() {
        assert_eq!(py_bytes_repr(b"stratum=2\r"), "b'stratum=2\\r'");
        assert_eq!(
            py_bytes_repr(&[0x45, 0x6a, 0x96, 0x1a, b'$']),
            "b'Ej\\x96\\x1a$'"
        );
        assert_eq!(py_bytes_repr(b"it's"), "b\"it's\"");
        assert_eq!(py_bytes_repr(b"'\""), "b'\\'\"'");
        assert_eq!(py_bytes_repr(b"a\\b\tc\n"), "b'a\\\\b\\tc\\n'");
    }

    #[test]
    fn dump_rows() {
        let d = hex_dump(b"0123456789abcdefXY\x01");
        assert_eq!(d, "30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 0123456789abcdef\n58 59 01                                        XY.\n");
    }
}
