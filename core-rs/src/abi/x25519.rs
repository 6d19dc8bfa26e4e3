//! extern "C" surface of crate::curve25519's X25519. Every pointer addresses 32 bytes; the TS
//! wrapper guarantees that and wipes the secret inputs and outputs it copied in.

use super::slices::{array, write};
use crate::curve25519::{is_all_zero, x25519, x25519_base};
use crate::wipe::{scrub_stack, wipe_bytes, CURVE_STACK_WORDS};

/// Status of `nm_x25519` when the shared secret is all zeros: the peer key has small order
/// (RFC 7748 §6.1 lets callers abort). The zeros are still written.
const LOW_ORDER: i32 = -2;

/// X25519(secret, public) → out; 0, or LOW_ORDER for an all-zero result.
#[no_mangle]
pub unsafe extern "C" fn nm_x25519(secret_ptr: *const u8, public_ptr: *const u8, out_ptr: *mut u8) -> i32 {
    let mut shared = x25519(array(secret_ptr), array(public_ptr));
    let low = is_all_zero(&shared);
    write(out_ptr, &shared);
    wipe_bytes(&mut shared);
    scrub_stack::<CURVE_STACK_WORDS>();
    if low {
        LOW_ORDER
    } else {
        0
    }
}

/// The public key X25519(secret, 9) → out.
#[no_mangle]
pub unsafe extern "C" fn nm_x25519_base(secret_ptr: *const u8, out_ptr: *mut u8) {
    write(out_ptr, &x25519_base(array(secret_ptr)));
    scrub_stack::<CURVE_STACK_WORDS>();
}
