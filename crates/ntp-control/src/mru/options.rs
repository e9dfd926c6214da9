//! `mrulist` arguments (mrulist.md §1, §2): parsed and checked before any
//! traffic, and rendered into the request parameter strings.

use super::entry::parse_stamp;
use super::list::SortKey;
use crate::varlist::{parse_python_float, parse_python_int};

/// A tag's value, typed as the reference types it.
#[derive(Clone, Debug, PartialEq)]
pub enum ArgValue {
    /// A bare tag (`kod`); Python's `True`, which is also the integer 1.
    True,
    Int(i128),
    Float(f64),
    Str(String),
}

impl ArgValue {
    fn parse(text: &str) -> ArgValue {
        if let Some(i) = parse_python_int(text) {
            return ArgValue::Int(i);
        }
        if let Some(f) = parse_python_float(text) {
            return ArgValue::Float(f);
        }
        let t = if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
            &text[1..text.len() - 1]
        } else {
            text
        };
        ArgValue::Str(t.to_string())
    }

    fn as_int(&self) -> Option<i128> {
        match self {
            ArgValue::True => Some(1),
            ArgValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// `%s` of the value as the reference puts it in a request.
    fn render(&self) -> String {
        match self {
            ArgValue::True => "True".to_string(),
            ArgValue::Int(i) => i.to_string(),
            ArgValue::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e16 => {
                format!("{f:.1}")
            }
            ArgValue::Float(f) => format!("{f}"),
            ArgValue::Str(s) => s.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MruArgError {
    #[error("***Sort order {0} is not implemented")]
    BadSort(String),
    #[error("***Unknown parameter '{0}'")]
    UnknownParam(String),
    /// The reference sends these and then waits forever for a server that
    /// never answers a request it cannot parse; we refuse them up front.
    #[error("***Bad value '{value}' for parameter '{tag}'")]
    BadValue { tag: String, value: String },
    /// `follow` streams what changes; an order or a row limit has no
    /// meaning there.
    #[error("***'{0}' does not apply to 'mrulist follow' (it streams entries as they change)")]
    NotWithFollow(String),
}

/// `mrulist follow`: poll again every `interval` for the entries that
/// changed, until Ctrl-C or `duration`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Follow {
    pub interval: std::time::Duration,
    pub duration: Option<std::time::Duration>,
}

/// Parsed `mrulist` arguments.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MruOptions {
    /// `None` is the default order (most recent first).
    pub sort: Option<SortKey>,
    /// Initial fragment limit (`frags=`, default 32).
    pub frags: u32,
    /// `, tag=value` for every request (the reference's `parms`).
    pub params: String,
    /// The first request's parameters (`recent=` first, then `params`).
    pub first_params: String,
    /// ntpq-rs: `direct` as an argument (stream batches as they arrive).
    pub direct: bool,
    /// ntpq-rs: `stats` as an argument (always print the retrieval report).
    pub stats: bool,
    /// ntpq-rs: `follow` (with `interval=`, `duration=` in seconds).
    pub follow: Option<Follow>,
}

/// The tags `mrulist` accepts (besides `addr.N`/`last.N` anchors and
/// [`CLIENT_WORDS`]); `kod` and `limited` take no value.
pub const FILTERS: &[&str] = &[
    "mincount",
    "mindrop",
    "minscore",
    "resall",
    "resany",
    "kod",
    "limited",
    "maxlstint",
    "minlstint",
    "laddr",
    "recent",
    "sort",
    "frags",
    "limit",
];

/// ntpq-rs's own `mrulist` words, not sent to the server.
pub const CLIENT_WORDS: &[&str] = &["direct", "stats", "follow"];

/// ntpq-rs's own `mrulist` tags with a value (seconds), for `follow`.
pub const FOLLOW_TAGS: &[&str] = &["interval", "duration"];

fn is_anchor_tag(tag: &str) -> bool {
    match tag.split_once('.') {
        Some(("addr" | "last", n)) => (0..16).any(|i| n == i.to_string()),
        _ => false,
    }
}

/// Parses the argument string of `mrulist`.
pub fn parse_mrulist_args(line: &str) -> Result<MruOptions, MruArgError> {
    // Ordered map: a later duplicate overwrites but keeps the first position.
    let mut vars: Vec<(String, ArgValue)> = Vec::new();
    let mut opts = MruOptions {
        frags: 32,
        ..MruOptions::default()
    };
    let (mut follow, mut interval, mut duration) = (false, None, None);
    for piece in line.split(' ').filter(|p| !p.is_empty()) {
        let (tag, value) = match piece.split_once('=') {
            None => (piece.to_string(), ArgValue::True),
            Some((t, v)) => {
                let v = v.trim();
                if v.is_empty() {
                    return Err(MruArgError::BadValue {
                        tag: t.trim().to_string(),
                        value: String::new(),
                    });
                }
                (t.trim().to_string(), ArgValue::parse(v))
            }
        };
        // ntpq-rs's own words, not sent to the server.
        if value == ArgValue::True && CLIENT_WORDS.contains(&tag.as_str()) {
            match tag.as_str() {
                "direct" => opts.direct = true,
                "stats" => opts.stats = true,
                _ => follow = true,
            }
            continue;
        }
        if FOLLOW_TAGS.contains(&tag.as_str()) {
            let seconds = match &value {
                ArgValue::Int(i) => Some(*i as f64),
                ArgValue::Float(f) => Some(*f),
                _ => None,
            }
            .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e9)
            .ok_or_else(|| MruArgError::BadValue {
                tag: tag.clone(),
                value: value.render(),
            })?;
            let d = std::time::Duration::from_secs_f64(seconds);
            if tag == "interval" {
                interval = Some(d);
            } else {
                duration = Some(d);
            }
            continue;
        }
        match vars.iter_mut().find(|(t, _)| *t == tag) {
            Some(slot) => slot.1 = value,
            None => vars.push((tag, value)),
        }
    }
    if follow {
        for tag in ["sort", "limit"] {
            if vars.iter().any(|(t, _)| t == tag) {
                return Err(MruArgError::NotWithFollow(tag.to_string()));
            }
        }
        opts.follow = Some(Follow {
            interval: interval.unwrap_or(std::time::Duration::from_secs(1)),
            duration,
        });
    } else if let Some(tag) = interval
        .map(|_| "interval")
        .or(duration.map(|_| "duration"))
    {
        return Err(MruArgError::UnknownParam(tag.to_string()));
    }
    // The sort key is checked first, then the tag names.
    if let Some(i) = vars.iter().position(|(t, _)| t == "sort") {
        let (_, v) = vars.remove(i);
        let key = v.render();
        match SortKey::parse(&key) {
            Some(SortKey::Lstint) => opts.sort = None,
            Some(k) => opts.sort = Some(k),
            None => return Err(MruArgError::BadSort(key)),
        }
    }
    for (tag, _) in &vars {
        if !FILTERS.contains(&tag.as_str()) && !is_anchor_tag(tag) {
            return Err(MruArgError::UnknownParam(tag.clone()));
        }
    }
    let bad = |tag: &str, v: &ArgValue| MruArgError::BadValue {
        tag: tag.to_string(),
        value: v.render(),
    };
    if let Some(i) = vars.iter().position(|(t, _)| t == "frags") {
        let (tag, v) = vars.remove(i);
        let n = match &v {
            ArgValue::Float(f) if f.is_finite() => Some(f.trunc() as i128),
            other => other.as_int(),
        };
        match n {
            Some(n @ 1..=128) => opts.frags = n as u32,
            _ => return Err(bad(&tag, &v)),
        }
    }
    for (flag, bit) in [("kod", 0x400i128), ("limited", 0x20)] {
        if let Some(i) = vars.iter().position(|(t, _)| t == flag) {
            vars.remove(i);
            match vars.iter_mut().find(|(t, _)| t == "resany") {
                Some((_, v)) => match v.as_int() {
                    Some(x) => *v = ArgValue::Int(x | bit),
                    None => return Err(bad("resany", v)),
                },
                None => vars.push(("resany".to_string(), ArgValue::Int(bit))),
            }
        }
    }
    let mut rendered: Vec<(String, String)> = Vec::new();
    for (tag, v) in &vars {
        let text = match tag.as_str() {
            "resall" | "resany" => match v.as_int() {
                Some(x) if x >= 0 => format!("{x:#x}"),
                _ => return Err(bad(tag, v)),
            },
            _ => v.render(),
        };
        check_value(tag, &text).map_err(|_| bad(tag, v))?;
        rendered.push((tag.clone(), text));
    }
    let pieces: Vec<String> = rendered
        .iter()
        .filter(|(t, _)| t != "recent")
        .map(|(t, v)| format!("{t}={v}"))
        .collect();
    // Reference quirk kept: with only `recent`, `parms` is a lone ", ".
    opts.params = if rendered.is_empty() {
        String::new()
    } else {
        format!(", {}", pieces.join(", "))
    };
    opts.first_params = match rendered.iter().find(|(t, _)| t == "recent") {
        Some((_, v)) => format!(", recent={v}{}", opts.params),
        None => opts.params.clone(),
    };
    Ok(opts)
}

/// Values ntpd would fail to parse (it then never answers).
fn check_value(tag: &str, text: &str) -> Result<(), ()> {
    let unsigned = |t: &str| t.parse::<u32>().map(|_| ()).map_err(|_| ());
    match tag {
        "limit" => match text.parse::<u32>() {
            Ok(1..=256) => Ok(()),
            _ => Err(()),
        },
        "mindrop" | "maxlstint" | "minlstint" | "recent" => unsigned(text),
        "mincount" => text.parse::<i64>().map(|_| ()).map_err(|_| ()),
        "minscore" => text.parse::<f64>().map(|_| ()).map_err(|_| ()),
        "resall" | "resany" => Ok(()),
        "laddr" => addr_ok(text),
        t if t.starts_with("addr.") => addr_ok(text),
        t if t.starts_with("last.") => parse_stamp(text).map(|_| ()).ok_or(()),
        _ => Ok(()),
    }
}

fn addr_ok(text: &str) -> Result<(), ()> {
    let mut v6 = super::entry::V6Table::default();
    match super::entry::parse_addr(text, &mut v6).0 {
        super::entry::AddrRef::Invalid => Err(()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_and_its_parameters() {
        let o = parse_mrulist_args("follow mincount=2 interval=0.5 duration=60").unwrap();
        assert_eq!(
            o.follow,
            Some(Follow {
                interval: std::time::Duration::from_millis(500),
                duration: Some(std::time::Duration::from_secs(60)),
            })
        );
        assert_eq!(o.params, ", mincount=2");
        let o = parse_mrulist_args("follow").unwrap();
        assert_eq!(
            o.follow.unwrap().interval,
            std::time::Duration::from_secs(1)
        );
        assert_eq!(
            parse_mrulist_args("follow sort=count"),
            Err(MruArgError::NotWithFollow("sort".into()))
        );
        assert_eq!(
            parse_mrulist_args("follow limit=5"),
            Err(MruArgError::NotWithFollow("limit".into()))
        );
        assert_eq!(
            parse_mrulist_args("interval=2"),
            Err(MruArgError::UnknownParam("interval".into()))
        );
        assert!(matches!(
            parse_mrulist_args("follow interval=0"),
            Err(MruArgError::BadValue { .. })
        ));
        assert!(matches!(
            parse_mrulist_args("follow duration=soon"),
            Err(MruArgError::BadValue { .. })
        ));
    }

    #[test]
    fn defaults() {
        let o = parse_mrulist_args("").unwrap();
        assert_eq!(o.frags, 32);
        assert_eq!(o.params, "");
        assert_eq!(o.first_params, "");
        assert_eq!(o.sort, None);
    }

    #[test]
    fn parameters_render_like_the_reference() {
        let o = parse_mrulist_args("mincount=2 resall=32 kod limit=5").unwrap();
        assert_eq!(o.params, ", mincount=2, resall=0x20, limit=5, resany=0x400");
        let o = parse_mrulist_args("resany=0x20 limited kod").unwrap();
        assert_eq!(o.params, ", resany=0x420");
        let o = parse_mrulist_args("recent=2").unwrap();
        assert_eq!(o.params, ", ");
        assert_eq!(o.first_params, ", recent=2, ");
        let o = parse_mrulist_args("recent=2 mincount=3").unwrap();
        assert_eq!(o.first_params, ", recent=2, mincount=3");
        let o = parse_mrulist_args("minscore=0.5 frags=10 sort=-count").unwrap();
        assert_eq!(o.params, ", minscore=0.5");
        assert_eq!(o.frags, 10);
        assert_eq!(o.sort, Some(SortKey::CountDesc));
    }

    #[test]
    fn duplicates_keep_first_position() {
        let o = parse_mrulist_args("mincount=1 limit=4 mincount=3").unwrap();
        assert_eq!(o.params, ", mincount=3, limit=4");
    }

    #[test]
    fn errors_in_reference_order() {
        assert_eq!(
            parse_mrulist_args("foo sort=bar").unwrap_err().to_string(),
            "***Sort order bar is not implemented"
        );
        assert_eq!(
            parse_mrulist_args("foo=1").unwrap_err().to_string(),
            "***Unknown parameter 'foo'"
        );
        assert_eq!(
            parse_mrulist_args("addr.16=1.2.3.4")
                .unwrap_err()
                .to_string(),
            "***Unknown parameter 'addr.16'"
        );
        assert!(parse_mrulist_args("addr.15=1.2.3.4 last.15=0x00000001.00000002").is_ok());
        assert!(matches!(
            parse_mrulist_args("mincount=abc"),
            Err(MruArgError::BadValue { .. })
        ));
        assert!(matches!(
            parse_mrulist_args("limit=0"),
            Err(MruArgError::BadValue { .. })
        ));
        assert!(matches!(
            parse_mrulist_args("frags=300"),
            Err(MruArgError::BadValue { .. })
        ));
        assert!(matches!(
            parse_mrulist_args("mincount="),
            Err(MruArgError::BadValue { .. })
        ));
    }

    #[test]
    fn our_words() {
        let o = parse_mrulist_args("direct stats limit=3").unwrap();
        assert!(o.direct && o.stats);
        assert_eq!(o.params, ", limit=3");
    }
}
