//! Reliable streams, sans-IO (streams.md §4–§9, §14 (b)/(c)).
//!
//! One [`StreamState`] is the record of one `(session, stream_id)`: it holds both directions —
//! the receive side (SACK window, NACK construction, consumed-byte accounting) and the send side
//! (seq allocation, byte credit, the retransmit FIFO with RTO, cwnd and ack probing). Nothing here
//! reads a clock or builds a datagram: time comes in as nanoseconds (`now_ns`, any monotonic
//! origin), and the outputs are seqs and values the caller turns into packets.
//!
//! Submodules, one job each:
//! - [`receiver`]: `next_expected` + arrivals beyond it, `on_receive`, NACK construction (§5).
//! - [`sender`]: the pending FIFO, NACK/timeout resends, probing and give-up (§6, §14 (c)).
//! - [`rto`]: RFC 6298 estimator with the reference's integer-nanosecond truncation (§7).
//! - [`cwnd`]: Reno-style packet window (§8).
//! - [`credit`]: byte credit, sender and receiver sides (§4).
//! - [`control`]: StreamWindow / StreamNack / StreamReset payload codecs (wire.md §8).
//! - [`stream`]: the per-stream record tying the above together (§2, §3).

pub mod control;
pub mod credit;
pub mod cwnd;
pub mod receiver;
pub mod rto;
pub mod sender;
pub mod stream;

pub use stream::{Admission, Refusal, StreamConfig, StreamState, TickActions};

/// Header (68) + Poly1305 tag (16): what every packet costs on the wire beyond its plaintext.
pub const PACKET_WIRE_OVERHEAD: u64 = 84;
/// Largest framed plaintext of one packet (wire.md §5).
pub const MAX_PAYLOAD_SIZE: usize = 8108;
/// ⌊8108 / 4⌋: most frames one packet can hold (wire.md §5).
pub const MAX_EVENTS_PER_PACKET: u32 = 2027;
/// Packet flag RELIABLE (wire.md §3).
pub const FLAG_RELIABLE: u8 = 0x01;

/// Floor of the retransmit window, and the window when credit is disabled (§6).
pub const DEFAULT_MAX_PENDING: usize = 32;
/// One tracked packet per this many bytes of credit window (§6).
pub const MIN_TRACKED_PACKET_BYTES: u64 = 512;
/// Cap of the retransmit window (§6).
pub const MAX_RETRANSMIT_WINDOW: usize = 16_384;
/// Resends per packet before give-up handling, unless the stream config says otherwise (§1).
pub const DEFAULT_MAX_RETRIES: u8 = 3;
/// Seqs past `next_expected` the reference tracks (one u64 SACK bitmap, §5); NACK frames still
/// encode exactly this many.
pub const RECEIVE_LOOKAHEAD: u64 = 64;
/// Seqs past `next_expected` this project's receivers track (§14 (a)): the largest retransmit
/// window plus the ack probes and some slack, so a hole never makes the rest of a window useless.
pub const RECEIVE_TRACK_LIMIT: u64 = MAX_RETRANSMIT_WINDOW as u64 + 64;
/// Ack probes per probing episode (§14 (c) 3).
pub const MAX_ACK_PROBES: u8 = 3;
/// Default credit window (§1).
pub const DEFAULT_WINDOW_BYTES: u32 = 65_536;

/// `max_pending = 32` if the window is 0, else `clamp(⌊window / 512⌋, 32, 16384)` (§6).
pub fn max_pending_for_window(window_bytes: u32) -> usize {
    if window_bytes == 0 {
        return DEFAULT_MAX_PENDING;
    }
    let tracked = (u64::from(window_bytes) / MIN_TRACKED_PACKET_BYTES) as usize;
    tracked.clamp(DEFAULT_MAX_PENDING, MAX_RETRANSMIT_WINDOW)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_pending_table() {
        // streams.md §6 table and §15 reliability.rs expectations.
        let cases: [(u32, usize); 9] = [
            (0, 32),
            (1_024, 32),
            (16_383, 32),
            (65_536, 128),
            (256_000, 500),
            (1 << 20, 2_048),
            (8 << 20, 16_384),
            (100 << 20, 16_384),
            (u32::MAX, 16_384),
        ];
        for (window, expected) in cases {
            assert_eq!(max_pending_for_window(window), expected, "window {window}");
        }
    }
}
