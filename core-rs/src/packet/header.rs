//! The 68-byte Net header (wire.md §2): every field little-endian, validated on decode.

use super::error::PacketError;
use super::{HEADER_SIZE, MAGIC, MAX_EVENTS_PER_PACKET, MAX_PAYLOAD_SIZE, VERSION};

/// Byte offsets of the header fields.
pub mod off {
    pub const MAGIC: usize = 0;
    pub const VERSION: usize = 2;
    pub const FLAGS: usize = 3;
    pub const PRIORITY: usize = 4;
    pub const HOP_TTL: usize = 5;
    pub const HOP_COUNT: usize = 6;
    pub const FRAG_FLAGS: usize = 7;
    pub const SUBPROTOCOL_ID: usize = 8;
    pub const CHANNEL_HASH: usize = 10;
    pub const NONCE: usize = 12;
    pub const NONCE_COUNTER: usize = 16;
    pub const SESSION_ID: usize = 24;
    pub const STREAM_ID: usize = 32;
    pub const SEQUENCE: usize = 40;
    pub const ORIGIN_HASH: usize = 48;
    pub const SUBNET_ID: usize = 56;
    pub const FRAGMENT_ID: usize = 60;
    pub const FRAGMENT_OFFSET: usize = 62;
    pub const PAYLOAD_LEN: usize = 64;
    pub const EVENT_COUNT: usize = 66;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub magic: u16,
    pub version: u8,
    pub flags: u8,
    pub priority: u8,
    pub hop_ttl: u8,
    pub hop_count: u8,
    pub frag_flags: u8,
    pub subprotocol_id: u16,
    pub channel_hash: u16,
    /// Bytes 12..24 as sent: prefix (4) ‖ counter u64 LE (8).
    pub nonce: [u8; 12],
    pub session_id: u64,
    pub stream_id: u64,
    pub sequence: u64,
    pub origin_hash: u64,
    pub subnet_id: u32,
    pub fragment_id: u16,
    pub fragment_offset: u16,
    pub payload_len: u16,
    pub event_count: u16,
}

impl Default for Header {
    /// magic and version set, everything else zero.
    fn default() -> Self {
        Header {
            magic: MAGIC,
            version: VERSION,
            flags: 0,
            priority: 0,
            hop_ttl: 0,
            hop_count: 0,
            frag_flags: 0,
            subprotocol_id: 0,
            channel_hash: 0,
            nonce: [0; 12],
            session_id: 0,
            stream_id: 0,
            sequence: 0,
            origin_hash: 0,
            subnet_id: 0,
            fragment_id: 0,
            fragment_offset: 0,
            payload_len: 0,
            event_count: 0,
        }
    }
}

#[inline(always)]
pub(crate) fn rd16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
#[inline(always)]
pub(crate) fn rd32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
#[inline(always)]
pub(crate) fn rd64(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}
#[inline(always)]
pub(crate) fn wr16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}
#[inline(always)]
pub(crate) fn wr32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}
#[inline(always)]
pub(crate) fn wr64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

/// The receiver checks of wire.md §2, in this order: length, magic, version, payload_len,
/// event_count. Works on raw bytes so hot paths need not build a `Header`.
#[inline]
pub fn validate_bytes(bytes: &[u8]) -> Result<(), PacketError> {
    if bytes.len() < HEADER_SIZE {
        return Err(PacketError::TooShort);
    }
    if rd16(bytes, off::MAGIC) != MAGIC {
        return Err(PacketError::BadMagic);
    }
    if bytes[off::VERSION] != VERSION {
        return Err(PacketError::BadVersion);
    }
    if rd16(bytes, off::PAYLOAD_LEN) as usize > MAX_PAYLOAD_SIZE {
        return Err(PacketError::PayloadTooLarge);
    }
    if rd16(bytes, off::EVENT_COUNT) as usize > MAX_EVENTS_PER_PACKET {
        return Err(PacketError::TooManyEvents);
    }
    Ok(())
}

