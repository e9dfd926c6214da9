//! Texts of the debug output (`-d`, `-D N`), as the reference writes them.

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
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push(quote);
    s
}

/// 16 octets a line as `%02x ` followed by the printable characters.
pub fn hex_dump(data: &[u8]) -> String {
    let mut s = String::new();
    for chunk in data.chunks(16) {
        for b in chunk {
            s.push_str(&format!("{b:02x} "));
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
    s
}

#[cfg(test)]
mod tests {
    use super::*;

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
