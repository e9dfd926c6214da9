//! Textual variable lists (`name=value, name=value`), parsed exactly as the
//! reference client does (protocol.md §7.2), and built as ntpd does.

use std::borrow::Cow;

use crate::visible::visible;

/// A value typed the way the reference "casts" it: Python `int(v, 0)`, then
/// `float(v)`, then a string with one pair of surrounding quotes removed.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i128),
    Float(f64),
    Str(String),
}

/// One parsed variable: its name, typed value and the value text as the
/// reference keeps it (as sent, but without the quotes of a quoted string).
#[derive(Clone, Debug, PartialEq)]
pub struct Variable {
    pub name: String,
    pub value: Value,
    pub raw: String,
}

impl Value {
    /// Types `text` like the reference client.
    pub fn cast(text: &str) -> Value {
        if let Some(i) = parse_python_int(text) {
            return Value::Int(i);
        }
        if let Some(f) = parse_python_float(text) {
            return Value::Float(f);
        }
        Value::Str(unquote(text).to_string())
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Str(_) => None,
        }
    }

    pub fn as_i128(&self) -> Option<i128> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}

/// Removes one pair of surrounding quotes as the reference does (Python's
/// `v[1:-1]` when `v[0] == v[-1] == '"'`, so a lone `"` becomes empty).
fn unquote(text: &str) -> &str {
    if text.starts_with('"') && text.ends_with('"') {
        text.get(1..text.len().saturating_sub(1).max(1))
            .unwrap_or("")
    } else {
        text
    }
}

/// Splits off a leading sign.
fn split_sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

/// Digits with single underscores allowed between them (Python literal rules).
/// `leading_underscore` permits one underscore before the first digit, as
/// Python does right after a base prefix (`0x_1f`).
fn strip_underscores(digits: &str, radix: u32, leading_underscore: bool) -> Option<String> {
    let mut out = String::with_capacity(digits.len());
    let mut prev_underscore = false;
    for (i, c) in digits.chars().enumerate() {
        if c == '_' {
            if prev_underscore || (i == 0 && !leading_underscore) {
                return None;
            }
            prev_underscore = true;
            continue;
        }
        if !c.is_digit(radix) {
            return None;
        }
        prev_underscore = false;
        out.push(c);
    }
    if out.is_empty() || prev_underscore {
        return None;
    }
    Some(out)
}

/// A Python integer literal as `int(text, 0)` accepts it, of any size:
/// the sign, the radix and the digits without underscores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntLiteral {
    pub negative: bool,
    pub radix: u32,
    pub digits: String,
}

/// Splits a Python integer literal (`int(text, 0)`); `None` where Python
/// raises.
pub fn python_int_literal(text: &str) -> Option<IntLiteral> {
    let (negative, body) = split_sign(text.trim());
    let lower = body.get(..2).map(|p| p.to_ascii_lowercase());
    let (radix, digits, prefixed) = match lower.as_deref() {
        Some("0x") => (16, &body[2..], true),
        Some("0o") => (8, &body[2..], true),
        Some("0b") => (2, &body[2..], true),
        _ => (10, body, false),
    };
    let digits = strip_underscores(digits, radix, prefixed)?;
    if radix == 10
        && digits.len() > 1
        && digits.starts_with('0')
        && digits.bytes().any(|b| b != b'0')
    {
        return None; // "0123" is not a Python literal; "00" is.
    }
    Some(IntLiteral {
        negative,
        radix,
        digits,
    })
}

/// Python `int(text, 0)`; `None` where Python raises (or on i128 overflow).
pub fn parse_python_int(text: &str) -> Option<i128> {
    let lit = python_int_literal(text)?;
    let v = i128::from_str_radix(&lit.digits, lit.radix).ok()?;
    Some(if lit.negative { -v } else { v })
}

/// Python `int(text)` (base 10: leading zeros allowed, no prefixes);
/// `None` where Python raises (or on i128 overflow).
pub fn parse_python_decimal(text: &str) -> Option<i128> {
    let (negative, body) = split_sign(text.trim());
    let v: i128 = strip_underscores(body, 10, false)?.parse().ok()?;
    Some(if negative { -v } else { v })
}

