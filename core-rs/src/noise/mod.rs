//! Screening of a Noise NKpsk0 first message (net-mesh direct handshake, wire.md §11.2) against
//! several possible initiators in one call.
//!
//! The prologue names the initiator, but only the handshake hash depends on it: the chaining key
//! and the payload key of msg1 are the same for every candidate. So the responder pays X25519 and
//! the HKDF chain once per message, and per candidate one BLAKE2s of 64 bytes and one Poly1305
//! check of the (tiny) payload. The caller precomputes each candidate's hash up to the psk token
//! and reads a matching message in full afterwards.

use crate::aead::ChaCha20Poly1305;
use crate::blake2s::{blake2s, hkdf};
use crate::curve25519::{is_all_zero, x25519};
use crate::wipe::wipe_bytes;

const DHLEN: usize = 32;
const TAGLEN: usize = 16;

#[derive(Debug, PartialEq, Eq)]
pub enum Screen {
    /// Index of the first candidate whose hash authenticates the payload.
    Match(usize),
    /// Well formed, but no candidate authenticates it.
    NoMatch,
    /// Shorter than an ephemeral key and a tag, or a small-order ephemeral.
    Malformed,
}

/// `ck_psk`: the chaining key after the psk token; `h_psk`: 32 bytes per candidate, the handshake
/// hash after prologue, pre-message and psk token; `msg`: msg1 as received.
pub fn screen_msg1(static_secret: &[u8; 32], ck_psk: &[u8; 32], h_psk: &[u8], msg: &[u8]) -> Screen {
    if msg.len() < DHLEN + TAGLEN || h_psk.len() % 32 != 0 {
        return Screen::Malformed;
    }
    let re: &[u8; 32] = msg[..DHLEN].try_into().unwrap();
    let mut dh = x25519(static_secret, re);
    if is_all_zero(&dh) {
        return Screen::Malformed;
    }
    // e (psk mode): MixKey(re); es: MixKey(DH(s, re)); the second output is the payload key.
    let mut okm = [0u8; 64];
    hkdf(ck_psk, re, 2, &mut okm);
    let ck2: [u8; 32] = okm[..32].try_into().unwrap();
    hkdf(&ck2, &dh, 2, &mut okm);
    wipe_bytes(&mut dh);
    let key: [u8; 32] = okm[32..].try_into().unwrap();
    wipe_bytes(&mut okm);
    let aead = ChaCha20Poly1305::new(&key);
    let body = &msg[DHLEN..msg.len() - TAGLEN];
    let tag: &[u8; 16] = msg[msg.len() - TAGLEN..].try_into().unwrap();
    // open_in_place leaves the buffer untouched on failure, so one copy serves every candidate.
    let mut buf = body.to_vec();
    let nonce = [0u8; 12];
    for (i, h) in h_psk.chunks_exact(32).enumerate() {
        let ad = blake2s(&[], &[h, re]);
        if aead.open_in_place(&nonce, &ad, &mut buf, tag).is_ok() {
            wipe_bytes(&mut buf);
            return Screen::Match(i);
        }
    }
    Screen::NoMatch
}

#[cfg(test)]
mod tests;
