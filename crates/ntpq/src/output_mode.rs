//! How command output is shown: the classic text (byte-compatible with
//! NTPsec ntpq 1.2.2, the default), JSON Lines for programs (`--json`,
//! schema in docs/json.md), or tables for people (`--format table`).

use std::fmt;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputMode {
    /// NTPsec ntpq 1.2.2's text, quirks included.
    #[default]
    Classic,
    /// One JSON object per line on stdout; errors as JSON on stderr.
    Json,
    /// Tables fitted to the terminal (comfy-table), never truncated.
    Table,
}

impl OutputMode {
    /// The words `--format` and the `format` command take.
    pub const WORDS: &'static [&'static str] = &["classic", "json", "table"];

    pub fn parse(word: &str) -> Option<OutputMode> {
        match word {
            "classic" => Some(OutputMode::Classic),
            "json" => Some(OutputMode::Json),
            "table" => Some(OutputMode::Table),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            OutputMode::Classic => "classic",
            OutputMode::Json => "json",
            OutputMode::Table => "table",
        }
    }

    pub fn is_json(self) -> bool {
        self == OutputMode::Json
    }
}

impl fmt::Display for OutputMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for w in OutputMode::WORDS {
            assert_eq!(OutputMode::parse(w).map(|m| m.name()), Some(*w));
        }
        assert_eq!(OutputMode::parse("JSON"), None);
        assert_eq!(OutputMode::default(), OutputMode::Classic);
    }
}
