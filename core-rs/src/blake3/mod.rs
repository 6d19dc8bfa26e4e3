//! BLAKE3: hash, keyed hash, derive-key and extendable output, with an incremental hasher that
//! builds exactly the reference tree (chunk state + lazily merged CV stack).
//!
//! Two compression back ends give identical results: `portable` (plain u32 arithmetic, used
//! natively and as the differential reference in wasm) and `simd128` (wasm SIMD: one block with
//! the state rows in v128 lanes, and four chunks or parents at once with their states transposed
//! into lanes). `Platform` picks one per hasher.

mod chunk;
mod hasher;
pub(crate) mod portable;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;
mod tree;

#[cfg(test)]
mod tests;

pub use hasher::{Hasher, OutputReader};

pub const OUT_LEN: usize = 32;
pub const KEY_LEN: usize = 32;
pub const BLOCK_LEN: usize = 64;
pub const CHUNK_LEN: usize = 1024;

/// Chaining values are 8 words.
pub(crate) type CvWords = [u32; 8];

pub(crate) const IV: CvWords = [
    0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
];

// Domain flags (BLAKE3 spec §2.1).
pub(crate) const CHUNK_START: u8 = 1 << 0;
pub(crate) const CHUNK_END: u8 = 1 << 1;
pub(crate) const PARENT: u8 = 1 << 2;
pub(crate) const ROOT: u8 = 1 << 3;
pub(crate) const KEYED_HASH: u8 = 1 << 4;
pub(crate) const DERIVE_KEY_CONTEXT: u8 = 1 << 5;
pub(crate) const DERIVE_KEY_MATERIAL: u8 = 1 << 6;

/// The message word permutation applied between rounds.
const MSG_PERMUTATION: [usize; 16] = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8];

/// `MSG_SCHEDULE[r][i]`: the original message word used at position `i` of round `r`
/// (the permutation composed `r` times), so no round has to move words around.
pub(crate) const MSG_SCHEDULE: [[usize; 16]; 7] = {
    let mut s = [[0usize; 16]; 7];
    let mut i = 0;
    while i < 16 {
        s[0][i] = i;
        i += 1;
    }
    let mut r = 1;
    while r < 7 {
        let mut i = 0;
        while i < 16 {
            s[r][i] = s[r - 1][MSG_PERMUTATION[i]];
            i += 1;
        }
        r += 1;
    }
    s
};

/// Which compression back end a hasher uses. Every back end produces the same bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    Portable,
    /// Test only: portable compression with the SIMD back end's degree, so native tests walk the
    /// same wide subtree code as wasm.
    #[cfg(test)]
    PortableWide,
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    Simd128,
}

impl Platform {
    /// The fastest back end this build has.
    #[inline]
    pub fn detect() -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            Platform::Simd128
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        {
            Platform::Portable
        }
    }

    /// How many inputs `hash_many` processes in one pass.
    #[inline]
    pub(crate) fn simd_degree(self) -> usize {
        match self {
            Platform::Portable => 1,
            #[cfg(test)]
            Platform::PortableWide => 4,
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Platform::Simd128 => simd128::DEGREE,
        }
    }

    /// Compresses one block into `cv` (the new chaining value replaces the old).
    #[inline]
    pub(crate) fn compress_in_place(
        self,
        cv: &mut CvWords,
        block: &[u8; BLOCK_LEN],
        block_len: u8,
        counter: u64,
        flags: u8,
    ) {
        match self {
            Platform::Portable => portable::compress_in_place(cv, block, block_len, counter, flags),
            #[cfg(test)]
            Platform::PortableWide => portable::compress_in_place(cv, block, block_len, counter, flags),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Platform::Simd128 => unsafe { simd128::compress_in_place(cv, block, block_len, counter, flags) },
        }
    }

    /// Compresses the whole blocks of `blocks` (a multiple of 64 bytes) into `cv`, one after the
    /// other as consecutive blocks of one chunk; the first gets `CHUNK_START` when `start` is set.
    #[inline]
    pub(crate) fn compress_blocks(self, cv: &mut CvWords, blocks: &[u8], counter: u64, flags: u8, start: bool) {
        debug_assert_eq!(blocks.len() % BLOCK_LEN, 0);
        match self {
            Platform::Portable => portable::compress_blocks(cv, blocks, counter, flags, start),
            #[cfg(test)]
            Platform::PortableWide => portable::compress_blocks(cv, blocks, counter, flags, start),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Platform::Simd128 => unsafe { simd128::compress_blocks(cv, blocks, counter, flags, start) },
        }
    }

    /// The full 64-byte compression output (the extendable-output block).
    #[inline]
    pub(crate) fn compress_xof(
        self,
        cv: &CvWords,
        block: &[u8; BLOCK_LEN],
        block_len: u8,
        counter: u64,
        flags: u8,
    ) -> [u8; 64] {
        match self {
            Platform::Portable => portable::compress_xof(cv, block, block_len, counter, flags),
            #[cfg(test)]
            Platform::PortableWide => portable::compress_xof(cv, block, block_len, counter, flags),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Platform::Simd128 => unsafe { simd128::compress_xof(cv, block, block_len, counter, flags) },
        }
    }

    /// Hashes each input (`blocks` whole blocks at `inputs[i]`) into a 32-byte CV at `out[32 i..]`.
    /// Chunks pass `increment_counter` (input `i` gets `counter + i`), parents pass false.
    ///
    /// Safety: every `inputs[i]` points at `blocks * 64` readable bytes and `out` holds
    /// `inputs.len() * 32` bytes.
    #[inline]
    pub(crate) unsafe fn hash_many(
        self,
        inputs: &[*const u8],
        blocks: usize,
        key: &CvWords,
        counter: u64,
        increment_counter: bool,
        flags: u8,
        flags_start: u8,
        flags_end: u8,
        out: &mut [u8],
    ) {
        debug_assert!(out.len() >= inputs.len() * OUT_LEN);
        match self {
            Platform::Portable => portable::hash_many(
                inputs,
                blocks,
                key,
                counter,
                increment_counter,
                flags,
                flags_start,
                flags_end,
                out,
            ),
            #[cfg(test)]
            Platform::PortableWide => portable::hash_many(
                inputs,
                blocks,
                key,
                counter,
                increment_counter,
                flags,
                flags_start,
                flags_end,
                out,
            ),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Platform::Simd128 => simd128::hash_many(
                inputs,
                blocks,
                key,
                counter,
                increment_counter,
                flags,
                flags_start,
                flags_end,
                out,
            ),
        }
    }
}

