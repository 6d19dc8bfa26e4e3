//! Send side of a reliable stream (streams.md §6, §8, §14 (b)/(c)): the FIFO of unacknowledged
//! packets with everything needed to rebuild them, NACK- and timeout-driven resends, the RTO and
//! cwnd they feed, and ack probing before give-up.
//!
//! This project never evicts: `on_send` refuses when `max_pending` entries are outstanding, so
//! `untracked_evictions` stays 0. When a timeout finds an entry that has used all its resends the
//! stream *probes* (zero-frame packets at fresh seqs, at most [`MAX_ACK_PROBES`], one per RTO)
//! and gives up — `failed` — only if one RTO after the last probe those entries are still unacked.
//!
//! Give-up is bounded by time as well as count ([`Sender::set_give_up_after`]): with a bound set,
//! a stream whose probes are used up keeps probing (at a backed-off interval) until no ack has
//! advanced for that long, so a receiver that pauses for seconds (a stopped process, a long GC)
//! is waited for; while probing, a NACK resends exhausted entries too (the receiver is alive and
//! says what it lacks).

use std::collections::VecDeque;

use super::cwnd::Cwnd;
use super::receiver::Nack;
use super::rto::RtoEstimator;
use super::MAX_ACK_PROBES;

/// Everything needed to rebuild a packet for a resend: same seq, flags and frames; the caller
/// seals it with a fresh counter.
#[derive(Clone, Debug)]
pub struct Descriptor {
    pub seq: u64,
    pub flags: u8,
    pub event_count: u32,
    /// Framed plaintext: `[u32 LE len][bytes]` × `event_count`.
    pub framed: Box<[u8]>,
    /// An ack probe (zero frames, §14 (c) 2).
    pub probe: bool,
}

#[derive(Clone, Debug)]
struct Entry {
    d: Descriptor,
    sent_at_ns: u64,
    retries: u8,
}

/// An active probing episode.
#[derive(Clone, Copy, Debug)]
struct Probing {
    /// An ack `a ≥ cover` covers every exhausted entry (cover = highest exhausted seq + 1).
    cover: u64,
    probes_sent: u8,
    last_probe_ns: u64,
}

/// What a retransmit tick decided beyond the resends it appended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeoutOutcome {
    /// Send an ack probe now: the caller allocates the next seq and calls `register_probe`.
    pub probe_due: bool,
    /// Probing failed on this tick: the stream gave up (`failed` is now set).
    pub gave_up: bool,
}

#[derive(Clone, Debug)]
pub struct Sender {
    pending: VecDeque<Entry>,
    max_pending: usize,
    max_retries: u8,
    rto: RtoEstimator,
    cwnd: Cwnd,
    /// `next_expected` of the NACK that started the current recovery episode.
    recover: Option<u64>,
    probing: Option<Probing>,
    failed: bool,
    failed_unreported: bool,
    acked: u64,
    retransmits: u64,
    /// Resends a retransmit timeout caused (a subset of `retransmits`).
    timeout_retransmits: u64,
    nacks_received: u64,
    probes_sent: u64,
    /// RTT samples taken (Karn), for callers that follow the estimate.
    rtt_samples: u64,
    /// Give up only after this long without ack progress (0: count only, the §14 (c) schedule).
    give_up_after_ns: u64,
    /// When the cumulative ack last removed entries (or sending started with nothing pending).
    last_progress_ns: u64,
}

/// Longest interval between two probes of an episode that outlasts its first MAX_ACK_PROBES.
const MAX_PROBE_INTERVAL_NS: u64 = 1_000_000_000;

