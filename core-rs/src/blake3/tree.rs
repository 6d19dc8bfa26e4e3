//! Hashing whole subtrees at once: the leaves go through `hash_many` `simd_degree` chunks at a
//! time and each level of parents is merged the same way, so a wide back end stays busy from the
//! chunks to the root. This is the reference algorithm's tree; the results equal the serial one.

use super::chunk::{ChunkState, Output};
use super::{CvWords, Platform, BLOCK_LEN, CHUNK_LEN, OUT_LEN, PARENT};

/// The widest `simd_degree` of any back end (the simd128 one does 4 inputs at once).
const MAX_DEGREE: usize = 4;
/// Subtree steps return at least 2 CVs, even when the degree is 1.
const MAX_DEGREE_OR_2: usize = if MAX_DEGREE > 2 { MAX_DEGREE } else { 2 };

#[inline]
pub(crate) fn largest_power_of_two_leq(n: usize) -> usize {
    debug_assert!(n > 0);
    1 << (usize::BITS - 1 - n.leading_zeros())
}

/// The left subtree of an input longer than one chunk: the largest power-of-two number of whole
/// chunks that leaves at least one byte on the right.
#[inline]
fn left_len(content_len: usize) -> usize {
    debug_assert!(content_len > CHUNK_LEN);
    let full_chunks = (content_len - 1) / CHUNK_LEN;
    largest_power_of_two_leq(full_chunks) * CHUNK_LEN
}

/// Hashes up to `MAX_DEGREE` chunks (the last may be partial) into CVs at `out`; returns how many.
fn compress_chunks_parallel(
    input: &[u8],
    key: &CvWords,
    chunk_counter: u64,
    flags: u8,
    platform: Platform,
    out: &mut [u8],
) -> usize {
    debug_assert!(!input.is_empty() && input.len() <= MAX_DEGREE * CHUNK_LEN);
    let whole = input.len() / CHUNK_LEN;
    let mut ptrs = [core::ptr::null::<u8>(); MAX_DEGREE];
    for (i, p) in ptrs.iter_mut().enumerate().take(whole) {
        *p = input[i * CHUNK_LEN..].as_ptr();
    }
    // Safety: each pointer addresses a whole chunk inside `input`; `out` has room for MAX_DEGREE CVs.
    unsafe {
        platform.hash_many(
            &ptrs[..whole],
            CHUNK_LEN / BLOCK_LEN,
            key,
            chunk_counter,
            true,
            flags,
            super::CHUNK_START,
            super::CHUNK_END,
            out,
        )
    };
    let rest = &input[whole * CHUNK_LEN..];
    if rest.is_empty() {
        return whole;
    }
    let mut state = ChunkState::new(key, chunk_counter + whole as u64, flags, platform);
    state.update(rest);
    out[whole * OUT_LEN..(whole + 1) * OUT_LEN].copy_from_slice(&state.output().chaining_value());
    whole + 1
}

/// Merges pairs of CVs into parent CVs at `out`; an odd last CV is carried up as it is.
fn compress_parents_parallel(cvs: &[u8], key: &CvWords, flags: u8, platform: Platform, out: &mut [u8]) -> usize {
    debug_assert!(cvs.len() % OUT_LEN == 0 && cvs.len() <= 2 * MAX_DEGREE_OR_2 * OUT_LEN);
    let pairs = cvs.len() / BLOCK_LEN;
    let mut ptrs = [core::ptr::null::<u8>(); MAX_DEGREE_OR_2];
    for (i, p) in ptrs.iter_mut().enumerate().take(pairs) {
        *p = cvs[i * BLOCK_LEN..].as_ptr();
    }
    // Safety: each pointer addresses 64 bytes of `cvs`; `out` has room for the results.
    unsafe { platform.hash_many(&ptrs[..pairs], 1, key, 0, false, flags | PARENT, 0, 0, out) };
    if cvs.len() % BLOCK_LEN == 0 {
        return pairs;
    }
    out[pairs * OUT_LEN..(pairs + 1) * OUT_LEN].copy_from_slice(&cvs[pairs * BLOCK_LEN..]);
    pairs + 1
}

/// Hashes a subtree (power-of-two chunks, except along the right edge) down to at most
/// `max(degree, 2)` CVs, written to `out`; returns how many. Never returns 1 for a multi-chunk
/// input, so the caller can always form a parent.
fn compress_subtree_wide(
    input: &[u8],
    key: &CvWords,
    chunk_counter: u64,
    flags: u8,
    platform: Platform,
    out: &mut [u8],
) -> usize {
    if input.len() <= platform.simd_degree() * CHUNK_LEN {
        return compress_chunks_parallel(input, key, chunk_counter, flags, platform, out);
    }
    let (left, right) = input.split_at(left_len(input.len()));
    let right_counter = chunk_counter + (left.len() / CHUNK_LEN) as u64;
    let mut cv_array = [0u8; 2 * MAX_DEGREE_OR_2 * OUT_LEN];
    let degree = if left.len() == CHUNK_LEN {
        // Degree 1 at the leaves: one CV per side.
        1
    } else {
        core::cmp::max(platform.simd_degree(), 2)
    };
    let (left_out, right_out) = cv_array.split_at_mut(degree * OUT_LEN);
    let left_n = compress_subtree_wide(left, key, chunk_counter, flags, platform, left_out);
    let right_n = compress_subtree_wide(right, key, right_counter, flags, platform, right_out);
    debug_assert_eq!(left_n, degree);
    debug_assert!(right_n >= 1 && right_n <= left_n);
    if left_n == 1 {
        out[..2 * OUT_LEN].copy_from_slice(&cv_array[..2 * OUT_LEN]);
        return 2;
    }
    compress_parents_parallel(&cv_array[..(left_n + right_n) * OUT_LEN], key, flags, platform, out)
}

/// Hashes a multi-chunk subtree down to its top two CVs (the root's block, or a pair to push).
pub(crate) fn compress_subtree_to_parent_node(
    input: &[u8],
    key: &CvWords,
    chunk_counter: u64,
    flags: u8,
    platform: Platform,
) -> [u8; BLOCK_LEN] {
    debug_assert!(input.len() > CHUNK_LEN);
    let mut cv_array = [0u8; MAX_DEGREE_OR_2 * OUT_LEN];
    let mut n = compress_subtree_wide(input, key, chunk_counter, flags, platform, &mut cv_array);
    debug_assert!(n >= 2);
    let mut out_array = [0u8; MAX_DEGREE_OR_2 * OUT_LEN / 2];
    while n > 2 {
        n = compress_parents_parallel(&cv_array[..n * OUT_LEN], key, flags, platform, &mut out_array);
        cv_array[..n * OUT_LEN].copy_from_slice(&out_array[..n * OUT_LEN]);
    }
    let mut block = [0u8; BLOCK_LEN];
    block.copy_from_slice(&cv_array[..BLOCK_LEN]);
    block
}

/// The root output of a whole input hashed in one go.
pub(crate) fn hash_all_at_once(input: &[u8], key: &CvWords, flags: u8, platform: Platform) -> Output {
    if input.len() <= CHUNK_LEN {
        let mut state = ChunkState::new(key, 0, flags, platform);
        state.update(input);
        return state.output();
    }
    Output {
        input_cv: *key,
        block: compress_subtree_to_parent_node(input, key, 0, flags, platform),
        block_len: BLOCK_LEN as u8,
        counter: 0,
        flags: flags | PARENT,
        platform,
    }
}
