//! The portable compression function: 16 u32 state words, 7 rounds, message words picked through
//! the precomputed schedule (the indices are constants once the rounds are unrolled).

use super::{CvWords, BLOCK_LEN, CHUNK_START, IV, MSG_SCHEDULE, OUT_LEN};

/// The quarter-round G, shared with BLAKE2s (BLAKE3 kept BLAKE2s's G unchanged).
#[inline(always)]
pub(crate) fn g(s: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize, x: u32, y: u32) {
    s[a] = s[a].wrapping_add(s[b]).wrapping_add(x);
    s[d] = (s[d] ^ s[a]).rotate_right(16);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_right(12);
    s[a] = s[a].wrapping_add(s[b]).wrapping_add(y);
    s[d] = (s[d] ^ s[a]).rotate_right(8);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_right(7);
}

#[inline(always)]
fn round(s: &mut [u32; 16], m: &[u32; 16], r: usize) {
    let k = &MSG_SCHEDULE[r];
    // Columns, then diagonals.
    g(s, 0, 4, 8, 12, m[k[0]], m[k[1]]);
    g(s, 1, 5, 9, 13, m[k[2]], m[k[3]]);
    g(s, 2, 6, 10, 14, m[k[4]], m[k[5]]);
    g(s, 3, 7, 11, 15, m[k[6]], m[k[7]]);
    g(s, 0, 5, 10, 15, m[k[8]], m[k[9]]);
    g(s, 1, 6, 11, 12, m[k[10]], m[k[11]]);
    g(s, 2, 7, 8, 13, m[k[12]], m[k[13]]);
    g(s, 3, 4, 9, 14, m[k[14]], m[k[15]]);
}

#[inline(always)]
fn load_block(block: &[u8; BLOCK_LEN]) -> [u32; 16] {
    let mut m = [0u32; 16];
    for i in 0..16 {
        m[i] = u32::from_le_bytes([block[4 * i], block[4 * i + 1], block[4 * i + 2], block[4 * i + 3]]);
    }
    m
}

#[inline(always)]
fn compress_state(cv: &CvWords, m: &[u32; 16], block_len: u8, counter: u64, flags: u8) -> [u32; 16] {
    let mut s = [
        cv[0],
        cv[1],
        cv[2],
        cv[3],
        cv[4],
        cv[5],
        cv[6],
        cv[7],
        IV[0],
        IV[1],
        IV[2],
        IV[3],
        counter as u32,
        (counter >> 32) as u32,
        block_len as u32,
        flags as u32,
    ];
    round(&mut s, m, 0);
    round(&mut s, m, 1);
    round(&mut s, m, 2);
    round(&mut s, m, 3);
    round(&mut s, m, 4);
    round(&mut s, m, 5);
    round(&mut s, m, 6);
    s
}

pub(crate) fn compress_in_place(cv: &mut CvWords, block: &[u8; BLOCK_LEN], block_len: u8, counter: u64, flags: u8) {
    let m = load_block(block);
    let s = compress_state(cv, &m, block_len, counter, flags);
    for i in 0..8 {
        cv[i] = s[i] ^ s[i + 8];
    }
}

pub(crate) fn compress_xof(cv: &CvWords, block: &[u8; BLOCK_LEN], block_len: u8, counter: u64, flags: u8) -> [u8; 64] {
    let m = load_block(block);
    let s = compress_state(cv, &m, block_len, counter, flags);
    let mut out = [0u8; 64];
    for i in 0..8 {
        out[4 * i..4 * i + 4].copy_from_slice(&(s[i] ^ s[i + 8]).to_le_bytes());
        out[32 + 4 * i..32 + 4 * i + 4].copy_from_slice(&(s[i + 8] ^ cv[i]).to_le_bytes());
    }
    out
}

/// Consecutive full blocks of one chunk.
pub(crate) fn compress_blocks(cv: &mut CvWords, blocks: &[u8], counter: u64, flags: u8, start: bool) {
    let mut block_flags = flags | if start { CHUNK_START } else { 0 };
    for block in blocks.chunks_exact(BLOCK_LEN) {
        compress_in_place(cv, block.try_into().unwrap(), BLOCK_LEN as u8, counter, block_flags);
        block_flags = flags;
    }
}

/// One input at a time; see `Platform::hash_many`.
pub(crate) unsafe fn hash_many(
    inputs: &[*const u8],
    blocks: usize,
    key: &CvWords,
    mut counter: u64,
    increment_counter: bool,
    flags: u8,
    flags_start: u8,
    flags_end: u8,
    out: &mut [u8],
) {
    for (i, &input) in inputs.iter().enumerate() {
        let input = core::slice::from_raw_parts(input, blocks * BLOCK_LEN);
        let mut cv = *key;
        let mut block_flags = flags | flags_start;
        for (b, block) in input.chunks_exact(BLOCK_LEN).enumerate() {
            if b + 1 == blocks {
                block_flags |= flags_end;
            }
            compress_in_place(
                &mut cv,
                block.try_into().unwrap(),
                BLOCK_LEN as u8,
                counter,
                block_flags,
            );
            block_flags = flags;
        }
        for (w, word) in cv.iter().enumerate() {
            out[i * OUT_LEN + 4 * w..i * OUT_LEN + 4 * w + 4].copy_from_slice(&word.to_le_bytes());
        }
        if increment_counter {
            counter += 1;
        }
    }
}
