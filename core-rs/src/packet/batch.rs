//! Batch seal/open over linear memory: one host→core call seals or opens many packets.
//! All integers little-endian. Records start at 8-byte-aligned offsets (relative to the region).
//!
//! SEAL INPUT (read only)
//!   0   u32 record_count, u32 reserved (0)
//!   then record_count records, each padded to a multiple of 8:
//!     0   u8  flags            1  u8  priority      2  u8 hop_ttl      3  u8 frag_flags
//!     4   u16 subprotocol_id   6  u16 channel_hash
//!     8   u64 stream_id        16 u64 sequence (of the record's first packet)
//!     24  u64 origin_hash      32 u32 subnet_id     36 u16 fragment_id 38 u16 fragment_offset
//!     40  u32 event_count      44 u32 frames_len
//!     48  frames: event_count × ([u32 len][len bytes]), exactly frames_len bytes
//!   Each record is packed greedily into ≥ 1 packets (0 events → one empty packet) numbered
//!   sequence, sequence + 1, ...; every packet takes the session's next TX counter.
//!   Everything is validated first (layout, flags, event sizes ≤ 8104, counter room, output room):
//!   on error nothing is written and no counter is consumed.
//!
//! SEAL OUTPUT, per packet in order, each padded to a multiple of 8:
//!     0   u32 datagram_len     4  u32 record_index
//!     8   u32 first_event (index within the record)   12 u32 event_count
//!     16  datagram (header ‖ ciphertext ‖ tag); sequence at datagram+40, counter at datagram+16
//!   Return value: packet count (≥ 0) or a negative error code.
//!
//! OPEN INPUT (decrypted in place)
//!   0   u32 datagram_count, u32 reserved (0)
//!   then per datagram, padded to a multiple of 8: u32 len, u32 reserved (0), len bytes
//!
//! OPEN OUTPUT
//!   datagram_count results of 72 bytes, then the frame table (8 bytes per frame).
//!     0   i32 status: 0 data, 1 handshake (unauthenticated, raw message), 2 heartbeat,
//!                     negative = the error code of this datagram
//!     4   u32 frame_start (index of its first frame-table entry)   8 u32 frame_count
//!     12  u32 payload_off (relative to the input region)          16 u32 payload_len
//!     20  u8 flags   21 u8 hop_count   22 u16 subprotocol_id
//!     24  u16 channel_hash   26 u16 event_count   28 u32 reserved (0)
//!     32  u64 session_id   40 u64 stream_id   48 u64 sequence   56 u64 origin_hash   64 u64 counter
//!   Header fields are filled whenever the header itself validated (also for length/auth/replay
//!   failures); zero otherwise. Frame table entry: u32 offset (relative to the input region),
//!   u32 len, of each event's bytes inside the decrypted plaintext.
//!   Required output size: count × 72 + 8 × Σ min(max(len − 84, 0) / 4, 2027) (a bound on frames:
//!   each frame takes ≥ 4 plaintext bytes and a packet holds ≤ 2027).
//!   Return value: datagram count, or a negative error code for a broken layout / small output
//!   (checked before any datagram is touched).

use super::error::PacketError;
use super::frames::{Frames, Packer};
use super::header::{off, rd16, rd32, rd64, wr16, wr32, wr64, Header};
use super::seal::{Kind, Template};
use super::session::Session;
use super::{FRAME_PREFIX, HEADER_SIZE, TAG_SIZE};

pub const BATCH_HEADER_SIZE: usize = 8;
pub const TEMPLATE_SIZE: usize = 40;
pub const SEAL_RECORD_FIXED: usize = 48;
pub const SEAL_OUT_META: usize = 16;
pub const OPEN_IN_FIXED: usize = 8;
pub const OPEN_RESULT_SIZE: usize = 72;
pub const FRAME_ENTRY_SIZE: usize = 8;

pub const STATUS_DATA: i32 = 0;
pub const STATUS_HANDSHAKE: i32 = 1;
pub const STATUS_HEARTBEAT: i32 = 2;

