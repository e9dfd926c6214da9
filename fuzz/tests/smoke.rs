//! A short, deterministic mutation run of every target (a fixed number of
//! runs from a fixed seed, not a time budget): the driver works and the
//! targets survive their first mutants. CI's fuzz step runs them longer.

use ntpq_fuzz::driver::{fuzz, Options};
use ntpq_fuzz::TARGETS;

#[test]
fn every_target_survives_a_short_run() {
    for t in TARGETS {
        let opts = Options {
            seconds: None,
            runs: Some(150),
            seed: 12,
            quiet: true,
            ..Options::default()
        };
        match fuzz(t, &opts) {
            Ok(stats) => assert_eq!(stats.runs, 150, "{}", t.name),
            Err(c) => panic!(
                "{}: {}\ninput: b\"{}\"",
                t.name,
                c.message,
                ntpq_fuzz::driver::escaped(&c.input)
            ),
        }
    }
}