impl Sender {
    pub fn new(max_pending: usize, max_retries: u8, initial_rto_ns: u64) -> Self {
        Self {
            pending: VecDeque::new(),
            max_pending,
            max_retries,
            rto: RtoEstimator::new(initial_rto_ns),
            cwnd: Cwnd::new(max_pending),
            recover: None,
            probing: None,
            failed: false,
            failed_unreported: false,
            acked: 0,
            retransmits: 0,
            timeout_retransmits: 0,
            nacks_received: 0,
            probes_sent: 0,
            rtt_samples: 0,
            give_up_after_ns: 0,
            last_progress_ns: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }
    pub fn max_pending(&self) -> usize {
        self.max_pending
    }
    pub fn max_retries(&self) -> u8 {
        self.max_retries
    }
    /// True when `k` more packets fit under `max_pending`.
    pub fn has_room(&self, k: usize) -> bool {
        self.pending.len().saturating_add(k) <= self.max_pending
    }
    /// `pending.len < cwnd` (§6 `can_send`, the §3 step 2 gate).
    pub fn can_send(&self) -> bool {
        self.cwnd.allows(self.pending.len())
    }
    pub fn rto_ns(&self) -> u64 {
        self.rto.rto_ns()
    }
    pub fn cwnd(&self) -> f64 {
        self.cwnd.value()
    }
    pub fn ssthresh(&self) -> f64 {
        self.cwnd.ssthresh()
    }
    pub fn recover(&self) -> Option<u64> {
        self.recover
    }
    pub fn is_probing(&self) -> bool {
        self.probing.is_some()
    }
    /// Sticky: the stream gave up.
    pub fn failed(&self) -> bool {
        self.failed
    }
    pub fn acked(&self) -> u64 {
        self.acked
    }
    pub fn retransmits(&self) -> u64 {
        self.retransmits
    }
    pub fn timeout_retransmits(&self) -> u64 {
        self.timeout_retransmits
    }
    /// The smoothed RTT (None before the first sample).
    pub fn srtt_ns(&self) -> Option<u64> {
        self.rto.srtt_ns()
    }
    pub fn rtt_samples(&self) -> u64 {
        self.rtt_samples
    }
    /// Raises `max_pending` (the credit window grew); the cwnd cap follows.
    pub fn set_max_pending(&mut self, max_pending: usize) {
        if max_pending > self.max_pending {
            self.max_pending = max_pending;
            self.cwnd.set_cap(max_pending);
        }
    }
    pub fn nacks_received(&self) -> u64 {
        self.nacks_received
    }
    pub fn probes_sent(&self) -> u64 {
        self.probes_sent
    }

    /// Bounds give-up by time: the stream fails only once its probes are used up *and* no ack
    /// has advanced for `ns` (0 restores the count-only schedule).
    pub fn set_give_up_after(&mut self, ns: u64) {
        self.give_up_after_ns = ns;
    }
    pub fn give_up_after_ns(&self) -> u64 {
        self.give_up_after_ns
    }

    /// Reads and clears the give-up notification (the caller sends StreamReset once per `true`).
    pub fn take_failed(&mut self) -> bool {
        core::mem::take(&mut self.failed_unreported)
    }

    /// Registers a freshly sent packet; refuses (returning it) when `max_pending` entries are
    /// outstanding or the stream has given up.
    pub fn on_send(&mut self, d: Descriptor, now_ns: u64) -> Result<(), Descriptor> {
        if self.failed || self.pending.len() >= self.max_pending {
            return Err(d);
        }
        self.push(d, now_ns);
        Ok(())
    }

    /// Registers an ack probe at `seq`: exempt from `max_pending` (and, in the caller, from credit
    /// and cwnd).
    pub fn register_probe(&mut self, seq: u64, flags: u8, now_ns: u64) {
        self.push(Descriptor { seq, flags, event_count: 0, framed: Box::new([]), probe: true }, now_ns);
        self.probes_sent += 1;
    }

    fn push(&mut self, d: Descriptor, now_ns: u64) {
        debug_assert!(self.pending.back().is_none_or(|e| e.d.seq < d.seq), "seqs must ascend");
        if self.pending.is_empty() {
            self.last_progress_ns = now_ns;
        }
        self.pending.push_back(Entry { d, sent_at_ns: now_ns, retries: 0 });
    }

    fn index_of(&self, seq: u64) -> Option<usize> {
        self.pending.binary_search_by_key(&seq, |e| e.d.seq).ok()
    }

    /// The stored rebuild inputs of the pending packet `seq`.
    pub fn descriptor(&self, seq: u64) -> Option<&Descriptor> {
        self.index_of(seq).map(|i| &self.pending[i].d)
    }

    /// Seqs of every pending entry, oldest first.
    pub fn pending_seqs(&self) -> impl Iterator<Item = u64> + '_ {
        self.pending.iter().map(|e| e.d.seq)
    }