#[inline]
pub const fn pad8(n: usize) -> usize {
    (n + 7) & !7
}

pub fn read_template(b: &[u8]) -> Template {
    Template {
        flags: b[0],
        priority: b[1],
        hop_ttl: b[2],
        frag_flags: b[3],
        subprotocol_id: rd16(b, 4),
        channel_hash: rd16(b, 6),
        stream_id: rd64(b, 8),
        sequence: rd64(b, 16),
        origin_hash: rd64(b, 24),
        subnet_id: rd32(b, 32),
        fragment_id: rd16(b, 36),
        fragment_offset: rd16(b, 38),
    }
}

pub fn write_template(b: &mut [u8], t: &Template) {
    b[0] = t.flags;
    b[1] = t.priority;
    b[2] = t.hop_ttl;
    b[3] = t.frag_flags;
    wr16(b, 4, t.subprotocol_id);
    wr16(b, 6, t.channel_hash);
    wr64(b, 8, t.stream_id);
    wr64(b, 16, t.sequence);
    wr64(b, 24, t.origin_hash);
    wr32(b, 32, t.subnet_id);
    wr16(b, 36, t.fragment_id);
    wr16(b, 38, t.fragment_offset);
}

/// Appends one seal record to a host-side buffer (tests and native callers).
pub fn push_seal_record(buf: &mut Vec<u8>, t: &Template, events: &[&[u8]]) {
    if buf.is_empty() {
        buf.extend_from_slice(&[0u8; BATCH_HEADER_SIZE]);
    }
    let count = rd32(buf, 0) + 1;
    wr32(buf, 0, count);
    let start = buf.len();
    buf.resize(start + SEAL_RECORD_FIXED, 0);
    write_template(&mut buf[start..], t);
    let frames_len: usize = events.iter().map(|e| e.len() + FRAME_PREFIX).sum();
    wr32(buf, start + 40, events.len() as u32);
    wr32(buf, start + 44, frames_len as u32);
    super::frames::write_frames(events, buf);
    buf.resize(pad8(buf.len()), 0);
}

/// One parsed seal record (offsets into the input region).
struct SealRecord {
    template: Template,
    event_count: usize,
    frames_at: usize,
    frames_len: usize,
}

fn parse_seal_record(input: &[u8], at: usize) -> Result<(SealRecord, usize), PacketError> {
    let fixed = input.get(at..at.checked_add(SEAL_RECORD_FIXED).ok_or(PacketError::InvalidLayout)?).ok_or(PacketError::InvalidLayout)?;
    let template = read_template(fixed);
    let event_count = rd32(fixed, 40) as usize;
    let frames_len = rd32(fixed, 44) as usize;
    let frames_at = at + SEAL_RECORD_FIXED;
    let end = frames_at.checked_add(frames_len).ok_or(PacketError::InvalidLayout)?;
    if end > input.len() {
        return Err(PacketError::InvalidLayout);
    }
    Ok((SealRecord { template, event_count, frames_at, frames_len }, pad8(end).min(input.len()).max(end)))
}

/// Walks a record's frames through the greedy packer, calling `on_packet` for each planned packet
/// with (plan, offset of its first frame within the input). Validates sizes and layout.
fn plan_record(
    input: &[u8],
    r: &SealRecord,
    mut on_packet: impl FnMut(super::frames::PacketPlan, usize),
) -> Result<(), PacketError> {
    r.template.check(r.event_count)?;
    let frames = &input[r.frames_at..r.frames_at + r.frames_len];
    let mut packer = Packer::new();
    let mut pos = 0usize;
    let mut packet_start = 0usize;
    for _ in 0..r.event_count {
        if frames.len() - pos < FRAME_PREFIX {
            return Err(PacketError::InvalidLayout);
        }
        let len = rd32(frames, pos) as usize;
        if len > super::MAX_EVENT_SIZE {
            return Err(PacketError::EventTooLarge);
        }
        if len > frames.len() - pos - FRAME_PREFIX {
            return Err(PacketError::InvalidLayout);
        }
        if let Some(done) = packer.push(len)? {
            on_packet(done, r.frames_at + packet_start);
            packet_start = pos;
        }
        pos += FRAME_PREFIX + len;
    }
    if pos != frames.len() {
        return Err(PacketError::InvalidLayout);
    }
    on_packet(packer.finish(), r.frames_at + packet_start);
    Ok(())
}

