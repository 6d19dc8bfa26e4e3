//! Stream control payloads (wire.md §8): each is one frame on `CONTROL_STREAM_ID`, all fields
//! u64 little-endian. A payload of any other length is not that message and MUST be ignored, so
//! decoders return `None` for it.

/// The stream id control frames travel on.
pub const CONTROL_STREAM_ID: u64 = u64::MAX;
pub const SUBPROTOCOL_STREAM_WINDOW: u16 = 0x0B00;
pub const SUBPROTOCOL_STREAM_NACK: u16 = 0x0B01;
pub const SUBPROTOCOL_STREAM_RESET: u16 = 0x0B02;

pub const STREAM_WINDOW_LEN: usize = 24;
pub const STREAM_NACK_LEN: usize = 24;
pub const STREAM_RESET_LEN: usize = 8;

/// Grant + cumulative ack (`0x0B00`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamWindow {
    pub stream_id: u64,
    pub total_consumed: u64,
    pub ack_seq: u64,
}

/// Retransmit request (`0x0B01`): `next_expected` is always missing, bit i of the bitmap names
/// `next_expected + 1 + i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamNack {
    pub stream_id: u64,
    pub next_expected: u64,
    pub missing_bitmap: u64,
}

/// The sender gave up on the stream (`0x0B02`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamReset {
    pub stream_id: u64,
}

fn put3(a: u64, b: u64, c: u64) -> [u8; 24] {
    let mut out = [0u8; 24];
    out[0..8].copy_from_slice(&a.to_le_bytes());
    out[8..16].copy_from_slice(&b.to_le_bytes());
    out[16..24].copy_from_slice(&c.to_le_bytes());
    out
}

fn get(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

impl StreamWindow {
    pub fn encode(&self) -> [u8; STREAM_WINDOW_LEN] {
        put3(self.stream_id, self.total_consumed, self.ack_seq)
    }
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != STREAM_WINDOW_LEN {
            return None;
        }
        Some(Self { stream_id: get(bytes, 0), total_consumed: get(bytes, 8), ack_seq: get(bytes, 16) })
    }
}

impl StreamNack {
    pub fn encode(&self) -> [u8; STREAM_NACK_LEN] {
        put3(self.stream_id, self.next_expected, self.missing_bitmap)
    }
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != STREAM_NACK_LEN {
            return None;
        }
        Some(Self { stream_id: get(bytes, 0), next_expected: get(bytes, 8), missing_bitmap: get(bytes, 16) })
    }
}

impl StreamReset {
    pub fn encode(&self) -> [u8; STREAM_RESET_LEN] {
        self.stream_id.to_le_bytes()
    }
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != STREAM_RESET_LEN {
            return None;
        }
        Some(Self { stream_id: get(bytes, 0) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_is_little_endian() {
        // wire.md §19 test_endianness_is_little_endian.
        let b = StreamWindow { stream_id: 1, total_consumed: 1, ack_seq: 1 }.encode();
        for at in [0, 8, 16] {
            assert_eq!(b[at], 0x01);
            assert_eq!(b[at + 1], 0x00);
        }
        assert_eq!(StreamWindow::decode(&b), Some(StreamWindow { stream_id: 1, total_consumed: 1, ack_seq: 1 }));
    }

    #[test]
    fn wrong_lengths_rejected() {
        let b = StreamWindow { stream_id: 7, total_consumed: 8, ack_seq: 9 }.encode();
        assert_eq!(StreamWindow::decode(&b[..23]), None);
        let mut long = b.to_vec();
        long.push(0);
        assert_eq!(StreamWindow::decode(&long), None);
        assert_eq!(StreamNack::decode(&b[..23]), None);
        assert_eq!(StreamNack::decode(&long), None);
        assert_eq!(StreamReset::decode(&b[..7]), None);
        assert_eq!(StreamReset::decode(&b[..9]), None);
        assert_eq!(StreamReset::decode(&[]), None);
    }

    #[test]
    fn round_trips_full_range() {
        let w = StreamWindow { stream_id: u64::MAX, total_consumed: 0x0123_4567_89AB_CDEF, ack_seq: 1 << 63 };
        assert_eq!(StreamWindow::decode(&w.encode()), Some(w));
        let n = StreamNack { stream_id: 0xFEDC_BA09_8765_4321, next_expected: 100, missing_bitmap: 0b1010_0101 };
        let enc = n.encode();
        assert_eq!(&enc[16..24], &[0xA5, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(StreamNack::decode(&enc), Some(n));
        let r = StreamReset { stream_id: 0x1122_3344_5566_7788 };
        assert_eq!(r.encode(), [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
        assert_eq!(StreamReset::decode(&r.encode()), Some(r));
    }
}
