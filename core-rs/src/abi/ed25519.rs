//! extern "C" surface of crate::ed25519: public key, sign and strict verify. Seeds and public
//! keys are 32 bytes, signatures 64; the TS wrapper checks lengths and wipes the seed it copied.

use super::slices::{array, bytes, write};
use crate::ed25519::{public_key, sign, verify_strict};
use crate::wipe::{scrub_stack, CURVE_STACK_WORDS};

/// Status of `nm_ed25519_verify` for a signature strict verification refuses.
const INVALID_SIGNATURE: i32 = -1;

/// The public key of the seed at `seed_ptr` → 32 bytes at `out_ptr`.
#[no_mangle]
pub unsafe extern "C" fn nm_ed25519_public_key(seed_ptr: *const u8, out_ptr: *mut u8) {
    write(out_ptr, &public_key(array(seed_ptr)));
    scrub_stack::<CURVE_STACK_WORDS>();
}

/// The signature of `msg_len` bytes at `msg_ptr` under the seed → 64 bytes at `sig_out_ptr`.
#[no_mangle]
pub unsafe extern "C" fn nm_ed25519_sign(seed_ptr: *const u8, msg_ptr: *const u8, msg_len: usize, sig_out_ptr: *mut u8) {
    write(sig_out_ptr, &sign(array(seed_ptr), bytes(msg_ptr, msg_len)));
    scrub_stack::<CURVE_STACK_WORDS>();
}

/// 0 when the signature strictly verifies, INVALID_SIGNATURE otherwise.
#[no_mangle]
pub unsafe extern "C" fn nm_ed25519_verify(pk_ptr: *const u8, msg_ptr: *const u8, msg_len: usize, sig_ptr: *const u8) -> i32 {
    if verify_strict(array(pk_ptr), bytes(msg_ptr, msg_len), array(sig_ptr)) {
        0
    } else {
        INVALID_SIGNATURE
    }
}
