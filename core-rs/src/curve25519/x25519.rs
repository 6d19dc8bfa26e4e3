//! X25519 (RFC 7748 §5): the Montgomery ladder over u-coordinates, in constant time.

use super::field::Fe;
use super::scalarmul::mul_base;
use crate::wipe::wipe_bytes;

/// (A − 2)/4 for Curve25519's A = 486662.
const A24: i32 = 121665;

/// RFC 7748 §5 "decodeScalar25519": clear the low 3 bits and bit 255, set bit 254.
pub fn clamp(k: &[u8; 32]) -> [u8; 32] {
    let mut e = *k;
    e[0] &= 248;
    e[31] &= 127;
    e[31] |= 64;
    e
}

/// X25519(k, u): the shared secret of secret `k` and peer public key `u`. The result is all
/// zeros exactly when `u` has small order; callers that must reject such keys check
/// `is_all_zero` on it (in constant time).
pub fn x25519(k: &[u8; 32], u: &[u8; 32]) -> [u8; 32] {
    let mut e = clamp(k);
    let x1 = Fe::from_bytes(u);
    let mut x2 = Fe::ONE;
    let mut z2 = Fe::ZERO;
    let mut x3 = x1;
    let mut z3 = Fe::ONE;
    let mut swap = 0u32;
    for t in (0..255).rev() {
        let bit = ((e[t / 8] >> (t % 8)) & 1) as u32;
        swap ^= bit;
        Fe::cswap(&mut x2, &mut x3, swap);
        Fe::cswap(&mut z2, &mut z3, swap);
        swap = bit;

        let a = x2.add(&z2);
        let aa = a.sq();
        let b = x2.sub(&z2);
        let bb = b.sq();
        let e_ = aa.sub(&bb);
        let c = x3.add(&z3);
        let d = x3.sub(&z3);
        let da = d.mul(&a);
        let cb = c.mul(&b);
        x3 = da.add(&cb).sq();
        z3 = x1.mul(&da.sub(&cb).sq());
        x2 = aa.mul(&bb);
        z2 = e_.mul(&aa.add(&e_.mul_small(A24)));
    }
    Fe::cswap(&mut x2, &mut x3, swap);
    Fe::cswap(&mut z2, &mut z3, swap);
    let out = x2.mul(&z2.invert()).to_bytes();
    for f in [&mut x2, &mut z2, &mut x3, &mut z3] {
        f.wipe();
    }
    wipe_bytes(&mut e);
    out
}

/// X25519(k, 9): the public key of secret `k`, through the Edwards fixed-base table (about
/// four times faster than the ladder), mapped to Montgomery form.
pub fn x25519_base(k: &[u8; 32]) -> [u8; 32] {
    let mut e = clamp(k);
    let p = mul_base(&e);
    wipe_bytes(&mut e);
    p.to_montgomery_u()
}

/// True when all 32 bytes are zero, without an early exit.
pub fn is_all_zero(b: &[u8; 32]) -> bool {
    let mut acc = 0u8;
    for &x in b {
        acc |= x;
    }
    core::hint::black_box(acc) == 0
}
