//! MRU list retrieval (mrulist.md): argument parsing ([`options`]), the
//! decisions of the walk ([`engine`]; what it reports in `outcome`, the
//! anchors it names in `anchor`), the whole conversation as one state
//! machine ([`retrieval`]), reply parsing ([`reply`]) and the compact
//! entries ([`entry`]) and the collected list ([`list`]); `new_clients`
//! tells the clients a `follow` poll sees for the first time.

mod anchor;
pub mod engine;
pub mod entry;
pub mod list;
mod new_clients;
pub mod options;
mod outcome;
pub mod reply;
pub mod retrieval;

pub use engine::{EngineEvent, MruEngine, MruError, Next, RetrievalStats, Salvage, MRU_ROW_LIMIT};
pub use entry::{MruEntry, NtpStamp, V6Table};
pub use list::{entry_bound, MruList, SortKey, DEFAULT_MAX_ENTRIES};
pub use options::{parse_mrulist_args, Follow, MruArgError, MruOptions};
pub use retrieval::{Finish, MruCounters, MruRetrieval, RetrievalConfig, RetrievalEvent, Unread};

#[cfg(test)]
mod tests;
