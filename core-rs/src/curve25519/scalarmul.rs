//! Scalar multiplication on edwards25519.
//!
//! - `mul_base`: [k]B for a secret k in constant time, from a table of 32×8 affine multiples of
//!   B (signed radix-16 digits, each looked up by scanning its whole row).
//! - `double_mul_base_vartime`: [a]A + [b]B for public scalars, the shape of a signature check:
//!   one shared chain of doublings, a width-5 NAF of a over odd multiples of A computed per call,
//!   and a width-8 NAF of b over 64 precomputed odd multiples of B.
//!
//! Both tables are computed on first use (well under a millisecond) and live for the instance.

use super::edwards::{batch_to_niels, EdwardsPoint, Niels, BASE};
use std::sync::OnceLock;

/// NAF width for the base point (its odd multiples are precomputed once).
const BASE_WIDTH: u32 = 8;
/// NAF width for the variable point (its odd multiples are computed on every call).
const VAR_WIDTH: u32 = 5;

struct Tables {
    /// `radix16[i][j]` = (j + 1)·256^i·B.
    radix16: Vec<[Niels; 8]>,
    /// `odd[i]` = (2i + 1)·B for i < 2^(BASE_WIDTH − 2).
    odd: Vec<Niels>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(build_tables)
}

fn build_tables() -> Tables {
    let mut points = Vec::with_capacity(32 * 8);
    let mut row_base = BASE;
    for _ in 0..32 {
        let cached = row_base.to_cached();
        let mut p = row_base;
        for j in 0..8 {
            points.push(p);
            if j < 7 {
                p = p.add_cached(&cached).to_extended();
            }
        }
        row_base = row_base.double_n(8);
    }
    let flat = batch_to_niels(&points);
    let radix16 = flat.chunks(8).map(|c| <[Niels; 8]>::try_from(c).unwrap()).collect();

    let n_odd = 1usize << (BASE_WIDTH - 2);
    let two_b = BASE.double().to_extended().to_cached();
    let mut odd_points = Vec::with_capacity(n_odd);
    let mut p = BASE;
    for _ in 0..n_odd {
        odd_points.push(p);
        p = p.add_cached(&two_b).to_extended();
    }
    Tables { radix16, odd: batch_to_niels(&odd_points) }
}

/// 1 when a == b, else 0, for small non-negative values (no branch).
#[inline(always)]
fn eq_mask(a: u32, b: u32) -> u32 {
    ((a ^ b).wrapping_sub(1)) >> 31
}

/// `row[|d| − 1]`, negated when d < 0, the identity when d = 0; reads every entry.
#[inline(always)]
fn select(row: &[Niels; 8], d: i8) -> Niels {
    let neg = (d as u8 >> 7) as u32;
    let abs = (d as i32 * (1 - 2 * neg as i32)) as u32;
    let mut t = Niels::IDENTITY;
    for (j, entry) in row.iter().enumerate() {
        t.cmov(entry, eq_mask(abs, j as u32 + 1));
    }
    let minus = t.neg();
    t.cmov(&minus, neg);
    t
}

/// [k]B in constant time. `k` is little-endian with k[31] ≤ 127 (every clamped or reduced
/// scalar qualifies).
pub fn mul_base(k: &[u8; 32]) -> EdwardsPoint {
    debug_assert!(k[31] <= 127);
    // 64 signed radix-16 digits in −8..8, so each needs only 8 table entries plus negation.
    let mut e = [0i8; 64];
    for i in 0..32 {
        e[2 * i] = (k[i] & 15) as i8;
        e[2 * i + 1] = (k[i] >> 4) as i8;
    }
    let mut carry = 0i8;
    for d in e.iter_mut().take(63) {
        *d += carry;
        carry = (*d + 8) >> 4;
        *d -= carry << 4;
    }
    e[63] += carry;

    let t = tables();
    // Σ e[i]·16^i·B = Σ_odd + 16·Σ_even, with 16^(2j)·B = 256^j·B from row j.
    let mut h = EdwardsPoint::IDENTITY;
    for j in 0..32 {
        h = h.add_niels(&select(&t.radix16[j], e[2 * j + 1])).to_extended();
    }
    h = h.double_n(4);
    for j in 0..32 {
        h = h.add_niels(&select(&t.radix16[j], e[2 * j])).to_extended();
    }
    for d in e.iter_mut() {
        // SAFETY: a valid &mut i8; volatile so the wipe of the secret digits is kept.
        unsafe { core::ptr::write_volatile(d, 0) };
    }
    h
}

/// Width-w non-adjacent form of a little-endian scalar below 2^255: digits are 0 or odd with
/// |digit| < 2^(w−1), and any two non-zero digits are at least w positions apart.
pub(crate) fn naf(k: &[u8; 32], w: u32) -> [i8; 256] {
    let mut words = [0u64; 5];
    for i in 0..4 {
        words[i] = u64::from_le_bytes(k[8 * i..8 * i + 8].try_into().unwrap());
    }
    let width = 1u64 << w;
    let mask = width - 1;
    let mut out = [0i8; 256];
    let mut pos = 0usize;
    let mut carry = 0u64;
    while pos < 256 {
        let (idx, bit) = (pos / 64, pos % 64);
        let mut bits = words[idx] >> bit;
        if bit + w as usize > 64 {
            bits |= words[idx + 1] << (64 - bit);
        }
        let window = carry + (bits & mask);
        if window & 1 == 0 {
            // A pending carry plus a 1 bit makes 0 here and keeps the carry for the next bit.
            pos += 1;
            continue;
        }
        if window < width / 2 {
            carry = 0;
            out[pos] = window as i8;
        } else {
            carry = 1;
            out[pos] = (window as i64 - width as i64) as i8;
        }
        pos += w as usize;
    }
    out
}

/// [a]·A + [b]·B for public scalars below 2^255 (variable time: never pass secrets).
pub fn double_mul_base_vartime(a: &[u8; 32], big_a: &EdwardsPoint, b: &[u8; 32]) -> EdwardsPoint {
    let a_naf = naf(a, VAR_WIDTH);
    let b_naf = naf(b, BASE_WIDTH);
    // Odd multiples A, 3A, …, 15A.
    let mut a_odd = [big_a.to_cached(); 1 << (VAR_WIDTH - 2)];
    let a2 = big_a.double().to_extended();
    for i in 1..a_odd.len() {
        a_odd[i] = a2.add_cached(&a_odd[i - 1]).to_extended().to_cached();
    }
    let b_odd = &tables().odd;

    let mut top = 255;
    while top > 0 && a_naf[top] == 0 && b_naf[top] == 0 {
        top -= 1;
    }
    let mut r = EdwardsPoint::IDENTITY.to_projective();
    let mut i = top as isize;
    while i >= 0 {
        let u = i as usize;
        let mut c = r.double();
        let (da, db) = (a_naf[u], b_naf[u]);
        if da != 0 {
            let e = c.to_extended();
            c = if da > 0 {
                e.add_cached(&a_odd[(da / 2) as usize])
            } else {
                e.sub_cached(&a_odd[(-da / 2) as usize])
            };
        }
        if db != 0 {
            let e = c.to_extended();
            c = if db > 0 {
                e.add_niels(&b_odd[(db / 2) as usize])
            } else {
                e.sub_niels(&b_odd[(-db / 2) as usize])
            };
        }
        if i == 0 {
            return c.to_extended();
        }
        r = c.to_projective();
        i -= 1;
    }
    EdwardsPoint::IDENTITY
}