/// Python `float(text)`; `None` where Python raises.
pub fn parse_python_float(text: &str) -> Option<f64> {
    let t = text.trim();
    let (neg, body) = split_sign(t);
    let lower = body.to_ascii_lowercase();
    let special = match lower.as_str() {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    };
    if let Some(v) = special {
        return Some(if neg { -v } else { v });
    }
    // mantissa [e exponent]
    let (mant, exp) = match lower.find('e') {
        Some(i) => (&lower[..i], Some(&lower[i + 1..])),
        None => (lower.as_str(), None),
    };
    let (whole, frac) = match mant.find('.') {
        Some(i) => (&mant[..i], Some(&mant[i + 1..])),
        None => (mant, None),
    };
    let whole = if whole.is_empty() {
        String::new()
    } else {
        strip_underscores(whole, 10, false)?
    };
    let frac = match frac {
        Some("") | None => String::new(),
        Some(f) => strip_underscores(f, 10, false)?,
    };
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    let mut clean = format!("{}.{}", if whole.is_empty() { "0" } else { &whole }, frac);
    if let Some(e) = exp {
        let (eneg, edigits) = split_sign(e);
        let edigits = strip_underscores(edigits, 10, false)?;
        clean.push('e');
        if eneg {
            clean.push('-');
        }
        clean.push_str(&edigits);
    }
    let v: f64 = clean.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// Parses reply data into variables, keeping the server's order; a later
/// duplicate overwrites the value but keeps the first position. Names and
/// values are shown without control characters (a server's text never
/// acts on the operator's terminal).
pub fn parse_varlist(data: &[u8]) -> Vec<Variable> {
    let mut vars = parse_varlist_as_sent(data);
    for var in &mut vars {
        if let Value::Str(s) = &mut var.value {
            if let Cow::Owned(v) = visible(s) {
                *s = v;
            }
        }
        if let Cow::Owned(v) = visible(&var.name) {
            var.name = v;
        }
        if let Cow::Owned(v) = visible(&var.raw) {
            var.raw = v;
        }
    }
    vars
}

/// [`parse_varlist`] with the text as the server sent it, control
/// characters included: for layout that must match the reference's, which
/// measures that text (readvar's folding), escaping what it prints itself.
pub fn parse_varlist_as_sent(data: &[u8]) -> Vec<Variable> {
    let mut items: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut in_string = false;
    for &b in data {
        match b {
            b'"' => {
                in_string = !in_string;
                current.push('"');
            }
            b',' if !in_string => items.push(std::mem::take(&mut current)),
            1..=126 => current.push(b as char),
            _ => {} // NUL and octets >= 127 are dropped
        }
    }
    if !current.is_empty() {
        items.push(current);
    }
    let mut out: Vec<Variable> = Vec::with_capacity(items.len());
    for item in items {
        let item = item.trim_matches(is_py_space);
        let (name, raw) = match item.find('=') {
            Some(i) => (
                item[..i].trim_matches(is_py_space),
                item[i + 1..].trim_matches(is_py_space),
            ),
            None => (item, ""),
        };
        let value = Value::cast(raw);
        let raw = if matches!(value, Value::Str(_)) {
            unquote(raw)
        } else {
            raw
        };
        let var = Variable {
            name: name.to_string(),
            value,
            raw: raw.to_string(),
        };
        match out.iter_mut().find(|v| v.name == var.name) {
            Some(existing) => {
                existing.value = var.value;
                existing.raw = var.raw;
            }
            None => out.push(var),
        }
    }
    out
}

/// Python's `str.strip()` whitespace for the ASCII range we keep.
fn is_py_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1f'
    )
}

