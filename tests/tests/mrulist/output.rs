//! The cooked mrulist table as printed (mrulist.md §8.1), parsed
//! strictly by the reference's column layout.

use std::collections::HashSet;
use std::net::IpAddr;

use ntpq_conformance::RunOutput;

use super::HEADER;

/// One row of the cooked table (fixed columns, mrulist.md §8.1).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Row {
    pub(super) line: String,
    pub(super) lstint: i64,
    pub(super) count: u64,
    pub(super) mode: u8,
    pub(super) version: u8,
    pub(super) rport: String,
    pub(super) addr: String,
}

impl Row {
    /// Everything after the lstint column: avgint, rstr, r, m, v, count,
    /// score, drop, rport, remote address.
    pub(super) fn after_lstint(&self) -> &str {
        &self.line[7..]
    }
}

/// Parses a row strictly by the reference's column layout
/// `%7d %6s %4x %c %d %d %6d %8s %6s %5s %s`.
pub(super) fn parse_row(line: &str) -> Result<Row, String> {
    let bad = |why: &str| format!("malformed row ({why}): {line:?}");
    if !line.is_ascii() || line.len() < 56 {
        return Err(bad("too short"));
    }
    let col = |a: usize, b: usize| &line[a..b];
    for sep in [7, 14, 19, 21, 23, 25, 32, 41, 48, 54] {
        if &line[sep..sep + 1] != " " {
            return Err(bad(&format!("no separator at column {sep}")));
        }
    }
    let num = |s: &str| s.trim().parse::<i64>().map_err(|_| bad("not a number"));
    let lstint = num(col(0, 7))?;
    let avgint = col(8, 14).trim();
    if avgint.is_empty() || avgint.parse::<f64>().is_err() {
        return Err(bad("avgint"));
    }
    if u32::from_str_radix(col(15, 19).trim(), 16).is_err() {
        return Err(bad("rstr"));
    }
    if !matches!(col(20, 21), "." | "K" | "L") {
        return Err(bad("r"));
    }
    let mode = num(col(22, 23))? as u8;
    let version = num(col(24, 25))? as u8;
    let count = num(col(26, 32))?;
    if count < 1 {
        return Err(bad("count"));
    }
    let score = col(33, 41).trim();
    if score != "-" && score.parse::<f64>().is_err() {
        return Err(bad("score"));
    }
    let drop = col(42, 48).trim();
    if drop != "-" && drop.parse::<u64>().is_err() {
        return Err(bad("drop"));
    }
    let rport = col(49, 54).trim().to_string();
    if !rport.is_empty() && rport.parse::<u16>().is_err() {
        return Err(bad("rport"));
    }
    let addr = line[55..].to_string();
    if addr.parse::<IpAddr>().is_err() {
        return Err(bad("remote address"));
    }
    Ok(Row {
        line: line.to_string(),
        lstint,
        count: count as u64,
        mode,
        version,
        rport,
        addr,
    })
}

/// A cooked mrulist output: lines before the header, the rows, and the
/// `# ` lines after the table.
#[derive(Debug)]
pub(super) struct Table {
    pub(super) before: Vec<String>,
    pub(super) rows: Vec<Row>,
    pub(super) trailer: Vec<String>,
}

pub(super) fn parse_table(stdout: &str) -> Result<Table, String> {
    let lines: Vec<&str> = stdout.lines().collect();
    let h = lines
        .iter()
        .position(|l| *l == HEADER)
        .ok_or_else(|| format!("no table header in:\n{}", head(stdout)))?;
    if lines.get(h + 1) != Some(&"=".repeat(69).as_str()) {
        return Err(format!("no rule under the header in:\n{}", head(stdout)));
    }
    let mut rows = Vec::new();
    let mut i = h + 2;
    while i < lines.len() && !lines[i].starts_with("# ") {
        rows.push(parse_row(lines[i])?);
        i += 1;
    }
    let trailer: Vec<String> = lines[i..].iter().map(|s| s.to_string()).collect();
    if let Some(l) = trailer.iter().find(|l| !l.starts_with("# ")) {
        return Err(format!("a non-'# ' line after the table: {l:?}"));
    }
    Ok(Table {
        before: lines[..h].iter().map(|s| s.to_string()).collect(),
        rows,
        trailer,
    })
}

pub(super) fn table(label: &str, out: &RunOutput) -> Table {
    parse_table(&out.stdout).unwrap_or_else(|e| panic!("{label}: {e}\nstderr: {}", out.stderr))
}

/// The first lines of a long output, for messages.
pub(super) fn head(s: &str) -> String {
    let mut t: String = s.lines().take(12).collect::<Vec<_>>().join("\n");
    if s.lines().count() > 12 {
        t.push_str("\n…");
    }
    t
}

/// `# ` lines with every digit replaced by `N`: the line structure stays
/// comparable (an extra report line is a difference), the timings and
/// memory figures do not.
pub(super) fn mask_digits(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            l.chars()
                .map(|c| if c.is_ascii_digit() { 'N' } else { c })
                .collect::<String>()
        })
        .map(|l| {
            // "N.NNN" and "NN" are the same mask whatever their width.
            let mut out = String::new();
            let mut prev_n = false;
            for c in l.chars() {
                if c == 'N' && prev_n {
                    continue;
                }
                prev_n = c == 'N';
                out.push(c);
            }
            out
        })
        .collect()
}

/// The report lines (everything after the table that is not one of the
/// reference's three trailer lines).
pub(super) fn report_lines(t: &Table) -> Vec<&str> {
    t.trailer
        .iter()
        .map(|s| s.as_str())
        .filter(|l| {
            !l.starts_with("# Collected ")
                && !l.starts_with("# Processed ")
                && !l.starts_with("# Used ")
        })
        .collect()
}

pub(super) fn duplicates(rows: &[Row]) -> Vec<&str> {
    let mut seen = HashSet::new();
    rows.iter()
        .map(|r| r.addr.as_str())
        .filter(|a| !seen.insert(*a))
        .collect()
}

/// The value of a `# <prefix>N` line.
pub(super) fn report_number(t: &Table, prefix: &str) -> Option<u64> {
    t.trailer
        .iter()
        .find_map(|l| l.strip_prefix(prefix))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// The report's count of entries that were new or updated on the server
/// while the list was read: the number ending the `# ` line that mentions
/// "new or updated" (the wording around it is the owner's to change).
pub(super) fn changed_count(t: &Table) -> Option<u64> {
    t.trailer
        .iter()
        .find(|l| l.contains("new or updated"))
        .and_then(|l| l.rsplit([' ', ':']).next()?.parse().ok())
}
