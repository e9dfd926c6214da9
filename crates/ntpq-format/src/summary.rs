//! The summary commands' tables (sysinfo, sysstats, kerninfo, pstats, …):
//! row kinds and the line formats of NTPsec ntpq 1.2.2 (commands.md §9).
//!
//! A table is a list of [`Row`]s; the caller looks each name up in the
//! parsed reply and this module renders the lines. Values the reference
//! would crash on are printed as text instead (noted per kind).

use ntp_control::varlist::{Value, Variable};

use crate::cooked::generic_repr;
use crate::pyfmt::{float_repr, py_str, truthy};
use crate::{timestamp, units};

/// How a row's value is displayed (the reference's `NTP_*` type codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Omitted when the value is empty or zero (Python falsiness).
    Str,
    Uint,
    Int,
    Float,
    /// Address, reverse-resolved when hostnames are on.
    Add,
    /// Address:port, likewise.
    Adp,
    /// NTP timestamp (`prettydate`).
    Lfp,
    /// Association mode name.
    Mode,
    /// Leap bits `00`..`11`.
    TwoBit,
    /// Seconds as `[<d>D ]HH:MM:SS`; sets the period of later PACKETS rows.
    Uptime,
    /// A count with a rate against the last UPTIME row.
    Packets,
}

/// One table line: the variable, its legend (with the reference's padding)
/// and how to show it.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    pub name: &'static str,
    pub legend: &'static str,
    pub kind: Kind,
}

/// Shorthand for table definitions.
pub const fn row(name: &'static str, legend: &'static str, kind: Kind) -> Row {
    Row { name, legend, kind }
}

/// The value stored for a name the server does not know, during the
/// one-at-a-time fallback. Single-column tables store the string `"???"`
/// where a `(value, raw)` pair is expected, so both read as `"?"`; the
/// second sysstats table stores `"???"` properly.
pub fn placeholder(name: &str, dual: bool) -> Variable {
    let text = if dual { "???" } else { "?" };
    Variable {
        name: name.to_string(),
        value: Value::Str(text.to_string()),
        raw: text.to_string(),
    }
}

/// Display options of single-column tables.
pub struct Display<'a> {
    /// `units` on: unit-bearing names scaled, the others shown as sent.
    pub units: bool,
    /// Address rows: reverse resolution (hostnames on), `None` for numbers.
    pub resolve: Option<&'a mut dyn FnMut(&str) -> String>,
    /// Debug on: the reference announces each DNS lookup on stdout.
    pub debug: bool,
}

/// The reference's `periodize`: whole seconds (Python `round`, halves to
/// even) and their `[<d>D ]HH:MM:SS` text; `(None, "???")` for anything
/// that is not a number (and for inf/NaN, where the reference crashes).
pub fn periodize(value: &Value) -> (Option<i128>, String) {
    let seconds = match value {
        Value::Int(i) => Some(*i),
        // Beyond ±1e38 an i128 overflows; such uptimes are not real.
        Value::Float(f) if f.is_finite() && f.abs() < 1e38 => Some(f.round_ties_even() as i128),
        _ => None,
    };
    let Some(n) = seconds else {
        return (None, "???".to_string());
    };
    let mut text = String::new();
    if n >= 86_400 {
        text.push_str(&format!("{}D ", n / 86_400));
    }
    text.push_str(&format!(
        "{:02}:{:02}:{:02}",
        n.rem_euclid(86_400) / 3600,
        n.rem_euclid(3600) / 60,
        n.rem_euclid(60)
    ));
    (Some(n), text)
}

/// The reference's `packetize`: the count, and a rate against `period`
/// seconds (`p/s` when there are more packets than seconds, else `s/p`),
/// rounded to a whole number but shown as a float. Non-integer counts
/// show `???`; no rate for 0 packets or an unknown period.
pub fn packetize(value: &Value, period: Option<i128>) -> (String, String, &'static str) {
    let Value::Int(p) = *value else {
        return ("???".to_string(), String::new(), "");
    };
    let count = p.to_string();
    let Some(s) = period.filter(|_| p != 0) else {
        return (count, String::new(), "");
    };
    if p > s {
        if s == 0 {
            // The reference divides by zero here and crashes.
            return (count, String::new(), "");
        }
        let rate = (p as f64 / s as f64).round_ties_even();
        (count, float_repr(rate), "p/s")
    } else {
        let rate = (s as f64 / p as f64).round_ties_even();
        (count, float_repr(rate), "s/p")
    }
}

const LEAP: [&str; 4] = ["00", "01", "10", "11"];
const MODES: [&str; 9] = [
    "unspec",
    "sym_active",
    "sym_passive",
    "client",
    "server",
    "broadcast",
    "control",
    "private",
    "bclient",
];

/// Python sequence indexing: negative indices count from the end.
fn py_index<T: Copy>(items: &[T], i: i128) -> Option<T> {
    let len = items.len() as i128;
    let i = if i < 0 { i + len } else { i };
    usize::try_from(i).ok().and_then(|i| items.get(i).copied())
}

