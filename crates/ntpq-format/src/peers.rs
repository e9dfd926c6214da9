//! The peers-family tables (commands.md §8): `peers`/`lpeers`, `apeers`,
//! `opeers`/`lopeers` and `rpeers` (in HEAD's layout, which shows the
//! refid, tally and remote columns that 1.2.2 forgets).

use crate::pyfmt::{
    percent_d_float, percent_f, py_left_field, py_radix, py_right_field, py_slice_from, py_slice_to,
};
use crate::timestamp::lfp_to_unix;
use crate::units::{try_unitify, Unit};
use ntp_control::status::tally_char;
use ntp_control::varlist::{Value, Variable};
use ntp_control::visible::visible;
use std::borrow::Cow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeersKind {
    Peers,
    Apeers,
    Opeers,
    Rpeers,
}

/// Column widths of one table, fixed before the first row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeersLayout {
    pub kind: PeersKind,
    /// Remote column width N = 15 + slack; may be zero or negative.
    pub name_width: i64,
    /// Width of the `=` rule (without the multi-host part).
    pub rule_width: usize,
    /// `-w`: long remote names get a line of their own.
    pub wide: bool,
    /// Multi-host mode: H, the longest host name as typed.
    pub host_width: Option<usize>,
}

const REFID_WIDTH: usize = 15;

/// The most negative `-W` honoured (see [`PeersLayout::new`]).
const MAX_NEGATIVE_WIDTH: i64 = 1 << 16;

impl PeersLayout {
    /// `term_width` is the `-W` value, else the terminal width, else 80
    /// (0 also means 80, as in the reference).
    pub fn new(kind: PeersKind, term_width: i64, wide: bool, host_width: Option<usize>) -> Self {
        // A negative width pads the remote column to |width| (Python's
        // `%-*s`); past what memory holds Python raises, we stop at 2^16.
        let term = if term_width == 0 {
            80
        } else {
            term_width.max(-MAX_NEGATIVE_WIDTH)
        };
        // Extra room beyond 80 columns goes to the remote name, capped so
        // very wide terminals do not spread the columns apart.
        let slack = term.saturating_sub(80).min(24);
        PeersLayout {
            kind,
            name_width: 15 + slack,
            rule_width: (79 + slack).max(0) as usize,
            wide,
            host_width,
        }
    }
}

/// Header line and `=` rule, each ending in a newline.
pub fn header(layout: &PeersLayout) -> String {
    let common = "st t when poll reach   delay   offset   ";
    let remote = format!(
        "{:<w$}",
        "     remote    ",
        w = layout.name_width.max(0) as usize
    );
    let title = match layout.kind {
        PeersKind::Peers => format!("{remote}       refid      {common}jitter"),
        PeersKind::Apeers => format!("{remote}   refid   assid  {common}jitter"),
        PeersKind::Opeers => format!("{remote}       local      {common}  disp"),
        PeersKind::Rpeers => {
            " st t when poll reach   delay   offset   jitter refid           T remote".to_string()
        }
    };
    let mut out = String::new();
    let mut rule = String::new();
    if let Some(h) = layout.host_width {
        out.push_str(&py_left_field("server", h as i64, h as i64 + 1));
        out.push(' ');
        rule.push_str(&"=".repeat(h + 1));
    }
    out.push_str(&title);
    out.push('\n');
    rule.push_str(&"=".repeat(layout.rule_width));
    out.push_str(&rule);
    out.push('\n');
    out
}

/// Everything one row needs besides the layout.
pub struct PeerRow<'a> {
    /// Status word of the READVAR reply (peer status).
    pub status: u16,
    pub associd: u16,
    /// As the server sent them for [`row`] (`parse_varlist_as_sent`), shown
    /// ones for the table cells and JSON.
    pub vars: &'a [Variable],
    /// Current Unix time (pivot and reference for the `when` column).
    pub now_unix: f64,
    pub units: bool,
    /// `ntpversion 1`: old tally table.
    pub old_version: bool,
    /// 1.2.2 hostnames mode 0-3: bit 0 = reverse DNS, bit 1 = prefer srchost.
    pub hostnames: u8,
    /// Multi-host mode: the host this row came from.
    pub host_label: Option<&'a str>,
    /// Reverse DNS of an address (the caller's canonicalize).
    pub resolve: &'a dyn Fn(&str) -> String,
}