/// Little-endian words of a key or chaining value.
#[inline(always)]
pub(crate) fn words_from_le_bytes_32(bytes: &[u8; 32]) -> CvWords {
    let mut w = [0u32; 8];
    for (i, c) in bytes.chunks_exact(4).enumerate() {
        w[i] = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    w
}

#[inline(always)]
pub(crate) fn le_bytes_from_words_32(words: &CvWords) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, w) in words.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
    }
    out
}

/// BLAKE3 of `input`, 32 bytes.
pub fn hash(input: &[u8]) -> [u8; OUT_LEN] {
    tree::hash_all_at_once(input, &IV, 0, Platform::detect()).root_hash()
}

/// Keyed BLAKE3 (a MAC / PRF) of `input` under a 32-byte key, 32 bytes.
pub fn keyed_hash(key: &[u8; KEY_LEN], input: &[u8]) -> [u8; OUT_LEN] {
    let key_words = words_from_le_bytes_32(key);
    tree::hash_all_at_once(input, &key_words, KEYED_HASH, Platform::detect()).root_hash()
}

/// BLAKE3 derive-key: a 32-byte key from `key_material` in the domain named by `context`
/// (a hard-coded, globally unique, application-specific string).
pub fn derive_key(context: &[u8], key_material: &[u8]) -> [u8; OUT_LEN] {
    let mut out = [0u8; OUT_LEN];
    derive_key_xof(context, key_material, &mut out, Platform::detect());
    out
}

/// The key words the derive-key mode hashes material under: BLAKE3 of the context string in the
/// DERIVE_KEY_CONTEXT domain.
pub(crate) fn context_key_words(context: &[u8], platform: Platform) -> CvWords {
    let root = tree::hash_all_at_once(context, &IV, DERIVE_KEY_CONTEXT, platform).root_hash();
    words_from_le_bytes_32(&root)
}

/// Writes `out.len()` bytes of extended output of `input` (plain mode) starting at byte 0.
pub fn hash_xof(input: &[u8], out: &mut [u8], platform: Platform) {
    tree::hash_all_at_once(input, &IV, 0, platform).root_output_bytes(0, out);
}

/// Keyed extended output.
pub fn keyed_hash_xof(key: &[u8; KEY_LEN], input: &[u8], out: &mut [u8], platform: Platform) {
    let key_words = words_from_le_bytes_32(key);
    tree::hash_all_at_once(input, &key_words, KEYED_HASH, platform).root_output_bytes(0, out);
}

/// Derive-key extended output.
pub fn derive_key_xof(context: &[u8], key_material: &[u8], out: &mut [u8], platform: Platform) {
    let key_words = context_key_words(context, platform);
    tree::hash_all_at_once(key_material, &key_words, DERIVE_KEY_MATERIAL, platform).root_output_bytes(0, out);
}
