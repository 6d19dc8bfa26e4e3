//! extern "C" surface of crate::noise: msg1 screening against every accepted initiator in one call.

use super::slices::{array, bytes};
use crate::noise::{screen_msg1, Screen};
use crate::wipe::{scrub_stack, CURVE_STACK_WORDS};

/// No candidate authenticates the message.
const NO_MATCH: i32 = -1;
/// Too short, or a small-order ephemeral key.
const MALFORMED: i32 = -2;

/// Index of the matching candidate (of `n`, 32 bytes each at `hs_ptr`), NO_MATCH or MALFORMED.
#[no_mangle]
pub unsafe extern "C" fn nm_noise_msg1_screen(
    secret_ptr: *const u8,
    ck_ptr: *const u8,
    hs_ptr: *const u8,
    n: usize,
    msg_ptr: *const u8,
    msg_len: usize,
) -> i32 {
    let r = screen_msg1(array(secret_ptr), array(ck_ptr), bytes(hs_ptr, 32 * n), bytes(msg_ptr, msg_len));
    scrub_stack::<CURVE_STACK_WORDS>();
    match r {
        Screen::Match(i) => i as i32,
        Screen::NoMatch => NO_MATCH,
        Screen::Malformed => MALFORMED,
    }
}
