//! Shell completions (bash, zsh, fish) generated from the clap options and
//! the command table: `ntpq -c <TAB>` completes the interactive commands,
//! and, inside a quoted value (`ntpq -c 'hostnames <TAB>`), their
//! arguments. `tests/docs.rs` keeps the committed copies current.

use clap::Arg;

use crate::cli;
use crate::commands::{Args, TABLE};

/// What completes one command's arguments.
#[derive(Clone, PartialEq, Eq)]
enum ArgCompletion {
    Words(Vec<String>),
    Files,
    Hosts,
}

/// Commands grouped by how their arguments complete, in table order.
fn argument_groups() -> Vec<(Vec<&'static str>, ArgCompletion)> {
    let mut groups: Vec<(Vec<&'static str>, ArgCompletion)> = Vec::new();
    for def in TABLE {
        let how = match def.args {
            Args::File => ArgCompletion::Files,
            Args::Host => ArgCompletion::Hosts,
            other => match other.words() {
                w if w.is_empty() => continue,
                w => ArgCompletion::Words(w),
            },
        };
        match groups.iter_mut().find(|(_, h)| *h == how) {
            Some((names, _)) => names.push(def.name),
            None => groups.push((vec![def.name], how)),
        }
    }
    groups
}

fn command_names() -> Vec<&'static str> {
    TABLE.iter().map(|c| c.name).collect()
}

/// What an option's value is, from its clap value name.
enum OptValue {
    None,
    Command,
    File,
    Other,
}

fn options() -> Vec<(Arg, OptValue)> {
    cli::command()
        .get_arguments()
        .filter(|a| !a.is_positional())
        .map(|a| {
            let kind = if !a.get_action().takes_values() {
                OptValue::None
            } else {
                match a
                    .get_value_names()
                    .and_then(|n| n.first())
                    .map(|n| n.as_str())
                {
                    Some("COMMAND") => OptValue::Command,
                    Some("FILE") => OptValue::File,
                    _ => OptValue::Other,
                }
            };
            (a.clone(), kind)
        })
        .collect()
}

fn short(a: &Arg) -> String {
    a.get_short().map(|c| format!("-{c}")).unwrap_or_default()
}

fn long(a: &Arg) -> String {
    a.get_long().map(|l| format!("--{l}")).unwrap_or_default()
}

fn help(a: &Arg) -> String {
    a.get_help().map(|h| h.to_string()).unwrap_or_default()
}

/// Single-quoted for sh-like shells.
fn sq(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

const HEADER: &str = "Generated from ntpq-rs's option definitions and command table;\n\
do not edit: regenerate with UPDATE_DOCS=1 cargo test -p ntpq --test docs";

fn comment(text: &str) -> String {
    text.lines().map(|l| format!("# {l}\n")).collect()
}

/// bash: `complete -F _ntpq ntpq`.
pub fn bash() -> String {
    let mut s = comment(&format!("bash completion for ntpq.\n{HEADER}"));
    let list = |words: &[String]| words.iter().map(|w| sq(w)).collect::<Vec<_>>().join(" ");
    s.push_str("\n_ntpq_words() {\n    case \"$1\" in\n");
    s.push_str(&format!(
        "        '') printf '%s\\n' {} ;;\n",
        list(
            &command_names()
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
        )
    ));
    for (names, how) in argument_groups() {
        if let ArgCompletion::Words(w) = how {
            let pattern: Vec<String> = names.iter().map(|n| sq(n)).collect();
            s.push_str(&format!(
                "        {}) printf '%s\\n' {} ;;\n",
                pattern.join("|"),
                list(&w)
            ));
        }
    }
    s.push_str("    esac\n}\n");
    let group = |want: ArgCompletion| -> String {
        argument_groups()
            .into_iter()
            .filter(|(_, h)| *h == want)
            .flat_map(|(n, _)| n)
            .map(sq)
            .collect::<Vec<_>>()
            .join("|")
    };
    s.push_str(&format!(
        r#"
# The value of -c: a command, then (in a quoted value) its arguments.
_ntpq_command() {{
    local IFS=$'\n' typed="${{1#[\"\']}}"
    if [[ "$typed" != *' '* ]]; then
        COMPREPLY=($(compgen -W "$(_ntpq_words '')" -- "$typed"))
        return
    fi
    local cmd="${{typed%% *}}" head="${{typed% *}} " last="${{typed##* }}"
    case "$cmd" in
        {files}) COMPREPLY=($(compgen -f -P "$head" -- "$last")) ;;
        {hosts}) COMPREPLY=($(compgen -A hostname -P "$head" -- "$last")) ;;
        *) COMPREPLY=($(compgen -W "$(_ntpq_words "$cmd")" -P "$head" -- "$last")) ;;
    esac
}}

_ntpq() {{
    local cur="$2" prev="$3"
    case "$prev" in
"#,
        files = group(ArgCompletion::Files),
        hosts = group(ArgCompletion::Hosts),
    ));
    let mut all = Vec::new();
    for (a, kind) in options() {
        let names = [short(&a), long(&a)];
        all.extend(names.iter().filter(|n| !n.is_empty()).cloned());
        let action = match kind {
            OptValue::None => continue,
            OptValue::Command => "_ntpq_command \"$cur\"",
            OptValue::File => "COMPREPLY=($(compgen -f -- \"$cur\"))",
            OptValue::Other => ":",
        };
        let pattern: Vec<&str> = names
            .iter()
            .filter(|n| !n.is_empty())
            .map(|n| n.as_str())
            .collect();
        s.push_str(&format!(
            "        {}) {action}; return ;;\n",
            pattern.join("|")
        ));
    }
    s.push_str(&format!(
        r#"    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W {} -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -A hostname -- "$cur"))
}}
complete -F _ntpq ntpq
"#,
        sq(&all.join(" "))
    ));
    s
}

