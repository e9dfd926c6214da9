//! Reading commands: a rustyline prompt with history and completion when
//! stdin is a terminal, plain lines (no prompt) otherwise.

use std::io::BufRead;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use crate::app::App;
use crate::commands::{Args, TABLE};
use crate::error::CmdError;

pub fn run(app: &mut App) {
    if app.out.stdin_is_tty {
        interactive(app);
    } else {
        script(app);
    }
}

fn script(app: &mut App) {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match lines.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                let line = String::from_utf8_lossy(&buf).into_owned();
                let done = matches!(app.run_line(&line), Err(CmdError::Quit));
                if done || app.out.broken || app.interrupted || app.stop {
                    return;
                }
            }
        }
    }
    let _ = app.run_line("EOF");
}

fn history_path() -> Option<std::path::PathBuf> {
    let dir = dirs::data_dir()?.join("ntpq-rs");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history"))
}

fn interactive(app: &mut App) {
    let Ok(mut editor) = Editor::<CommandHelper, rustyline::history::DefaultHistory>::new() else {
        return script(app);
    };
    editor.set_helper(Some(CommandHelper));
    let history = history_path();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    loop {
        match editor.readline("ntpq> ") {
            Ok(line) => {
                if !line.trim().is_empty() && !is_secret(&line) {
                    let _ = editor.add_history_entry(line.as_str());
                }
                let done = matches!(app.run_line(&line), Err(CmdError::Quit));
                if done || app.out.broken || app.stop {
                    break;
                }
                app.interrupted = false;
            }
            Err(ReadlineError::Interrupted) => {
                app.out.say("\n");
                app.interrupted = true;
                break;
            }
            Err(_) => {
                let _ = app.run_line("EOF");
                break;
            }
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
}

/// Lines that may carry a secret never reach the history file.
fn is_secret(line: &str) -> bool {
    let word = line.split_whitespace().next().unwrap_or("");
    word.starts_with("passw") || line.contains("key")
}

struct CommandHelper;

impl Completer for CommandHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before.rfind(' ').map(|i| i + 1).unwrap_or(0);
        let word = &before[start..];
        let pair = |s: &str| Pair {
            display: s.to_string(),
            replacement: s.to_string(),
        };
        if start == 0 {
            let found = TABLE
                .iter()
                .filter(|c| c.name.starts_with(word))
                .map(|c| pair(c.name))
                .collect();
            return Ok((0, found));
        }
        let command = before.split_whitespace().next().unwrap_or("");
        let Some(def) = TABLE.iter().find(|c| c.name == command) else {
            return Ok((start, Vec::new()));
        };
        let found = match def.args {
            Args::Words(words) => words
                .iter()
                .filter(|w| w.starts_with(word))
                .map(|w| pair(w))
                .collect(),
            Args::Command => TABLE
                .iter()
                .filter(|c| c.name.starts_with(word))
                .map(|c| pair(c.name))
                .collect(),
            _ => Vec::new(),
        };
        Ok((start, found))
    }
}

impl Hinter for CommandHelper {
    type Hint = String;
}
impl Highlighter for CommandHelper {}
impl Validator for CommandHelper {}
impl Helper for CommandHelper {}

#[cfg(test)]
mod tests {
    use super::is_secret;

    #[test]
    fn secrets_stay_out_of_history() {
        assert!(is_secret("passwd"));
        assert!(is_secret("  passw"));
        assert!(is_secret("keyid 5"));
        assert!(is_secret(":config trustedkey 1"));
        assert!(!is_secret("rv 0 stratum"));
        assert!(!is_secret("peers"));
    }
}
