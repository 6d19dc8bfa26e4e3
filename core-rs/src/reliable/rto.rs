//! Retransmission timeout (streams.md §7): RFC 6298 smoothing with Karn's rule applied by the
//! caller (only never-retransmitted packets are sampled). All arithmetic is integer nanoseconds,
//! truncating each division as the reference's `Duration` arithmetic does.

pub const NS_PER_MS: u64 = 1_000_000;
/// RTO before the first sample.
pub const INITIAL_RTO_NS: u64 = 50 * NS_PER_MS;
/// Lower clamp of a computed RTO.
pub const MIN_RTO_NS: u64 = 10 * NS_PER_MS;
/// Upper clamp of a computed RTO.
pub const MAX_RTO_NS: u64 = 2_000 * NS_PER_MS;

#[derive(Clone, Debug)]
pub struct RtoEstimator {
    /// `None` until the first sample.
    srtt_ns: Option<u64>,
    rttvar_ns: u64,
    rto_ns: u64,
}

impl Default for RtoEstimator {
    fn default() -> Self {
        Self::new(INITIAL_RTO_NS)
    }
}

impl RtoEstimator {
    /// An estimator whose RTO is `initial_ns` until the first sample (not clamped: tests set
    /// small values directly, as the reference's `set_rto` does).
    pub fn new(initial_ns: u64) -> Self {
        Self { srtt_ns: None, rttvar_ns: 0, rto_ns: initial_ns }
    }

    pub fn rto_ns(&self) -> u64 {
        self.rto_ns
    }

    pub fn srtt_ns(&self) -> Option<u64> {
        self.srtt_ns
    }

    pub fn rttvar_ns(&self) -> u64 {
        self.rttvar_ns
    }

    /// Feeds one RTT sample `r_ns` and recomputes the RTO.
    pub fn on_sample(&mut self, r_ns: u64) {
        match self.srtt_ns {
            None => {
                self.srtt_ns = Some(r_ns);
                self.rttvar_ns = r_ns / 2;
            }
            Some(srtt) => {
                // rttvar first (it uses the old srtt), then srtt.
                let diff = srtt.abs_diff(r_ns);
                self.rttvar_ns = mul_div(self.rttvar_ns, 3, 4).saturating_add(diff / 4);
                self.srtt_ns = Some(mul_div(srtt, 7, 8).saturating_add(r_ns / 8));
            }
        }
        let srtt = self.srtt_ns.unwrap_or(0);
        self.rto_ns = srtt.saturating_add(self.rttvar_ns.saturating_mul(4)).clamp(MIN_RTO_NS, MAX_RTO_NS);
    }
}

/// ⌊v · num / den⌋ without overflow (a hostile clock jump can make samples huge).
fn mul_div(v: u64, num: u64, den: u64) -> u64 {
    ((u128::from(v) * u128::from(num)) / u128::from(den)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = NS_PER_MS;

    #[test]
    fn initial_rto_is_50ms() {
        assert_eq!(RtoEstimator::default().rto_ns(), 50 * MS);
    }

    #[test]
    fn first_sample_triples_then_clamps_high() {
        let mut e = RtoEstimator::default();
        e.on_sample(20 * MS);
        assert_eq!(e.srtt_ns(), Some(20 * MS));
        assert_eq!(e.rttvar_ns(), 10 * MS);
        assert_eq!(e.rto_ns(), 60 * MS);
        e.on_sample(10_000 * MS);
        assert_eq!(e.rto_ns(), 2_000 * MS);
    }

    #[test]
    fn tiny_sample_clamps_low() {
        let mut e = RtoEstimator::default();
        e.on_sample(1_000); // 1 µs
        assert_eq!(e.rto_ns(), 10 * MS);
    }

    #[test]
    fn integer_truncation_matches_reference_order() {
        let mut e = RtoEstimator::default();
        e.on_sample(7); // srtt 7, rttvar 3 (7/2 truncated)
        assert_eq!(e.rttvar_ns(), 3);
        e.on_sample(15);
        // rttvar = 3*3/4 + |7-15|/4 = 2 + 2 = 4; srtt = 7*7/8 + 15/8 = 6 + 1 = 7.
        assert_eq!(e.rttvar_ns(), 4);
        assert_eq!(e.srtt_ns(), Some(7));
    }

    #[test]
    fn steady_samples_converge() {
        let mut e = RtoEstimator::default();
        for _ in 0..200 {
            e.on_sample(30 * MS);
        }
        // rttvar decays towards 0 and srtt stays 30 ms: RTO → just above 30 ms.
        assert!(e.rto_ns() >= 30 * MS && e.rto_ns() < 31 * MS, "rto {}", e.rto_ns());
    }
}
