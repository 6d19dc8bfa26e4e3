//! The fold's state and secondary index in one structure (fold.md §5, §6).
//!
//! Every entry lives in a *slot* (a dense u32); buckets hold slots, numeric columns (`memory`,
//! `vram`) are indexed by slot, and `by_node` maps node ids to slots in id order. While slots are
//! numbered in node-id order ("monotone"), a result bitset read in slot order is already sorted by
//! node id; when arrivals break that, results are sorted on output and `compact` renumbers the
//! slots once the extra sorting has cost about as much as a renumbering (see `debt`).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use super::bitset;
use super::postings::{Bucket, Postings};
use super::tags;

/// Expiry that never comes (`ttl = ∞`).
pub const NEVER: u64 = u64::MAX;

/// The state every legacy entry is in (fold.md §5.3).
pub const STATE_IDLE: u8 = 0;

/// What `apply` did (fold.md §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Inserted(u32),
    Replaced(u32),
    /// Equal or older generation: a normal outcome, nothing changed.
    Rejected,
}

/// `apply` refused its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyError {
    /// Generation 0 (fold.md §5.1 `InvalidGeneration`).
    InvalidGeneration,
}

/// One entry's index rows, kept so removal mirrors insertion exactly.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub node_id: u64,
    pub generation: u64,
    pub expires_at: u64,
    /// Bumped on every insert/replace so stale expiry-heap items are recognised.
    pub seq: u64,
    pub tags: Vec<u32>,
    pub synthetic: Vec<u32>,
    pub region: Option<u32>,
    pub state: u8,
}

pub struct CapIndex {
    pub(crate) entries: Vec<Option<Entry>>,
    pub(crate) node_of_slot: Vec<u64>,
    pub(crate) memory: Vec<u32>,
    pub(crate) vram: Vec<u32>,
    pub(crate) live: Vec<u64>,
    pub(crate) by_node: BTreeMap<u64, u32>,
    pub(crate) by_tag: Postings,
    pub(crate) by_synthetic: Postings,
    pub(crate) by_region: Postings,
    /// `by_state`: one bucket per state byte (every entry is in exactly one).
    pub(crate) by_state: Vec<Bucket>,
    free_slots: BTreeSet<u32>,
    expiry: BinaryHeap<Reverse<(u64, u32, u64)>>,
    next_seq: u64,
    /// Slots are in node-id order (see module docs).
    pub(crate) monotone: bool,
    /// Slots in node-id order, rebuilt lazily (`order_valid`).
    order: Vec<u32>,
    order_valid: bool,
    /// Extra work spent sorting outputs while not monotone, in "row" units.
    pub(crate) debt: u64,
    /// Bumped by every `compact`, so a host caching per-slot data knows to remap it.
    pub epoch: u32,
}

