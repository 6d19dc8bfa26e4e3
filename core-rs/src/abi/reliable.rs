//! extern "C" surface of crate::reliable: one handle per stream record (both directions).
//!
//! Time arguments are `now_ms: f64` (milliseconds on any monotonic clock, fractions allowed, e.g.
//! `performance.now()`); the core converts to integer nanoseconds. u64 wire values (seqs, byte
//! counts, bitmaps) come in as `(lo, hi)` u32 pairs so no BigInt crosses the boundary. Results
//! that do not fit the `i32` return go to the handle's output words: read them through the
//! pointer from `nm_reliable_out(h)`, taken after the call (valid until the next call on `h`).

use crate::reliable::credit::GrantOutcome;
use crate::reliable::stream::{AdmitError, PacketIn};
use crate::reliable::{Refusal, StreamConfig, StreamState};

/// The boxed state behind a handle: the record plus its output words.
pub struct ReliableHandle {
    state: StreamState,
    out: Vec<u64>,
}

const ERR_NULL: i32 = -1;
const ERR_TOO_LARGE: i32 = -2;
const ERR_BAD_FRAMING: i32 = -3;
const ERR_BAD_TABLE: i32 = -4;

fn ns(now_ms: f64) -> u64 {
    if now_ms.is_finite() && now_ms > 0.0 {
        // `as` saturates at u64::MAX.
        (now_ms * 1e6).round() as u64
    } else {
        0
    }
}

fn u64_of(lo: u32, hi: u32) -> u64 {
    (u64::from(hi) << 32) | u64::from(lo)
}

unsafe fn handle<'a>(h: *mut ReliableHandle) -> Option<&'a mut ReliableHandle> {
    h.as_mut()
}

/// Creates a stream record. `max_retries` above 255 is clamped; `initial_rto_ms` ≤ 0 (or NaN)
/// means the default 50 ms.
#[no_mangle]
pub extern "C" fn nm_reliable_new(reliable: u32, window_bytes: u32, max_retries: u32, initial_rto_ms: f64, now_ms: f64) -> *mut ReliableHandle {
    let mut config = StreamConfig { reliable: reliable != 0, window_bytes, max_retries: max_retries.min(255) as u8, ..Default::default() };
    if initial_rto_ms.is_finite() && initial_rto_ms > 0.0 {
        config.initial_rto_ns = ns(initial_rto_ms);
    }
    Box::into_raw(Box::new(ReliableHandle { state: StreamState::new(config, ns(now_ms)), out: Vec::with_capacity(8) }))
}

/// Frees a handle (null is ignored), dropping its retransmit descriptors.
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_free(h: *mut ReliableHandle) {
    if !h.is_null() {
        drop(Box::from_raw(h));
    }
}

/// Pointer to the handle's output words (u64, 8-byte aligned); 0 for a null handle.
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_out(h: *mut ReliableHandle) -> *const u64 {
    match handle(h) {
        Some(h) => h.out.as_ptr(),
        None => core::ptr::null(),
    }
}

/// §3 for one call. `table` holds `count` pairs `[framed_len u32, event_count u32]`; `data` holds
/// the framed packets back to back. Returns the number admitted (out: `[first_seq, refusal]`), or
/// -2 (packet too large) / -3 (framing does not match event_count), out: `[index]`, or -4 (table
/// longer than the data).
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_admit(
    h: *mut ReliableHandle,
    table: *const u32,
    count: u32,
    data: *const u8,
    data_len: u32,
    now_ms: f64,
    all_or_nothing: u32,
) -> i32 {
    let Some(h) = handle(h) else { return ERR_NULL };
    let count = count as usize;
    let table: &[u32] = if count == 0 { &[] } else { core::slice::from_raw_parts(table, count * 2) };
    let data: &[u8] = if data_len == 0 { &[] } else { core::slice::from_raw_parts(data, data_len as usize) };
    let mut packets = Vec::with_capacity(count);
    let mut at = 0usize;
    for pair in table.chunks_exact(2) {
        let len = pair[0] as usize;
        let Some(end) = at.checked_add(len).filter(|&e| e <= data.len()) else { return ERR_BAD_TABLE };
        packets.push(PacketIn { framed: &data[at..end], event_count: pair[1] });
        at = end;
    }
    h.out.clear();
    match h.state.admit(&packets, ns(now_ms), all_or_nothing != 0) {
        Ok(a) => {
            h.out.extend_from_slice(&[a.first_seq, a.refusal as u64]);
            a.admitted as i32
        }
        Err(AdmitError::TooLarge { index }) => {
            h.out.push(index as u64);
            ERR_TOO_LARGE
        }
        Err(AdmitError::BadFraming { index }) => {
            h.out.push(index as u64);
            ERR_BAD_FRAMING
        }
    }
}

