//! HMAC-BLAKE2s (RFC 2104 with BLAKE2s-256: 64-byte blocks, 32-byte output) and the HKDF of the
//! Noise Protocol Framework (revision 34, §4.3), which chains HMACs rather than using RFC 5869's
//! info/length interface.

use super::{blake2s, OUT_LEN};
use crate::wipe::wipe_bytes;

pub const HMAC_BLOCK: usize = 64;

/// HMAC-BLAKE2s(key, concatenation of `parts`); keys longer than a block are hashed first.
pub fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; OUT_LEN] {
    let mut k = [0u8; HMAC_BLOCK];
    if key.len() > HMAC_BLOCK {
        k[..OUT_LEN].copy_from_slice(&blake2s(&[], &[key]));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut pad = [0u8; HMAC_BLOCK];
    for (p, b) in pad.iter_mut().zip(k.iter()) {
        *p = b ^ 0x36;
    }
    let mut inner_parts: Vec<&[u8]> = Vec::with_capacity(parts.len() + 1);
    inner_parts.push(&pad);
    inner_parts.extend_from_slice(parts);
    let mut inner = blake2s(&[], &inner_parts);
    drop(inner_parts);
    for (p, b) in pad.iter_mut().zip(k.iter()) {
        *p = b ^ 0x5c;
    }
    let out = blake2s(&[], &[&pad, &inner]);
    wipe_bytes(&mut k);
    wipe_bytes(&mut pad);
    wipe_bytes(&mut inner);
    out
}

/// Noise HKDF(chaining_key, input_key_material, n) for n = 2 or 3: writes n 32-byte outputs to
/// `out` (which must hold 32·n bytes).
pub fn hkdf(chaining_key: &[u8], ikm: &[u8], n: usize, out: &mut [u8]) {
    assert!((n == 2 || n == 3) && out.len() >= OUT_LEN * n);
    let mut temp = hmac(chaining_key, &[ikm]);
    let mut prev = hmac(&temp, &[&[1]]);
    out[..OUT_LEN].copy_from_slice(&prev);
    for i in 1..n {
        prev = hmac(&temp, &[&prev, &[i as u8 + 1]]);
        out[OUT_LEN * i..OUT_LEN * (i + 1)].copy_from_slice(&prev);
    }
    wipe_bytes(&mut temp);
    wipe_bytes(&mut prev);
}
