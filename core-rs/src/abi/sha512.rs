//! extern "C" surface of crate::sha512: a one-shot digest.

use super::slices::{bytes, write};
use crate::sha512::sha512;

/// SHA-512 of `in_len` bytes at `in_ptr` → 64 bytes at `out_ptr`.
#[no_mangle]
pub unsafe extern "C" fn nm_sha512(in_ptr: *const u8, in_len: usize, out_ptr: *mut u8) {
    write(out_ptr, &sha512(&[bytes(in_ptr, in_len)]));
}