/// Seals every record of `input` into `out` (layout above). Returns the packet count.
pub fn seal_batch(session: &mut Session, input: &[u8], out: &mut [u8]) -> Result<usize, PacketError> {
    if input.len() < BATCH_HEADER_SIZE {
        return Err(PacketError::InvalidLayout);
    }
    let count = rd32(input, 0) as usize;
    // Pass 1: validate everything and size the output.
    let mut at = BATCH_HEADER_SIZE;
    let mut packets = 0usize;
    let mut out_len = 0usize;
    for _ in 0..count {
        let (r, next) = parse_seal_record(input, at)?;
        plan_record(input, &r, |p, _| {
            packets += 1;
            out_len += pad8(SEAL_OUT_META + HEADER_SIZE + p.plaintext_len + TAG_SIZE);
        })?;
        at = next;
    }
    if out_len > out.len() {
        return Err(PacketError::OutputTooSmall);
    }
    if !session.can_take(packets as u64) || packets > i32::MAX as usize {
        return Err(PacketError::CounterExhausted);
    }
    // Pass 2: copy each packet's frames into place and seal it.
    let mut at = BATCH_HEADER_SIZE;
    let mut o = 0usize;
    for index in 0..count {
        let (r, next) = parse_seal_record(input, at)?;
        let mut i = 0u64;
        plan_record(input, &r, |p, from| {
            let dlen = HEADER_SIZE + p.plaintext_len + TAG_SIZE;
            wr32(out, o, dlen as u32);
            wr32(out, o + 4, index as u32);
            wr32(out, o + 8, p.first_event as u32);
            wr32(out, o + 12, p.event_count as u32);
            let pkt = &mut out[o + SEAL_OUT_META..o + SEAL_OUT_META + dlen];
            pkt[HEADER_SIZE..HEADER_SIZE + p.plaintext_len].copy_from_slice(&input[from..from + p.plaintext_len]);
            let header = r.template.header(
                session.session_id(),
                r.template.sequence.wrapping_add(i),
                p.plaintext_len as u16,
                p.event_count as u16,
            );
            session.seal_prepared(&header, pkt);
            let end = o + SEAL_OUT_META + dlen;
            let padded = pad8(end);
            out[end..padded].fill(0);
            o = padded;
            i += 1;
        })?;
        at = next;
    }
    Ok(packets)
}

/// Most frame-table entries a datagram of `len` bytes can produce.
#[inline]
pub fn max_frames(len: usize) -> usize {
    (len.saturating_sub(HEADER_SIZE + TAG_SIZE) / FRAME_PREFIX).min(super::MAX_EVENTS_PER_PACKET)
}

/// Output bytes `open_batch` needs for the given datagram lengths.
pub fn open_output_size(lens: impl Iterator<Item = usize>) -> usize {
    let mut n = 0;
    let mut frames = 0;
    for l in lens {
        n += 1;
        frames += max_frames(l);
    }
    n * OPEN_RESULT_SIZE + frames * FRAME_ENTRY_SIZE
}

/// Appends one datagram to a host-side open-input buffer.
pub fn push_open_datagram(buf: &mut Vec<u8>, datagram: &[u8]) {
    if buf.is_empty() {
        buf.extend_from_slice(&[0u8; BATCH_HEADER_SIZE]);
    }
    let count = rd32(buf, 0) + 1;
    wr32(buf, 0, count);
    buf.extend_from_slice(&(datagram.len() as u32).to_le_bytes());
    buf.extend_from_slice(&[0; 4]);
    buf.extend_from_slice(datagram);
    buf.resize(pad8(buf.len()), 0);
}