impl CapIndex {
    /// A new, empty index; `seed` keys the string hashing (pass random bits).
    pub fn new(seed: u64) -> CapIndex {
        CapIndex {
            entries: Vec::new(),
            node_of_slot: Vec::new(),
            memory: Vec::new(),
            vram: Vec::new(),
            live: Vec::new(),
            by_node: BTreeMap::new(),
            by_tag: Postings::new(seed),
            by_synthetic: Postings::new(seed.rotate_left(17) ^ 0x5bd1_e995),
            by_region: Postings::new(seed.rotate_left(31) ^ 0x27d4_eb2f),
            by_state: (0..256).map(|_| Bucket::new()).collect(),
            free_slots: BTreeSet::new(),
            expiry: BinaryHeap::new(),
            next_seq: 0,
            monotone: true,
            order: Vec::new(),
            order_valid: true,
            debt: 0,
            epoch: 0,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.by_node.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_node.is_empty()
    }

    /// The slot high-water mark (every live slot is below it).
    pub fn slot_space(&self) -> usize {
        self.entries.len()
    }

    pub fn slot_of(&self, node_id: u64) -> Option<u32> {
        self.by_node.get(&node_id).copied()
    }

    pub fn node_of(&self, slot: u32) -> u64 {
        self.node_of_slot[slot as usize]
    }

    pub(crate) fn entry(&self, node_id: u64) -> Option<&Entry> {
        let slot = self.slot_of(node_id)?;
        self.entries[slot as usize].as_ref()
    }

    pub fn generation(&self, node_id: u64) -> Option<u64> {
        self.entry(node_id).map(|e| e.generation)
    }

    pub fn expires_at(&self, node_id: u64) -> Option<u64> {
        self.entry(node_id).map(|e| e.expires_at)
    }

    /// The entry's tags (unordered).
    pub fn tags_of(&self, node_id: u64) -> Option<Vec<&str>> {
        let e = self.entry(node_id)?;
        Some(e.tags.iter().map(|&id| self.by_tag.key(id)).collect())
    }

    /// Total (key, slot) rows across every bucket: the cost unit of a full renumbering.
    pub fn rows(&self) -> usize {
        self.by_tag.rows() + self.by_synthetic.rows() + self.by_region.rows() + self.len()
    }

    /// Applies one entry (fold.md §5.1): Insert when absent, Replace when `generation` is strictly
    /// greater, otherwise Rejected. `tags` need not be sorted or unique.
    pub fn apply(
        &mut self,
        node_id: u64,
        generation: u64,
        expires_at: u64,
        state: u8,
        tags: &[&str],
    ) -> Result<Outcome, ApplyError> {
        if generation == 0 {
            return Err(ApplyError::InvalidGeneration);
        }
        let existing = self.slot_of(node_id);
        if let Some(slot) = existing {
            let current = self.entries[slot as usize].as_ref().expect("live slot").generation;
            if generation <= current {
                return Ok(Outcome::Rejected);
            }
            self.unindex(slot);
        }
        let slot = match existing {
            Some(slot) => slot,
            None => self.allocate_slot(node_id),
        };
        self.index(slot, node_id, generation, expires_at, state, tags);
        Ok(match existing {
            Some(_) => Outcome::Replaced(slot),
            None => Outcome::Inserted(slot),
        })
    }

    /// Removes the entry of `node_id`; returns its former slot.
    pub fn remove(&mut self, node_id: u64) -> Option<u32> {
        let slot = self.by_node.remove(&node_id)?;
        self.unindex(slot);
        self.release_slot(slot);
        Some(slot)
    }

    /// Removes up to `max` entries with `expires_at <= now`, appending their slots to `out`
    /// (fold.md §5.2: each key is re-checked before removal). Returns how many were removed.
    pub fn sweep(&mut self, now: u64, max: usize, out: &mut Vec<u32>) -> usize {
        let mut removed = 0;
        while removed < max {
            let Some(&Reverse((at, slot, seq))) = self.expiry.peek() else { break };
            if at > now {
                break;
            }
            self.expiry.pop();
            let current = match self.entries.get(slot as usize) {
                Some(Some(e)) if e.seq == seq && e.expires_at <= now => e.node_id,
                _ => continue,
            };
            self.remove(current);
            out.push(slot);
            removed += 1;
        }
        removed
    }

    /// The earliest `expires_at` still pending (NEVER when none): when the host should sweep next.
    pub fn next_expiry(&mut self) -> u64 {
        while let Some(&Reverse((at, slot, seq))) = self.expiry.peek() {
            match self.entries.get(slot as usize) {
                Some(Some(e)) if e.seq == seq => return at,
                _ => {
                    self.expiry.pop();
                }
            }
        }
        NEVER
    }

    fn allocate_slot(&mut self, node_id: u64) -> u32 {
        let pred = self.by_node.range(..node_id).next_back().map(|(_, &s)| s);
        let succ = self.by_node.range(node_id..).next().map(|(_, &s)| s);
        let lo = pred.map_or(0, |p| p + 1);
        let hi = succ.unwrap_or(u32::MAX);
        let space = self.entries.len() as u32;
        // While monotone, prefer a slot that keeps slot order == node-id order: a free slot between
        // the neighbours' slots, or a new slot past the end when this id is the largest.
        let keeps_order = if self.monotone {
            match self.free_slots.range(lo..hi).next() {
                Some(&s) => Some(s),
                // Appending keeps the order, but not at the price of an ever-growing slot space.
                None if succ.is_none() && (self.free_slots.is_empty() || (space as usize) < 2 * self.len() + 4096) => Some(space),
                None => None,
            }
        } else {
            None
        };
        let slot = match keeps_order {
            Some(s) => {
                self.free_slots.remove(&s);
                s
            }
            None => {
                self.monotone = self.monotone && self.is_empty();
                self.free_slots.pop_first().unwrap_or(space)
            }
        };
        if slot == space {
            self.entries.push(None);
            self.node_of_slot.push(0);
            self.memory.push(0);
            self.vram.push(0);
        }
        self.by_node.insert(node_id, slot);
        self.order_valid = false;
        slot
    }

    fn release_slot(&mut self, slot: u32) {
        self.free_slots.insert(slot);
        self.order_valid = false;
    }

    fn index(&mut self, slot: u32, node_id: u64, generation: u64, expires_at: u64, state: u8, raw: &[&str]) {
        let space = self.entries.len();
        let mut sorted: Vec<&str> = raw.iter().copied().filter(|t| !t.is_empty()).collect();
        // Hosts usually pass tags already sorted and unique; only sort when they are not.
        if !sorted.windows(2).all(|w| w[0] < w[1]) {
            sorted.sort_unstable();
            sorted.dedup();
        }
        let p = tags::project(sorted.iter().copied());
        let tag_ids: Vec<u32> = sorted.iter().map(|t| self.by_tag.add(t, slot, space)).collect();
        let synthetic: Vec<u32> = p.synthetic.iter().map(|k| self.by_synthetic.add(k, slot, space)).collect();
        let region = p.region.as_deref().map(|r| self.by_region.add(r, slot, space));
        self.by_state[state as usize].insert(slot, space);
        let seq = self.next_seq;
        self.next_seq += 1;
        let s = slot as usize;
        self.memory[s] = p.memory_gb;
        self.vram[s] = p.vram_gb;
        self.node_of_slot[s] = node_id;
        bitset::set(&mut self.live, slot);
        if expires_at != NEVER {
            self.expiry.push(Reverse((expires_at, slot, seq)));
            self.maybe_rebuild_expiry();
        }
        self.entries[s] = Some(Entry { node_id, generation, expires_at, seq, tags: tag_ids, synthetic, region, state });
    }

    fn unindex(&mut self, slot: u32) {
        let space = self.entries.len();
        let Some(e) = self.entries[slot as usize].take() else { return };
        for &id in &e.tags {
            self.by_tag.remove(id, slot, space);
        }
        for &id in &e.synthetic {
            self.by_synthetic.remove(id, slot, space);
        }
        if let Some(id) = e.region {
            self.by_region.remove(id, slot, space);
        }
        self.by_state[e.state as usize].remove(slot, space);
        self.memory[slot as usize] = 0;
        self.vram[slot as usize] = 0;
        bitset::clear(&mut self.live, slot);
    }

    /// Drops stale expiry items once they outnumber live entries (replacements leave one behind).
    fn maybe_rebuild_expiry(&mut self) {
        if self.expiry.len() > 2 * self.len() + 1024 {
            let items: Vec<_> = self
                .entries
                .iter()
                .enumerate()
                .filter_map(|(s, e)| e.as_ref().filter(|e| e.expires_at != NEVER).map(|e| Reverse((e.expires_at, s as u32, e.seq))))
                .collect();
            self.expiry = BinaryHeap::from(items);
        }
    }

    /// Slots in node-id order.
    pub(crate) fn order(&mut self) -> &[u32] {
        if !self.order_valid {
            self.order.clear();
            self.order.extend(self.by_node.values().copied());
            self.order_valid = true;
        }
        &self.order
    }

    /// Whether renumbering now would pay for itself (see module docs).
    pub fn compaction_advised(&self) -> bool {
        let cost = (self.rows() + self.entries.len()) as u64;
        (!self.monotone && self.debt > 2 * cost + 4096) || self.entries.len() > 2 * self.len() + 4096
    }

    /// Renumbers slots to node-id order. `map_out` receives old slot → new slot (`u32::MAX` for a
    /// slot that held nothing); returns the new slot count.
    pub fn compact(&mut self, map_out: &mut Vec<u32>) -> usize {
        let old_space = self.entries.len();
        let n = self.len();
        map_out.clear();
        map_out.resize(old_space, u32::MAX);
        for (new, (_, slot)) in self.by_node.iter_mut().enumerate() {
            map_out[*slot as usize] = new as u32;
            *slot = new as u32;
        }
        let mut entries: Vec<Option<Entry>> = (0..n).map(|_| None).collect();
        let mut node_of_slot = vec![0u64; n];
        let mut memory = vec![0u32; n];
        let mut vram = vec![0u32; n];
        for (old, &new) in map_out.iter().enumerate() {
            if new == u32::MAX {
                continue;
            }
            let new = new as usize;
            entries[new] = self.entries[old].take();
            node_of_slot[new] = self.node_of_slot[old];
            memory[new] = self.memory[old];
            vram[new] = self.vram[old];
        }
        self.entries = entries;
        self.node_of_slot = node_of_slot;
        self.memory = memory;
        self.vram = vram;
        self.live = vec![0u64; bitset::words_for(n)];
        for s in 0..n as u32 {
            bitset::set(&mut self.live, s);
        }
        self.by_tag.remap(map_out, n);
        self.by_synthetic.remap(map_out, n);
        self.by_region.remap(map_out, n);
        for b in self.by_state.iter_mut().filter(|b| !b.is_empty()) {
            b.remap(map_out, n);
        }
        self.free_slots.clear();
        self.expiry = BinaryHeap::from(
            self.entries
                .iter()
                .enumerate()
                .filter_map(|(s, e)| e.as_ref().filter(|e| e.expires_at != NEVER).map(|e| Reverse((e.expires_at, s as u32, e.seq))))
                .collect::<Vec<_>>(),
        );
        self.monotone = true;
        self.order_valid = false;
        self.debt = 0;
        self.epoch = self.epoch.wrapping_add(1);
        n
    }

    /// Every node id in ascending order.
    pub fn node_ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.by_node.keys().copied()
    }
}
