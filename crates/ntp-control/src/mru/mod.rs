//! MRU list retrieval (mrulist.md): argument parsing, the conversation
//! engine, reply parsing and the compact collected list.

pub mod engine;
pub mod entry;
pub mod options;
pub mod reply;

pub use engine::{MruEngine, MruError, Next, RetrievalStats, MRU_ROW_LIMIT};
pub use entry::{MruEntry, MruList, NtpStamp, SortKey, V6Table};
pub use options::{parse_mrulist_args, MruArgError, MruOptions};

#[cfg(test)]
mod tests;
