//! extern "C" surface of crate::packet: a session handle plus batch seal/open over linear memory.
//! Layouts of the batch regions are documented in `packet/batch.rs`; status codes in
//! `packet/error.rs` (0 / positive = success, negative = error).

use crate::packet::batch;
use crate::packet::{PacketError, Session};

unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 || ptr.is_null() { &[] } else { core::slice::from_raw_parts(ptr, len) }
}

unsafe fn bytes_mut<'a>(ptr: *mut u8, len: usize) -> &'a mut [u8] {
    if len == 0 || ptr.is_null() { &mut [] } else { core::slice::from_raw_parts_mut(ptr, len) }
}

fn status(r: Result<usize, PacketError>) -> i32 {
    match r {
        Ok(n) => n as i32,
        Err(e) => e.code(),
    }
}

/// A session from 64 bytes at `keys_ptr` (tx key ‖ rx key) and its session id; null on a null pointer.
#[no_mangle]
pub unsafe extern "C" fn nm_packet_session_new(keys_ptr: *const u8, session_id: u64) -> *mut Session {
    if keys_ptr.is_null() {
        return core::ptr::null_mut();
    }
    let keys = &*(keys_ptr as *const [u8; 64]);
    let mut tx = [0u8; 32];
    let mut rx = [0u8; 32];
    tx.copy_from_slice(&keys[..32]);
    rx.copy_from_slice(&keys[32..]);
    Box::into_raw(Box::new(Session::new(&tx, &rx, session_id)))
}

/// Frees a session handle (null is ignored).
#[no_mangle]
pub unsafe extern "C" fn nm_packet_session_free(s: *mut Session) {
    if !s.is_null() {
        drop(Box::from_raw(s));
    }
}

/// The TX counter the next sealed packet will use.
#[no_mangle]
pub unsafe extern "C" fn nm_packet_session_next_counter(s: *const Session) -> u64 {
    if s.is_null() {
        return 0;
    }
    (*s).next_tx_counter()
}

/// Moves the TX counter forward to `next` (0 ok; CounterExhausted if that would move it back).
#[no_mangle]
pub unsafe extern "C" fn nm_packet_session_advance_counter(s: *mut Session, next: u64) -> i32 {
    if s.is_null() {
        return PacketError::InvalidLayout.code();
    }
    status((*s).advance_tx_counter(next).map(|_| 0))
}

/// The replay window's rx_next (highest admitted counter + 1).
#[no_mangle]
pub unsafe extern "C" fn nm_packet_session_rx_next(s: *const Session) -> u64 {
    if s.is_null() {
        return 0;
    }
    (*s).replay().rx_next()
}

/// Seals every record of the input region into the output region; returns the packet count or a
/// negative error code (nothing written, no counter consumed). Regions must not overlap.
#[no_mangle]
pub unsafe extern "C" fn nm_packet_seal_batch(
    s: *mut Session,
    in_ptr: *const u8,
    in_len: usize,
    out_ptr: *mut u8,
    out_cap: usize,
) -> i32 {
    if s.is_null() {
        return PacketError::InvalidLayout.code();
    }
    status(batch::seal_batch(&mut *s, bytes(in_ptr, in_len), bytes_mut(out_ptr, out_cap)))
}

/// Opens every datagram of the input region in place; per-datagram results and the frame table go
/// to the output region. Returns the datagram count or a negative error code (layout/capacity).
#[no_mangle]
pub unsafe extern "C" fn nm_packet_open_batch(
    s: *mut Session,
    in_ptr: *mut u8,
    in_len: usize,
    out_ptr: *mut u8,
    out_cap: usize,
) -> i32 {
    if s.is_null() {
        return PacketError::InvalidLayout.code();
    }
    status(batch::open_batch(&mut *s, bytes_mut(in_ptr, in_len), bytes_mut(out_ptr, out_cap)))
}
