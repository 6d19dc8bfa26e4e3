//! Query evaluation (fold.md §7.1 composite candidate resolution + §7.2 range checks).
//!
//! The rung order of §7.1 only decides which bucket seeds the scan; the resulting set is the
//! intersection of every constraint, so the evaluator seeds from the smallest constraint (an
//! empty or missing one ends the query at once) and narrows with the rest: a sorted slot list
//! with membership probes when the seed is small, word-wise AND over bitsets when it is large.
//! Output is ascending node id, deduplicated by construction (one entry per node).

use super::bitset;
use super::index::CapIndex;
use super::postings::Bucket;
use super::scan;

/// A decoded query. Empty lists mean "no constraint" (`tags_all`, `groups`, `tags_any`), matching
/// the composite filter; a group with no members is skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query<'a> {
    /// Exact tag strings, all required (`by_tag`).
    pub tags_all: Vec<&'a str>,
    /// AND of groups, OR inside a group, resolved against `by_synthetic` only.
    pub groups: Vec<Vec<&'a str>>,
    /// At least one of these exact tags (`by_tag`).
    pub tags_any: Vec<&'a str>,
    /// Some tag starts with this prefix (the fold export's `tag_prefix`).
    pub tag_prefix: Option<&'a str>,
    pub region: Option<&'a str>,
    pub state: Option<u8>,
    /// Restrict to these node ids.
    pub nodes: Option<Vec<u64>>,
    /// Range checks on the payload (missing values count as 0).
    pub min_memory_gb: Option<u64>,
    pub min_vram_gb: Option<u64>,
    /// Keep the first `limit` ids (ascending); 0 = all.
    pub limit: u32,
}

/// One narrowing constraint: membership in any of `buckets`, or in the sorted `slots`.
enum Constraint<'b> {
    Union(Vec<&'b Bucket>),
    Slots(Vec<u32>),
}

impl Constraint<'_> {
    fn size(&self) -> usize {
        match self {
            Constraint::Union(bs) => bs.iter().map(|b| b.len()).sum(),
            Constraint::Slots(v) => v.len(),
        }
    }

    #[inline]
    fn contains(&self, slot: u32) -> bool {
        match self {
            Constraint::Union(bs) => bs.iter().any(|b| b.contains(slot)),
            Constraint::Slots(v) => v.binary_search(&slot).is_ok(),
        }
    }

    /// Sorted, unique members.
    fn collect(&self, out: &mut Vec<u32>) {
        out.clear();
        match self {
            Constraint::Union(bs) => {
                for b in bs {
                    b.for_each(|s| out.push(s));
                }
                if bs.len() > 1 {
                    out.sort_unstable();
                    out.dedup();
                }
            }
            Constraint::Slots(v) => out.extend_from_slice(v),
        }
    }

    /// `dst = self` as a bitset (dst already zeroed).
    fn fill(&self, dst: &mut [u64]) {
        match self {
            Constraint::Union(bs) => bs.iter().for_each(|b| b.or_into(dst)),
            Constraint::Slots(v) => {
                for &s in v {
                    dst[(s >> 6) as usize] |= 1u64 << (s & 63);
                }
            }
        }
    }

    /// `dst &= self`, using `tmp` when the constraint is not a single bitset.
    fn narrow(&self, dst: &mut [u64], tmp: &mut Vec<u64>) {
        if let Constraint::Union(bs) = self {
            if let [Bucket::Dense { words, .. }] = bs.as_slice() {
                bitset::and_into(dst, words);
                return;
            }
        }
        tmp.clear();
        tmp.resize(dst.len(), 0);
        self.fill(tmp);
        bitset::and_into(dst, tmp);
    }
}

/// What a query produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Slots,
    NodeIds,
    CountOnly,
}

/// Reusable buffers for evaluation, so steady-state queries allocate nothing.
#[derive(Default)]
pub struct Scratch {
    pub cand: Vec<u64>,
    pub tmp: Vec<u64>,
    pub list: Vec<u32>,
    pub slots: Vec<u32>,
    pub ids: Vec<u64>,
    /// The result `slots` are consecutive slot numbers in ascending order (a host mirroring
    /// slot-indexed data can copy one range).
    pub contiguous: bool,
}

