//! Reading commands: a rustyline prompt when stdin is a terminal — Tab
//! lists and completes (`crate::complete`), Ctrl-C clears the line (a
//! second one on an empty line quits), Ctrl-D quits, history in the XDG
//! state directory — and plain lines (no prompt) otherwise.

use std::borrow::Cow;
use std::io::BufRead;
use std::path::PathBuf;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{
    Cmd, CompletionType, ConditionalEventHandler, Config, Context, Editor, Event, EventContext,
    EventHandler, Helper, KeyEvent, Movement, RepeatCount,
};

use crate::complete::{complete, host_of, Candidates, Known};
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

/// The history file: `NTPQ_HISTORY` (empty: no history), else
/// `ntpq-rs/history` in the XDG state directory (`$XDG_STATE_HOME`,
/// `~/.local/state`), or in the data directory where there is none.
pub fn history_path() -> Option<PathBuf> {
    match std::env::var_os("NTPQ_HISTORY") {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(PathBuf::from(p)),
        None => Some(
            dirs::state_dir()
                .or_else(dirs::data_dir)?
                .join("ntpq-rs")
                .join("history"),
        ),
    }
}

/// Where earlier versions kept the history (read when the new file
/// does not exist yet).
fn old_history_path() -> Option<PathBuf> {
    Some(dirs::data_dir()?.join("ntpq-rs").join("history"))
}

fn interactive(interp: &mut Interpreter) {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .build();
    let Ok(mut editor) =
        Editor::<CommandHelper, rustyline::history::DefaultHistory>::with_config(config)
    else {
        return script(interp);
    };
    editor.bind_sequence(
        KeyEvent::ctrl('C'),
        EventHandler::Conditional(Box::new(ClearOrInterrupt)),
    );
    let history = history_path();
    if let Some(h) = &history {
        let from = if h.exists() || std::env::var_os("NTPQ_HISTORY").is_some() {
            Some(h.clone())
        } else {
            old_history_path()
        };
        if let Some(f) = from {
            let _ = editor.load_history(&f);
        }
    }
    let mut hosts: Vec<String> = editor.history().iter().filter_map(|l| host_of(l)).collect();
    hosts.extend(interp.client.host_name().map(str::to_string));
    editor.set_helper(Some(CommandHelper {
        known: Known {
            hosts,
            ..Known::default()
        },
        files: FilenameCompleter::new(),
    }));
    // A Ctrl-C on an empty line was the last key: another one quits.
    let mut quit_armed = false;
    loop {
        match editor.readline("ntpq> ") {
            Ok(line) => {
                quit_armed = false;
                if !line.trim().is_empty() && !is_secret(&line) {
                    let _ = editor.add_history_entry(line.as_str());
                }
                let flow = interp.run_line(&line);
                if let Some(helper) = editor.helper_mut() {
                    let known = &mut helper.known;
                    known.hosts.extend(host_of(&line));
                    known.assoc_ids = interp.association_ids();
                    known.var_names = interp.variable_names().iter().cloned().collect();
                }
                if flow != Flow::Continue {
                    break;
                }
                // Ctrl-C during a command ends the command, not the REPL.
                interp.interrupted = false;
            }
            Err(ReadlineError::Interrupted) if !quit_armed => {
                quit_armed = true;
                // For the person at the terminal: text in every mode.
                interp
                    .out
                    .warn_text("(To quit, press Ctrl-C again or Ctrl-D.)");
            }
            Err(ReadlineError::Interrupted) => {
                if !interp.out.mode.is_json() {
                    interp.out.say("\n");
                }
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
        save_history(&mut editor, h);
    }
}

/// Saves the history readable by its owner only (the commands typed
/// name servers and settings).
fn save_history(
    editor: &mut Editor<CommandHelper, rustyline::history::DefaultHistory>,
    path: &PathBuf,
) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if editor.save_history(path).is_ok() {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

/// Lines that may carry a secret never reach the history file.
fn is_secret(line: &str) -> bool {
    let word = line.split_whitespace().next().unwrap_or("");
    word.starts_with("passw") || line.contains("key")
}

/// Ctrl-C: clears a line with text; on an empty line it interrupts
/// (the prompt loop quits on the second).
struct ClearOrInterrupt;

impl ConditionalEventHandler for ClearOrInterrupt {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        if ctx.line().is_empty() {
            Some(Cmd::Interrupt)
        } else {
            Some(Cmd::Kill(Movement::WholeBuffer))
        }
    }
}

struct CommandHelper {
    /// Hosts used before (history, the command line, `host` commands),
    /// association ids and variable names of this session.
    known: Known,
    files: FilenameCompleter,
}

impl Completer for CommandHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = line.get(..pos).unwrap_or(line);
        match complete(before, &self.known) {
            Candidates::File => self.files.complete_path(line, pos),
            Candidates::Words(start, words) => Ok((
                start,
                words
                    .into_iter()
                    .map(|w| Pair {
                        display: w.clone(),
                        replacement: w,
                    })
                    .collect(),
            )),
        }
    }
}

impl Hinter for CommandHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, _: &Context<'_>) -> Option<String> {
        if pos < line.len() {
            return None;
        }
        crate::complete::hint(line)
    }
}

impl Highlighter for CommandHelper {
    /// Grey, unless NO_COLOR is set.
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            Cow::Borrowed(hint)
        } else {
            Cow::Owned(format!("\x1b[90m{hint}\x1b[0m"))
        }
    }
}
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
