//! Python's `int(text)` for typed numbers (settings commands, `-a`, `-D`,
//! `-W`, the `Keyid:` prompt, association indexes).

/// Python `int(text)`: base 10, surrounding blanks, sign, underscores,
/// leading zeros allowed.
pub fn py_int(text: &str) -> Option<i64> {
    ntp_control::varlist::parse_python_decimal(text).and_then(|v| i64::try_from(v).ok())
}

#[cfg(test)]
mod tests {
    use super::py_int;

    #[test]
    fn python_int_base_10() {
        assert_eq!(py_int(" 007 "), Some(7));
        assert_eq!(py_int("-5"), Some(-5));
        assert_eq!(py_int("1_000"), Some(1000));
        assert_eq!(py_int("0x10"), None);
        assert_eq!(py_int("1.5"), None);
        assert_eq!(py_int(""), None);
    }
}