/// zsh: a `#compdef` function file.
pub fn zsh() -> String {
    let mut s = String::from("#compdef ntpq\n");
    s.push_str(&comment(&format!("zsh completion for ntpq.\n{HEADER}")));
    let names: Vec<String> = command_names().iter().map(|n| sq(n)).collect();
    s.push_str(&format!(
        r#"
# The value of -c: a command, then (in a quoted value) its arguments.
_ntpq_command() {{
  if [[ $PREFIX != *' '* ]]; then
    compadd -- {}
    return
  fi
  local cmd=${{PREFIX%% *}}
  compset -P '* '
  case $cmd in
"#,
        names.join(" ")
    ));
    for (names, how) in argument_groups() {
        let action = match how {
            ArgCompletion::Words(w) => {
                format!(
                    "compadd -- {}",
                    w.iter().map(|x| sq(x)).collect::<Vec<_>>().join(" ")
                )
            }
            ArgCompletion::Files => "_files".to_string(),
            ArgCompletion::Hosts => "_hosts".to_string(),
        };
        let pattern: Vec<String> = names.iter().map(|n| sq(n)).collect();
        s.push_str(&format!("    ({}) {action} ;;\n", pattern.join("|")));
    }
    s.push_str("  esac\n}\n\n_arguments -s \\\n");
    let escape = |t: &str| {
        t.replace('\\', "\\\\")
            .replace('[', "\\[")
            .replace(']', "\\]")
            .replace(':', "\\:")
    };
    for (a, kind) in options() {
        let desc = escape(&help(&a)).replace('\'', "'\\''");
        let value = match kind {
            OptValue::None => String::new(),
            OptValue::Command => ":command:_ntpq_command".to_string(),
            OptValue::File => ":file:_files".to_string(),
            OptValue::Other => {
                let name = a
                    .get_value_names()
                    .and_then(|n| n.first())
                    .map(|n| n.to_lowercase());
                format!(":{}: ", name.unwrap_or_default())
            }
        };
        let takes = !matches!(kind, OptValue::None);
        for (flag, suffix) in [(short(&a), "+"), (long(&a), "=")] {
            if flag.is_empty() {
                continue;
            }
            let suffix = if takes { suffix } else { "" };
            s.push_str(&format!("  '*{flag}{suffix}[{desc}]{value}' \\\n"));
        }
    }
    s.push_str("  '*:host:_hosts'\n");
    s
}

/// fish: `complete` lines.
pub fn fish() -> String {
    let mut s = comment(&format!("fish completion for ntpq.\n{HEADER}"));
    let names: Vec<String> = command_names().iter().map(|n| sq(n)).collect();
    s.push_str(&format!(
        r#"
# The value of -c: a command, then (in a quoted value) its arguments.
function __ntpq_command
    set -l typed (string replace -r '^[\'"]' '' -- (commandline -ct))
    if not string match -q -- '* *' $typed
        printf '%s\n' {}
        return
    end
    set -l cmd (string split -m 1 ' ' -- $typed)[1]
    set -l head (string replace -r '[^ ]*$' '' -- $typed)
    set -l last (string replace -r '.* ' '' -- $typed)
    switch $cmd
"#,
        names.join(" ")
    ));
    for (names, how) in argument_groups() {
        let words = match how {
            ArgCompletion::Words(w) => w.iter().map(|x| sq(x)).collect::<Vec<_>>().join(" "),
            ArgCompletion::Files => "(__fish_complete_path $last)".to_string(),
            ArgCompletion::Hosts => "(__fish_print_hostnames)".to_string(),
        };
        let pattern: Vec<String> = names.iter().map(|n| sq(n)).collect();
        s.push_str(&format!(
            "        case {}\n            for w in {words}\n                echo $head$w\n            end\n",
            pattern.join(" ")
        ));
    }
    s.push_str("    end\nend\n\n");
    for (a, kind) in options() {
        let mut line = String::from("complete -c ntpq");
        if let Some(c) = a.get_short() {
            line.push_str(&format!(" -s {c}"));
        }
        if let Some(l) = a.get_long() {
            line.push_str(&format!(" -l {l}"));
        }
        match kind {
            OptValue::None => {}
            OptValue::Command => line.push_str(" -x -a '(__ntpq_command)'"),
            OptValue::File => line.push_str(" -r -F"),
            OptValue::Other => line.push_str(" -x"),
        }
        line.push_str(&format!(" -d {}\n", sq(&help(&a))));
        s.push_str(&line);
    }
    s.push_str("complete -c ntpq -f -a '(__fish_print_hostnames)'\n");
    s
}
