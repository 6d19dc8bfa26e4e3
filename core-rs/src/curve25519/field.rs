//! Arithmetic in GF(2^255 - 19) with ten signed limbs of alternately 26 and 25 bits (radix
//! 2^25.5): limb i holds bits ceil(25.5·i).. of the value. Products are i32×i32→i64, one native
//! `i64.mul` each in wasm32, where 5×51-bit limbs would need emulated 128-bit products.
//!
//! Limbs are signed so that subtraction needs no bias; `mul` and `sq` accept limbs up to about
//! 2^27 in magnitude (sums and differences of a few reduced elements) and return limbs of at most
//! about 2^25/2^24. Every operation here runs in constant time: no branch or index depends on a
//! limb value.

/// A field element; see the module comment for the representation.
#[derive(Clone, Copy, Debug)]
pub struct Fe(pub(crate) [i32; 10]);

/// Bit offset of each limb.
const OFFSET: [u32; 10] = [0, 26, 51, 77, 102, 128, 153, 179, 204, 230];

impl Fe {
    pub const ZERO: Fe = Fe([0; 10]);
    pub const ONE: Fe = Fe([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

    /// The element from 32 little-endian bytes; bit 255 is ignored and values ≥ p are accepted
    /// (they are reduced by later arithmetic), as RFC 7748 asks for X25519 inputs.
    pub const fn from_bytes(b: &[u8; 32]) -> Fe {
        let mut padded = [0u8; 40];
        let mut i = 0;
        while i < 32 {
            padded[i] = b[i];
            i += 1;
        }
        padded[31] &= 0x7f;
        let mut limbs = [0i32; 10];
        let mut k = 0;
        while k < 10 {
            let off = OFFSET[k];
            let at = (off / 8) as usize;
            let mut word = 0u64;
            let mut j = 0;
            while j < 8 {
                word |= (padded[at + j] as u64) << (8 * j);
                j += 1;
            }
            let width = if k % 2 == 0 { 26 } else { 25 };
            limbs[k] = ((word >> (off % 8)) & ((1u64 << width) - 1)) as i32;
            k += 1;
        }
        Fe(limbs)
    }

    /// The canonical (fully reduced) 32-byte little-endian encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut h = [0i64; 10];
        for i in 0..10 {
            h[i] = self.0[i] as i64;
        }
        let mut h = carry(h).0.map(|l| l as i64);
        // h is now within (-2^255, 2^256) with small limbs. q = 1 exactly when h ≥ p (after the
        // wrap of 2^255 ≡ 19 below), found by propagating h + 19 through the limbs.
        let mut q = (19 * h[9] + (1 << 24)) >> 25;
        for i in 0..10 {
            q = (h[i] + q) >> width(i);
        }
        h[0] += 19 * q;
        for i in 0..9 {
            let c = h[i] >> width(i);
            h[i + 1] += c;
            h[i] -= c << width(i);
        }
        h[9] &= (1 << 25) - 1;
        let mut out = [0u8; 32];
        let mut acc: u64 = 0;
        let mut bits = 0;
        let mut n = 0;
        for i in 0..10 {
            acc |= (h[i] as u64) << bits;
            bits += width(i);
            while bits >= 8 && n < 32 {
                out[n] = acc as u8;
                acc >>= 8;
                bits -= 8;
                n += 1;
            }
        }
        if n < 32 {
            out[n] = acc as u8;
        }
        out
    }

    #[inline(always)]
    pub fn add(&self, g: &Fe) -> Fe {
        let mut h = [0i32; 10];
        for i in 0..10 {
            h[i] = self.0[i] + g.0[i];
        }
        Fe(h)
    }

    #[inline(always)]
    pub fn sub(&self, g: &Fe) -> Fe {
        let mut h = [0i32; 10];
        for i in 0..10 {
            h[i] = self.0[i] - g.0[i];
        }
        Fe(h)
    }

    #[inline(always)]
    pub fn neg(&self) -> Fe {
        Fe::ZERO.sub(self)
    }

    /// self · g.
    #[inline(always)]
    pub fn mul(&self, g: &Fe) -> Fe {
        let f = &self.0;
        let g = &g.0;
        let mut g19 = [0i64; 10];
        let mut f2 = [0i64; 10];
        for i in 0..10 {
            g19[i] = 19 * g[i] as i64;
            f2[i] = 2 * f[i] as i64;
        }
        // h[k] = Σ f[i]·g[j] over i + j ≡ k (mod 10), where a wrap past 2^255 multiplies by 19
        // and two odd (25-bit) limbs meet at half a bit too low, doubling their product.
        let mut h = [0i64; 10];
        for i in 0..10 {
            for j in 0..10 {
                let a = if i % 2 == 1 && j % 2 == 1 { f2[i] } else { f[i] as i64 };
                let b = if i + j >= 10 { g19[j] } else { g[j] as i64 };
                h[(i + j) % 10] += a * b;
            }
        }
        carry(h)
    }

    /// self², with the symmetric products computed once.
    #[inline(always)]
    pub fn sq(&self) -> Fe {
        carry(self.sq_terms())
    }

    /// 2·self².
    #[inline(always)]
    pub fn sq2(&self) -> Fe {
        let mut h = self.sq_terms();
        for x in h.iter_mut() {
            *x += *x;
        }
        carry(h)
    }

    #[inline(always)]
    fn sq_terms(&self) -> [i64; 10] {
        let f = &self.0;
        let mut h = [0i64; 10];
        for i in 0..10 {
            let fi = f[i] as i64;
            // Diagonal term, then each pair i < j once, doubled.
            let mut a = fi;
            if i % 2 == 1 {
                a *= 2;
            }
            h[(2 * i) % 10] += a * if 2 * i >= 10 { 19 * fi } else { fi };
            for j in i + 1..10 {
                let mut a = 2 * fi;
                if i % 2 == 1 && j % 2 == 1 {
                    a *= 2;
                }
                let fj = f[j] as i64;
                h[(i + j) % 10] += a * if i + j >= 10 { 19 * fj } else { fj };
            }
        }
        h
    }

    /// self · n for a small non-negative constant n < 2^20.
    #[inline(always)]
    pub fn mul_small(&self, n: i32) -> Fe {
        let mut h = [0i64; 10];
        for i in 0..10 {
            h[i] = self.0[i] as i64 * n as i64;
        }
        carry(h)
    }

    /// self^(2^k).
    #[inline(always)]
    pub fn sq_n(&self, k: u32) -> Fe {
        let mut t = self.sq();
        for _ in 1..k {
            t = t.sq();
        }
        t
    }

    /// (self^(2^250 − 1), self^11): the shared head of the inversion and square-root chains.
    fn pow_2_250_minus_1(&self) -> (Fe, Fe) {
        let z2 = self.sq();
        let z9 = z2.sq_n(2).mul(self);
        let z11 = z9.mul(&z2);
        let z_5 = z11.sq().mul(&z9); // 2^5 − 1
        let z_10 = z_5.sq_n(5).mul(&z_5);
        let z_20 = z_10.sq_n(10).mul(&z_10);
        let z_40 = z_20.sq_n(20).mul(&z_20);
        let z_50 = z_40.sq_n(10).mul(&z_10);
        let z_100 = z_50.sq_n(50).mul(&z_50);
        let z_200 = z_100.sq_n(100).mul(&z_100);
        let z_250 = z_200.sq_n(50).mul(&z_50);
        (z_250, z11)
    }

    /// self^(p − 2) = 1/self (0 for 0).
    pub fn invert(&self) -> Fe {
        let (z_250, z11) = self.pow_2_250_minus_1();
        z_250.sq_n(5).mul(&z11) // 2^255 − 32 + 11 = p − 2
    }

    /// self^((p − 5)/8) = self^(2^252 − 3), the core of a square root.
    pub fn pow_p58(&self) -> Fe {
        let (z_250, _) = self.pow_2_250_minus_1();
        z_250.sq_n(2).mul(self)
    }

    /// True when the element is 0 mod p.
    pub fn is_zero(&self) -> bool {
        let b = self.to_bytes();
        let mut acc = 0u8;
        for x in b {
            acc |= x;
        }
        acc == 0
    }

    /// The low bit of the canonical encoding ("negative" in RFC 8032's sense).
    pub fn is_negative(&self) -> bool {
        self.to_bytes()[0] & 1 == 1
    }

    /// Equality mod p.
    pub fn ct_eq(&self, g: &Fe) -> bool {
        let (a, b) = (self.to_bytes(), g.to_bytes());
        let mut acc = 0u8;
        for i in 0..32 {
            acc |= a[i] ^ b[i];
        }
        acc == 0
    }

    /// self = g when `choice` is 1, unchanged when 0 (no branch on `choice`).
    #[inline(always)]
    pub fn cmov(&mut self, g: &Fe, choice: u32) {
        let mask = (choice as i32).wrapping_neg();
        for i in 0..10 {
            self.0[i] ^= (self.0[i] ^ g.0[i]) & mask;
        }
    }

    /// Swaps a and b when `choice` is 1 (no branch on `choice`).
    #[inline(always)]
    pub fn cswap(a: &mut Fe, b: &mut Fe, choice: u32) {
        let mask = (choice as i32).wrapping_neg();
        for i in 0..10 {
            let t = (a.0[i] ^ b.0[i]) & mask;
            a.0[i] ^= t;
            b.0[i] ^= t;
        }
    }

    /// Overwrites the limbs with zeros in a way the optimiser keeps (for secret intermediates).
    pub fn wipe(&mut self) {
        crate::wipe::wipe_words(&mut self.0);
    }
}

#[inline(always)]
const fn width(i: usize) -> u32 {
    if i % 2 == 0 {
        26
    } else {
        25
    }
}

/// Carries i64 limbs (each well inside ±2^62) back to |limb| ≤ 2^25 (even) / 2^24 (odd), with
/// rounding carries; two interleaved chains shorten the dependency path.
#[inline(always)]
fn carry(mut h: [i64; 10]) -> Fe {
    #[inline(always)]
    fn step(h: &mut [i64; 10], i: usize) {
        let w = width(i);
        let c = (h[i] + (1 << (w - 1))) >> w;
        h[i] -= c << w;
        if i == 9 {
            h[0] += c * 19;
        } else {
            h[i + 1] += c;
        }
    }
    step(&mut h, 0);
    step(&mut h, 4);
    step(&mut h, 1);
    step(&mut h, 5);
    step(&mut h, 2);
    step(&mut h, 6);
    step(&mut h, 3);
    step(&mut h, 7);
    step(&mut h, 4);
    step(&mut h, 8);
    step(&mut h, 9);
    step(&mut h, 0);
    let mut out = [0i32; 10];
    for i in 0..10 {
        out[i] = h[i] as i32;
    }
    Fe(out)
}