/// Refunds the charge of an unreliable packet whose hand-off failed (no-op on reliable streams).
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_refund(h: *mut ReliableHandle, framed_len: u32) -> i32 {
    let Some(h) = handle(h) else { return ERR_NULL };
    h.state.refund(framed_len as usize);
    0
}

/// Accept (1) or reject (0) an authenticated event-plane packet with this seq.
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_on_receive(h: *mut ReliableHandle, seq_lo: u32, seq_hi: u32, plaintext_len: u32, now_ms: f64) -> i32 {
    let Some(h) = handle(h) else { return ERR_NULL };
    h.state.on_receive(u64_of(seq_lo, seq_hi), plaintext_len as usize, ns(now_ms)) as i32
}

/// Grant values now. out: `[total_consumed, ack_seq]`.
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_grant(h: *mut ReliableHandle) -> i32 {
    let Some(h) = handle(h) else { return ERR_NULL };
    let (tc, ack) = h.state.grant_values();
    h.out.clear();
    h.out.extend_from_slice(&[tc, ack]);
    0
}

/// 1 when the receive side has a gap (out: `[next_expected, missing_bitmap]`), else 0.
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_build_nack(h: *mut ReliableHandle) -> i32 {
    let Some(h) = handle(h) else { return ERR_NULL };
    h.out.clear();
    match h.state.build_nack() {
        Some(n) => {
            h.out.extend_from_slice(&[n.next_expected, n.missing_bitmap]);
            1
        }
        None => 0,
    }
}

/// A StreamWindow grant: returns 1 applied, 0 stale, 2 credit disabled (window 0).
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_on_window(h: *mut ReliableHandle, tc_lo: u32, tc_hi: u32, ack_lo: u32, ack_hi: u32, now_ms: f64) -> i32 {
    let Some(h) = handle(h) else { return ERR_NULL };
    match h.state.on_window(u64_of(tc_lo, tc_hi), u64_of(ack_lo, ack_hi), ns(now_ms)) {
        GrantOutcome::Applied => 1,
        GrantOutcome::Stale => 0,
        GrantOutcome::Disabled => 2,
    }
}

/// A StreamNack: returns the number of seqs to resend now; out: those seqs.
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_on_nack(h: *mut ReliableHandle, ne_lo: u32, ne_hi: u32, bm_lo: u32, bm_hi: u32, now_ms: f64) -> i32 {
    let Some(h) = handle(h) else { return ERR_NULL };
    h.out.clear();
    h.state.on_nack(u64_of(ne_lo, ne_hi), u64_of(bm_lo, bm_hi), ns(now_ms), &mut h.out) as i32
}

/// One retransmit tick. Returns the number of resend seqs; out: `[flags, probe_seq,
/// nack_next_expected, nack_bitmap, resend seqs…]` with flags bit 0 = probe, bit 1 = reset,
/// bit 2 = nack.
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_tick(h: *mut ReliableHandle, now_ms: f64) -> i32 {
    let Some(h) = handle(h) else { return ERR_NULL };
    h.out.clear();
    h.out.extend_from_slice(&[0, 0, 0, 0]);
    let a = h.state.tick(ns(now_ms), &mut h.out);
    let mut flags = 0u64;
    if let Some(seq) = a.probe_seq {
        flags |= 1;
        h.out[1] = seq;
    }
    if a.reset {
        flags |= 2;
    }
    if let Some(n) = a.nack {
        flags |= 4;
        h.out[2] = n.next_expected;
        h.out[3] = n.missing_bitmap;
    }
    h.out[0] = flags;
    a.resends as i32
}

/// Rebuild inputs of pending packet `seq`: returns its framed length (out: `[flags, event_count,
/// ptr]`, the bytes valid until the next call on `h`), or -5 when `seq` is not pending.
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_descriptor(h: *mut ReliableHandle, seq_lo: u32, seq_hi: u32) -> i32 {
    let Some(h) = handle(h) else { return ERR_NULL };
    h.out.clear();
    match h.state.descriptor(u64_of(seq_lo, seq_hi)) {
        Some(d) => {
            let (flags, count, ptr, len) = (d.flags, d.event_count, d.framed.as_ptr() as usize, d.framed.len());
            h.out.extend_from_slice(&[u64::from(flags), u64::from(count), ptr as u64]);
            len as i32
        }
        None => -5,
    }
}

