//! Server text made harmless for the operator's terminal: a value such as
//! `refid=` holding ESC [2J, an OSC title sequence, CR or BS would act on
//! the terminal if printed as sent. Control characters (C0, DEL and C1)
//! are shown as `\xHH` instead; everything else (tabs, which only move
//! the cursor to the next stop, and backslashes included) is left as it
//! is, so ordinary output is unchanged.

use std::borrow::Cow;

/// Whether `c` could act on a terminal. The information separators
/// 0x1c-0x1f do not (terminals ignore them) and stay, as Python's
/// `str.split()` treats them as spaces where the reference splits values.
fn is_control(c: char) -> bool {
    matches!(c, '\0'..='\x08' | '\x0a'..='\x1b' | '\x7f'..='\u{9f}')
}

/// `text` with every control character as `\xHH`.
pub fn visible(text: &str) -> Cow<'_, str> {
    escape(text, |_| false)
}

/// [`visible`], but CR and LF kept: raw mode prints the server's own line
/// folding (`,\r\n`), as the reference does.
pub fn visible_keeping_line_ends(text: &str) -> Cow<'_, str> {
    escape(text, |c| c == '\r' || c == '\n')
}

fn escape(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_control(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_control(c) && !keep(c) {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible_and_the_rest_stays() {
        assert_eq!(visible("GPS\x1b[2J"), "GPS\\x1b[2J");
        assert_eq!(visible("\x1b]0;owned\x07"), "\\x1b]0;owned\\x07");
        assert_eq!(
            visible("a\rb\x08c\nd\te\x7f"),
            "a\\x0db\\x08c\\x0ad\te\\x7f"
        );
        assert_eq!(visible("csi\u{9b}2J"), "csi\\x9b2J");
        for plain in [
            "",
            "INIT",
            "ntpd ntpsec-1.2.2",
            "a\\b \"q\" é ü 2026-11-26T07:55:05Z",
        ] {
            assert!(matches!(visible(plain), Cow::Borrowed(_)), "{plain:?}");
        }
    }

    #[test]
    fn separators_that_python_splits_on_stay() {
        assert_eq!(visible("T\x1e\x1bU"), "T\x1e\\x1bU");
    }

    #[test]
    fn raw_mode_keeps_line_ends_only() {
        assert_eq!(
            visible_keeping_line_ends("a=1,\r\nb=\x1b[2J\r\n"),
            "a=1,\r\nb=\\x1b[2J\r\n"
        );
    }
}
