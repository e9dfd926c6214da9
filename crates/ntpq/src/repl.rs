//! Reading commands: a rustyline prompt with history and completion when
//! stdin is a terminal, plain lines (no prompt) otherwise.

use std::io::BufRead;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use crate::commands::TABLE;
use crate::interpreter::{Flow, Interpreter};

pub fn run(interp: &mut Interpreter) {
    if interp.out.stdin_is_tty {
        interactive(interp);
    } else {
        script(interp);
    }
}

fn script(interp: &mut Interpreter) {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match lines.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                let line = String::from_utf8_lossy(&buf).into_owned();
                if interp.run_line(&line) != Flow::Continue || interp.interrupted {
                    return;
                }
            }
        }
    }
    interp.run_line("EOF");
}

fn history_path() -> Option<std::path::PathBuf> {
    let dir = dirs::data_dir()?.join("ntpq-rs");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history"))
}

fn interactive(interp: &mut Interpreter) {
    let Ok(mut editor) = Editor::<CommandHelper, rustyline::history::DefaultHistory>::new() else {
        return script(interp);
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
                if interp.run_line(&line) != Flow::Continue {
                    break;
                }
                // Ctrl-C during a command ends the command, not the REPL.
                interp.interrupted = false;
            }
            Err(ReadlineError::Interrupted) => {
                interp.out.say("\n");
                interp.interrupted = true;
                break;
            }
            Err(_) => {
                interp.run_line("EOF");
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
        let (start, words) = completions(line.get(..pos).unwrap_or(line));
        let found = words
            .into_iter()
            .map(|w| Pair {
                display: w.clone(),
                replacement: w,
            })
            .collect();
        Ok((start, found))
    }
}

/// Completions of the last word of `before` (the line up to the cursor):
/// where the word starts, and the candidates from the command table.
pub fn completions(before: &str) -> (usize, Vec<String>) {
    let start = before.rfind(' ').map(|i| i + 1).unwrap_or(0);
    let word = &before[start..];
    let candidates: Vec<String> = if start == 0 {
        TABLE.iter().map(|c| c.name.to_string()).collect()
    } else {
        let command = before.split_whitespace().next().unwrap_or("");
        match TABLE.iter().find(|c| c.name == command) {
            Some(def) => def.args.words(),
            None => Vec::new(),
        }
    };
    let found = candidates
        .into_iter()
        .filter(|w| w.starts_with(word))
        .collect();
    (start, found)
}

impl Hinter for CommandHelper {
    type Hint = String;
}
impl Highlighter for CommandHelper {}
impl Validator for CommandHelper {}
impl Helper for CommandHelper {}

#[cfg(test)]
mod tests {
    use super::{completions, is_secret};

    #[test]
    fn completion_reads_the_table() {
        assert_eq!(completions("hostn"), (0, vec!["hostnames".to_string()]));
        assert_eq!(completions("hostnames hostn").1, ["hostnum", "hostname"]);
        assert_eq!(completions("debug m").1, ["more"]);
        assert_eq!(completions("help mrul").1, ["mrulist"]);
        assert!(completions("keytype SHA").1.contains(&"SHA256".to_string()));
        let mru = completions("mrulist so").1;
        assert!(mru.contains(&"sort=-count".to_string()), "{mru:?}");
        assert_eq!(completions("mrulist sta").1, ["stats"]);
        assert_eq!(
            completions("mrulist min").1,
            ["mincount=", "mindrop=", "minscore=", "minlstint="]
        );
        assert!(completions("rv 0 ").1.is_empty());
    }

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