/// `"%13s %13s\n"`: legend and value right-aligned in 13 columns each.
fn line13(legend: &str, value: &str) -> String {
    format!("{legend:>13} {value:>13}\n")
}

/// Renders a single-column table (`collect_display`). `lookup` finds a
/// variable of the reply (or its fallback placeholder); absent names are
/// skipped. The PACKETS rate uses the last UPTIME row, 1 s before any.
pub fn single_table<'v>(
    rows: &[Row],
    lookup: impl Fn(&str) -> Option<&'v Variable>,
    display: &mut Display<'_>,
) -> String {
    let mut out = String::new();
    let mut period = Some(1);
    for row in rows {
        let Some(var) = lookup(row.name) else {
            continue;
        };
        let legend = row.legend;
        match row.kind {
            Kind::Add | Kind::Adp => {
                let value = match display.resolve.as_mut() {
                    Some(resolve) => {
                        if display.debug {
                            out.push_str("DNS lookup begins...");
                        }
                        let name = resolve(&py_str(var));
                        if display.debug {
                            out.push_str("DNS lookup complete.");
                        }
                        name
                    }
                    None => py_str(var),
                };
                out.push_str(&line13(legend, &value));
            }
            Kind::Str => {
                if truthy(&var.value) {
                    out.push_str(&line13(legend, &py_str(var)));
                }
            }
            Kind::Uint | Kind::Int | Kind::Float => {
                out.push_str(&line13(legend, &number_text(row, var, display)));
            }
            Kind::Lfp => {
                // A malformed timestamp crashes the reference: show the text.
                let value = timestamp::prettydate(&var.raw).unwrap_or_else(|| py_str(var));
                out.push_str(&line13(legend, &value));
            }
            Kind::TwoBit => {
                let value = match var.value {
                    Value::Int(i) => py_index(&LEAP, i).map(str::to_string),
                    _ => None,
                };
                out.push_str(&line13(legend, &value.unwrap_or_else(|| py_str(var))));
            }
            Kind::Mode => {
                let text = match var.value {
                    Value::Int(i) => py_index(&MODES, i)
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("mode#{i}")),
                    // 1.2.2 crashes on a non-integer mode; this is HEAD's text.
                    _ => format!("mode: {}", generic_repr(&var.value, &var.raw)),
                };
                out.push_str(&format!("{legend}  {text}\n"));
            }
            Kind::Uptime => {
                let (seconds, text) = periodize(&var.value);
                period = seconds;
                out.push_str(&format!("{legend:<13} {text:>13}\n"));
            }
            Kind::Packets => {
                let (count, rate, unit) = packetize(&var.value, period);
                out.push_str(&format!("{legend:<13} {count:>13} {rate:>10}{unit:<3}\n"));
            }
        }
    }
    out
}

/// Renders the second sysstats table (`collect_display2`): each row shows
/// `name` and `name_r` side by side; each column's rate uses its own
/// UPTIME row and there is no default period. Units never apply here (the
/// reference checks the raw *text* for being a number).
pub fn dual_table<'v>(rows: &[Row], lookup: impl Fn(&str) -> Option<&'v Variable>) -> String {
    let mut out = String::new();
    let (mut period, mut period_r) = (None, None);
    let missing = placeholder("", true);
    for row in rows {
        let Some(var) = lookup(row.name) else {
            continue;
        };
        // The reference crashes when only the `_r` twin is absent.
        let var_r = lookup(&format!("{}_r", row.name)).unwrap_or(&missing);
        let legend = row.legend;
        match row.kind {
            Kind::Uptime => {
                let (s, text) = periodize(&var.value);
                let (s_r, text_r) = periodize(&var_r.value);
                (period, period_r) = (s, s_r);
                out.push_str(&format!("{legend:<13} {text:>13} {text_r:>13}\n"));
            }
            Kind::Packets => {
                let (n, rate, unit) = packetize(&var.value, period);
                let (n_r, rate_r, unit_r) = packetize(&var_r.value, period_r);
                out.push_str(&format!(
                    "{legend:<13} {n:>13} {n_r:>13} {rate:>10}{unit:<3} {rate_r:>10}{unit_r:<3}\n"
                ));
            }
            Kind::Uint | Kind::Int | Kind::Float => {
                let (a, b) = (py_str(var), py_str(var_r));
                out.push_str(&format!("{legend:<13} {a:>13} {b:>13}\n"));
            }
            // Not used by the table; the reference only warns about them.
            _ => {}
        }
    }
    out
}

pub mod cells;

