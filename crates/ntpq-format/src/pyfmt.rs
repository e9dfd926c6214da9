//! Number and string rendering that matches what the Python reference
//! prints (commands.md §4.3). Rust's own `{}`/`{:?}` differ in notation, so
//! the digits come from Rust (shortest round-trip, or exact fixed-point with
//! half-even ties, both like CPython) and the layout is done here.
//!
//! Also Python's `str()` and truthiness of a value typed by
//! [`Value::cast`] (whose parsing, Python's `int()`/`float()` rules, lives
//! next to it in [`ntp_control::varlist`]).

use ntp_control::varlist::python_int_literal;
use ntp_control::{Value, Variable};

/// Python `str()` of a typed value.
pub fn py_str(var: &Variable) -> String {
    match &var.value {
        Value::Int(i) => i.to_string(),
        // Integers beyond i128 arrive as floats; Python keeps them exact.
        Value::Float(f) => big_int_decimal(&var.raw).unwrap_or_else(|| float_repr(*f)),
        Value::Str(s) => s.clone(),
    }
}

/// Python truthiness of a typed value.
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !s.is_empty(),
    }
}

/// Python `repr(float)`: shortest round-trip digits; fixed notation when the
/// decimal exponent is in -4..16 (always with a fractional digit), otherwise
/// scientific with a signed exponent of at least two digits.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x == 0.0 {
        return format!("{sign}0.0");
    }
    let (digits, exp) = shortest_digits(x.abs());
    let body = if (-4..16).contains(&exp) {
        fixed_layout(&digits, exp)
    } else {
        let mut mant = digits[..1].to_string();
        if digits.len() > 1 {
            mant.push('.');
            mant.push_str(&digits[1..]);
        }
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{mant}e{esign}{:02}", exp.abs())
    };
    format!("{sign}{body}")
}

