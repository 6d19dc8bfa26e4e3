//! The per-`(session, stream_id)` record (streams.md §2): both directions of one stream.
//!
//! Send path (§3): [`StreamState::admit`] takes already-framed packets and, atomically per call
//! (`all_or_nothing`) or per packet (prefix mode, for the resumable `send`), checks the cwnd gate,
//! `max_pending` room and byte credit, charges credit, allocates seqs and — reliable streams —
//! stores each packet's rebuild inputs. The caller builds and sends the packets for the returned
//! seqs. Control input: [`StreamState::on_window`], [`StreamState::on_nack`]. Timers:
//! [`StreamState::tick`] every retransmit tick returns every action at once (timeout resends, an
//! ack probe, a reset, the proactive gap NACK).
//!
//! Receive path (§4, §5, §10): [`StreamState::on_receive`] accepts or rejects a seq and accounts
//! consumed bytes; [`StreamState::grant_values`] and [`StreamState::build_nack`] give what the
//! grant drainer sends.

use super::control::StreamNack;
use super::credit::{charge_for, GrantOutcome, ReceiverCredit, SenderCredit};
use super::receiver::{Nack, Receiver};
use super::rto::INITIAL_RTO_NS;
use super::sender::{Descriptor, Sender};
use super::{max_pending_for_window, DEFAULT_MAX_RETRIES, DEFAULT_WINDOW_BYTES, FLAG_RELIABLE, MAX_EVENTS_PER_PACKET, MAX_PAYLOAD_SIZE};

#[derive(Clone, Copy, Debug)]
pub struct StreamConfig {
    pub reliable: bool,
    /// 0 disables credit checks (§1).
    pub window_bytes: u32,
    pub max_retries: u8,
    /// RTO before the first sample (50 ms unless a test says otherwise).
    pub initial_rto_ns: u64,
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self { reliable: false, window_bytes: DEFAULT_WINDOW_BYTES, max_retries: DEFAULT_MAX_RETRIES, initial_rto_ns: INITIAL_RTO_NS }
    }
}

/// Why `admit` stopped before taking every packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Refusal {
    None = 0,
    /// Reliable stream with `pending ≥ cwnd` (§3 step 2).
    Cwnd = 1,
    /// Not enough byte credit (§3 step 3.1); counted in `backpressure_events`.
    Credit = 2,
    /// `max_pending` entries outstanding (§14 (b): refuse, never evict).
    Pending = 3,
    /// The stream gave up (§14 (b)); the caller should close it.
    Failed = 4,
}

/// One framed packet to admit: `framed` = `[u32 LE len][bytes]` × `event_count`.
#[derive(Clone, Copy, Debug)]
pub struct PacketIn<'a> {
    pub framed: &'a [u8],
    pub event_count: u32,
}

/// A packet `admit` cannot take at all (a caller bug, not backpressure).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdmitError {
    /// Framed plaintext longer than 8108 bytes or more than 2027 frames.
    TooLarge { index: usize },
    /// The bytes are not exactly `event_count` well-formed frames.
    BadFraming { index: usize },
}

/// Result of `admit`: packets `0..admitted` got seqs `first_seq..first_seq + admitted`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Admission {
    pub admitted: usize,
    pub first_seq: u64,
    pub refusal: Refusal,
}

/// Everything one retransmit tick asks the caller to do (resend seqs go to the `out` vector).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TickActions {
    /// Number of seqs appended to `out` for timeout resends.
    pub resends: usize,
    /// Send an ack probe (RELIABLE, zero frames) at this seq; it is already registered.
    pub probe_seq: Option<u64>,
    /// The stream gave up on this tick: send StreamReset and close the record.
    pub reset: bool,
    /// Proactive gap NACK for the receive side (§9 item 3 (c)).
    pub nack: Option<Nack>,
}

/// True when `framed` is exactly `count` frames `[u32 LE len][len bytes]`.
pub fn framing_is_exact(framed: &[u8], count: u32) -> bool {
    let mut at = 0usize;
    for _ in 0..count {
        if framed.len() - at < 4 {
            return false;
        }
        let len = u32::from_le_bytes([framed[at], framed[at + 1], framed[at + 2], framed[at + 3]]) as usize;
        at += 4;
        if framed.len() - at < len {
            return false;
        }
        at += len;
    }
    at == framed.len()
}

