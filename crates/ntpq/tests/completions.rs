//! The generated shell completions, run in the shells themselves: `ntpq -c`
//! completes the command table's commands and, in a quoted value, their
//! arguments. A shell that is not installed is skipped with a message
//! (outside CI; in CI it fails).

use std::path::{Path, PathBuf};
use std::process::Command;

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../completions")
        .join(name)
}

/// Runs `code` in `shell`, or None (with a SKIP line) without the shell.
fn run(shell: &str, args: &[&str], code: &str) -> Option<String> {
    let path = Path::new("/usr/bin").join(shell);
    if !path.exists() {
        // CI installs every shell: a skip there would hide a failure.
        assert!(
            std::env::var_os("CI").is_none(),
            "{shell} not installed (apt-get install -y {shell}); CI must run every shell"
        );
        eprintln!("SKIP: {shell} not installed (apt-get install -y {shell})");
        return None;
    }
    let out = Command::new(path)
        .args(args)
        .arg(code)
        .output()
        .expect("run the shell");
    assert!(out.status.success(), "{shell}: {out:?}");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn bash_completes_commands_and_their_arguments() {
    let code = format!(
        r#"source {}
t() {{ COMPREPLY=(); _ntpq ntpq "$2" "$1"; printf '%s|' "${{COMPREPLY[@]}}"; echo; }}
t -c hostn
t -c "'hostnames hostn"
t --command "mrulist sort=-co"
t -c "help mrul"
t -k /etc/passw
t - --wid"#,
        script("ntpq.bash").display()
    );
    let Some(out) = run("bash", &["--norc", "-c"], &code) else {
        return;
    };
    let mut lines: Vec<&str> = out.lines().collect();
    // Files are the machine's: /etc/passwd among them.
    assert!(
        lines.remove(4).split('|').any(|f| f == "/etc/passwd"),
        "{out}"
    );
    assert_eq!(
        lines,
        [
            "hostnames|",
            "hostnames hostnum|hostnames hostname|",
            "mrulist sort=-count|",
            "help mrulist|",
            "--wide|--width|",
        ]
    );
}

#[test]
fn fish_completes_commands_and_their_arguments() {
    let code = format!(
        r#"source {}
complete -C "ntpq -c hostn"
complete -C "ntpq -c 'hostnames hostn"
complete -C "ntpq -c \"debug m""#,
        script("ntpq.fish").display()
    );
    let Some(out) = run("fish", &["--no-config", "-c"], &code) else {
        return;
    };
    let words: Vec<&str> = out
        .lines()
        .map(|l| l.split('\t').next().unwrap_or(""))
        .collect();
    assert_eq!(
        words,
        [
            "hostnames",
            "hostnames hostname",
            "hostnames hostnum",
            "debug more"
        ]
    );
}

#[test]
fn zsh_dispatches_on_the_command() {
    // Outside a completion widget: compadd and compset stand in.
    let code = format!(
        r#"compadd() {{ shift; print -r -- "$*"; }}
compset() {{ PREFIX=${{PREFIX##* }}; }}
_files() {{ print FILES; }}
_hosts() {{ print HOSTS; }}
eval "$(sed -n '/^_ntpq_command()/,/^}}/p' {})"
for PREFIX in 'hostnames h' 'host x' 'logfile /t' 'keytype S' 'rv 0 '; do _ntpq_command; done"#,
        script("_ntpq").display()
    );
    let Some(out) = run("zsh", &["-f", "-c"], &code) else {
        return;
    };
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "yes no hostnum hostname");
    assert_eq!(lines[1], "HOSTS");
    assert_eq!(lines[2], "FILES");
    assert!(lines[3].starts_with("MD5 SHA1 "), "{lines:?}");
    assert_eq!(lines.len(), 4, "nothing for association ids: {lines:?}");
    let syntax = Command::new("/usr/bin/zsh")
        .arg("-n")
        .arg(script("_ntpq"))
        .status()
        .expect("zsh -n");
    assert!(syntax.success());
}
