//! `mssntpinfo` (NTPsec 1.2.3+, not in 1.2.2, so no differential case):
//! against a server with the MSSNTP counters, and against one without
//! them (a 1.2.2 ntpd), where the one-at-a-time fallback shows placeholders.
//! Values are right-aligned to column 44 like every summary table.

use ntpd_sim::{Scenario, Simulator};
use ntpq_conformance::{ntpq_rs, run};

const WITH_COUNTERS: &str = r#"
[system]
status = 0x0618
variables = [
  "mssntp_serves=12", "mssntp_serves_no=1", "mssntp_serves_err=0",
  "mssntp_serves_good=11", "mssntp_serves_good_wall=0.25",
  "mssntp_serves_good_slowest=0.125", "mssntp_serves_bad=1",
  "mssntp_serves_bad_wall=1.5", "mssntp_serves_bad_slowest=1.5",
]
"#;

fn serve(toml: &str) -> Simulator {
    let scenario = Scenario::from_toml_str(toml).expect("scenario");
    Simulator::spawn("127.0.0.1:0".parse().unwrap(), scenario).expect("simulator")
}

#[test]
fn counters_are_shown_with_their_legends() {
    let sim = serve(WITH_COUNTERS);
    let host = sim.local_addr().to_string();
    let out = run(&ntpq_rs(), &["-n", "-c", "mssntpinfo", &host], "");
    assert_eq!(out.stderr, "");
    assert_eq!(out.status, 0);
    assert_eq!(
        out.stdout,
        "\
MSSNTP requests processed:                 12
MSSNTP rejected by samba:                   1
MSSNTP errors talking to samba:             0
MSSNTP requests good:                      11
MSSNTP requests good wall:               0.25
MSSNTP requests good slowest:           0.125
MSSNTP requests bad:                        1
MSSNTP requests bad wall:                 1.5
MSSNTP requests bad slowest:              1.5
"
    );
}

#[test]
fn a_server_without_them_gets_placeholders() {
    let sim = serve("[system]\nstatus = 0x0618\nvariables = [\"stratum=2\"]\n");
    let host = sim.local_addr().to_string();
    let out = run(&ntpq_rs(), &["-n", "-c", "mssntpinfo", &host], "");
    assert!(
        out.stderr
            .contains("Unknown variable.  Trying one at a time."),
        "{out:?}"
    );
    assert_eq!(out.stdout.lines().count(), 9, "{out:?}");
    assert!(
        out.stdout.lines().all(|l| l.starts_with("MSSNTP ")),
        "{out:?}"
    );
}