impl CapIndex {
    /// Evaluates `q`; results land in `scratch.slots` (ascending node id) and, for
    /// `Output::NodeIds`, also in `scratch.ids`. Returns the result count.
    pub fn query(&mut self, q: &Query<'_>, output: Output, scratch: &mut Scratch) -> usize {
        scratch.slots.clear();
        scratch.ids.clear();
        scratch.contiguous = false;
        let space = self.slot_space();
        let Some(mut constraints) = self.constraints(q) else { return 0 };
        constraints.sort_by_key(|c| c.size());
        let ranged = q.min_memory_gb.is_some_and(|m| m > 0) || q.min_vram_gb.is_some_and(|m| m > 0);
        let passes = |idx: &CapIndex, s: u32| -> bool {
            let s = s as usize;
            q.min_memory_gb.is_none_or(|m| u64::from(idx.memory[s]) >= m)
                && q.min_vram_gb.is_none_or(|m| u64::from(idx.vram[s]) >= m)
        };

        let words = bitset::words_for(space);
        let small_seed = constraints.first().is_some_and(|c| c.size() * 16 < space);
        let count;
        let mut dense = false;
        if small_seed {
            // Sparse path: probe each seed member against the other constraints.
            let (seed, rest) = constraints.split_first().expect("non-empty");
            seed.collect(&mut scratch.list);
            scratch.slots.extend(
                scratch.list.iter().copied().filter(|&s| rest.iter().all(|c| c.contains(s)) && (!ranged || passes(self, s))),
            );
            count = scratch.slots.len();
        } else {
            // Dense path: bitset AND, then range checks on the survivors.
            dense = true;
            let cand = &mut scratch.cand;
            cand.clear();
            cand.resize(words, 0);
            match constraints.split_first() {
                None => bitset::or_into(cand, &self.live),
                Some((seed, rest)) => {
                    seed.fill(cand);
                    for c in rest {
                        c.narrow(cand, &mut scratch.tmp);
                    }
                }
            }
            if ranged {
                self.range_filter(cand, q.min_memory_gb.unwrap_or(0), q.min_vram_gb.unwrap_or(0));
            }
            count = bitset::count(cand);
        }
        drop(constraints);
        if output == Output::CountOnly && q.limit == 0 {
            return count;
        }
        if dense {
            self.emit_dense(count, scratch);
        } else if !self.monotone && count > 1 {
            self.sort_by_node(&mut scratch.slots);
        }
        if q.limit > 0 && scratch.slots.len() > q.limit as usize {
            scratch.slots.truncate(q.limit as usize);
        }
        if !dense && self.monotone && count > 0 {
            scratch.contiguous = (scratch.slots[scratch.slots.len() - 1] - scratch.slots[0]) as usize + 1 == scratch.slots.len();
        }
        if output == Output::NodeIds {
            scratch.ids.extend(scratch.slots.iter().map(|&s| self.node_of_slot[s as usize]));
        }
        scratch.slots.len()
    }

    /// Builds the constraint list; `None` when some required key is missing (empty result).
    fn constraints<'b>(&'b self, q: &Query<'_>) -> Option<Vec<Constraint<'b>>> {
        let mut out = Vec::with_capacity(q.tags_all.len() + q.groups.len() + 4);
        for t in &q.tags_all {
            out.push(Constraint::Union(vec![self.by_tag.get(t)?]));
        }
        for g in q.groups.iter().filter(|g| !g.is_empty()) {
            let bs: Vec<&Bucket> = g.iter().filter_map(|k| self.by_synthetic.get(k)).collect();
            if bs.is_empty() {
                return None;
            }
            out.push(Constraint::Union(bs));
        }
        if !q.tags_any.is_empty() {
            let bs: Vec<&Bucket> = q.tags_any.iter().filter_map(|k| self.by_tag.get(k)).collect();
            if bs.is_empty() {
                return None;
            }
            out.push(Constraint::Union(bs));
        }
        if let Some(prefix) = q.tag_prefix {
            let bs: Vec<&Bucket> = self.by_tag.iter().filter(|(k, _)| k.starts_with(prefix)).map(|(_, b)| b).collect();
            if bs.is_empty() {
                return None;
            }
            out.push(Constraint::Union(bs));
        }
        if let Some(r) = q.region {
            out.push(Constraint::Union(vec![self.by_region.get(r)?]));
        }
        if let Some(s) = q.state {
            let b = &self.by_state[s as usize];
            if b.is_empty() {
                return None;
            }
            out.push(Constraint::Union(vec![b]));
        }
        if let Some(ids) = &q.nodes {
            let mut slots: Vec<u32> = ids.iter().filter_map(|id| self.slot_of(*id)).collect();
            if slots.is_empty() {
                return None;
            }
            slots.sort_unstable();
            slots.dedup();
            out.push(Constraint::Slots(slots));
        }
        Some(out)
    }

    /// Clears candidates whose memory / VRAM is below the minimums (column scans, 64 slots a word).
    fn range_filter(&self, cand: &mut [u64], min_mem: u64, min_vram: u64) {
        if min_mem > u64::from(u32::MAX) || min_vram > u64::from(u32::MAX) {
            cand.fill(0);
            return;
        }
        for (w, word) in cand.iter_mut().enumerate() {
            if *word == 0 {
                continue;
            }
            let base = w << 6;
            if min_mem > 0 {
                *word &= scan::ge_mask(&self.memory, base, min_mem as u32);
            }
            if min_vram > 0 {
                *word &= scan::ge_mask(&self.vram, base, min_vram as u32);
            }
        }
    }

    /// Writes the candidate bitset's slots to `scratch.slots` in node-id order.
    fn emit_dense(&mut self, count: usize, scratch: &mut Scratch) {
        let slots = &mut scratch.slots;
        slots.reserve(count);
        if self.monotone {
            scan::decode_bits(&scratch.cand, count, slots);
            if let (Some(&first), Some(&last)) = (slots.first(), slots.last()) {
                scratch.contiguous = (last - first) as usize + 1 == count;
            }
            return;
        }
        // Not monotone: sort a small result, walk the id order for a large one; either way the
        // work is charged to the renumbering budget.
        let log = usize::BITS - count.leading_zeros();
        let sort_cost = count * log as usize;
        if sort_cost < self.len() {
            scan::decode_bits(&scratch.cand, count, slots);
            self.sort_by_node(slots);
        } else {
            self.debt += self.len() as u64;
            let cand = &scratch.cand;
            let order = self.order();
            for &s in order {
                if (cand[(s >> 6) as usize] >> (s & 63)) & 1 == 1 {
                    slots.push(s);
                }
            }
        }
    }

    fn sort_by_node(&mut self, slots: &mut [u32]) {
        let n = slots.len();
        self.debt += (n * (usize::BITS - n.leading_zeros()) as usize) as u64;
        let ids = &self.node_of_slot;
        slots.sort_unstable_by_key(|&s| ids[s as usize]);
    }
}
