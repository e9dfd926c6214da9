//! One summary row as cells, for the table mode: the values of
//! [`single_table`] and [`dual_table`] without the fixed-width lines.

use super::*;

/// A row's legend without its padding and colon: `system peer`.
pub fn legend_text(row: &Row) -> String {
    row.legend
        .trim()
        .trim_end_matches(':')
        .trim_end()
        .to_string()
}

/// The value cells of a single-column table's rows: (legend, value, rate),
/// the rate empty but for PACKETS rows. Rows the classic table skips
/// (absent, or an empty STR) are skipped too.
pub fn single_cells<'v>(
    rows: &[Row],
    lookup: impl Fn(&str) -> Option<&'v Variable>,
    display: &mut Display<'_>,
) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut period = Some(1);
    for row in rows {
        let Some(var) = lookup(row.name) else {
            continue;
        };
        let (value, rate) = match row.kind {
            Kind::Add | Kind::Adp => {
                let value = match display.resolve.as_mut() {
                    Some(resolve) => resolve(&py_str(var)),
                    None => py_str(var),
                };
                (value, String::new())
            }
            Kind::Str => {
                if !truthy(&var.value) {
                    continue;
                }
                (py_str(var), String::new())
            }
            Kind::Uint | Kind::Int | Kind::Float => (
                number_text(row, var, display).trim().to_string(),
                String::new(),
            ),
            Kind::Lfp => (
                timestamp::prettydate(&var.raw).unwrap_or_else(|| py_str(var)),
                String::new(),
            ),
            Kind::TwoBit => {
                let value = match var.value {
                    Value::Int(i) => py_index(&LEAP, i).map(str::to_string),
                    _ => None,
                };
                (value.unwrap_or_else(|| py_str(var)), String::new())
            }
            Kind::Mode => {
                let text = match var.value {
                    Value::Int(i) => py_index(&MODES, i)
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("mode#{i}")),
                    _ => format!("mode: {}", generic_repr(&var.value, &var.raw)),
                };
                (text, String::new())
            }
            Kind::Uptime => {
                let (seconds, text) = periodize(&var.value);
                period = seconds;
                (text, String::new())
            }
            Kind::Packets => {
                let (count, rate, unit) = packetize(&var.value, period);
                (count, format!("{rate}{unit}"))
            }
        };
        out.push((legend_text(row), value, rate));
    }
    out
}

/// The second sysstats table's rows as cells: legend, value and its rate,
/// then the `_r` twin and its rate.
pub fn dual_cells<'v>(
    rows: &[Row],
    lookup: impl Fn(&str) -> Option<&'v Variable>,
) -> Vec<[String; 5]> {
    let mut out = Vec::new();
    let (mut period, mut period_r) = (None, None);
    let missing = placeholder("", true);
    for row in rows {
        let Some(var) = lookup(row.name) else {
            continue;
        };
        let var_r = lookup(&format!("{}_r", row.name)).unwrap_or(&missing);
        let legend = legend_text(row);
        match row.kind {
            Kind::Uptime => {
                let (s, text) = periodize(&var.value);
                let (s_r, text_r) = periodize(&var_r.value);
                (period, period_r) = (s, s_r);
                out.push([legend, text, String::new(), text_r, String::new()]);
            }
            Kind::Packets => {
                let (n, rate, unit) = packetize(&var.value, period);
                let (n_r, rate_r, unit_r) = packetize(&var_r.value, period_r);
                out.push([
                    legend,
                    n,
                    format!("{rate}{unit}"),
                    n_r,
                    format!("{rate_r}{unit_r}"),
                ]);
            }
            Kind::Uint | Kind::Int | Kind::Float => {
                out.push([
                    legend,
                    py_str(var),
                    String::new(),
                    py_str(var_r),
                    String::new(),
                ]);
            }
            _ => {}
        }
    }
    out
}