/// The shortest round-trip significant digits of a positive finite `x` and
/// its decimal exponent (x = d.ddd × 10^exp).
fn shortest_digits(x: f64) -> (String, i32) {
    // `{:e}` yields e.g. "1.6e-5": shortest digits, scientific.
    let s = format!("{x:e}");
    let (mant, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    (digits, exp.parse().unwrap_or(0))
}

/// Places significant `digits` with exponent `exp` in fixed notation.
fn fixed_layout(digits: &str, exp: i32) -> String {
    if exp < 0 {
        let zeros = "0".repeat((-exp - 1) as usize);
        return format!("0.{zeros}{digits}");
    }
    let int_len = exp as usize + 1;
    if digits.len() <= int_len {
        let pad = "0".repeat(int_len - digits.len());
        format!("{digits}{pad}.0")
    } else {
        format!("{}.{}", &digits[..int_len], &digits[int_len..])
    }
}

/// Python `'%*.*f' % (width, prec, x)`: exact binary value rounded half to
/// even, right-aligned in `width`; `inf`, `-inf` and `nan` spelled as Python
/// does.
pub fn percent_f(x: f64, width: usize, prec: usize) -> String {
    let body = if x.is_nan() {
        "nan".to_string()
    } else if x.is_infinite() {
        if x < 0.0 { "-inf" } else { "inf" }.to_string()
    } else {
        format!("{x:.prec$}")
    };
    format!("{body:>width$}")
}

/// Python `'%d' % x` for a float: truncation toward zero, all digits.
/// `None` where Python raises (infinity, NaN).
pub fn percent_d_float(x: f64) -> Option<String> {
    if !x.is_finite() {
        return None;
    }
    let t = x.trunc();
    if t == 0.0 {
        return Some("0".to_string()); // int(-0.5) is 0, never "-0"
    }
    Some(format!("{t:.0}"))
}

/// Python `round(x, n)` for a float and n >= 0: correctly rounded to n
/// decimals (half to even on exact ties), returned as a float.
pub fn py_round(x: f64, n: usize) -> f64 {
    // CPython returns x itself when n exceeds the precision a double can hold.
    if !x.is_finite() || n > 323 {
        return x;
    }
    format!("{x:.n$}").parse().unwrap_or(x)
}

/// Python `repr(str)`: single quotes unless the text contains `'` but no
/// `"`; backslash, the chosen quote and non-printables escaped.
pub fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !is_printable(c) => {
                let v = c as u32;
                if v <= 0xff {
                    out.push_str(&format!("\\x{v:02x}"));
                } else if v <= 0xffff {
                    out.push_str(&format!("\\u{v:04x}"));
                } else {
                    out.push_str(&format!("\\U{v:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable()` for one character. Exact for Latin-1 (all
/// our wire text is ASCII); beyond that only the common non-printable
/// categories are recognised.
fn is_printable(c: char) -> bool {
    match c as u32 {
        0x20..=0x7e => true,
        0..=0x1f | 0x7f..=0xa0 | 0xad => false,
        0x2028 | 0x2029 | 0xfeff | 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x2064 => false,
        0xe000..=0xf8ff => false, // private use
        _ => !c.is_control() && !c.is_whitespace(),
    }
}

/// Python slicing `s[:stop]` (negative stops count from the end), by chars.
pub(crate) fn py_slice_to(s: &str, stop: i64) -> String {
    let len = s.chars().count() as i64;
    let end = if stop < 0 {
        (len + stop).max(0)
    } else {
        stop.min(len)
    };
    s.chars().take(end as usize).collect()
}

/// Python slicing `s[start:]` (negative starts count from the end), by chars.
pub(crate) fn py_slice_from(s: &str, start: i64) -> String {
    let len = s.chars().count() as i64;
    let begin = if start < 0 {
        (len + start).max(0)
    } else {
        start.min(len)
    };
    s.chars().skip(begin as usize).collect()
}

/// Python `"%-*.*s" % (width, prec, s)` with possibly non-positive values:
/// a negative precision shows nothing, a negative width left-justifies.
/// Padded by hand: `-W -100000` asks for a field wider than `format!`
/// allows (65535), and Python pads it all the same.
pub(crate) fn py_left_field(s: &str, width: i64, prec: i64) -> String {
    let mut shown: String = s.chars().take(prec.max(0) as usize).collect();
    let w = usize::try_from(width.unsigned_abs()).unwrap_or(usize::MAX);
    let pad = w.saturating_sub(shown.chars().count());
    shown.push_str(&" ".repeat(pad));
    shown
}

/// Python `"%*.*s" % (width, prec, s)` (right-aligned, cut to `prec`).
pub(crate) fn py_right_field(s: &str, width: usize, prec: usize) -> String {
    let shown: String = s.chars().take(prec).collect();
    let pad = width.saturating_sub(shown.chars().count());
    let mut out = " ".repeat(pad);
    out.push_str(&shown);
    out
}

/// Python `"%o" % i` / `"%x" % i` of an integer with zero padding to `width`
/// (`%03o`): the sign comes first and counts toward the width.
pub(crate) fn py_radix(i: i128, radix: u32, width: usize, zero_pad: bool) -> String {
    let mag = i.unsigned_abs();
    let digits = match radix {
        8 => format!("{mag:o}"),
        16 => format!("{mag:x}"),
        _ => format!("{mag}"),
    };
    let sign = if i < 0 { "-" } else { "" };
    if zero_pad {
        let w = width.saturating_sub(sign.len());
        format!("{sign}{digits:0>w$}")
    } else {
        format!("{:>width$}", format!("{sign}{digits}"))
    }
}

/// Decimal digits of a Python integer literal (`int(text, 0)`) of any
/// size; `None` when Python would not accept it as an integer.
pub fn big_int_decimal(text: &str) -> Option<String> {
    let lit = python_int_literal(text)?;
    let radix = lit.radix;
    let neg = lit.negative;
    let values = lit.digits.chars().filter_map(|c| c.to_digit(radix));
    // Little-endian limbs of 10^9, multiplied up digit by digit.
    let mut limbs: Vec<u64> = vec![0];
    for d in values {
        let mut carry = u64::from(d);
        for limb in limbs.iter_mut() {
            let v = *limb * u64::from(radix) + carry;
            *limb = v % 1_000_000_000;
            carry = v / 1_000_000_000;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    let mut out = String::new();
    if neg && limbs.iter().any(|l| *l != 0) {
        out.push('-');
    }
    let mut iter = limbs.iter().rev();
    out.push_str(&iter.next().copied().unwrap_or(0).to_string());
    for limb in iter {
        out.push_str(&format!("{limb:09}"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        // (value, Python repr(value)) generated with python3.
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.08, "1.08"),
            (15937.5, "15937.5"),
            (0.000119, "0.000119"),
            (123.0, "123.0"),
            (1e-06, "1e-06"),
            (1.6e-05, "1.6e-05"),
            (1.2e-05, "1.2e-05"),
            (0.0001, "0.0001"),
            (0.00012345, "0.00012345"),
            (1e16, "1e+16"),
            (9999999999999998.0, "9999999999999998.0"),
            (1.5e16, "1.5e+16"),
            (123456789012345.6, "123456789012345.6"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-12.345, "-12.345"),
            (1e300, "1e+300"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (-1e-100, "-1e-100"),
            (100.0, "100.0"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (-f64::NAN, "nan"),
            (2.0, "2.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (0.5, "0.5"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(*x), *want, "repr({x:e})");
        }
    }

    #[test]
    fn percent_f_matches_python() {
        // ("%*.*f" % (w, p, x)) from python3, including exact binary ties.
        let cases: &[(f64, usize, usize, &str)] = &[
            (0.125, 0, 2, "0.12"),
            (0.375, 0, 2, "0.38"),
            (2.5, 0, 0, "2"),
            (0.5, 0, 0, "0"),
            (1.5, 0, 0, "2"),
            (-0.125, 0, 2, "-0.12"),
            (2.675, 0, 2, "2.67"),
            (0.0005, 0, 3, "0.001"),
            (-0.0, 8, 4, " -0.0000"),
            (-0.0, 8, 3, "  -0.000"),
            (12.345678, 8, 4, " 12.3457"),
            (-0.1234567, 8, 4, " -0.1235"),
            (123456.789, 8, 1, "123456.8"),
            (1234567.0, 8, 4, "1234567.0000"),
            (f64::NAN, 8, 3, "     nan"),
            (f64::INFINITY, 8, 3, "     inf"),
            (f64::NEG_INFINITY, 8, 3, "    -inf"),
            (1e22, 0, 1, "10000000000000000000000.0"),
            (0.00005, 8, 4, "  0.0001"),
            (0.00015, 8, 4, "  0.0001"),
            (0.00025, 8, 4, "  0.0003"),
        ];
        for (x, w, p, want) in cases {
            assert_eq!(percent_f(*x, *w, *p), *want, "%{w}.{p}f of {x}");
        }
    }

    #[test]
    fn percent_d_truncates() {
        assert_eq!(percent_d_float(-123456.7).as_deref(), Some("-123456"));
        assert_eq!(percent_d_float(1234567.9).as_deref(), Some("1234567"));
        assert_eq!(percent_d_float(-0.5).as_deref(), Some("0"));
        assert_eq!(percent_d_float(-0.0).as_deref(), Some("0"));
        assert_eq!(
            percent_d_float(1e20).as_deref(),
            Some("100000000000000000000")
        );
        assert_eq!(percent_d_float(f64::INFINITY), None);
        assert_eq!(percent_d_float(f64::NAN), None);
    }

    #[test]
    fn py_round_matches_python() {
        // (x, n, repr(round(x, n))) from python3.
        let cases: &[(f64, usize, &str)] = &[
            (2.675, 2, "2.67"),
            (0.125, 2, "0.12"),
            (0.375, 2, "0.38"),
            (2.5, 0, "2.0"),
            (3.5, 0, "4.0"),
            (1.2345, 3, "1.234"),
            (123.456789, 4, "123.4568"),
            (-0.0001, 2, "-0.0"),
            (1e-06, 3, "0.0"),
            (0.00012345, 6, "0.000123"),
            (15.9375, 3, "15.938"),
            (1.0000001, 5, "1.0"),
        ];
        for (x, n, want) in cases {
            assert_eq!(float_repr(py_round(*x, *n)), *want, "round({x}, {n})");
        }
        assert!(py_round(f64::NAN, 2).is_nan());
        assert_eq!(py_round(f64::INFINITY, 2), f64::INFINITY);
    }

    #[test]
    fn str_repr_matches_python() {
        // (s, repr(s)) from python3.
        let cases: &[(&str, &str)] = &[
            ("x86_64", "'x86_64'"),
            ("", "''"),
            ("it's", "\"it's\""),
            ("a'b\"c", "'a\\'b\"c'"),
            ("say \"hi\"", "'say \"hi\"'"),
            ("back\\slash", "'back\\\\slash'"),
            ("t\tn\nr\r", "'t\\tn\\nr\\r'"),
            ("x\x04y\x7f", "'x\\x04y\\x7f'"),
            ("\x1b[0m", "'\\x1b[0m'"),
            ("caf\u{e9}", "'caf\u{e9}'"),
            ("nb\u{a0}sp", "'nb\\xa0sp'"),
        ];
        for (s, want) in cases {
            assert_eq!(py_str_repr(s), *want, "repr({s:?})");
        }
    }

    #[test]
    fn str_and_truth_of_typed_values() {
        let var = |raw: &str| Variable {
            name: "x".into(),
            value: Value::cast(raw),
            raw: raw.into(),
        };
        assert_eq!(py_str(&var("0x1f")), "31");
        assert_eq!(py_str(&var("1.50")), "1.5");
        assert_eq!(py_str(&var("\"a b\"")), "a b");
        // Beyond i128 the value is a float, but Python's str() prints the
        // exact integer (the copy once in the binary printed 3.402823669209385e+38).
        let big = var("340_282_366_920_938_463_463_374_607_431_768_211_456");
        assert!(matches!(big.value, Value::Float(_)));
        assert_eq!(py_str(&big), "340282366920938463463374607431768211456");
        assert!(!truthy(&Value::cast("0")));
        assert!(!truthy(&Value::cast("0.0")));
        assert!(!truthy(&Value::cast("\"\"")));
        assert!(truthy(&Value::cast("nan")));
        assert!(truthy(&Value::cast("x")));
    }

    #[test]
    fn big_integers_like_python() {
        // str(int(text, 0)) from python3.
        let cases: &[(&str, Option<&str>)] = &[
            (
                "1234567890123456789012345678901234567890",
                Some("1234567890123456789012345678901234567890"),
            ),
            (
                "0xffffffffffffffffffffffffffffffffffff",
                Some("22300745198530623141535718272648361505980415"),
            ),
            ("-0b1_0000", Some("-16")),
            ("0o_777", Some("511")),
            ("-0", Some("0")),
            ("00", Some("0")),
            ("0123", None),
            ("1__2", None),
            ("1.5", None),
            ("0x", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(big_int_decimal(text).as_deref(), *want, "{text}");
        }
    }

    #[test]
    fn python_slicing_and_fields() {
        assert_eq!(py_slice_to("SHM(0)", -5), "S");
        assert_eq!(py_slice_to("SHM(0)", -10), "");
        assert_eq!(py_slice_to("SHM(0)", 3), "SHM");
        assert_eq!(py_slice_from("abcdef", -2), "ef");
        assert_eq!(py_slice_from("abcdef", 0), "abcdef");
        // "%-*.*s " % (-5, -5, "S") == '      ' and "%-*.*s " % (3, 4, "server") == 'serv '
        assert_eq!(py_left_field("S", -5, -5), "     ");
        assert_eq!(py_left_field("server", 3, 4), "serv");
        assert_eq!(py_right_field("12345", 4, 4), "1234");
        assert_eq!(py_right_field("-", 4, 4), "   -");
        // "%3o" % -8 == '-10', "%03o" % -1 == '-01', "%02x" % -1 == '-1'
        assert_eq!(py_radix(-8, 8, 3, false), "-10");
        assert_eq!(py_radix(-1, 8, 3, true), "-01");
        assert_eq!(py_radix(-1, 16, 2, true), "-1");
        assert_eq!(py_radix(255, 8, 3, true), "377");
        assert_eq!(py_radix(0, 8, 3, true), "000");
        assert_eq!(py_radix(0x1200, 16, 2, true), "1200");
    }
}
