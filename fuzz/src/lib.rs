//! Fuzz targets for ntpq-rs, one per class of untrusted input, and a
//! driver that runs them on the stable toolchain (no libFuzzer): each
//! target is a `fn(&[u8])` that must not panic, however hostile the
//! bytes, and checks what must hold of the result. See CONTRIBUTING,
//! "Fuzzing".

pub mod coverage;
pub mod driver;
pub mod mutate;
pub mod targets;

/// One fuzz target.
pub struct Target {
    pub name: &'static str,
    pub about: &'static str,
    pub run: fn(&[u8]),
    /// Tokens the mutator inserts (tags, keywords, separators).
    pub dict: &'static [&'static [u8]],
    /// Longest input the mutator builds.
    pub max_len: usize,
}

pub use targets::TARGETS;

pub fn find(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}
