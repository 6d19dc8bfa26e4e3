//! Receive side of a reliable stream (streams.md §5): the contiguous edge `next_expected`, a
//! 64-bit SACK bitmap of what arrived beyond it, and the NACK that names the holes.

use super::RECEIVE_LOOKAHEAD;

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

/// Receive-side state: bit i of `sack` is set ⇔ seq `next_expected + 1 + i` has arrived.
#[derive(Clone, Debug, Default)]
pub struct Receiver {
    next_expected: u64,
    sack: u64,
}

impl Receiver {
    pub fn new() -> Self {
        Self::default()
    }

    /// Lowest seq not yet received: the `ack_seq` carried by grants (exclusive).
    pub fn next_expected(&self) -> u64 {
        self.next_expected
    }

    /// The raw SACK bitmap (bit i ⇔ `next_expected + 1 + i` arrived).
    pub fn sack(&self) -> u64 {
        self.sack
    }

    /// True when something beyond `next_expected` arrived, i.e. `next_expected` is a hole.
    pub fn has_gap(&self) -> bool {
        self.sack != 0
    }

    /// §5: true = accepted (first arrival), false = duplicate or more than 64 ahead.
    pub fn on_receive(&mut self, seq: u64) -> bool {
        if seq < self.next_expected {
            return false;
        }
        if seq == self.next_expected {
            // Advance past seq, then past every seq that had already arrived out of order. After
            // the increment bit 0 names the new next_expected itself; the final shift restores
            // "bit 0 = next_expected + 1".
            self.next_expected = self.next_expected.saturating_add(1);
            while self.sack & 1 != 0 {
                self.next_expected = self.next_expected.saturating_add(1);
                self.sack >>= 1;
            }
            self.sack >>= 1;
            return true;
        }
        let offset = seq - self.next_expected;
        if offset > RECEIVE_LOOKAHEAD {
            return false;
        }
        let bit = 1u64 << (offset - 1);
        if self.sack & bit != 0 {
            return false;
        }
        self.sack |= bit;
        true
    }

    /// None when `sack == 0` (a lost tail is the sender's timeout's job); otherwise the holes up
    /// to the highest seq that arrived: `missing_bitmap = !sack & mask(0..=highest set bit)`.
    pub fn build_nack(&self) -> Option<Nack> {
        if self.sack == 0 {
            return None;
        }
        let highest = 63 - self.sack.leading_zeros();
        let mask = if highest == 63 { u64::MAX } else { (1u64 << (highest + 1)) - 1 };
        Some(Nack { next_expected: self.next_expected, missing_bitmap: !self.sack & mask })
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
    fn too_far_ahead_and_edge() {
        let mut r = Receiver::new();
        assert!(r.on_receive(0));
        assert!(r.on_receive(1));
        assert!(!r.on_receive(100));
        assert!(!r.on_receive(67)); // offset 65
        assert!(r.on_receive(66)); // offset 64: bit 63, the last one tracked
        assert!(r.on_receive(65));
        assert_eq!(r.next_expected(), 2);
        let nack = r.build_nack().unwrap();
        assert_eq!(nack.next_expected, 2);
        // Bits 62 and 63 are set (65 and 66 arrived); 3..=64 are missing.
        assert_eq!(nack.missing_bitmap, (1u64 << 62) - 1);
        assert_eq!(nack.missing().count(), 1 + 62);
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
}