fn write_header_fields(r: &mut [u8], h: &Header) {
    r[20] = h.flags;
    r[21] = h.hop_count;
    wr16(r, 22, h.subprotocol_id);
    wr16(r, 24, h.channel_hash);
    wr16(r, 26, h.event_count);
    wr64(r, 32, h.session_id);
    wr64(r, 40, h.stream_id);
    wr64(r, 48, h.sequence);
    wr64(r, 56, h.origin_hash);
    wr64(r, 64, h.counter());
}

/// Opens every datagram of `input` in place, writing results and the frame table into `out`.
pub fn open_batch(session: &mut Session, input: &mut [u8], out: &mut [u8]) -> Result<usize, PacketError> {
    if input.len() < BATCH_HEADER_SIZE {
        return Err(PacketError::InvalidLayout);
    }
    let count = rd32(input, 0) as usize;
    // Pass 1: layout and output size.
    let mut at = BATCH_HEADER_SIZE;
    let mut frames_cap = 0usize;
    for _ in 0..count {
        if input.len().saturating_sub(at) < OPEN_IN_FIXED {
            return Err(PacketError::InvalidLayout);
        }
        let len = rd32(input, at) as usize;
        let end = (at + OPEN_IN_FIXED).checked_add(len).ok_or(PacketError::InvalidLayout)?;
        if end > input.len() {
            return Err(PacketError::InvalidLayout);
        }
        frames_cap += max_frames(len);
        at = pad8(end);
    }
    let table_at = count.checked_mul(OPEN_RESULT_SIZE).ok_or(PacketError::OutputTooSmall)?;
    if table_at + frames_cap * FRAME_ENTRY_SIZE > out.len() || count > i32::MAX as usize {
        return Err(PacketError::OutputTooSmall);
    }
    // Pass 2: open each datagram.
    let mut at = BATCH_HEADER_SIZE;
    let mut frame_index = 0usize;
    for i in 0..count {
        let len = rd32(input, at) as usize;
        let d_at = at + OPEN_IN_FIXED;
        let datagram = &mut input[d_at..d_at + len];
        let (results, table) = out.split_at_mut(table_at);
        let r = &mut results[i * OPEN_RESULT_SIZE..(i + 1) * OPEN_RESULT_SIZE];
        r.fill(0);
        wr32(r, 4, frame_index as u32);
        match session.open(datagram) {
            Ok(o) => {
                write_header_fields(r, &o.header);
                let status = match o.kind {
                    Kind::Data => STATUS_DATA,
                    Kind::Handshake => STATUS_HANDSHAKE,
                    Kind::Heartbeat => STATUS_HEARTBEAT,
                };
                wr32(r, 0, status as u32);
                wr32(r, 12, (d_at + o.payload_start) as u32);
                wr32(r, 16, o.payload_len as u32);
                if o.kind == Kind::Data {
                    let pt = &datagram[o.payload_start..o.payload_start + o.payload_len];
                    let mut n = 0usize;
                    for (fo, fl) in Frames::new(pt, o.header.event_count as usize) {
                        let e = (frame_index + n) * FRAME_ENTRY_SIZE;
                        wr32(table, e, (d_at + o.payload_start + fo) as u32);
                        wr32(table, e + 4, fl as u32);
                        n += 1;
                    }
                    wr32(r, 8, n as u32);
                    frame_index += n;
                }
            }
            Err(e) => {
                wr32(r, 0, e.code() as u32);
                if let Ok(h) = Header::decode(datagram) {
                    write_header_fields(r, &h);
                }
            }
        }
        at = pad8(d_at + len);
    }
    Ok(count)
}

/// The counter a sealed datagram in the seal output carries (for native callers and tests).
pub fn sealed_counter(datagram: &[u8]) -> u64 {
    rd64(datagram, off::NONCE_COUNTER)
}

#[cfg(test)]
mod tests {
    use super::super::frames::unframe;
    use super::*;

    fn pair() -> (Session, Session) {
        (Session::new(&[1; 32], &[2; 32], 0xABCD_EF01_2345_6789), Session::new(&[2; 32], &[1; 32], 0xABCD_EF01_2345_6789))
    }

    struct SealOut {
        datagram: Vec<u8>,
        record: u32,
        first: u32,
        count: u32,
    }