/// A number row's value: with `units`, scaled and suffixed where the
/// variable has a unit; else Python's `str()` of it.
fn number_text(row: &Row, var: &Variable, display: &Display) -> String {
    if display.units {
        match units::unit_for_variable(row.name) {
            Some(unit) => units::unitify(&var.raw, unit, None, Some(8)),
            None => var.raw.clone(),
        }
    } else {
        py_str(var)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str, raw: &str) -> Variable {
        ntp_control::varlist::parse_varlist(format!("{name}={raw}").as_bytes())
            .pop()
            .expect("one variable")
    }

    #[test]
    fn periodize_like_python() {
        let p = |raw: &str| periodize(&var("x", raw).value);
        assert_eq!(p("73"), (Some(73), "00:01:13".into()));
        assert_eq!(p("86412"), (Some(86412), "1D 00:00:12".into()));
        assert_eq!(p("100.5"), (Some(100), "00:01:40".into()));
        assert_eq!(p("101.5"), (Some(102), "00:01:42".into()));
        assert_eq!(p("-2"), (Some(-2), "23:59:58".into()));
        assert_eq!(p("0x10"), (Some(16), "00:00:16".into()));
        assert_eq!(p("abc"), (None, "???".into()));
        assert_eq!(p("inf"), (None, "???".into()));
    }

    #[test]
    fn packetize_like_python() {
        let p = |raw: &str, s| packetize(&var("x", raw).value, s);
        assert_eq!(p("129", Some(73)), ("129".into(), "2.0".into(), "p/s"));
        assert_eq!(p("52", Some(73)), ("52".into(), "1.0".into(), "s/p"));
        assert_eq!(p("12", Some(73)), ("12".into(), "6.0".into(), "s/p"));
        assert_eq!(p("0", Some(73)), ("0".into(), "".into(), ""));
        assert_eq!(p("5", None), ("5".into(), "".into(), ""));
        assert_eq!(p("12.5", Some(1)), ("???".into(), "".into(), ""));
        assert_eq!(p("5", Some(0)), ("5".into(), "".into(), ""));
        assert_eq!(p("-5", Some(0)), ("-5".into(), "-0.0".into(), "s/p"));
        assert_eq!(p("0x10", Some(1)), ("16".into(), "16.0".into(), "p/s"));
    }

    fn render(rows: &[Row], vars: &[Variable], units: bool) -> String {
        let mut d = Display {
            units,
            resolve: None,
            debug: false,
        };
        single_table(rows, |n| vars.iter().find(|v| v.name == n), &mut d)
    }

    #[test]
    fn single_table_kinds() {
        let rows = [
            row("peermode", "system peer mode: ", Kind::Mode),
            row("leap", "leap indicator:   ", Kind::TwoBit),
            row("kstflags", "kernel status:    ", Kind::Str),
            row("rootdelay", "root delay:       ", Kind::Float),
            row("mru_enabled", "enabled:          ", Kind::Int),
            row("authkexpired", "expired keys:     ", Kind::Int),
            row("reftime", "reference time:   ", Kind::Lfp),
        ];
        let vars = vec![
            var("peermode", "-1"),
            var("leap", "3"),
            var("kstflags", "0"),
            var("rootdelay", "0.000"),
            var("mru_enabled", "0x3"),
            placeholder("authkexpired", false),
            var("reftime", "0x00000000.00000000"),
        ];
        assert_eq!(
            render(&rows, &vars, false),
            "system peer mode:   bclient\n\
             leap indicator:               11\n\
             root delay:                  0.0\n\
             enabled:                       3\n\
             expired keys:                  ?\n\
             reference time:    00000000.00000000 2036-02-07T06:28:16.000Z\n"
        );
        let with_units = render(&rows, &vars, true);
        assert!(with_units.contains("root delay:                  0us\n"));
        assert!(with_units.contains("enabled:                     0x3\n"));
    }

    #[test]
    fn odd_modes_and_leaps_do_not_panic() {
        let rows = [
            row("m", "mode:", Kind::Mode),
            row("l", "leap:", Kind::TwoBit),
        ];
        for (m, l) in [("12", "7"), ("x", "1.5"), ("-10", "-5")] {
            let out = render(&rows, &[var("m", m), var("l", l)], false);
            assert_eq!(out.lines().count(), 2, "{out}");
        }
        let out = render(&rows, &[var("m", "12"), var("l", "-1")], false);
        assert_eq!(out, "mode:  mode#12\n        leap:            11\n");
    }

    #[test]
    fn packets_use_the_last_uptime() {
        let rows = [
            row("n0", "before:              ", Kind::Packets),
            row("up", "since reset:         ", Kind::Uptime),
            row("n1", "after:               ", Kind::Packets),
        ];
        let vars = [var("n0", "3"), var("up", "10"), var("n1", "40")];
        assert_eq!(
            render(&rows, &vars, false),
            "before:                           3        3.0p/s\n\
             since reset:               00:00:10\n\
             after:                           40        4.0p/s\n"
        );
        let vars = [var("n0", "3"), placeholder("up", false), var("n1", "40")];
        assert_eq!(
            render(&rows, &vars, false).lines().nth(2),
            Some("after:                           40              ")
        );
    }

    #[test]
    fn dual_table_columns() {
        let rows = [
            row("ss_reset", "sysstats reset:       ", Kind::Uptime),
            row("ss_received", "packets received:     ", Kind::Packets),
        ];
        let vars = [
            var("ss_reset", "73"),
            var("ss_received", "129"),
            placeholder("ss_reset_r", true),
            var("ss_received_r", "129"),
        ];
        let out = dual_table(&rows, |n| vars.iter().find(|v| v.name == n));
        assert_eq!(
            out,
            "sysstats reset:             00:01:13           ???\n\
             packets received:                129           129        2.0p/s              \n"
        );
    }
}