/// Grows the credit window to `window_bytes` (never shrinks; window 0 stays 0); max_pending and
/// the cwnd cap follow. Returns the window now in force.
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_grow_window(h: *mut ReliableHandle, window_bytes: u32) -> i32 {
    let Some(h) = handle(h) else { return ERR_NULL };
    h.state.grow_window(window_bytes);
    h.state.config().window_bytes as i32
}

/// Bounds give-up by time: the stream fails only once its probes are used up and no ack has
/// advanced for `ms` (0: count only).
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_set_give_up(h: *mut ReliableHandle, ms: f64) -> i32 {
    let Some(h) = handle(h) else { return ERR_NULL };
    h.state.set_give_up_after(if ms.is_finite() && ms > 0.0 { ns(ms) } else { 0 });
    0
}

/// An ack probe of an unreliable stream: allocates and charges the next seq (exempt from the
/// credit check) and returns it as f64 (exact below 2^53), or -1 for a reliable stream.
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_unreliable_probe(h: *mut ReliableHandle, now_ms: f64) -> f64 {
    let Some(h) = handle(h) else { return -1.0 };
    match h.state.unreliable_probe(ns(now_ms)) {
        Some(seq) => seq as f64,
        None => -1.0,
    }
}

/// Reads and clears the give-up notification: 1 once after the stream gave up.
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_take_failed(h: *mut ReliableHandle) -> i32 {
    let Some(h) = handle(h) else { return ERR_NULL };
    h.state.take_failed() as i32
}

/// Counts a control frame the caller sent for this stream: 0 = StreamWindow grant, 1 = StreamNack.
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_note_sent(h: *mut ReliableHandle, what: u32) -> i32 {
    let Some(h) = handle(h) else { return ERR_NULL };
    match what {
        0 => h.state.note_grant_sent(),
        1 => h.state.note_nack_sent(),
        _ => return ERR_BAD_TABLE,
    }
    0
}

/// Packets the congestion and retransmit windows take now (`StreamState::send_room`), capped at
/// i32::MAX (unreliable streams).
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_send_room(h: *mut ReliableHandle) -> i32 {
    let Some(h) = handle(h) else { return ERR_NULL };
    h.state.send_room().min(i32::MAX as usize) as i32
}

/// Cheap state bits: 1 has_pending, 2 can_send, 4 failed, 8 probing, 16 receive gap.
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_flags(h: *mut ReliableHandle) -> i32 {
    let Some(h) = handle(h) else { return ERR_NULL };
    let s = &h.state;
    (s.has_pending() as i32)
        | ((s.can_send() as i32) << 1)
        | ((s.failed() as i32) << 2)
        | ((s.sender().is_probing() as i32) << 3)
        | (((s.reliable() && s.receiver().has_gap()) as i32) << 4)
}

/// Number of stats words written to out.
pub const STATS_WORDS: usize = 28;

/// Writes the stats words (layout in ts/core/reliable.ts `readStats`); returns their count.
#[no_mangle]
pub unsafe extern "C" fn nm_reliable_stats(h: *mut ReliableHandle) -> i32 {
    let Some(h) = handle(h) else { return ERR_NULL };
    let s = &h.state;
    let tx = s.sender();
    let c = s.credit();
    let reliable = s.reliable();
    let cwnd = if reliable { tx.cwnd() } else { 0.0 };
    let flags = (reliable as u64) | ((tx.is_probing() as u64) << 1) | ((tx.failed() as u64) << 2);
    let words: [u64; STATS_WORDS] = [
        s.tx_seq(),
        tx.acked(),
        tx.retransmits(),
        s.nacks_sent(),
        tx.nacks_received(),
        0, // untracked_evictions: never evicts (§14 (b))
        tx.rto_ns(),
        cwnd.to_bits(),
        c.credit(),
        s.rx_seq(),
        tx.len() as u64,
        tx.max_pending() as u64,
        c.window(),
        c.bytes_sent(),
        c.max_consumed_seen(),
        s.rx_credit().consumed(),
        s.receiver().next_expected(),
        c.backpressure_events(),
        c.grants_received(),
        s.rx_credit().grants_sent(),
        flags,
        tx.probes_sent(),
        tx.ssthresh().to_bits(),
        s.last_activity_ns(),
        u64::from(tx.max_retries()),
        tx.srtt_ns().unwrap_or(0),
        tx.timeout_retransmits(),
        tx.rtt_samples(),
    ];
    h.out.clear();
    h.out.extend_from_slice(&words);
    STATS_WORDS as i32
}

// Refusal codes as the TS side reads them.
const _: () = assert!(Refusal::None as u8 == 0 && Refusal::Cwnd as u8 == 1 && Refusal::Credit as u8 == 2);
const _: () = assert!(Refusal::Pending as u8 == 3 && Refusal::Failed as u8 == 4);