    /// §6 `on_nack`: appends the seqs to resend to `out` and returns how many. The first NACK of a
    /// recovery episode (a `next_expected` above `recover`) resends every missing seq and applies
    /// the loss response once.
    ///
    /// This project's addition: a repeated NACK for the episode's head (`next_expected ==
    /// recover`) resends the seqs it still reports missing whose last send is more than two RTOs
    /// old — that resend was lost (two: a resend queued behind a full socket buffer is late, not
    /// lost) — with no further loss response. The reference ignores it and
    /// waits for the retransmit timeout, which resends every entry past its RTO (most of them
    /// already received: the sender only knows the cumulative ack) and drops cwnd to 2; under
    /// random loss a lost resend or NACK then costs a timeout and a window of duplicates. Older
    /// NACKs (`next_expected < recover`) still do nothing.
    pub fn on_nack(&mut self, nack: &Nack, now_ns: u64, out: &mut Vec<u64>) -> usize {
        self.nacks_received += 1;
        if self.failed {
            return 0;
        }
        if let Some(r) = self.recover {
            if nack.next_expected < r {
                return 0;
            }
            if nack.next_expected == r {
                return self.resend_overdue(nack, now_ns, out);
            }
        }
        self.recover = Some(nack.next_expected);
        let probing = self.probing.is_some();
        let mut n = 0;
        for seq in nack.missing() {
            if let Some(i) = self.index_of(seq) {
                let e = &mut self.pending[i];
                if e.retries < self.max_retries || probing {
                    e.retries = e.retries.saturating_add(1);
                    e.sent_at_ns = now_ns;
                    out.push(seq);
                    n += 1;
                }
            }
        }
        if n > 0 {
            self.retransmits += n as u64;
            self.cwnd.on_nack_loss();
        }
        n
    }

    /// The repeated-NACK resends of `on_nack`: missing entries sent more than two RTOs ago.
    fn resend_overdue(&mut self, nack: &Nack, now_ns: u64, out: &mut Vec<u64>) -> usize {
        let due = self.rto.rto_ns().saturating_mul(2);
        let probing = self.probing.is_some();
        let mut n = 0;
        for seq in nack.missing() {
            if let Some(i) = self.index_of(seq) {
                let e = &mut self.pending[i];
                if (e.retries < self.max_retries || probing) && now_ns.saturating_sub(e.sent_at_ns) > due {
                    e.retries = e.retries.saturating_add(1);
                    e.sent_at_ns = now_ns;
                    out.push(seq);
                    n += 1;
                }
            }
        }
        self.retransmits += n as u64;
        n
    }

    /// §6 `get_timed_out` with §14 (c) probing: appends the seqs to resend to `out`.
    pub fn get_timed_out(&mut self, now_ns: u64, out: &mut Vec<u64>) -> TimeoutOutcome {
        let mut outcome = TimeoutOutcome::default();
        if self.failed {
            return outcome;
        }
        let rto = self.rto.rto_ns();
        let probing = self.probing.is_some();
        let mut resent = 0u64;
        let mut exhausted_cover: Option<u64> = None;
        for e in self.pending.iter_mut() {
            // While probing, the probe schedule stands in for the probes' own timers.
            if probing && e.d.probe {
                continue;
            }
            if now_ns.saturating_sub(e.sent_at_ns) <= rto {
                continue;
            }
            if e.retries < self.max_retries {
                e.retries += 1;
                e.sent_at_ns = now_ns;
                out.push(e.d.seq);
                resent += 1;
            } else {
                // Exhausted: stays pending, not resent; probing must cover it.
                exhausted_cover = Some(e.d.seq.saturating_add(1));
            }
        }
        if resent > 0 {
            self.retransmits += resent;
            self.timeout_retransmits += resent;
            self.cwnd.on_timeout_loss();
        }
        match (&mut self.probing, exhausted_cover) {
            (None, Some(cover)) => {
                self.probing = Some(Probing { cover, probes_sent: 1, last_probe_ns: now_ns });
                outcome.probe_due = true;
            }
            (Some(p), cover) => {
                if let Some(c) = cover {
                    p.cover = p.cover.max(c);
                }
                let timed_out = now_ns.saturating_sub(self.last_progress_ns) >= self.give_up_after_ns;
                // Once the bound has passed, the give-up comes one RTO after the last probe.
                let interval = if timed_out { rto } else { probe_interval(rto, p.probes_sent) };
                if now_ns.saturating_sub(p.last_probe_ns) > interval {
                    if p.probes_sent < MAX_ACK_PROBES || !timed_out {
                        p.probes_sent = p.probes_sent.saturating_add(1);
                        p.last_probe_ns = now_ns;
                        outcome.probe_due = true;
                    } else {
                        self.give_up();
                        outcome.gave_up = true;
                    }
                }
            }
            (None, None) => {}
        }
        outcome
    }

