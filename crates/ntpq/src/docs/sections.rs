//! The man page's prose sections (roff), kept apart from the code that
//! generates the rest from the command table and the options.

/// Output formats: classic, JSON Lines and tables.
pub const OUTPUT_FORMATS: &str = r#".SH "OUTPUT FORMATS"
The default output is NTPsec ntpq 1.2.2's text, byte for byte, so that scripts
and monitoring plugins that parse it keep working.
.TP
\fB\-\-json\fR, \fB\-\-format json\fR, \fBformat json\fR
JSON Lines: one object per line on standard output, each starting with
\fB"v"\fR (the schema version, 1), \fB"type"\fR (what it holds: \fBreadvar\fR,
\fBpeers\fR, \fBassociations\fR, \fBmru_entry\fR, ...) and \fB"host"\fR (the host
as given, so the records of several hosts can be told apart). Numbers are
numbers, times are ISO\-8601 UTC with the server's raw timestamp beside them,
status words are decoded, addresses are never shortened. \fBmrulist\fR writes
a start record, one \fBmru_entry\fR per entry (streamed as batches arrive with
\fBdirect\fR or \fBfollow\fR) and an end record with the totals and the estimate
of entries missed. Errors and warnings go to standard error as objects with
a stable \fB"code"\fR. No banner or hint is printed on standard output. The
schema is in \fIdocs/json.md\fR of the source tree; fields are only ever added
within a version.
.TP
\fB\-\-format table\fR, \fBformat table\fR
tables fitted to the terminal's width (or \fB\-W\fR), wrapping cells instead of
cutting them: an IPv6 address or a host name is shown whole. The peers and
association lists, the readvar family (each variable and its value), ifstats,
reslist, the summary commands and mrulist are drawn; \fBraw\fR mode and
\fBmrulist direct\fR or \fBfollow\fR keep the text. Colour only on a
terminal, never when \fBNO_COLOR\fR is set.
.TP
\fB\-\-format classic\fR, \fBformat classic\fR
NTPsec ntpq's text (the default).
"#;

