//! The per-session packet state the core owns: both directions' keys, the session id and nonce
//! prefix, the TX counter (each seal takes the next value; values are never reused) and the RX
//! replay window.

use super::error::PacketError;
use super::frames::{put_frame, Packer};
use super::seal::{nonce_prefix, open_in_place, seal_in_place, Opened, Template};
use super::{HEADER_SIZE, TAG_SIZE};
use crate::aead::ChaCha20Poly1305;
use crate::replay::ReplayWindow;

pub struct Session {
    tx: ChaCha20Poly1305,
    rx: ChaCha20Poly1305,
    session_id: u64,
    prefix: u32,
    next_tx: u64,
    replay: ReplayWindow,
}

impl Session {
    pub fn new(tx_key: &[u8; 32], rx_key: &[u8; 32], session_id: u64) -> Self {
        Session {
            tx: ChaCha20Poly1305::new(tx_key),
            rx: ChaCha20Poly1305::new(rx_key),
            session_id,
            prefix: nonce_prefix(session_id),
            next_tx: 0,
            replay: ReplayWindow::new(),
        }
    }

    pub fn session_id(&self) -> u64 {
        self.session_id
    }
    pub fn prefix(&self) -> u32 {
        self.prefix
    }
    /// The counter the next sealed packet will use.
    pub fn next_tx_counter(&self) -> u64 {
        self.next_tx
    }
    pub fn replay(&self) -> &ReplayWindow {
        &self.replay
    }

    /// Moves the TX counter forward (never back, so no value is reused).
    pub fn advance_tx_counter(&mut self, next: u64) -> Result<(), PacketError> {
        if next < self.next_tx {
            return Err(PacketError::CounterExhausted);
        }
        self.next_tx = next;
        Ok(())
    }

    /// Checks that `n` more packets can be sealed: counters up to u64::MAX − 1 are usable.
    pub fn can_take(&self, n: u64) -> bool {
        n <= u64::MAX - self.next_tx
    }

    /// Takes the next counter (caller checked `can_take`).
    #[inline]
    pub(crate) fn take_counter(&mut self) -> u64 {
        let c = self.next_tx;
        self.next_tx += 1;
        c
    }

    /// Seals one packet in place (see `seal::seal_in_place`), taking the next counter.
    pub(crate) fn seal_prepared(&mut self, header: &super::header::Header, packet: &mut [u8]) -> u64 {
        let counter = self.take_counter();
        seal_in_place(&self.tx, header, self.prefix, counter, packet);
        counter
    }

    /// Greedily packs `events` into as many packets as needed (sequences `tpl.sequence + i`) and
    /// seals them. Fails before taking any counter if an event is > 8104 bytes.
    pub fn seal(&mut self, tpl: &Template, events: &[&[u8]]) -> Result<Vec<Vec<u8>>, PacketError> {
        tpl.check(events.len())?;
        let mut packer = Packer::new();
        let mut plans = Vec::new();
        for e in events {
            if let Some(p) = packer.push(e.len())? {
                plans.push(p);
            }
        }
        plans.push(packer.finish());
        if !self.can_take(plans.len() as u64) {
            return Err(PacketError::CounterExhausted);
        }
        let mut out = Vec::with_capacity(plans.len());
        for (i, p) in plans.iter().enumerate() {
            let mut pkt = vec![0u8; HEADER_SIZE + p.plaintext_len + TAG_SIZE];
            let mut at = HEADER_SIZE;
            for e in &events[p.first_event..p.first_event + p.event_count] {
                at = put_frame(&mut pkt, at, e);
            }
            let header = tpl.header(
                self.session_id,
                tpl.sequence.wrapping_add(i as u64),
                p.plaintext_len as u16,
                p.event_count as u16,
            );
            self.seal_prepared(&header, &mut pkt);
            out.push(pkt);
        }
        Ok(out)
    }

    /// Opens one datagram in place with this session's RX key, own prefix and replay window.
    pub fn open(&mut self, datagram: &mut [u8]) -> Result<Opened, PacketError> {
        open_in_place(&self.rx, self.prefix, &mut self.replay, datagram)
    }
}

#[cfg(test)]
mod tests {
    use super::super::frames::unframe;
    use super::super::header::Header;
    use super::super::seal::Kind;
    use super::*;

    fn pair(sid: u64) -> (Session, Session) {
        let a = [1u8; 32];
        let b = [2u8; 32];
        (Session::new(&a, &b, sid), Session::new(&b, &a, sid))
    }

    #[test]
    fn counters_advance_and_are_never_reused() {
        let (mut tx, mut rx) = pair(42);
        let tpl = Template { stream_id: 7, sequence: 100, ..Template::default() };
        let ev = vec![0u8; 1024];
        let events: Vec<&[u8]> = (0..20).map(|_| &ev[..]).collect();
        let pkts = tx.seal(&tpl, &events).unwrap();
        assert_eq!(pkts.len(), 3);
        assert_eq!(tx.next_tx_counter(), 3);
        let more = tx.seal(&tpl, &[]).unwrap();
        assert_eq!(Header::decode(&more[0]).unwrap().counter(), 3);
        let mut total = 0;
        for (i, p) in pkts.iter().enumerate() {
            let h = Header::decode(p).unwrap();
            assert_eq!(h.counter(), i as u64);
            assert_eq!(h.sequence, 100 + i as u64);
            let mut b = p.clone();
            let o = rx.open(&mut b).unwrap();
            assert_eq!(o.kind, Kind::Data);
            total += unframe(&b[o.payload_start..o.payload_start + o.payload_len], o.header.event_count as usize).len();
        }
        assert_eq!(total, 20);
        assert_eq!(rx.replay().rx_next(), 3);
        assert_eq!(rx.open(&mut pkts[1].clone()), Err(PacketError::Replay));
    }

    #[test]
    fn oversize_event_fails_before_any_counter() {
        let (mut tx, _) = pair(1);
        let big = vec![0u8; 8105];
        let small = [0u8; 10];
        assert_eq!(tx.seal(&Template::default(), &[&small, &big]), Err(PacketError::EventTooLarge));
        assert_eq!(tx.next_tx_counter(), 0);
    }

    #[test]
    fn counter_exhaustion() {
        let (mut tx, _) = pair(1);
        tx.advance_tx_counter(u64::MAX - 1).unwrap();
        assert!(tx.advance_tx_counter(5).is_err());
        assert_eq!(tx.seal(&Template::default(), &[]).unwrap().len(), 1);
        assert_eq!(tx.next_tx_counter(), u64::MAX);
        assert_eq!(tx.seal(&Template::default(), &[]), Err(PacketError::CounterExhausted));
    }
}
