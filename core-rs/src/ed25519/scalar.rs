//! Integers modulo the group order L = 2^252 + 27742317777372353535851937790883648493, in
//! 32-bit words with u64 products, reduced by Barrett's method (HAC 14.42, base 2^32). Used for
//! secret values (nonces, S), so every step has a fixed shape: no branch on a word's value.

/// L, little-endian words.
const L: [u32; 9] = [
    0x5cf5d3ed, 0x5812631a, 0xa2f79cd6, 0x14def9de, 0, 0, 0, 0x10000000, 0,
];

/// ⌊2^512 / L⌋, the Barrett constant.
const MU: [u32; 9] = [
    0x0a2c131b, 0xed9ce5a3, 0x086329a7, 0x2106215d, 0xffffffeb, 0xffffffff, 0xffffffff, 0xffffffff,
    0x0000000f,
];

fn words<const N: usize>(b: &[u8]) -> [u32; N] {
    core::array::from_fn(|i| u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap()))
}

/// Full product of two little-endian word strings: `out` gets a.len() + b.len() words.
fn mul_wide(a: &[u32], b: &[u32], out: &mut [u32]) {
    out.fill(0);
    for (i, &ai) in a.iter().enumerate() {
        let mut carry = 0u64;
        for (j, &bj) in b.iter().enumerate() {
            let t = out[i + j] as u64 + ai as u64 * bj as u64 + carry;
            out[i + j] = t as u32;
            carry = t >> 32;
        }
        out[i + b.len()] = carry as u32;
    }
}

/// (a − b) mod 2^288 over nine words, and the final borrow (1 when a < b).
fn sub9(a: &[u32], b: &[u32]) -> ([u32; 9], u32) {
    let mut out = [0u32; 9];
    let mut borrow = 0u64;
    for i in 0..9 {
        let d = (a[i] as u64).wrapping_sub(b[i] as u64).wrapping_sub(borrow);
        out[i] = d as u32;
        borrow = (d >> 63) & 1;
    }
    (out, borrow as u32)
}

/// r − L when r ≥ L, else r, in constant time.
fn sub_l_if_ge(r: &mut [u32; 9]) {
    let (mut t, borrow) = sub9(r, &L);
    // borrow = 1 means r < L: keep r.
    let keep = borrow.wrapping_neg();
    for i in 0..9 {
        r[i] = (r[i] & keep) | (t[i] & !keep);
    }
    crate::wipe::wipe_words(&mut t);
}

/// x mod L for a 512-bit x (16 words).
fn reduce_words(x: &[u32; 16]) -> [u8; 32] {
    // q3 = ⌊⌊x / b^7⌋ · μ / b^9⌋ ≤ ⌊x / L⌋, short of it by at most 2.
    let mut q2 = [0u32; 18];
    mul_wide(&x[7..16], &MU, &mut q2);
    let mut r2 = [0u32; 18];
    mul_wide(&q2[9..18], &L[..8], &mut r2[..17]);
    // r = (x − q3·L) mod b^9, which is x − q3·L itself since that lies in [0, 3L).
    let (mut r, _) = sub9(&x[..9], &r2[..9]);
    sub_l_if_ge(&mut r);
    sub_l_if_ge(&mut r);
    let mut out = [0u8; 32];
    for i in 0..8 {
        out[4 * i..4 * i + 4].copy_from_slice(&r[i].to_le_bytes());
    }
    crate::wipe::wipe_words(&mut q2);
    crate::wipe::wipe_words(&mut r2);
    crate::wipe::wipe_words(&mut r);
    out
}

/// A 64-byte little-endian integer (a SHA-512 digest) reduced mod L.
pub fn reduce64(b: &[u8; 64]) -> [u8; 32] {
    let mut x: [u32; 16] = words(b);
    let out = reduce_words(&x);
    crate::wipe::wipe_words(&mut x);
    out
}

/// (a·b + c) mod L for 256-bit little-endian a, b, c.
pub fn mul_add(a: &[u8; 32], b: &[u8; 32], c: &[u8; 32]) -> [u8; 32] {
    let (aw, bw, cw): ([u32; 8], [u32; 8], [u32; 8]) = (words(a), words(b), words(c));
    let mut x = [0u32; 16];
    mul_wide(&aw, &bw, &mut x);
    let mut carry = 0u64;
    for i in 0..16 {
        let t = x[i] as u64 + if i < 8 { cw[i] as u64 } else { 0 } + carry;
        x[i] = t as u32;
        carry = t >> 32;
    }
    let out = reduce_words(&x);
    crate::wipe::wipe_words(&mut x);
    out
}

/// s < L (the canonical range RFC 8032 §5.1.7 requires of S). Public input: variable time.
pub fn is_canonical(s: &[u8; 32]) -> bool {
    let w: [u32; 8] = words(s);
    for i in (0..8).rev() {
        if w[i] != L[i] {
            return w[i] < L[i];
        }
    }
    false
}
