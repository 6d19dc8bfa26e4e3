//! Ed25519 (RFC 8032 §5.1, pure, no context): key generation from a 32-byte seed, deterministic
//! signing, and strict verification.
//!
//! `verify_strict` accepts exactly what net-mesh's strict rule (wire.md §10, after
//! ed25519-dalek's `verify_strict`) accepts: S < L; A and R canonically encoded (y < p, and no
//! sign bit on x = 0); neither A nor R of small order; and the non-cofactored equation
//! [S]B = R + [k]A with k = SHA-512(R ‖ A ‖ M) mod L. It is checked as [S]B + [k](−A) = R with one
//! variable-time double-scalar multiplication (all inputs are public).

pub mod scalar;

use crate::curve25519::edwards::EdwardsPoint;
use crate::curve25519::scalarmul::{double_mul_base_vartime, mul_base};
use crate::sha512::{sha512, Sha512};
use crate::wipe::wipe_bytes;

pub const SEED_LEN: usize = 32;
pub const PUBLIC_KEY_LEN: usize = 32;
pub const SIGNATURE_LEN: usize = 64;

/// The secret scalar and nonce prefix expanded from a seed (RFC 8032 §5.1.5 steps 1–2).
struct Expanded {
    scalar: [u8; 32],
    prefix: [u8; 32],
}

impl Drop for Expanded {
    fn drop(&mut self) {
        wipe_bytes(&mut self.scalar);
        wipe_bytes(&mut self.prefix);
    }
}

fn expand(seed: &[u8; SEED_LEN]) -> Expanded {
    let mut h = sha512(&[seed]);
    let mut e = Expanded { scalar: [0; 32], prefix: [0; 32] };
    e.scalar.copy_from_slice(&h[..32]);
    e.prefix.copy_from_slice(&h[32..]);
    wipe_bytes(&mut h);
    e.scalar[0] &= 248;
    e.scalar[31] &= 127;
    e.scalar[31] |= 64;
    e
}

/// The public key A = [s]B of a seed.
pub fn public_key(seed: &[u8; SEED_LEN]) -> [u8; PUBLIC_KEY_LEN] {
    mul_base(&expand(seed).scalar).compress()
}

/// The RFC 8032 signature of `message` under `seed` (its public key is recomputed, so a caller
/// cannot pair a seed with a wrong public key).
pub fn sign(seed: &[u8; SEED_LEN], message: &[u8]) -> [u8; SIGNATURE_LEN] {
    let e = expand(seed);
    let a = mul_base(&e.scalar).compress();
    let mut h = Sha512::new();
    h.update(&e.prefix).update(message);
    let mut r_wide = h.finalize();
    let mut r = scalar::reduce64(&r_wide);
    let big_r = mul_base(&r).compress();
    let k = scalar::reduce64(&sha512(&[&big_r, &a, message]));
    let s = scalar::mul_add(&k, &e.scalar, &r);
    wipe_bytes(&mut r_wide);
    wipe_bytes(&mut r);
    let mut sig = [0u8; SIGNATURE_LEN];
    sig[..32].copy_from_slice(&big_r);
    sig[32..].copy_from_slice(&s);
    sig
}

/// Strict verification; see the module comment for exactly what is rejected.
pub fn verify_strict(public_key: &[u8; PUBLIC_KEY_LEN], message: &[u8], signature: &[u8; SIGNATURE_LEN]) -> bool {
    let r_bytes: &[u8; 32] = signature[..32].try_into().unwrap();
    let s: &[u8; 32] = signature[32..].try_into().unwrap();
    if !scalar::is_canonical(s) {
        return false;
    }
    let (Some(a), Some(r)) = (
        EdwardsPoint::decompress_strict(public_key),
        EdwardsPoint::decompress_strict(r_bytes),
    ) else {
        return false;
    };
    if a.is_small_order() || r.is_small_order() {
        return false;
    }
    let k = scalar::reduce64(&sha512(&[r_bytes, public_key, message]));
    double_mul_base_vartime(&k, &a.neg(), s).equals(&r)
}

#[cfg(test)]
mod tests;