impl Header {
    /// Serialises all 68 bytes as they are (no validation: tests craft invalid headers with it).
    pub fn encode(&self) -> [u8; HEADER_SIZE] {
        let mut b = [0u8; HEADER_SIZE];
        self.write(&mut b);
        b
    }

    /// Writes the header into the first 68 bytes of `out` (which must hold at least 68).
    pub fn write(&self, out: &mut [u8]) {
        let b = &mut out[..HEADER_SIZE];
        wr16(b, off::MAGIC, self.magic);
        b[off::VERSION] = self.version;
        b[off::FLAGS] = self.flags;
        b[off::PRIORITY] = self.priority;
        b[off::HOP_TTL] = self.hop_ttl;
        b[off::HOP_COUNT] = self.hop_count;
        b[off::FRAG_FLAGS] = self.frag_flags;
        wr16(b, off::SUBPROTOCOL_ID, self.subprotocol_id);
        wr16(b, off::CHANNEL_HASH, self.channel_hash);
        b[off::NONCE..off::NONCE + 12].copy_from_slice(&self.nonce);
        wr64(b, off::SESSION_ID, self.session_id);
        wr64(b, off::STREAM_ID, self.stream_id);
        wr64(b, off::SEQUENCE, self.sequence);
        wr64(b, off::ORIGIN_HASH, self.origin_hash);
        wr32(b, off::SUBNET_ID, self.subnet_id);
        wr16(b, off::FRAGMENT_ID, self.fragment_id);
        wr16(b, off::FRAGMENT_OFFSET, self.fragment_offset);
        wr16(b, off::PAYLOAD_LEN, self.payload_len);
        wr16(b, off::EVENT_COUNT, self.event_count);
    }

