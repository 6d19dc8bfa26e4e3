//! Posting lists ("buckets") of slot numbers and the string-keyed dictionaries that own them.
//!
//! A bucket is a sorted `Vec<u32>` while it is small and a bitset once it holds more than ~1/32 of
//! the slot space (the point where the bitset is the smaller of the two), so both a fold with a
//! few huge buckets (`gpu:present`, `inference`) and one with many tiny ones (per-node hashes) stay
//! compact and fast to intersect.

use std::collections::HashMap;

use super::bitset;
use super::hash::SeededState;

/// Below this many members a bucket always stays sparse.
const MIN_DENSE: usize = 64;

#[derive(Debug, Clone)]
pub enum Bucket {
    Sparse(Vec<u32>),
    Dense { words: Vec<u64>, len: usize },
}

impl Default for Bucket {
    fn default() -> Bucket {
        Bucket::Sparse(Vec::new())
    }
}

impl Bucket {
    pub fn new() -> Bucket {
        Bucket::default()
    }

    #[inline]
    pub fn len(&self) -> usize {
        match self {
            Bucket::Sparse(v) => v.len(),
            Bucket::Dense { len, .. } => *len,
        }
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub fn contains(&self, slot: u32) -> bool {
        match self {
            Bucket::Sparse(v) => v.binary_search(&slot).is_ok(),
            Bucket::Dense { words, .. } => bitset::test(words, slot),
        }
    }

    /// Adds `slot` (a no-op when present); `slot_space` is the current slot high-water mark.
    pub fn insert(&mut self, slot: u32, slot_space: usize) {
        match self {
            Bucket::Sparse(v) => {
                if let Err(at) = v.binary_search(&slot) {
                    v.insert(at, slot);
                    if v.len() > MIN_DENSE && v.len() * 32 > slot_space {
                        let mut words = vec![0u64; bitset::words_for(slot_space.max(slot as usize + 1))];
                        for &s in v.iter() {
                            bitset::set(&mut words, s);
                        }
                        *self = Bucket::Dense { words, len: v.len() };
                    }
                }
            }
            Bucket::Dense { words, len } => {
                if !bitset::test(words, slot) {
                    bitset::set(words, slot);
                    *len += 1;
                }
            }
        }
    }

    /// Removes `slot` (a no-op when absent); a dense bucket that became small turns sparse again.
    pub fn remove(&mut self, slot: u32, slot_space: usize) {
        match self {
            Bucket::Sparse(v) => {
                if let Ok(at) = v.binary_search(&slot) {
                    v.remove(at);
                }
            }
            Bucket::Dense { words, len } => {
                if bitset::test(words, slot) {
                    bitset::clear(words, slot);
                    *len -= 1;
                    if *len <= MIN_DENSE / 2 || *len * 128 < slot_space {
                        let mut v = Vec::with_capacity(*len);
                        bitset::for_each(words, |s| v.push(s));
                        *self = Bucket::Sparse(v);
                    }
                }
            }
        }
    }

    /// Calls `f` for each member in ascending slot order.
    #[inline]
    pub fn for_each(&self, mut f: impl FnMut(u32)) {
        match self {
            Bucket::Sparse(v) => v.iter().for_each(|&s| f(s)),
            Bucket::Dense { words, .. } => bitset::for_each(words, f),
        }
    }

    /// `dst |= self`.
    pub fn or_into(&self, dst: &mut [u64]) {
        match self {
            Bucket::Sparse(v) => {
                for &s in v {
                    let w = (s >> 6) as usize;
                    if w < dst.len() {
                        dst[w] |= 1u64 << (s & 63);
                    }
                }
            }
            Bucket::Dense { words, .. } => bitset::or_into(dst, words),
        }
    }

    /// Rewrites every member through `map` (old slot → new slot), keeping the representation rules.
    pub fn remap(&mut self, map: &[u32], slot_space: usize) {
        let mut v: Vec<u32> = Vec::with_capacity(self.len());
        self.for_each(|s| v.push(map[s as usize]));
        v.sort_unstable();
        let len = v.len();
        *self = if len > MIN_DENSE && len * 32 > slot_space {
            let mut words = vec![0u64; bitset::words_for(slot_space)];
            for &s in &v {
                bitset::set(&mut words, s);
            }
            Bucket::Dense { words, len }
        } else {
            Bucket::Sparse(v)
        };
    }
}

/// A dictionary of string keys, each with its bucket. Ids are dense and reused after a bucket
/// empties (an emptied bucket is deleted together with its key, fold.md §6).
pub struct Postings {
    map: HashMap<Box<str>, u32, SeededState>,
    slots: Vec<Option<(Box<str>, Bucket)>>,
    free: Vec<u32>,
    /// Sum of bucket sizes (the number of (key, slot) rows).
    rows: usize,
}

impl Postings {
    pub fn new(seed: u64) -> Postings {
        Postings { map: HashMap::with_hasher(SeededState(seed)), slots: Vec::new(), free: Vec::new(), rows: 0 }
    }

    #[inline]
    pub fn id_of(&self, key: &str) -> Option<u32> {
        self.map.get(key).copied()
    }

    #[inline]
    pub fn bucket(&self, id: u32) -> &Bucket {
        &self.slots[id as usize].as_ref().expect("live posting id").1
    }

    #[inline]
    pub fn get(&self, key: &str) -> Option<&Bucket> {
        self.id_of(key).map(|id| self.bucket(id))
    }

    pub fn key(&self, id: u32) -> &str {
        &self.slots[id as usize].as_ref().expect("live posting id").0
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn keys(&self) -> usize {
        self.map.len()
    }

    /// Adds `slot` under `key`, creating the bucket; returns the key's id.
    pub fn add(&mut self, key: &str, slot: u32, slot_space: usize) -> u32 {
        let id = match self.map.get(key) {
            Some(&id) => id,
            None => {
                let entry = Some((Box::<str>::from(key), Bucket::new()));
                let id = match self.free.pop() {
                    Some(id) => {
                        self.slots[id as usize] = entry;
                        id
                    }
                    None => {
                        self.slots.push(entry);
                        (self.slots.len() - 1) as u32
                    }
                };
                self.map.insert(Box::from(key), id);
                id
            }
        };
        let bucket = &mut self.slots[id as usize].as_mut().expect("live posting id").1;
        let before = bucket.len();
        bucket.insert(slot, slot_space);
        self.rows += bucket.len() - before;
        id
    }

    /// Removes `slot` from bucket `id`; deletes the bucket and its key once empty.
    pub fn remove(&mut self, id: u32, slot: u32, slot_space: usize) {
        let Some((key, bucket)) = self.slots[id as usize].as_mut() else { return };
        let before = bucket.len();
        bucket.remove(slot, slot_space);
        self.rows -= before - bucket.len();
        if bucket.is_empty() {
            self.map.remove(&**key);
            self.slots[id as usize] = None;
            self.free.push(id);
        }
    }

    /// Every live (key, bucket) pair, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Bucket)> {
        self.slots.iter().filter_map(|e| e.as_ref().map(|(k, b)| (&**k, b)))
    }

    pub fn remap(&mut self, map: &[u32], slot_space: usize) {
        for (_, b) in self.slots.iter_mut().flatten() {
            b.remap(map, slot_space);
        }
    }
}
