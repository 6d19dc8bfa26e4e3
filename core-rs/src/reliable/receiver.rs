//! Receive side of a reliable stream (streams.md §5, §14 (a)): the contiguous edge
//! `next_expected`, which seqs beyond it arrived, and the NACK that names the holes.
//!
//! The reference tracks 64 seqs past `next_expected` (one u64 SACK word) and rejects anything
//! further; with windows of thousands of packets a single hole would then discard everything
//! behind it. §14 (a) lets a receiver track further internally as long as NACK frames still encode
//! 64 bits, so arrivals are kept in a ring bitset indexed by `seq mod capacity` that grows on demand
//! up to [`RECEIVE_TRACK_LIMIT`] seqs (the largest retransmit window plus the probes).

use super::RECEIVE_TRACK_LIMIT;

/// A NACK: `next_expected` (always missing) plus bit i ⇔ seq `next_expected + 1 + i` missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nack {
    pub next_expected: u64,
    pub missing_bitmap: u64,
}

impl Nack {
    /// The missing seqs in ascending order: `next_expected`, then one per set bitmap bit. Seqs
    /// that would pass `u64::MAX` (only a hostile frame can say so) are left out.
    pub fn missing(&self) -> impl Iterator<Item = u64> + '_ {
        let base = self.next_expected;
        let bits = self.missing_bitmap;
        core::iter::once(base).chain(
            (0..64u64).filter(move |i| bits & (1u64 << i) != 0).filter_map(move |i| base.checked_add(1 + i)),
        )
    }
}

/// Ring capacity (in seqs) a fresh receiver starts with; doubled as needed.
const INITIAL_BITS: u64 = 128;

/// Receive-side state: the bit of seq `s` (at `s mod capacity`) is set ⇔ `s > next_expected`
/// has arrived. Every set bit names a seq in `(next_expected, next_expected + capacity)`.
#[derive(Clone, Debug, Default)]
pub struct Receiver {
    next_expected: u64,
    /// Ring bitset; empty until something arrives out of order.
    words: Vec<u64>,
    /// Number of set bits (arrivals beyond `next_expected`).
    beyond: u64,
    /// Highest seq that arrived beyond `next_expected` (meaningful while `beyond > 0`).
    highest: u64,
}

impl Receiver {
    pub fn new() -> Self {
        Self::default()
    }

    /// Lowest seq not yet received: the `ack_seq` carried by grants (exclusive).
    pub fn next_expected(&self) -> u64 {
        self.next_expected
    }

    /// True when something beyond `next_expected` arrived, i.e. `next_expected` is a hole.
    pub fn has_gap(&self) -> bool {
        self.beyond != 0
    }

    /// Seqs this receiver currently tracks past `next_expected` (ring capacity).
    pub fn tracked(&self) -> u64 {
        self.words.len() as u64 * 64
    }

    fn capacity(&self) -> u64 {
        self.words.len() as u64 * 64
    }

    fn bit(&self, seq: u64) -> bool {
        let cap = self.capacity();
        if cap == 0 {
            return false;
        }
        let i = seq % cap;
        self.words[(i / 64) as usize] & (1u64 << (i % 64)) != 0
    }

    fn set_bit(&mut self, seq: u64, on: bool) {
        let cap = self.capacity();
        let i = seq % cap;
        let w = &mut self.words[(i / 64) as usize];
        if on {
            *w |= 1u64 << (i % 64);
        } else {
            *w &= !(1u64 << (i % 64));
        }
    }

    /// Grows the ring so `offset` (seq − next_expected) fits, moving the set bits.
    fn grow_for(&mut self, offset: u64) {
        let mut cap = self.capacity().max(INITIAL_BITS);
        while offset >= cap {
            cap *= 2;
        }
        if cap == self.capacity() {
            return;
        }
        let old = core::mem::replace(&mut self.words, vec![0u64; (cap / 64) as usize]);
        if self.beyond == 0 {
            return;
        }
        let old_cap = old.len() as u64 * 64;
        for s in self.next_expected + 1..=self.highest {
            let i = s % old_cap;
            if old[(i / 64) as usize] & (1u64 << (i % 64)) != 0 {
                self.set_bit(s, true);
            }
        }
    }