    fn give_up(&mut self) {
        self.failed = true;
        self.failed_unreported = true;
        self.probing = None;
        self.pending.clear();
    }

    /// §6 `on_ack(a)`: removes every entry with `seq < a`, samples the RTT from the highest
    /// removed entry never resent (Karn), grows cwnd once per removed entry, ends the recovery
    /// episode when `a > recover` and the probing episode when `a` covers every exhausted entry.
    /// Returns the number of entries removed.
    pub fn on_ack(&mut self, a: u64, now_ns: u64) -> usize {
        let mut removed = 0usize;
        let mut sample: Option<u64> = None;
        while let Some(front) = self.pending.front() {
            if front.d.seq >= a {
                break;
            }
            if front.retries == 0 {
                sample = Some(now_ns.saturating_sub(front.sent_at_ns));
            }
            self.pending.pop_front();
            removed += 1;
        }
        if let Some(r) = sample {
            self.rto.on_sample(r);
            self.rtt_samples += 1;
        }
        if removed > 0 {
            self.last_progress_ns = now_ns;
        }
        self.cwnd.on_acked_entries(removed);
        self.acked += removed as u64;
        if matches!(self.recover, Some(r) if a > r) {
            self.recover = None;
        }
        if matches!(self.probing, Some(p) if a >= p.cover) {
            self.probing = None;
        }
        removed
    }
}

