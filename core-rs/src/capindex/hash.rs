//! A small, fast, non-cryptographic hasher for the index's string and id maps.
//!
//! The maps key on tag strings and node ids that peers choose, so a fixed hash would let a peer
//! craft colliding keys; each map therefore gets a per-instance seed mixed into every hash. The
//! seed comes from the caller (the TS side passes random bits), keeping the core free of entropy
//! sources.

use std::hash::{BuildHasher, Hasher};

const K: u64 = 0x9e37_79b9_7f4a_7c15;

#[derive(Clone, Copy)]
pub struct SeededState(pub u64);

impl BuildHasher for SeededState {
    type Hasher = FoldHasher;
    #[inline]
    fn build_hasher(&self) -> FoldHasher {
        FoldHasher { h: self.0 ^ K }
    }
}

pub struct FoldHasher {
    h: u64,
}

impl FoldHasher {
    #[inline(always)]
    fn mix(&mut self, w: u64) {
        // 64-bit multiply-rotate (wasm32 has a native i64.mul; a 128-bit product would be a call).
        self.h = (self.h ^ w).wrapping_mul(K).rotate_left(31);
    }
}

impl Hasher for FoldHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.mix(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        let rest = chunks.remainder();
        let mut tail = [0u8; 8];
        tail[..rest.len()].copy_from_slice(rest);
        self.mix(u64::from_le_bytes(tail) ^ ((bytes.len() as u64) << 56));
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        // murmur3's fmix64: every output bit depends on every state bit.
        let mut h = self.h;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}