/// The columns of the peers tables and of mrulist.
pub const COLUMNS: &str = r#".SH "PEERS COLUMNS"
.TP
\fBtally\fR (the first character)
the peer's state in the last clock selection:
a space: rejected (unreachable or insane),
\fBx\fR false ticker,
\fB.\fR excess (not among the first ten),
\fB\-\fR outlier (discarded by clustering),
\fB+\fR candidate (combined into the time),
\fB#\fR backup (more than enough candidates),
\fB*\fR system peer (the time source),
\fBo\fR PPS peer.
.TP
\fBremote\fR
the peer's address or name (\fB\-n\fR: numbers); with \fB\-w\fR a long one gets a
line of its own, classic output cuts it to fit the width (table and JSON output
never do).
.TP
\fBrefid\fR
the peer's reference: an address, or a code between dots (\fB.GPS.\fR, \fB.INIT.\fR,
\fB.POOL.\fR, kiss codes such as \fB.RATE.\fR). \fBopeers\fR shows the local address
instead (\fBlocal\fR).
.TP
\fBst\fR
stratum (16: unsynchronised).
.TP
\fBt\fR
type: \fBu\fR unicast, \fBp\fR pool, \fBl\fR local reference clock, \fBs\fR symmetric
active, \fBS\fR symmetric passive, \fBb\fR broadcast client, \fBB\fR broadcast
server, \fBM\fR multicast server, \fBa\fR manycast client, a digit: NTS with that
many cookies, \fB?\fR unknown.
.TP
\fBwhen\fR, \fBpoll\fR
seconds since the last packet (\fBm\fR, \fBh\fR, \fBd\fR suffixes for longer), and the
poll interval.
.TP
\fBreach\fR
the reachability register in octal (377: the last eight polls answered).
.TP
\fBdelay\fR, \fBoffset\fR, \fBjitter\fR (\fBdisp\fR in \fBopeers\fR)
milliseconds (with \fBunits\fR, scaled and suffixed).
.SH "MRULIST COLUMNS"
.TP
\fBlstint\fR
seconds since the client's last packet.
.TP
\fBavgint\fR
average seconds between its packets.
.TP
\fBrstr\fR, \fBr\fR
the restriction bits that applied (hexadecimal), and \fBK\fR (kiss\-o'\-death sent),
\fBL\fR (rate limited) or \fB.\fR.
.TP
\fBm\fR, \fBv\fR
the NTP mode and version of its last packet (3: client, 4: server, 6: control).
.TP
\fBcount\fR, \fBscore\fR, \fBdrop\fR
packets received, the rate\-limit score, packets dropped.
.TP
\fBrport\fR, \fBremote address\fR
the client's source port and address (never shortened).
"#;

/// ENVIRONMENT, FILES, EXAMPLES, SEE ALSO.
pub const ENVIRONMENT_FILES_EXAMPLES: &str = r#".SH ENVIRONMENT
.TP
\fBNTPQ_MAC_ALIGN\fR=\fB8\fR|\fB4\fR
MAC alignment of authenticated requests (see AUTHENTICATION).
.TP
\fBNTPQ_NTP_CONF\fR=\fIpath\fR[:\fIpath\fR...]
daemon configuration files searched for \fBcontrolkey\fR.
.TP
\fBNTPQ_HISTORY\fR=\fIfile\fR
the interactive history file; set but empty, no history is kept.
.TP
\fBXDG_STATE_HOME\fR
where the history is kept by default (\fI$XDG_STATE_HOME/ntpq\-rs/history\fR).
.TP
\fBNTPQ_MRU_MAX_ENTRIES\fR=\fIN\fR
the most distinct entries one \fBmrulist\fR keeps.
.TP
\fBNO_COLOR\fR
when set to anything but the empty string, \fB\-\-format table\fR uses no colour.
.TP
\fBCOLUMNS\fR
on a terminal, the width used instead of the terminal's own for the peers
tables, the variable display and table output (\fB\-W\fR overrides it for
the tables).
.SH FILES
.TP
\fI$XDG_STATE_HOME/ntpq\-rs/history\fR (\fI~/.local/state/ntpq\-rs/history\fR)
interactive history, readable by its owner only; lines that may carry a
secret are never stored.
.TP
\fI/etc/ntpsec/ntp.keys\fR, the file given by \fB\-k\fR
symmetric keys (\fIkeyid type key\fR per line) for authenticated requests;
read up to 1 MiB.
.TP
\fI/etc/ntpsec/ntp.conf\fR, \fI/etc/ntp.conf\fR
searched for \fBcontrolkey\fR and \fBkeys\fR when querying the local ntpd.
.SH EXAMPLES
The peers of the local server, numerically:
.PP
.nf
    ntpq \-pn
.fi
.PP
Every client of a busy server, most active first, with the report of how the
list changed while it was read and how many entries were missed:
.PP
.nf
    ntpq \-n \-c "mrulist stats sort=\-count" ntp1.example.net
.fi
.PP
The same as it arrives, in constant memory (no sorting):
.PP
.nf
    ntpq \-n \-c "mrulist direct mincount=10" ntp1.example.net
.fi
.PP
Follow a fleet for ten minutes as JSON Lines, counting the clients sending
more than 100 packets:
.PP
.nf
    ntpq \-n \-\-json \-c "mrulist follow interval=1 duration=600" ntp1 ntp2 |
      jq \-c 'select(.type == "mru_entry" and .count > 100) | {host, addr}'
.fi
.PP
The offset of each peer as JSON:
.PP
.nf
    ntpq \-n \-\-json \-p | jq '.peers[] | {remote, offset}'
.fi
.PP
The system variables of three servers, queried at once:
.PP
.nf
    ntpq \-n \-c "rv 0 stratum,offset" ntp1 ntp2 ntp3
.fi
.SH "SEE ALSO"
\fBntpd\fR(8), \fBntp.conf\fR(5), \fBntpkeygen\fR(8), \fBjq\fR(1); NTPsec's
\fBntpq\fR documentation, whose commands and output this program reproduces.
"#;
