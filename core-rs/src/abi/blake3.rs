//! extern "C" surface of crate::blake3: one-shot hashes and an incremental handle.
//!
//! Outputs are extendable: every `out_len` is allowed (0 included). The `_portable` one-shot and
//! the `PORTABLE` mode bit select the portable back end, for differential tests against SIMD.

use crate::blake3::{self, Hasher, Platform, KEY_LEN};

/// `mode` values of `nm_blake3_new` (low byte); `MODE_PORTABLE` may be or-ed in.
const MODE_PLAIN: u32 = 0;
const MODE_KEYED: u32 = 1;
const MODE_DERIVE_KEY: u32 = 2;
const MODE_PORTABLE: u32 = 0x100;

/// Status: a required pointer was null or the mode is unknown.
const INVALID_ARGUMENT: i32 = -1;

/// A byte slice from a (ptr, len) pair; a zero length never dereferences the pointer.
#[inline(always)]
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        core::slice::from_raw_parts(ptr, len)
    }
}

#[inline(always)]
unsafe fn bytes_mut<'a>(ptr: *mut u8, len: usize) -> &'a mut [u8] {
    if len == 0 {
        &mut []
    } else {
        core::slice::from_raw_parts_mut(ptr, len)
    }
}

/// Plain BLAKE3 of `in_len` bytes at `in_ptr`, `out_len` output bytes to `out_ptr`.
#[no_mangle]
pub unsafe extern "C" fn nm_blake3_hash(in_ptr: *const u8, in_len: usize, out_ptr: *mut u8, out_len: usize) {
    blake3::hash_xof(bytes(in_ptr, in_len), bytes_mut(out_ptr, out_len), Platform::detect());
}

/// `nm_blake3_hash` on the portable back end.
#[no_mangle]
pub unsafe extern "C" fn nm_blake3_hash_portable(in_ptr: *const u8, in_len: usize, out_ptr: *mut u8, out_len: usize) {
    blake3::hash_xof(bytes(in_ptr, in_len), bytes_mut(out_ptr, out_len), Platform::Portable);
}

/// Keyed BLAKE3 under the 32-byte key at `key_ptr`.
#[no_mangle]
pub unsafe extern "C" fn nm_blake3_keyed_hash(
    key_ptr: *const u8,
    in_ptr: *const u8,
    in_len: usize,
    out_ptr: *mut u8,
    out_len: usize,
) -> i32 {
    if key_ptr.is_null() {
        return INVALID_ARGUMENT;
    }
    let key = &*(key_ptr as *const [u8; KEY_LEN]);
    blake3::keyed_hash_xof(
        key,
        bytes(in_ptr, in_len),
        bytes_mut(out_ptr, out_len),
        Platform::detect(),
    );
    0
}

/// Derive-key: the context string (`ctx_ptr`, `ctx_len`, UTF-8) and the key material.
#[no_mangle]
pub unsafe extern "C" fn nm_blake3_derive_key(
    ctx_ptr: *const u8,
    ctx_len: usize,
    in_ptr: *const u8,
    in_len: usize,
    out_ptr: *mut u8,
    out_len: usize,
) {
    blake3::derive_key_xof(
        bytes(ctx_ptr, ctx_len),
        bytes(in_ptr, in_len),
        bytes_mut(out_ptr, out_len),
        Platform::detect(),
    );
}

/// A new incremental hasher. `mode`: 0 plain, 1 keyed (32-byte key at `ptr`), 2 derive-key
/// (context at `ptr`, `len`); or 0x100 for the portable back end. Null on a bad mode or key.
#[no_mangle]
pub unsafe extern "C" fn nm_blake3_new(mode: u32, ptr: *const u8, len: usize) -> *mut Hasher {
    let platform = if mode & MODE_PORTABLE != 0 {
        Platform::Portable
    } else {
        Platform::detect()
    };
    let hasher = match mode & !MODE_PORTABLE {
        MODE_PLAIN => Hasher::new_in(platform),
        MODE_KEYED if !ptr.is_null() && len == KEY_LEN => {
            Hasher::new_keyed_in(&*(ptr as *const [u8; KEY_LEN]), platform)
        }
        MODE_DERIVE_KEY => Hasher::new_derive_key_in(bytes(ptr, len), platform),
        _ => return core::ptr::null_mut(),
    };
    Box::into_raw(Box::new(hasher))
}

/// Absorbs `len` bytes at `ptr`.
#[no_mangle]
pub unsafe extern "C" fn nm_blake3_update(h: *mut Hasher, ptr: *const u8, len: usize) -> i32 {
    match h.as_mut() {
        Some(h) => {
            h.update(bytes(ptr, len));
            0
        }
        None => INVALID_ARGUMENT,
    }
}

/// Writes `out_len` output bytes starting at output byte `offset_hi * 2^32 + offset_lo` (two
/// halves keep the JS side off BigInt); the hasher stays usable.
#[no_mangle]
pub unsafe extern "C" fn nm_blake3_finalize(
    h: *const Hasher,
    offset_lo: u32,
    offset_hi: u32,
    out_ptr: *mut u8,
    out_len: usize,
) -> i32 {
    match h.as_ref() {
        Some(h) => {
            let offset = (offset_hi as u64) << 32 | offset_lo as u64;
            h.finalize_at(offset, bytes_mut(out_ptr, out_len));
            0
        }
        None => INVALID_ARGUMENT,
    }
}

/// Forgets all input, keeping the mode.
#[no_mangle]
pub unsafe extern "C" fn nm_blake3_reset(h: *mut Hasher) -> i32 {
    match h.as_mut() {
        Some(h) => {
            h.reset();
            0
        }
        None => INVALID_ARGUMENT,
    }
}

/// Frees a handle from `nm_blake3_new` (null is ignored).
#[no_mangle]
pub unsafe extern "C" fn nm_blake3_free(h: *mut Hasher) {
    if !h.is_null() {
        drop(Box::from_raw(h));
    }
}
