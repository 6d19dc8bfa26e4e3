//! Byte-credit flow control (streams.md §4). Grants are absolute and monotonic: the receiver
//! reports its cumulative consumed bytes, the sender turns the increase over the best value seen
//! so far into credit. One lost grant is therefore healed by the next.

use super::PACKET_WIRE_OVERHEAD;

/// What a StreamWindow grant did to the sender's credit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantOutcome {
    /// Credit increased (possibly by 0 after capping at the window).
    Applied = 1,
    /// `min(total_consumed, tx_bytes_sent)` did not exceed the best value seen: no change.
    Stale = 0,
    /// The window is 0: credit checks are off and the grant only acks.
    Disabled = 2,
}

/// Sender side: `tx_window`, `tx_credit_remaining`, `tx_bytes_sent`, `max_consumed_seen`.
#[derive(Clone, Debug)]
pub struct SenderCredit {
    window: u64,
    credit: u64,
    bytes_sent: u64,
    max_consumed_seen: u64,
    backpressure_events: u64,
    grants_received: u64,
}

impl SenderCredit {
    /// Credit starts full, so the first send needs no round trip.
    pub fn new(window_bytes: u32) -> Self {
        let window = u64::from(window_bytes);
        Self { window, credit: window, bytes_sent: 0, max_consumed_seen: 0, backpressure_events: 0, grants_received: 0 }
    }

    pub fn window(&self) -> u64 {
        self.window
    }
    pub fn enabled(&self) -> bool {
        self.window > 0
    }
    pub fn credit(&self) -> u64 {
        self.credit
    }
    pub fn bytes_sent(&self) -> u64 {
        self.bytes_sent
    }
    pub fn max_consumed_seen(&self) -> u64 {
        self.max_consumed_seen
    }
    pub fn backpressure_events(&self) -> u64 {
        self.backpressure_events
    }
    pub fn grants_received(&self) -> u64 {
        self.grants_received
    }

    /// Raises the window to `window` (no-op unless larger and credit is enabled); the credit
    /// grows by the same amount, so bytes in flight stay accounted.
    pub fn grow_window(&mut self, window: u64) {
        if !self.enabled() || window <= self.window {
            return;
        }
        self.credit += window - self.window;
        self.window = window;
    }

    /// True when `total` bytes of charges fit in the remaining credit (always with window 0).
    pub fn covers(&self, total: u64) -> bool {
        !self.enabled() || self.credit >= total
    }

    /// Records a refusal for lack of credit (`backpressure_events += 1`).
    pub fn note_backpressure(&mut self) {
        self.backpressure_events += 1;
    }

    /// §3 step 3.1: takes `charge` bytes of credit, or refuses (and counts the refusal). With
    /// window 0 nothing is checked or counted.
    pub fn try_acquire(&mut self, charge: u64) -> bool {
        if !self.enabled() {
            return true;
        }
        if self.credit < charge {
            self.backpressure_events += 1;
            return false;
        }
        self.credit -= charge;
        self.bytes_sent += charge;
        true
    }

    /// §3 step 3.4: gives back the charge of a packet whose hand-off failed (unreliable streams;
    /// reliable ones keep it, §14 (b)).
    pub fn refund(&mut self, charge: u64) {
        if !self.enabled() {
            return;
        }
        self.credit = self.credit.saturating_add(charge);
        self.bytes_sent = self.bytes_sent.saturating_sub(charge);
    }

    /// §14 (c) 2: an ack probe bypasses the credit check but is still accounted: 84 bytes are
    /// added to `tx_bytes_sent` and credit drops by at most what is left.
    pub fn charge_probe(&mut self) {
        if !self.enabled() {
            return;
        }
        self.bytes_sent += PACKET_WIRE_OVERHEAD;
        self.credit -= self.credit.min(PACKET_WIRE_OVERHEAD);
    }

    /// §4 sender rule for a StreamWindow grant (the caller then runs `on_ack(ack_seq)`).
    pub fn on_grant(&mut self, total_consumed: u64) -> GrantOutcome {
        self.grants_received += 1;
        if !self.enabled() {
            return GrantOutcome::Disabled;
        }
        let tc = total_consumed.min(self.bytes_sent);
        if tc <= self.max_consumed_seen {
            return GrantOutcome::Stale;
        }
        let increase = tc - self.max_consumed_seen;
        self.credit = self.credit.saturating_add(increase).min(self.window);
        self.max_consumed_seen = tc;
        GrantOutcome::Applied
    }
}

/// Receiver side: cumulative on-wire bytes of accepted packets.
#[derive(Clone, Debug, Default)]
pub struct ReceiverCredit {
    consumed: u64,
    grants_sent: u64,
}

