//! extern "C" surface of crate::blake2s: the keyed/unkeyed hash, HMAC-BLAKE2s and the Noise HKDF,
//! each one call. The kernel wipes its key state; the stack its frames used is scrubbed after
//! every keyed call.

use super::slices::{bytes, write};
use crate::blake2s::{hkdf, hmac, Blake2s};
use crate::wipe::{scrub_stack, HASH_STACK_WORDS};

/// Status: a key or output length outside what BLAKE2s allows, or an HKDF count other than 2/3.
const INVALID_ARGUMENT: i32 = -1;

/// BLAKE2s with `out_len` (1..=32) output bytes, keyed by `key_len` (0..=32) bytes at `key_ptr`.
#[no_mangle]
pub unsafe extern "C" fn nm_blake2s(
    key_ptr: *const u8,
    key_len: usize,
    in_ptr: *const u8,
    in_len: usize,
    out_ptr: *mut u8,
    out_len: usize,
) -> i32 {
    let Ok(mut h) = Blake2s::new(bytes(key_ptr, key_len), out_len) else {
        return INVALID_ARGUMENT;
    };
    h.update(bytes(in_ptr, in_len));
    h.finalize_into(core::slice::from_raw_parts_mut(out_ptr, out_len));
    if key_len > 0 {
        scrub_stack::<HASH_STACK_WORDS>();
    }
    0
}

/// HMAC-BLAKE2s(key, input) → 32 bytes at `out_ptr` (any key length).
#[no_mangle]
pub unsafe extern "C" fn nm_blake2s_hmac(key_ptr: *const u8, key_len: usize, in_ptr: *const u8, in_len: usize, out_ptr: *mut u8) {
    write(out_ptr, &hmac(bytes(key_ptr, key_len), &[bytes(in_ptr, in_len)]));
    scrub_stack::<HASH_STACK_WORDS>();
}

/// Noise HKDF(chaining key, ikm, n) → n·32 bytes at `out_ptr`, for n = 2 or 3.
#[no_mangle]
pub unsafe extern "C" fn nm_blake2s_hkdf(
    ck_ptr: *const u8,
    ck_len: usize,
    ikm_ptr: *const u8,
    ikm_len: usize,
    n: usize,
    out_ptr: *mut u8,
) -> i32 {
    if n != 2 && n != 3 {
        return INVALID_ARGUMENT;
    }
    hkdf(bytes(ck_ptr, ck_len), bytes(ikm_ptr, ikm_len), n, core::slice::from_raw_parts_mut(out_ptr, 32 * n));
    scrub_stack::<HASH_STACK_WORDS>();
    0
}