/// A delay/offset/dispersion value: the variable it came from, or missing.
#[derive(Clone, Copy)]
enum Est<'a> {
    Missing,
    Var(&'a Variable),
}

/// The row's inputs, collected in reply order (later duplicates win).
struct Fields<'a> {
    delay: Est<'a>,
    offset: Est<'a>,
    disp: Est<'a>,
    jitter: Option<&'a Variable>,
    saw6: bool,
    refid_text: String,
    hmode: Option<&'a Value>,
    hpoll: Option<&'a Value>,
    ppoll: Option<&'a Value>,
    reach: Option<&'a Variable>,
    /// `Some(Ok(seconds))` from rec/reftime; `Some(Err)` when unreadable.
    since: Option<Result<i128, ()>>,
    srcadr: Option<String>,
    srchost: Option<String>,
    stratum: Option<&'a Variable>,
    ntscookies: Option<&'a Value>,
}

/// Text of a value as the Python string it would be (quotes removed).
fn value_text(var: &Variable) -> String {
    var.raw.clone()
}

fn gather<'a>(kind: PeersKind, vars: &'a [Variable], now: f64) -> Fields<'a> {
    let mut f = Fields {
        delay: Est::Missing,
        offset: Est::Missing,
        disp: Est::Missing,
        jitter: None,
        saw6: false,
        refid_text: String::new(),
        hmode: None,
        hpoll: None,
        ppoll: None,
        reach: None,
        since: None,
        srcadr: None,
        srchost: None,
        stratum: None,
        ntscookies: None,
    };
    for var in vars {
        match var.name.as_str() {
            "delay" => {
                f.delay = Est::Var(var);
                // Six decimals mean a server that ships x.6 values.
                let b = var.raw.as_bytes();
                f.saw6 = f.saw6 || (b.len() > 6 && b[b.len() - 7] == b'.');
            }
            "dstadr" if kind == PeersKind::Opeers => f.refid_text = value_text(var),
            "refid" if kind != PeersKind::Opeers => f.refid_text = value_text(var),
            "jitter" if kind != PeersKind::Opeers => f.jitter = Some(var),
            "offset" => f.offset = Est::Var(var),
            "rootdisp" | "dispersion" => f.disp = Est::Var(var),
            "hmode" => f.hmode = Some(&var.value),
            "hpoll" => f.hpoll = Some(&var.value),
            "ppoll" => f.ppoll = Some(&var.value),
            "reach" => f.reach = Some(var),
            "rec" | "reftime" => {
                let unix = match &var.value {
                    Value::Str(s) => lfp_to_unix(s, now.floor() as i64),
                    _ => None,
                };
                f.since = Some(unix.map(|u| (now - u).trunc() as i128).ok_or(()));
            }
            "srcadr" | "peeradr" => f.srcadr = Some(value_text(var)),
            "srchost" => f.srchost = Some(value_text(var)),
            "stratum" => f.stratum = Some(var),
            "ntscookies" => f.ntscookies = Some(&var.value),
            _ => {}
        }
    }
    f
}

/// A numeric value equal to `n` (Python `==` between int/float and int).
fn value_is(v: Option<&Value>, n: i128) -> bool {
    match v {
        Some(Value::Int(i)) => *i == n,
        Some(Value::Float(x)) => *x == n as f64,
        _ => false,
    }
}