    fn run_seal(s: &mut Session, input: &[u8]) -> Result<Vec<SealOut>, PacketError> {
        let mut out = vec![0u8; 1 << 20];
        let n = seal_batch(s, input, &mut out)?;
        let mut v = Vec::new();
        let mut o = 0;
        for _ in 0..n {
            let len = rd32(&out, o) as usize;
            v.push(SealOut {
                datagram: out[o + 16..o + 16 + len].to_vec(),
                record: rd32(&out, o + 4),
                first: rd32(&out, o + 8),
                count: rd32(&out, o + 12),
            });
            o = pad8(o + 16 + len);
        }
        Ok(v)
    }

    #[test]
    fn seal_batch_matches_single_seal_and_opens() {
        let (mut a, mut b) = pair();
        let (mut a2, _) = pair();
        let big = vec![0x5Au8; 1024];
        let ev20: Vec<&[u8]> = (0..20).map(|_| &big[..]).collect();
        let t1 = Template { flags: 1, stream_id: 5, sequence: 10, ..Template::default() };
        let t2 = Template { stream_id: 6, sequence: 0, channel_hash: 0x1234, origin_hash: 9, ..Template::default() };
        let mut input = Vec::new();
        push_seal_record(&mut input, &t1, &ev20);
        push_seal_record(&mut input, &t2, &[b"a", b"bc"]);
        push_seal_record(&mut input, &t2, &[]);
        let got = run_seal(&mut a, &input).unwrap();
        assert_eq!(got.len(), 3 + 1 + 1);
        let mut expect = a2.seal(&t1, &ev20).unwrap();
        expect.extend(a2.seal(&t2, &[b"a", b"bc"]).unwrap());
        expect.extend(a2.seal(&t2, &[]).unwrap());
        for (g, e) in got.iter().zip(&expect) {
            assert_eq!(&g.datagram, e, "batch == sequential single seals");
        }
        assert_eq!(got.iter().map(|g| (g.record, g.first, g.count)).collect::<Vec<_>>(), vec![(0, 0, 7), (0, 7, 7), (0, 14, 6), (1, 0, 2), (2, 0, 0)]);
        assert_eq!(a.next_tx_counter(), 5);

        // Open them all in one batch, plus junk, a replay and a handshake.
        let mut oin = Vec::new();
        for g in &got {
            push_open_datagram(&mut oin, &g.datagram);
        }
        push_open_datagram(&mut oin, &got[0].datagram); // replay
        push_open_datagram(&mut oin, &[1, 2, 3]);
        let mut hs = Header { flags: super::super::FLAG_HANDSHAKE, ..Header::default() }.encode().to_vec();
        hs.extend_from_slice(b"noise");
        push_open_datagram(&mut oin, &hs);
        let lens = [got.iter().map(|g| g.datagram.len()).collect::<Vec<_>>(), vec![got[0].datagram.len(), 3, hs.len()]].concat();
        let mut out = vec![0u8; open_output_size(lens.iter().copied())];
        let short = out.len() - 1;
        assert_eq!(open_batch(&mut b, &mut oin, &mut out[..short]), Err(PacketError::OutputTooSmall));
        let n = open_batch(&mut b, &mut oin, &mut out).unwrap();
        assert_eq!(n, 8);
        let table_at = n * OPEN_RESULT_SIZE;
        let mut events = 0;
        for i in 0..5 {
            let r = &out[i * 72..(i + 1) * 72];
            assert_eq!(rd32(r, 0) as i32, STATUS_DATA);
            assert_eq!(rd64(r, 64), i as u64, "counter");
            let fs = rd32(r, 4) as usize;
            let fc = rd32(r, 8) as usize;
            assert_eq!(fc, got[i].count as usize);
            for k in 0..fc {
                let e = table_at + (fs + k) * 8;
                let (fo, fl) = (rd32(&out, e) as usize, rd32(&out, e + 4) as usize);
                let ev = &oin[fo..fo + fl];
                if i < 3 {
                    assert_eq!(ev, &big[..]);
                }
                events += 1;
            }
            let pt = &oin[rd32(r, 12) as usize..(rd32(r, 12) + rd32(r, 16)) as usize];
            assert_eq!(unframe(pt, rd16(r, 26) as usize).len(), fc);
        }
        assert_eq!(events, 22);
        assert_eq!(rd64(&out[0..72], 48), 10);
        assert_eq!(rd64(&out[72 * 3..72 * 4], 56), 9);
        assert_eq!(rd16(&out[72 * 3..72 * 4], 24), 0x1234);
        assert_eq!(rd32(&out[72 * 5..], 0) as i32, PacketError::Replay.code());
        assert_eq!(rd64(&out[72 * 5..], 40), 5, "header fields kept on replay");
        assert_eq!(rd32(&out[72 * 6..], 0) as i32, PacketError::TooShort.code());
        assert_eq!(rd32(&out[72 * 7..], 0) as i32, STATUS_HANDSHAKE);
        let po = rd32(&out[72 * 7..], 12) as usize;
        assert_eq!(&oin[po..po + rd32(&out[72 * 7..], 16) as usize], b"noise");
    }