impl ReceiverCredit {
    pub fn consumed(&self) -> u64 {
        self.consumed
    }
    pub fn grants_sent(&self) -> u64 {
        self.grants_sent
    }
    /// `rx_consumed += plaintext_len + 84` for an accepted packet.
    pub fn on_accepted(&mut self, plaintext_len: u64) {
        self.consumed = self.consumed.saturating_add(plaintext_len + PACKET_WIRE_OVERHEAD);
    }
    pub fn note_grant_sent(&mut self) {
        self.grants_sent += 1;
    }
}

/// `charge = framed_len + 84` (§3 step 3.1).
pub fn charge_for(framed_len: usize) -> u64 {
    framed_len as u64 + PACKET_WIRE_OVERHEAD
}

#[cfg(test)]
mod tests {
    use super::*;

    // session.rs cases of streams.md §15 (raw byte acquires, no per-packet overhead).

    #[test]
    fn third_acquire_fails_with_backpressure() {
        let mut c = SenderCredit::new(100);
        assert!(c.try_acquire(40));
        assert!(c.try_acquire(40));
        assert!(!c.try_acquire(40));
        assert_eq!(c.backpressure_events(), 1);
        assert_eq!(c.credit(), 20);
    }

    #[test]
    fn lost_grant_healed_by_the_next() {
        let mut c = SenderCredit::new(100);
        assert!(c.try_acquire(30));
        assert!(c.try_acquire(40));
        // A grant for 30 was lost; the next one reports 70 in total.
        assert_eq!(c.on_grant(70), GrantOutcome::Applied);
        assert_eq!(c.credit(), 100);
    }

    #[test]
    fn stale_grant_ignored() {
        let mut c = SenderCredit::new(100);
        assert!(c.try_acquire(80));
        assert_eq!(c.on_grant(60), GrantOutcome::Applied);
        assert_eq!(c.credit(), 80);
        assert_eq!(c.on_grant(40), GrantOutcome::Stale);
        assert_eq!(c.credit(), 80);
        assert_eq!(c.max_consumed_seen(), 60);
        assert_eq!(c.grants_received(), 2);
    }

    #[test]
    fn grant_above_bytes_sent_is_capped() {
        let mut c = SenderCredit::new(100);
        assert!(c.try_acquire(40));
        assert_eq!(c.on_grant(500), GrantOutcome::Applied);
        assert_eq!(c.credit(), 100);
        assert_eq!(c.max_consumed_seen(), 40);
    }

    #[test]
    fn window_zero_disables_everything() {
        let mut c = SenderCredit::new(0);
        assert!(c.try_acquire(1 << 40));
        assert_eq!(c.credit(), 0);
        assert_eq!(c.bytes_sent(), 0);
        assert_eq!(c.on_grant(123), GrantOutcome::Disabled);
        c.charge_probe();
        assert_eq!(c.bytes_sent(), 0);
        assert_eq!(c.backpressure_events(), 0);
    }

    #[test]
    fn probe_charges_bytes_sent_and_at_most_the_remaining_credit() {
        let mut c = SenderCredit::new(100);
        assert!(c.try_acquire(50));
        c.charge_probe();
        assert_eq!(c.bytes_sent(), 134);
        assert_eq!(c.credit(), 0);
        c.charge_probe();
        assert_eq!(c.bytes_sent(), 218);
        assert_eq!(c.credit(), 0);
        // A grant covering everything restores the full window.
        assert_eq!(c.on_grant(218), GrantOutcome::Applied);
        assert_eq!(c.credit(), 100);
    }

    #[test]
    fn refund_restores_credit() {
        let mut c = SenderCredit::new(200);
        assert!(c.try_acquire(charge_for(16)));
        assert_eq!(c.credit(), 100);
        c.refund(charge_for(16));
        assert_eq!(c.credit(), 200);
        assert_eq!(c.bytes_sent(), 0);
    }

    #[test]
    fn receiver_counts_on_wire_bytes() {
        let mut r = ReceiverCredit::default();
        r.on_accepted(0);
        r.on_accepted(8108);
        assert_eq!(r.consumed(), 84 + 8192);
    }

    #[test]
    fn eight_full_packets_fill_the_default_window() {
        // §4: 65,536 B admits exactly 8 full-size (8192-B) packets.
        let mut c = SenderCredit::new(65_536);
        for _ in 0..8 {
            assert!(c.try_acquire(charge_for(8108)));
        }
        assert!(!c.try_acquire(charge_for(0)));
        // The blob window admits 31 packets of one 8000-byte event (8088 B each).
        let mut b = SenderCredit::new(256_000);
        let mut n = 0;
        while b.try_acquire(charge_for(4 + 8000)) {
            n += 1;
        }
        assert_eq!(n, 31);
    }
}