#[derive(Clone, Debug)]
pub struct StreamState {
    config: StreamConfig,
    tx_seq: u64,
    rx_seq: u64,
    last_activity_ns: u64,
    credit: SenderCredit,
    rx: ReceiverCredit,
    receiver: Receiver,
    sender: Sender,
    nacks_sent: u64,
}

impl StreamState {
    pub fn new(config: StreamConfig, now_ns: u64) -> Self {
        let max_pending = max_pending_for_window(config.window_bytes);
        Self {
            config,
            tx_seq: 0,
            rx_seq: 0,
            last_activity_ns: now_ns,
            credit: SenderCredit::new(config.window_bytes),
            rx: ReceiverCredit::default(),
            receiver: Receiver::new(),
            sender: Sender::new(max_pending, config.max_retries, config.initial_rto_ns),
            nacks_sent: 0,
        }
    }

    pub fn config(&self) -> &StreamConfig {
        &self.config
    }
    pub fn reliable(&self) -> bool {
        self.config.reliable
    }
    pub fn tx_seq(&self) -> u64 {
        self.tx_seq
    }
    pub fn rx_seq(&self) -> u64 {
        self.rx_seq
    }
    pub fn last_activity_ns(&self) -> u64 {
        self.last_activity_ns
    }
    pub fn credit(&self) -> &SenderCredit {
        &self.credit
    }
    pub fn rx_credit(&self) -> &ReceiverCredit {
        &self.rx
    }
    pub fn receiver(&self) -> &Receiver {
        &self.receiver
    }
    pub fn sender(&self) -> &Sender {
        &self.sender
    }
    pub fn nacks_sent(&self) -> u64 {
        self.nacks_sent
    }
    /// Packet flags of this stream's data packets.
    pub fn flags(&self) -> u8 {
        if self.config.reliable {
            FLAG_RELIABLE
        } else {
            0
        }
    }
    /// Every reliable send so far is acked (`closeGraceful` drains when this is false).
    pub fn has_pending(&self) -> bool {
        self.config.reliable && self.sender.has_pending()
    }
    /// The §3 step 2 gate (always true for unreliable streams).
    pub fn can_send(&self) -> bool {
        !self.config.reliable || self.sender.can_send()
    }

    /// How many more packets the congestion and retransmit windows take now: `⌈cwnd⌉ − pending`
    /// and `max_pending − pending`, the smaller (0 after a give-up); unlimited for unreliable
    /// streams. A caller that admits at most this many per call enforces cwnd per packet rather
    /// than once per call.
    pub fn send_room(&self) -> usize {
        if !self.config.reliable {
            return usize::MAX;
        }
        if self.sender.failed() {
            return 0;
        }
        let pending = self.sender.len();
        let cwnd = self.sender.cwnd().ceil() as usize;
        cwnd.saturating_sub(pending).min(self.sender.max_pending().saturating_sub(pending))
    }

