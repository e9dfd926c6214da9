//! `mrulist follow` against a real ntpd while ntp-loadgen adds clients
//! (short runs; `follow-bench` runs the long ones): at a rate the list
//! holds, every client is captured and nothing is estimated missed; when
//! ntpd recycles entries faster than a poll comes, follow's estimate of
//! what it missed matches what it truly missed.

use ntpq_conformance::follow::{follow_under_churn, Spec};
use ntpq_conformance::{ntp_loadgen, ntpq_rs};

#[test]
fn follow_captures_every_client_and_estimates_what_recycling_took() {
    let (ntpq, loadgen) = (ntpq_rs(), ntp_loadgen());
    let gentle = Spec {
        new: 2_000,
        touched: 1_000,
        maxdepth: 100_000,
        seconds: 6,
    };
    let Some(o) = follow_under_churn(&ntpq, &loadgen, &gentle) else {
        return; // skipped (no root or ntpd), said by the fixture
    };
    assert!(o.truth >= 6_000, "the generator ran: {} clients", o.truth);
    assert_eq!(o.truly_missed, 0, "every client was captured");
    let est = o.estimate.expect("follow printed its estimate");
    assert!(est <= 50, "estimated missed {est} when none was missed");

    // The list holds 2,000 entries and recycles its oldest at once: at
    // 10,000 new clients a second an entry lives 0.2 s, a poll comes
    // every second.
    let recycling = Spec {
        new: 10_000,
        touched: 0,
        maxdepth: 2_000,
        seconds: 6,
    };
    let o = follow_under_churn(&ntpq, &loadgen, &recycling).expect("ntpd ran before");
    assert!(
        o.truly_missed > o.truth / 4,
        "recycling took entries: {o:?}"
    );
    let est = o.estimate.expect("follow printed its estimate") as f64;
    let truly = o.truly_missed as f64;
    assert!(
        (est - truly).abs() <= truly * 0.10 + 50.0,
        "estimated {est} missed, truly {truly}"
    );
}
