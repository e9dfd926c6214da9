//! The man page, generated from the clap definition and the command table
//! (so it cannot drift from the program); the shell completions are in
//! `crate::completions`.
//! `tests/docs.rs` checks the committed copies in `man/` and `completions/`.

mod sections;

use crate::cli;
use crate::commands::params::{MRU_PARAMETERS, SORT_MEANINGS};
use crate::commands::TABLE;

/// Escapes text for roff.
fn roff(text: &str) -> String {
    text.replace('\\', "\\e")
        .replace('-', "\\-")
        .lines()
        .map(|l| {
            if l.starts_with('.') || l.starts_with('\'') {
                format!("\\&{l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const EXTRA: &str = r#".SH "INTERACTIVE COMMANDS"
Without \fB\-c\fR or \fB\-p\fR, ntpq reads commands from standard input, with a
\fBntpq>\fR prompt, line editing, history and completion when it is a terminal.
Commands may be abbreviated to any unique prefix.
.PP
Tab completes command names and, also after an abbreviated command, their
arguments: the words of \fBhostnames\fR, \fBdebug\fR, \fBauthenticate\fR and
\fBkeytype\fR, every \fBmrulist\fR tag and \fBsort=\fR key, association ids of
the last list, variable names the server has sent, hosts used before
(\fBhost\fR) and file names (\fBconfig\-from\-file\fR, \fBlogfile\fR); a second Tab
lists the candidates. Ctrl\-C clears the line; on an empty line, a second
Ctrl\-C quits (status 130); Ctrl\-D quits.
.PP
The history is kept in \fI$XDG_STATE_HOME/ntpq\-rs/history\fR
(\fI~/.local/state/ntpq\-rs/history\fR), readable by its owner only; lines that
may carry a secret (\fBpasswd\fR, anything with \fBkey\fR) are never stored.
\fBNTPQ_HISTORY\fR names another file; set but empty, no history is kept.
"#;

const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
every command succeeded.
.TP
\fB1\fR
a command failed (timeout, refused, server error, bad credentials, unknown
command), a host could not be looked up, the key file was unreadable,
standard output was closed, or standard output or the log file could not be
written (a full disk: said in one line on standard error; a closed pipe is
not).
.TP
\fB2\fR
the command line was wrong.
.TP
\fB130\fR
interrupted with Ctrl\-C.
.PP
NTPsec's ntpq exits 0 in all these cases (1 for command\-line errors); this
is a deliberate difference so that scripts can tell success from failure.
"#;

const COMPAT: &str = r#".SH COMPATIBILITY
Output is byte\-for\-byte that of NTPsec ntpq 1.2.2 on the same server state.
Deliberate differences are listed, with their reasons, in
\fItests/differences.toml\fR of the source tree and in its README:
the exit status above; a closed standard output ends the run silently
(1.2.2 prints \fBBailing out...\fR); \fBrpeers\fR prints the refid, tally and
remote columns (as NTPsec 1.2.3+ does); \fB\-4\fR/\fB\-6\fR force the address
family of the hosts; fragments are reassembled in any order and a lost middle
fragment is retried; \fBhelp mrulist\fR and \fBhelp keytype\fR list every
parameter after 1.2.2's text; after 1.2.2's message, an invalid value gets a
line naming the valid ones and a failed query one naming the host, the address
and the likely cause; several hosts are queried at once and printed in
argument order; hosts may carry a port (\fIhost:port\fR,
\fI[v6addr]:port\fR); \fB\-\-keyfile=\fIFILE\fR is accepted; \fBmrulist\fR keeps
one row per address (ntpd keeps one entry per address; 1.2.2 shows a client
twice when its port changed), retransmits lost MRU replies after a short timer
and gives up after repeated failures instead of retrying forever, and prints a
report after the list when the server's list changed while it was read;
authentication truncates MACs to 20 octets (SHA\-256 and longer keys work),
retries a request refused with PERMISSION once with the other MAC alignment,
prompts for passwords only on the terminal, and skips malformed key\-file
lines with a warning; one attempt of an exchange ends at most
\fBtimeout\fR + 6 s after it was sent, however slowly the fragments arrive.
.SH AUTHENTICATION
\fB:config\fR, \fBconfig\-from\-file\fR, \fBifstats\fR, \fBreslist\fR and,
after \fBauthenticate yes\fR, every request carry a MAC made with the key given
by \fB\-a\fR/\fBkeyid\fR and the key file given by \fB\-k\fR, or typed at the
\fBKeyid:\fR and \fItype\fR \fBPassword:\fR prompts (on the terminal, without
echo). For \fBlocalhost\fR, \fB127.0.0.1\fR and \fB::1\fR the control key
named by the local ntpd's configuration is used.
.TP
\fBNTPQ_MAC_ALIGN\fR=\fB8\fR|\fB4\fR
NTPsec 1.2.2 pads requests to 8 octets before the MAC, 1.2.3 and later to
4. By default 8 is used and a request refused with PERMISSION is retried once
with the other; this variable forces one alignment.
.TP
\fBNTPQ_NTP_CONF\fR=\fIpath\fR[:\fIpath\fR...]
the daemon configuration files searched for \fBcontrolkey\fR (default
\fI/etc/ntpsec/ntp.conf\fR, then \fI/etc/ntp.conf\fR).
.SH "MRULIST EXTENSIONS"
\fBmrulist direct\fR streams each batch as it arrives (like the \fBdirect\fR
toggle); \fBmrulist stats\fR always prints the retrieval report: time taken,
requests, retransmissions, entries that arrived or changed meanwhile and, from
the server's MRU counters, an estimate of the entries missed.
.PP
\fBmrulist follow\fR [\fBinterval=\fIseconds\fR] [\fBduration=\fIseconds\fR]
prints the whole list as \fBdirect\fR does, then polls the server every
\fIinterval\fR (default 1 s) for the entries that changed since the last poll
and prints them as they come, until Ctrl\-C or \fIduration\fR; it ends with a
\fB# Followed\fR line. When every anchor changed between two polls (ntpd then
resumes past entries touched meanwhile) the list is read again and a warning
says so. The usual filters apply; \fBsort=\fR and \fBlimit=\fR do not.
.PP
When the retrieval cannot finish \(em the server stops answering part\-way,
its list turns over faster than it can be read, or it goes on past twice the
server's \fBmru_maxdepth\fR plus 100000 distinct entries \(em the entries read
so far are printed after the error with how many there were of how many the
server held, and the exit status is 1. Memory follows the distinct addresses
received (repeats are merged as they arrive), not the entries.
.TP
\fBNTPQ_MRU_MAX_ENTRIES\fR=\fIN\fR
the most distinct entries one \fBmrulist\fR keeps (default 10000000, about
480 MB); past it the retrieval stops as above.
"#;

/// The whole man page (roff).
pub fn man_page() -> String {
    let cmd = cli::command();
    let man = clap_mangen::Man::new(cmd.clone())
        .title("NTPQ")
        .section("1")
        .source("ntpq-rs")
        .manual("User Commands");
    let mut buf: Vec<u8> = Vec::new();
    let _ = man.render_title(&mut buf);
    let _ = man.render_name_section(&mut buf);
    let _ = man.render_synopsis_section(&mut buf);
    let _ = man.render_description_section(&mut buf);
    let _ = man.render_options_section(&mut buf);
    let mut page = String::from_utf8_lossy(&buf).into_owned();
    page.push_str(EXTRA);
    for def in TABLE {
        let synopsis = def.args.synopsis();
        let args = if synopsis.is_empty() {
            String::new()
        } else {
            format!(" \\fI{}\\fR", roff(&synopsis))
        };
        page.push_str(&format!(".TP\n\\fB{}\\fR{args}\n", roff(def.name)));
        page.push_str(&format!(".nf\n{}\n.fi\n", roff(def.help.trim_end())));
    }
    page.push_str(&mrulist_parameters());
    page.push_str(sections::OUTPUT_FORMATS);
    page.push_str(sections::COLUMNS);
    page.push_str(EXIT_STATUS);
    page.push_str(sections::ENVIRONMENT_FILES_EXAMPLES);
    page.push_str(COMPAT);
    page
}

/// Every `mrulist` parameter and sort key with its meaning (the table
/// `help mrulist` prints).
fn mrulist_parameters() -> String {
    let mut s = String::from(".SH \"MRULIST PARAMETERS\"\n");
    for (form, _, meaning) in MRU_PARAMETERS {
        s.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff(form), roff(meaning)));
    }
    s.push_str(".PP\nSort keys (\\fBsort=\\fIkey\\fR):\n");
    for (key, meaning) in SORT_MEANINGS {
        s.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff(key), roff(meaning)));
    }
    s
}

/// A completion script generator.
pub type Generator = fn() -> String;

/// (file name under `completions/`, generator) pairs that are committed.
pub const COMPLETION_FILES: &[(&str, Generator)] = &[
    ("ntpq.bash", crate::completions::bash),
    ("_ntpq", crate::completions::zsh),
    ("ntpq.fish", crate::completions::fish),
];
