//! Congestion window in packets, Reno-style, as an f64 (streams.md §8). It gates new sends only
//! (`pending < cwnd`); on a loss-free path it climbs to `max_pending` and never binds.

/// Initial window.
pub const INITIAL_CWND: f64 = 32.0;
/// The window never falls below this.
pub const MIN_CWND: f64 = 2.0;

#[derive(Clone, Debug)]
pub struct Cwnd {
    cwnd: f64,
    ssthresh: f64,
    /// `max_pending` of the stream: the window never exceeds it.
    cap: f64,
}

impl Cwnd {
    pub fn new(max_pending: usize) -> Self {
        let cap = (max_pending as f64).max(MIN_CWND);
        Self { cwnd: INITIAL_CWND.min(cap), ssthresh: f64::INFINITY, cap }
    }

    pub fn value(&self) -> f64 {
        self.cwnd
    }

    pub fn ssthresh(&self) -> f64 {
        self.ssthresh
    }

    /// A larger `max_pending` (the window grew): the cap rises; the window itself grows by acks.
    pub fn set_cap(&mut self, max_pending: usize) {
        self.cap = self.cap.max((max_pending as f64).max(MIN_CWND));
    }

    /// True when another packet may be sent with `pending` entries outstanding.
    pub fn allows(&self, pending: usize) -> bool {
        (pending as f64) < self.cwnd
    }

    /// Growth for one acknowledged entry: +1 in slow start, else +1/cwnd.
    pub fn on_acked_entry(&mut self) {
        if self.cwnd < self.ssthresh {
            self.cwnd += 1.0;
        } else {
            self.cwnd += 1.0 / self.cwnd;
        }
        if self.cwnd > self.cap {
            self.cwnd = self.cap;
        }
    }

    /// Growth for `n` acknowledged entries (the same as `n` single calls).
    pub fn on_acked_entries(&mut self, n: usize) {
        for _ in 0..n {
            if self.cwnd >= self.cap {
                break;
            }
            self.on_acked_entry();
        }
    }

    /// NACK loss response (the caller applies it once per recovery episode).
    pub fn on_nack_loss(&mut self) {
        self.ssthresh = (self.cwnd / 2.0).max(MIN_CWND);
        self.cwnd = self.ssthresh.min(self.cap);
    }

    /// Timeout loss response.
    pub fn on_timeout_loss(&mut self) {
        self.ssthresh = (self.cwnd / 2.0).max(MIN_CWND);
        self.cwnd = MIN_CWND;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_start_then_congestion_avoidance() {
        let mut c = Cwnd::new(128);
        assert_eq!(c.value(), 32.0);
        c.on_acked_entries(10);
        assert_eq!(c.value(), 42.0);
        c.on_nack_loss();
        assert_eq!(c.value(), 21.0);
        assert_eq!(c.ssthresh(), 21.0);
        c.on_acked_entry(); // 21 ≥ ssthresh: +1/21
        assert!((c.value() - (21.0 + 1.0 / 21.0)).abs() < 1e-12);
        c.on_timeout_loss();
        assert_eq!(c.value(), 2.0);
        assert!((c.ssthresh() - (21.0 + 1.0 / 21.0) / 2.0).abs() < 1e-12);
        c.on_acked_entry(); // slow start again below ssthresh
        assert_eq!(c.value(), 3.0);
    }

    #[test]
    fn capped_at_max_pending_and_floored() {
        let mut c = Cwnd::new(32);
        c.on_acked_entries(1000);
        assert_eq!(c.value(), 32.0);
        for _ in 0..20 {
            c.on_nack_loss();
        }
        assert_eq!(c.value(), 2.0);
        assert!(c.allows(1));
        assert!(!c.allows(2));
    }
}
