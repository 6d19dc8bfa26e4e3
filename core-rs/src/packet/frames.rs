//! Event framing (wire.md §5): plaintext = frames `[u32 LE length][bytes]`, nothing else.
//!
//! Senders pack greedily (a new packet starts when the next frame would push the plaintext past
//! 8108 bytes); readers parse at most `event_count` frames, stop quietly at the first truncated
//! frame, ignore trailing bytes and never reserve more than `remaining / 4` slots.

use super::error::PacketError;
use super::header::{rd32, wr32};
use super::{FRAME_PREFIX, MAX_EVENTS_PER_PACKET, MAX_EVENT_SIZE, MAX_PAYLOAD_SIZE};

/// One planned packet: which events (by index) it holds and its plaintext length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketPlan {
    pub first_event: usize,
    pub event_count: usize,
    pub plaintext_len: usize,
}

/// Greedy planner fed one event length at a time. Zero events still yield one (empty) packet.
#[derive(Debug, Clone)]
pub struct Packer {
    cur: PacketPlan,
    next_index: usize,
}

impl Default for Packer {
    fn default() -> Self {
        Self::new()
    }
}

impl Packer {
    pub fn new() -> Self {
        Packer { cur: PacketPlan { first_event: 0, event_count: 0, plaintext_len: 0 }, next_index: 0 }
    }

    /// Adds the next event; returns the packet it closed, if the event had to start a new one.
    /// Errors (without changing state) if the event can never fit in a packet.
    #[inline]
    pub fn push(&mut self, event_len: usize) -> Result<Option<PacketPlan>, PacketError> {
        if event_len > MAX_EVENT_SIZE {
            return Err(PacketError::EventTooLarge);
        }
        let frame = FRAME_PREFIX + event_len;
        let closed = if self.cur.event_count > 0
            && (self.cur.plaintext_len + frame > MAX_PAYLOAD_SIZE || self.cur.event_count == MAX_EVENTS_PER_PACKET)
        {
            let done = self.cur;
            self.cur = PacketPlan { first_event: self.next_index, event_count: 0, plaintext_len: 0 };
            Some(done)
        } else {
            None
        };
        self.cur.event_count += 1;
        self.cur.plaintext_len += frame;
        self.next_index += 1;
        Ok(closed)
    }

    /// The last (possibly empty) packet.
    pub fn finish(self) -> PacketPlan {
        self.cur
    }
}

/// Plans every packet for a list of event lengths; fails before planning anything if one is > 8104.
pub fn plan_packets(event_lens: &[usize]) -> Result<Vec<PacketPlan>, PacketError> {
    if event_lens.iter().any(|&l| l > MAX_EVENT_SIZE) {
        return Err(PacketError::EventTooLarge);
    }
    let mut packer = Packer::new();
    let mut plans = Vec::new();
    for &l in event_lens {
        if let Some(p) = packer.push(l)? {
            plans.push(p);
        }
    }
    plans.push(packer.finish());
    Ok(plans)
}

/// Appends the frames of `events` to `out`.
pub fn write_frames(events: &[&[u8]], out: &mut Vec<u8>) {
    for e in events {
        out.extend_from_slice(&(e.len() as u32).to_le_bytes());
        out.extend_from_slice(e);
    }
}

/// Writes one frame at `out[at..]`, returns the offset after it.
#[inline]
pub fn put_frame(out: &mut [u8], at: usize, event: &[u8]) -> usize {
    wr32(out, at, event.len() as u32);
    out[at + FRAME_PREFIX..at + FRAME_PREFIX + event.len()].copy_from_slice(event);
    at + FRAME_PREFIX + event.len()
}

/// Iterates the frames of a plaintext as `(offset, len)` of each event's bytes within it.
#[derive(Debug, Clone)]
pub struct Frames<'a> {
    buf: &'a [u8],
    pos: usize,
    left: usize,
}

impl<'a> Frames<'a> {
    pub fn new(plaintext: &'a [u8], event_count: usize) -> Self {
        Frames { buf: plaintext, pos: 0, left: event_count }
    }
}

impl Iterator for Frames<'_> {
    type Item = (usize, usize);

    #[inline]
    fn next(&mut self) -> Option<(usize, usize)> {
        if self.left == 0 || self.buf.len() - self.pos < FRAME_PREFIX {
            return None;
        }
        let len = rd32(self.buf, self.pos) as usize;
        let start = self.pos + FRAME_PREFIX;
        if len > self.buf.len() - start {
            self.left = 0; // truncated frame: stop quietly
            return None;
        }
        self.pos = start + len;
        self.left -= 1;
        Some((start, len))
    }
}