    /// §5 with §14 (a)'s wider tracking: true = accepted (first arrival), false = duplicate or
    /// more than [`RECEIVE_TRACK_LIMIT`] ahead.
    pub fn on_receive(&mut self, seq: u64) -> bool {
        if seq < self.next_expected {
            return false;
        }
        if seq == self.next_expected {
            // Advance past seq, then past every seq that had already arrived out of order.
            self.next_expected = self.next_expected.saturating_add(1);
            while self.beyond > 0 && self.bit(self.next_expected) {
                self.set_bit(self.next_expected, false);
                self.beyond -= 1;
                self.next_expected = self.next_expected.saturating_add(1);
            }
            return true;
        }
        let offset = seq - self.next_expected;
        if offset > RECEIVE_TRACK_LIMIT {
            return false;
        }
        if offset >= self.capacity() {
            self.grow_for(offset);
        }
        if self.bit(seq) {
            return false;
        }
        self.set_bit(seq, true);
        self.highest = if self.beyond == 0 { seq } else { self.highest.max(seq) };
        self.beyond += 1;
        true
    }

    /// None when nothing arrived beyond `next_expected` (a lost tail is the sender's timeout's
    /// job); otherwise the holes among the next 64 seqs, up to the highest seq that arrived:
    /// bit i ⇔ `next_expected + 1 + i` is missing, for every i ≤ highest − next_expected − 1.
    pub fn build_nack(&self) -> Option<Nack> {
        if self.beyond == 0 {
            return None;
        }
        let span = (self.highest - self.next_expected - 1).min(63);
        let mut missing = 0u64;
        for i in 0..=span {
            if !self.bit(self.next_expected + 1 + i) {
                missing |= 1u64 << i;
            }
        }
        Some(Nack { next_expected: self.next_expected, missing_bitmap: missing })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference test accessor: highest contiguous seq (`next_expected − 1`, 0 when empty).
    fn ack_seq(r: &Receiver) -> u64 {
        r.next_expected().saturating_sub(1)
    }

    #[test]
    fn in_order_advances_without_nack() {
        let mut r = Receiver::new();
        for seq in 0..4 {
            assert!(r.on_receive(seq));
            assert_eq!(r.next_expected(), seq + 1);
        }
        assert_eq!(r.build_nack(), None);
        assert_eq!(r.tracked(), 0, "in-order arrivals allocate nothing");
    }

    #[test]
    fn full_cycle_from_reference() {
        // §15: receive 0,1,3,5,6,7,9 → NACK next_expected 2 naming 2, 4, 8; then fill.
        let mut r = Receiver::new();
        for seq in [0, 1, 3, 5, 6, 7, 9] {
            assert!(r.on_receive(seq), "seq {seq}");
        }
        assert_eq!(ack_seq(&r), 1);
        let nack = r.build_nack().expect("gap");
        assert_eq!(nack.next_expected, 2);
        assert_eq!(nack.missing().collect::<Vec<_>>(), vec![2, 4, 8]);
        assert!(r.on_receive(2));
        assert_eq!(r.next_expected(), 4);
        assert!(r.on_receive(4));
        assert_eq!(r.next_expected(), 8);
        assert!(r.on_receive(8));
        assert_eq!(r.next_expected(), 10);
        assert_eq!(r.build_nack(), None);
    }

    #[test]
    fn tracks_beyond_64_and_nacks_only_64_bits() {
        let mut r = Receiver::new();
        assert!(r.on_receive(0));
        assert!(r.on_receive(1));
        // Far beyond the reference's 64: accepted once, duplicates refused.
        assert!(r.on_receive(100));
        assert!(!r.on_receive(100));
        assert!(r.on_receive(66));
        assert!(r.on_receive(65));
        // Something arrived beyond next_expected + 64, so all 64 bits are candidates: 3..=64 and
        // the others below 65 are missing, 65 and 66 arrived (bits 62 and 63).
        let nack = r.build_nack().unwrap();
        assert_eq!(nack.next_expected, 2);
        assert_eq!(nack.missing_bitmap, (1u64 << 62) - 1);
        // Filling 2..=64 moves the edge to 67; 100 is still a hole ahead of it.
        for s in 2..=64 {
            assert!(r.on_receive(s));
        }
        assert_eq!(r.next_expected(), 67);
        let nack = r.build_nack().unwrap();
        assert_eq!(nack.next_expected, 67);
        assert_eq!(nack.missing().count(), 33, "67..=99 missing, 100 arrived");
        for s in 67..100 {
            assert!(r.on_receive(s));
        }
        assert_eq!(r.next_expected(), 101);
        assert_eq!(r.build_nack(), None);
    }

    #[test]
    fn limit_and_growth() {
        let mut r = Receiver::new();
        assert!(!r.on_receive(RECEIVE_TRACK_LIMIT + 1), "beyond the limit");
        assert!(r.on_receive(RECEIVE_TRACK_LIMIT), "at the limit");
        assert!(r.tracked() > RECEIVE_TRACK_LIMIT);
        // Every seq in between arrives in reverse order: each once, and the edge jumps at the end.
        for s in (1..RECEIVE_TRACK_LIMIT).rev() {
            assert!(r.on_receive(s), "seq {s}");
        }
        assert_eq!(r.next_expected(), 0);
        assert!(r.on_receive(0));
        assert_eq!(r.next_expected(), RECEIVE_TRACK_LIMIT + 1);
        assert!(!r.has_gap());
    }

    #[test]
    fn growth_keeps_earlier_arrivals() {
        let mut r = Receiver::new();
        for s in [5u64, 70, 127] {
            assert!(r.on_receive(s));
        }
        assert!(r.on_receive(1000)); // grows the ring past 128
        for s in [5u64, 70, 127, 1000] {
            assert!(!r.on_receive(s), "still known after growth: {s}");
        }
        let missing: Vec<u64> = r.build_nack().unwrap().missing().collect();
        assert_eq!(missing[..5], [0, 1, 2, 3, 4]);
        assert!(!missing.contains(&5));
    }

    #[test]
    fn full_window_mask_uses_all_bits() {
        let mut r = Receiver::new();
        assert!(r.on_receive(0));
        assert!(r.on_receive(1));
        assert!(r.on_receive(65)); // offset 63 → bit 62
        let nack = r.build_nack().unwrap();
        assert_eq!(nack.missing_bitmap, (1u64 << 62) - 1);
        assert!(r.on_receive(66)); // bit 63: highest = 63 → mask = all
        let nack = r.build_nack().unwrap();
        assert_eq!(nack.missing_bitmap, (1u64 << 62) - 1);
        let missing: Vec<u64> = nack.missing().collect();
        assert_eq!(missing.first(), Some(&2));
        assert_eq!(missing.last(), Some(&64));
    }

    #[test]
    fn duplicates_rejected() {
        let mut r = Receiver::new();
        for seq in 0..3 {
            assert!(r.on_receive(seq));
        }
        assert!(!r.on_receive(1));
        assert!(!r.on_receive(2));
        assert!(r.on_receive(5));
        assert!(!r.on_receive(5)); // duplicate of a SACKed seq
        assert_eq!(r.next_expected(), 3);
    }

    #[test]
    fn missing_prefix_is_nacked() {
        let mut r = Receiver::new();
        assert!(r.on_receive(3));
        assert_eq!(r.next_expected(), 0);
        let nack = r.build_nack().unwrap();
        assert_eq!(nack.missing().collect::<Vec<_>>(), vec![0, 1, 2]);
    }

    #[test]
    fn nack_example_from_wire_spec() {
        // wire.md §19: next_expected 100, bitmap 0b1010_0101 → 100, 101, 103, 106, 108.
        let n = Nack { next_expected: 100, missing_bitmap: 0b1010_0101 };
        assert_eq!(n.missing().collect::<Vec<_>>(), vec![100, 101, 103, 106, 108]);
    }

    #[test]
    fn hostile_nack_near_u64_max_does_not_overflow() {
        let n = Nack { next_expected: u64::MAX - 1, missing_bitmap: u64::MAX };
        assert_eq!(n.missing().collect::<Vec<_>>(), vec![u64::MAX - 1, u64::MAX]);
    }

    #[test]
    fn hostile_seqs_near_u64_max() {
        let mut r = Receiver::new();
        assert!(!r.on_receive(u64::MAX));
        assert!(!r.on_receive(u64::MAX - 1));
        assert_eq!(r.tracked(), 0, "a refused seq allocates nothing");
    }
}