    #[test]
    fn seal_batch_validates_before_consuming_counters() {
        let (mut a, _) = pair();
        let big = vec![0u8; 8105];
        let mut input = Vec::new();
        push_seal_record(&mut input, &Template::default(), &[b"ok"]);
        push_seal_record(&mut input, &Template::default(), &[&big]);
        assert_eq!(run_seal(&mut a, &input).err(), Some(PacketError::EventTooLarge));
        assert_eq!(a.next_tx_counter(), 0);
        // Heartbeat with events, handshake flag.
        let mut input = Vec::new();
        push_seal_record(&mut input, &Template { flags: super::super::FLAG_HEARTBEAT, ..Template::default() }, &[b"x"]);
        assert_eq!(run_seal(&mut a, &input).err(), Some(PacketError::InvalidFlags));
        // Broken layouts: truncated region, frames_len mismatch, count mismatch.
        let mut input = Vec::new();
        push_seal_record(&mut input, &Template::default(), &[b"abc", b"de"]);
        assert_eq!(run_seal(&mut a, &input[..input.len() - 8]).err(), Some(PacketError::InvalidLayout));
        let mut bad = input.clone();
        wr32(&mut bad, 8 + 40, 3);
        assert_eq!(run_seal(&mut a, &bad).err(), Some(PacketError::InvalidLayout));
        let mut bad = input.clone();
        wr32(&mut bad, 8 + 40, 1);
        assert_eq!(run_seal(&mut a, &bad).err(), Some(PacketError::InvalidLayout));
        let mut bad = input.clone();
        wr32(&mut bad, 0, 2);
        assert_eq!(run_seal(&mut a, &bad).err(), Some(PacketError::InvalidLayout));
        let mut out = vec![0u8; 16 + 68 + 13 + 16 - 1];
        assert_eq!(seal_batch(&mut a, &input, &mut out), Err(PacketError::OutputTooSmall));
        assert_eq!(a.next_tx_counter(), 0);
        assert_eq!(run_seal(&mut a, &input).unwrap().len(), 1);
        // Empty batch.
        assert_eq!(run_seal(&mut a, &[0u8; 8]).unwrap().len(), 0);
    }

    #[test]
    fn open_batch_rejects_broken_layout_without_touching_state() {
        let (mut a, mut b) = pair();
        let d = a.seal(&Template::default(), &[b"x"]).unwrap().remove(0);
        let mut oin = Vec::new();
        push_open_datagram(&mut oin, &d);
        let mut bad = oin.clone();
        wr32(&mut bad, 0, 2);
        let mut out = vec![0u8; 4096];
        assert_eq!(open_batch(&mut b, &mut bad, &mut out), Err(PacketError::InvalidLayout));
        assert_eq!(b.replay().rx_next(), 0);
        assert_eq!(open_batch(&mut b, &mut oin, &mut out), Ok(1));
        assert_eq!(b.replay().rx_next(), 1);
    }
}
