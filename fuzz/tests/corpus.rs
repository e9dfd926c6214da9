//! Every seed and every saved crash (`regress-*`) of `fuzz/corpus/` runs
//! through its target in the ordinary test suite: a crash once found
//! stays fixed.

use ntpq_fuzz::driver::{corpus_dir, escaped, read_corpus};
use ntpq_fuzz::TARGETS;

#[test]
fn every_target_has_seeds_and_they_pass() {
    for t in TARGETS {
        let files = read_corpus(&corpus_dir(t)).expect("corpus readable");
        assert!(
            !files.is_empty(),
            "{}: no seeds in {}",
            t.name,
            corpus_dir(t).display()
        );
        for (path, data) in files {
            eprintln!(
                "{}: {} (b\"{}\")",
                t.name,
                path.display(),
                escaped(&data[..data.len().min(80)])
            );
            (t.run)(&data);
        }
    }
}

#[test]
fn every_corpus_directory_names_a_target() {
    let root = ntpq_fuzz::driver::fuzz_dir().join("corpus");
    for entry in std::fs::read_dir(&root).expect("fuzz/corpus") {
        let name = entry.expect("entry").file_name();
        let name = name.to_string_lossy();
        assert!(
            ntpq_fuzz::find(&name).is_some(),
            "fuzz/corpus/{name}: no such target"
        );
    }
}