    /// Reads the first 68 bytes without validating. Panics if fewer than 68 bytes are given.
    pub fn read_unchecked(bytes: &[u8]) -> Header {
        let b = &bytes[..HEADER_SIZE];
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&b[off::NONCE..off::NONCE + 12]);
        Header {
            magic: rd16(b, off::MAGIC),
            version: b[off::VERSION],
            flags: b[off::FLAGS],
            priority: b[off::PRIORITY],
            hop_ttl: b[off::HOP_TTL],
            hop_count: b[off::HOP_COUNT],
            frag_flags: b[off::FRAG_FLAGS],
            subprotocol_id: rd16(b, off::SUBPROTOCOL_ID),
            channel_hash: rd16(b, off::CHANNEL_HASH),
            nonce,
            session_id: rd64(b, off::SESSION_ID),
            stream_id: rd64(b, off::STREAM_ID),
            sequence: rd64(b, off::SEQUENCE),
            origin_hash: rd64(b, off::ORIGIN_HASH),
            subnet_id: rd32(b, off::SUBNET_ID),
            fragment_id: rd16(b, off::FRAGMENT_ID),
            fragment_offset: rd16(b, off::FRAGMENT_OFFSET),
            payload_len: rd16(b, off::PAYLOAD_LEN),
            event_count: rd16(b, off::EVENT_COUNT),
        }
    }

    /// Parses and validates the first 68 bytes of a datagram (wire.md §2 receiver rules).
    pub fn decode(bytes: &[u8]) -> Result<Header, PacketError> {
        validate_bytes(bytes)?;
        Ok(Header::read_unchecked(bytes))
    }

    /// The nonce counter carried in bytes 16..24.
    pub fn counter(&self) -> u64 {
        rd64(&self.nonce, 4)
    }

    /// The 56-byte AAD of this header (wire.md §4).
    pub fn aad(&self) -> [u8; super::AAD_SIZE] {
        super::aad::aad_of(&self.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// wire.md §19 `test_header_roundtrip`.
    fn example() -> Header {
        Header {
            flags: super::super::FLAG_RELIABLE,
            priority: 7,
            hop_ttl: 32,
            hop_count: 0,
            frag_flags: 1,
            subprotocol_id: 0x0100,
            channel_hash: 0xABCD,
            nonce: [0x42; 12],
            session_id: 0x1234_5678_90AB_CDEF,
            stream_id: 0xFEDC_BA09_8765_4321,
            sequence: 42,
            origin_hash: 0xDEAD_BEEF,
            subnet_id: 0x1234_5678,
            fragment_id: 1,
            fragment_offset: 512,
            payload_len: 1024,
            event_count: 10,
            ..Header::default()
        }
    }

    #[test]
    fn roundtrip_reference_example() {
        let h = example();
        let b = h.encode();
        assert_eq!(b.len(), 68);
        let d = Header::decode(&b).unwrap();
        assert_eq!(d, h);
        assert_eq!(d.hop_count, 0);
        assert_eq!(&b[0..2], &[0x45, 0x4E]);
        assert_eq!(&b[24..32], &0x1234_5678_90AB_CDEFu64.to_le_bytes());
        assert_eq!(&b[64..66], &1024u16.to_le_bytes());
    }

    #[test]
    fn every_field_lands_at_its_offset() {
        let h = Header {
            magic: 0x0201,
            version: 3,
            flags: 4,
            priority: 5,
            hop_ttl: 6,
            hop_count: 7,
            frag_flags: 8,
            subprotocol_id: 0x0A09,
            channel_hash: 0x0C0B,
            nonce: [13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24],
            session_id: u64::from_le_bytes([25, 26, 27, 28, 29, 30, 31, 32]),
            stream_id: u64::from_le_bytes([33, 34, 35, 36, 37, 38, 39, 40]),
            sequence: u64::from_le_bytes([41, 42, 43, 44, 45, 46, 47, 48]),
            origin_hash: u64::from_le_bytes([49, 50, 51, 52, 53, 54, 55, 56]),
            subnet_id: u32::from_le_bytes([57, 58, 59, 60]),
            fragment_id: 0x3E3D,
            fragment_offset: 0x403F,
            payload_len: 0x4241,
            event_count: 0x4443,
        };
        let b = h.encode();
        let expect: Vec<u8> = (1..=68).collect();
        assert_eq!(&b[..], &expect[..]);
        assert_eq!(Header::read_unchecked(&b), h);
        assert_eq!(h.counter(), u64::from_le_bytes([17, 18, 19, 20, 21, 22, 23, 24]));
    }

    #[test]
    fn origin_hash_high_bits_survive() {
        let h = Header { origin_hash: 0xCAFE_BABE_DEAD_BEEF, ..Header::default() };
        assert_eq!(Header::decode(&h.encode()).unwrap().origin_hash, 0xCAFE_BABE_DEAD_BEEF);
    }

    #[test]
    fn validation_errors_are_distinct() {
        let good = Header::default().encode();
        for n in 0..HEADER_SIZE {
            assert_eq!(Header::decode(&good[..n]), Err(PacketError::TooShort), "len {n}");
        }
        assert!(Header::decode(&good).is_ok());
        let mut b = good;
        b[0] = 0x46;
        assert_eq!(Header::decode(&b), Err(PacketError::BadMagic));
        let mut b = good;
        b[2] = 2;
        assert_eq!(Header::decode(&b), Err(PacketError::BadVersion));
        let mut b = good;
        wr16(&mut b, off::PAYLOAD_LEN, 8108);
        assert!(Header::decode(&b).is_ok());
        wr16(&mut b, off::PAYLOAD_LEN, 8109);
        assert_eq!(Header::decode(&b), Err(PacketError::PayloadTooLarge));
        let mut b = good;
        wr16(&mut b, off::EVENT_COUNT, 2027);
        assert!(Header::decode(&b).is_ok());
        wr16(&mut b, off::EVENT_COUNT, 2028);
        assert_eq!(Header::decode(&b), Err(PacketError::TooManyEvents));
    }

    #[test]
    fn unchecked_fields_are_not_range_checked() {
        let h = Header {
            flags: 0xFF,
            priority: 0xFF,
            hop_ttl: 0xFF,
            hop_count: 0xFF,
            frag_flags: 0xFF,
            subnet_id: u32::MAX,
            fragment_id: u16::MAX,
            fragment_offset: u16::MAX,
            ..Header::default()
        };
        assert_eq!(Header::decode(&h.encode()), Ok(h));
    }
}
