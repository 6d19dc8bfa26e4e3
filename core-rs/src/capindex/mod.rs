//! Capability index: the state and secondary index of the capability fold (fold.md §5–§7).
//!
//! Entries are keyed by node id (every legacy entry has class 0). Each holds its generation, its
//! expiry time (milliseconds, passed in: the core reads no clock) and its tags; the index derives
//! the fold's projections from the tags (memory, GPU, region, synthetic model/tool/GPU keys) and
//! keeps buckets per tag / synthetic key / region / state plus memory and VRAM columns. Queries
//! return node ids sorted ascending without touching per-node payloads.
//!
//! - `tags`: permissive tag parsing and the projection.
//! - `postings`: sparse/dense buckets and the string dictionaries that own them.
//! - `index`: slots, insert/replace/reject, removal, expiry, renumbering.
//! - `query`: candidate resolution and output.
//! - `codec`: the byte encodings the ABI takes.

pub mod bitset;
pub mod codec;
pub mod hash;
pub mod index;
pub mod postings;
pub mod query;
pub mod scan;
pub mod tags;

#[cfg(test)]
mod tests;

pub use index::{ApplyError, CapIndex, Outcome, NEVER, STATE_IDLE};
pub use query::{Output, Query, Scratch};

impl CapIndex {
    /// Applies a decoded entry record, resolving the "next generation" flag.
    pub fn apply_record(&mut self, rec: &codec::EntryRecord<'_>) -> Result<Outcome, ApplyError> {
        let generation = if rec.flags & codec::FLAG_AUTO_GENERATION != 0 {
            self.generation(rec.node_id).map_or(1, |g| g.saturating_add(1))
        } else {
            rec.generation
        };
        self.apply(rec.node_id, generation, rec.expires_at, rec.state, &rec.tags)
    }
}