/// Renders `name=value` items as ntpd does: `", "` between items, `",\r\n"`
/// when the current line would reach 72 characters, and a final `"\r\n"`.
pub fn encode_server_text<'a, I>(items: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    let mut out = String::new();
    let mut line_len = 0usize;
    let mut first = true;
    for item in items {
        if !first {
            if line_len + item.len() + 2 >= 72 {
                out.push_str(",\r\n");
                line_len = 0;
            } else {
                out.push_str(", ");
                line_len += 2;
            }
        }
        first = false;
        out.push_str(item);
        line_len += item.len();
    }
    if !first {
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_int_rules() {
        assert_eq!(parse_python_int("0x1f"), Some(31));
        assert_eq!(parse_python_int("0X1F"), Some(31));
        assert_eq!(parse_python_int("-23"), Some(-23));
        assert_eq!(parse_python_int("+7"), Some(7));
        assert_eq!(parse_python_int("00"), Some(0));
        assert_eq!(parse_python_int("0_0"), Some(0));
        assert_eq!(parse_python_int("1_000"), Some(1000));
        assert_eq!(parse_python_int("0x_1f"), Some(31));
        assert_eq!(parse_python_int("0b101"), Some(5));
        assert_eq!(parse_python_int("0o17"), Some(15));
        assert_eq!(parse_python_int("0123"), None);
        assert_eq!(parse_python_int("1__0"), None);
        assert_eq!(parse_python_int("_1"), None);
        assert_eq!(parse_python_int("1_"), None);
        assert_eq!(parse_python_int("0x"), None);
        assert_eq!(parse_python_int(""), None);
        assert_eq!(parse_python_int("1.0"), None);
        assert_eq!(parse_python_int("0xe9c0a1b2.12345678"), None);
    }

    #[test]
    fn python_decimal_rules() {
        // int(text): like int(text, 0) in base 10, but leading zeros are fine.
        assert_eq!(parse_python_decimal(" 0123 "), Some(123));
        assert_eq!(parse_python_decimal("-1_000"), Some(-1000));
        assert_eq!(parse_python_decimal("+00"), Some(0));
        assert_eq!(parse_python_decimal("0x10"), None);
        assert_eq!(parse_python_decimal("1__0"), None);
        assert_eq!(parse_python_decimal("_1"), None);
        assert_eq!(parse_python_decimal("- 1"), None);
        assert_eq!(parse_python_decimal(""), None);
        assert_eq!(parse_python_decimal("1.5"), None);
    }

    #[test]
    fn python_float_rules() {
        assert_eq!(parse_python_float("1.080"), Some(1.08));
        assert_eq!(parse_python_float("1e-06"), Some(1e-6));
        assert_eq!(parse_python_float(".5"), Some(0.5));
        assert_eq!(parse_python_float("5."), Some(5.0));
        assert_eq!(parse_python_float("0123"), Some(123.0));
        assert_eq!(parse_python_float("-0.000"), Some(-0.0));
        assert!(parse_python_float("-0.000").unwrap().is_sign_negative());
        assert_eq!(parse_python_float("Infinity"), Some(f64::INFINITY));
        assert_eq!(parse_python_float("-inf"), Some(f64::NEG_INFINITY));
        assert!(parse_python_float("nan").unwrap().is_nan());
        assert_eq!(parse_python_float("1_0.5"), Some(10.5));
        assert_eq!(parse_python_float("."), None);
        assert_eq!(parse_python_float("e5"), None);
        assert_eq!(parse_python_float("1e"), None);
        assert_eq!(parse_python_float("0x10"), None);
        assert_eq!(parse_python_float("2017-01-01T00:00Z"), None);
    }

    #[test]
    fn cast_order_and_quotes() {
        assert_eq!(Value::cast("0x1f"), Value::Int(31));
        assert_eq!(Value::cast("1.5"), Value::Float(1.5));
        assert_eq!(Value::cast("\"x86_64\""), Value::Str("x86_64".into()));
        assert_eq!(Value::cast("\""), Value::Str(String::new()));
        assert_eq!(Value::cast("\"\""), Value::Str(String::new()));
        assert_eq!(Value::cast(""), Value::Str(String::new()));
        assert_eq!(
            Value::cast("0xe9c0a1b2.12345678"),
            Value::Str("0xe9c0a1b2.12345678".into())
        );
    }

    #[test]
    fn parses_folded_server_text() {
        let text = b"leap=11, stratum=16, precision=-23,\r\nrefid=INIT, processor=\"x86, 64\"\r\n";
        let vars = parse_varlist(text);
        let names: Vec<_> = vars.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(
            names,
            ["leap", "stratum", "precision", "refid", "processor"]
        );
        assert_eq!(vars[0].value, Value::Int(11));
        assert_eq!(vars[0].raw, "11");
        assert_eq!(vars[4].value, Value::Str("x86, 64".into()));
        assert_eq!(vars[4].raw, "x86, 64");
    }

    #[test]
    fn drops_nul_and_high_octets_shows_controls() {
        let vars = parse_varlist(b"a=1\x00\xff2, b=x\x04y, refid=\"GPS\x1b[2J\", \x1bn=1");
        assert_eq!(vars[0].raw, "12");
        assert_eq!(vars[1].raw, "x\\x04y");
        assert_eq!(vars[2].raw, "GPS\\x1b[2J");
        assert_eq!(vars[2].value, Value::Str("GPS\\x1b[2J".into()));
        assert_eq!(vars[3].name, "\\x1bn");
        assert_eq!(vars[3].value, Value::Int(1));
    }

    #[test]
    fn empty_items_and_duplicates() {
        let vars = parse_varlist(b"a=1,,b=2, a=3,");
        let names: Vec<_> = vars.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["a", "", "b"]);
        assert_eq!(vars[0].value, Value::Int(3));
        let vars = parse_varlist(b"novalue");
        assert_eq!(vars[0].raw, "");
        assert!(parse_varlist(b"").is_empty());
    }

    #[test]
    fn server_text_folds_like_ntpd() {
        let items: Vec<String> = (0..20).map(|i| format!("variable{i}=value")).collect();
        let text = encode_server_text(items.iter().map(String::as_str));
        assert!(text.ends_with("\r\n"));
        for line in text.split("\r\n") {
            assert!(line.len() < 72, "{line:?}");
        }
        let back = parse_varlist(text.as_bytes());
        assert_eq!(back.len(), 20);
        assert_eq!(back[19].name, "variable19");
    }
}