/// The one-letter association type column.
fn type_letter(f: &Fields) -> char {
    let srcadr = f.srcadr.as_deref().unwrap_or("");
    if value_is(f.hmode, 6) {
        'b'
    } else if value_is(f.hmode, 5) {
        if srcadr.starts_with("224.") {
            'M'
        } else {
            'B'
        }
    } else if value_is(f.hmode, 3) {
        // A refclock's srchost looks like "SHM(0)".
        let is_clock = f.srchost.as_deref().is_some_and(|h| h.contains('('));
        if is_clock {
            'l'
        } else if f.refid_text == "POOL" {
            'p'
        } else if srcadr.starts_with("224.") {
            'a'
        } else {
            match f.ntscookies {
                // Python's chr(48 + n); a control character (DEL, C1:
                // ntscookies=79..111) would act on the terminal: '?'.
                Some(Value::Int(n)) if *n > -1 => u32::try_from(*n + 48)
                    .ok()
                    .and_then(char::from_u32)
                    .filter(|c| !c.is_control())
                    .unwrap_or('?'),
                _ => 'u',
            }
        }
    } else if value_is(f.hmode, 1) {
        's'
    } else if value_is(f.hmode, 2) {
        'S'
    } else {
        '?'
    }
}

/// The remote column's name (before cutting to width).
fn remote_name(f: &Fields, row: &PeerRow) -> String {
    let name = match f.srcadr.as_deref() {
        Some(a) if a != "0.0.0.0" && a != "::" && !a.starts_with("127.127") => {
            match f.srchost.as_deref() {
                Some(h) if row.hostnames & 2 != 0 && !h.is_empty() => Some(h.to_string()),
                _ if row.hostnames & 1 != 0 => Some((row.resolve)(a)),
                _ => Some(a.to_string()),
            }
        }
        _ => f.srchost.clone(),
    };
    name.unwrap_or_else(|| f.srcadr.clone().unwrap_or_default())
}

/// Poll exponent as the reference reads it: missing counts as 0; a
/// negative one was meant to become the minimum poll (0), though 1.2.2
/// crashes there; non-integers have no interval.
fn poll_exponent(v: Option<&Value>) -> Option<i128> {
    match v {
        None => Some(0),
        Some(Value::Int(i)) => Some((*i).max(0)),
        Some(_) => None,
    }
}

fn poll_text(f: &Fields) -> String {
    match (poll_exponent(f.ppoll), poll_exponent(f.hpoll)) {
        (Some(p), Some(h)) => {
            let e = p.min(h);
            if e < 126 {
                interval(1i128 << e)
            } else {
                interval_float(2f64.powi(e.min(2000) as i32))
            }
        }
        _ => "-".to_string(),
    }
}

/// Elapsed seconds in natural units: up to 2048 plain, then minutes up
/// to 300, hours up to 96, then days (`-` when not positive).
pub fn interval(d: i128) -> String {
    if d <= 0 {
        return "-".to_string();
    }
    if d <= 2048 {
        return d.to_string();
    }
    interval_float(d as f64)
}

/// [`interval`] past 2048 s, with the reference's true division.
fn interval_float(d: f64) -> String {
    let m = (d + 29.0) / 60.0;
    if m <= 300.0 {
        return format!("{}m", int_text(m));
    }
    let h = (m + 29.0) / 60.0;
    if h <= 96.0 {
        return format!("{}h", int_text(h));
    }
    format!("{}d", int_text((h + 11.0) / 24.0))
}

fn int_text(x: f64) -> String {
    percent_d_float(x).unwrap_or_else(|| "-".to_string())
}

/// Number printing for the delay/offset/jitter columns (one cell).
#[derive(Clone, Copy)]
enum NumberStyle {
    Dot4,
    Dot3,
}

/// Scaled fixed-point in 8 columns, up to 4 decimals (§8.3 f8dot4).
pub fn f8dot4(x: f64) -> String {
    f8(x, NumberStyle::Dot4)
}

/// Scaled fixed-point in 8 columns, up to 3 decimals (§8.3 f8dot3).
pub fn f8dot3(x: f64) -> String {
    f8(x, NumberStyle::Dot3)
}

