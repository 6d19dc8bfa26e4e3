//! extern "C" surface of crate::aead: a keyed handle and in-place seal/open over linear memory.
//!
//! Every pointer must be valid for its length (nonce 12 bytes, tag 16, key 32) and `h` a live
//! handle from `nm_aead_new`; the TS wrapper guarantees both. `aad` and `buf` must not overlap.

use crate::aead::{ChaCha20Poly1305, KEY_SIZE, NONCE_SIZE, TAG_SIZE};

/// Status of `nm_aead_open` when the tag does not verify (the buffer is then left untouched).
const AUTH_FAILED: i32 = -1;

/// A byte slice from a (ptr, len) pair; a zero length never dereferences the pointer.
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        core::slice::from_raw_parts(ptr, len)
    }
}

unsafe fn bytes_mut<'a>(ptr: *mut u8, len: usize) -> &'a mut [u8] {
    if len == 0 {
        &mut []
    } else {
        core::slice::from_raw_parts_mut(ptr, len)
    }
}

/// Expands the 32-byte key at `key_ptr` into a handle (null if `key_ptr` is null).
#[no_mangle]
pub unsafe extern "C" fn nm_aead_new(key_ptr: *const u8) -> *mut ChaCha20Poly1305 {
    if key_ptr.is_null() {
        return core::ptr::null_mut();
    }
    let key = &*(key_ptr as *const [u8; KEY_SIZE]);
    Box::into_raw(Box::new(ChaCha20Poly1305::new(key)))
}

/// Frees a handle from `nm_aead_new` (null is ignored).
#[no_mangle]
pub unsafe extern "C" fn nm_aead_free(h: *mut ChaCha20Poly1305) {
    if !h.is_null() {
        drop(Box::from_raw(h));
    }
}

/// Encrypts `len` bytes at `buf_ptr` in place and writes the 16-byte tag to `tag_out_ptr`.
#[no_mangle]
pub unsafe extern "C" fn nm_aead_seal(
    h: *const ChaCha20Poly1305,
    nonce_ptr: *const u8,
    aad_ptr: *const u8,
    aad_len: usize,
    buf_ptr: *mut u8,
    len: usize,
    tag_out_ptr: *mut u8,
) {
    let aead = &*h;
    let nonce = &*(nonce_ptr as *const [u8; NONCE_SIZE]);
    let tag = aead.seal_in_place(nonce, bytes(aad_ptr, aad_len), bytes_mut(buf_ptr, len));
    core::ptr::copy_nonoverlapping(tag.as_ptr(), tag_out_ptr, TAG_SIZE);
}

/// Verifies the tag at `tag_ptr`, then decrypts `len` bytes at `buf_ptr` in place.
/// Returns 0, or -1 when the tag does not verify (the buffer is then unchanged).
#[no_mangle]
pub unsafe extern "C" fn nm_aead_open(
    h: *const ChaCha20Poly1305,
    nonce_ptr: *const u8,
    aad_ptr: *const u8,
    aad_len: usize,
    buf_ptr: *mut u8,
    len: usize,
    tag_ptr: *const u8,
) -> i32 {
    let aead = &*h;
    let nonce = &*(nonce_ptr as *const [u8; NONCE_SIZE]);
    let tag = &*(tag_ptr as *const [u8; TAG_SIZE]);
    match aead.open_in_place(nonce, bytes(aad_ptr, aad_len), bytes_mut(buf_ptr, len), tag) {
        Ok(()) => 0,
        Err(_) => AUTH_FAILED,
    }
}