/// How long after the previous probe the next one goes: one RTO for the first MAX_ACK_PROBES,
/// then doubling up to MAX_PROBE_INTERVAL_NS (never below one RTO) while a time bound holds the
/// give-up back.
fn probe_interval(rto_ns: u64, probes_sent: u8) -> u64 {
    if probes_sent < MAX_ACK_PROBES {
        return rto_ns;
    }
    let doublings = u32::from((probes_sent - MAX_ACK_PROBES).min(16)) + 1;
    rto_ns.saturating_mul(1u64 << doublings).min(MAX_PROBE_INTERVAL_NS).max(rto_ns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reliable::rto::NS_PER_MS;

    const MS: u64 = NS_PER_MS;

    fn desc(seq: u64) -> Descriptor {
        let framed: Box<[u8]> = [4u8, 0, 0, 0, b'p', b'k', b't', seq as u8].into();
        Descriptor { seq, flags: 1, event_count: 1, framed, probe: false }
    }

    fn sender() -> Sender {
        Sender::new(32, 3, 50 * MS)
    }

    #[test]
    fn refuses_instead_of_evicting() {
        // §15: with max_pending 4 the reference evicts on three extra sends; here they are refused.
        let mut s = Sender::new(4, 3, 50 * MS);
        for seq in 0..4 {
            assert!(s.on_send(desc(seq), 0).is_ok());
        }
        assert!(!s.has_room(1));
        for seq in 4..7 {
            assert_eq!(s.on_send(desc(seq), 0).unwrap_err().seq, seq);
        }
        assert_eq!(s.len(), 4);
        // A NACK naming 0, 1, 2 resends them: nothing was lost from the window.
        let mut out = Vec::new();
        assert_eq!(s.on_nack(&Nack { next_expected: 0, missing_bitmap: 0b011 }, 1, &mut out), 3);
        assert_eq!(out, vec![0, 1, 2]);
    }

    #[test]
    fn nack_resends_exactly_the_missing_pending() {
        let mut s = sender();
        for seq in 0..10 {
            s.on_send(desc(seq), 0).unwrap();
        }
        s.on_ack(2, MS);
        let mut out = Vec::new();
        // next_expected 2, missing 4 and 8 (bits 1 and 5).
        let n = s.on_nack(&Nack { next_expected: 2, missing_bitmap: 0b10_0010 }, 2 * MS, &mut out);
        assert_eq!(n, 3);
        assert_eq!(out, vec![2, 4, 8]);
        assert_eq!(s.retransmits(), 3);
        assert_eq!(s.descriptor(4).unwrap().framed[7], 4);
    }

    #[test]
    fn pending_and_ack() {
        let mut s = sender();
        assert!(!s.has_pending());
        s.on_send(desc(1), 0).unwrap();
        s.on_send(desc(2), 0).unwrap();
        assert!(s.has_pending());
        assert_eq!(s.on_ack(2, MS), 1);
        assert!(s.has_pending());
        assert_eq!(s.on_ack(3, MS), 1);
        assert!(!s.has_pending());
        assert_eq!(s.acked(), 2);
    }

    #[test]
    fn timeout_resends_then_not_again_before_rto() {
        let mut s = sender();
        s.on_send(desc(0), 0).unwrap();
        s.on_send(desc(1), 0).unwrap();
        let mut out = Vec::new();
        assert_eq!(s.get_timed_out(50 * MS, &mut out), TimeoutOutcome::default());
        assert!(out.is_empty(), "due only when now − sent_at > rto");
        s.get_timed_out(80 * MS, &mut out);
        assert_eq!(out, vec![0, 1]);
        assert_eq!((s.retransmits(), s.timeout_retransmits()), (2, 2));
        out.clear();
        s.get_timed_out(81 * MS, &mut out);
        assert!(out.is_empty());
        assert_eq!(s.cwnd(), 2.0);
    }

    #[test]
    fn rto_samples_and_karn() {
        let mut s = sender();
        assert_eq!(s.srtt_ns(), None);
        s.on_send(desc(0), 0).unwrap();
        s.on_ack(1, 20 * MS);
        assert_eq!(s.rto_ns(), 60 * MS);
        assert_eq!((s.srtt_ns(), s.rtt_samples()), (Some(20 * MS), 1));
        s.on_send(desc(1), 30 * MS).unwrap();
        s.on_ack(2, 30 * MS + 10_000 * MS);
        assert_eq!(s.rto_ns(), 2_000 * MS);

        let mut fresh = sender();
        fresh.on_send(desc(0), 5 * MS).unwrap();
        fresh.on_ack(1, 5 * MS + 1_000);
        assert_eq!(fresh.rto_ns(), 10 * MS);

        // Karn: acking only a retransmitted packet leaves the RTO unchanged.
        let mut k = sender();
        k.on_send(desc(0), 0).unwrap();
        let mut out = Vec::new();
        k.get_timed_out(60 * MS, &mut out);
        assert_eq!(out, vec![0]);
        k.on_ack(1, 61 * MS);
        assert_eq!(k.rto_ns(), 50 * MS);
    }

    #[test]
    fn sample_comes_from_highest_unretransmitted_entry() {
        let mut s = sender();
        s.on_send(desc(0), 0).unwrap();
        s.on_send(desc(1), 10 * MS).unwrap();
        s.on_send(desc(2), 20 * MS).unwrap();
        let mut out = Vec::new();
        // Resend seq 2 by NACK so it is not sampled.
        s.on_nack(&Nack { next_expected: 2, missing_bitmap: 0 }, 25 * MS, &mut out);
        assert_eq!(out, vec![2]);
        s.on_ack(3, 40 * MS);
        // Sample from seq 1: 30 ms → RTO 90 ms.
        assert_eq!(s.rto_ns(), 90 * MS);
    }

    #[test]
    fn cwnd_growth_and_loss_responses() {
        let mut s = Sender::new(128, 3, 50 * MS);
        for seq in 0..40 {
            s.on_send(desc(seq), 0).unwrap();
        }
        s.on_ack(8, MS);
        assert!(s.cwnd() > 32.0);
        assert_eq!(s.cwnd(), 40.0);
        let mut out = Vec::new();
        s.on_nack(&Nack { next_expected: 8, missing_bitmap: 0 }, 2 * MS, &mut out);
        assert_eq!(s.cwnd(), 20.0);
        // Same head gap again: no resend, no second cut.
        out.clear();
        assert_eq!(s.on_nack(&Nack { next_expected: 8, missing_bitmap: 0b1 }, 3 * MS, &mut out), 0);
        assert_eq!(s.cwnd(), 20.0);
        // A higher next_expected starts a new episode.
        assert_eq!(s.on_nack(&Nack { next_expected: 9, missing_bitmap: 0 }, 4 * MS, &mut out), 1);
        assert_eq!(s.cwnd(), 10.0);
        // A timeout drops cwnd to 2.
        out.clear();
        s.get_timed_out(100 * MS, &mut out);
        assert!(!out.is_empty());
        assert_eq!(s.cwnd(), 2.0);
        assert!(!s.can_send());
    }

    #[test]
    fn repeated_nack_resends_only_what_is_overdue_without_a_second_cut() {
        let mut s = Sender::new(128, 3, 20 * MS);
        for seq in 0..40 {
            s.on_send(desc(seq), 0).unwrap();
        }
        let mut out = Vec::new();
        assert_eq!(s.on_nack(&Nack { next_expected: 8, missing_bitmap: 0b100 }, 2 * MS, &mut out), 2);
        assert_eq!(out, vec![8, 11]);
        let cwnd = s.cwnd();
        // The same head, within two RTOs of the resends: nothing (they may still be queued).
        out.clear();
        assert_eq!(s.on_nack(&Nack { next_expected: 8, missing_bitmap: 0b100 }, 40 * MS, &mut out), 0);
        // Two RTOs after them, 8 still missing (its resend was lost), 11 now received, 40 newly
        // reported but sent only 5 ms before: 8 alone goes again, and cwnd is not cut again.
        s.on_send(desc(40), 38 * MS).unwrap();
        out.clear();
        assert_eq!(s.on_nack(&Nack { next_expected: 8, missing_bitmap: 1 << 31 }, 43 * MS, &mut out), 1);
        assert_eq!(out, vec![8]);
        assert_eq!(s.cwnd(), cwnd);
        assert_eq!(s.retransmits(), 3);
        // An older head than the episode's: nothing.
        out.clear();
        assert_eq!(s.on_nack(&Nack { next_expected: 7, missing_bitmap: 0 }, 190 * MS, &mut out), 0);
    }

    #[test]
    fn ack_above_recover_clears_episode() {
        let mut s = sender();
        for seq in 0..5 {
            s.on_send(desc(seq), 0).unwrap();
        }
        let mut out = Vec::new();
        s.on_nack(&Nack { next_expected: 1, missing_bitmap: 0 }, MS, &mut out);
        assert_eq!(s.recover(), Some(1));
        s.on_ack(1, 2 * MS);
        assert_eq!(s.recover(), Some(1));
        s.on_ack(2, 2 * MS);
        assert_eq!(s.recover(), None);
    }

    #[test]
    fn nack_respects_max_retries() {
        let mut s = Sender::new(32, 1, 50 * MS);
        s.on_send(desc(0), 0).unwrap();
        let mut out = Vec::new();
        assert_eq!(s.on_nack(&Nack { next_expected: 0, missing_bitmap: 0 }, MS, &mut out), 1);
        s.on_ack(0, MS); // no-op, recover stays 0
        assert_eq!(s.on_nack(&Nack { next_expected: 1, missing_bitmap: 0 }, MS, &mut out), 0);
    }

    /// §15 give-up count with probing: RTO 5 ms, max_retries 2.
    #[test]
    fn give_up_after_two_resends_and_three_probes() {
        let mut s = Sender::new(32, 2, 5 * MS);
        s.on_send(desc(0), 0).unwrap();
        let mut out = Vec::new();
        let mut next_seq = 1;
        let mut resends = 0;
        let mut probes = 0;
        let mut failures = 0;
        for tick in 1..=20u64 {
            out.clear();
            let o = s.get_timed_out(tick * 6 * MS, &mut out);
            resends += out.len();
            if o.probe_due {
                s.register_probe(next_seq, 1, tick * 6 * MS);
                next_seq += 1;
                probes += 1;
            }
            if s.take_failed() {
                failures += 1;
            }
            if o.gave_up {
                assert_eq!(tick, 6, "resends at ticks 1–2, probes at 3–5, give-up at 6");
            }
        }
        assert_eq!(resends, 2);
        assert_eq!(probes, 3);
        assert_eq!(failures, 1);
        assert!(s.failed());
        assert!(!s.has_pending(), "window empty after give-up");
        assert!(s.on_send(desc(9), 200 * MS).is_err());
    }

    #[test]
    fn probe_ack_ends_probing_without_failure() {
        let mut s = Sender::new(32, 1, 10 * MS);
        for seq in 0..3 {
            s.on_send(desc(seq), 0).unwrap();
        }
        let mut out = Vec::new();
        s.get_timed_out(11 * MS, &mut out);
        assert_eq!(out, vec![0, 1, 2]);
        out.clear();
        let o = s.get_timed_out(22 * MS, &mut out);
        assert!(out.is_empty());
        assert!(o.probe_due && s.is_probing());
        s.register_probe(3, 1, 22 * MS);
        // Probe entries are not timed out while probing; the probe schedule is.
        out.clear();
        let o = s.get_timed_out(33 * MS, &mut out);
        assert!(out.is_empty() && o.probe_due);
        s.register_probe(4, 1, 33 * MS);
        // The grant answering the probes: ack_seq 5 covers everything.
        assert_eq!(s.on_ack(5, 34 * MS), 5);
        assert!(!s.is_probing());
        assert!(!s.has_pending());
        out.clear();
        let o = s.get_timed_out(200 * MS, &mut out);
        assert_eq!(o, TimeoutOutcome::default());
        assert!(!s.take_failed());
        assert_eq!(s.probes_sent(), 2);
    }

    #[test]
    fn partial_ack_below_cover_keeps_probing() {
        let mut s = Sender::new(32, 0, 10 * MS);
        s.on_send(desc(0), 0).unwrap();
        s.on_send(desc(1), 0).unwrap();
        let mut out = Vec::new();
        let o = s.get_timed_out(11 * MS, &mut out);
        assert!(out.is_empty(), "max_retries 0: exhausted at the first timeout");
        assert!(o.probe_due);
        s.register_probe(2, 1, 11 * MS);
        s.on_ack(1, 12 * MS);
        assert!(s.is_probing(), "seq 1 is exhausted and still unacked");
        s.on_ack(2, 13 * MS);
        assert!(!s.is_probing());
        // The probe (seq 2) is still pending and now times out like any packet.
        out.clear();
        let o = s.get_timed_out(500 * MS, &mut out);
        assert!(out.is_empty());
        assert!(o.probe_due && s.is_probing(), "the probe itself is exhausted with max_retries 0");
    }

    /// Issue 9 finding 4: with a time bound, a receiver that stops answering for longer than the
    /// count-only schedule lasts is waited for; probes back off; give-up comes once no ack has
    /// advanced for the bound.
    #[test]
    fn time_bound_holds_give_up_back_and_probes_back_off() {
        let mut s = Sender::new(32, 2, 5 * MS);
        s.set_give_up_after(2_000 * MS);
        s.on_send(desc(0), 0).unwrap();
        let mut out = Vec::new();
        let (mut probes, mut gave_up_at) = (0u64, None);
        let mut seq = 1;
        let mut t = 0;
        while t < 3_000 * MS {
            t += 6 * MS;
            out.clear();
            let o = s.get_timed_out(t, &mut out);
            if o.probe_due {
                probes += 1;
                s.register_probe(seq, 1, t);
                seq += 1;
            }
            if o.gave_up {
                gave_up_at = Some(t);
                break;
            }
        }
        let at = gave_up_at.expect("gives up in the end");
        assert!(at >= 2_000 * MS && at <= 3_000 * MS, "gave up at {} ms", at / MS);
        // Three probes at RTO spacing, then backed off to at most one a second.
        assert!(probes > 3 && probes <= 3 + 8 + 3, "{probes} probes");
    }

    #[test]
    fn a_receiver_back_after_a_pause_gets_exhausted_entries_on_its_nack() {
        let mut s = Sender::new(32, 2, 5 * MS);
        s.set_give_up_after(2_000 * MS);
        for seq in 0..3 {
            s.on_send(desc(seq), 0).unwrap();
        }
        let mut out = Vec::new();
        let mut seq = 3;
        let mut t = 0;
        // 1.5 s without any answer: resends used up, probing.
        while t < 1_500 * MS {
            t += 6 * MS;
            out.clear();
            let o = s.get_timed_out(t, &mut out);
            assert!(!o.gave_up);
            if o.probe_due {
                s.register_probe(seq, 1, t);
                seq += 1;
            }
        }
        assert!(s.is_probing());
        // The receiver is back: it has seq 0 and a probe, lacks 1 and 2.
        s.on_ack(1, t);
        out.clear();
        assert_eq!(s.on_nack(&Nack { next_expected: 1, missing_bitmap: 0b1 }, t, &mut out), 2);
        assert_eq!(out, vec![1, 2]);
        s.on_ack(seq, t + MS);
        assert!(!s.is_probing() && !s.failed() && !s.has_pending());
    }
}