    /// §3 for one call. `all_or_nothing` (trySend): admits every packet or none, checking the cwnd
    /// gate once, `max_pending` room for all and credit for the sum of charges. Prefix mode
    /// (send): checks the cwnd gate once, then admits packets in order until one lacks room or
    /// credit. Admitted packets are charged, get consecutive seqs and (reliable) are registered
    /// with their clock starting at `now_ns`.
    pub fn admit(&mut self, packets: &[PacketIn<'_>], now_ns: u64, all_or_nothing: bool) -> Result<Admission, AdmitError> {
        for (index, p) in packets.iter().enumerate() {
            if p.framed.len() > MAX_PAYLOAD_SIZE || p.event_count > MAX_EVENTS_PER_PACKET {
                return Err(AdmitError::TooLarge { index });
            }
            if !framing_is_exact(p.framed, p.event_count) {
                return Err(AdmitError::BadFraming { index });
            }
        }
        let first_seq = self.tx_seq;
        let refused = |refusal| Ok(Admission { admitted: 0, first_seq, refusal });
        if packets.is_empty() {
            return refused(Refusal::None);
        }
        let reliable = self.config.reliable;
        if reliable {
            if self.sender.failed() {
                return refused(Refusal::Failed);
            }
            if !self.sender.can_send() {
                return refused(Refusal::Cwnd);
            }
        }
        if all_or_nothing {
            if reliable && !self.sender.has_room(packets.len()) {
                return refused(Refusal::Pending);
            }
            let total: u64 = packets.iter().map(|p| charge_for(p.framed.len())).sum();
            if !self.credit.covers(total) {
                self.credit.note_backpressure();
                return refused(Refusal::Credit);
            }
        }
        let mut admitted = 0usize;
        let mut refusal = Refusal::None;
        for p in packets {
            if reliable && !self.sender.has_room(1) {
                refusal = Refusal::Pending;
                break;
            }
            if !self.credit.try_acquire(charge_for(p.framed.len())) {
                refusal = Refusal::Credit;
                break;
            }
            let seq = self.allocate_seq(now_ns);
            if reliable {
                let d = Descriptor { seq, flags: FLAG_RELIABLE, event_count: p.event_count, framed: p.framed.into(), probe: false };
                // Room was checked above, so registration cannot be refused.
                let registered = self.sender.on_send(d, now_ns);
                debug_assert!(registered.is_ok());
            }
            admitted += 1;
        }
        Ok(Admission { admitted, first_seq, refusal })
    }

    fn allocate_seq(&mut self, now_ns: u64) -> u64 {
        let seq = self.tx_seq;
        self.tx_seq += 1;
        self.last_activity_ns = now_ns;
        seq
    }

    /// §3 step 3.4 for an unreliable packet whose hand-off failed: gives its charge back. Reliable
    /// packets keep their charge and are delivered by retransmission (§14 (b)).
    pub fn refund(&mut self, framed_len: usize) {
        if !self.config.reliable {
            self.credit.refund(charge_for(framed_len));
        }
    }

    /// The stored rebuild inputs of pending packet `seq` (reliable streams).
    pub fn descriptor(&self, seq: u64) -> Option<&Descriptor> {
        self.sender.descriptor(seq)
    }

    /// §5/§10 step 3: accept or reject an authenticated event-plane packet; accepted packets
    /// update `rx_seq`, activity and the consumed-byte count the next grant reports.
    pub fn on_receive(&mut self, seq: u64, plaintext_len: usize, now_ns: u64) -> bool {
        let accepted = !self.config.reliable || self.receiver.on_receive(seq);
        if accepted {
            self.rx_seq = self.rx_seq.max(seq);
            self.last_activity_ns = now_ns;
            self.rx.on_accepted(plaintext_len as u64);
        }
        accepted
    }

    /// `(total_consumed, ack_seq)` for a StreamWindow grant, captured now (§14 (c) 6); ack_seq is
    /// `next_expected`, or 0 for an unreliable stream.
    pub fn grant_values(&self) -> (u64, u64) {
        let ack = if self.config.reliable { self.receiver.next_expected() } else { 0 };
        (self.rx.consumed(), ack)
    }

    pub fn note_grant_sent(&mut self) {
        self.rx.note_grant_sent();
    }

    pub fn note_nack_sent(&mut self) {
        self.nacks_sent += 1;
    }

    /// The receive side's NACK, if it has a gap (never for unreliable streams).
    pub fn build_nack(&self) -> Option<Nack> {
        if self.config.reliable {
            self.receiver.build_nack()
        } else {
            None
        }
    }

    /// §4 sender: a StreamWindow grant for this stream (the caller has already dropped grants for
    /// quarantined or unknown ids). Credit rule first, then `on_ack(ack_seq)`.
    pub fn on_window(&mut self, total_consumed: u64, ack_seq: u64, now_ns: u64) -> GrantOutcome {
        let outcome = self.credit.on_grant(total_consumed);
        if self.config.reliable {
            self.sender.on_ack(ack_seq, now_ns);
        }
        outcome
    }

    /// §9 item 2: a StreamNack for this stream; appends the seqs to resend now (uncharged) to `out`.
    pub fn on_nack(&mut self, next_expected: u64, missing_bitmap: u64, now_ns: u64, out: &mut Vec<u64>) -> usize {
        if !self.config.reliable {
            return 0;
        }
        self.sender.on_nack(&Nack { next_expected, missing_bitmap }, now_ns, out)
    }

    /// Same as `on_nack` for a decoded frame (its `stream_id` is the caller's business).
    pub fn on_nack_frame(&mut self, frame: &StreamNack, now_ns: u64, out: &mut Vec<u64>) -> usize {
        self.on_nack(frame.next_expected, frame.missing_bitmap, now_ns, out)
    }

    /// §9 item 3 for this stream, in order: timeout resends (seqs appended to `out`), an ack
    /// probe if probing needs one (allocated, charged as §14 (c) 2 and registered here), the
    /// give-up reset, and the proactive gap NACK of the receive side.
    pub fn tick(&mut self, now_ns: u64, out: &mut Vec<u64>) -> TickActions {
        let mut actions = TickActions::default();
        if self.config.reliable {
            let before = out.len();
            let outcome = self.sender.get_timed_out(now_ns, out);
            actions.resends = out.len() - before;
            if outcome.probe_due {
                let seq = self.allocate_seq(now_ns);
                self.credit.charge_probe();
                self.sender.register_probe(seq, FLAG_RELIABLE, now_ns);
                actions.probe_seq = Some(seq);
            }
            actions.reset = self.sender.take_failed();
            actions.nack = self.receiver.build_nack();
        }
        actions
    }

    /// Grows the credit window (never shrinks it): the credit rises by the difference, and
    /// `max_pending` (with the cwnd cap) follows the new window (§6). Window 0 (credit disabled)
    /// stays 0. Used by the shell's receive-window autotuning of streams without an explicit
    /// `windowBytes`.
    pub fn grow_window(&mut self, window_bytes: u32) {
        if self.config.window_bytes == 0 || window_bytes <= self.config.window_bytes {
            return;
        }
        self.config.window_bytes = window_bytes;
        self.credit.grow_window(u64::from(window_bytes));
        self.sender.set_max_pending(max_pending_for_window(window_bytes));
    }

    /// Bounds give-up by time as well as count (see [`Sender::set_give_up_after`]).
    pub fn set_give_up_after(&mut self, ns: u64) {
        self.sender.set_give_up_after(ns);
    }

    /// An ack probe for an *unreliable* stream whose credit is tied up in bytes that may be lost:
    /// allocates the next seq and charges it as §14 (c) 2 (exempt from the credit check). The
    /// caller sends a zero-frame packet at that seq; the receiver's grant for it reports the
    /// highest seq it has seen, which returns the credit of the packets lost below it. Returns
    /// None for reliable streams (they probe from `tick`).
    pub fn unreliable_probe(&mut self, now_ns: u64) -> Option<u64> {
        if self.config.reliable {
            return None;
        }
        let seq = self.allocate_seq(now_ns);
        self.credit.charge_probe();
        Some(seq)
    }

    /// Reads and clears the give-up notification outside `tick`.
    pub fn take_failed(&mut self) -> bool {
        self.sender.take_failed()
    }

    /// Sticky give-up flag (`stream.failed`).
    pub fn failed(&self) -> bool {
        self.sender.failed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reliable::rto::NS_PER_MS;

    const MS: u64 = NS_PER_MS;

    fn frame(events: &[&[u8]]) -> Vec<u8> {
        let mut v = Vec::new();
        for e in events {
            v.extend_from_slice(&(e.len() as u32).to_le_bytes());
            v.extend_from_slice(e);
        }
        v
    }

    fn reliable(window: u32) -> StreamState {
        StreamState::new(StreamConfig { reliable: true, window_bytes: window, ..Default::default() }, 0)
    }

    #[test]
    fn framing_validation() {
        let f = frame(&[b"ab", b""]);
        assert!(framing_is_exact(&f, 2));
        assert!(!framing_is_exact(&f, 1));
        assert!(!framing_is_exact(&f, 3));
        assert!(!framing_is_exact(&f[..f.len() - 1], 2));
        assert!(framing_is_exact(&[], 0));
        let mut s = reliable(65_536);
        let bad = [PacketIn { framed: &f, event_count: 1 }];
        assert_eq!(s.admit(&bad, 0, true), Err(AdmitError::BadFraming { index: 0 }));
        let big = vec![0u8; MAX_PAYLOAD_SIZE + 1];
        assert_eq!(s.admit(&[PacketIn { framed: &big, event_count: 0 }], 0, true), Err(AdmitError::TooLarge { index: 0 }));
        assert_eq!(s.tx_seq(), 0);
    }

    #[test]
    fn admit_charges_and_registers() {
        let mut s = reliable(65_536);
        let f = frame(&[&[7u8; 100]]);
        let a = s.admit(&[PacketIn { framed: &f, event_count: 1 }, PacketIn { framed: &f, event_count: 1 }], 5, true).unwrap();
        assert_eq!(a, Admission { admitted: 2, first_seq: 0, refusal: Refusal::None });
        assert_eq!(s.credit().credit(), 65_536 - 2 * (104 + 84));
        assert_eq!(s.credit().bytes_sent(), 2 * 188);
        let d = s.descriptor(1).unwrap();
        assert_eq!((d.seq, d.flags, d.event_count), (1, FLAG_RELIABLE, 1));
        assert_eq!(&d.framed[..], &f[..]);
        assert_eq!(s.tx_seq(), 2);
    }

    #[test]
    fn all_or_nothing_versus_prefix() {
        // Window 1,000: charges of 400 each → two fit.
        let f = frame(&[&[1u8; 312]]);
        assert_eq!(charge_for(f.len()), 400);
        let three = [PacketIn { framed: &f, event_count: 1 }; 3];
        let mut s = reliable(1_000);
        let a = s.admit(&three, 0, true).unwrap();
        assert_eq!(a, Admission { admitted: 0, first_seq: 0, refusal: Refusal::Credit });
        assert_eq!(s.tx_seq(), 0);
        assert_eq!(s.credit().backpressure_events(), 1);
        let a = s.admit(&three, 0, false).unwrap();
        assert_eq!(a, Admission { admitted: 2, first_seq: 0, refusal: Refusal::Credit });
        assert_eq!(s.credit().credit(), 200);
        assert_eq!(s.credit().backpressure_events(), 2);
    }

    #[test]
    fn max_pending_refuses_never_evicts() {
        let mut s = reliable(0); // window 0: max_pending 32, no credit checks
        let f = frame(&[b"x"]);
        let p = [PacketIn { framed: &f, event_count: 1 }];
        for _ in 0..32 {
            assert_eq!(s.admit(&p, 0, true).unwrap().admitted, 1);
        }
        let a = s.admit(&p, 0, true).unwrap();
        // cwnd (32) gates first: pending 32 ≥ cwnd 32.
        assert_eq!(a.refusal, Refusal::Cwnd);
        assert_eq!(s.tx_seq(), 32);
        assert_eq!(s.credit().credit(), 0);
        // Grow cwnd? It is capped at max_pending 32, so the window stays full until acks.
        s.on_window(0, 1, MS);
        assert_eq!(s.admit(&p, MS, true).unwrap().admitted, 1);
    }

    #[test]
    fn pending_room_is_checked_per_call() {
        let mut s = reliable(65_536); // max_pending 128
        let f = frame(&[b"x"]);
        let many = vec![PacketIn { framed: &f, event_count: 1 }; 129];
        assert_eq!(s.admit(&many, 0, true).unwrap().refusal, Refusal::Pending);
        let a = s.admit(&many, 0, false).unwrap();
        assert_eq!((a.admitted, a.refusal), (128, Refusal::Pending));
        assert_eq!(s.sender().len(), 128);
    }

    #[test]
    fn unreliable_streams_charge_but_track_nothing() {
        let mut s = StreamState::new(StreamConfig::default(), 0);
        let f = frame(&[b"hello"]);
        let a = s.admit(&[PacketIn { framed: &f, event_count: 1 }], 0, true).unwrap();
        assert_eq!(a.admitted, 1);
        assert!(!s.has_pending());
        assert!(s.descriptor(0).is_none());
        assert_eq!(s.credit().credit(), 65_536 - 93);
        s.refund(f.len());
        assert_eq!(s.credit().credit(), 65_536);
        // Receiving: everything accepted, ack_seq 0, no NACK.
        assert!(s.on_receive(5, 10, 1));
        assert!(s.on_receive(5, 10, 1));
        assert_eq!(s.grant_values(), (2 * 94, 0));
        assert_eq!(s.rx_seq(), 5);
        assert!(s.build_nack().is_none());
        let mut out = Vec::new();
        assert_eq!(s.tick(10_000 * MS, &mut out), TickActions::default());
    }

    #[test]
    fn receive_accounting_and_grant_values() {
        let mut s = reliable(65_536);
        assert!(s.on_receive(0, 100, 1));
        assert!(s.on_receive(2, 0, 2));
        assert!(!s.on_receive(2, 0, 3), "duplicate earns no credit");
        assert!(!s.on_receive(crate::reliable::RECEIVE_TRACK_LIMIT + 10, 0, 3), "too far earns no credit");
        assert_eq!(s.grant_values(), (184 + 84, 1));
        assert_eq!(s.rx_seq(), 2);
        let n = s.build_nack().unwrap();
        assert_eq!(n.missing().collect::<Vec<_>>(), vec![1]);
        let mut out = Vec::new();
        assert_eq!(s.tick(MS, &mut out).nack, Some(n));
    }

    #[test]
    fn grant_acks_and_credits() {
        let mut s = reliable(65_536);
        let f = frame(&[&[0u8; 996]]); // charge 1,084
        let pk = [PacketIn { framed: &f, event_count: 1 }; 4];
        s.admit(&pk, 0, true).unwrap();
        assert_eq!(s.credit().credit(), 65_536 - 4 * 1_084);
        // Receiver got 0..=2: total 3 × 1,084, ack_seq 3.
        assert_eq!(s.on_window(3 * 1_084, 3, 20 * MS), GrantOutcome::Applied);
        assert_eq!(s.credit().credit(), 65_536 - 1_084);
        assert_eq!(s.sender().len(), 1);
        assert_eq!(s.sender().rto_ns(), 60 * MS);
        assert_eq!(s.sender().acked(), 3);
        // A stale grant still acks.
        assert_eq!(s.on_window(0, 4, 21 * MS), GrantOutcome::Stale);
        assert!(!s.has_pending());
    }

    /// §14 (c): the final grant is lost; resends are rejected as duplicates and (this test's
    /// receiver) re-grant nothing; the probe is accepted and its grant heals the sender.
    #[test]
    fn lost_final_grant_healed_by_probe() {
        let mut tx = StreamState::new(StreamConfig { reliable: true, max_retries: 2, ..Default::default() }, 0);
        let mut rx = StreamState::new(StreamConfig { reliable: true, ..Default::default() }, 0);
        let f = frame(&[b"data"]);
        tx.admit(&[PacketIn { framed: &f, event_count: 1 }; 3], 0, true).unwrap();
        for seq in 0..3 {
            assert!(rx.on_receive(seq, f.len(), MS));
        }
        let lost_grant = rx.grant_values();
        assert_eq!(lost_grant.1, 3);
        let credit_before = tx.credit().credit();
        let mut out = Vec::new();
        let mut probes = Vec::new();
        let mut now = 0;
        for _ in 0..20 {
            now += 25 * MS;
            out.clear();
            let a = tx.tick(now, &mut out);
            assert!(!a.reset);
            for &seq in &out {
                assert!(!rx.on_receive(seq, f.len(), now), "a resend is a duplicate");
            }
            if let Some(p) = a.probe_seq {
                probes.push(p);
                assert_eq!(tx.descriptor(p).unwrap().event_count, 0);
                assert!(rx.on_receive(p, 0, now));
                let (tc, ack) = rx.grant_values();
                tx.on_window(tc, ack, now);
            }
        }
        assert_eq!(probes, vec![3]);
        assert!(!tx.failed());
        assert!(!tx.has_pending());
        assert_eq!(tx.tx_seq(), 4);
        // The probe added 84 to tx_bytes_sent and the grant covered it and all data.
        assert_eq!(tx.credit().bytes_sent(), 3 * (8 + 84) + 84);
        assert_eq!(tx.credit().credit(), 65_536);
        assert!(tx.credit().credit() >= credit_before);
        assert_eq!(tx.sender().retransmits(), 6);
    }

    #[test]
    fn dead_peer_gives_up_with_one_reset() {
        let mut tx = StreamState::new(StreamConfig { reliable: true, max_retries: 2, initial_rto_ns: 5 * MS, ..Default::default() }, 0);
        let f = frame(&[b"lost"]);
        tx.admit(&[PacketIn { framed: &f, event_count: 1 }], 0, true).unwrap();
        let mut out = Vec::new();
        let (mut resends, mut probes, mut resets) = (0, 0, 0);
        for t in 1..=12u64 {
            out.clear();
            let a = tx.tick(t * 6 * MS, &mut out);
            resends += a.resends;
            probes += a.probe_seq.is_some() as usize;
            resets += a.reset as usize;
        }
        assert_eq!((resends, probes, resets), (2, 3, 1));
        assert!(tx.failed());
        assert_eq!(tx.tx_seq(), 4, "one data seq and three probe seqs");
        assert_eq!(
            tx.admit(&[PacketIn { framed: &f, event_count: 1 }], 100 * MS, true).unwrap().refusal,
            Refusal::Failed
        );
    }

    #[test]
    fn send_room_follows_cwnd_and_max_pending() {
        let mut s = reliable(65_536); // max_pending 128, cwnd 32
        assert_eq!(s.send_room(), 32);
        let f = frame(&[b"x"]);
        let p = vec![PacketIn { framed: &f, event_count: 1 }; 20];
        s.admit(&p, 0, false).unwrap();
        assert_eq!(s.send_room(), 12);
        s.on_window(0, 20, MS); // 20 acked: slow start grows cwnd to 52
        assert_eq!(s.send_room(), 52);
        assert_eq!(StreamState::new(StreamConfig::default(), 0).send_room(), usize::MAX);
    }

    #[test]
    fn growing_the_window_adds_credit_and_room() {
        let mut s = reliable(65_536);
        let f = frame(&[&[0u8; 8104]]); // charge 8,192
        let p = vec![PacketIn { framed: &f, event_count: 1 }; 9];
        assert_eq!(s.admit(&p, 0, false).unwrap().admitted, 8);
        assert_eq!(s.sender().max_pending(), 128);
        s.grow_window(1 << 20);
        assert_eq!(s.config().window_bytes, 1 << 20);
        assert_eq!(s.credit().credit(), (1 << 20) - 8 * 8192);
        assert_eq!(s.sender().max_pending(), 2048);
        assert_eq!(s.admit(&p, 0, false).unwrap().admitted, 9);
        // Never shrinks; a disabled window stays disabled.
        s.grow_window(1000);
        assert_eq!(s.config().window_bytes, 1 << 20);
        let mut z = reliable(0);
        z.grow_window(1 << 20);
        assert_eq!(z.config().window_bytes, 0);
        assert_eq!(z.sender().max_pending(), 32);
    }

    #[test]
    fn probes_bypass_credit_and_cwnd() {
        // Window 200: one 116-byte charge leaves 84; a probe takes the rest and more is ignored.
        let mut tx = StreamState::new(
            StreamConfig { reliable: true, window_bytes: 200, max_retries: 0, initial_rto_ns: 10 * MS },
            0,
        );
        let f = frame(&[&[0u8; 28]]);
        assert_eq!(charge_for(f.len()), 116);
        tx.admit(&[PacketIn { framed: &f, event_count: 1 }], 0, true).unwrap();
        let mut out = Vec::new();
        let a = tx.tick(11 * MS, &mut out);
        assert_eq!(a.probe_seq, Some(1));
        assert_eq!(tx.credit().credit(), 0);
        assert_eq!(tx.credit().bytes_sent(), 200);
        let a = tx.tick(22 * MS, &mut out);
        assert_eq!(a.probe_seq, Some(2));
        assert_eq!(tx.credit().credit(), 0);
        assert_eq!(tx.credit().bytes_sent(), 284);
        assert_eq!(tx.sender().len(), 3);
    }

    /// Issue 9 finding 3: an unreliable stream whose credit is all outstanding can still probe;
    /// the probe is charged without a credit check and registers nothing.
    #[test]
    fn unreliable_probe_is_exempt_from_credit() {
        let mut tx = StreamState::new(StreamConfig { window_bytes: 200, ..Default::default() }, 0);
        let f = frame(&[&[7u8; 100]]);
        assert_eq!(tx.admit(&[PacketIn { framed: &f, event_count: 1 }], 0, true).unwrap().admitted, 1);
        assert_eq!(tx.credit().credit(), 200 - 188);
        assert_eq!(tx.unreliable_probe(MS), Some(1));
        assert_eq!(tx.credit().credit(), 0);
        assert_eq!(tx.credit().bytes_sent(), 188 + 84);
        assert!(!tx.has_pending());
        // A grant covering both returns the whole window.
        tx.on_window(188 + 84, 0, 2 * MS);
        assert_eq!(tx.credit().credit(), 200);
        let mut rel = reliable(65_536);
        assert_eq!(rel.unreliable_probe(MS), None);
    }
}
