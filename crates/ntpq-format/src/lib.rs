//! ntpq output formatting, byte-compatible with NTPsec ntpq 1.2.2.
//!
//! Pure functions from protocol data (typed variables, status words) to
//! the text ntpq prints; no I/O, no DNS, no clock reads.
//!
//! * [`pyfmt`]: Python value semantics on output — `float_repr(f64)`,
//!   `percent_f(x, width, prec)` (`'%*.*f'`), `percent_d_float(x)` (`'%d'`
//!   of a float), `py_round(x, n)`, `py_str_repr(&str)`, `py_str(&Variable)`
//!   (`str()`, exact for integers of any size via `big_int_decimal`) and
//!   `truthy(&Value)`. Parsing by Python's rules is `ntp_control::varlist`.
//! * [`timestamp`]: `prettydate(raw) -> Option<String>` (1.2.2 pivot
//!   [`timestamp::PIVOT_1_2_2`]), `lfp_to_unix(raw, pivot_unix)`,
//!   `parse_lfp` (the C reader's quirks); the conversions themselves are
//!   `ntp_control::time`.
//! * [`units`]: [`units::Unit`], `unitify(value, start, base, width)`
//!   (falls back to the raw text; `try_unitify` returns `None` instead),
//!   `unit_for_variable(name)`, `filter_array_with_units(value)`.
//! * [`cooked`]: `cook(vars, width, units)` for the readvar family
//!   (`width` is the folding limit: terminal columns − 2, 78 when piped),
//!   `raw_varlist_text(data)` for raw mode, `status_line(raw, status, decoded)`.
//! * [`peers`]: `PeersLayout::new(kind, term_width, wide, host_width)`,
//!   `header(&layout)`, `row(&layout, &PeerRow)`, plus `interval`,
//!   `f8dot4`, `f8dot3`, `high_truncate`.
//! * [`debug`]: the log lines of `-d`/`-D N` from the protocol core's typed
//!   events (`query_event_lines`), `hex_dump_into`, `py_bytes_repr`.
//! * [`assoc`]: `associations_table(&[(associd, status)])`,
//!   `passociations_text`, `association_row`, `no_associations_text`.
//! * [`summary`]: the summary commands' tables (sysinfo, sysstats,
//!   kerninfo, …): `single_table`, `dual_table`, `periodize`, `packetize`.
//! * [`ordlist`]: the `ifstats` and `reslist` tables (`ifstats_row`,
//!   `reslist_row`, their headings).
//! * [`mrulist`]: the MRU table's rows (`header`, `row`, `row_into`) and
//!   the outpaced-retrieval warning; [`mru_report`]: the report after the
//!   list on busy servers (`busy_report`).
//! * [`json`]: the JSON Lines records of `--json` (docs/json.md): every
//!   record starts `{"v":1,"type":…,"host":…}` ([`json::record`]);
//!   `json::value` types variables (numbers, ISO-8601 timestamps with
//!   their raw l_fp, sample arrays), `json::status` decodes status words,
//!   `json::records` builds the readvar, associations, peers, summary and
//!   ifstats/reslist records.
//! * [`table`]: the tables of `--format table` (comfy-table, fitted to a
//!   width, never cutting an address or a name): `TableStyle`,
//!   `colour_wanted`, and one renderer per command family.
//!
//! Values that would make the Python reference raise never panic here:
//! the raw value text is printed instead.

pub mod assoc;
pub mod cooked;
pub mod debug;
pub mod json;
pub mod mru_json;
pub mod mru_report;
pub mod mrulist;
pub mod ordlist;
pub mod peers;
pub mod pyfmt;
pub mod summary;
pub mod table;
pub mod timestamp;
pub mod units;
