//! The 56-byte AAD (wire.md §4): the header without its 12 nonce bytes, hop_count forced to 0.
//! That is header bytes 0..12 ‖ 24..68 with byte 6 zeroed.

use super::header::off;
use super::{AAD_SIZE, HEADER_SIZE};

/// Builds the AAD from the first 68 bytes of a serialised header.
#[inline]
pub fn aad_of(header: &[u8]) -> [u8; AAD_SIZE] {
    let h = &header[..HEADER_SIZE];
    let mut aad = [0u8; AAD_SIZE];
    aad[..off::NONCE].copy_from_slice(&h[..off::NONCE]);
    aad[off::NONCE..].copy_from_slice(&h[off::SESSION_ID..]);
    aad[off::HOP_COUNT] = 0;
    aad
}

#[cfg(test)]
mod tests {
    use super::super::header::Header;

    #[test]
    fn layout_matches_the_spec_table() {
        let h = Header {
            flags: 0x01,
            priority: 2,
            hop_ttl: 3,
            hop_count: 9,
            frag_flags: 4,
            subprotocol_id: 0x0605,
            channel_hash: 0x0807,
            nonce: [0xEE; 12],
            session_id: 0x1111_1111_1111_1111,
            stream_id: 0x2222_2222_2222_2222,
            sequence: 0x3333_3333_3333_3333,
            origin_hash: 0x4444_4444_4444_4444,
            subnet_id: 0x5555_5555,
            fragment_id: 0x6666,
            fragment_offset: 0x7777,
            payload_len: 0x0888,
            event_count: 0x0099,
            ..Header::default()
        };
        let a = h.aad();
        assert_eq!(&a[0..2], &[0x45, 0x4E]);
        assert_eq!(a[2], 1);
        assert_eq!(a[3], 0x01);
        assert_eq!(a[4], 2);
        assert_eq!(a[5], 3);
        assert_eq!(a[6], 0, "hop_count excluded");
        assert_eq!(a[7], 4);
        assert_eq!(&a[8..10], &[0x05, 0x06]);
        assert_eq!(&a[10..12], &[0x07, 0x08]);
        assert_eq!(&a[12..20], &[0x11; 8]);
        assert_eq!(&a[20..28], &[0x22; 8]);
        assert_eq!(&a[28..36], &[0x33; 8]);
        assert_eq!(&a[36..44], &[0x44; 8]);
        assert_eq!(&a[44..48], &[0x55; 4]);
        assert_eq!(&a[48..50], &[0x66; 2]);
        assert_eq!(&a[50..52], &[0x77; 2]);
        assert_eq!(&a[52..54], &[0x88, 0x08]);
        assert_eq!(&a[54..56], &[0x99, 0x00]);
        assert!(!a.contains(&0xEE), "nonce excluded");
    }

    #[test]
    fn hop_count_and_nonce_do_not_change_it_origin_bit_33_does() {
        let base = Header { origin_hash: 0xCAFE_BABE_DEAD_BEEF, ..Header::default() };
        let hop = Header { hop_count: 5, nonce: [7; 12], ..base };
        assert_eq!(base.aad(), hop.aad());
        let flipped = Header { origin_hash: base.origin_hash ^ (1 << 33), ..base };
        assert_ne!(base.aad(), flipped.aad());
    }
}