fn f8(x: f64, style: NumberStyle) -> String {
    if x.is_nan() {
        return "     nan".to_string();
    }
    // (limits for 4, 3, 2, 1 decimals) for x >= 0 and for x < 0.
    let (pos, neg): ([f64; 4], [f64; 4]) = match style {
        NumberStyle::Dot4 => ([1e3, 1e4, 1e5, 1e6], [-1e2, -1e3, -1e4, -1e5]),
        NumberStyle::Dot3 => (
            [f64::NEG_INFINITY, 1e4, 1e5, 1e6],
            [f64::INFINITY, -1e3, -1e4, -1e5],
        ),
    };
    let decimals = if x >= 0.0 {
        pos.iter().position(|lim| x < *lim)
    } else {
        neg.iter().position(|lim| x > *lim)
    };
    match decimals {
        Some(i) => percent_f(x, 8, 4 - i),
        // %8d truncates; infinities make the reference raise.
        None => match percent_d_float(x) {
            Some(s) => format!("{s:>8}"),
            None => format!("{:>8}", crate::pyfmt::float_repr(x)),
        },
    }
}

/// One numeric cell from a typed value: strings are shown as they are.
fn number_cell(v: &Value, style: NumberStyle) -> String {
    match v {
        Value::Str(s) => format!("{s:>8}"),
        Value::Int(i) => {
            // Both styles switch to %d at the same limits; Python's %d of
            // an int is exact, so do not go through a float there.
            if *i >= 1_000_000 || *i <= -100_000 {
                format!("{i:>8}")
            } else {
                f8(*i as f64, style)
            }
        }
        Value::Float(x) => f8(*x, style),
    }
}

fn est_cell(e: Est, units: bool, style: NumberStyle) -> String {
    if units {
        let raw = match e {
            Est::Missing => ".",
            Est::Var(v) => &v.raw,
        };
        return try_unitify(raw, Unit::Ms, None, Some(8)).unwrap_or_else(|| format!("{raw:>8}"));
    }
    match e {
        Est::Missing => "       .".to_string(),
        Est::Var(v) => number_cell(&v.value, style),
    }
}

/// `%2d` of the stratum (20 when missing; raw text when not a number).
fn stratum_text(f: &Fields) -> String {
    let Some(var) = f.stratum else {
        return "20".to_string();
    };
    let text = match &var.value {
        Value::Int(i) => Some(i.to_string()),
        Value::Float(x) => percent_d_float(*x),
        Value::Str(_) => None,
    };
    format!("{:>2}", text.unwrap_or_else(|| var.raw.clone()))
}

fn reach_text(f: &Fields) -> String {
    match f.reach {
        None => "  0".to_string(),
        Some(var) => match var.value {
            Value::Int(i) => py_radix(i, 8, 3, false),
            _ => format!("{:>3}", var.raw),
        },
    }
}

/// The `when` column: time since the last packet, `-` when unknown.
fn when_text(f: &Fields) -> String {
    match f.since {
        Some(Ok(d)) => interval(d),
        _ => "-".to_string(),
    }
}

/// The last column: the jitter, or the dispersion when there is none.
fn third_estimate<'a>(f: &Fields<'a>) -> Est<'a> {
    match f.jitter {
        Some(j) => Est::Var(j),
        None => f.disp,
    }
}

/// Four decimals once a value had them (NTPsec 1.2.2's `saw6`), else three.
fn number_style(f: &Fields) -> NumberStyle {
    if f.saw6 {
        NumberStyle::Dot4
    } else {
        NumberStyle::Dot3
    }
}

/// Left-truncation for addresses best told apart by their end:
/// `-` followed by the last characters.
pub fn high_truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("-{}", py_slice_from(text, 1 - max as i64))
    }
}

