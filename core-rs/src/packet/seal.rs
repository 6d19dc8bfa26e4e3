//! One packet: seal (wire.md §5 packet construction, §12 nonce) and open (§2, §5, §6, §13).

use super::aad::aad_of;
use super::error::PacketError;
use super::header::{off, rd16, rd64, wr64, Header};
use super::{FLAG_HANDSHAKE, FLAG_HEARTBEAT, HEADER_SIZE, MAGIC, TAG_SIZE, VERSION};
use crate::aead::ChaCha20Poly1305;
use crate::replay::ReplayWindow;

/// `lo32(session_id) XOR hi32(session_id)`, the same in both directions (§12).
#[inline]
pub const fn nonce_prefix(session_id: u64) -> u32 {
    (session_id as u32) ^ ((session_id >> 32) as u32)
}

/// prefix (u32 LE) ‖ counter (u64 LE).
#[inline]
pub fn build_nonce(prefix: u32, counter: u64) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[..4].copy_from_slice(&prefix.to_le_bytes());
    n[4..].copy_from_slice(&counter.to_le_bytes());
    n
}

/// The header fields a sender chooses per packet. magic/version are fixed, hop_count is always 0,
/// the nonce and session_id come from the session, payload_len/event_count from the frames.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Template {
    pub flags: u8,
    pub priority: u8,
    pub hop_ttl: u8,
    pub frag_flags: u8,
    pub subprotocol_id: u16,
    pub channel_hash: u16,
    pub stream_id: u64,
    /// Sequence of the first packet; a multi-packet seal numbers the rest consecutively.
    pub sequence: u64,
    pub origin_hash: u64,
    pub subnet_id: u32,
    pub fragment_id: u16,
    pub fragment_offset: u16,
}

impl Template {
    /// Rejects flags a sealed packet can never carry.
    pub fn check(&self, event_count: usize) -> Result<(), PacketError> {
        if self.flags & FLAG_HANDSHAKE != 0 || (self.flags & FLAG_HEARTBEAT != 0 && event_count != 0) {
            return Err(PacketError::InvalidFlags);
        }
        Ok(())
    }

    /// The header of one packet (nonce still zero).
    pub fn header(&self, session_id: u64, sequence: u64, payload_len: u16, event_count: u16) -> Header {
        Header {
            magic: MAGIC,
            version: VERSION,
            flags: self.flags,
            priority: self.priority,
            hop_ttl: self.hop_ttl,
            hop_count: 0,
            frag_flags: self.frag_flags,
            subprotocol_id: self.subprotocol_id,
            channel_hash: self.channel_hash,
            nonce: [0; 12],
            session_id,
            stream_id: self.stream_id,
            sequence,
            origin_hash: self.origin_hash,
            subnet_id: self.subnet_id,
            fragment_id: self.fragment_id,
            fragment_offset: self.fragment_offset,
            payload_len,
            event_count,
        }
    }
}

/// Seals one packet in place. `packet` is exactly `68 + plaintext_len + 16` bytes with the framed
/// plaintext already at `[68 .. 68 + plaintext_len]`; on return it is the datagram.
pub fn seal_in_place(cipher: &ChaCha20Poly1305, header: &Header, prefix: u32, counter: u64, packet: &mut [u8]) {
    debug_assert_eq!(packet.len(), HEADER_SIZE + header.payload_len as usize + TAG_SIZE);
    // (2) header with nonce 0, (3) AAD, (4) encrypt, (5) nonce bytes, (6) header ‖ ct ‖ tag.
    header.write(packet);
    let aad = aad_of(packet);
    let nonce = build_nonce(prefix, counter);
    let (head, rest) = packet.split_at_mut(HEADER_SIZE);
    let (body, tag_out) = rest.split_at_mut(rest.len() - TAG_SIZE);
    let tag = cipher.seal_in_place(&nonce, &aad, body);
    tag_out.copy_from_slice(&tag);
    head[off::NONCE..off::NONCE + 12].copy_from_slice(&nonce);
}

/// What an opened datagram is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Authenticated, decrypted, admitted; payload = framed plaintext.
    Data,
    /// Authenticated empty heartbeat, admitted.
    Heartbeat,
    /// HANDSHAKE flag: unencrypted and unauthenticated; payload = the raw Noise message.
    Handshake,
}

/// Result of `open_in_place`: `payload` is a range of the datagram (plaintext, decrypted in place).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opened {
    pub header: Header,
    pub kind: Kind,
    pub payload_start: usize,
    pub payload_len: usize,
}

impl Opened {
    pub fn counter(&self) -> u64 {
        self.header.counter()
    }
}