/// The events of a plaintext as slices (frames before a truncated one are kept).
pub fn unframe(plaintext: &[u8], event_count: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(event_count.min(plaintext.len() / FRAME_PREFIX));
    out.extend(Frames::new(plaintext, event_count).map(|(o, l)| &plaintext[o..o + l]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(events: &[&[u8]]) -> Vec<u8> {
        let mut v = Vec::new();
        write_frames(events, &mut v);
        v
    }

    #[test]
    fn frame_roundtrip() {
        let ev: [&[u8]; 3] = [b"abc", b"", b"hello"];
        let p = framed(&ev);
        assert_eq!(p.len(), 4 + 3 + 4 + 0 + 4 + 5);
        assert_eq!(&p[..4], &3u32.to_le_bytes());
        assert_eq!(unframe(&p, 3), ev.to_vec());
    }

    #[test]
    fn reader_stops_at_event_count_truncation_and_ignores_trailing() {
        let p = framed(&[b"abc", b"de", b"f"]);
        assert_eq!(unframe(&p, 2), vec![&b"abc"[..], &b"de"[..]]);
        assert_eq!(unframe(&p, 0).len(), 0);
        assert_eq!(unframe(&p, 100).len(), 3);
        // Truncate inside the third frame's body: the first two are kept.
        assert_eq!(unframe(&p[..p.len() - 1], 3), vec![&b"abc"[..], &b"de"[..]]);
        // Truncate inside the third frame's length prefix.
        assert_eq!(unframe(&p[..7 + 6 + 2], 3).len(), 2);
        // A huge length claims more than remains.
        let mut bad = framed(&[b"x"]);
        bad.extend_from_slice(&u32::MAX.to_le_bytes());
        bad.extend_from_slice(b"yz");
        assert_eq!(unframe(&bad, 2), vec![&b"x"[..]]);
        // Trailing garbage after the counted frames is ignored.
        let mut t = framed(&[b"q"]);
        t.extend_from_slice(&[1, 2, 3]);
        assert_eq!(unframe(&t, 1), vec![&b"q"[..]]);
        assert_eq!(unframe(&[], 5).len(), 0);
    }

    #[test]
    fn no_overallocation() {
        let v = unframe(&[0u8; 8], 2027);
        assert_eq!(v.len(), 2);
        assert!(v.capacity() <= 2);
    }

    #[test]
    fn greedy_boundaries() {
        // Zero events: one empty packet.
        assert_eq!(plan_packets(&[]).unwrap(), vec![PacketPlan { first_event: 0, event_count: 0, plaintext_len: 0 }]);
        // One maximal event fits exactly.
        assert_eq!(plan_packets(&[8104]).unwrap(), vec![PacketPlan { first_event: 0, event_count: 1, plaintext_len: 8108 }]);
        assert_eq!(plan_packets(&[8105]), Err(PacketError::EventTooLarge));
        assert_eq!(plan_packets(&[1, 2, 8105]), Err(PacketError::EventTooLarge));
        // 2027 empty events fill one packet exactly; the 2028th starts a new one.
        let p = plan_packets(&vec![0; 2027]).unwrap();
        assert_eq!(p, vec![PacketPlan { first_event: 0, event_count: 2027, plaintext_len: 8108 }]);
        let p = plan_packets(&vec![0; 2028]).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[1], PacketPlan { first_event: 2027, event_count: 1, plaintext_len: 4 });
        // Two frames of 4054 bytes = 8108 exactly fit; one more byte splits.
        let p = plan_packets(&[4050, 4050]).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].plaintext_len, 8108);
        let p = plan_packets(&[4050, 4051]).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].event_count, p[1].first_event, p[1].plaintext_len), (1, 1, 4055));
        // Many 1 KiB events: 7 per packet (7 × 1028 = 7196; 8 × 1028 = 8224 > 8108).
        let p = plan_packets(&vec![1024; 20]).unwrap();
        assert_eq!(p.iter().map(|x| x.event_count).collect::<Vec<_>>(), vec![7, 7, 6]);
        assert_eq!(p[2].first_event, 14);
    }

    #[test]
    fn packer_matches_the_greedy_rule_on_random_lengths() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200 {
            let n = (x % 300) as usize;
            let lens: Vec<usize> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x % 9000) as usize % (MAX_EVENT_SIZE + 1) / if x & 1 == 0 { 1 } else { 50 }
                })
                .collect();
            let plans = plan_packets(&lens).unwrap();
            let mut next = 0;
            for (i, p) in plans.iter().enumerate() {
                assert_eq!(p.first_event, next);
                let framed: usize = lens[p.first_event..p.first_event + p.event_count].iter().map(|l| l + 4).sum();
                assert_eq!(framed, p.plaintext_len);
                assert!(p.plaintext_len <= MAX_PAYLOAD_SIZE && p.event_count <= MAX_EVENTS_PER_PACKET);
                if i + 1 < plans.len() {
                    assert!(p.event_count > 0);
                    let following = lens[p.first_event + p.event_count] + 4;
                    assert!(p.plaintext_len + following > MAX_PAYLOAD_SIZE || p.event_count == MAX_EVENTS_PER_PACKET);
                }
                next += p.event_count;
            }
            assert_eq!(next, n);
        }
    }
}