/// One table row, ending in a newline (two lines for a long `-w` name).
/// Laid out, like the reference, on the text as the server sent it; its
/// control characters are then shown as `\xHH`, which changes the bytes
/// of the row but not its columns.
pub fn row(layout: &PeersLayout, r: &PeerRow) -> String {
    let f = gather(layout.kind, r.vars, r.now_unix);
    let tally = tally_char(r.status, r.old_version);
    let name = remote_name(&f, r);
    let n = layout.name_width;
    let mut line = String::new();
    if let (Some(h), Some(label)) = (layout.host_width, r.host_label) {
        line.push_str(&high_truncate(label, h));
        let used = label.chars().count();
        line.push_str(&" ".repeat((h + 1).saturating_sub(used)));
    }
    // Length of the row's own text before the numeric columns start.
    let row_start = line.len();
    // Where the text still to be shown starts (after a `-w` name's line).
    let mut shown_upto = 0;

    if layout.kind != PeersKind::Rpeers {
        line.push(tally);
        if layout.wide && name.chars().count() as i64 > n {
            line.push_str(&visible(&name));
            line.push('\n');
            line.push_str(&" ".repeat((n + 2).max(0) as usize));
            shown_upto = line.len();
        } else {
            line.push_str(&py_left_field(&py_slice_to(&name, n), n, n));
            line.push(' ');
        }
    }

    let mut refid = f.refid_text.clone();
    if !refid.contains('.') && !refid.contains(':') {
        refid = format!(".{refid}.");
    }
    let refid_len = refid.chars().count();
    match layout.kind {
        PeersKind::Apeers => {
            let visible = if refid_len >= REFID_WIDTH - 7 {
                "..."
            } else {
                refid.as_str()
            };
            line.push_str(&high_truncate(visible, REFID_WIDTH));
            let shown = visible.chars().count();
            line.push_str(&" ".repeat((REFID_WIDTH + 1).saturating_sub(shown + 7)));
            line.push_str(&format!("{:<6}", r.associd));
        }
        PeersKind::Peers | PeersKind::Opeers => {
            line.push_str(&high_truncate(&refid, REFID_WIDTH));
            line.push_str(&" ".repeat(REFID_WIDTH.saturating_sub(refid_len)));
        }
        PeersKind::Rpeers => {}
    }

    let (when, third, style) = (when_text(&f), third_estimate(&f), number_style(&f));
    line.push_str(&format!(
        " {} {} {} {}  {} {} {} {}",
        stratum_text(&f),
        type_letter(&f),
        py_right_field(&when, 4, 4),
        py_right_field(&poll_text(&f), 4, 4),
        reach_text(&f),
        est_cell(f.delay, r.units, style),
        est_cell(f.offset, r.units, style),
        est_cell(third, r.units, style),
    ));

    if layout.kind == PeersKind::Rpeers {
        line.push(' ');
        line.push_str(&refid);
        line.push_str(&" ".repeat(REFID_WIDTH.saturating_sub(refid_len)));
        // The reference measures its own row text (host prefix excluded).
        let used = line[row_start..].chars().count() as i64;
        line.push_str(&format!(" {tally} {}", py_slice_to(&name, 76 - used)));
    }
    if let Cow::Owned(tail) = visible(&line[shown_upto..]) {
        line.truncate(shown_upto);
        line.push_str(&tail);
    }
    line.push('\n');
    line
}

pub mod cells;

/// What a peers row shows that is computed rather than sent: the type
/// letter, seconds since the last packet and the poll interval in
/// seconds (`None` where the table shows `-`). For the JSON records.
pub struct RowFacts {
    pub type_letter: char,
    pub when: Option<i128>,
    pub poll: Option<i128>,
}

pub fn row_facts(vars: &[Variable], now_unix: f64) -> RowFacts {
    let f = gather(PeersKind::Peers, vars, now_unix);
    let poll = match (poll_exponent(f.ppoll), poll_exponent(f.hpoll)) {
        (Some(p), Some(h)) if p.min(h) < 64 => Some(1i128 << p.min(h)),
        _ => None,
    };
    RowFacts {
        type_letter: type_letter(&f),
        when: f.since.and_then(Result::ok).filter(|s| *s >= 0),
        poll,
    }
}

#[cfg(test)]
mod tests;