/// The checks that precede any crypto: header validation, then the length rule of the packet kind.
/// On success returns the header and the kind. (A failed length check still yields the header
/// through `Header::decode`, which callers may use for diagnostics.)
pub fn precheck(datagram: &[u8]) -> Result<(Header, Kind), PacketError> {
    let header = Header::decode(datagram)?;
    let post = datagram.len() - HEADER_SIZE;
    if header.flags & FLAG_HANDSHAKE != 0 {
        return Ok((header, Kind::Handshake));
    }
    if header.flags & FLAG_HEARTBEAT != 0 {
        if post != TAG_SIZE {
            return Err(PacketError::HeartbeatLength);
        }
        return Ok((header, Kind::Heartbeat));
    }
    if post != header.payload_len as usize + TAG_SIZE {
        return Err(PacketError::LengthMismatch);
    }
    Ok((header, Kind::Data))
}

/// Opens one datagram in place: precheck, AEAD open under `prefix` ‖ bytes 16..24 (bytes 12..16
/// are ignored), then replay admission. Any failure leaves `replay` unchanged.
pub fn open_in_place(
    cipher: &ChaCha20Poly1305,
    prefix: u32,
    replay: &mut ReplayWindow,
    datagram: &mut [u8],
) -> Result<Opened, PacketError> {
    let (header, kind) = precheck(datagram)?;
    if kind == Kind::Handshake {
        return Ok(Opened { header, kind, payload_start: HEADER_SIZE, payload_len: datagram.len() - HEADER_SIZE });
    }
    let counter = rd64(datagram, off::NONCE_COUNTER);
    let nonce = build_nonce(prefix, counter);
    let aad = aad_of(datagram);
    let (_, rest) = datagram.split_at_mut(HEADER_SIZE);
    let (body, tag) = rest.split_at_mut(rest.len() - TAG_SIZE);
    let mut t = [0u8; TAG_SIZE];
    t.copy_from_slice(tag);
    cipher.open_in_place(&nonce, &aad, body, &t).map_err(|_| PacketError::Auth)?;
    if !replay.admit(counter) {
        return Err(PacketError::Replay);
    }
    Ok(Opened { header, kind, payload_start: HEADER_SIZE, payload_len: body.len() })
}

/// Seals a single packet holding `events` into a new datagram (a convenience over
/// `seal_in_place`; fails if the events do not fit one packet).
pub fn seal_packet(
    cipher: &ChaCha20Poly1305,
    session_id: u64,
    counter: u64,
    tpl: &Template,
    events: &[&[u8]],
) -> Result<Vec<u8>, PacketError> {
    tpl.check(events.len())?;
    if counter == u64::MAX {
        return Err(PacketError::CounterExhausted);
    }
    if events.iter().any(|e| e.len() > super::MAX_EVENT_SIZE) {
        return Err(PacketError::EventTooLarge);
    }
    let plen: usize = events.iter().map(|e| e.len() + super::FRAME_PREFIX).sum();
    if plen > super::MAX_PAYLOAD_SIZE {
        return Err(PacketError::PayloadTooLarge);
    }
    if events.len() > super::MAX_EVENTS_PER_PACKET {
        return Err(PacketError::TooManyEvents);
    }
    let mut pkt = vec![0u8; HEADER_SIZE + plen + TAG_SIZE];
    let mut at = HEADER_SIZE;
    for e in events {
        at = super::frames::put_frame(&mut pkt, at, e);
    }
    let header = tpl.header(session_id, tpl.sequence, plen as u16, events.len() as u16);
    seal_in_place(cipher, &header, nonce_prefix(session_id), counter, &mut pkt);
    Ok(pkt)
}

/// Reads the nonce counter (bytes 16..24) of a datagram of at least 24 bytes.
#[inline]
pub fn datagram_counter(datagram: &[u8]) -> u64 {
    rd64(datagram, off::NONCE_COUNTER)
}

/// Rewrites the nonce counter of a datagram (tests: craft counters without re-sealing).
#[inline]
pub fn set_datagram_counter(datagram: &mut [u8], counter: u64) {
    wr64(datagram, off::NONCE_COUNTER, counter)
}

/// `payload_len` of a datagram header (at least 68 bytes).
#[inline]
pub fn datagram_payload_len(datagram: &[u8]) -> u16 {
    rd16(datagram, off::PAYLOAD_LEN)
}

#[cfg(test)]
mod tests {
    use super::super::frames::unframe;
    use super::*;

    const KEY: [u8; 32] = [7; 32];
    const SID: u64 = 0x1234_5678_9ABC_DEF0;

    fn tpl() -> Template {
        Template { flags: 1, stream_id: 99, sequence: 5, origin_hash: 0xCAFE_BABE_DEAD_BEEF, ..Template::default() }
    }

