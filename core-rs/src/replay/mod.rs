//! The per-session RX replay window (wire.md §13).
//!
//! `rx_next` is the highest admitted counter + 1 (0 initially); bit k of the 1024-bit bitmap stands
//! for counter `rx_next − 1 − k`. Admission runs only after the packet authenticated.

pub const WINDOW_BITS: u64 = 1024;
const WORDS: usize = (WINDOW_BITS / 64) as usize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayWindow {
    rx_next: u64,
    bits: [u64; WORDS],
}

impl Default for ReplayWindow {
    fn default() -> Self {
        Self::new()
    }
}

impl ReplayWindow {
    pub const fn new() -> Self {
        ReplayWindow { rx_next: 0, bits: [0; WORDS] }
    }

    /// Highest admitted counter + 1 (0 before the first admission).
    pub fn rx_next(&self) -> u64 {
        self.rx_next
    }

    /// Whether `admit(counter)` would accept, without changing state.
    pub fn check(&self, counter: u64) -> bool {
        if counter == u64::MAX {
            return false;
        }
        if counter >= self.rx_next {
            return true;
        }
        let age = self.rx_next - 1 - counter;
        age < WINDOW_BITS && !self.bit(age)
    }

    /// Applies §13: returns true and records the counter if accepted; false leaves state unchanged.
    pub fn admit(&mut self, counter: u64) -> bool {
        // Rule 1: u64::MAX is never valid (rx_next would overflow).
        if counter == u64::MAX {
            return false;
        }
        // Rule 2: a new highest counter shifts the window forward.
        if counter >= self.rx_next {
            self.shift_up(counter - self.rx_next + 1);
            self.bits[0] |= 1;
            self.rx_next = counter + 1;
            return true;
        }
        // Rule 3: within the window and not seen before.
        let age = self.rx_next - 1 - counter;
        if age >= WINDOW_BITS || self.bit(age) {
            return false;
        }
        self.bits[(age / 64) as usize] |= 1 << (age % 64);
        true
    }

    #[inline]
    fn bit(&self, age: u64) -> bool {
        self.bits[(age / 64) as usize] >> (age % 64) & 1 == 1
    }

    /// Moves every bit k to k + n, dropping those that leave the window.
    fn shift_up(&mut self, n: u64) {
        if n >= WINDOW_BITS {
            self.bits = [0; WORDS];
            return;
        }
        let words = (n / 64) as usize;
        let bits = (n % 64) as u32;
        for i in (0..WORDS).rev() {
            let lo = if i >= words { self.bits[i - words] } else { 0 };
            let carry = if bits != 0 && i > words { self.bits[i - words - 1] >> (64 - bits) } else { 0 };
            self.bits[i] = if bits == 0 { lo } else { (lo << bits) | carry };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plainly written model of §13 (a set of admitted counters) to compare against.
    struct Model {
        next: u64,
        seen: std::collections::BTreeSet<u64>,
    }
    impl Model {
        fn admit(&mut self, c: u64) -> bool {
            if c == u64::MAX {
                return false;
            }
            if c >= self.next {
                self.next = c + 1;
                self.seen.insert(c);
                return true;
            }
            if self.next - 1 - c >= 1024 || self.seen.contains(&c) {
                return false;
            }
            self.seen.insert(c);
            true
        }
    }

    #[test]
    fn first_packet_and_duplicates() {
        let mut w = ReplayWindow::new();
        assert_eq!(w.rx_next(), 0);
        assert!(w.admit(0));
        assert_eq!(w.rx_next(), 1);
        assert!(!w.admit(0), "duplicate");
        assert!(w.admit(1));
        assert!(!w.admit(1));
        assert!(!w.admit(0));
    }

    #[test]
    fn u64_max_is_rejected_without_state_change() {
        let mut w = ReplayWindow::new();
        assert!(!w.check(u64::MAX));
        assert!(!w.admit(u64::MAX));
        assert_eq!(w, ReplayWindow::new());
        assert!(w.admit(u64::MAX - 1), "the largest valid counter");
        assert_eq!(w.rx_next(), u64::MAX);
        assert!(!w.admit(u64::MAX - 1));
        assert!(!w.admit(u64::MAX));
        assert!(w.admit(u64::MAX - 1024), "age 1023 still inside");
        assert!(!w.admit(u64::MAX - 1025), "age 1024 outside");
    }

    #[test]
    fn out_of_order_inside_the_window() {
        let mut w = ReplayWindow::new();
        assert!(w.admit(10));
        for c in [9, 3, 0, 7] {
            assert!(w.admit(c), "{c}");
            assert!(!w.admit(c), "{c} dup");
        }
        assert_eq!(w.rx_next(), 11);
    }

    #[test]
    fn age_edges() {
        let mut w = ReplayWindow::new();
        assert!(w.admit(2000));
        // age = 2000 - c; 1023 accepted, 1024 rejected.
        assert!(!w.check(2000 - 1024));
        assert!(!w.admit(2000 - 1024));
        assert!(w.check(2000 - 1023));
        assert!(w.admit(2000 - 1023));
        assert!(!w.admit(2000 - 1023));
        assert!(w.admit(1999));
    }

    #[test]
    fn shift_edges_keep_or_drop_history() {
        for jump in [1u64, 2, 63, 64, 65, 127, 128, 129, 1000, 1018, 1019, 1023, 1024, 1025, 5000, u64::MAX / 2] {
            let mut w = ReplayWindow::new();
            assert!(w.admit(0));
            assert!(w.admit(5));
            let top = 5 + jump;
            assert!(w.admit(top));
            // Seen counters are always refused; unseen ones are accepted iff their age is < 1024.
            let probes = [0, 1, 4, 5, 6, top / 2, top.saturating_sub(1024), top.saturating_sub(1023), top - 1];
            for c in probes {
                let seen = c == 0 || c == 5 || c == top;
                let expect = !seen && top - c < 1024;
                assert_eq!(w.check(c), expect, "jump {jump} counter {c}");
            }
        }
    }

    #[test]
    fn huge_forward_jump_is_accepted_and_clears() {
        let mut w = ReplayWindow::new();
        assert!(w.admit(1));
        assert!(w.admit(1 << 62));
        assert!(!w.admit(1));
        assert!(w.admit((1 << 62) - 1));
        assert!(!w.admit(1 << 62));
    }

    #[test]
    fn refusals_do_not_change_state() {
        let mut w = ReplayWindow::new();
        assert!(w.admit(3000));
        assert!(w.admit(2990));
        let before = w.clone();
        assert!(!w.admit(2990));
        assert!(!w.admit(1000));
        assert!(!w.admit(u64::MAX));
        assert_eq!(w, before);
    }

    #[test]
    fn matches_the_model_on_random_sequences() {
        let mut x = 0x1234_5678_9ABC_DEF1u64;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..50 {
            let mut w = ReplayWindow::new();
            let mut m = Model { next: 0, seen: Default::default() };
            let mut hi = 0u64;
            for _ in 0..3000 {
                let r = rnd();
                let c = match r % 8 {
                    0 => hi + r % 3000,
                    1 => hi.saturating_sub(1020 + r % 10),
                    2 => u64::MAX - (r % 3),
                    _ => hi.saturating_sub(r % 1100) + (r >> 40) % 4,
                };
                let got = w.check(c);
                let a = w.admit(c);
                assert_eq!(got, a, "check/admit agree");
                assert_eq!(a, m.admit(c), "round {round} counter {c}");
                assert_eq!(w.rx_next(), m.next);
                hi = hi.max(c.min(u64::MAX - 1_000_000));
            }
        }
    }
}