    #[test]
    fn prefix_and_nonce() {
        assert_eq!(nonce_prefix(SID), 0x9ABC_DEF0 ^ 0x1234_5678);
        assert_eq!(nonce_prefix(0xFFFF_FFFF_0000_0000), 0xFFFF_FFFF);
        let n = build_nonce(0x0403_0201, 0x0C0B_0A09_0807_0605);
        assert_eq!(n, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    }

    #[test]
    fn seal_layout_and_open() {
        let c = ChaCha20Poly1305::new(&KEY);
        let d = seal_packet(&c, SID, 77, &tpl(), &[b"hello", b"", b"world!"]).unwrap();
        assert_eq!(d.len(), 68 + (4 + 5 + 4 + 4 + 6) + 16);
        let h = Header::decode(&d).unwrap();
        assert_eq!(h.payload_len, 23);
        assert_eq!(h.event_count, 3);
        assert_eq!(h.session_id, SID);
        assert_eq!(h.sequence, 5);
        assert_eq!(h.hop_count, 0);
        assert_eq!(&d[12..16], &nonce_prefix(SID).to_le_bytes());
        assert_eq!(h.counter(), 77);
        let mut w = ReplayWindow::new();
        let mut buf = d.clone();
        let o = open_in_place(&c, nonce_prefix(SID), &mut w, &mut buf).unwrap();
        assert_eq!(o.kind, Kind::Data);
        assert_eq!(o.counter(), 77);
        let pt = &buf[o.payload_start..o.payload_start + o.payload_len];
        assert_eq!(unframe(pt, o.header.event_count as usize), vec![&b"hello"[..], &b""[..], &b"world!"[..]]);
        // Replay of the same datagram.
        let mut again = d.clone();
        assert_eq!(open_in_place(&c, nonce_prefix(SID), &mut w, &mut again), Err(PacketError::Replay));
    }

    #[test]
    fn every_byte_flip_fails_except_hop_count_and_prefix() {
        let c = ChaCha20Poly1305::new(&KEY);
        let d = seal_packet(&c, SID, 3, &tpl(), &[b"abcdef", b"xyz"]).unwrap();
        for i in 0..d.len() {
            let mut m = d.clone();
            m[i] ^= 0x01;
            let mut w = ReplayWindow::new();
            let r = open_in_place(&c, nonce_prefix(SID), &mut w, &mut m);
            if i == 6 || (12..16).contains(&i) {
                assert!(r.is_ok(), "byte {i} must not matter");
            } else {
                assert!(r.is_err(), "byte {i} must matter");
                assert_eq!(w.rx_next(), 0, "no state change on failure");
            }
        }
    }

    #[test]
    fn heartbeat_and_handshake() {
        let c = ChaCha20Poly1305::new(&KEY);
        let hb = Template { flags: FLAG_HEARTBEAT, ..Template::default() };
        let d = seal_packet(&c, SID, 0, &hb, &[]).unwrap();
        assert_eq!(d.len(), 84);
        let mut w = ReplayWindow::new();
        let mut b = d.clone();
        assert_eq!(open_in_place(&c, nonce_prefix(SID), &mut w, &mut b).unwrap().kind, Kind::Heartbeat);
        let mut long = d.clone();
        long.push(0);
        assert_eq!(open_in_place(&c, nonce_prefix(SID), &mut w, &mut long), Err(PacketError::HeartbeatLength));
        assert_eq!(seal_packet(&c, SID, 1, &hb, &[b"x"]), Err(PacketError::InvalidFlags));
        let hs = Template { flags: FLAG_HANDSHAKE, ..Template::default() };
        assert_eq!(seal_packet(&c, SID, 1, &hs, &[]), Err(PacketError::InvalidFlags));
        // A handshake datagram passes through untouched, whatever its payload_len says.
        let mut raw = Header { flags: FLAG_HANDSHAKE, payload_len: 48, ..Header::default() }.encode().to_vec();
        raw.extend_from_slice(&[9u8; 48]);
        let o = open_in_place(&c, nonce_prefix(SID), &mut w, &mut raw.clone()).unwrap();
        assert_eq!((o.kind, o.payload_start, o.payload_len), (Kind::Handshake, 68, 48));
    }

    #[test]
    fn length_rule_precedes_crypto() {
        let c = ChaCha20Poly1305::new(&KEY);
        let d = seal_packet(&c, SID, 3, &tpl(), &[b"abc"]).unwrap();
        let mut w = ReplayWindow::new();
        let mut short = d[..d.len() - 1].to_vec();
        assert_eq!(open_in_place(&c, nonce_prefix(SID), &mut w, &mut short), Err(PacketError::LengthMismatch));
        let mut long = d.clone();
        long.push(0);
        assert_eq!(open_in_place(&c, nonce_prefix(SID), &mut w, &mut long), Err(PacketError::LengthMismatch));
        let other = ChaCha20Poly1305::new(&[8; 32]);
        assert_eq!(open_in_place(&other, nonce_prefix(SID), &mut w, &mut d.clone()), Err(PacketError::Auth));
        assert_eq!(open_in_place(&c, nonce_prefix(SID) ^ 1, &mut w, &mut d.clone()), Err(PacketError::Auth), "own prefix used");
    }

    #[test]
    fn u64_max_counter_is_never_sealed_and_refused_on_open() {
        let c = ChaCha20Poly1305::new(&KEY);
        assert_eq!(seal_packet(&c, SID, u64::MAX, &tpl(), &[]), Err(PacketError::CounterExhausted));
    }
}
